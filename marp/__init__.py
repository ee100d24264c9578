"""marp: pack the weight matrices of neural-network layers into shared crossbar arrays.

The public names are re-exported here; see each function's docstring.
"""
from marp._version import __version__

try:
    from marp._kernels import engine as _engine  # noqa: F401
except ImportError as exc:   # a source checkout whose kernels were never compiled
    raise ImportError(
        "marp's compiled kernels are missing (" + str(exc) + "); install marp with "
        "'pip install -e .' (or 'pip install .') so that they are built") from None

from marp.arch import Arch, ArchError, available_archs, load_arch
from marp.bounds import LowerBounds, lower_bound, lower_bounds
from marp.compiler import Mapping, compile, example_models
from marp.cost import CostReport, cost
from marp.sweep import SweepResult, sweep
from marp.lowering import Blocks, lower
from marp.onnx_loader import load_onnx
from marp.workload import DigitalOp, Layers, SkippedOp, Workload, WorkloadError
from marp.packing import Packing, item_order, pack
from marp.verify import InvalidPackingError, verify
from marp.registry import (ALGORITHMS, BIN_SELECTIONS, ORDERS, available_algorithms,
                           available_bin_selections, available_orders)

__all__ = [
    "__version__", "pack", "verify", "Packing", "InvalidPackingError", "item_order",
    "lower_bound", "lower_bounds", "LowerBounds", "ALGORITHMS", "BIN_SELECTIONS", "ORDERS",
    "available_algorithms", "available_bin_selections", "available_orders",
    "load_onnx", "lower", "Blocks", "Workload", "Layers", "DigitalOp", "SkippedOp",
    "WorkloadError", "load_arch", "available_archs", "Arch", "ArchError", "cost",
    "CostReport", "compile", "Mapping", "example_models", "sweep", "SweepResult",
]
