"""Map new models into a chip that already holds others: every existing block stays where
it is, the new blocks go into free space first (the existing placements are occupied
regions of :func:`marp.pack`) and into new arrays after.

``compile_into(new_models, into=mapping, remove=[names])`` returns the new Mapping; the
models named in ``remove`` give their space back. When a removed model leaves an array
empty and no new block fills it, the arrays after it are renumbered (their images move,
which :func:`marp.compiler.diff.diff` counts as writes). The options are the old
mapping's (its geometry, precision, policies); the new mapping keeps its placement when
the bank is too small for it (capacity ``"packed"``). With ``relocate_budget`` cells,
blocks of the least-filled arrays may move into the others' free space when that saves
arrays (:func:`relocate`: the candidate with the most arrays saved per cell rewritten
within the budget). :func:`update_report` compares the update with a full recompile of
the same models (arrays, cells written, latency, energy).
"""
from __future__ import annotations

import numpy as np

from marp.compiler.diff import diff
from marp.compiler.driver import _compile_workloads, _lower_all, finish, load_all
from marp.packing.packer import Packing, pack
from marp.packing.registry import ALGORITHMS
from marp._kernels import engine
from marp.workload.layers import Workload


def _kept(into, remove):
    names = [w.name for w in into.workloads]
    unknown = sorted(set(remove) - set(names))
    if unknown:
        raise ValueError(f"remove names models {unknown} that the mapping does not hold "
                         f"(it holds {names})")
    return [k for k, n in enumerate(names) if n not in set(remove)]


def _check_options(opts):
    clash = [n for n, on in (("one_to_one", opts.one_to_one),
                             ("replicate", opts.replicate is not None),
                             ("spread_layer_tiles", opts.spread_layer_tiles),
                             ("precision_budget", opts.precision_budget is not None)) if on]
    if clash:
        raise ValueError(f"into= a mapping compiled with {', '.join(clash)} is not "
                         f"supported: its placement follows rules a new model would break")


def compile_into(models, into, *, remove=(), relocate_budget: int = 0) -> "object":
    """The mapping of ``into``'s models (less ``remove``) plus ``models`` (module doc).
    ``relocate_budget``: cells of existing blocks that may be rewritten to save arrays
    (:func:`relocate`; 0: nothing moves)."""
    opts = into.options
    _check_options(opts)
    keep = _kept(into, remove)
    kept = [into.workloads[k] for k in keep]
    new = list(load_all(models if isinstance(models, (list, tuple)) else [models],
                        opts.jobs, opts.input_shapes, opts.batch, opts.cache))
    if not new and not kept:
        raise ValueError("nothing to map: no new models and every model removed")
    arch = into.arch
    fixed = opts.replace(capacity="packed", latency_us=None, objective="arrays",
                         geometries=None, refine_seconds=None, refine_iterations=None,
                         exact_seconds=None)
    blocks, combined, layer_model = _lower_all(kept + new, arch, fixed)
    old_sel = np.isin(into.layer_model[into.blocks.layer], keep)
    n_old = int(old_sel.sum())
    where = np.zeros((3, len(blocks)), dtype=np.int64)
    where[:, :n_old] = [into.packing.array[old_sel], into.packing.x[old_sel],
                        into.packing.y[old_sel]]
    algo = opts.packing if ALGORITHMS.get(opts.packing).family == engine.MAXRECTS \
        else "maxrects-bssf"
    packing = _pack_around(blocks, *where, np.arange(len(blocks)) >= n_old, arch.aimc.shape,
                           algo, opts.seed)
    prepared = (tuple(kept + new), blocks, combined, layer_model, None, packing, {})
    result = finish(prepared, arch, fixed, baseline=True)
    if relocate_budget:
        result = relocate(result, int(relocate_budget))[0]
    return result


def _pack_around(blocks, array, x, y, free, shape, algorithm, seed=0) -> Packing:
    """The blocks marked ``free`` packed around the others, which stay at ``array``,
    ``x``, ``y`` (occupied regions); arrays renumbered so that none is left empty."""
    stay = ~free
    occupied = np.stack([array[stay], x[stay], y[stay], blocks.width[stay],
                         blocks.height[stay]], axis=1)
    p = pack(blocks.width[free], blocks.height[free], array=shape, algorithm=algorithm,
             occupied=occupied if stay.any() else None, seed=seed)
    array, x, y = (np.array(v, dtype=np.int64) for v in (array, x, y))
    array[free], x[free], y[free] = p.array, p.x, p.y
    used, array = np.unique(array, return_inverse=True)
    return Packing(array.astype(np.int32), x, y, np.zeros(len(blocks), bool), blocks.width,
                   blocks.height, shape[1], shape[0], int(used.size), algorithm=algorithm,
                   bin_selection="first-fit", order="area-desc")


def update_report(old, updated, models_old=None) -> dict:
    """The update ``old`` -> ``updated`` against a full recompile of ``updated``'s models
    with ``old``'s options: arrays, cells written, latency (us), energy (uJ) of each."""
    full = _compile_workloads(updated.workloads, old.arch, old.options, lambda *a: None)
    out = {}
    for name, m in (("incremental", updated), ("full", full)):
        d = diff(old, m, old_models=models_old)
        t = m.report.totals
        out[name] = {"arrays": t["arrays_used"], "cells_written": d["cells_written"],
                     "arrays_written": d["arrays_changed"],
                     "write_energy_uj": d["write_energy_uj"],
                     "latency_us": t["latency_us"], "energy_uj": t["energy_uj"]}
    return out



def relocate(mapping, budget_cells: int):
    """Move blocks of the least-filled arrays into the free space of the others when that
    saves arrays: for k = 1, 2, ... least-filled arrays, their blocks are packed around
    the rest (occupied regions); among the candidates that save arrays and rewrite at most
    ``budget_cells`` cells (cells of moved blocks), the one with the most arrays saved per
    cell rewritten wins. Returns (mapping, cells rewritten); the mapping unchanged (and
    0) when no candidate qualifies."""
    b, p = mapping.blocks, mapping.packing
    a = mapping.arch.aimc
    area = b.height.astype(np.int64) * b.width
    fill = np.bincount(p.array, weights=area, minlength=p.arrays_used)
    order = np.argsort(fill, kind="stable")
    best = None
    for k in range(1, p.arrays_used):
        moved = np.isin(p.array, order[:k])
        cells = int(area[moved].sum())
        if cells > budget_cells:
            break
        q = _pack_around(b, p.array, p.x, p.y, moved, a.shape, "maxrects-bssf")
        saved = p.arrays_used - q.arrays_used
        if saved > 0 and (best is None or saved / cells > best[0]):
            best = (saved / cells, q, cells)
    if best is None:
        return mapping, 0
    _, packing, cells = best
    prepared = (mapping.workloads, b, Workload.combine(mapping.workloads)[0],
                mapping.layer_model, None, packing, {})
    return finish(prepared, mapping.arch, mapping.options, baseline=True), cells
