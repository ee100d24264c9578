import math

import numpy as np
import pytest

import marp
from marp.hardware.arch import load_arch
from marp.costmodel.accounting import cost, one_to_one
from marp.workload.layers import Layers, Workload
from onnx_factory import resnet18


def fc_workload(rows, cols, vectors=1, bits=8):
    rec = dict(name="fc", op="MatMul", kind="fc", groups=1, kernel=(), strides=(),
               dilations=(), pads=(), input_shape=(1, rows), output_shape=(1, cols),
               rows=rows, cols=cols, vectors=vectors, macs=vectors * rows * cols,
               weights=rows * cols, weight_bits=bits, weight_path="init->MatMul", node_index=0)
    return Workload("fc", "t", Layers.from_records([rec]))


def mapped(workload, arch, **lower_kw):
    a = arch.aimc
    b = marp.lower(workload, array=(a.array_rows, a.array_cols),
                   weight_bits=a.weight_bits, cell_bits=a.cell_bits,
                   differential=a.differential, **lower_kw)
    return b, marp.pack(b.width, b.height, array=(a.array_rows, a.array_cols))


def test_zigzag_full_array_energy_per_mac():
    """ZigZag's AIMC example: a layer filling the array costs about 0.21 pJ per MAC
    (about 9.6 TOPS/W), the ADCs the largest part."""
    arch = load_arch("zigzag_aimc")
    w = fc_workload(128, 128)
    r = cost(mapped(w, arch), w, arch)
    e = r.totals["energy_pj"]
    dynamic = e["dac"] + e["adc"] + e["array"]
    assert dynamic / w.layers.macs[0] == pytest.approx(0.21, rel=0.05)
    assert 2 / (dynamic / w.layers.macs[0]) == pytest.approx(9.6, rel=0.05)   # TOPS/W
    assert e["adc"] > 0.8 * dynamic


def test_lrmp_eq3_latency_of_a_full_tile_layer():
    """LRMP eq. (3): lat = W^2 * t_tile * ceil(X / n_ADC) * a_b, with t_tile the time of
    one pass over the row groups (ceil(X / row parallelism) array ops)."""
    arch = load_arch("lrmp_rram")
    a = arch.aimc
    w = fc_workload(256, 32, vectors=196)        # 8-bit weights on 1-bit cells: 256 x 256
    b, _ = mapped(w, arch)
    r = cost((b, one_to_one(b)), w, arch)
    t_tile = math.ceil(256 / a.row_parallelism) * a.t_array_op_ns
    eq3 = 196 * t_tile * math.ceil(256 / a.adcs_per_array) * a.act_bits
    assert r.layers["time_ns"][0] == pytest.approx(eq3)


def test_lrmp_resnet18_first_layer_is_the_bottleneck():
    arch = load_arch("lrmp_rram")
    w = marp.load_onnx(resnet18())
    b = marp.lower(w, array=(256, 256), weight_bits=8, slice_layout="separate")
    r = cost((b, one_to_one(b)), w, arch, baseline=False)
    assert int(np.argmax(r.layers["time_ns"])) == 0
    assert r.totals["arrays_used"] == 1608


def test_batch_amortises_the_reload(shared):
    arch = load_arch("qracc")
    w = marp.load_onnx(shared / "models" / "mlperf_tiny" / "ad01_autoencoder_int8_qdq.onnx")
    b, p = mapped(w, arch)
    one = cost((b, p), w, arch.with_values({"aimc.arrays": 2}))
    ten = cost((b, p), w, arch.with_values({"aimc.arrays": 2, "schedule.batch": 10}))
    assert ten.totals["energy_pj"]["write"] == pytest.approx(one.totals["energy_pj"]["write"] / 10)


def test_packing_beats_one_to_one_on_arrays(shared):
    arch = load_arch("qracc")
    w = marp.load_onnx(shared / "models" / "mlperf_tiny" / "ic_resnet8_int8_qdq.onnx")
    r = cost(mapped(w, arch), w, arch)
    assert r.totals["arrays_used"] < r.baseline["arrays_used"]
    assert r.totals["utilization"] > r.baseline["utilization"]
    assert r.totals["macs"] == int(w.layers.macs.sum())


def test_depthwise_digital_runs_on_the_engine(shared):
    arch = load_arch("qracc")
    w = marp.load_onnx(shared / "models" / "mlperf_tiny" / "kws_dscnn_int8_qdq.onnx")
    r = cost(mapped(w, arch), w, arch)
    engines = r.layers["engine"].tolist()
    assert [engines[i] for i in (1, 3, 5, 7)] == ["digital"] * 4
    assert (r.layers["e_digital_pj"][[1, 3, 5, 7]] > 0).all()
    assert r.totals["energy_pj"]["digital"] > 0


def two_blocks(row_tiles, heights, widths):
    i32 = lambda v: np.array(v, dtype=np.int32)      # noqa: E731
    return marp.Blocks(layer=i32([0, 0]), job=i32([0, 0]), slice=i32([-1, -1]),
                       row_tile=i32(row_tiles), col_tile=i32([0, 1]), height=i32(heights),
                       width=i32(widths),
                       useful_cells=np.array(heights, dtype=np.int64) * widths,
                       array_rows=128, array_cols=1024, layer_slices=np.array([8]),
                       digital_layers=np.zeros(0, dtype=np.int64), depthwise="digital",
                       slice_layout="adjacent")


@pytest.mark.parametrize("row_tiles,heights,xy,shared", [
    ([0, 0], [100, 100], [(0, 0), (512, 0)], True),     # one input segment, side by side
    ([0, 1], [100, 100], [(0, 0), (512, 0)], False),    # two inputs on the same wordlines
    ([0, 1], [60, 60], [(0, 0), (512, 64)], True),      # two inputs, rows and columns apart
    ([0, 1], [60, 60], [(0, 0), (0, 64)], False),       # same bitlines
])
def test_blocks_share_an_op_or_serialise(row_tiles, heights, xy, shared):
    arch = load_arch("zigzag_aimc")
    w = fc_workload(120, 128)
    b = two_blocks(row_tiles, heights, [512, 512])
    p = marp.Packing.from_placements([0, 0], [x for x, _ in xy], [y for _, y in xy],
                                     b.width, b.height, shape=(128, 1024))
    marp.verify(p, b.width, b.height, array=(128, 1024))
    t = cost((b, p), w, arch, baseline=False).layers["time_ns"][0]
    t_block = arch.aimc.input_cycles * arch.aimc.t_array_op_ns          # one op per cycle
    assert t == pytest.approx(t_block if shared else 2 * t_block)


def test_report_to_dict_and_csv(tmp_path, shared):
    arch = load_arch("qracc")
    w = marp.load_onnx(shared / "models" / "mlperf_tiny" / "kws_dscnn_int8_qdq.onnx")
    r = cost(mapped(w, arch), w, arch)
    import json
    doc = json.loads(json.dumps(r.to_dict()))
    assert len(doc["layers"]) == 10 and doc["totals"]["arrays_used"] >= 1
    path = tmp_path / "layers.csv"
    r.to_csv(path)
    assert path.read_text().splitlines()[0].startswith(
        "name,kind,engine,weight_bits,act_bits,vectors")


def test_cost_errors():
    arch = load_arch("qracc")
    w = fc_workload(10, 10)
    b = marp.lower(w, array=(128, 128))
    with pytest.raises(ValueError, match="lowered for 128x128 arrays but arch 'qracc' has 1152x256"):
        cost((b, one_to_one(b)), w, arch)
    with pytest.raises(TypeError, match="takes a Mapping or a"):
        cost(b, w, arch)
