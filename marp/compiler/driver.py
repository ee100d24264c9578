"""The main job: map one or many ONNX models onto an accelerator.

``compile(models, arch)`` ingests every model, lowers its weight layers to blocks at the
accelerator's precision, packs the blocks of all models together (models share arrays),
verifies the packing and costs it, with the one-to-one baseline beside it. The result is
a :class:`Mapping`, which round-trips exactly through JSON (``to_json`` / ``from_json``)
and draws itself as SVG.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from marp.io.files import write_atomic
from marp._version import __version__
from marp.hardware.arch import Arch, from_dict, load_arch
from marp.costmodel.accounting import CostReport, cost, digital_ops_cost
from marp.costmodel.accounting import one_to_one as one_to_one_packing
from marp.workload.lowering import Blocks, lower
from marp.packing.packer import Packing, pack
from marp.packing.verifier import verify
from marp.workload.layers import DigitalOp, Layers, SkippedOp, Workload

SCHEMA = "marp.mapping"
SCHEMA_VERSION = 1
EXAMPLES = {"mlperf-tiny": ("kws_dscnn_int8_qdq", "vww_mobilenetv1_025_96_int8_qdq",
                            "ic_resnet8_int8_qdq", "ad01_autoencoder_int8_qdq")}
BLOCK_FIELDS = ("layer", "job", "slice", "row_tile", "col_tile", "height", "width",
                "useful_cells")


def example_models(name: str) -> list[Path]:
    """Paths of a bundled example set (``"mlperf-tiny"``)."""
    if name not in EXAMPLES:
        raise ValueError(f"example={name!r} is not known; valid names: {', '.join(EXAMPLES)}")
    folder = Path(__file__).resolve().parents[1] / "data" / "mlperf_tiny"
    return [folder / f"{m}.onnx" for m in EXAMPLES[name]]


OBJECTIVES = ("arrays", "latency")


def _load_all(models, jobs) -> tuple:
    """Workloads of every model, loaded in ``jobs`` processes when there are several."""
    from marp._validate import positive_int

    jobs = positive_int("jobs", jobs)
    paths = [m for m in models if not isinstance(m, Workload)]
    if jobs == 1 or len(paths) < 2 or len(paths) != len(models):
        return tuple(_as_workload(m) for m in models)
    from concurrent.futures import ProcessPoolExecutor
    with ProcessPoolExecutor(min(jobs, len(models))) as pool:
        return tuple(pool.map(_as_workload, [os.fspath(m) if isinstance(m, os.PathLike)
                                              else m for m in models]))


def _as_workload(model) -> Workload:
    if isinstance(model, Workload):
        return model
    from marp.workload.onnx_loader import load_onnx
    return load_onnx(model)


def _combine(workloads):
    """One workload holding every model's layers in turn, and the model of each layer."""
    records, model_of_layer = [], []
    for m, w in enumerate(workloads):
        for rec in w.layers.records():
            rec.pop("index")
            records.append(rec)
            model_of_layer.append(m)
    combined = Workload(
        name="+".join(w.name for w in workloads), source="combined",
        layers=Layers.from_records(records),
        digital=tuple(d for w in workloads for d in w.digital),
        skipped=tuple(s for w in workloads for s in w.skipped))
    return combined, np.array(model_of_layer, dtype=np.int64)


def _concat_blocks(parts, offsets):
    first = parts[0]
    arrays = {f: np.concatenate([getattr(b, f) + (o if f == "layer" else 0)
                                 for b, o in zip(parts, offsets)]).astype(getattr(first, f).dtype)
              for f in BLOCK_FIELDS}
    return Blocks(**arrays, array_rows=first.array_rows, array_cols=first.array_cols,
                  layer_slices=np.concatenate([b.layer_slices for b in parts]),
                  digital_layers=np.concatenate([b.digital_layers + o
                                                 for b, o in zip(parts, offsets)]),
                  depthwise=first.depthwise, slice_layout=first.slice_layout)


@dataclass
class Mapping:
    """A compiled mapping: the models, their blocks, the placements and the cost report.

    ``blocks.layer`` indexes the layers of all models in turn; ``layer_model`` gives the
    model of each layer. ``models`` holds per-model totals.
    """

    workloads: tuple
    arch: Arch
    blocks: Blocks
    layer_model: np.ndarray
    packing: Packing
    report: CostReport
    models: list
    options: dict

    @property
    def summary(self) -> dict:
        """The headline numbers (the CLI's ``--json`` object)."""
        t, b = self.report.totals, self.report.baseline
        names = [w.name for w in self.workloads]
        layers = self.report.to_dict()["layers"]
        for i, row in enumerate(layers):
            row["model"] = names[int(self.layer_model[i])]
        return {"arrays_used": t["arrays_used"],
                "arrays_one_to_one": b["arrays_used"] if b else len(self.blocks),
                "utilization": t["utilization"], "latency_us": t["latency_us"],
                "energy_uj": t["energy_uj"], "tops_per_w": t["tops_per_w"],
                "models": self.models, "layers": layers}

    def to_dict(self) -> dict:
        return {
            "schema": SCHEMA, "version": SCHEMA_VERSION, "marp": __version__,
            "arch": self.arch.as_dict(), "options": self.options,
            "workloads": [w.to_dict() for w in self.workloads],
            "layer_model": self.layer_model.tolist(),
            "blocks": {**{f: getattr(self.blocks, f).tolist() for f in BLOCK_FIELDS},
                       "array_rows": self.blocks.array_rows,
                       "array_cols": self.blocks.array_cols,
                       "layer_slices": self.blocks.layer_slices.tolist(),
                       "digital_layers": self.blocks.digital_layers.tolist(),
                       "depthwise": self.blocks.depthwise,
                       "slice_layout": self.blocks.slice_layout},
            "packing": {"array": self.packing.array.tolist(), "x": self.packing.x.tolist(),
                        "y": self.packing.y.tolist(),
                        "rotated": self.packing.rotated.tolist(),
                        "arrays_used": self.packing.arrays_used,
                        "arrays_before_refine": self.packing.arrays_before_refine,
                        "refine_iterations": self.packing.refine_iterations,
                        "algorithm": self.packing.algorithm,
                        "bin_selection": self.packing.bin_selection,
                        "order": self.packing.order},
            "report": self.report.to_dict(), "models": self.models,
        }

    def to_json(self, path=None) -> str:
        """The mapping as JSON text; written (atomically) to ``path`` when given."""
        text = json.dumps(self.to_dict(), indent=1, allow_nan=False) + "\n"
        if path is not None:
            write_atomic(os.fspath(path), text)
        return text

    @classmethod
    def from_json(cls, path_or_text) -> "Mapping":
        """Read a mapping written by :meth:`to_json` (a path, or the JSON text)."""
        text = str(path_or_text)
        if not text.lstrip().startswith("{"):
            text = Path(path_or_text).read_text(encoding="utf-8")
        doc = json.loads(text)
        if doc.get("schema") != SCHEMA or doc.get("version") != SCHEMA_VERSION:
            raise ValueError(f"not a marp mapping of schema version {SCHEMA_VERSION}: "
                             f"schema={doc.get('schema')!r}, version={doc.get('version')!r}")
        return _mapping_from_doc(doc)

    def to_svg(self) -> str:
        from marp.io.drawing import mapping_svg
        return mapping_svg(self)


def _workload_from_dict(d) -> Workload:
    recs = []
    for r in d["layers"]:
        r = {k: (tuple(v) if isinstance(v, list) else v) for k, v in r.items() if k != "index"}
        recs.append(r)
    digital = tuple(DigitalOp(**{**x, "input_shapes": tuple(tuple(s) for s in x["input_shapes"]),
                                 "output_shape": tuple(x["output_shape"])}) for x in d["digital"])
    return Workload(name=d["name"], source=d["source"], layers=Layers.from_records(recs),
                    digital=digital, skipped=tuple(SkippedOp(**s) for s in d["skipped"]),
                    inputs={k: tuple(v) for k, v in d["inputs"].items()}, batch=d["batch"])


def _mapping_from_doc(doc) -> Mapping:
    b = doc["blocks"]
    dtypes = {"useful_cells": np.int64}
    blocks = Blocks(**{f: np.array(b[f], dtype=dtypes.get(f, np.int32)) for f in BLOCK_FIELDS},
                    array_rows=b["array_rows"], array_cols=b["array_cols"],
                    layer_slices=np.array(b["layer_slices"], dtype=np.int64),
                    digital_layers=np.array(b["digital_layers"], dtype=np.int64),
                    depthwise=b["depthwise"], slice_layout=b["slice_layout"])
    p = doc["packing"]
    packing = Packing(p["array"], p["x"], p["y"], p["rotated"], blocks.width, blocks.height,
                      blocks.array_cols, blocks.array_rows, p["arrays_used"],
                      algorithm=p["algorithm"], bin_selection=p["bin_selection"],
                      order=p["order"], arrays_before_refine=p["arrays_before_refine"],
                      refine_iterations=p["refine_iterations"])
    rows = doc["report"]["layers"]
    layers = {k: np.array([r[k] for r in rows], dtype=object if isinstance(rows[0][k], str)
                          else None) for k in (rows[0] if rows else {})}
    report = CostReport(layers=layers, totals=doc["report"]["totals"],
                        baseline=doc["report"]["baseline"])
    return Mapping(workloads=tuple(_workload_from_dict(w) for w in doc["workloads"]),
                   arch=from_dict(doc["arch"], source="mapping.json"), blocks=blocks,
                   layer_model=np.array(doc["layer_model"], dtype=np.int64), packing=packing,
                   report=report, models=doc["models"], options=doc["options"])


def _per_model(workloads, layer_model, blocks, packing, report, arch) -> list[dict]:
    L = report.layers
    energy_keys = [k for k in L if k.startswith("e_") and k.endswith("_pj")]
    block_model = layer_model[blocks.layer]
    out = []
    for m, w in enumerate(workloads):
        mine = layer_model == m
        t_ops, e_ops = digital_ops_cost(arch, w)
        energy_pj = float(sum(L[k][mine].sum() for k in energy_keys)) + e_ops
        macs = int(w.layers.macs.sum()) + sum(op.macs for op in w.digital)
        latency_ns = float(L["time_ns"][mine].sum()) + t_ops
        sel = block_model == m
        out.append({"name": w.name, "layers": int(mine.sum()), "blocks": int(sel.sum()),
                    "arrays_touched": int(np.unique(packing.array[sel]).size),
                    "arrays_one_to_one": int(sel.sum()), "macs": macs,
                    "latency_us": latency_ns / 1e3, "energy_uj": energy_pj * 1e-6,
                    "tops_per_w": 2 * macs / energy_pj if energy_pj > 0 else 0.0})
    return out


def compile(models, arch="qracc", *, depthwise: str = "digital", c_job=None,
            packing: str = "maxrects-bssf", refine_seconds=None, refine_iterations=None,
            one_to_one: bool = False, latency_us=None, geometries=None,
            replicate=None, replicate_arrays=None, objective: str = "arrays",
            spread_layer_tiles: bool = False, jobs: int = 1, seed: int = 0,
            progress=None) -> Mapping:
    """Compile one model or a list of models (paths, ModelProtos or Workloads) for
    ``arch`` (an Arch, a config path or a bundled name). Blocks of every model are packed
    together; ``one_to_one=True`` gives the baseline mapping instead (every block alone).
    The packing is verified before it is costed.

    latency_us : find the fewest arrays whose mapping meets this sequential latency (see
        :mod:`marp.search`); the bank is sized to them. With ``geometries`` (a list of
        (rows, cols)), every geometry is tried and the one with the fewest arrays wins,
        then the highest utilisation. Raises InfeasibleError (a ValueError) naming the
        best latency reachable when no mapping meets it.
    """
    arch = load_arch(arch)
    if geometries:
        if latency_us is None:
            raise ValueError("geometries are searched only with latency_us")
        return _best_geometry(models, arch, geometries, depthwise=depthwise, c_job=c_job,
                              packing=packing, refine_seconds=refine_seconds,
                              refine_iterations=refine_iterations, latency_us=latency_us,
                              seed=seed)
    if isinstance(models, (str, os.PathLike, Workload)) or hasattr(models, "graph"):
        models = [models]
    if objective not in OBJECTIVES:
        raise ValueError(f"objective={objective!r} is not known; valid names: "
                         f"{', '.join(OBJECTIVES)}")
    step = progress or (lambda stage, done, total: None)
    step("load", 0, 4)
    workloads = _load_all(models, jobs)
    step("lower", 1, 4)
    if not workloads:
        raise ValueError("models is empty: give at least one model")
    a = arch.aimc
    parts = [lower(w, array_rows=a.array_rows, array_cols=a.array_cols,
                   weight_bits=a.weight_bits, cell_bits=a.cell_bits,
                   differential=a.differential, depthwise=depthwise, c_job=c_job)
             for w in workloads]
    offsets = np.cumsum([0] + [len(w) for w in workloads[:-1]])
    blocks = _concat_blocks(parts, offsets)
    combined, layer_model = _combine(workloads)
    replicas = None
    if replicate is not None:
        workloads, blocks, replicas = _replicate(workloads, blocks, combined, arch, replicate,
                                                 replicate_arrays)
        combined, layer_model = _combine(workloads)
    step("pack", 2, 4)
    if one_to_one:
        placed = one_to_one_packing(blocks)
    else:
        placed = pack(blocks.width, blocks.height, a.array_cols, a.array_rows,
                      algorithm=packing, refine_seconds=refine_seconds,
                      refine_iterations=refine_iterations, seed=seed)
    # copies of a layer must not share an array, or they serialise and replication buys
    # nothing (LRMP's model puts each copy on its own tiles)
    if (spread_layer_tiles or replicate is not None) and not one_to_one:
        from marp.compiler.search import spread_layer_tiles as spread
        placed = spread(blocks, placed)
    verify(placed, blocks.width, blocks.height, a.array_cols, a.array_rows)
    seq = None
    if objective == "latency" and latency_us is None:
        from marp.compiler.search import spreading_sequence
        seq = spreading_sequence(blocks, placed, combined, arch)
        latency_us = min(r.totals["latency_us"] for _, r in seq)
    if latency_us is not None:
        from marp.compiler.search import fewest_arrays
        placed, _ = fewest_arrays(blocks, placed, combined, arch, float(latency_us),
                                  sequence=seq)
        verify(placed, blocks.width, blocks.height, a.array_cols, a.array_rows)
        arch = arch.with_values({"aimc.arrays": placed.arrays_used})
    step("cost", 3, 4)
    report = cost((blocks, placed), combined, arch)
    step("done", 4, 4)
    options = {"depthwise": depthwise, "c_job": c_job, "packing": packing,
               "refine_seconds": refine_seconds, "refine_iterations": refine_iterations,
               "one_to_one": bool(one_to_one), "latency_us": latency_us,
               "replicate": replicate, "replicate_arrays": replicate_arrays,
               "replicas": None if replicas is None else replicas.tolist(),
               "objective": objective, "spread_layer_tiles": bool(spread_layer_tiles),
               "seed": seed}
    return Mapping(workloads=workloads, arch=arch, blocks=blocks, layer_model=layer_model,
                   packing=placed, report=report,
                   models=_per_model(workloads, layer_model, blocks, placed, report, arch),
                   options=options)


def _best_geometry(models, arch, geometries, *, latency_us, **kw):
    """The latency search on each (rows, cols); fewest arrays, then highest utilisation."""
    from marp.compiler.search import InfeasibleError

    workloads = [_as_workload(m) for m in (models if isinstance(models, (list, tuple))
                                           else [models])]
    best, reasons = None, []
    for rows, cols in geometries:
        g = arch.with_values(arch.geometry_values(rows, cols))
        try:
            m = compile(workloads, g, latency_us=latency_us, **kw)
        except InfeasibleError as exc:
            reasons.append(f"{rows}x{cols}: {exc}")
            continue
        key = (m.summary["arrays_used"], -m.summary["utilization"])
        if best is None or key < best[0]:
            best = (key, m)
    if best is None:
        raise InfeasibleError("infeasible on every geometry: " + "; ".join(reasons))
    return best[1]


REPLICATE_OBJECTIVES = ("throughput", "latency")


def _replicate(workloads, blocks, combined, arch, objective, budget):
    """Replicated (workloads, blocks, factors per layer): see :func:`compile`."""
    from marp.compiler import replication
    from marp._validate import positive_int

    if objective not in REPLICATE_OBJECTIVES:
        raise ValueError(f"replicate={objective!r} is not known; valid names: "
                         f"{', '.join(REPLICATE_OBJECTIVES)}")
    budget = arch.aimc.arrays if budget is None else positive_int("replicate_arrays", budget)
    alone = cost((blocks, one_to_one_packing(blocks)), combined, arch, baseline=False)
    sizes = np.bincount(blocks.layer, minlength=len(combined))
    mapped = np.flatnonzero(sizes > 0)                       # digital layers stay single
    times = alone.layers["time_ns"][mapped]
    try:
        pick = getattr(replication, f"for_{objective}")(times, sizes[mapped], budget)
    except replication.BudgetError as exc:
        raise replication.BudgetError(
            f"replicate: {exc} (one array per block of each copy, as LRMP counts tiles); "
            f"give a larger replicate_arrays") from None
    factors = np.ones(len(combined), dtype=np.int64)
    factors[mapped] = pick
    copies = factors[blocks.layer]
    index = np.repeat(np.arange(len(blocks)), copies)
    copy = np.arange(index.size) - np.repeat(np.cumsum(copies) - copies, copies)
    fields = {f: getattr(blocks, f)[index] for f in BLOCK_FIELDS}
    # each copy reads other input vectors: a job number of its own
    stride = int(blocks.job.max()) + 1 if len(blocks) else 1
    fields["job"] = (fields["job"] + copy * stride).astype(np.int32)
    replicated = Blocks(**fields, array_rows=blocks.array_rows, array_cols=blocks.array_cols,
                        layer_slices=blocks.layer_slices, digital_layers=blocks.digital_layers,
                        depthwise=blocks.depthwise, slice_layout=blocks.slice_layout)
    out, start = [], 0
    for w in workloads:
        recs = w.layers.records()
        for rec in recs:
            rec.pop("index")
            r = int(factors[start])
            rec["vectors"] = -(-rec["vectors"] // r)
            start += 1
        out.append(Workload(name=w.name, source=w.source, layers=Layers.from_records(recs),
                            digital=w.digital, skipped=w.skipped, inputs=w.inputs,
                            batch=w.batch))
    return tuple(out), replicated, factors
