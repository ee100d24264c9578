"""Compiler: map one or many models onto an accelerator (``compile`` -> ``Mapping``), the
mapping searches (latency constraint, replication) and design-space sweeps."""
from marp.compiler.driver import Mapping, compile, example_models
from marp.compiler.sweeps import SweepResult, sweep

__all__ = ["compile", "Mapping", "example_models", "sweep", "SweepResult"]
