"""Traffic outside the arrays: activations between layers, weights into the arrays, and
partial sums between the waves of a layer (see ``memory`` in the config).

* **Activations**: every layer (analog or digital) reads its input and writes its output,
  ``act_bits`` per element, packed. Both sit in the activation buffer when together they
  fit in it, else in DRAM (energy per bit; the time of moving them at the DRAM bandwidth
  is added to the layer).
* **Weights**: the cells of every image loaded by the schedule are written
  (``e_write_pj_per_cell``) and fetched, from the weight buffer when every rotating weight
  fits in it, else from DRAM. Each layer carries the share of a load that its blocks hold
  in the loaded image, so per-layer (and per-model) rows add up to the totals.
* **Partial sums**: when the row tiles of an output tile run in k > 1 waves, its partial
  sums (``psum_bits`` each) are kept between waves and merged: k - 1 digital adds per
  output column and vector, each with a write and a read in the engine's SRAM. Column
  tiles in different waves produce different outputs and merge nothing.
"""
from __future__ import annotations

import math

import numpy as np


def _bytes(shape, act_bits: int) -> float:
    return float(math.prod(shape)) * act_bits / 8     # packed: 4-bit activations, 1/2 byte


def _moves(arch, moved):
    """(energy pJ, time ns) of moving ``moved`` bytes of activations (a number or an
    array): in the activation buffer when they fit in it, else through DRAM."""
    m = arch.memory
    buffered = np.asarray(moved) <= m.act_buffer_bytes
    e = moved * 8 * np.where(buffered, m.act_buffer_e_pj_per_bit, m.dram_e_pj_per_bit)
    return e, np.where(buffered, 0.0, moved / m.dram_gb_per_s)


def activation_traffic(arch, shapes) -> tuple[float, float]:
    """(energy pJ, time ns) of moving one layer's input and output activations; ``shapes``
    is the list of tensor shapes it reads and writes in one run of the graph."""
    e, t = _moves(arch, sum(_bytes(s, arch.aimc.act_bits) for s in shapes))
    return float(e), float(t)


def layer_activations(arch, workload, act_bits=None) -> tuple[np.ndarray, np.ndarray]:
    """Per layer of ``workload``: (energy pJ, time ns) of its activation traffic;
    ``act_bits``: per layer (default the arch's for all)."""
    L, b = workload.layers, max(1, workload.batch)
    elems = np.array([math.prod(s) + math.prod(o)
                      for s, o in zip(L.input_shape, L.output_shape)], dtype=float)
    bits = arch.aimc.act_bits if act_bits is None else np.asarray(act_bits, dtype=float)
    e, t = _moves(arch, elems * bits / 8)
    return e / b, t / b


def ops_activations(arch, workload) -> tuple[float, float]:
    """(energy pJ, time ns) of the activation traffic of the non-weight digital work."""
    b = max(1, workload.batch)
    parts = [activation_traffic(arch, [*op.input_shapes, op.output_shape])
             for op in workload.digital]
    return sum(p[0] for p in parts) / b, sum(p[1] for p in parts) / b


def weight_source(arch, rotating_cells: float):
    """(energy pJ per bit, GB/s, name) of where rotating weights come from."""
    m = arch.memory
    if rotating_cells * arch.aimc.cell_bits / 8 <= m.weight_buffer_bytes:
        return m.weight_buffer_e_pj_per_bit, m.weight_buffer_gb_per_s, "weight buffer"
    return m.dram_e_pj_per_bit, m.dram_gb_per_s, "DRAM"


def weight_traffic(blocks, packing, sched, arch, n_layers, image_cells):
    """Per layer (write pJ, fetch pJ, cells written) per inference, and the source used;
    ``image_cells``: the cells of each image (:func:`schedule.image_cells_rows`)."""
    A = packing.arrays_used
    loads = np.bincount(sched.load_img, minlength=A).astype(float)
    area = blocks.height.astype(np.float64) * blocks.width
    rotating = np.ones(A, dtype=bool)
    rotating[list(sched.pinned)] = False
    e_bit, gb_per_s, source = weight_source(arch, float(image_cells[rotating].sum()))
    batch = arch.schedule.batch
    cells = np.bincount(blocks.layer, weights=area * loads[packing.array],
                        minlength=n_layers) / batch
    write = cells * arch.aimc.e_write_pj_per_cell
    fetch = cells * arch.aimc.cell_bits * e_bit
    return write, fetch, cells, (e_bit, gb_per_s, source)


def psum_merges(arch, adds):
    """(energy pJ, time ns) of ``adds`` partial-sum additions between waves (a number or
    an array, e.g. per layer): a digital add each, and a write and a read of the
    ``psum_bits`` partial sum in SRAM."""
    d = arch.digital
    adds = np.maximum(np.asarray(adds, dtype=float), 0.0)
    moved = 2 * adds * d.psum_bits / 8
    cycles = np.ceil(adds / (d.pe_rows * d.pe_cols))
    return adds * d.e_mac_pj + moved * d.e_sram_pj_per_byte, cycles * 1e3 / d.f_mhz
