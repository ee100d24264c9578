"""Lower bounds on the number of arrays for oriented 2D bin packing (no rotation).

* ``area``: ceil(total area / array area).
* ``width_band`` / ``height_band`` (Martello & Vigo 1998, L1): rectangles wider than half
  the array cannot stand side by side, so their heights form a 1D bin packing instance of
  capacity H; its Martello-Toth L2 bound, with the cardinality term of MV's L1, bounds the
  arrays. Symmetric for rectangles taller than half the array.
* ``big_items``: rectangles wider and taller than half the array pairwise conflict (a
  clique), extended greedily by one wide-low and one narrow-tall rectangle that conflict
  with all of them.
* ``large_small`` (MV's L2 argument): for thresholds p, q, the rectangles with w > W - q and
  h > H - p leave no room for any rectangle at least q wide and p tall that fits beside
  a half, so those must go, with the other big rectangles, into the remaining arrays.
* ``big_conflicts``: for thresholds a, b, the big rectangles at least a wide and b tall (C)
  pairwise conflict, and every other rectangle wider than W - a and taller than H - b (K)
  conflicts with each of them, so K needs arrays apart from C's: |C| plus the best of the
  bounds above on K alone (on the 500 classic instances it raises 19 bounds, 5 of them to
  the best known).
* ``dff``: the area bound after a dual feasible function on each axis (Fekete & Schepers;
  ``marp/packing/dff.py``): on the 500 classic instances 148 bounds rise above Martello
  & Vigo's, 127 of them to the best known.

With ``rotation=True`` only the area bound is valid and it is the one reported.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from marp import _validate
from marp.packing.dff import spread, dff_bound

MAX_THRESHOLDS = 512      # candidate p, q values per axis for large_small (any subset is valid)
# thresholds per axis for big_conflicts: each costs the other bounds on its K; 8 give the
# same 500-instance total as all of them (6,987) at a tenth of the time at 20,000 items
CONFLICT_THRESHOLDS = 8


@dataclass(frozen=True)
class LowerBounds:
    """Each bound by name, the best one (``value``), and the names that reach it."""

    area: int
    width_band: int
    height_band: int
    big_items: int
    large_small: int
    big_conflicts: int
    dff: int
    value: int
    tight: tuple[str, ...]

    def as_dict(self) -> dict:
        return {"area": self.area, "width_band": self.width_band,
                "height_band": self.height_band, "big_items": self.big_items,
                "large_small": self.large_small, "big_conflicts": self.big_conflicts,
                "dff": self.dff, "value": self.value,
                "tight": list(self.tight)}


def _ceil_div(a, b):
    return -(-a // b)


def one_d_bound(sizes, capacity: int) -> int:
    """Martello-Toth L2 for 1D bin packing, with MV's cardinality term.

    For each alpha (an item size <= capacity/2, or 1): items larger than capacity - alpha
    (N1) take a bin alone; items in (capacity/2, capacity - alpha] (N2) take a bin each,
    and items in [alpha, capacity/2] (N3) fill the rest of the N2 bins, then new bins,
    by volume and by count (each N3 item is at least alpha). All alphas at once.
    """
    s = np.sort(np.asarray(sizes, dtype=np.int64))
    if s.size == 0:
        return 0
    C = int(capacity)
    first_big = int(np.searchsorted(s, C // 2, side="right"))       # 2s > C from here
    n_big = s.size - first_big
    csum = np.concatenate([[0], np.cumsum(s)])
    # any subset of alphas gives a valid bound
    alphas = spread(np.unique(np.concatenate([[1], s[:first_big]])), MAX_THRESHOLDS)
    big_vals, big_counts = np.unique(s[first_big:], return_counts=True)
    best = n_big
    chunk = max(1, 4_000_000 // max(1, big_vals.size))
    for lo in range(0, alphas.size, chunk):
        a = alphas[lo:lo + chunk, None]
        in_n2 = big_vals[None, :] <= C - a                            # N2 among the big
        free2 = (in_n2 * big_counts * (C - big_vals)).sum(1)           # room left in N2 bins
        room = (in_n2 * big_counts * ((C - big_vals) // a)).sum(1)     # N3 items they hold
        a = a[:, 0]
        n3_start = np.searchsorted(s, a, side="left")
        sum3 = csum[first_big] - csum[n3_start]
        count3 = first_big - n3_start
        by_volume = _ceil_div(sum3 - free2, C)
        by_count = _ceil_div(count3 - room, C // a)
        extra = np.maximum(0, np.maximum(by_volume, by_count))
        best = max(best, int((n_big + extra).max()))
    return best


def _band_bound(across, along, cap_across, cap_along) -> int:
    """Bound from the items longer than half the array across: they stack along."""
    wide = 2 * across > cap_across
    return one_d_bound(along[wide], cap_along)


def _big_items_clique(w, h, W, H) -> int:
    big = (2 * w > W) & (2 * h > H)
    count = int(np.count_nonzero(big))
    if count == 0:
        return 0
    min_w, min_h = int(w[big].min()), int(h[big].min())
    wide = np.flatnonzero((2 * w > W) & (2 * h <= H) & (h + min_h > H))
    tall = np.flatnonzero((2 * h > H) & (2 * w <= W) & (w + min_w > W))
    a = wide[np.argmax(h[wide])] if wide.size else None
    b = tall[np.argmax(w[tall])] if tall.size else None
    if a is not None and b is not None and w[a] + w[b] > W and h[a] + h[b] > H:
        return count + 2
    return count + int(a is not None or b is not None)


def _thresholds(values, limit):
    return np.concatenate([spread(np.unique(values), MAX_THRESHOLDS), [limit // 2 + 1]])


def _suffix_table(ix, iy, weight, nx, ny):
    """S[i, j] = sum of weight over items with x-cell >= i and y-cell >= j (zero-padded)."""
    flat = np.bincount(ix * (ny + 1) + iy, weights=weight, minlength=(nx + 1) * (ny + 1))
    table = np.rint(flat).astype(np.int64).reshape(nx + 1, ny + 1)
    return table[::-1, ::-1].cumsum(0).cumsum(1)[::-1, ::-1]


def _large_small(w, h, W, H) -> int:
    """max over (p, q) of |I1| + ceil(area(big minus I1, plus I3) / (W H)), see module doc.
    Its area tables are summed in float64: past 2^53 cells in all they would round, so the
    bound is left out then (0 is always a valid bound)."""
    if _validate.area_sum(w, h) >= 2**53:
        return 0
    qs = _thresholds(w[2 * w <= W], W)
    ps = _thresholds(h[2 * h <= H], H)
    # every threshold used below is a cell edge: "w >= edge"
    xe = np.unique(np.concatenate([[1], qs, W - qs + 1, [W // 2 + 1]]))
    ye = np.unique(np.concatenate([[1], ps, H - ps + 1, [H // 2 + 1]]))
    ix = np.searchsorted(xe, w, side="right") - 1
    iy = np.searchsorted(ye, h, side="right") - 1
    area = w.astype(np.int64) * h
    cnt_ge = _suffix_table(ix, iy, np.ones_like(area), xe.size, ye.size)
    area_ge = _suffix_table(ix, iy, area, xe.size, ye.size)
    q = qs[:, None]
    p = ps[None, :]
    xi = lambda t: np.searchsorted(xe, t)      # edges are exact members of xe   # noqa: E731
    yi = lambda t: np.searchsorted(ye, t)      # noqa: E731
    half_x, half_y = xi(W // 2 + 1), yi(H // 2 + 1)
    # I1 must stay inside the big items: the sentinel q = W//2 + 1 would reach w = W/2
    i1_x = xi(np.maximum(W - q + 1, W // 2 + 1))
    i1_y = yi(np.maximum(H - p + 1, H // 2 + 1))
    n1 = cnt_ge[i1_x, i1_y]
    a1 = area_ge[i1_x, i1_y]
    a_big = area_ge[half_x, half_y]
    qx, py = xi(q), yi(p)
    a3 = area_ge[qx, py] - area_ge[half_x, py] - area_ge[qx, half_y] + area_ge[half_x, half_y]
    bound = n1 + _ceil_div(a_big - a1 + a3, W * H)
    return int(bound.max())


def _big_conflicts(w, h, W, H, floor: int) -> int:
    """max over thresholds (a, b) of |C| + (bound on K alone), see module doc. |C| + |K| is
    the count of items wider than W - a and taller than H - b (C is among them), which no
    bound on K can pass: thresholds are tried by that count, largest first, while it can
    pass ``floor`` and the best so far, so below ``floor`` the value may be less than the
    best threshold's."""
    big = (2 * w > W) & (2 * h > H)
    if not big.any():
        return 0
    bw, bh = w[big], h[big]
    # each threshold on one axis with the least the chosen big items reach on the other
    # any subset of thresholds gives a valid bound
    wa = spread(np.unique(bw), CONFLICT_THRESHOLDS)
    hb = spread(np.unique(bh), CONFLICT_THRESHOLDS)
    pairs = {(int(a), int(bh[bw >= a].min())) for a in wa}
    pairs |= {(int(bw[bh >= b].min()), int(b)) for b in hb}
    a, b = np.array(sorted(pairs), dtype=np.int64).T
    reach = _dominated_counts(w, h, W - a + 1, H - b + 1)
    best = int(bw.size)                   # C all big items, K left out
    for k in np.argsort(-reach, kind="stable"):
        if reach[k] <= max(best, floor):
            break
        in_c = big & (w >= a[k]) & (h >= b[k])
        apart = ~in_c & (w + a[k] > W) & (h + b[k] > H)
        rest = _named(w[apart], h[apart], W, H) if apart.any() else {}
        best = max(best, int(np.count_nonzero(in_c)) + max(rest.values(), default=0))
    return best


def _dominated_counts(w, h, min_w, min_h):
    """For each k, the number of items with w >= min_w[k] and h >= min_h[k]."""
    xe, ye = np.unique(min_w), np.unique(min_h)
    ix = np.searchsorted(xe, w, side="right") - 1
    iy = np.searchsorted(ye, h, side="right") - 1
    counted = (ix >= 0) & (iy >= 0)        # below every threshold: never counted
    table = _suffix_table(ix[counted], iy[counted], np.ones(int(counted.sum())),
                          xe.size, ye.size)
    return table[np.searchsorted(xe, min_w), np.searchsorted(ye, min_h)]


def _named(w64, h64, W, H) -> dict:
    """The bounds that look at the whole set at once, by name."""
    return {
        "area": _ceil_div(_validate.area_sum(w64, h64), W * H),
        "width_band": _band_bound(w64, h64, W, H),
        "height_band": _band_bound(h64, w64, H, W),
        "big_items": _big_items_clique(w64, h64, W, H),
        "large_small": _large_small(w64, h64, W, H),
    }


def lower_bounds(widths, heights, array_cols=None, array_rows=None, *, array=None,
                 rotation: bool = False) -> LowerBounds:
    """Every lower bound on the arrays needed, by name, and the best (see module doc).
    The array size is ``array=(rows, cols)`` (``array_cols, array_rows``: deprecated)."""
    w, h = _validate.size_arrays(widths, heights)
    H, W = _validate.array_size(array, array_cols, array_rows, "lower_bounds")
    w64, h64 = w.astype(np.int64), h.astype(np.int64)
    if rotation or w.size == 0:
        named = {"area": _ceil_div(_validate.area_sum(w, h), W * H), "width_band": 0,
                 "height_band": 0, "big_items": 0, "large_small": 0, "big_conflicts": 0,
                 "dff": 0}
    else:
        if np.any(w64 > W) or np.any(h64 > H):
            raise ValueError(f"a rectangle does not fit an empty {H}x{W} array (rows x cols): "
                             f"no packing exists to bound")
        named = _named(w64, h64, W, H)
        named["big_conflicts"] = _big_conflicts(w64, h64, W, H, max(named.values()))
        named["dff"] = dff_bound(w64, h64, W, H)
    value = max(named.values())
    tight = tuple(k for k, v in named.items() if v == value)
    return LowerBounds(value=value, tight=tight, **named)


def lower_bound(widths, heights, array_cols=None, array_rows=None, *, array=None,
                rotation: bool = False) -> int:
    """The best lower bound on the number of arrays (an int); see :func:`lower_bounds`."""
    if array is None:
        array = _validate.array_size(None, array_cols, array_rows, "lower_bound")
    return lower_bounds(widths, heights, array=array, rotation=rotation).value
