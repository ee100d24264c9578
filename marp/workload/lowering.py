"""Lowering a workload to blocks: rectangles that fit one array.

Per weight layer: bit slicing gives ``ceil(weight_bits / cell_bits)`` column slices per
weight, twice that with differential pairs. With ``slice_layout="adjacent"`` (default) the
slices of a weight sit in adjacent columns of one matrix (``cols * slices`` wide); with
``"separate"`` each slice is its own copy of the matrix, as LRMP's eq. (2) counts them.
Matrices larger than an array are cut into row and column tiles.

Layers with ``groups > 1`` have two policies: ``depthwise`` for depthwise layers (one
input channel per group) and ``grouped`` for the other grouped layers (e.g. AlexNet's
groups=2). ``"digital"`` leaves them to the digital engine (no blocks; listed in
``Blocks.digital_layers``); ``"diagonal"`` maps them as ``ceil(groups / c_job)`` jobs,
each a block-diagonal matrix of ``c_job`` groups (``c_job * rows`` x ``c_job * cols``, of
which only the diagonal holds weights); ``c_job`` None means all groups in one job (the
full diagonal). Every tile of a job is kept, so the cells of a job are its whole area, as
the PCM accelerator paper counts devices. Defaults: depthwise layers ``"digital"`` (a
full diagonal of C groups uses 1/C of its cells), grouped layers ``"diagonal"`` (with few
groups the diagonal costs little area and keeps the MACs on the arrays).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from marp._compare import array_eq

from marp import _validate
from marp._validate import ArrayShape
from marp._registry import Choice, Registry
from marp.workload.layers import Workload

DEPTHWISE = Registry("depthwise", [
    Choice("digital", "depthwise layers run on the digital engine (no blocks)"),
    Choice("diagonal", "depthwise layers become block-diagonal jobs of c_job groups on "
                       "the arrays"),
])
GROUPED = Registry("grouped", [
    Choice("diagonal", "grouped (not depthwise) layers become block-diagonal jobs of c_job "
                       "groups on the arrays"),
    Choice("digital", "grouped (not depthwise) layers run on the digital engine"),
])
SLICE_LAYOUTS = Registry("slice_layout", [
    Choice("adjacent", "the bit slices of a weight sit in adjacent columns of one matrix"),
    Choice("separate", "each bit slice is its own copy of the matrix (LRMP's eq. 2)"),
])


# per-block fields, in the order of the mapping JSON
BLOCK_FIELDS = ("layer", "job", "slice", "row_tile", "col_tile", "height", "width",
                "useful_cells")


@dataclass(frozen=True)
class Blocks:
    """Blocks as a structure of arrays, one entry per block (all int arrays).

    layer : index of the layer in the workload
    job : depthwise/grouped job number (0 for ordinary layers)
    slice : bit slice of a "separate" layout copy (-1 with adjacent slices)
    row_tile, col_tile : tile position in its matrix
    height, width : rows and columns of the block (its size in an array)
    useful_cells : cells that hold a weight slice
    Per layer: ``layer_slices`` (column slices per weight) and ``digital_layers`` (layers
    left to the digital engine), ``layer_weight_bits`` (the weight precision each layer
    was cut at) and ``layer_act_bits`` (its input precision, or None: the arch's
    ``act_bits`` for every layer). ``depthwise``, ``slice_layout``, ``grouped``: the
    lowering's policies.
    """

    layer: np.ndarray
    job: np.ndarray
    slice: np.ndarray
    row_tile: np.ndarray
    col_tile: np.ndarray
    height: np.ndarray
    width: np.ndarray
    useful_cells: np.ndarray
    array_rows: int
    array_cols: int
    layer_slices: np.ndarray
    digital_layers: np.ndarray
    depthwise: str
    slice_layout: str
    grouped: str = "diagonal"
    layer_weight_bits: np.ndarray | None = None
    layer_act_bits: np.ndarray | None = None

    def __len__(self) -> int:
        return self.layer.shape[0]

    __eq__ = array_eq

    def __repr__(self) -> str:
        return (f"Blocks({len(self)} blocks of {len(self.layer_slices)} layers for "
                f"{self.array_rows}x{self.array_cols} arrays, {self.cells:,} cells, "
                f"depthwise={self.depthwise!r}, grouped={self.grouped!r}, "
                f"slice_layout={self.slice_layout!r})")

    @property
    def cells(self) -> int:
        """Cells covered by the blocks (sum of block areas)."""
        return int(np.dot(self.height.astype(np.int64), self.width.astype(np.int64)))

    @property
    def shape(self) -> ArrayShape:
        """Size of the arrays the blocks were cut for, rows first."""
        return ArrayShape(self.array_rows, self.array_cols)

    @property
    def useful(self) -> int:
        return int(self.useful_cells.sum())

    def to_dict(self) -> dict:
        """JSON-ready fields (lists); :meth:`from_dict` reads them back exactly."""
        return {**{f: getattr(self, f).tolist() for f in BLOCK_FIELDS},
                "array_rows": self.array_rows, "array_cols": self.array_cols,
                "layer_slices": self.layer_slices.tolist(),
                "digital_layers": self.digital_layers.tolist(),
                "depthwise": self.depthwise, "slice_layout": self.slice_layout,
                "grouped": self.grouped,
                **{k: getattr(self, k).tolist() for k in ("layer_weight_bits",
                                                          "layer_act_bits")
                   if getattr(self, k) is not None}}

    @classmethod
    def from_dict(cls, d: dict) -> "Blocks":
        dtypes = {"useful_cells": np.int64}
        return cls(**{f: np.array(d[f], dtype=dtypes.get(f, np.int32)) for f in BLOCK_FIELDS},
                   array_rows=d["array_rows"], array_cols=d["array_cols"],
                   layer_slices=np.array(d["layer_slices"], dtype=np.int64),
                   digital_layers=np.array(d["digital_layers"], dtype=np.int64),
                   depthwise=d["depthwise"], slice_layout=d["slice_layout"],
                   # before marp 0.2 grouped layers followed the depthwise policy
                   grouped=d.get("grouped", d["depthwise"]),
                   **{k: np.array(d[k], dtype=np.int64) for k in ("layer_weight_bits",
                                                                  "layer_act_bits")
                      if d.get(k) is not None})

    def take(self, index, **changes) -> "Blocks":
        """The blocks at ``index`` (any numpy index), per-layer fields kept; ``changes``
        replace per-block fields of the result."""
        fields = {f: getattr(self, f)[index] for f in BLOCK_FIELDS}
        fields.update(changes)
        return Blocks(**fields, array_rows=self.array_rows, array_cols=self.array_cols,
                      layer_slices=self.layer_slices, digital_layers=self.digital_layers,
                      depthwise=self.depthwise, slice_layout=self.slice_layout,
                      grouped=self.grouped, layer_weight_bits=self.layer_weight_bits,
                      layer_act_bits=self.layer_act_bits)

    @classmethod
    def concat(cls, parts, layer_offsets) -> "Blocks":
        """The blocks of several workloads in turn; ``layer_offsets[i]`` is added to the
        layer numbers of ``parts[i]`` (its first layer in the combined workload)."""
        first = parts[0]
        fields = {f: np.concatenate([getattr(b, f) + (o if f == "layer" else 0)
                                     for b, o in zip(parts, layer_offsets)]
                                    ).astype(getattr(first, f).dtype)
                  for f in BLOCK_FIELDS}
        return cls(**fields, array_rows=first.array_rows, array_cols=first.array_cols,
                   layer_slices=np.concatenate([b.layer_slices for b in parts]),
                   digital_layers=np.concatenate([b.digital_layers + o for b, o in
                                                  zip(parts, layer_offsets)]),
                   depthwise=first.depthwise, slice_layout=first.slice_layout,
                   grouped=first.grouped, **{k: _concat_per_layer(parts, k) for k in (
                       "layer_weight_bits", "layer_act_bits")})


def _concat_per_layer(parts, field):
    """A per-layer field of several parts in turn (None when any part has none)."""
    values = [getattr(b, field) for b in parts]
    return None if any(v is None for v in values) else np.concatenate(values)


def _per_layer_bits(name, value, n):
    """None, or ``value`` (an int for every layer, or one per layer) as int64[n]."""
    if value is None:
        return None
    if np.ndim(value) == 0:
        return np.full(n, _validate.positive_int(name, value), dtype=np.int64)
    bits = [_validate.positive_int(f"{name}[{i}]", v) for i, v in enumerate(value)]
    if len(bits) != n:
        raise ValueError(f"{name} has {len(bits)} entries for {n} layers")
    return np.array(bits, dtype=np.int64)


def _matrices(workload, W_bits, cell_bits, differential, policies, c_job, layout):
    """One row per matrix to tile: layer, job, slice, rows, cols, groups in it, and the
    per-group rows/cols (for the diagonal's useful cells)."""
    L = workload.layers
    bits = L.weight_bits.astype(np.int64) if W_bits is None else W_bits
    slices = -(-bits // cell_bits) * (2 if differential else 1)
    grouped = L.groups > 1
    depthwise_layer = grouped & (np.asarray(L.kind, dtype=object) == "depthwise")
    depthwise, grouped_policy = policies
    analog = ~grouped | (depthwise_layer & (depthwise == "diagonal")) | \
        (grouped & ~depthwise_layer & (grouped_policy == "diagonal"))
    per_job = L.groups if c_job is None else np.minimum(L.groups, c_job)
    jobs = np.where(grouped, -(-L.groups // per_job), 1)
    copies = np.where(layout == "separate", slices, 1)
    widen = np.where(layout == "separate", 1, slices)
    idx = np.flatnonzero(analog)
    n_mat = jobs[idx] * copies[idx]
    layer = np.repeat(idx, n_mat)
    k = np.arange(layer.size) - np.repeat(np.cumsum(n_mat) - n_mat, n_mat)
    job = k // copies[layer]
    slc = np.where(layout == "separate", k % copies[layer], -1)
    # groups in this job: the last job may hold fewer
    in_job = np.where(grouped[layer],
                      np.minimum(per_job[layer], L.groups[layer] - job * per_job[layer]), 1)
    rg, cg = L.rows[layer], L.cols[layer] * widen[layer]
    return dict(layer=layer, job=job, slice=slc, rows=rg * in_job, cols=cg * in_job,
                rg=rg, cg=cg, diag=grouped[layer]), slices, np.flatnonzero(~analog)


def _diagonal_useful(r0, c0, h, w, rg, cg):
    """Cells of tiles (r0, c0, h, w) inside the diagonal squares of size rg x cg."""
    t_lo = np.maximum(r0 // rg, c0 // cg)
    t_hi = np.minimum((r0 + h - 1) // rg, (c0 + w - 1) // cg)
    count = np.maximum(0, t_hi - t_lo + 1)
    tile = np.repeat(np.arange(r0.size), count)
    t = np.arange(tile.size) - np.repeat(np.cumsum(count) - count, count) + t_lo[tile]
    ov_r = np.minimum((t + 1) * rg[tile], r0[tile] + h[tile]) - np.maximum(t * rg[tile], r0[tile])
    ov_c = np.minimum((t + 1) * cg[tile], c0[tile] + w[tile]) - np.maximum(t * cg[tile], c0[tile])
    return np.bincount(tile, weights=ov_r * ov_c, minlength=r0.size).astype(np.int64)


def lower(workload: Workload, *, array=None, weight_bits=None, cell_bits: int = 1,
          differential: bool = False, depthwise: str = "digital", c_job=None,
          slice_layout: str = "adjacent", grouped: str = "diagonal", act_bits=None,
          **deprecated) -> Blocks:
    """Cut every weight layer of ``workload`` into blocks for arrays of
    ``array=(rows, cols)`` (see the module doc). ``array_rows=, array_cols=`` are
    deprecated (removed in marp 0.3).

    Parameters
    ----------
    workload : Workload
    array : (rows, cols)
        Size of one array.
    weight_bits : int, sequence of int, or None
        Bits per weight: one number for every layer, or one per layer; None takes each
        layer's own ``weight_bits`` (32 for a float model).
    cell_bits : int
        Bits one cell stores.
    differential : bool
        Signed weights on device pairs.
    depthwise : {"digital", "diagonal"}
        Where depthwise layers go.
    c_job : int or None
        Groups per diagonal job (None: all, the full diagonal).
    slice_layout : {"adjacent", "separate"}
    grouped : {"diagonal", "digital"}
        Where the other grouped layers go.
    act_bits : int, sequence of int, or None
        Input bits, one per layer (or one number), kept for the cost model
        (``Blocks.layer_act_bits``); None: the arch's ``act_bits`` for every layer.

    Returns
    -------
    Blocks
    """
    unknown = sorted(set(deprecated) - {"array_rows", "array_cols"})
    if unknown:
        raise TypeError(f"lower() got unexpected keyword arguments {unknown}")
    R, C = _validate.array_size(array, deprecated.get("array_cols"),
                                deprecated.get("array_rows"), "lower")
    weight_bits = _per_layer_bits("weight_bits", weight_bits, len(workload.layers))
    act_bits = _per_layer_bits("act_bits", act_bits, len(workload.layers))
    cell_bits = _validate.positive_int("cell_bits", cell_bits)
    if c_job is not None:
        c_job = _validate.positive_int("c_job", c_job)
    DEPTHWISE.get(depthwise)
    GROUPED.get(grouped)
    SLICE_LAYOUTS.get(slice_layout)
    m, slices, digital = _matrices(workload, weight_bits, cell_bits, bool(differential),
                                   (depthwise, grouped), c_job, slice_layout)
    row_tiles, col_tiles = -(-m["rows"] // R), -(-m["cols"] // C)
    n_tiles = row_tiles * col_tiles
    mat = np.repeat(np.arange(n_tiles.size), n_tiles)
    k = np.arange(mat.size) - np.repeat(np.cumsum(n_tiles) - n_tiles, n_tiles)
    rt, ct = k // col_tiles[mat], k % col_tiles[mat]
    height = np.minimum(R, m["rows"][mat] - rt * R)
    width = np.minimum(C, m["cols"][mat] - ct * C)
    useful = height * width
    diag = np.flatnonzero(m["diag"][mat])
    if diag.size:
        useful[diag] = _diagonal_useful(rt[diag] * R, ct[diag] * C, height[diag],
                                        width[diag], m["rg"][mat][diag], m["cg"][mat][diag])
    i32 = lambda a: np.ascontiguousarray(a, dtype=np.int32)   # noqa: E731
    return Blocks(layer=i32(m["layer"][mat]), job=i32(m["job"][mat]),
                  slice=i32(m["slice"][mat]), row_tile=i32(rt), col_tile=i32(ct),
                  height=i32(height), width=i32(width),
                  useful_cells=np.ascontiguousarray(useful, dtype=np.int64),
                  array_rows=R, array_cols=C, layer_slices=slices.astype(np.int64),
                  digital_layers=digital.astype(np.int64), depthwise=depthwise,
                  slice_layout=slice_layout, grouped=grouped,
                  layer_weight_bits=(workload.layers.weight_bits.astype(np.int64)
                                     if weight_bits is None else weight_bits),
                  layer_act_bits=act_bits)
