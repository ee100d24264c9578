"""Equality for result types that hold numpy arrays (``==`` on arrays is elementwise, so
the dataclass default raises or lies). ``equal(a, b)`` compares dataclasses field by field
(fields with ``compare=False`` skipped), dicts, sequences and arrays (same shape and
values; NaN equals NaN); ``array_eq`` is an ``__eq__`` for such classes."""
from __future__ import annotations

import dataclasses
import math

import numpy as np


def _arrays_equal(a, b) -> bool:
    if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)) or a.shape != b.shape:
        return False
    if a.dtype.kind == "f" and b.dtype.kind == "f":
        return bool(np.array_equal(a, b, equal_nan=True))
    return all(equal(x, y) for x, y in zip(a.ravel().tolist(), b.ravel().tolist())) \
        if "O" in (a.dtype.kind, b.dtype.kind) else bool(np.array_equal(a, b))


def _fields(obj) -> list[str]:
    if dataclasses.is_dataclass(obj):
        return [f.name for f in dataclasses.fields(obj) if f.compare]
    # slots starting with "_" are caches (e.g. a lower bound computed on first use)
    return [s for s in getattr(type(obj), "__slots__", ()) if not s.startswith("_")]


def equal(a, b) -> bool:
    """True when ``a`` and ``b`` hold the same values (see the module doc)."""
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return _arrays_equal(a, b)
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) or isinstance(b, dict):
        return isinstance(a, dict) and isinstance(b, dict) and a.keys() == b.keys() and \
            all(equal(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b))
    if _fields(a) and type(a) is type(b):
        return all(equal(getattr(a, f), getattr(b, f)) for f in _fields(a))
    if isinstance(a, np.generic) or isinstance(b, np.generic):
        return bool(np.asarray(a) == np.asarray(b))
    return bool(a == b)


def array_eq(self, other) -> bool:
    """``__eq__`` for classes whose fields hold arrays."""
    if type(other) is not type(self):
        return NotImplemented
    return equal(self, other) if _fields(self) else self is other
