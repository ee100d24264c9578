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

# the layers, bottom up (docs/architecture.md): each imports only those before it
from marp.packing import (ALGORITHMS, BIN_SELECTIONS, ORDERS, ArrayType, BankPacking,
                          InvalidPackingError, LowerBounds, Packing, available_algorithms,
                          available_bin_selections, available_orders, item_order,
                          lower_bound, lower_bounds, pack, pack_bank, verify, verify_bank,
                          Slots, assign_slots, verify_slots)
from marp.workload import (Blocks, DigitalOp, Layers, SkippedOp, Workload, WorkloadError,
                           load_onnx, lower)
from marp.hardware import Arch, ArchError, available_archs, load_arch
from marp.costmodel import CostReport, cost
from marp.compiler import (ArrayImages, CompileOptions, LayerCheck, Mapping, SweepResult,
                           compile, example_models, simulate, sweep)
from marp._validate import ArrayShape

__all__ = [
    "__version__", "pack", "verify", "Packing", "InvalidPackingError", "item_order",
    "lower_bound", "lower_bounds", "LowerBounds", "ALGORITHMS", "BIN_SELECTIONS", "ORDERS",
    "available_algorithms", "available_bin_selections", "available_orders",
    "load_onnx", "lower", "Blocks", "Workload", "Layers", "DigitalOp", "SkippedOp",
    "WorkloadError", "load_arch", "available_archs", "Arch", "ArchError", "cost",
    "CostReport", "compile", "Mapping", "example_models", "sweep", "SweepResult",
    "CompileOptions", "ArrayShape", "ArrayImages", "simulate", "LayerCheck",
    "pack_bank", "verify_bank", "BankPacking", "ArrayType", "Slots", "assign_slots",
    "verify_slots",
]
