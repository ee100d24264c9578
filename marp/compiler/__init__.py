"""Compiler: map one or many models onto an accelerator (``compile`` -> ``Mapping``), the
mapping searches (latency constraint, replication) and design-space sweeps."""
from marp.compiler.driver import compile
from marp.compiler.mapping import Mapping
from marp.compiler.options import CompileOptions, example_models
from marp.compiler.sweeps import SweepResult, sweep

__all__ = ["compile", "CompileOptions", "Mapping", "example_models", "sweep", "SweepResult"]
