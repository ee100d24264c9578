"""The residency schedule when the blocks need more arrays than the bank has: cases
computed by hand, and properties over random workloads."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import marp
from marp.costmodel.accounting import cost
from marp.workload.layers import Layers, Workload
from tiny_blocks import blocks_of

T_OP, T_ROW, E_WRITE, E_DRAM = 50.0, 5.0, 0.011875, 20.0      # qracc's numbers


def tiny_arch(bank, **more):
    """qracc with 8x8 arrays: one op per vector on a full block, no leakage."""
    a = marp.load_arch("qracc")
    return a.with_values({**a.geometry_values(8, 8), "aimc.arrays": bank,
                          "aimc.p_leak_uw_per_array": 0.0, "digital.p_leak_uw": 0.0, **more})


def fc_layers(n, vectors=3):
    recs = [dict(name=f"fc{i}", op="MatMul", kind="fc", groups=1, kernel=(), strides=(),
                 dilations=(), pads=(), input_shape=(1, 8), output_shape=(1, 4),
                 rows=8, cols=4, vectors=vectors, macs=vectors * 32, weights=32,
                 weight_bits=8, weight_path="init->MatMul", node_index=i) for i in range(n)]
    return Workload("fcs", "t", Layers.from_records(recs))


LOAD_NS = 8 * T_ROW              # 8 rows written; fetching 64 bits takes 0.6 ns, less


def test_two_one_array_layers_on_a_one_array_bank():
    w = fc_layers(2, vectors=3)
    b, p = blocks_of([0, 1], [0, 0], [0, 0])
    r = cost((b, p), w, tiny_arch(1), baseline=False)
    t = r.totals
    # steady state: image 0 written, layer 0 runs, image 1 written, layer 1 runs
    assert t["latency_ns"] == pytest.approx(2 * (LOAD_NS + 3 * T_OP))
    assert t["phases"] == 2 and t["cells_written_per_inference"] == 128
    assert t["energy_pj"]["write"] == pytest.approx(128 * E_WRITE)
    assert t["energy_pj"]["fetch"] == pytest.approx(128 * 1 * E_DRAM)      # 1 bit per cell
    assert t["weight_bytes_fetched_per_inference"] == 16
    fits = cost((b, p), w, tiny_arch(2), baseline=False).totals
    assert fits["latency_ns"] == pytest.approx(2 * 3 * T_OP)
    assert fits["energy_pj"]["write"] == fits["energy_pj"]["fetch"] == 0


def test_one_layer_of_four_blocks_on_a_one_array_bank():
    w = fc_layers(1, vectors=3)
    b, p = blocks_of([0, 0, 0, 0], [0, 0, 0, 0], [0, 1, 2, 3])        # column tiles
    r = cost((b, p), w, tiny_arch(1), baseline=False)
    assert r.layers["time_ns"][0] == pytest.approx(4 * 3 * T_OP)       # the sum, not max
    assert r.totals["latency_ns"] == pytest.approx(4 * (LOAD_NS + 3 * T_OP))
    assert r.totals["waves"] == 3
    fits = cost((b, p), w, tiny_arch(4), baseline=False)
    assert fits.layers["time_ns"][0] == pytest.approx(3 * T_OP)        # in parallel


def test_row_tiles_in_waves_merge_their_partial_sums():
    w = fc_layers(1, vectors=3)
    b, p = blocks_of([0, 0, 0, 0], [0, 1, 2, 3], [0, 0, 0, 0])        # row tiles
    arch = tiny_arch(1)
    d = arch.digital
    r = cost((b, p), w, arch, baseline=False)
    adds = 3 * (8 // 2) * 3          # vectors x output columns (8 cells / 2 slices) x merges
    merge_ns = math.ceil(adds / (d.pe_rows * d.pe_cols)) * 1e3 / d.f_mhz
    assert r.layers["time_ns"][0] == pytest.approx(4 * 3 * T_OP + merge_ns)
    assert r.layers["e_digital_pj"][0] == pytest.approx(
        adds * d.e_mac_pj + 2 * adds * d.psum_bits / 8 * d.e_sram_pj_per_byte)


def test_batch_divides_write_and_fetch_and_nothing_else():
    w = fc_layers(2)
    b, p = blocks_of([0, 1], [0, 0], [0, 0])
    one = cost((b, p), w, tiny_arch(1), baseline=False).totals["energy_pj"]
    four = cost((b, p), w, tiny_arch(1, **{"schedule.batch": 4}),
                baseline=False).totals["energy_pj"]
    for part, value in one.items():
        expected = value / 4 if part in ("write", "fetch") else value
        assert four[part] == pytest.approx(expected), part


def test_overlapped_writes_hide_behind_compute():
    w = fc_layers(3, vectors=3)
    b, p = blocks_of([0, 1, 2], [0, 0, 0], [0, 0, 0])
    plain = cost((b, p), w, tiny_arch(2), baseline=False, pinned=()).totals
    pingpong = cost((b, p), w, tiny_arch(2, **{"aimc.write_overlap": True}),
                    baseline=False, pinned=()).totals
    assert pingpong["latency_ns"] < plain["latency_ns"]
    assert pingpong["cells_written_per_inference"] == plain["cells_written_per_inference"]


def test_endurance_gives_a_lifetime():
    w = fc_layers(2)
    b, p = blocks_of([0, 1], [0, 0], [0, 0])
    arch = tiny_arch(1, **{"aimc.endurance_cycles": 1e6})
    t = cost((b, p), w, arch, baseline=False).totals
    assert t["lifetime_inferences"] == pytest.approx(1e6 / 2)       # the slot takes 2 writes
    assert cost((b, p), w, tiny_arch(2, **{"aimc.endurance_cycles": 1e6}),
                baseline=False).totals["lifetime_inferences"] is None


@st.composite
def workloads(draw):
    n = draw(st.integers(1, 5))
    recs = []
    for i in range(n):
        rows, cols = draw(st.integers(1, 40)), draw(st.integers(1, 6))
        vec = draw(st.integers(1, 20))
        recs.append(dict(name=f"l{i}", op="MatMul", kind="fc", groups=1, kernel=(),
                         strides=(), dilations=(), pads=(), input_shape=(1, rows),
                         output_shape=(1, cols), rows=rows, cols=cols, vectors=vec,
                         macs=vec * rows * cols, weights=rows * cols, weight_bits=8,
                         weight_path="init->MatMul", node_index=i))
    return Workload("w", "t", Layers.from_records(recs))


@settings(deadline=None)
@given(workloads(), st.sampled_from([(8, 8), (16, 8), (16, 32)]), st.booleans(),
       st.integers(1, 3))
def test_shrinking_the_bank_never_helps_and_a_fitting_bank_changes_nothing(
        w, geometry, overlap, batch):
    base = tiny_arch(1).with_values({**marp.load_arch("qracc").geometry_values(*geometry),
                                     "aimc.write_overlap": overlap,
                                     "schedule.batch": batch})
    b = marp.lower(w, array=geometry, weight_bits=8, cell_bits=1)
    p = marp.pack(b.width, b.height, array=geometry)
    A = p.arrays_used
    runs = {bank: cost((b, p), w, base.with_values({"aimc.arrays": bank}),
                       baseline=False).totals for bank in range(1, A + 3)}
    for bank in range(1, A + 2):
        big, small = runs[bank + 1], runs[bank]
        assert small["latency_ns"] >= big["latency_ns"] * (1 - 1e-9)
        assert small["energy_uj"] >= big["energy_uj"] * (1 - 1e-9)
    for bank in (A + 1, A + 2):                  # everything fits: as with A arrays
        assert runs[bank]["latency_ns"] == pytest.approx(runs[A]["latency_ns"])
        assert runs[bank]["energy_uj"] == pytest.approx(runs[A]["energy_uj"])
        assert runs[bank]["cells_written_per_inference"] == 0


def test_pinned_images_are_checked():
    w = fc_layers(2)
    b, p = blocks_of([0, 1], [0, 0], [0, 0])
    with pytest.raises(ValueError, match="pinned image 5 does not exist: the packing has 2"):
        cost((b, p), w, tiny_arch(1), pinned=(5,))
    with pytest.raises(ValueError, match="leave no array of the 1 to rotate"):
        cost((b, p), w, tiny_arch(1), pinned=(0,))


def test_the_layers_of_a_phase_pipeline_over_the_batch():
    """Four one-array layers (150 ns each) on a bank of 3: images 0 and 1 pinned, 2 and 3
    rotate through one slot. Phase 0 (layers 0 and 1, nothing loaded) pipelines over a
    batch of 4: 2 x 150 for the first input, then 150 per input; phases 1 and 2 load an
    image (40 ns) then run 4 x 150. Latency (per inference of the batch) stays the
    sequential one; throughput is the pipelined batch's."""
    N, t = 4, 3 * T_OP
    w = fc_layers(4, vectors=3)
    b, p = blocks_of([0, 1, 2, 3], [0] * 4, [0] * 4)
    r = cost((b, p), w, tiny_arch(3, **{"schedule.batch": N}), baseline=False,
             pinned=[0, 1]).totals
    assert r["latency_ns"] == pytest.approx((4 * N * t + 2 * LOAD_NS) / N)
    batch_ns = (2 * t + (N - 1) * t) + 2 * (LOAD_NS + N * t)
    assert r["throughput_inf_per_s"] == pytest.approx(N * 1e9 / batch_ns)
    one = cost((b, p), w, tiny_arch(3), baseline=False, pinned=[0, 1]).totals
    assert one["throughput_inf_per_s"] == pytest.approx(1e9 / one["latency_ns"])
