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
    placed = np.zeros((len(blocks), 3), dtype=np.int64)
    placed[:n_old] = np.stack([into.packing.array[old_sel], into.packing.x[old_sel],
                               into.packing.y[old_sel]], axis=1)
    rest = slice(n_old, len(blocks))
    occupied = np.stack([placed[:n_old, 0], placed[:n_old, 1], placed[:n_old, 2],
                         blocks.width[:n_old], blocks.height[:n_old]], axis=1)
    algo = opts.packing if ALGORITHMS.get(opts.packing).family == engine.MAXRECTS \
        else "maxrects-bssf"
    a = arch.aimc
    p = pack(blocks.width[rest], blocks.height[rest], array=(a.array_rows, a.array_cols),
             algorithm=algo, occupied=occupied if n_old else None, seed=opts.seed)
    placed[rest] = np.stack([p.array, p.x, p.y], axis=1)
    used, array = np.unique(placed[:, 0], return_inverse=True)    # no empty array left
    packing = Packing(array.astype(np.int32), placed[:, 1], placed[:, 2],
                      np.zeros(len(blocks), bool), blocks.width, blocks.height,
                      a.array_cols, a.array_rows, int(used.size), algorithm=algo,
                      bin_selection="first-fit", order="area-desc")
    workloads = tuple(kept + new)
    prepared = (workloads, blocks, combined, layer_model, None, packing, {})
    result = finish(prepared, arch, fixed, baseline=True)
    if relocate_budget:
        result = relocate(result, int(relocate_budget))[0]
    return result


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



def relocate(mapping, budget_cells: int, old=None):
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
        stay = ~moved
        occ = np.stack([p.array[stay], p.x[stay], p.y[stay], b.width[stay],
                        b.height[stay]], axis=1)
        q = pack(b.width[moved], b.height[moved], array=(a.array_rows, a.array_cols),
                 occupied=occ if stay.any() else None)
        arr, x, y = p.array.astype(np.int64), p.x.copy(), p.y.copy()
        arr[moved], x[moved], y[moved] = q.array, q.x, q.y
        used, arr = np.unique(arr, return_inverse=True)
        saved = p.arrays_used - int(used.size)
        if saved > 0 and (best is None or saved / cells > best[0]):
            best = (saved / cells, arr, x, y, int(used.size), cells)
    if best is None:
        return mapping, 0
    _, arr, x, y, used, cells = best
    packing = Packing(arr.astype(np.int32), x, y, np.zeros(len(b), bool), b.width, b.height,
                      a.array_cols, a.array_rows, used, algorithm=p.algorithm,
                      bin_selection=p.bin_selection, order=p.order)
    prepared = (mapping.workloads, b, Workload.combine(mapping.workloads)[0],
                mapping.layer_model, None, packing, {})
    return finish(prepared, mapping.arch, mapping.options, baseline=True), cells
