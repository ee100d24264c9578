"""The result of a compile: :class:`Mapping` (models, blocks, placements, cost, options),
its headline summary, per-model totals and its exact JSON round trip.

Each part serialises itself beside its own type (``Workload``, ``Blocks``, ``Packing``,
``CostReport``, ``Arch``, ``CompileOptions``); this module only assembles them under
the schema ``"marp.mapping"``, version 1.
"""
from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from marp._compare import array_eq

from marp._version import __version__
from marp.costmodel.accounting import CostReport, digital_ops_cost
from marp.costmodel.memory import ops_activations
from marp.compiler import digital_work
from marp.compiler.images import array_images
from marp.compiler.options import CompileOptions
from marp.hardware.arch import Arch, from_dict
from marp.io.drawing import mapping_svg
from marp.io.files import write_atomic
from marp.packing.depth import Slots
from marp.packing.packer import Packing
from marp.workload.layers import Workload
from marp.workload.lowering import Blocks

SCHEMA = "marp.mapping"
SCHEMA_VERSION = 1


@dataclass
class Mapping:
    """A compiled mapping: the models, their blocks, the placements and the cost report.

    Attributes
    ----------
    workloads : tuple of Workload
        The models, in the order given.
    arch : Arch
        The accelerator (its bank sized to the arrays used after a latency search).
    blocks : Blocks
        Blocks of every model in turn; ``blocks.layer`` indexes the layers of all models.
    layer_model : int64 array
        The model of each layer.
    packing : Packing
        The placement of every block (verified).
    report : CostReport
        Per-layer rows, totals and the one-to-one baseline.
    models : list of dict
        Per-model totals (arrays touched, latency, energy, TOPS/W).
    options : CompileOptions
        The options the mapping was compiled with.
    replicas : int64 array or None
        Copies of each layer when ``options.replicate`` is set.
    residency : dict
        When the blocks need more arrays than the bank has: the capacity ``policy`` used,
        the ``pinned`` images and the layers' execution ``order`` (empty when all fit).
    slots : Slots or None
        With arrays of depth (``aimc.depth`` > 1) and every image resident: the macro and
        slot of each image (``packing.array`` indexes them; :func:`marp.assign_slots`).
    """

    workloads: tuple
    arch: Arch
    blocks: Blocks
    layer_model: np.ndarray
    packing: Packing
    report: CostReport
    models: list
    options: CompileOptions
    replicas: np.ndarray | None = None
    residency: dict = dataclasses.field(default_factory=dict)
    slots: Slots | None = None

    __eq__ = array_eq

    def __repr__(self) -> str:
        t = self.report.totals
        return (f"Mapping({len(self.workloads)} models, {len(self.blocks)} blocks on "
                f"{t['arrays_used']} arrays of {self.arch.aimc.array_rows}x"
                f"{self.arch.aimc.array_cols} ({self.arch.name}, bank {t['bank_arrays']}), "
                f"{t['latency_us']:.4g} us, {t['energy_uj']:.4g} uJ)")

    @property
    def summary(self) -> dict:
        """The headline numbers (the CLI's ``--json`` object). ``layers``: one row per
        weight layer, then one per piece of work without weights (engine ``digital``),
        so that the rows add up to the totals; ``digital_work``: what left the arrays."""
        t, b = self.report.totals, self.report.baseline
        names = [w.name for w in self.workloads]
        layers = self.report.to_dict()["layers"]
        reasons = digital_work.layer_reasons(self.report.layers["kind"],
                                             self.report.layers["engine"])
        for i, row in enumerate(layers):
            row["model"] = names[int(self.layer_model[i])]
            row["digital_reason"] = reasons[i]
        if layers:
            layers += digital_work.op_rows(self.workloads, self.arch, self.report,
                                           list(layers[0]))
        return {"arrays_used": t["arrays_used"],
                "arrays_one_to_one": b["arrays_used"] if b else len(self.blocks),
                "utilization": t["utilization"], "latency_us": t["latency_us"],
                "energy_uj": t["energy_uj"], "tops_per_w": t["tops_per_w"],
                "bank_arrays": t["bank_arrays"], "phases": t["phases"],
                "depth": t["depth"], "macros_used": t["macros_used"],
                "bank_slots": t["bank_slots"],
                "pinned_arrays": t["pinned_arrays"],
                "cells_written_per_inference": t["cells_written_per_inference"],
                "weight_bytes_fetched_per_inference": t["weight_bytes_fetched_per_inference"],
                "energy_pj": t["energy_pj"], "lifetime_inferences": t["lifetime_inferences"],
                "capacity_policy": self.residency.get("policy"),
                "packing_status": self.packing.status,
                "lower_bound": self.packing.lower_bound,
                "digital_work": digital_work.summarise(layers, t["macs"]),
                "models": self.models, "layers": layers}

    def images(self, models=None):
        """The cell values of every array image and the layout of its blocks
        (:class:`~marp.compiler.images.ArrayImages`; conventions in
        :mod:`marp.compiler.images`). ``models``: the ONNX files or ModelProtos of the
        workloads, in order (default: the files they were read from)."""
        return array_images(self, models)

    def digital_line(self, summary=None) -> str | None:
        """One line naming the work that runs on the digital engine (layers a policy sent
        there, work without weights) and its share of the MACs; None when there is none.
        ``summary``: :attr:`summary` when the caller has it."""
        return digital_work.line((summary or self.summary)["digital_work"])

    def macro_line(self) -> str | None:
        """One line on the macros when the arrays have depth (``aimc.depth`` > 1), else
        None."""
        t = self.report.totals
        if t.get("depth", 1) == 1:
            return None
        policy = f", slots {self.slots.policy}" if self.slots is not None else ""
        return (f"macros of depth {t['depth']}: {t['arrays_used']} array images in "
                f"{t['macros_used']} of {t['bank_arrays']} macros ({t['bank_slots']} "
                f"slots{policy}); slots of a macro compute one at a time")

    def capacity_line(self) -> str | None:
        """One line when the blocks need more arrays than the bank has, else None."""
        t = self.report.totals
        if not t["cells_written_per_inference"]:
            return None
        e = t["energy_pj"]
        share = (e["write"] + e["fetch"]) / sum(e.values()) if sum(e.values()) else 0.0
        bank = f"{t['bank_arrays']}" if t.get("depth", 1) == 1 else \
            f"{t.get('bank_slots')} slots"
        return (f"needs {t['arrays_used']} arrays, bank has {bank}: "
                f"{t['phases']} phases, {t['cells_written_per_inference'] / 1e6:.3g} M cells "
                f"written per inference ({100 * share:.0f}% of the energy; policy "
                f"{self.residency.get('policy', 'packed')}, {t['pinned_arrays']} pinned)")

    def to_dict(self) -> dict:
        """JSON-ready document of schema ``marp.mapping`` version 1."""
        options = self.options.to_dict()
        stored = {}
        for key, value in options.items():        # replicas sit after replicate_arrays
            stored[key] = value
            if key == "replicate_arrays":
                stored["replicas"] = None if self.replicas is None else self.replicas.tolist()
        return {
            "schema": SCHEMA, "version": SCHEMA_VERSION, "marp": __version__,
            "arch": self.arch.as_dict(), "options": stored,
            "workloads": [w.to_dict() for w in self.workloads],
            "layer_model": self.layer_model.tolist(),
            "blocks": self.blocks.to_dict(), "packing": self.packing.to_dict(),
            "report": self.report.to_dict(), "models": self.models,
            **({"residency": self.residency} if self.residency else {}),
            **({"slots": self.slots.to_dict()} if self.slots is not None else {}),
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
        return cls.from_dict(doc)

    @classmethod
    def from_dict(cls, doc: dict) -> "Mapping":
        """Read back :meth:`to_dict`."""
        blocks = Blocks.from_dict(doc["blocks"])
        packing = Packing.from_dict(doc["packing"], blocks.width, blocks.height,
                                    blocks.array_cols, blocks.array_rows)
        options = dict(doc["options"])
        replicas = options.pop("replicas", None)
        # mappings written before these options existed: what their blocks were cut with
        options.setdefault("grouped", blocks.grouped)
        options.setdefault("slice_layout", blocks.slice_layout)
        return cls(workloads=tuple(Workload.from_dict(w) for w in doc["workloads"]),
                   arch=from_dict(doc["arch"], source="mapping.json"), blocks=blocks,
                   layer_model=np.array(doc["layer_model"], dtype=np.int64),
                   packing=packing, report=CostReport.from_dict(doc["report"]),
                   models=doc["models"], options=CompileOptions.from_dict(options),
                   replicas=None if replicas is None else np.array(replicas, dtype=np.int64),
                   residency=doc.get("residency", {}),
                   slots=Slots.from_dict(doc["slots"]) if "slots" in doc else None)

    def to_svg(self) -> str:
        """Every array as SVG, blocks coloured by model and layer, with hover titles."""
        return mapping_svg(self)


def _ops_parts(workloads, arch, report):
    """Per model: (time ns, energy pJ) of its non-weight digital work, with its share of
    the leakage that the layers' rows do not carry (split by that work's time)."""
    ops = []
    for w in workloads:
        t, e = digital_ops_cost(arch, w)
        e_act, t_act = ops_activations(arch, w)
        ops.append((t + t_act, e + e_act))
    rest = report.totals["energy_pj"]["leakage"] - float(report.layers["e_leakage_pj"].sum())
    total_t = sum(t for t, _ in ops)
    return [(t, e + (rest * t / total_t if total_t > 0 else 0.0)) for t, e in ops]


def per_model(workloads, layer_model, blocks, packing, report, arch) -> list[dict]:
    """Totals of each model in a shared mapping (layers, blocks, arrays touched, MACs,
    latency, energy, TOPS/W). Writes, fetches and leakage are shared out by layer, so the
    models' energies add up to the total."""
    L = report.layers
    energy_keys = [k for k in L if k.startswith("e_") and k.endswith("_pj")]
    block_model = layer_model[blocks.layer]
    ops = _ops_parts(workloads, arch, report)
    out = []
    for m, w in enumerate(workloads):
        mine = layer_model == m
        t_ops, e_ops = ops[m]
        energy_pj = float(sum(L[k][mine].sum() for k in energy_keys)) + e_ops
        macs = int(w.layers.macs.sum()) + sum(op.macs for op in w.digital)
        latency_ns = float(L["time_ns"][mine].sum() + L["act_time_ns"][mine].sum()) + t_ops
        sel = block_model == m
        out.append({"name": w.name, "layers": int(mine.sum()), "blocks": int(sel.sum()),
                    "arrays_touched": int(np.unique(packing.array[sel]).size),
                    "arrays_one_to_one": int(sel.sum()), "macs": macs,
                    "latency_us": latency_ns / 1e3, "energy_uj": energy_pj * 1e-6,
                    "tops_per_w": 2 * macs / energy_pj if energy_pj > 0 else 0.0})
    return out
