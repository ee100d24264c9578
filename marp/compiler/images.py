"""What a chip is programmed with: the cell values of every array image of a mapping.

:func:`array_images` fills, for every image of the packing (an array's content; when
the bank is smaller than the mapping, images rotate through the physical arrays as the
schedule in ``mapping.report.timeline`` says), a rows x cols grid of cell values, and a
layout table with one row per block saying what it holds.

Conventions (the simulation and any programming flow read them the same way):

* A layer's matrix per group is rows x cols as :mod:`marp.workload.onnx_weights` gives it
  (integers at the layer's weight bits ``b``).
* A weight is cut into ``ceil(b / cell_bits)`` slices, least significant first. Without
  differential pairs the slices hold the weight's two's complement in ``b`` bits (the top
  slice carries the sign: its top bit counts ``-2^(b-1)``). With differential pairs the
  first half of the slices hold the positive part, the second half the negative part, of
  ``S = 2 ceil(b / cell_bits)`` slices.
* ``slice_layout="adjacent"``: weight column ``j``'s slice ``s`` is column ``j * S + s``
  of one matrix. ``"separate"``: slice ``s`` is its own copy of the matrix (``slice`` in
  the layout table).
* Block-diagonal jobs (depthwise or grouped layers on the arrays): the groups of a job sit
  on the diagonal of one matrix, group ``k`` at rows ``k * rows`` and columns
  ``k * cols * (S for adjacent, else 1)``; cells off the diagonal are zero.
* A block is the tile (``row_tile``, ``col_tile``) of its matrix: matrix rows
  ``[row_tile * R, + height)`` and columns ``[col_tile * C, + width)`` for arrays of R x C;
  it sits at (``y``, ``x``) of its image. Cells no block covers are zero.
* ``macro``, ``slot``: where the image sits on a bank of macros with depth
  (``mapping.slots``); at depth 1 the image is its own macro, slot 0; -1 when the images
  rotate through the bank (the schedule places them).
"""
from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass

import numpy as np

from marp._compare import array_eq
from marp.io.files import write_set
from marp.workload.onnx_weights import weight_matrices

LAYOUT_FIELDS = ("image", "y", "x", "height", "width", "model", "layer", "name", "job",
                 "slice", "row_tile", "col_tile", "matrix_row", "matrix_col", "weight_bits",
                 "macro", "slot")


@dataclass(frozen=True)
class ArrayImages:
    """Cell values of every image (``cells[image, row, col]``, uint8) and the layout
    table (``layout``: field -> array, one entry per block; see :data:`LAYOUT_FIELDS`),
    with the conventions of the module doc (``cell_bits``, ``differential``,
    ``slice_layout``)."""

    cells: np.ndarray
    layout: dict
    cell_bits: int
    differential: bool
    slice_layout: str

    __eq__ = array_eq

    def __repr__(self) -> str:
        n, r, c = self.cells.shape
        return (f"ArrayImages({n} images of {r}x{c} cells, {len(self.layout['image'])} "
                f"blocks, {self.cell_bits}-bit cells, slice_layout={self.slice_layout!r})")

    def layout_csv(self) -> str:
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(LAYOUT_FIELDS)
        cols = [self.layout[f] for f in LAYOUT_FIELDS]
        for row in zip(*cols):
            w.writerow([v.item() if isinstance(v, np.generic) else v for v in row])
        return out.getvalue()

    def write(self, folder) -> list[str]:
        """``images.npz`` (``cells`` and the conventions) and ``layout.csv`` into
        ``folder``, as one set (atomically)."""
        buf = io.BytesIO()
        np.savez_compressed(buf, cells=self.cells, cell_bits=self.cell_bits,
                            differential=self.differential,
                            slice_layout=np.array(self.slice_layout))
        write_set(os.fspath(folder), {"images.npz": buf.getvalue(),
                                      "layout.csv": self.layout_csv()},
                  owned=("images.npz", "layout.csv"))
        return [os.path.join(os.fspath(folder), n) for n in ("images.npz", "layout.csv")]


def slice_planes(w: np.ndarray, bits: int, cell_bits: int, differential: bool) -> list:
    """The cell values of each slice of integer weights ``w`` (module doc)."""
    n = -(-bits // cell_bits)
    mask = (1 << cell_bits) - 1
    if differential:
        parts = (np.maximum(w, 0), np.maximum(-w, 0))
    else:
        parts = (np.mod(w, 1 << bits),)              # two's complement in ``bits`` bits
    return [((p >> (s * cell_bits)) & mask).astype(np.uint8) for p in parts
            for s in range(n)]


def _job_matrix(groups: list, planes_of, slc: int, adjacent: bool) -> np.ndarray:
    """The matrix of one job (its groups on the diagonal), one slice copy or all slices
    side by side."""
    mats = []
    for g in groups:
        planes = planes_of(g)
        if adjacent:
            rows, cols = planes[0].shape
            m = np.empty((rows, cols * len(planes)), dtype=np.uint8)
            for s, plane in enumerate(planes):
                m[:, s::len(planes)] = plane
            mats.append(m)
        else:
            mats.append(planes[slc])
    if len(mats) == 1:
        return mats[0]
    rows, cols = mats[0].shape
    out = np.zeros((rows * len(mats), cols * len(mats)), dtype=np.uint8)
    for k, m in enumerate(mats):
        out[k * rows:(k + 1) * rows, k * cols:(k + 1) * cols] = m
    return out


def array_images(mapping, models=None) -> ArrayImages:
    """The images of ``mapping`` (see the module doc). ``models``: the ONNX files (or
    ModelProtos) of ``mapping.workloads`` in order; default: the files they were read
    from."""
    a, b = mapping.arch.aimc, mapping.blocks
    sources = models if models is not None else [w.source for w in mapping.workloads]
    if len(sources) != len(mapping.workloads):
        raise ValueError(f"models has {len(sources)} entries for "
                         f"{len(mapping.workloads)} models")
    first = np.cumsum([0] + [len(w) for w in mapping.workloads])
    bits = b.layer_weight_bits if b.layer_weight_bits is not None else \
        np.full(len(b.layer_slices), a.weight_bits)
    matrices = []
    for m, (w, src) in enumerate(zip(mapping.workloads, sources)):
        if isinstance(src, str) and not os.path.isfile(src):
            raise FileNotFoundError(f"{src}: the model of {w.name!r} is needed for its "
                                    f"weights (give models=[...])")
        matrices += weight_matrices(src, w, bits[first[m]:first[m + 1]])
    return _fill(mapping, matrices, bits)


def _macro_slot(mapping) -> dict:
    """The layout's ``macro`` and ``slot`` columns (see the module doc)."""
    p, slots = mapping.packing, mapping.slots
    if slots is not None:
        macro, slot = slots.of_blocks(p)
    elif mapping.arch.aimc.depth == 1 and p.arrays_used <= mapping.arch.aimc.slots:
        macro, slot = p.array.astype(np.int64), np.zeros(len(p), dtype=np.int64)
    else:
        macro = slot = np.full(len(p), -1, dtype=np.int64)
    return {"macro": macro, "slot": slot}


def _fill(mapping, matrices, bits) -> ArrayImages:
    a, b, p = mapping.arch.aimc, mapping.blocks, mapping.packing
    R, C = b.array_rows, b.array_cols
    cells = np.zeros((p.arrays_used, R, C), dtype=np.uint8)
    c_job = mapping.options.c_job
    adjacent = b.slice_layout == "adjacent"
    cache = {}

    def planes_of(layer):
        return lambda g: cache.setdefault((layer, g), slice_planes(
            matrices[layer][g], int(bits[layer]), a.cell_bits, a.differential))

    job_mats = {}
    for i in np.flatnonzero(p.placed):
        layer, job, slc = int(b.layer[i]), int(b.job[i]), int(b.slice[i])
        key = (layer, job, slc)
        if key not in job_mats:
            n_groups = len(matrices[layer])
            per = n_groups if c_job is None or n_groups == 1 else min(n_groups, c_job)
            groups = list(range(job * per, min(n_groups, (job + 1) * per)))
            job_mats[key] = _job_matrix(groups, planes_of(layer), slc, adjacent)
        r0, c0 = int(b.row_tile[i]) * R, int(b.col_tile[i]) * C
        h, w = int(b.height[i]), int(b.width[i])
        y, x, img = int(p.y[i]), int(p.x[i]), int(p.array[i])
        cells[img, y:y + h, x:x + w] = job_mats[key][r0:r0 + h, c0:c0 + w]
    names = [n for wl in mapping.workloads for n in wl.layers.name]
    layout = {"image": p.array.copy(), "y": p.y.copy(), "x": p.x.copy(),
              "height": b.height.copy(), "width": b.width.copy(),
              "model": mapping.layer_model[b.layer], "layer": b.layer.copy(),
              "name": np.array([names[k] for k in b.layer], dtype=object),
              "job": b.job.copy(), "slice": b.slice.copy(), "row_tile": b.row_tile.copy(),
              "col_tile": b.col_tile.copy(),
              "matrix_row": b.row_tile.astype(np.int64) * R,
              "matrix_col": b.col_tile.astype(np.int64) * C,
              "weight_bits": np.asarray(bits)[b.layer], **_macro_slot(mapping)}
    return ArrayImages(cells, layout, int(a.cell_bits), bool(a.differential),
                       b.slice_layout)
