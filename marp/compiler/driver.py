"""The main job: map one or many ONNX models onto an accelerator.

``compile(models, arch, **options)`` ingests every model, lowers its weight layers to
blocks at the accelerator's precision, packs the blocks of all models together (models
share arrays), runs the searches the options ask for, verifies the packing and costs it,
with the one-to-one baseline beside it. Every option travels in one
:class:`~marp.compiler.options.CompileOptions`; the path of a call is drawn in
docs/architecture.md.
"""
from __future__ import annotations

import dataclasses
import functools
import os

import numpy as np

from marp._validate import positive_int
from marp.compiler import capacity, model_cache, precision, replication
from marp.compiler.mapping import Mapping, per_model
from marp.compiler.options import CompileOptions, example_models  # noqa: F401 (public)
from marp.compiler.search import (InfeasibleError, fewest_arrays, spread_layer_tiles,
                                  spreading_sequence)
from marp.costmodel.accounting import block_costs, cost, one_to_one
from marp.packing.depth import assign_slots
from marp.packing.packer import pack
from marp.packing.verifier import verify
from marp.workload.layers import Workload
from marp.workload.lowering import Blocks, lower
from marp.workload.onnx_loader import load_onnx

_FIELDS = tuple(f.name for f in dataclasses.fields(CompileOptions))


def load_all(models, jobs: int = 1, input_shapes=None, batch: int = 1,
             cache: bool = False) -> tuple:
    """Workloads of every model (paths, ModelProtos or Workloads), loaded in ``jobs``
    processes when there are several paths; ``input_shapes`` and ``batch`` as in
    :func:`marp.load_onnx`, for the models read here (each takes the input names it has;
    a name that no model has is an error). ``cache``: model files are read through
    :mod:`marp.compiler.model_cache` (a repeated run does not parse them again)."""
    jobs = positive_int("jobs", jobs)
    given = [m for m in models if isinstance(m, Workload)]
    if given and (input_shapes or batch != 1):
        raise ValueError(f"input_shapes and batch apply to models read from ONNX; "
                         f"{given[0].name!r} was given as a Workload (load it with them)")
    load = functools.partial(_as_workload, input_shapes=input_shapes, batch=batch,
                             cache=cache)
    paths = [m for m in models if not isinstance(m, Workload)]
    if jobs == 1 or len(paths) < 2 or len(paths) != len(models):
        out = tuple(load(m) for m in models)
    else:
        # imported here on purpose: multiprocessing adds ~20 ms to "import marp"
        from concurrent.futures import ProcessPoolExecutor
        with ProcessPoolExecutor(min(jobs, len(models))) as pool:
            out = tuple(pool.map(load, [os.fspath(m) if isinstance(m, os.PathLike)
                                        else m for m in models]))
    if batch != 1 and all(w.batch != batch for w in out):
        raise ValueError(f"batch={batch} changes nothing: no model has an input with a "
                         f"symbolic leading dimension")
    unused = sorted(set(input_shapes or {}) - {k for w in out for k in w.inputs})
    if unused:
        raise ValueError(f"input_shapes names {unused}, which no model has as an input "
                         f"(inputs: {sorted({k for w in out for k in w.inputs})})")
    return out


def _as_workload(model, input_shapes=None, batch: int = 1, cache: bool = False) -> Workload:
    if isinstance(model, Workload):
        return model
    read = functools.partial(load_onnx, batch=batch, input_shapes=input_shapes,
                             strict_inputs=False)
    if cache and isinstance(model, (str, os.PathLike)):
        return model_cache.load(model, batch, input_shapes, read)
    return read(model)


def _quiet(stage, done, total):
    pass


def _lower_all(workloads, arch, opts: CompileOptions):
    """(blocks of every model in turn, the combined workload, the model of each layer),
    each layer at the precision the options give it (:mod:`marp.compiler.precision`)."""
    a = arch.aimc
    offsets = np.cumsum([0] + [len(w) for w in workloads])
    combined, layer_model = Workload.combine(workloads)
    weight, act, fixed = precision.resolve(combined.layers.name, arch, opts.precision)

    def lower_at(bits):
        parts = [lower(w, array=(a.array_rows, a.array_cols),
                       weight_bits=bits[offsets[k]:offsets[k + 1]], cell_bits=a.cell_bits,
                       differential=a.differential, depthwise=opts.depthwise,
                       c_job=opts.c_job, grouped=opts.grouped,
                       slice_layout=opts.slice_layout,
                       act_bits=None if act is None else act[offsets[k]:offsets[k + 1]])
                 for k, w in enumerate(workloads)]
        return Blocks.concat(parts, offsets[:-1])

    if opts.precision_budget is not None:
        weight = precision.fit_budget(lower_at, weight, fixed, arch, opts.precision_budget,
                                      opts.precision_bits, opts.packing)
    return lower_at(weight), combined, layer_model


def _place(blocks, arch, opts: CompileOptions, replicated: bool):
    """The packing the options ask for, before any latency search."""
    a = arch.aimc
    if opts.one_to_one:
        return one_to_one(blocks)
    placed = pack(blocks.width, blocks.height, array=(a.array_rows, a.array_cols),
                  algorithm=opts.packing, refine_seconds=opts.refine_seconds,
                  refine_iterations=opts.refine_iterations, seed=opts.seed,
                  exact_seconds=opts.exact_seconds)
    # copies of a layer must not share an array, or they serialise and replication buys
    # nothing (LRMP's model puts each copy on its own tiles)
    if opts.spread_layer_tiles or replicated:
        placed = spread_layer_tiles(blocks, placed)
    return placed


def _search(blocks, placed, combined, arch, opts: CompileOptions):
    """(packing, arch) after the latency search or objective, if the options ask."""
    latency_us, seq = opts.latency_us, None
    if arch.aimc.depth > 1 and (latency_us is not None or opts.objective == "latency"):
        raise ValueError(f"latency_us and objective='latency' search over parallel arrays; "
                         f"{arch.name!r} has aimc.depth {arch.aimc.depth} (slots of a "
                         f"macro serialise): use slot_policy='spread' instead")
    if opts.objective == "latency":
        seq = spreading_sequence(blocks, placed, combined, arch)
        latency_us = min(r.totals["latency_us"] for _, r in seq)
    if latency_us is None:
        return placed, arch
    placed, _ = fewest_arrays(blocks, placed, combined, arch, float(latency_us), sequence=seq)
    return placed, arch.with_values({"aimc.arrays": arch.aimc.macros_for(placed.arrays_used)})


def _compile_workloads(workloads, arch, opts: CompileOptions, step,
                       baseline: bool = True) -> Mapping:
    """Lower, replicate, pack, search, verify and cost loaded workloads on one arch."""
    prepared = prepare(workloads, arch, opts, step)
    return finish(prepared, arch, opts, step, baseline)


def prepare(workloads, arch, opts: CompileOptions, step=_quiet) -> tuple:
    """The part of a compile that the bank size does not change: lowering, replication
    and the whole-network packing (verified). Pass it to :func:`finish` with the arch
    (any bank size, the same arrays otherwise); sweeps prepare once per geometry."""
    step("lower", 1, 4)
    blocks, combined, layer_model = _lower_all(workloads, arch, opts)
    replicas = None
    if opts.replicate is not None:
        workloads, blocks, replicas = replication.replicate(
            workloads, blocks, combined, arch, opts.replicate, opts.replicate_arrays)
        combined, layer_model = Workload.combine(workloads)
    step("pack", 2, 4)
    a = arch.aimc
    placed = _place(blocks, arch, opts, replicated=replicas is not None)
    verify(placed, blocks.width, blocks.height, array=(a.array_rows, a.array_cols))
    # the last item: sub-packings the capacity search reuses across banks
    return workloads, blocks, combined, layer_model, replicas, placed, {}


def finish(prepared, arch, opts: CompileOptions, step=_quiet,
           baseline: bool = True) -> Mapping:
    """The searches, the fit to the bank and the cost of a :func:`prepare` result."""
    workloads, blocks, _, layer_model, replicas = prepared[:5]
    arch, placed, residency, report, slots = settle(prepared, arch, opts, step, baseline)
    step("done", 4, 4)
    return Mapping(workloads=workloads, arch=arch, blocks=blocks, layer_model=layer_model,
                   packing=placed, report=report,
                   models=per_model(workloads, layer_model, blocks, placed, report, arch),
                   options=opts, replicas=replicas, residency=residency, slots=slots)


def settle(prepared, arch, opts: CompileOptions, step=_quiet, baseline: bool = True):
    """(arch, packing, residency, CostReport, Slots or None) of a :func:`prepare`
    result: what :func:`finish` builds its Mapping from (sweeps need no more)."""
    workloads, blocks, combined, layer_model, replicas, placed, memo = prepared
    a = arch.aimc
    placed, arch = _search(blocks, placed, combined, arch, opts)
    order = capacity.execution_order(layer_model, arch.schedule.model_order)
    placed, residency, report = _fit_bank(blocks, placed, combined, order, arch, opts, memo)
    verify(placed, blocks.width, blocks.height, array=(a.array_rows, a.array_cols))
    step("cost", 3, 4)
    slots = _slots(blocks, placed, combined, arch, opts)
    if report is None or baseline or slots is not None:
        report = cost((blocks, placed), combined, arch, order=order,
                      pinned=residency.get("pinned"), baseline=baseline, slots=slots)
    return arch, placed, residency, report, slots


def _slots(blocks, placed, workload, arch, opts: CompileOptions):
    """The macro and slot of each image when the arrays have depth and every image fits
    (else the schedule places them): ``opts.slot_policy``, spreading by block time."""
    a = arch.aimc
    if a.depth == 1 or placed.arrays_used > a.slots:
        return None
    time = None                 # only "spread" weighs the blocks; cost() verifies the slots
    if opts.slot_policy == "spread":
        time = block_costs(blocks, arch)[0] * workload.layers.vectors[blocks.layer]
    return assign_slots(placed.arrays_used, a.depth, a.arrays, opts.slot_policy,
                        image=placed.array, layer=blocks.layer, time=time)


def _fit_bank(blocks, placed, combined, order, arch, opts: CompileOptions, memo=None):
    """(packing, residency, report or None) for the bank: unchanged when everything fits;
    else packed by the capacity policy (``residency``: policy, pinned images, execution
    order); the "marp" policy's search has costed its pick already (no baseline)."""
    bank = arch.aimc.slots
    if placed.arrays_used <= bank:
        return placed, {}, None
    policy = opts.capacity
    if opts.one_to_one or opts.replicate is not None or opts.spread_layer_tiles:
        policy = "packed"            # keep the placement those options asked for
    residency, report = {"policy": policy, "order": order.tolist()}, None
    if policy == "layerwise":
        placed, residency["pinned"] = capacity.layerwise(blocks, order, arch.aimc.shape,
                                                         opts.packing)
    elif policy == "marp":
        # the constructive packing (area-desc first-fit) gives the pinned part for free
        whole = placed if placed.order == "area-desc" and placed.bin_selection == \
            "first-fit" and not placed.refine_iterations and not placed.rotated.any() \
            and placed.arrays_before_refine == placed.arrays_used else None
        placed, residency["pinned"], residency["rotating"], report = capacity.best_phases(
            blocks, combined, arch, order, opts.packing, whole, memo)
    else:
        residency["pinned"] = None
    return placed, residency, report


def _best_geometry(workloads, arch, opts: CompileOptions, step, baseline) -> Mapping:
    """The compile on each geometry (every option applied); the fewest arrays win, then
    the highest utilisation. The result records the whole options, geometries included."""
    best, reasons = None, []
    for rows, cols in opts.geometries:
        g = arch.with_values(arch.geometry_values(rows, cols))
        try:
            m = _compile_workloads(workloads, g, opts, step, baseline)
        except InfeasibleError as exc:
            reasons.append(f"{rows}x{cols}: {exc}")
            continue
        key = (m.report.totals["arrays_used"], -m.report.totals["utilization"])
        if best is None or key < best[0]:
            best = (key, m)
    if best is None:
        raise InfeasibleError("infeasible on every geometry: " + "; ".join(reasons))
    return best[1]
