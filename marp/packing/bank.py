"""Banks of arrays of several sizes: ``pack_bank(widths, heights, bank)``.

A bank lists array types, each a size (rows, cols), how many such arrays exist
(``count``, None: as many as needed) and what one costs (``cost``, e.g. area or energy;
default its cells). The packing chooses which arrays to open: for every order of the
types (all of them for up to 4 types, else by cost per cell), the rectangles are packed
into the first type's arrays (at most ``count``, rectangles that do not fit left over),
the rest into the next type's, and so on, each step by :func:`marp.pack` (the compiled
kernels); the order with the lowest total cost wins (ties: fewer arrays, then the
earlier order). Rectangles that fit no type, or find no room in the counts, are
unplaced (or an error, as ``partial`` says).

Lower bounds: the per-size bounds of :mod:`marp.packing.bounds` do not apply to a mixed
bank; :attr:`BankPacking.cost_lower_bound` is the area bound on cost (every array of a
type holds at most its cells, so the cost is at least the placed area times the lowest
cost per cell).
"""
from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from marp import _validate
from marp._compare import array_eq
from marp.packing.packer import Packing, pack
from marp.packing.verifier import verify

MAX_PERMUTED = 4


@dataclass(frozen=True)
class ArrayType:
    """One size of array in a bank: rows x cols, how many (None: unlimited), the cost of
    one."""

    rows: int
    cols: int
    count: int | None
    cost: float


@dataclass(frozen=True)
class BankPacking:
    """Placements in a mixed bank: per rectangle its array (-1 unplaced), x, y and
    whether it turned; per array used its type (index into ``types``)."""

    array: np.ndarray
    x: np.ndarray
    y: np.ndarray
    rotated: np.ndarray
    array_type: np.ndarray
    types: tuple
    widths: np.ndarray
    heights: np.ndarray

    __eq__ = array_eq

    @property
    def arrays_used(self) -> int:
        return int(self.array_type.size)

    @property
    def placed(self) -> np.ndarray:
        return self.array >= 0

    @property
    def cost(self) -> float:
        return float(sum(self.types[t].cost for t in self.array_type))

    def arrays_of_type(self) -> list[int]:
        return np.bincount(self.array_type, minlength=len(self.types)).tolist()

    @property
    def cost_lower_bound(self) -> float:
        """The placed area times the lowest cost per cell (see the module doc)."""
        p = self.placed
        area = float(np.dot(self.widths[p].astype(np.int64), self.heights[p]))
        return area * min(t.cost / (t.rows * t.cols) for t in self.types)

    def __repr__(self) -> str:
        return (f"BankPacking({len(self.array)} rectangles on {self.arrays_used} arrays "
                f"{self.arrays_of_type()} of types "
                f"{[f'{t.rows}x{t.cols}' for t in self.types]}, cost {self.cost:g})")


def bank_types(bank) -> tuple:
    """The bank as ArrayTypes: entries ``(rows, cols, count[, cost])`` or dicts with
    ``array=(rows, cols)``, ``count``, ``cost``."""
    out = []
    for k, e in enumerate(bank):
        if isinstance(e, ArrayType):
            out.append(e)
            continue
        if isinstance(e, dict):
            (rows, cols), count, cost = e["array"], e.get("count"), e.get("cost")
        else:
            rows, cols, count, *rest = e
            cost = rest[0] if rest else None
        rows = _validate.positive_int(f"bank[{k}] rows", rows, high=_validate.MAX_SIDE)
        cols = _validate.positive_int(f"bank[{k}] cols", cols, high=_validate.MAX_SIDE)
        count = None if count is None else _validate.positive_int(f"bank[{k}] count", count)
        cost = float(rows * cols if cost is None else cost)
        if not math.isfinite(cost) or cost <= 0:
            raise ValueError(f"bank[{k}] cost must be a finite number > 0, got {cost}")
        out.append(ArrayType(rows, cols, count, cost))
    if not out:
        raise ValueError("bank is empty: give at least one array type")
    return tuple(out)


def _orders(types):
    idx = range(len(types))
    if len(types) <= MAX_PERMUTED:
        return list(itertools.permutations(idx))
    return [tuple(sorted(idx, key=lambda t: types[t].cost / (types[t].rows * types[t].cols)))]


def _in_order(w, h, types, order, options):
    """Placements packing type after type in ``order`` (see the module doc)."""
    n = w.size
    array = np.full(n, -1, np.int32)
    x, y = np.full(n, -1, np.int32), np.full(n, -1, np.int32)
    rot = np.zeros(n, bool)
    array_type, left = [], np.arange(n)
    for t in order:
        if not left.size:
            break
        T = types[t]
        p = pack(w[left], h[left], array=(T.rows, T.cols), max_arrays=T.count,
                 partial=True, **options)
        got = np.flatnonzero(p.placed)
        array[left[got]] = p.array[got] + len(array_type)
        x[left[got]], y[left[got]], rot[left[got]] = p.x[got], p.y[got], p.rotated[got]
        array_type += [t] * p.arrays_used
        left = left[~p.placed]
    return array, x, y, rot, np.array(array_type, dtype=np.int64)


def pack_bank(widths, heights, bank, *, partial: bool = False, **options) -> BankPacking:
    """Pack rectangles into a bank of mixed array sizes (see the module doc). ``options``
    are :func:`marp.pack`'s (algorithm, bin_selection, order, rotation, seed,
    refine_seconds, refine_iterations, ...), applied to every type."""
    w, h = _validate.size_arrays(widths, heights)
    types = bank_types(bank)
    for k in ("max_arrays", "array", "exact_seconds", "gap", "border"):
        if k in options:
            raise TypeError(f"pack_bank() takes no {k}= (the bank sets the arrays)")
    best = None
    for order in _orders(types):
        got = _in_order(w, h, types, order, options)
        placed = int((got[0] >= 0).sum())
        cost = float(sum(types[t].cost for t in got[4]))
        key = (-placed, cost, got[4].size)
        if best is None or key < best[0]:
            best = (key, got)
    array, x, y, rot, array_type = best[1]
    if not partial and (array < 0).any():
        i = int(np.flatnonzero(array < 0)[0])
        raise ValueError(f"rectangle {i} (w={w[i]}, h={h[i]}) finds no room in the bank "
                         f"(no type fits it, or the counts are used up); pass "
                         f"partial=True to report such rectangles as unplaced")
    return BankPacking(array, x, y, rot, array_type, types, w, h)


def verify_bank(p: BankPacking, widths, heights) -> None:
    """Check a bank packing type by type with :func:`marp.verify` (inside each array of
    its own size, no overlap), and that no type holds more arrays than its count."""
    w, h = _validate.size_arrays(widths, heights)
    for t, T in enumerate(p.types):
        mine = np.flatnonzero(p.array_type == t)
        if T.count is not None and mine.size > T.count:
            raise ValueError(f"type {t} ({T.rows}x{T.cols}) holds {mine.size} arrays, "
                             f"more than its count {T.count}")
        local = np.full(p.array_type.size, -1, np.int64)
        local[mine] = np.arange(mine.size)
        items = np.flatnonzero(p.placed & np.isin(p.array, mine))
        sub = Packing(local[p.array[items]], p.x[items], p.y[items], p.rotated[items],
                      w[items], h[items], T.cols, T.rows, mine.size)
        verify(sub, w[items], h[items], array=(T.rows, T.cols))
