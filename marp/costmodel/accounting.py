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
* More array images (A) than arrays in the bank (B): the residency schedule of
  :mod:`marp.costmodel.schedule` (pinned images, rotating slots, one step per wave of a
  layer, loads before the steps that need them, partial sums merged digitally between
  waves); blocks on one physical array never run at once. Traffic outside the arrays
  (activations of every layer, weight writes and fetches, partial sums) is counted by
  :mod:`marp.costmodel.memory`. When everything fits the same code runs with every image
  pinned and nothing loaded.
* Latency: the timeline of the steps (loads, overlapped when ``write_overlap`` allows),
  the digital work and the activation moves from DRAM, per inference of a batch.
  Throughput: when everything fits, 1 / the busiest array or engine (pipelined; an array
  serialises every layer it holds); else, with ``schedule.batch`` N > 1, the layers of a
  phase (the steps from one load to the next) pipeline over the batch: one input through
  the phase, then one more per period of its busiest macro or of the digital engine
  (:func:`marp.costmodel.schedule.pipelined_batch_ns`); with N = 1, 1 / latency.
  Leakage: static power of the powered arrays (or macros) and the engine over the
  latency, shared out by layer time.
* Macros with depth (``aimc.depth`` M > 1): the M images (slots) of a macro share its
  DACs, ADCs and op; a step's images on one macro serialise, macros run in parallel
  (:func:`macro_positions` says which macro each image is on).
"""
from __future__ import annotations

import csv
import dataclasses
import threading
import weakref
from dataclasses import dataclass, field

import numpy as np

from marp._compare import array_eq

from marp.costmodel import memory
from marp.costmodel.schedule import (Timeline, build, image_cells_rows, load_times,
                                     member_mask, pipelined_batch_ns, timeline)
from marp.hardware.arch import Arch, load_arch
from marp.workload.lowering import Blocks
from marp.packing import depth as depth_slots
from marp.packing.packer import Packing
from marp.workload.layers import Workload

ENERGY_PARTS = ("dac", "adc", "array", "digital", "act", "write", "fetch", "leakage")


@dataclass(frozen=True)
class CostReport:
    """Per-layer arrays (``layers``: name -> numpy array, one entry per workload layer),
    totals, and the same totals for the one-to-one baseline (``baseline``, or None).
    ``timeline``: when images rotate through a bank too small for them, a sequence of one
    dict per step of the schedule (layer, images, loaded images, load and compute
    start/end in ns from the first step, built on access); None when everything fits. It
    is not part of ``to_dict``."""

    layers: dict
    totals: dict
    baseline: dict | None
    timeline: list | None = field(default=None, compare=False)    # not in to_dict

    __eq__ = array_eq

    def __repr__(self) -> str:
        t = self.totals
        return (f"CostReport({len(self.layers.get('name', ()))} layers, "
                f"{t['latency_us']:.4g} us, {t['energy_uj']:.4g} uJ, "
                f"{t['arrays_used']} arrays on a bank of {t['bank_arrays']})")

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
    cycles = None
    if blocks.layer_act_bits is not None:        # per-layer input precision
        cycles = -(-blocks.layer_act_bits[blocks.layer] // a.dac_bits)
    ops = a.array_ops(r, c, cycles)
    e_dac, e_adc, e_array = a.vector_energy_pj(r, c, cycles)
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
    uniq, inv = np.unique(key, return_inverse=True)
    inv = inv.ravel()
    serial = np.zeros(uniq.size, dtype=bool)               # groups whose blocks serialise
    o = np.lexsort((x, key))                               # columns pairwise disjoint
    same = key[o][1:] == key[o][:-1]
    serial[inv[o][1:][same & (x[o][1:] < (x + w)[o][:-1])]] = True
    o = np.lexsort((segment, h, y, key))                   # overlapping rows: same input
    same = key[o][1:] == key[o][:-1]
    overlap = same & (y[o][1:] < (y + h)[o][:-1])
    identical = (y[o][1:] == y[o][:-1]) & (h[o][1:] == h[o][:-1]) & \
        (segment[o][1:] == segment[o][:-1])
    serial[inv[o][1:][overlap & ~identical]] = True
    t_sum = np.bincount(inv, weights=t_vec, minlength=uniq.size)
    t_max = np.zeros(uniq.size)
    np.maximum.at(t_max, inv, t_vec)
    t_group = np.where(serial, t_sum, t_max)
    return t_group, uniq // n, uniq % n


def _rs_utilization(arch, kernel, out_shape):
    d = arch.digital
    kh = kernel[0] if kernel else 1
    e = out_shape[2] if len(out_shape) > 2 else 1
    util_r = kh / (d.pe_rows * -(-kh // d.pe_rows)) if kh > d.pe_rows else \
        (d.pe_rows // kh) * kh / d.pe_rows
    util_c = e / (d.pe_cols * -(-e // d.pe_cols))
    return util_r * util_c


def _digital_layer(arch, workload, i, act_bits=None):
    """(cycles, time ns, energy pJ) of layer i on the digital engine (``act_bits``: its
    input precision, default the arch's)."""
    L, d = workload.layers, arch.digital
    macs = int(L.macs[i])
    util = _rs_utilization(arch, L.kernel[i], L.output_shape[i])
    cycles = -(-macs // max(1, int(d.pe_rows * d.pe_cols * util)))
    act_bytes = -(-(act_bits or arch.aimc.act_bits) // 8)
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


_FIXED_CACHE: dict = {}     # the capacity search and sweeps cost one workload many times
_FIXED_LOCK = threading.Lock()


def _fixed(blocks, workload, arch) -> dict:
    """The parts of a cost that no packing changes: per block its time per vector and
    array ops; per layer the analog energies, the digital engine's work and the
    activation traffic; the non-weight digital work. Read-only arrays, remembered for
    the last few (blocks, workload, arch) triples."""
    # the bank size changes none of it (a sweep's points differ by it)
    aimc = dataclasses.replace(arch.aimc, arrays=1)
    key = (id(blocks), id(workload), workload.batch, aimc, arch.digital, arch.memory)
    hit = _FIXED_CACHE.get(key)         # a dict lookup: safe beside other threads
    if hit is not None and hit[0]() is blocks and hit[1]() is workload:
        return hit[2]
    L, n = workload.layers, len(workload.layers)
    t_vec, e_dac, e_adc, e_array, ops = block_costs(blocks, arch)
    vec = L.vectors[blocks.layer].astype(float)
    per_layer = lambda v: np.bincount(blocks.layer, weights=v * vec, minlength=n)  # noqa: E731
    d_cycles, d_time, d_energy = np.zeros(n), np.zeros(n), np.zeros(n)
    act = blocks.layer_act_bits
    for i in blocks.digital_layers:
        d_cycles[i], d_time[i], d_energy[i] = _digital_layer(
            arch, workload, int(i), None if act is None else int(act[i]))
    engine = np.full(n, "aimc", dtype=object)
    engine[blocks.digital_layers] = "digital"
    act_e, act_t = memory.layer_activations(arch, workload, act)
    t_ops, e_ops = digital_ops_cost(arch, workload)
    e_ops_act, t_ops_act = memory.ops_activations(arch, workload)
    out = {"t_vec": t_vec, "dac": per_layer(e_dac), "adc": per_layer(e_adc),
           "array": per_layer(e_array), "cycles": per_layer(ops) + d_cycles,
           "d_time": d_time, "d_energy": d_energy, "engine": engine, "act_e": act_e,
           "act_t": act_t, "ops": (t_ops, e_ops, e_ops_act, t_ops_act),
           "weight_bits": (np.full(n, arch.aimc.weight_bits, dtype=np.int64)
                           if blocks.layer_weight_bits is None else
                           blocks.layer_weight_bits.astype(np.int64)),
           "act_bits": (np.full(n, arch.aimc.act_bits, dtype=np.int64) if act is None
                        else act.astype(np.int64))}
    for v in out.values():
        if isinstance(v, np.ndarray):
            v.setflags(write=False)
    with _FIXED_LOCK:
        if len(_FIXED_CACHE) >= 32:
            _FIXED_CACHE.pop(next(iter(_FIXED_CACHE)))
        _FIXED_CACHE[key] = (weakref.ref(blocks), weakref.ref(workload), out)
    return out


def macro_positions(sched, slots, n_images: int, depth: int):
    """(macro of each image while pinned, macro of each rotating slot, macros powered,
    depth).

    When everything fits, ``slots`` (default: stacked, or one macro per image at depth 1)
    places the images. Else the pinned images fill the bank's slots in order, macro by
    macro, and the rotating slots follow them."""
    if sched.fits:
        if slots is None and depth == 1:            # every image its own array
            return np.arange(max(1, n_images)), np.zeros(0, dtype=np.int64), n_images, 1
        if slots is None:
            slots = depth_slots.stacked(n_images, depth)
        return slots.macro.astype(np.int64), np.zeros(0, dtype=np.int64), \
            slots.macros_used, depth
    P, R = sched.pinned_arrays, sched.rotating_arrays
    pin_macro = np.zeros(max(1, n_images), dtype=np.int64)
    pin_macro[list(sched.pinned)] = np.arange(P) // depth
    return pin_macro, (P + np.arange(R)) // depth, -(-(P + R) // depth), depth


def _steps(sched, t_group, g_layer, g_image, n_images, macros):
    """Per step, its compute time per inference (ns): its images on one macro serialise
    (the sum), macros run in parallel (the slowest); the layer's pinned images count in
    its first step. Also per layer the waves (steps with rotating images) and per
    rotating (layer, image) key its wave number. ``macros``: from
    :func:`macro_positions`."""
    pin_macro, rot_macro = macros[0], macros[1]
    A = max(1, n_images)
    gkey = g_layer.astype(np.int64) * A + g_image
    order = np.argsort(gkey)
    gkey, t_sorted = gkey[order], t_group[order]
    sizes = np.diff(sched.step_ptr)
    n = sizes.size
    img_step = np.repeat(np.arange(n), sizes)
    img_key = sched.step_layer[img_step].astype(np.int64) * A + sched.step_img
    t_img = t_sorted[np.searchsorted(gkey, img_key)]
    n_layers = max(int(g_layer.max()) + 1 if g_layer.size else 0,
                   int(sched.step_layer.max()) + 1 if n else 0)
    first = np.flatnonzero(np.r_[True, sched.step_layer[1:] != sched.step_layer[:-1]]) \
        if n else np.zeros(0, dtype=np.int64)
    first_of_layer = np.full(max(1, n_layers), -1, dtype=np.int64)
    first_of_layer[sched.step_layer[first]] = first
    pin = member_mask(sched.pinned, n_images)[g_image]
    e_step = np.concatenate([img_step, first_of_layer[g_layer[pin]]])
    e_macro = np.concatenate([rot_macro[sched.step_slot], pin_macro[g_image[pin]]])
    e_t = np.concatenate([t_img, t_group[pin]])
    keep = e_step >= 0                       # layers left out of the order have no step
    e_step, e_macro, e_t = e_step[keep], e_macro[keep], e_t[keep]
    if macros[3] > 1:                        # slots of a macro: their times add
        M = int(e_macro.max()) + 1 if e_macro.size else 1
        uniq, inv = np.unique(e_step * M + e_macro, return_inverse=True)
        e_step, e_macro = uniq // M, uniq % M
        e_t = np.bincount(inv.ravel(), weights=e_t)
    step_ns = np.zeros(n)                    # depth 1: one entry per (step, array)
    np.maximum.at(step_ns, e_step, e_t)
    first_of = np.repeat(first, np.diff(np.r_[first, n]))
    wave = (img_step - first_of[img_step]) if n else img_step
    waves = np.bincount(sched.step_layer[sizes > 0], minlength=n_layers)
    return step_ns, waves, (img_key, wave), (e_step, e_macro, e_t)


def _merge_outputs(blocks, packing, wave_keys, waves, n_layers):
    """Per layer, the partial-sum merges per vector: for each output tile (layer, job,
    column tile, slice) whose row tiles ran in k > 1 waves, k - 1 adds per output column."""
    out = np.zeros(n_layers)
    split = np.flatnonzero(waves > 1)
    if not split.size:
        return out
    sel = np.flatnonzero(member_mask(split, n_layers)[blocks.layer])
    layer = blocks.layer[sel].astype(np.int64)
    A = max(1, packing.arrays_used)
    img_key, img_wave = wave_keys
    o = np.argsort(img_key)
    key = layer * A + packing.array[sel]
    at = np.clip(np.searchsorted(img_key[o], key), 0, max(0, img_key.size - 1))
    hit = img_key[o][at] == key if img_key.size else np.zeros(key.size, dtype=bool)
    wave = np.where(hit, img_wave[o][at] if img_key.size else 0, 0)   # pinned: wave 0
    cols = blocks.width[sel] // np.where(blocks.slice[sel] < 0,
                                         blocks.layer_slices[layer], 1)
    key = layer
    for part in (blocks.job[sel], blocks.col_tile[sel], blocks.slice[sel] + 1):
        part = part.astype(np.int64)
        key = key * (int(part.max()) + 1) + part               # one integer per tile
    _, tile_id = np.unique(key, return_inverse=True)
    tile_id = tile_id.ravel()
    pairs = np.unique(tile_id * (int(wave.max()) + 1) + wave)
    spans = np.bincount(pairs // (int(wave.max()) + 1))     # waves each tile spans
    lead = np.unique(tile_id, return_index=True)[1]
    np.add.at(out, layer[lead], (spans - 1) * cols[lead])
    return out


def _between(sched, order, extra_ns):
    """Per step, the work of layers without steps (digital) that follows it in ``order``,
    and the work before the first step."""
    layers = sched.step_layer.tolist()
    after = np.zeros(len(layers))
    last_of = {layer: s for s, layer in enumerate(layers)}
    lead, k = 0.0, -1
    for layer in order:
        if layer in last_of:
            k = last_of[layer]
        elif k < 0:
            lead += extra_ns[layer]
        else:
            after[k] += extra_ns[layer]
    return after, lead


def _layer_costs(blocks, packing, workload, arch, sched, image_cells, macros):
    """Per layer: cycles, time (ns), energy parts (pJ), engine; per step: compute time."""
    L, n = workload.layers, len(workload.layers)
    f = _fixed(blocks, workload, arch)
    t_group, g_layer, g_image = _group_times(blocks, packing, f["t_vec"],
                                             packing.arrays_used)
    t_group = t_group * L.vectors[g_layer]
    step_ns, waves, wave_keys, step_macro = _steps(sched, t_group, g_layer, g_image,
                                                   packing.arrays_used, macros)
    waves = np.pad(waves, (0, max(0, n - waves.size)))[:n]
    merges = _merge_outputs(blocks, packing, wave_keys, waves, n)
    write, fetch, cells, source = memory.weight_traffic(blocks, packing, sched, arch, n,
                                                        image_cells)
    merge_e, merge_t = memory.psum_merges(arch, L.vectors * merges)
    # activation moves are a column of their own, outside the layer's compute time
    layer_time = np.bincount(sched.step_layer, weights=step_ns, minlength=n) + \
        f["d_time"] + merge_t
    extra = f["d_time"] + merge_t + f["act_t"]
    # copies: the report's tables are the caller's to change
    energy = {"dac": f["dac"].copy(), "adc": f["adc"].copy(), "array": f["array"].copy(),
              "digital": f["d_energy"] + merge_e, "act": f["act_e"].copy(),
              "write": write, "fetch": fetch}
    return dict(cycles=f["cycles"].copy(), time=layer_time, energy=energy,
                engine=f["engine"].copy(), step_ns=step_ns, step_macro=step_macro,
                extra=extra,
                act_time=f["act_t"].copy(), cells=cells, source=source, waves=waves,
                touched=np.bincount(g_layer, minlength=n),
                busy=np.bincount(macros[0][g_image], weights=t_group),   # per macro
                ops=f["ops"], bits=(f["weight_bits"].copy(), f["act_bits"].copy()))


def _timing(sched, c, order, arch, blocks, ops_ns, cells, rows):
    """(latency ns per inference, batch time ns, load time ns, throughput inf/s, the
    timeline's events); ``cells``, ``rows``: of each image."""
    N = arch.schedule.batch
    load_ns = load_times(sched, rows, cells, arch, c["source"][1])
    # a layer's extra work (digital engine, activation moves, merges) follows its steps
    after, lead = _between(sched, order, c["extra"])
    sl = sched.step_layer
    last = np.flatnonzero(np.r_[sl[1:] != sl[:-1], True]) if sl.size else sl
    step_extra = np.zeros(sl.size)
    step_extra[last] = c["extra"][sl[last]]
    events = []
    t_batch = timeline(sched, c["step_ns"], load_ns, N, after + step_extra, events) \
        + N * (lead + ops_ns)
    latency = t_batch / N
    if sched.fits:
        busiest = max(float(c["busy"].max()) if c["busy"].size else 0.0,
                      float(c["time"][blocks.digital_layers].sum()) + ops_ns)
    elif N > 1:             # the layers of a phase pipeline over the batch
        busiest = (pipelined_batch_ns(sched, c["step_ns"], load_ns, N, after + step_extra,
                                      c["step_macro"]) + N * (lead + ops_ns)) / N
    else:
        busiest = latency
    throughput = float(1e9 / busiest) if busiest > 0 else float("inf")
    return latency, t_batch, float(sum(load_ns)), throughput, events


def _evaluate(blocks, packing, workload, arch, order=None, pinned=None, slots=None):
    L, n = workload.layers, len(workload.layers)
    order = list(range(n)) if order is None else [int(i) for i in order]
    cells, rows = image_cells_rows(blocks, packing)         # once, for all the parts
    sched = build(blocks, packing, n, order, arch.aimc.slots, pinned=pinned,
                  overlap=arch.aimc.write_overlap, cells=cells)
    macros = macro_positions(sched, slots, packing.arrays_used, arch.aimc.depth)
    c = _layer_costs(blocks, packing, workload, arch, sched, cells, macros)
    t_ops, e_ops, e_ops_act, t_ops_act = c["ops"]
    latency_ns, t_batch, load_ns, throughput, events = _timing(
        sched, c, order, arch, blocks, t_ops + t_ops_act, cells, rows)
    powered = macros[2]                # macros (arrays) holding images
    p_static_uw = powered * arch.aimc.p_leak_uw_per_array + arch.digital.p_leak_uw
    leakage = p_static_uw * latency_ns * 1e-3                  # uW x ns = 1e-3 pJ
    layer_busy = c["time"] + c["act_time"]
    busy = layer_busy.sum() + t_ops + t_ops_act
    c["energy"]["leakage"] = leakage * layer_busy / busy if busy > 0 else np.zeros(n)
    parts = {k: float(v.sum()) for k, v in c["energy"].items()}
    parts["digital"] += e_ops
    parts["act"] += e_ops_act
    parts["leakage"] = leakage
    totals = _totals(blocks, packing, workload, arch, sched, c, parts)
    totals.update(macros_used=int(powered), depth=arch.aimc.depth,
                  bank_slots=arch.aimc.slots)
    totals.update(latency_ns=float(latency_ns), latency_us=float(latency_ns / 1e3),
                  batch_time_ns=float(t_batch), write_time_ns=float(load_ns),
                  throughput_inf_per_s=throughput,
                  tops=float(2 * totals["macs"] / latency_ns / 1e3) if latency_ns > 0 else 0.0)
    steps = None if sched.fits else Timeline(sched, L.name, events)
    layers = {"name": np.array(L.name, dtype=object), "kind": np.array(L.kind, dtype=object),
              "engine": c["engine"], "weight_bits": c["bits"][0], "act_bits": c["bits"][1],
              "vectors": L.vectors.copy(), "macs": L.macs.copy(),
              "blocks": np.bincount(blocks.layer, minlength=n), "arrays_touched": c["touched"],
              "cycles": c["cycles"], "time_ns": c["time"], "act_time_ns": c["act_time"],
              **{f"e_{k}_pj": v for k, v in c["energy"].items()}}
    return layers, totals, steps


def _totals(blocks, packing, workload, arch, sched, c, parts):
    L = workload.layers
    macs = int(L.macs.sum()) + sum(op.macs for op in workload.digital)
    e_total = sum(parts.values())
    cells_all = packing.arrays_used * arch.aimc.array_rows * arch.aimc.array_cols
    written = float(c["cells"].sum())
    worn = int(sched.slot_writes.max()) if sched.slot_writes.size else 0
    life = arch.aimc.endurance_cycles * arch.schedule.batch / worn \
        if worn and arch.aimc.endurance_cycles > 0 else None
    return {
        "arrays_used": packing.arrays_used, "bank_arrays": arch.aimc.arrays,
        "blocks": len(blocks), "phases": sched.phases,
        "pinned_arrays": sched.pinned_arrays if not sched.fits else packing.arrays_used,
        "rotating_arrays": sched.rotating_arrays if not sched.fits else 0,
        "utilization": float(blocks.useful_cells.sum() / cells_all) if cells_all else 0.0,
        "macs": macs, "energy_pj": {k: float(v) for k, v in parts.items()},
        "energy_uj": float(e_total * 1e-6), "reloaded_cells": written,
        "cells_written_per_inference": written,
        "weight_bytes_fetched_per_inference": written * arch.aimc.cell_bits / 8,
        "weight_source": c["source"][2] if written else None,
        "waves": int(np.maximum(c["waves"] - 1, 0).sum()),
        "lifetime_inferences": life,
        "tops_per_w": float(2 * macs / e_total) if e_total > 0 else 0.0,
    }


def one_to_one(blocks: Blocks) -> Packing:
    """The baseline placement: every block alone at the corner of its own array."""
    n = len(blocks)
    zeros = np.zeros(n, dtype=np.int32)
    return Packing(np.arange(n, dtype=np.int32), zeros, zeros, np.zeros(n, dtype=bool),
                   blocks.width, blocks.height, blocks.array_cols, blocks.array_rows, n,
                   algorithm="one-to-one")


def cost(mapping, workload: Workload, arch, *, baseline: bool = True, order=None,
         pinned=None, slots=None) -> CostReport:
    """Cost of a mapping of ``workload`` on ``arch``. See the module doc.

    Parameters
    ----------
    mapping : Mapping or (Blocks, Packing)
    workload : Workload
    arch : Arch, str or path
        An Arch, a config path or a bundled name.
    baseline : bool
        Also cost the one-to-one baseline (``report.baseline``).
    order : sequence of int or None
        The layers' execution order (default: their order in ``workload``).
    pinned : sequence of int or None
        Images kept resident when the mapping has more images than the bank has arrays
        (default: the fullest ``bank - 1``; see :mod:`marp.costmodel.schedule`).
    slots : Slots or None
        The macro and slot of each image when the arrays have depth (``aimc.depth`` > 1;
        default: a Mapping's own, else stacked, :func:`marp.assign_slots`). Used when
        every image fits the bank's ``arrays * depth`` slots.

    Returns
    -------
    CostReport
    """
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
    if slots is None:
        slots = getattr(mapping, "slots", None)
    if slots is not None and packing.arrays_used <= arch.aimc.slots:
        if slots.depth != arch.aimc.depth:
            raise ValueError(f"slots were assigned for depth {slots.depth} but arch "
                             f"{arch.name!r} has aimc.depth {arch.aimc.depth}")
        depth_slots.verify_slots(slots, packing.arrays_used, arch.aimc.arrays)
    layers, totals, steps = _evaluate(blocks, packing, workload, arch, order, pinned, slots)
    base = _evaluate(blocks, one_to_one(blocks), workload, arch, order)[1] if baseline \
        else None
    return CostReport(layers=layers, totals=totals, baseline=base, timeline=steps)
