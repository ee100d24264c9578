"""Macros with cell-group depth (aimc.depth): slots of a macro serialise, macros run in
parallel. Cases computed by hand on 8x8 arrays of qracc (one op of 50 ns per vector
through a full block, 8-bit inputs on 8-bit DACs)."""
import numpy as np
import pytest

import marp
from marp.costmodel.accounting import cost
from marp.packing.depth import Slots
from marp.workload.layers import Layers, Workload
from tiny_blocks import blocks_of

T_OP = 50.0


def tiny_arch(macros, depth, **more):
    a = marp.load_arch("qracc")
    return a.with_values({**a.geometry_values(8, 8), "aimc.arrays": macros,
                          "aimc.depth": depth, "aimc.p_leak_uw_per_array": 0.0,
                          "digital.p_leak_uw": 0.0, "memory.act_buffer_bytes": 1 << 30,
                          **more})


def fc(n_layers, vectors=3):
    recs = [dict(name=f"fc{i}", op="MatMul", kind="fc", groups=1, kernel=(), strides=(),
                 dilations=(), pads=(), input_shape=(1, 16), output_shape=(1, 4),
                 rows=16, cols=4, vectors=vectors, macs=vectors * 64, weights=64,
                 weight_bits=8, weight_path="init->MatMul", node_index=i)
            for i in range(n_layers)]
    return Workload("fcs", "t", Layers.from_records(recs))


def compute_ns(report):
    return float(report.layers["time_ns"].sum())


def test_two_tiles_in_two_slots_of_one_macro_take_the_sum():
    b, p = blocks_of([0, 0], [0, 1], [0, 0])     # one layer, two row tiles, 3 vectors each
    r = cost((b, p), fc(1), tiny_arch(1, 2), baseline=False)
    assert compute_ns(r) == pytest.approx(2 * 3 * T_OP)
    assert r.totals["macros_used"] == 1 and r.totals["bank_slots"] == 2


def test_two_tiles_in_two_macros_take_the_max():
    b, p = blocks_of([0, 0], [0, 1], [0, 0])
    spread = Slots(np.array([0, 1], dtype=np.int32), np.zeros(2, dtype=np.int32), 2)
    r = cost((b, p), fc(1), tiny_arch(2, 2), baseline=False, slots=spread)
    assert compute_ns(r) == pytest.approx(3 * T_OP)
    assert r.totals["macros_used"] == 2


def test_depth_one_is_the_flat_model():
    b, p = blocks_of([0, 0, 1], [0, 1, 0], [0, 0, 0])
    flat = cost((b, p), fc(2), tiny_arch(3, 1), baseline=False).totals
    assert flat["latency_ns"] == pytest.approx(
        cost((b, p), fc(2), marp.load_arch("qracc").with_values(
            {**marp.load_arch("qracc").geometry_values(8, 8), "aimc.arrays": 3,
             "aimc.p_leak_uw_per_array": 0.0, "digital.p_leak_uw": 0.0,
             "memory.act_buffer_bytes": 1 << 30}), baseline=False).totals["latency_ns"])
    assert flat["macros_used"] == 3 and flat["depth"] == 1


def test_layers_on_one_macro_are_sequential_anyway():
    """Two one-tile layers in two slots of one macro: each layer's time is its tile's,
    the inference the sum, as on two flat arrays (the layers run in turn)."""
    b, p = blocks_of([0, 1], [0, 0], [0, 0])
    r = cost((b, p), fc(2), tiny_arch(1, 2), baseline=False)
    assert compute_ns(r) == pytest.approx(2 * 3 * T_OP)


def test_a_mapping_larger_than_every_slot_goes_through_the_schedule():
    """Three images on one macro of two slots: one image is written per inference."""
    b, p = blocks_of([0, 1, 2], [0, 0, 0], [0, 0, 0])
    t = cost((b, p), fc(3), tiny_arch(1, 2), baseline=False).totals
    assert t["cells_written_per_inference"] > 0 and t["phases"] >= 1
    fits = cost((b, p), fc(3), tiny_arch(2, 2), baseline=False).totals
    assert fits["cells_written_per_inference"] == 0 and fits["macros_used"] == 2


def test_slots_for_another_depth_are_refused():
    b, p = blocks_of([0, 0], [0, 1], [0, 0])
    wrong = Slots(np.array([0, 0], dtype=np.int32), np.array([0, 1], dtype=np.int32), 4)
    with pytest.raises(ValueError, match="depth 4"):
        cost((b, p), fc(1), tiny_arch(1, 2), slots=wrong)
    clash = Slots(np.array([0, 0], dtype=np.int32), np.array([0, 0], dtype=np.int32), 2)
    with pytest.raises(ValueError, match="holds 2 images"):
        cost((b, p), fc(1), tiny_arch(1, 2), slots=clash)
