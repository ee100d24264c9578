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
  resident), then split the execution order of the remaining blocks into phases greedily:
  a phase takes the next layer while its blocks and the phase's still pack into ``R``
  arrays (packed together, across layers), so each rotating image is loaded once per
  inference. ``R`` is 1, or 2 with ``write_overlap`` (ping-pong); a layer that needs more
  than ``R`` arrays on its own gets its own images and runs in waves.
"""
from __future__ import annotations

import numpy as np

from marp._registry import Choice, Registry
from marp.packing.packer import Packing, pack

CAPACITY = Registry("capacity", [
    Choice("marp", "pin the densest bank - 1 arrays, pack the rest phase by phase across "
                   "layers (fewest cells rewritten)"),
    Choice("packed", "the whole-network packing, its fullest bank - 1 images pinned"),
    Choice("layerwise", "every layer packed alone, phases of consecutive layers, nothing "
                        "pinned (COMPASS-style baseline)"),
])


def _assemble(blocks, groups, shape, algorithm):
    """One Packing from sub-packings: ``groups`` is a list of (block indices, Packing);
    each sub-packing's arrays follow the previous ones."""
    n = len(blocks)
    array = np.full(n, -1, dtype=np.int64)
    x = np.zeros(n, dtype=np.int64)
    y = np.zeros(n, dtype=np.int64)
    offset = 0
    for idx, p in groups:
        array[idx] = p.array.astype(np.int64) + offset
        x[idx], y[idx] = p.x, p.y
        offset += p.arrays_used
    return Packing(array, x, y, np.zeros(n, dtype=bool), blocks.width, blocks.height,
                   shape[1], shape[0], offset, algorithm=algorithm)


def _sub(blocks, idx, shape, packing, max_arrays=None):
    return pack(blocks.width[idx], blocks.height[idx], array=shape, algorithm=packing,
                max_arrays=max_arrays, partial=max_arrays is not None)


def layerwise(blocks, order, shape, packing="maxrects-bssf"):
    """(Packing, pinned): every layer in its own images, in execution order; none pinned."""
    groups = []
    for layer in order:
        idx = np.flatnonzero(blocks.layer == layer)
        if idx.size:
            groups.append((idx, _sub(blocks, idx, shape, packing)))
    return _assemble(blocks, groups, shape, f"{packing}+layerwise"), ()


def phases(blocks, order, shape, bank: int, rotating: int, packing="maxrects-bssf"):
    """(Packing, pinned images) of the ``"marp"`` policy (see the module doc)."""
    rotating = max(1, min(rotating, bank))
    everything = np.arange(len(blocks))
    groups, pinned_n = [], 0
    if bank - rotating > 0:
        first = _sub(blocks, everything, shape, packing, max_arrays=bank - rotating)
        held = np.flatnonzero(first.placed)
        if held.size:
            groups.append((held, Packing(first.array[held], first.x[held], first.y[held],
                                         first.rotated[held], first.widths[held],
                                         first.heights[held], shape[1], shape[0],
                                         first.arrays_used)))
            pinned_n = first.arrays_used
        left = np.flatnonzero(~first.placed)
    else:
        left = everything
    by_layer = [left[blocks.layer[left] == layer] for layer in order]
    current = np.zeros(0, dtype=np.int64)
    for idx in [b for b in by_layer if b.size]:
        trial = np.concatenate([current, idx])
        fit = _sub(blocks, trial, shape, packing, max_arrays=rotating)
        if fit.placed.all():
            current = trial
            continue
        if current.size:
            groups.append((current, _sub(blocks, current, shape, packing)))
        current = idx
    if current.size:
        groups.append((current, _sub(blocks, current, shape, packing)))
    return _assemble(blocks, groups, shape, f"{packing}+phases"), tuple(range(pinned_n))


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
