"""Packing when the blocks need more arrays than the bank has (capacity policies).

The cost model runs any packing on a small bank through a residency schedule
(:mod:`marp.costmodel.schedule`); how the blocks were packed decides how many cells are
rewritten per inference. Three policies, by name (:data:`CAPACITY`):

* ``"packed"``: the densest packing of the whole network, as when everything fits; its
  fullest ``bank - 1`` images are pinned and the rest rotate. Images mix layers from all
  over the network, so one image may be loaded several times per inference.
* ``"layerwise"``: every layer packed alone (no two layers share an image), nothing
  pinned; consecutive layers whose images fit the bank form a phase. This is the
  partitioning baseline of compilers for resource-constrained crossbars (COMPASS,
  arXiv 2501.06780).
* ``"marp"``: pin the densest packing of ``bank - R`` arrays (the most cells that can stay
  resident), then split the execution order of the remaining blocks into phases: a
  phase takes the longest run of next layers whose blocks pack together (across layers)
  into ``R`` arrays (the run the area bound allows is tried first, then bisected), so
  each rotating image is loaded once per inference; a layer that needs more than ``R`` arrays on its own gets its own images and
  runs in waves. Few rotating arrays pin the most cells (fewest written); many run the
  waves of large layers in parallel. ``R`` is chosen among 1, 2, 4, ..., ``bank`` for the
  lowest energy-delay product (ties: fewer cells written), each candidate costed; the
  doubling stops two candidates past the best so far (``bank`` itself is always tried).
"""
from __future__ import annotations

import numpy as np

from marp._registry import Choice, Registry
from marp.costmodel.accounting import cost
from marp.costmodel.schedule import order_positions
from marp.packing.packer import Packing, pack_trusted

CAPACITY = Registry("capacity", [
    Choice("marp", "pin the densest bank - 1 arrays, pack the rest phase by phase across "
                   "layers (fewest cells rewritten)"),
    Choice("packed", "the whole-network packing, its fullest bank - 1 images pinned"),
    Choice("layerwise", "every layer packed alone, phases of consecutive layers, nothing "
                        "pinned (COMPASS-style baseline)"),
])


def _assemble(blocks, groups, shape, algorithm):
    """One Packing from sub-packings: ``groups`` is a list of (block indices, (array, x,
    y, arrays used)); each sub-packing's arrays follow the previous ones."""
    n = len(blocks)
    array = np.full(n, -1, dtype=np.int64)
    x = np.zeros(n, dtype=np.int64)
    y = np.zeros(n, dtype=np.int64)
    if groups:
        used = np.array([g[1][3] for g in groups], dtype=np.int64)
        sizes = [len(g[0]) for g in groups]
        idx = np.concatenate([g[0] for g in groups])
        offset = np.repeat(np.cumsum(used) - used, sizes)
        array[idx] = np.concatenate([g[1][0] for g in groups]).astype(np.int64) + offset
        x[idx] = np.concatenate([g[1][1] for g in groups])
        y[idx] = np.concatenate([g[1][2] for g in groups])
    total = int(sum(g[1][3] for g in groups))
    return Packing(array, x, y, np.zeros(n, dtype=bool), blocks.width, blocks.height,
                   shape[1], shape[0], total, algorithm=algorithm)


def _sub(blocks, idx, shape, packing, max_arrays=-1, rank=None):
    """(array, x, y, arrays used) of the blocks ``idx`` packed alone, area-desc; with
    ``rank`` (every block's position in the area-desc order) the sort is a cheap one."""
    if rank is None:
        return pack_trusted(np.ascontiguousarray(blocks.width[idx]),
                            np.ascontiguousarray(blocks.height[idx]), shape, packing,
                            max_arrays)
    o = np.argsort(rank[idx], kind="stable")
    arr, x, y, used = pack_trusted(np.ascontiguousarray(blocks.width[idx[o]]),
                                   np.ascontiguousarray(blocks.height[idx[o]]), shape,
                                   packing, max_arrays, presorted=True)
    back = np.empty_like(o)
    back[o] = np.arange(o.size)
    return arr[back], x[back], y[back], used


def layerwise(blocks, order, shape, packing="maxrects-bssf"):
    """(Packing, pinned): every layer in its own images, in execution order; none pinned."""
    groups = []
    for layer in order:
        idx = np.flatnonzero(blocks.layer == layer)
        if idx.size:
            groups.append((idx, _sub(blocks, idx, shape, packing)))
    return _assemble(blocks, groups, shape, f"{packing}+layerwise"), ()


def phases(blocks, order, shape, bank: int, rotating: int, packing="maxrects-bssf",
           whole=None, memo=None):
    """(Packing, pinned images) of the ``"marp"`` policy (see the module doc). ``whole``:
    the whole-network area-desc first-fit packing with ``packing`` when the caller has it
    (first-fit fills each array before the next opens: its first k arrays are the packing
    limited to k arrays, so the pinned part is read off it). ``memo``: a dict shared by
    calls on the same blocks and array shape (any bank), to reuse sub-packings."""
    rotating = max(1, min(rotating, bank))
    area = blocks.height.astype(np.int64) * blocks.width
    groups, pinned_n = [], 0
    left = np.arange(len(blocks))
    if bank - rotating > 0:
        if whole is not None:
            k = bank - rotating
            keep = whole.array < k
            first = (np.where(keep, whole.array, -1), np.where(keep, whole.x, -1),
                     np.where(keep, whole.y, -1), min(k, whole.arrays_used))
        else:
            first = _sub(blocks, left, shape, packing, max_arrays=bank - rotating)
        held = np.flatnonzero(first[0] >= 0)
        if held.size:
            groups.append((held, (first[0][held], first[1][held], first[2][held], first[3])))
            pinned_n = first[3]
        left = np.flatnonzero(first[0] < 0)
    w64, h64 = blocks.width.astype(np.int64), blocks.height.astype(np.int64)
    rank = np.empty(len(blocks), dtype=np.int64)        # position in area-desc order
    rank[np.lexsort((-(h64 * (1 << 31) + w64), -area))] = np.arange(len(blocks))
    pos = order_positions(order, int(blocks.layer.max()) + 1 if len(blocks) else 0,
                          missing=len(order))
    left = left[np.argsort(pos[blocks.layer[left]], kind="stable")]
    cuts = np.flatnonzero(np.diff(pos[blocks.layer[left]])) + 1
    groups += _split_runs(blocks, left, cuts, area, shape, rotating, packing, rank,
                          {} if memo is None else memo)
    return _assemble(blocks, groups, shape, f"{packing}+phases"), tuple(range(pinned_n))


def _split_runs(blocks, left, cuts, area, shape, rotating, packing, rank, memo):
    """Groups of consecutive layers (``left``: the remaining blocks in execution order,
    ``cuts``: where each layer's start), each the longest run found that packs into
    ``rotating`` arrays (see the module doc); a layer that does not pack into them alone
    gets its own images. ``memo`` keeps the packings of runs of whole layers (they do not
    depend on the bank)."""
    if not left.size:
        return []
    capacity = rotating * shape[0] * shape[1]
    starts = np.r_[0, cuts]
    ends = np.r_[cuts, left.size]
    reach = np.cumsum(np.add.reduceat(area[left], starts))   # area of segments 0..i
    seg_layer = blocks.layer[left[starts]].tolist()
    whole = (ends - starts == np.bincount(blocks.layer)[seg_layer]).tolist()
    groups, i, n = [], 0, starts.size

    def packed(start, end, limit):
        """The run's packing; None when it needs more than ``limit`` arrays (-1: any)."""
        idx = left[starts[start]:ends[end - 1]]
        if all(whole[start:end]):
            # first-fit: a packing on at most ``limit`` arrays is the unlimited one
            key = (packing, *seg_layer[start:end])
            fit = memo.get(key)
            if fit is None:
                fit = memo[key] = _sub(blocks, idx, shape, packing, rank=rank)
            return (idx, fit) if limit < 0 or fit[3] <= limit else None
        fit = _sub(blocks, idx, shape, packing, limit, rank=rank)
        return (idx, fit) if (fit[0] >= 0).all() else None

    while i < n:
        # the area bound gives the longest run that may fit; it nearly always packs, so
        # it is tried first, then the run is halved (a trial packs the whole run)
        before = int(reach[i - 1]) if i else 0
        longest = int(np.searchsorted(reach, before + capacity, side="right"))
        best, lo, hi = None, i + 1, longest
        while lo <= hi:
            end = hi if best is None and hi == longest else (lo + hi) // 2
            got = packed(i, end, rotating)
            if got is not None:
                best, lo = (end, got), end + 1
            else:
                hi = end - 1
        if best is None:                     # alone in its own images, in waves
            groups.append(packed(i, i + 1, -1))
            i += 1
        else:
            groups.append(best[1])
            i = best[0]
    return groups


def best_phases(blocks, workload, arch, order, packing="maxrects-bssf", whole=None,
                memo=None):
    """(Packing, pinned, rotating arrays, its CostReport without baseline) of the
    ``"marp"`` policy with the ``R`` of the lowest energy-delay product (module doc).
    ``memo``: as for :func:`phases` (several banks of one geometry may share it)."""
    bank, best, worse = arch.aimc.slots, None, 0
    memo = {} if memo is None else memo
    candidates = sorted({min(bank, 1 << k) for k in range(bank.bit_length() + 1)})
    for rotating in candidates:
        if worse >= 2 and rotating != bank:     # past the minimum; bank itself is tried
            continue
        placed, pinned = phases(blocks, order, arch.aimc.shape, bank, rotating, packing,
                                whole, memo)
        report = cost((blocks, placed), workload, arch, baseline=False, order=order,
                      pinned=pinned)
        t = report.totals
        key = (t["energy_uj"] * t["latency_us"], t["cells_written_per_inference"], rotating)
        if best is None or key < best[0]:
            best, worse = (key, placed, pinned, rotating, report), 0
        else:
            worse += 1
    return best[1:]


def execution_order(layer_model: np.ndarray, how: str) -> np.ndarray:
    """The layers' execution order: each model's layers in turn (``"sequential"``), or one
    layer of each model in turn (``"interleaved"``)."""
    if how == "sequential":
        return np.arange(len(layer_model))
    rank = np.zeros(len(layer_model), dtype=np.int64)
    for m in np.unique(layer_model):
        mine = np.flatnonzero(layer_model == m)
        rank[mine] = np.arange(mine.size)
    return np.lexsort((layer_model, rank))
