"""The workload of a model: its weight layers as a structure of arrays, the work left to a
digital engine, and the operators marp did not understand (never silently mapped).

A weight layer's matrix (after im2col) has ``rows = K*K*Cin/groups`` and ``cols =
Cout/groups`` per group, ``groups`` copies; ``vectors`` input vectors pass through it per
inference, so ``macs = vectors * rows * cols * groups``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from marp._compare import array_eq

KINDS = ("conv", "pointwise", "depthwise", "grouped", "fc")

# numeric per-layer fields, all int64 arrays
INT_FIELDS = ("groups", "rows", "cols", "vectors", "macs", "weights", "weight_bits", "node_index")
# per-layer fields held as tuples (strings and shapes)
OBJ_FIELDS = ("name", "op", "kind", "kernel", "strides", "dilations", "pads", "input_shape",
              "output_shape", "weight_path")


class WorkloadError(ValueError):
    """A model marp cannot turn into a workload; the message names the file and the node
    or tensor at fault."""


@dataclass(frozen=True)
class Layers:
    """Weight layers in graph order. Numeric fields are int64 arrays, the rest tuples.

    Attributes
    ----------
    name, op, kind : tuple of str
        The ONNX node name and type, and one of :data:`KINDS`.
    groups, rows, cols : int64 arrays
        The weight matrix per group (rows x cols), and how many groups.
    kernel, strides, dilations, pads : tuples
        Convolution attributes (empty for fc layers); pads in ONNX order (begins, then
        ends).
    input_shape, output_shape : tuples
        Shapes as inferred (with the batch the model was loaded at).
    vectors, macs, weights : int64 arrays
        Input vectors and multiply-accumulates per inference; weights.
    weight_bits : int64 array
        Bits per weight (the weight's dtype, or the integer type a DequantizeLinear
        feeding it dequantizes).
    weight_path : tuple of str
        How the weight reaches the node, e.g. ``init->DequantizeLinear->Conv``.
    node_index : int64 array
        Position of the node in the graph (the layer order).
    """

    name: tuple
    op: tuple
    kind: tuple
    groups: np.ndarray
    kernel: tuple
    strides: tuple
    dilations: tuple
    pads: tuple
    input_shape: tuple
    output_shape: tuple
    rows: np.ndarray
    cols: np.ndarray
    vectors: np.ndarray
    macs: np.ndarray
    weights: np.ndarray
    weight_bits: np.ndarray
    weight_path: tuple
    node_index: np.ndarray

    @classmethod
    def from_records(cls, records: list[dict]) -> "Layers":
        values = {}
        for f in INT_FIELDS:
            arr = np.array([r[f] for r in records], dtype=np.int64).reshape(len(records))
            arr.setflags(write=False)
            values[f] = arr
        for f in OBJ_FIELDS:
            values[f] = tuple(r[f] for r in records)
        return cls(**values)

    def __len__(self) -> int:
        return len(self.name)

    __eq__ = array_eq

    def __repr__(self) -> str:
        return (f"Layers({len(self)} weight layers, {int(self.weights.sum()):,} weights, "
                f"{int(self.macs.sum()):,} MACs)")

    def record(self, i: int) -> dict:
        """Layer i as a dict of plain Python values (JSON-ready)."""
        out = {"index": i}
        for f in ("name", "op", "kind"):
            out[f] = getattr(self, f)[i]
        for f in INT_FIELDS:
            out[f] = int(getattr(self, f)[i])
        for f in ("kernel", "strides", "dilations", "pads", "input_shape", "output_shape"):
            out[f] = list(getattr(self, f)[i])
        out["weight_path"] = self.weight_path[i]
        return out

    def records(self) -> list[dict]:
        return [self.record(i) for i in range(len(self))]


@dataclass(frozen=True)
class DigitalOp:
    """Work without weights for the digital engine: ``act x act`` products (macs) and
    pooling (ops = output elements x window)."""

    name: str
    op: str
    kind: str
    macs: int
    ops: int
    input_shapes: tuple
    output_shape: tuple


@dataclass(frozen=True)
class SkippedOp:
    """An operator marp did not map, with the reason."""

    name: str
    op: str
    reason: str


@dataclass(frozen=True)
class Workload:
    """Everything marp maps from one model (see the module doc)."""

    name: str
    source: str
    layers: Layers
    digital: tuple = ()
    skipped: tuple = ()
    inputs: dict = field(default_factory=dict)
    batch: int = 1

    def __len__(self) -> int:
        return len(self.layers)

    __eq__ = array_eq

    def __repr__(self) -> str:
        return (f"Workload({self.name!r}: {len(self.layers)} weight layers, "
                f"{int(self.layers.macs.sum()):,} MACs, {len(self.digital)} digital ops, "
                f"{len(self.skipped)} skipped)")

    def totals(self) -> dict:
        """Layer, weight and MAC counts, overall and by kind, plus the digital work."""
        L = self.layers
        kinds = np.array(L.kind, dtype=object)
        by_kind = {}
        for k in KINDS:
            m = kinds == k
            if m.any():
                by_kind[k] = {"layers": int(m.sum()), "weights": int(L.weights[m].sum()),
                              "macs": int(L.macs[m].sum())}
        return {
            "layers": len(L), "weights": int(L.weights.sum()), "macs": int(L.macs.sum()),
            "by_kind": by_kind,
            "digital_ops": len(self.digital),
            "digital_macs": int(sum(d.macs for d in self.digital)),
            "digital_pool_ops": int(sum(d.ops for d in self.digital)),
            "skipped": len(self.skipped),
        }

    def to_dict(self) -> dict:
        return {
            "name": self.name, "source": self.source, "batch": self.batch,
            "inputs": {k: list(v) for k, v in self.inputs.items()},
            "layers": self.layers.records(),
            "digital": [d.__dict__ | {"input_shapes": [list(s) for s in d.input_shapes],
                                      "output_shape": list(d.output_shape)}
                        for d in self.digital],
            "skipped": [s.__dict__ for s in self.skipped],
            "totals": self.totals(),
        }

    @classmethod
    def from_dict(cls, d: dict) -> "Workload":
        """Read back :meth:`to_dict` (``totals`` is derived, so it is not read)."""
        recs = [{k: (tuple(v) if isinstance(v, list) else v) for k, v in r.items()
                 if k != "index"} for r in d["layers"]]
        digital = tuple(DigitalOp(**{**x, "input_shapes": tuple(tuple(s) for s in
                                                                x["input_shapes"]),
                                     "output_shape": tuple(x["output_shape"])})
                        for x in d["digital"])
        return cls(name=d["name"], source=d["source"], layers=Layers.from_records(recs),
                   digital=digital, skipped=tuple(SkippedOp(**s) for s in d["skipped"]),
                   inputs={k: tuple(v) for k, v in d["inputs"].items()}, batch=d["batch"])

    @classmethod
    def combine(cls, workloads) -> tuple["Workload", np.ndarray]:
        """One workload holding every model's layers in turn, and the model of each
        layer (index into ``workloads``)."""
        records, model_of_layer = [], []
        for m, w in enumerate(workloads):
            for rec in w.layers.records():
                rec.pop("index")
                records.append(rec)
                model_of_layer.append(m)
        combined = cls(name="+".join(w.name for w in workloads), source="combined",
                       layers=Layers.from_records(records),
                       digital=tuple(d for w in workloads for d in w.digital),
                       skipped=tuple(s for w in workloads for s in w.skipped))
        return combined, np.array(model_of_layer, dtype=np.int64)
