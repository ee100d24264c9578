"""Exchanges between the arrays of big items and the rest, led by the rest's DFF bound.

An item wider and taller than half the array ("big") takes an array of its own; at
thousands of rectangles the arrays without a big item (the rest, R) are often as few as
their own lower bound allows, so no repack of R and no repack of a few arrays at a time
can remove one (uniform 20,000 rectangles on 256 x 256: R is 73 arrays, and its DFF
bound is 73). To gain, items must cross between R and the big items' arrays. The
best DFF pair (``marp/packing/dff.py``) weighs each item of R; a move puts an item u of
R into a big item's array q, taking out at most one other item e of q into R, when
e weighs less than u, q still packs (the one-array goal search, ``goal.pyx``) and the
DFF pairs over R's target fall. When every pair allows one array fewer (at once, or after
the exchanges), R's items, largest first, go into the gaps of the big items' arrays where
they fit (R's bound can only fall and its area does), and the caller refines R alone
(``refine.py``). Without rotation only: with it, bigs need not conflict.
"""
from __future__ import annotations

import numpy as np

from marp._kernels.goal import goal_pack
from marp.packing.dff import dff_rows

EXCHANGE_ROUNDS = 64        # exchanges at most (uniform 20,000 takes 10)
EXCHANGE_CHECKS = 400       # candidate exchanges checked in 2D per round, best gain first
EXCHANGE_EVALS = 300        # greedy packings of the goal search on one array
# DFF room below one array fewer that the exchanges seek: a rest with room packs more
# easily (uniform 20,000 at 10 s, before gaps were filled: 5,160 arrays in 3 of 6 seeds
# with 0.75, 0 of 6 with 0.5; with the gaps filled, 6 of 6 with 0.75 and with 0)
EXCHANGE_MARGIN = 0.75
# big items' arrays tried per item of R when filling gaps, least free area first. The
# gaps of uniform 20,000's big arrays took 32 of R's 295 items (3.6 arrays of area) in
# 0.13 s, after which R packed into one array fewer at once (before: after 0.2-14 s of
# local search, seeds 5000 and 0-5, one not in 15 s)
GAP_TRIES = 20
# greedy packings of the goal search per gap check: most checks fail, and 30 found the
# same moves as 300 at 20,000 rectangles (U, D, mix) in half the time (0.07-0.09 s)
GAP_EVALS = 30
EXCHANGE_DFF_KS = 6         # u^(k) of the DFF rows, k <= 6 (as in dff.py, with fewer)
_EPS = 1e-9                 # float sums of DFF weights err far less


def big_items(w, h, W: int, H: int) -> np.ndarray:
    """Items wider and taller than half the array (no two share an array)."""
    return (2 * w > W) & (2 * h > H)


class Weights:
    """DFF weights of every item under every pair of DFF rows (widths x heights), each
    row scaled so the array counts 1: a pair's sum over a set of items is that pair's
    bound on the arrays the set needs."""

    def __init__(self, w, h, W: int, H: int):
        xs, self.ix = np.unique(w, return_inverse=True)
        ys, self.iy = np.unique(h, return_inverse=True)
        U, cu = dff_rows(xs.astype(np.int64), W, EXCHANGE_DFF_KS)
        V, cv = dff_rows(ys.astype(np.int64), H, EXCHANGE_DFF_KS)
        self.U = U / cu[:, None]
        self.V = V / cv[:, None]
        self.shape = (xs.size, ys.size)

    def totals(self, items) -> np.ndarray:
        """(rows of U x rows of V) sums over the items."""
        counts = np.zeros(self.shape)
        np.add.at(counts, (self.ix[items], self.iy[items]), 1)
        return self.U @ counts @ self.V.T

    def delta(self, add, remove) -> np.ndarray:
        """Change of totals() when items ``add`` join and ``remove`` leave."""
        d = np.zeros((self.U.shape[0], self.V.shape[0]))
        for sign, items in ((1.0, add), (-1.0, remove)):
            for i in items:
                d += sign * np.outer(self.U[:, self.ix[i]], self.V[:, self.iy[i]])
        return d


def _score(totals, target):
    """(highest pair, its excess over target summed over pairs): lower is better."""
    return float(totals.max()), float(np.clip(totals - target, 0.0, None).sum())


class _Groups:
    """The big items' arrays (their items, free area, width of items taller than half
    and height of items wider than half: at most W and H) and the items of the rest."""

    def __init__(self, w, h, W, H, array, n_arrays):
        self.w, self.h, self.W, self.H = w, h, W, H
        self.area = w.astype(np.int64) * h
        big = big_items(w, h, W, H)
        has_big = np.zeros(n_arrays, dtype=bool)
        has_big[array[big]] = True
        self.big_arrays = np.flatnonzero(has_big)
        slot = np.full(n_arrays, -1, dtype=np.int64)            # array -> its row here
        slot[self.big_arrays] = np.arange(self.big_arrays.size)
        self.in_rest = ~has_big[array]
        self.at = np.where(self.in_rest, -1, slot[array])       # item -> row, or -1
        self.tall_w = np.where(2 * h > H, w, 0).astype(np.int64)
        self.wide_h = np.where(2 * w > W, h, 0).astype(np.int64)
        self.movable = ~big & ~self.in_rest
        k = self.big_arrays.size
        rows = self.at[~self.in_rest]
        self.free = np.full(k, W * H, dtype=np.int64)
        np.subtract.at(self.free, rows, self.area[~self.in_rest])
        self.cols = np.zeros(k, dtype=np.int64)
        np.add.at(self.cols, rows, self.tall_w[~self.in_rest])
        self.rows = np.zeros(k, dtype=np.int64)
        np.add.at(self.rows, rows, self.wide_h[~self.in_rest])
        # items of each big item's array, kept as they move (a scan of all items per
        # check cost most of the phase's 0.2 s at 20,000 rectangles)
        placed = np.flatnonzero(~self.in_rest)
        placed = placed[np.argsort(self.at[placed], kind="stable")]
        self._members = np.split(placed, np.cumsum(np.bincount(self.at[placed],
                                                               minlength=k))[:-1])

    def members(self, row):
        """Items of the array of ``row``, ascending."""
        return self._members[row]

    def room_without(self):
        """(e, row of e, free area, widths taller and heights wider than half of that
        array once e leaves) for every item that may leave a big item's array."""
        e = np.flatnonzero(self.movable)
        r = self.at[e]
        return (e, r, self.free[r] + self.area[e], self.cols[r] - self.tall_w[e],
                self.rows[r] - self.wide_h[e])

    def _room(self, u, free, cols, heights):
        """The 1D checks for u in arrays of free area ``free``, widths of items taller
        than half ``cols`` and heights of items wider than half ``heights``."""
        return (free >= self.area[u]) & (cols + self.tall_w[u] <= self.W) & \
            (heights + self.wide_h[u] <= self.H)

    def rooms(self, u):
        """Rows of the arrays with room for u as they are, by the 1D checks."""
        return np.flatnonzero(self._room(u, self.free, self.cols, self.rows))

    def candidates(self, u, gain_of, without):
        """(gain, row, e) of the exchanges that give u room by the 1D checks (rooms());
        e -1: none out. ``without``: room_without() of the current state."""
        rows = self.rooms(u)
        out = [(np.full(rows.size, gain_of[u]), rows, np.full(rows.size, -1))]
        e, r, free, cols, heights = without
        ok = self._room(u, free, cols, heights) & (gain_of[u] - gain_of[e] > _EPS)
        out.append((gain_of[u] - gain_of[e[ok]], r[ok], e[ok]))
        return [np.concatenate(parts) for parts in zip(*out)]

    def move(self, u, row, e):
        """u joins the array of ``row``; e (if not -1) leaves it for the rest."""
        for item, sign in ((u, 1), (e, -1)):
            if item < 0:
                continue
            self.free[row] -= sign * self.area[item]
            self.cols[row] += sign * self.tall_w[item]
            self.rows[row] += sign * self.wide_h[item]
        self.in_rest[u], self.at[u], self.movable[u] = False, row, True
        kept = self._members[row]
        self._members[row] = np.sort(np.append(kept[kept != e], u))
        if e >= 0:
            self.in_rest[e], self.at[e], self.movable[e] = True, -1, False


def _packs(g, items, seed, evals=EXCHANGE_EVALS):
    """Placements (x, y) of items in one array, found by the goal search (``evals``
    greedy packings), or None."""
    m = items.size
    w = np.ascontiguousarray(g.w[items], dtype=np.int32)
    h = np.ascontiguousarray(g.h[items], dtype=np.int32)
    order = np.argsort(-g.area[items], kind="stable").astype(np.int32)
    out = [np.empty(m, np.int32), np.empty(m, np.int32), np.empty(m, np.int32),
           np.zeros(m, np.int8)]
    cost, _ = goal_pack(w, h, g.W, g.H, False, 1, order, evals, -1.0, seed, *out)
    return (out[1], out[2]) if cost == 0 else None


def _round(g, weights, totals, target, seed, placed, expired):
    """One exchange that lowers R's score; returns the new totals, or None (also when
    ``expired()``)."""
    now = _score(totals, target)
    pair = np.unravel_index(int(np.argmax(totals)), totals.shape)
    gain_of = weights.U[pair[0], weights.ix] * weights.V[pair[1], weights.iy]
    rest = np.flatnonzero(g.in_rest)
    without = g.room_without()          # the same for every u of this round
    parts = [g.candidates(u, gain_of, without) + [np.full(1, u)]
             for u in rest if gain_of[u] > _EPS]
    if not parts:
        return None
    gain = np.concatenate([p[0] for p in parts])
    row = np.concatenate([p[1] for p in parts])
    e = np.concatenate([p[2] for p in parts])
    u = np.concatenate([np.full(p[0].size, p[3][0]) for p in parts])
    best = np.lexsort((e, row, u, -gain))[:EXCHANGE_CHECKS]
    for t, k in enumerate(best):
        if expired is not None and t % 32 == 31 and expired():
            return None
        cand = totals + weights.delta([e[k]] if e[k] >= 0 else [], [u[k]])
        if _score(cand, target) >= now:
            continue
        items = g.members(row[k])
        items = np.append(items[items != e[k]], u[k])
        xy = _packs(g, items, seed)
        if xy is None:
            continue
        _apply(g, int(u[k]), int(row[k]), int(e[k]), items, xy, placed)
        return cand
    return None


def _apply(g, u, row, e, items, xy, placed):
    """Make the move (u into row's array, e out) and record the array's new places."""
    g.move(u, row, e)
    placed.update({int(i): (int(a), int(b)) for i, a, b in zip(items, *xy)})
    if e >= 0:
        placed.pop(e, None)


def _fill_gaps(g, seed, placed, expired):
    """Items of R, largest first, each into the first of its GAP_TRIES big items' arrays
    with the least free area that still packs with it (the one-array goal search)."""
    rest = np.flatnonzero(g.in_rest)
    for t, u in enumerate(rest[np.argsort(-g.area[rest], kind="stable")]):
        if expired is not None and t % 32 == 31 and expired():
            return
        rows = g.rooms(u)
        for row in rows[np.argsort(g.free[rows], kind="stable")][:GAP_TRIES]:
            items = np.append(g.members(row), u)
            xy = _packs(g, items, seed, GAP_EVALS)
            if xy is not None:
                _apply(g, int(u), int(row), -1, items, xy, placed)
                break


def exchange(w, h, shape, array, n_arrays: int, *, seed: int = 0, expired=None,
             margin: float = EXCHANGE_MARGIN):
    """Move items between the big items' arrays and the rest so that the rest may lose
    an array: when the rest's DFF bound equals its count, exchanges until that bound
    allows one array fewer, and on while they lower it by up to ``margin`` arrays more
    (a rest with room is easier to pack); then items of the rest go into the gaps of
    the big items' arrays. Returns None when there is no rest or no big item, when the
    exchanges find no way, or when nothing moved; else (the number of big items'
    arrays, each item's new array among them (-1: in the rest), the new placements
    {item: (x, y)} of the items of the arrays that changed). ``shape`` is (rows, cols);
    ``expired()``, if given, stops it early."""
    H, W = shape
    g = _Groups(w, h, W, H, array, n_arrays)
    n_rest = n_arrays - g.big_arrays.size
    if g.big_arrays.size == 0 or n_rest == 0:
        return None
    weights = Weights(w, h, W, H)
    totals = weights.totals(np.flatnonzero(g.in_rest))
    placed = {}
    if totals.max() > n_rest - 1 + _EPS:
        target = n_rest - 1 - margin
        for _ in range(EXCHANGE_ROUNDS):
            if totals.max() <= target + _EPS or (expired is not None and expired()):
                break
            lower = _round(g, weights, totals, target, seed, placed, expired)
            if lower is None:
                break
            totals = lower
        if totals.max() > n_rest - 1 + _EPS:
            return None
    _fill_gaps(g, seed, placed, expired)
    if not placed:
        return None
    return g.big_arrays.size, g.at, placed
