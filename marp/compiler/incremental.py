"""Map new models into a chip that already holds others: every existing block stays where
it is, the new blocks go into free space first (the existing placements are occupied
regions of :func:`marp.pack`) and into new arrays after.

``compile_into(new_models, into=mapping, remove=[names])`` returns the new Mapping; the
models named in ``remove`` give their space back. When a removed model leaves an array
empty and no new block fills it, the arrays after it are renumbered (their images move,
which :func:`marp.compiler.diff.diff` counts as writes). The options are the old
mapping's (its geometry, precision, policies); the new mapping keeps its placement when
the bank is too small for it (capacity ``"packed"``). :func:`update_report` compares the
update with a full recompile of the same models (arrays, cells written, latency,
energy).
"""
from __future__ import annotations

import numpy as np

from marp.compiler.diff import diff
from marp.compiler.driver import _compile_workloads, _lower_all, finish, load_all
from marp.packing.packer import Packing, pack
from marp.packing.registry import ALGORITHMS
from marp._kernels import engine


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


def compile_into(models, into, *, remove=()) -> "object":
    """The mapping of ``into``'s models (less ``remove``) plus ``models`` (module doc)."""
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
    return finish(prepared, arch, fixed, baseline=True)


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

