"""The main job: ``compile(models, arch, **options)`` maps one or many ONNX models onto an
accelerator, or (``into=``) adds models to a chip that already holds others.

It ingests every model, lowers its weight layers to blocks at the accelerator's
precision, packs the blocks of all models together (models share arrays), runs the
searches the options ask for, verifies the packing and costs it, with the one-to-one
baseline beside it (:mod:`marp.compiler.driver`); every option travels in one
:class:`~marp.compiler.options.CompileOptions`; the path of a call is drawn in
docs/architecture.md.
"""
from __future__ import annotations

import os

from marp.compiler.driver import (_FIELDS, _best_geometry, _compile_workloads, _quiet,
                                  load_all)
from marp.compiler.incremental import compile_into
from marp.compiler.mapping import Mapping
from marp.compiler.options import CompileOptions
from marp.hardware.arch import load_arch
from marp.workload.layers import Workload


def compile(models, arch="qracc", options: CompileOptions | None = None, *, progress=None,
            baseline: bool = True, into: Mapping | None = None, remove=(),
            relocate_budget: int = 0, **keywords) -> Mapping:
    """Compile one model or a list of models for ``arch``.

    Parameters
    ----------
    models : path, ModelProto, Workload, or a list of them
        Blocks of every model are packed together (models share arrays).
    arch : Arch, str or path
        An :class:`~marp.Arch`, a config path or a bundled name (``marp.available_archs()``).
    options : CompileOptions, optional
        Every option at once; the keywords below replace single fields of it.
    progress : callable, optional
        Called as ``progress(stage, done, total)`` at each stage (load, lower, pack, cost).
    baseline : bool
        Also cost the one-to-one baseline (``report.baseline``); sweeps turn it off.
    into : Mapping, optional
        A mapping the chip already holds: its blocks stay where they are and ``models``
        go into the free space first (:mod:`marp.compiler.incremental`); its arch and
        options apply (``arch``, ``options`` and keywords must be left out).
    remove : sequence of str
        With ``into``: models of it whose space is freed.
    relocate_budget : int
        With ``into``: cells of existing blocks that may be rewritten to save arrays.
    **keywords
        Any field of :class:`~marp.compiler.options.CompileOptions` (listed below).

    Returns
    -------
    Mapping
        Verified placements with the cost report and the one-to-one baseline.

    Raises
    ------
    ValueError
        An invalid option or combination of options (the message names it);
        ``InfeasibleError`` (a ValueError) when ``latency_us`` cannot be met, naming the
        best latency reachable.
    """
    if into is not None:
        if options is not None or keywords or arch != "qracc":
            raise ValueError("compile(..., into=mapping) keeps the mapping's arch and "
                             "options; leave arch, options and option keywords out")
        return compile_into(models, into, remove=remove, relocate_budget=relocate_budget)
    if remove or relocate_budget:
        raise ValueError("remove= and relocate_budget= need into=mapping")
    unknown = sorted(set(keywords) - set(_FIELDS))
    if unknown:
        raise TypeError(f"compile() got unknown options {unknown}; options: "
                        f"{', '.join(_FIELDS)}")
    opts = (options or CompileOptions()).replace(**keywords) if keywords else \
        (options or CompileOptions())
    arch = load_arch(arch)
    if isinstance(models, (str, os.PathLike, Workload)) or hasattr(models, "graph"):
        models = [models]
    step = progress or _quiet
    step("load", 0, 4)
    workloads = load_all(models, opts.jobs, opts.input_shapes, opts.batch, opts.cache)
    if not workloads:
        raise ValueError("models is empty: give at least one model")
    if opts.geometries:
        return _best_geometry(workloads, arch, opts, step, baseline)
    return _compile_workloads(workloads, arch, opts, step, baseline)


compile.__doc__ += "\n    Other Parameters\n    ----------------" + \
    CompileOptions.__doc__.split("----------", 1)[1]
