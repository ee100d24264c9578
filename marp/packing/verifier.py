"""The packing verifier: an independent check that a packing is valid.

It shares no code with the packers (its overlap test is a sweep over x, in
``marp/_kernels/verify.pyx``), so it can also judge packings made by other tools; build
those with :meth:`marp.Packing.from_placements`.
"""
from __future__ import annotations

import numpy as np

from marp import _validate
from marp._kernels.verify import first_overlap
from marp.packing.packer import Packing


class InvalidPackingError(ValueError):
    """A packing breaks a rule; ``kind`` says which and ``indices`` names the rectangles."""

    def __init__(self, message: str, kind: str, indices: tuple[int, ...]):
        super().__init__(message)
        self.kind = kind
        self.indices = indices


def _fail(kind: str, indices, message: str):
    raise InvalidPackingError(message, kind, tuple(int(i) for i in indices))


def _check_shape(p: Packing, n: int) -> None:
    for name in ("array", "x", "y", "rotated"):
        got = np.asarray(getattr(p, name)).shape
        if got != (n,):
            _fail("shape", (), f"packing.{name} has shape {got}, expected ({n},) "
                               f"like widths")


def _check_unplaced(p: Packing, array, x, y) -> None:
    bad = np.flatnonzero((array < 0) & ((array != -1) | (x != -1) | (y != -1)))
    if bad.size:
        i = bad[0]
        _fail("unplaced", (i,), f"rectangle {i} is unplaced but has array={array[i]}, "
                                f"x={x[i]}, y={y[i]} (expected -1, -1, -1)")


def _check_occupied(occ, array, x, y, pw, ph) -> None:
    """No placed rectangle overlaps a region that was taken before packing."""
    x64, y64 = x.astype(np.int64), y.astype(np.int64)
    for k, (a, ox, oy, ow, oh) in enumerate(occ.astype(np.int64).tolist()):
        hit = np.flatnonzero((array == a) & (x64 < ox + ow) & (ox < x64 + pw)
                             & (y64 < oy + oh) & (oy < y64 + ph))
        if hit.size:
            i = int(hit[0])
            _fail("occupied", (i,), f"rectangle {i} ({pw[i]}x{ph[i]} at x={x[i]}, "
                                    f"y={y[i]} in array {a}) overlaps occupied region {k} "
                                    f"({ow}x{oh} at x={ox}, y={oy})")


def _check_border(array, x, y, pw, ph, W, H, border) -> None:
    placed = array >= 0
    out = placed & ((x < border) | (y < border) | (x.astype(np.int64) + pw > W - border)
                    | (y.astype(np.int64) + ph > H - border))
    bad = np.flatnonzero(out)
    if bad.size:
        i = bad[0]
        _fail("border", (i,), f"rectangle {i} ({pw[i]}x{ph[i]} at x={x[i]}, y={y[i]} in "
                              f"array {array[i]}) is within border={border} of the edge")


def _check_bounds(p: Packing, array, x, y, pw, ph, W, H) -> None:
    placed = array >= 0
    out = placed & ((array >= p.arrays_used) | (x < 0) | (y < 0)
                    | (x.astype(np.int64) + pw > W) | (y.astype(np.int64) + ph > H))
    bad = np.flatnonzero(out)
    if bad.size:
        i = bad[0]
        _fail("out-of-bounds", (i,),
              f"rectangle {i} ({pw[i]}x{ph[i]} at x={x[i]}, y={y[i]} in array {array[i]}) "
              f"lies outside the {H}x{W} array (rows x cols) or past arrays_used={p.arrays_used}")
    # the first array number missing among the used ones (nothing allocated per array:
    # arrays_used may be any number a caller wrote)
    # arrays up to the last one an occupied region names exist (opened for the regions)
    held = array[placed] if p.occupied is None else \
        np.concatenate([array[placed], np.arange(int(p.occupied[:, 0].max()) + 1)])
    used = np.unique(held)
    gaps = np.flatnonzero(used != np.arange(used.size))
    empty = int(gaps[0]) if gaps.size else (used.size if used.size < p.arrays_used else -1)
    if empty >= 0:
        _fail("empty-array", (), f"array {empty} holds no rectangle but arrays_used="
                                 f"{p.arrays_used} counts it")


def verify(p: Packing, widths, heights, array_cols=None, array_rows=None, *,
           array=None, gap=None, border=None) -> None:
    """Check a packing: every rectangle placed or reported unplaced, inside its array
    (at least ``border`` cells from its edges), no two overlapping or closer than
    ``gap`` cells, and ``arrays_used`` equal to the arrays holding rectangles. ``gap``
    and ``border`` default to the packing's own (0 unless it was packed with them).

    Raises :class:`InvalidPackingError` (a ValueError) naming the offending rectangle
    (the lowest index) or, for overlaps, the first overlapping pair met by a sweep over
    the arrays in order; returns None when the packing is valid. The array size is
    ``array=(rows, cols)`` (``array_cols, array_rows`` are deprecated).
    """
    w, h = _validate.size_arrays(widths, heights)
    H, W = _validate.array_size(array, array_cols, array_rows, "verify")
    n = w.shape[0]
    _check_shape(p, n)
    array = np.ascontiguousarray(p.array, dtype=np.int32)
    x = np.ascontiguousarray(p.x, dtype=np.int32)
    y = np.ascontiguousarray(p.y, dtype=np.int32)
    rotated = np.asarray(p.rotated, dtype=bool)
    pw = np.ascontiguousarray(np.where(rotated, h, w), dtype=np.int32)
    ph = np.ascontiguousarray(np.where(rotated, w, h), dtype=np.int32)
    gap = p.gap if gap is None else _validate.positive_int("gap", gap, allow_zero=True)
    border = p.border if border is None else \
        _validate.positive_int("border", border, allow_zero=True)
    _check_unplaced(p, array, x, y)
    _check_bounds(p, array, x, y, pw, ph, W, H)
    if p.occupied is not None:
        _check_occupied(p.occupied, array, x, y, pw, ph)
    if p.may_turn is not None and (rotated & ~p.may_turn).any():
        i = int(np.flatnonzero(rotated & ~p.may_turn)[0])
        _fail("turned", (i,), f"rectangle {i} is turned but may not turn (rotation=False "
                              f"for it)")
    if border:
        _check_border(array, x, y, pw, ph, W, H, border)
    placed = np.flatnonzero(array >= 0)
    sweep = placed[np.lexsort((x[placed], array[placed]))].astype(np.int32)
    pair = np.zeros(2, dtype=np.int32)
    # a gap is an overlap of the rectangles grown by it (right and down)
    gw = np.ascontiguousarray(pw + gap, dtype=np.int32)
    gh = np.ascontiguousarray(ph + gap, dtype=np.int32)
    if first_overlap(sweep, array, x, y, gw, gh, pair):
        i, j = sorted(int(k) for k in pair)
        what = "overlap" if not gap else f"are closer than gap={gap} (or overlap)"
        _fail("overlap", (i, j),
              f"rectangles {i} and {j} {what} in array {array[i]}: {i} is {pw[i]}x{ph[i]} "
              f"at x={x[i]}, y={y[i]}; {j} is {pw[j]}x{ph[j]} at x={x[j]}, y={y[j]}")
