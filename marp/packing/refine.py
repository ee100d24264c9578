"""Refinement of a packing under a time or iteration budget (see ``marp.pack``).

1. Portfolio: the other constructive heuristics (algorithm x bin selection x order), each
   one iteration; the best packing is kept. Under a time budget the portfolio stops at
   PORTFOLIO_SHARE of it (at 20,000 rectangles all 40 heuristics take over 20 s; the
   first orders hold the best ones), leaving the rest to the local search.
2. Goal-driven search (``marp/_kernels/goal.pyx``), on sets of up to GOAL_MAX_ITEMS
   items, with GOAL_SHARE of the budget left (GOAL_SHARE_FEW when the best packing has
   at most GOAL_FEW_ARRAYS arrays): item orders packed greedily into one array
   fewer than the best, again from each success down to the lower bound (it finds the
   packings of classes whose arrays all change at once, e.g. wide items stacked in 1-D).
   Its greedy packings count as iterations. A search that has not found its packing
   after a fifth of its budget (at least GOAL_RESTART_S; GOAL_RESTART_EVALS greedy
   packings under an iteration budget) starts again from a fresh random stream, for
   twice as long each time.
3. Exchange phase (``marp/packing/exchange.py``), past GOAL_MAX_ITEMS items without
   rotation, with EXCHANGE_SHARE of the budget left: when the rest (the arrays without
   a big item, over half the array on both sides) is as few as its own DFF bound
   allows, items cross between it and the big items' arrays until that bound allows
   one array fewer; then the rest's items, largest first, fill the gaps of the big
   items' arrays; the rest is then refined alone (portfolio and local search), and the
   packing changes only when it loses an array.
4. Local search (``marp/_kernels/refine.pyx`` on ``repack.pyx``): bin elimination and
   ruin-and-recreate of a few arrays at a time, draining an item of the least-filled
   array into another, swapping it for a smaller item of an array without room for it
   (past COMPATIBLE_MIN_BINS arrays, both try only arrays that may take the item:
   ``may_hold`` in ``repack.pyx``),
   and on small sets a share of repacks by the tree search of ``tight.pyx`` (near-perfect
   arrays that greedy repacks miss), in ``workers`` independent streams seeded from
   ``seed`` and run in threads (the kernel releases the GIL). Streams are merged by
   (arrays, area of the least-filled array, stream number), so with an iteration budget
   the result depends only on the inputs and ``seed``, never on the machine or the
   thread timing (the tree search stops at a node count, never at a clock). With a time
   budget the result is the best found in time.

Packings are compared by arrays used, then by the area of the least-filled array (less is
better: the room it leaves is what later blocks and models can use). The refined packing
numbers its arrays by decreasing fill, so the least-filled array is the last one.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from marp._kernels import engine
from marp._kernels.goal import goal_pack
from marp._kernels.refine import refine_stream
from marp.packing.bounds import lower_bound as _lower_bound
from marp.packing.exchange import exchange
from marp.packing.registry import ALGORITHMS, BIN_SELECTIONS

PORTFOLIO_ORDERS = ("area-desc", "height-desc", "width-desc", "maxside-desc",
                    "perimeter-desc")
PORTFOLIO_BIN_SELECTIONS = ("first-fit", "best-fit")
PORTFOLIO_SHARE = 0.4
# the goal-driven search: its share of the budget left after the portfolio, and the
# largest sets it runs on (a greedy packing costs items x gaps: at 1,000 items a second
# buys a few hundred, too few to search)
GOAL_SHARE = 0.5
# on a few arrays the local search's moves are whole-instance greedy repacks, which the
# goal search does better: 2BP at 1 s, 8 instances above the best known x 8 seeds, share
# 0.5 / 0.8 / 0.95 -> 715 / 710 / 706 arrays (classes 4 and 6 gain, class 8 at 30 arrays
# loses), hence the share by array count
GOAL_FEW_ARRAYS = 4
GOAL_SHARE_FEW = 0.95
GOAL_MAX_ITEMS = 400
# its restarts: the first search of a target runs GOAL_FIRST_SHARE of the budget, at
# least GOAL_RESTART_S (GOAL_RESTART_EVALS greedy packings under an iteration budget),
# each next one twice as long, from a fresh random stream. A search finds its packing
# early or hardly ever. On every budget: 2BP at 10 s gave 7,229 arrays in 3 of 3 runs
# with restarts, 7,230 in 3 of 3 with one stream (restarts on short budgets only)
GOAL_FIRST_SHARE = 0.2
GOAL_RESTART_S = 0.1
GOAL_RESTART_EVALS = 5000
# past GOAL_MAX_ITEMS items, without rotation: the exchange phase (exchange.py) and the
# refinement of the arrays without a big item it leads to get EXCHANGE_SHARE of the budget
# left after the portfolio, the local search the rest. bench.scale's 5,000-20,000
# instances, seeds 5000/1/2, against the phase only when the rest is at its bound with
# 0.9: at 10 s 2 arrays fewer on D 5,000 per seed, 2 on mix 5,000 and 20,000 over the
# three, U 5,000 1 more on one seed; at 1 s 3 fewer on D 5,000, 1 on U 20,000, no loss.
# With 0.9 the rest's refinement held the local search back (U 5,000: 1,278-1,279)
EXCHANGE_SHARE = 0.4
# one 64-bit odd constant per stream: seeds of different streams never coincide
STREAM_STRIDE = 0x9E3779B97F4A7C15


def portfolio() -> list[tuple[str, str, str]]:
    """(algorithm, bin_selection, order) of every constructive heuristic tried first."""
    return [(a, b, o) for o in PORTFOLIO_ORDERS for a in ALGORITHMS.names()
            for b in PORTFOLIO_BIN_SELECTIONS]


def move_heuristics() -> np.ndarray:
    """Flat (family, rule, bin_selection) triples a local-search move picks from."""
    rows = [(ALGORITHMS.get(a).family, ALGORITHMS.get(a).rule, BIN_SELECTIONS.get(b).code)
            for a in ALGORITHMS.names() for b in PORTFOLIO_BIN_SELECTIONS]
    return np.ascontiguousarray(np.array(rows, dtype=np.int32).ravel())


def fill_by_array(array: np.ndarray, area: np.ndarray, n_arrays: int) -> np.ndarray:
    """Placed area per array."""
    placed = array >= 0
    return np.bincount(array[placed], weights=area[placed], minlength=n_arrays)


def score(array, area, n_arrays) -> tuple[int, float]:
    """(arrays, area of the least-filled array): lower is better."""
    if n_arrays == 0:
        return (0, 0.0)
    return (int(n_arrays), float(fill_by_array(array, area, n_arrays).min()))


class Budget:
    """Iterations and seconds left; None means no limit on that axis."""

    def __init__(self, seconds, iterations):
        self.deadline = None if seconds is None else time.perf_counter() + seconds
        self.iterations = iterations

    def exhausted(self) -> bool:
        if self.iterations is not None and self.iterations <= 0:
            return True
        return self.deadline is not None and time.perf_counter() >= self.deadline

    def spend(self, n: int = 1) -> None:
        if self.iterations is not None:
            self.iterations -= n

    def seconds_left(self) -> float:
        return -1.0 if self.deadline is None else max(0.0, self.deadline - time.perf_counter())


def _placement_arrays(n):
    """[array, x, y, rot] for a kernel to fill, one entry per item."""
    return [np.empty(n, np.int32), np.empty(n, np.int32), np.empty(n, np.int32),
            np.zeros(n, np.int8)]


def _run_portfolio(w, h, W, H, turning, orders, state, area, lower_bound, budget):
    left = budget.seconds_left()
    stop = None if left < 0 else time.perf_counter() + PORTFOLIO_SHARE * left
    for algo, binsel, order in portfolio():
        if budget.exhausted() or state["arrays"] <= lower_bound or \
                (stop is not None and time.perf_counter() >= stop):
            return
        budget.spend()
        out, used = _construct(w, h, W, H, orders[order], algo, binsel, turning,
                               budget.seconds_left())
        if used < 0:          # out of time in the middle of this packing
            return
        if score(out[0], area, used) < score(state["array"], area, state["arrays"]):
            state.update(array=out[0], x=out[1], y=out[2], rot=out[3], arrays=used)


def _construct(w, h, W, H, perm, algo, binsel, turning=(False, None), seconds=-1.0):
    """([array, x, y, rot], arrays used; < 0 when out of time) of one constructive
    packing of the items in order ``perm``."""
    rotation, turn = turning
    a = ALGORITHMS.get(algo)
    out = _placement_arrays(w.shape[0])
    used = engine.pack_ordered(w, h, perm, W, H, a.family, a.rule, rotation,
                               BIN_SELECTIONS.get(binsel).code, -1, *out, seconds, turn)
    return out, used


def _run_streams(w, h, W, H, turning, state, lower_bound, budget, seed, workers):
    rotation, turn = turning
    iters = budget.iterations
    shares = [-1] * workers if iters is None else \
        [iters // workers + (k < iters % workers) for k in range(workers)]
    seconds = budget.seconds_left()
    heur = move_heuristics()

    def stream(k):
        arr, x, y, rot = (state[f].copy() for f in ("array", "x", "y", "rot"))
        rng_seed = _stream_seed(seed, k)
        arrays, done = refine_stream(w, h, W, H, rotation, heur, arr, x, y, rot,
                                     state["arrays"], lower_bound, shares[k], seconds,
                                     rng_seed, turn)
        return arrays, done, arr, x, y, rot

    return _in_threads(stream, workers)


def _in_threads(stream, workers):
    """[stream(k) for k in range(workers)], run in threads (the kernels release the GIL)."""
    if workers == 1:
        return [stream(0)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(stream, range(workers)))


def _stream_seed(seed, k):
    return (seed * 1_000_003 + (k + 1) * STREAM_STRIDE) % (1 << 64)


def _restart_slices(seconds, evals):
    """(seconds, greedy packings) of the goal search's first search of a target, given
    its budget (None / -1: none on that axis; infinite there)."""
    if seconds is not None:
        return max(GOAL_RESTART_S, GOAL_FIRST_SHARE * seconds), float("inf")
    return float("inf"), max(GOAL_RESTART_EVALS, int(GOAL_FIRST_SHARE * evals))


def _run_goal(inst, state, lower_bound, budget, seed, workers):
    """The goal-driven search (goal.pyx) for a packing one array smaller than the best,
    again until the lower bound or its share of the budget is spent; ``workers`` streams,
    the lowest-numbered stream's packing taken when several find one. Returns the greedy
    packings done."""
    n = inst.w.shape[0]
    share = GOAL_SHARE_FEW if state["arrays"] <= GOAL_FEW_ARRAYS else GOAL_SHARE
    left = budget.seconds_left()
    deadline = None if left < 0 else time.perf_counter() + share * left
    evals = [-1] * workers if budget.iterations is None else \
        [int(share * budget.iterations) // workers] * workers
    orders = [inst.orders["area-desc"].astype(np.int32) for _ in range(workers)]
    first_s, first_evals = _restart_slices(None if deadline is None else share * left,
                                           max(evals))
    total = 0
    # the goal streams draw numbers apart from the local-search streams of the same seed
    rngs = [_stream_seed(seed, k) ^ 0x5851F42D4C957F2D for k in range(workers)]
    restart = 0
    while state["arrays"] > max(lower_bound, 1):
        target = state["arrays"] - 1
        seconds = -1.0 if deadline is None else deadline - time.perf_counter()
        if (deadline is not None and seconds <= 0) or all(e == 0 for e in evals):
            return total
        # restarts with doubling slices: a search finds its packing early or hardly ever
        seconds = seconds if seconds < 0 else min(seconds, first_s * 2 ** restart)
        cap = first_evals * 2 ** restart
        cap = -1 if cap == float("inf") else int(cap)

        def stream(k):
            out = _placement_arrays(n)
            rng = (rngs[k] + target + restart * STREAM_STRIDE) % (1 << 64)
            e = evals[k] if evals[k] < 0 or cap < 0 else min(evals[k], cap)
            cost, done = goal_pack(inst.w, inst.h, inst.W, inst.H, inst.rotation, target,
                                   orders[k], e, seconds, rng, *out, inst.may_turn)
            return cost, done, out

        found = None
        for k, (cost, done, out) in enumerate(_in_threads(stream, workers)):
            budget.spend(done)
            total += done
            evals[k] = max(0, evals[k] - done) if evals[k] >= 0 else -1
            if cost == 0 and found is None:
                found = out
        if found is None:
            restart += 1
            continue
        restart = 0
        state.update(array=found[0], x=found[1], y=found[2], rot=found[3],
                     arrays=int(found[0].max()) + 1)
    return total


@dataclass(frozen=True)
class Instance:
    """What the refinement packs: item sizes (contiguous int32), the array size, whether
    items may turn, and the item orders of the portfolio ({order name: permutation})."""

    w: np.ndarray
    h: np.ndarray
    W: int
    H: int
    rotation: bool
    orders: dict
    may_turn: np.ndarray | None = None     # int8 per item when rotation is per item


def refine_packing(inst: Instance, start, lower_bound, *, seconds, iterations, seed,
                   workers, phases=True):
    """Refine ``start`` (array, x, y, rot, arrays) of all items; returns the improved
    (array, x, y, rot, arrays) with arrays renumbered by decreasing fill, and the number
    of iterations done. ``phases=False`` leaves out the goal-driven search and the
    exchange phase (the portfolio and the local search only)."""
    w, h, W, H, rotation, orders = inst.w, inst.h, inst.W, inst.H, inst.rotation, inst.orders
    turn = inst.may_turn
    area = w.astype(np.int64) * h
    state = dict(start)
    budget = Budget(seconds, iterations)
    done = 0
    before = budget.iterations
    _run_portfolio(w, h, W, H, (rotation, turn), orders, state, area, lower_bound, budget)
    if before is not None:
        done += before - budget.iterations
    if phases and not budget.exhausted() and state["arrays"] > lower_bound and \
            w.shape[0] <= GOAL_MAX_ITEMS:
        done += _run_goal(inst, state, lower_bound, budget, seed, workers)
    if phases and not budget.exhausted() and state["arrays"] > lower_bound and \
            w.shape[0] > GOAL_MAX_ITEMS and not rotation:
        done += _run_exchange(inst, state, budget, seed, workers)
    if not budget.exhausted() and state["arrays"] > lower_bound:
        best = None
        for k, (arrays, its, arr, x, y, rot) in enumerate(
                _run_streams(w, h, W, H, (rotation, turn), state, lower_bound, budget, seed,
                             workers)):
            done += its
            key = score(arr, area, arrays) + (k,)
            if best is None or key < best[0]:
                best = (key, arr, x, y, rot, arrays)
        if best[0][:2] <= score(state["array"], area, state["arrays"]):
            state.update(array=best[1], x=best[2], y=best[3], rot=best[4], arrays=best[5])
    return _by_fill(state, area), done


def _sub_instance(inst: Instance, items):
    """The Instance of ``items`` (sorted indices), its orders those of inst restricted."""
    index = np.full(inst.w.shape[0], -1, dtype=np.int64)
    index[items] = np.arange(items.size)
    orders = {name: index[perm[index[perm] >= 0]].astype(perm.dtype)
              for name, perm in inst.orders.items()}
    return Instance(np.ascontiguousarray(inst.w[items]), np.ascontiguousarray(inst.h[items]),
                    inst.W, inst.H, inst.rotation, orders)


def _run_exchange(inst: Instance, state, budget, seed, workers):
    """Exchanges between the big items' arrays and the rest, and the rest's items into
    the big items' gaps (exchange.py), then the rest refined alone; the packing changes
    only when the rest loses an array. Returns the iterations done (the rest's
    refinement)."""
    left = budget.seconds_left()
    deadline = None if left < 0 else time.perf_counter() + EXCHANGE_SHARE * left
    found = exchange(inst.w, inst.h, (inst.H, inst.W), state["array"], state["arrays"],
                     seed=seed, expired=None if deadline is None else
                     lambda: time.perf_counter() >= deadline)
    if found is None:
        return 0
    n_big, at, placed = found
    rest = np.flatnonzero(at < 0)
    if rest.size == 0:                  # the gaps took every item of the rest
        none = np.empty(0, dtype=np.int32)
        _merge(state, n_big, at, placed, rest, dict(array=none, x=none, y=none, arrays=0))
        return 0
    sub = _sub_instance(inst, rest)
    goal = state["arrays"] - n_big - 1
    lb = _lower_bound(sub.w, sub.h, array=(inst.H, inst.W))
    if lb > goal:
        return 0
    out, used = _construct(sub.w, sub.h, inst.W, inst.H, sub.orders["area-desc"],
                           "maxrects-bssf", "first-fit")
    start = dict(array=out[0], x=out[1], y=out[2], rot=out[3], arrays=used)
    seconds = None if deadline is None else max(0.0, deadline - time.perf_counter())
    iterations = None if budget.iterations is None else \
        int(EXCHANGE_SHARE * budget.iterations)
    # no goal search: on the rest of uniform 20,000 before its gaps were filled it found
    # no packing in 6 seeds x 5 s, the local search 2 of 6; once they are, the portfolio
    # packs it at once. No exchange phase: the rest holds no big item
    best, done = refine_packing(sub, start, lb, seconds=seconds, iterations=iterations,
                                seed=seed, workers=workers, phases=False)
    budget.spend(done)
    if best["arrays"] > goal:
        return done
    _merge(state, n_big, at, placed, rest, best)
    return done


def _merge(state, n_big, at, placed, rest, best):
    """The big items' arrays (numbered first, with the exchanges' placements) and then
    the rest's refined packing."""
    array = at.astype(np.int32)
    x, y = state["x"].copy(), state["y"].copy()
    if placed:
        moved = np.fromiter(placed, dtype=np.int64, count=len(placed))
        xy = np.array(list(placed.values()), dtype=np.int32)
        x[moved], y[moved] = xy[:, 0], xy[:, 1]
    array[rest] = n_big + best["array"]
    x[rest], y[rest] = best["x"], best["y"]
    state.update(array=array, x=x, y=y, rot=np.zeros_like(state["rot"]),
                 arrays=n_big + best["arrays"])


def _by_fill(state, area):
    """Renumber arrays by decreasing fill (ties: old number), least filled last."""
    n = state["arrays"]
    fill = fill_by_array(state["array"], area, n)
    rank = np.empty(n, dtype=np.int32)
    rank[np.lexsort((np.arange(n), -fill))] = np.arange(n, dtype=np.int32)
    array = state["array"].copy()
    placed = array >= 0
    array[placed] = rank[array[placed]]
    return dict(state, array=array)
