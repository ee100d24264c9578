"""Energy and latency of a mapping: ``cost((blocks, packing), workload, arch) -> CostReport``.

The model (docs/architecture.md, "Cost model"; every constant from the arch config; the
physics of one array op are methods of ``arch.aimc``):

* One vector through a block of r rows x c columns: ``input_cycles = ceil(act_bits /
  dac_bits)``; ``row_groups = ceil(r / row_parallelism)``; the ADCs convert
  ``c' = ceil(c / devices_per_conversion)`` columns (a differential pair is one conversion)
  in ``ceil(c' / adcs_per_array)`` rounds. Time ``input_cycles * row_groups * rounds *
  t_array_op_ns``. Energy per input cycle, summed over the row groups (each group drives
  its own rows): ``r * e_dac + row_groups * c' * (e_adc + e_shift_add) + r * c * e_cell``
  plus ``e_array_op_pj`` per array op (the ADC part includes the digital shift-add of
  each conversion).
* Blocks of one layer on different arrays run in parallel. On one array they share an
  op (time: the slowest) when their columns are pairwise disjoint and blocks on
  overlapping rows carry the same input (same job and row tile on the same rows, such as
  column tiles side by side); else they serialise (time: the sum). A layer's time is that
  of its busiest array.
* Depthwise/grouped layers left digital and the workload's digital work run on the
  row-stationary engine: ``cycles = ceil(MACs / (PEs * utilisation))`` where the
  utilisation folds the kernel height onto PE rows and output rows onto PE columns
  (pooling and act x act products: 1); energy ``MACs * e_mac + bytes * e_sram``.
* Weight reload: a mapping with A arrays on a bank of B < A arrays time-shares one array
  among the A - B + 1 least-filled arrays, whose cells are written every ``batch``
  inferences (energy ``e_write_pj_per_cell`` per cell, time ``t_write_row_ns`` per row).
* Latency: sum of the layer times, the digital work and the reload time (sequential).
  Throughput: 1 / the busiest array or engine (pipelined; an array serialises every layer
  it holds). Leakage: static power of the powered arrays and the engine over the latency.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass

import numpy as np

from marp.hardware.arch import Arch, load_arch
from marp.workload.lowering import Blocks
from marp.packing.packer import Packing
from marp.workload.layers import Workload

ENERGY_PARTS = ("dac", "adc", "array", "digital", "write", "leakage")


@dataclass(frozen=True)
class CostReport:
    """Per-layer arrays (``layers``: name -> numpy array, one entry per workload layer),
    totals, and the same totals for the one-to-one baseline (``baseline``, or None)."""

    layers: dict
    totals: dict
    baseline: dict | None

    def to_dict(self) -> dict:
        """JSON-ready: per-layer rows, totals, baseline totals."""
        n = len(next(iter(self.layers.values())))
        rows = [{k: _plain(v[i]) for k, v in self.layers.items()} for i in range(n)]
        return {"layers": rows, "totals": self.totals, "baseline": self.baseline}

    @classmethod
    def from_dict(cls, d: dict) -> "CostReport":
        """Read back :meth:`to_dict`."""
        rows = d["layers"]
        layers = {k: np.array([r[k] for r in rows], dtype=object if isinstance(rows[0][k], str)
                              else None) for k in (rows[0] if rows else {})}
        return cls(layers=layers, totals=d["totals"], baseline=d["baseline"])

    def to_csv(self, path) -> None:
        """The per-layer table as CSV (one row per layer)."""
        keys = list(self.layers)
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(keys)
            for i in range(len(self.layers[keys[0]])):
                writer.writerow([_plain(self.layers[k][i]) for k in keys])


def _plain(v):
    return v.item() if isinstance(v, np.generic) else v


def _unpack(mapping):
    if isinstance(mapping, tuple) and len(mapping) == 2:
        return mapping
    if hasattr(mapping, "blocks") and hasattr(mapping, "packing"):
        return mapping.blocks, mapping.packing
    raise TypeError("cost() takes a Mapping or a (blocks, packing) pair, got "
                    f"{type(mapping).__name__}")


def block_costs(blocks: Blocks, arch: Arch):
    """Per block and per vector: time (ns), energy parts (pJ), array ops."""
    a = arch.aimc
    r = blocks.height.astype(np.int64)
    c = blocks.width.astype(np.int64)
    ops = a.array_ops(r, c)
    e_dac, e_adc, e_array = a.vector_energy_pj(r, c)
    return ops * a.t_array_op_ns, e_dac, e_adc, e_array, ops


def _group_times(blocks, packing, t_vec, n_arrays):
    """Per (layer, array) group: time per vector, and the group's layer and array.

    A group shares one array op when its blocks use pairwise disjoint columns and blocks
    whose rows overlap carry the same input segment (same job and row tile on the same
    rows, e.g. column tiles side by side); otherwise its blocks serialise.
    """
    n = max(n_arrays, 1)
    key = blocks.layer.astype(np.int64) * n + packing.array
    x, y = packing.x.astype(np.int64), packing.y.astype(np.int64)
    h, w = blocks.height.astype(np.int64), blocks.width.astype(np.int64)
    segment = blocks.job.astype(np.int64) * (1 << 20) + blocks.row_tile
    bad = np.zeros(0, dtype=np.int64)
    o = np.lexsort((x, key))                               # columns pairwise disjoint
    same = key[o][1:] == key[o][:-1]
    bad = np.union1d(bad, key[o][1:][same & (x[o][1:] < (x + w)[o][:-1])])
    o = np.lexsort((segment, h, y, key))                   # overlapping rows: same input
    same = key[o][1:] == key[o][:-1]
    overlap = same & (y[o][1:] < (y + h)[o][:-1])
    identical = (y[o][1:] == y[o][:-1]) & (h[o][1:] == h[o][:-1]) & \
        (segment[o][1:] == segment[o][:-1])
    bad = np.union1d(bad, key[o][1:][overlap & ~identical])
    uniq, inv = np.unique(key, return_inverse=True)
    t_sum = np.bincount(inv, weights=t_vec, minlength=uniq.size)
    t_max = np.zeros(uniq.size)
    np.maximum.at(t_max, inv, t_vec)
    t_group = np.where(np.isin(uniq, bad), t_sum, t_max)
    return t_group, uniq // n, uniq % n


def _rs_utilization(arch, kernel, out_shape):
    d = arch.digital
    kh = kernel[0] if kernel else 1
    e = out_shape[2] if len(out_shape) > 2 else 1
    util_r = kh / (d.pe_rows * -(-kh // d.pe_rows)) if kh > d.pe_rows else \
        (d.pe_rows // kh) * kh / d.pe_rows
    util_c = e / (d.pe_cols * -(-e // d.pe_cols))
    return util_r * util_c


def _digital_layer(arch, workload, i):
    """(cycles, time ns, energy pJ) of layer i on the digital engine."""
    L, d = workload.layers, arch.digital
    macs = int(L.macs[i])
    util = _rs_utilization(arch, L.kernel[i], L.output_shape[i])
    cycles = -(-macs // max(1, int(d.pe_rows * d.pe_cols * util)))
    act_bytes = -(-arch.aimc.act_bits // 8)
    moved = (np.prod(L.input_shape[i]) + np.prod(L.output_shape[i])) * act_bytes \
        + L.weights[i] * -(-int(L.weight_bits[i]) // 8)
    moved /= max(1, workload.batch)
    return cycles, cycles * 1e3 / d.f_mhz, macs * d.e_mac_pj + moved * d.e_sram_pj_per_byte


def digital_ops_cost(arch, workload):
    """(time ns, energy pJ) of the non-weight digital work (utilisation 1)."""
    d = arch.digital
    work = sum(op.macs + op.ops for op in workload.digital)
    cycles = -(-work // (d.pe_rows * d.pe_cols))
    return cycles * 1e3 / d.f_mhz, work * d.e_mac_pj


def _reload(blocks, packing, arch):
    """(cells, rows) written per inference when the mapping exceeds the bank."""
    A, B = packing.arrays_used, arch.aimc.arrays
    if A <= B:
        return 0.0, 0.0
    area = blocks.height.astype(np.int64) * blocks.width
    fill = np.bincount(packing.array, weights=area, minlength=A)
    top = np.zeros(A)
    np.maximum.at(top, packing.array, (packing.y + blocks.height).astype(float))
    shared = np.argsort(fill, kind="stable")[: A - B + 1]
    batch = arch.schedule.batch
    return fill[shared].sum() / batch, top[shared].sum() / batch


def _evaluate(blocks, packing, workload, arch):
    L = workload.layers
    n_layers = len(L)
    t_vec, e_dac, e_adc, e_array, ops = block_costs(blocks, arch)
    vec = L.vectors[blocks.layer].astype(float)
    lay = blocks.layer
    per_layer = lambda v: np.bincount(lay, weights=v, minlength=n_layers)  # noqa: E731
    t_group, g_layer, g_array = _group_times(blocks, packing, t_vec,
                                             packing.arrays_used)
    t_group = t_group * L.vectors[g_layer]
    layer_time = np.zeros(n_layers)
    np.maximum.at(layer_time, g_layer, t_group)
    array_busy = np.bincount(g_array, weights=t_group, minlength=packing.arrays_used)
    touched = np.bincount(g_layer, minlength=n_layers)
    cycles = per_layer(ops * vec)
    energy = {"dac": per_layer(e_dac * vec), "adc": per_layer(e_adc * vec),
              "array": per_layer(e_array * vec), "digital": np.zeros(n_layers)}
    engine = np.full(n_layers, "aimc", dtype=object)
    digital_busy = 0.0
    for i in blocks.digital_layers:
        cyc, t, e = _digital_layer(arch, workload, int(i))
        cycles[i], layer_time[i], energy["digital"][i], engine[i] = cyc, t, e, "digital"
        digital_busy += t
    t_ops, e_ops = digital_ops_cost(arch, workload)
    cells, rows = _reload(blocks, packing, arch)
    t_write = rows * arch.aimc.t_write_row_ns
    latency_ns = layer_time.sum() + t_ops + t_write
    powered = min(packing.arrays_used, arch.aimc.arrays)
    p_static_uw = powered * arch.aimc.p_leak_uw_per_array + arch.digital.p_leak_uw
    parts = {k: float(v.sum()) for k, v in energy.items()}
    parts["digital"] += e_ops
    parts["write"] = cells * arch.aimc.e_write_pj_per_cell
    parts["leakage"] = p_static_uw * latency_ns * 1e-3        # uW x ns = 1e-3 pJ
    busiest = max([float(array_busy.max()) if array_busy.size else 0.0,
                   digital_busy + t_ops, t_write])
    macs = int(L.macs.sum()) + sum(op.macs for op in workload.digital)
    e_total = sum(parts.values())
    cells_all = packing.arrays_used * arch.aimc.array_rows * arch.aimc.array_cols
    totals = {
        "arrays_used": packing.arrays_used, "bank_arrays": arch.aimc.arrays,
        "blocks": len(blocks),
        "utilization": float(blocks.useful_cells.sum() / cells_all) if cells_all else 0.0,
        "macs": macs, "latency_ns": float(latency_ns), "latency_us": float(latency_ns / 1e3),
        "throughput_inf_per_s": 1e9 / busiest if busiest > 0 else float("inf"),
        "energy_pj": {k: float(v) for k, v in parts.items()},
        "energy_uj": float(e_total * 1e-6), "reloaded_cells": float(cells),
        "write_time_ns": float(t_write),
        "tops": float(2 * macs / latency_ns / 1e3) if latency_ns > 0 else 0.0,
        "tops_per_w": float(2 * macs / e_total) if e_total > 0 else 0.0,
    }
    layers = {"name": np.array(L.name, dtype=object), "kind": np.array(L.kind, dtype=object),
              "engine": engine, "vectors": L.vectors.copy(), "macs": L.macs.copy(),
              "blocks": np.bincount(lay, minlength=n_layers), "arrays_touched": touched,
              "cycles": cycles, "time_ns": layer_time,
              **{f"e_{k}_pj": v for k, v in energy.items()}}
    return layers, totals


def one_to_one(blocks: Blocks) -> Packing:
    """The baseline placement: every block alone at the corner of its own array."""
    n = len(blocks)
    zeros = np.zeros(n, dtype=np.int32)
    return Packing(np.arange(n, dtype=np.int32), zeros, zeros, np.zeros(n, dtype=bool),
                   blocks.width, blocks.height, blocks.array_cols, blocks.array_rows, n,
                   algorithm="one-to-one")


def cost(mapping, workload: Workload, arch, *, baseline: bool = True) -> CostReport:
    """Cost of a mapping (a Mapping, or a ``(blocks, packing)`` pair) of ``workload`` on
    ``arch`` (an Arch, a config path or a bundled name). See the module doc."""
    arch = load_arch(arch)
    blocks, packing = _unpack(mapping)
    if blocks.shape != arch.aimc.shape:
        raise ValueError(f"blocks were lowered for {blocks.shape} arrays but arch "
                         f"{arch.name!r} has {arch.aimc.shape} (rows x cols)")
    if packing.shape != blocks.shape:
        raise ValueError(f"the packing is for {packing.shape} arrays but the blocks were "
                         f"lowered for {blocks.shape} (rows x cols)")
    if len(packing) != len(blocks):
        raise ValueError(f"the packing places {len(packing)} rectangles but there are "
                         f"{len(blocks)} blocks")
    if not packing.placed.all():
        raise ValueError(f"{len(packing.unplaced)} blocks are unplaced (first: block "
                         f"{packing.unplaced[0]}); cost needs every block placed")
    layers, totals = _evaluate(blocks, packing, workload, arch)
    base = _evaluate(blocks, one_to_one(blocks), workload, arch)[1] if baseline else None
    return CostReport(layers=layers, totals=totals, baseline=base)
