"""Cost model: energy and latency of a mapping (blocks placed in arrays) of a workload on
an accelerator, with the one-to-one baseline beside it."""
from marp.costmodel.accounting import CostReport, cost, one_to_one

__all__ = ["cost", "CostReport", "one_to_one"]
