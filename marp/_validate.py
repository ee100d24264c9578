"""Input checks shared by the public functions: they name the parameter, value and index."""
from __future__ import annotations

import numbers
import warnings
from typing import NamedTuple

import numpy as np

INT32_MAX = np.iinfo(np.int32).max
# The largest rectangle or array side marp accepts: with sides below 2^30, x + w and
# y + h stay within the kernels' 32-bit coordinates (they reach at most 2^31 - 2).
MAX_SIDE = 2**30 - 1


def positive_int(name: str, value: object, *, allow_zero: bool = False,
                 high: int = INT32_MAX) -> int:
    """Return value as an int in [0 or 1, high]; raise TypeError/ValueError naming the
    parameter otherwise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        if isinstance(value, numbers.Real) and float(value).is_integer():
            value = int(value)
        else:
            raise TypeError(f"{name} must be an integer, got {value!r}")
    value = int(value)
    low = 0 if allow_zero else 1
    if value < low or value > high:
        raise ValueError(f"{name} must be an integer in [{low}, {high}], got {value}"
                         + (f" (the largest side marp accepts is 2^30 - 1)"
                            if high == MAX_SIDE else ""))
    return value


def seconds(name: str, value: object) -> float:
    """A finite number of seconds >= 0, as a float; TypeError/ValueError naming it."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real) \
            or not np.isfinite(float(value)) or float(value) < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return float(value)


def size_array(name: str, values: object) -> np.ndarray:
    """A 1-D array of positive integer sizes as contiguous int32; errors name the index."""
    arr = np.asarray(values)
    if arr.ndim == 0:
        raise ValueError(f"{name} must be a 1-D sequence of sizes, got a scalar {arr.item()!r}")
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D, got shape {arr.shape}")
    if arr.size == 0:
        return np.zeros(0, dtype=np.int32)
    if arr.dtype == np.bool_ or not (np.issubdtype(arr.dtype, np.integer)
                                     or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
    if np.issubdtype(arr.dtype, np.floating):
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            raise ValueError(f"{name}[{bad[0]}] is {arr[bad[0]]}, not a finite size")
        bad = np.flatnonzero(arr != np.floor(arr))
        if bad.size:
            raise ValueError(f"{name}[{bad[0]}] = {arr[bad[0]]} is not an integer")
    bad = np.flatnonzero(arr <= 0)
    if bad.size:
        raise ValueError(f"{name}[{bad[0]}] = {arr[bad[0]]} must be positive")
    bad = np.flatnonzero(arr > MAX_SIDE)
    if bad.size:
        raise ValueError(f"{name}[{bad[0]}] = {arr[bad[0]]} exceeds {MAX_SIDE:,} (2^30 - 1), "
                         f"the largest side marp accepts")
    return np.ascontiguousarray(arr, dtype=np.int32)


def area_sum(widths: np.ndarray, heights: np.ndarray) -> int:
    """The exact sum of widths x heights as a Python int (sides below 2^30: each area
    fits 60 bits, and the sum is taken in two 32-bit halves, so nothing overflows)."""
    area = widths.astype(np.uint64) * heights.astype(np.uint64)
    high = int((area >> np.uint64(32)).sum(dtype=np.uint64))
    low = int((area & np.uint64(0xFFFFFFFF)).sum(dtype=np.uint64))
    return (high << 32) + low


def size_arrays(widths: object, heights: object) -> tuple[np.ndarray, np.ndarray]:
    """Validated (widths, heights) of equal length."""
    w = size_array("widths", widths)
    h = size_array("heights", heights)
    if w.shape[0] != h.shape[0]:
        raise ValueError(f"widths has {w.shape[0]} entries but heights has {h.shape[0]}")
    return w, h


def array_shape(array_cols: object, array_rows: object) -> tuple[int, int]:
    return (positive_int("array_cols", array_cols, high=MAX_SIDE),
            positive_int("array_rows", array_rows, high=MAX_SIDE))


class ArrayShape(NamedTuple):
    """The size of one array, rows (inputs, wordlines) before columns (outputs, bitlines).

    Every array size in marp is carried by this one type: ``Packing.shape``,
    ``Blocks.shape``, ``arch.aimc.shape``; functions take it as ``array=(rows, cols)``.
    """

    rows: int
    cols: int

    def __str__(self) -> str:
        return f"{self.rows}x{self.cols}"


def array_size(array, array_cols, array_rows, where: str) -> ArrayShape:
    """The validated ``array=(rows, cols)``, or the deprecated ``array_cols, array_rows``
    pair (kept for one release; it warns)."""
    legacy = array_cols is not None or array_rows is not None
    if array is not None:
        if legacy:
            raise TypeError(f"{where}() takes array=(rows, cols) or the deprecated "
                            f"array_cols/array_rows, not both")
        try:
            rows, cols = array
        except (TypeError, ValueError):
            raise ValueError(f"array must be a (rows, cols) pair, got {array!r}") from None
        return ArrayShape(positive_int("array rows", rows, high=MAX_SIDE),
                          positive_int("array cols", cols, high=MAX_SIDE))
    if array_cols is None or array_rows is None:
        raise TypeError(f"{where}() needs the array size: array=(rows, cols)")
    warnings.warn(f"{where}(..., array_cols, array_rows) is deprecated and will be removed "
                  f"in marp 0.3; pass array=(rows, cols)", DeprecationWarning, stacklevel=3)
    cols, rows = array_shape(array_cols, array_rows)
    return ArrayShape(rows, cols)
