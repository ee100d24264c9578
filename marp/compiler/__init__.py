"""Compiler: map one or many models onto an accelerator (``compile`` -> ``Mapping``), the
mapping searches (latency constraint, replication), design-space sweeps, the array
images a chip is programmed with, and their functional simulation."""
from marp.compiler.api import compile
from marp.compiler.images import ArrayImages
from marp.compiler.mapping import Mapping
from marp.compiler.options import CompileOptions, example_models
from marp.compiler.simulate import LayerCheck, simulate
from marp.compiler.sweeps import SweepResult, sweep

__all__ = ["compile", "CompileOptions", "Mapping", "example_models", "sweep", "SweepResult",
           "ArrayImages", "simulate", "LayerCheck"]
