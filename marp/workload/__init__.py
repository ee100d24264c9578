"""Workloads: the weight layers and digital work of a model (``Workload``), the ONNX
loader, and lowering to blocks that fit one array. Imports only ``marp.packing`` and the
private helpers below it (see docs/architecture.md)."""
from marp.workload.layers import DigitalOp, Layers, SkippedOp, Workload, WorkloadError
from marp.workload.lowering import Blocks, lower
from marp.workload.onnx_loader import load_onnx

__all__ = ["Workload", "Layers", "DigitalOp", "SkippedOp", "WorkloadError", "load_onnx",
           "lower", "Blocks"]
