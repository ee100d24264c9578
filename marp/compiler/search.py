"""Mapping searches: the fewest arrays whose mapping meets a latency constraint.

Starting from the packed mapping (its arrays are the fewest the packer found), each step
of the spreading sequence moves one block of the slowest layer that is still serialised
with another block of that layer in its busiest array into a new array. A move never
makes a layer slower (it only removes serialisation), so latency does not increase along
the sequence, and the first step that meets the constraint has the fewest arrays of the
sequence; it is found by binary search. The bank is sized to the arrays used (no reload):
the question answered is how many arrays to build. The sequence ends when no layer has
serialised blocks left; if the constraint is still not met, the search reports the best
latency reachable and the arrays it takes.
"""
from __future__ import annotations

import numpy as np

from marp.costmodel.accounting import block_costs, cost
from marp.packing.packer import Packing, pack


class InfeasibleError(ValueError):
    """No mapping of the sequence meets the latency constraint."""


def _spread_step(blocks, packing, report, t_vec):
    """The packing after one spreading move, or None when nothing is serialised."""
    times = report.layers["time_ns"]
    array = packing.array
    for layer in np.argsort(-times, kind="stable"):
        mine = np.flatnonzero(blocks.layer == layer)
        if mine.size < 2:
            continue
        per_array = np.bincount(array[mine], weights=t_vec[mine])
        busiest = int(np.argmax(per_array))
        here = mine[array[mine] == busiest]
        if here.size < 2:
            continue
        move = here[np.argmax(t_vec[here])]
        new = array.copy()
        x, y = packing.x.copy(), packing.y.copy()
        new[move], x[move], y[move] = packing.arrays_used, 0, 0
        return Packing(new, x, y, packing.rotated, packing.widths, packing.heights,
                       packing.array_cols, packing.array_rows, packing.arrays_used + 1,
                       algorithm=packing.algorithm if packing.algorithm.endswith("+spread")
                       else f"{packing.algorithm}+spread")
    return None


def spreading_sequence(blocks, packing, workload, arch):
    """Every (packing, report) of the spreading sequence, from the packed mapping on."""
    t_vec = block_costs(blocks, arch)[0]
    seq = []
    while packing is not None:
        sized = arch.with_values({"aimc.arrays": arch.aimc.macros_for(packing.arrays_used)})
        report = cost((blocks, packing), workload, sized, baseline=False)
        seq.append((packing, report))
        packing = _spread_step(blocks, packing, report, t_vec)
    return seq


def fewest_arrays(blocks, packing, workload, arch, latency_us: float, sequence=None):
    """(packing, report) with the fewest arrays whose latency is at most latency_us.
    ``sequence``: the spreading sequence, when the caller has already built it."""
    seq = sequence or spreading_sequence(blocks, packing, workload, arch)
    lat = np.array([r.totals["latency_us"] for _, r in seq])
    ok = np.flatnonzero(lat <= latency_us)
    if not ok.size:
        best = int(np.argmin(lat))
        raise InfeasibleError(
            f"infeasible: latency_us={latency_us:g} cannot be met; best reachable is "
            f"{lat[best]:.4g} us with all {seq[best][0].arrays_used} arrays")
    # latency never increases along the sequence: binary search for the first feasible
    lo, hi = 0, len(seq) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if lat[mid] <= latency_us:
            hi = mid
        else:
            lo = mid + 1
    return seq[lo]


def spread_layer_tiles(blocks, packing, algorithms=("maxrects-bssf", "maxrects-baf",
                                                    "skyline-minwaste")):
    """A packing where no array holds two blocks of one layer (they run in parallel).

    Starting from ``packing``, every block that shares an array with another block of its
    layer (all but the largest) moves, largest first, into the lowest-numbered array that
    holds no block of its layer and still packs into one array with it (the array is
    repacked with ``algorithms`` in turn), else into a new array.
    """
    W, H = packing.array_cols, packing.array_rows
    members = [list(np.flatnonzero(packing.array == a)) for a in range(packing.arrays_used)]
    x, y = packing.x.copy(), packing.y.copy()
    area = blocks.height.astype(np.int64) * blocks.width
    moving = []
    for items in members:
        by_layer = {}
        for i in sorted(items, key=lambda i: -area[i]):
            by_layer.setdefault(int(blocks.layer[i]), []).append(i)
        for group in by_layer.values():
            moving.extend(group[1:])
    for i in moving:
        for items in members:
            if i in items:
                items.remove(i)
    for i in sorted(moving, key=lambda i: (-area[i], i)):
        layer = int(blocks.layer[i])
        for items in members:
            if any(int(blocks.layer[j]) == layer for j in items):
                continue
            trial = items + [i]
            for algo in algorithms:
                p = pack(blocks.width[trial], blocks.height[trial], array=(H, W), algorithm=algo,
                         max_arrays=1)
                if p.placed.all():
                    x[trial], y[trial] = p.x, p.y
                    items.append(i)
                    break
            else:
                continue
            break
        else:
            members.append([i])
            x[i], y[i] = 0, 0
    array = np.empty(len(blocks), dtype=np.int32)
    for a, items in enumerate(members):
        array[items] = a
    return Packing(array, x, y, packing.rotated, packing.widths, packing.heights, W, H,
                   len(members), algorithm=f"{packing.algorithm}+spread-layer-tiles")
