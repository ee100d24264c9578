import csv
import math

import numpy as np
import pytest
from onnx import TensorProto, helper

import marp
from marp import WorkloadError
from onnx_factory import Net, mobilenet_v2_bottlenecks

REFERENCE_WEIGHTS = {"kws_dscnn": 22016, "vww_mobilenetv1_025_96": 208112,
                     "ic_resnet8": 77360, "ad01_autoencoder": 264192}


def table_row(r):
    """rows, cols, groups, vectors, weights and kind from an independent layer table."""
    shape = [int(v) for v in r["weight_shape"].split("x")]
    out = [int(v) for v in r["output_shape"].split("x")]
    if r["op"] == "Conv":
        g = int(r["group"])
        return dict(rows=shape[1] * math.prod(shape[2:]), cols=shape[0] // g, groups=g,
                    vectors=out[0] * math.prod(out[2:]), weights=int(r["params_weight"]),
                    kind=r["kind"])
    if r["op"] == "Gemm" and r["transB"] == "1":
        shape = shape[::-1]
    return dict(rows=shape[0], cols=shape[1], groups=1, vectors=math.prod(out[:-1]),
                weights=int(r["params_weight"]), kind=r["kind"])


def test_every_mlperf_tiny_file_matches_its_table(shared):
    tables = sorted((shared / "models" / "layers").glob("*.layers.csv"))
    assert len(tables) == 13
    for table in tables:
        base = table.name.replace(".layers.csv", "")
        expected = [table_row(r) for r in csv.DictReader(open(table)) if r["kind"] != "act x act"]
        w = marp.load_onnx(shared / "models" / "mlperf_tiny" / f"{base}.onnx")
        assert len(w) == len(expected), base
        for i, exp in enumerate(expected):
            got = w.layers.record(i)
            assert {k: got[k] for k in exp} == exp, (base, i)
        assert not w.skipped, base
        for prefix, weights in REFERENCE_WEIGHTS.items():
            if base.startswith(prefix) and "large" not in base:
                assert w.totals()["weights"] == weights


def test_zigzag_reference_files_load(shared):
    totals, bits = {}, {}
    for path in sorted((shared / "models" / "zigzag_imc_ref").glob("*.onnx")):
        w = marp.load_onnx(path)
        totals[path.stem] = w.totals()["weights"]
        bits[path.stem] = sorted(set(w.layers.weight_bits.tolist()))
    # ds_cnn feeds int8 initializers straight into its standard convs (tflite2onnx output)
    assert bits == {"deepautoencoder": [32], "ds_cnn": [8, 32], "mobilenet_v1": [32],
                    "resnet8": [32]}
    assert totals == {"deepautoencoder": 264192, "ds_cnn": 22016, "mobilenet_v1": 208112,
                      "resnet8": 77360}


def test_int8_bits_from_dequantize_linear(shared):
    w = marp.load_onnx(shared / "models" / "mlperf_tiny" / "kws_dscnn_int8_qdq.onnx")
    assert set(w.layers.weight_bits.tolist()) == {8}
    assert w.layers.weight_path[0] == "init->DequantizeLinear->Conv"
    hybrid = marp.load_onnx(shared / "models" / "mlperf_tiny" /
                            "kws_dscnn_hybrid_int8weights.onnx")
    # dynamic-range model: int8 weights on the 5 standard convs, float elsewhere
    assert hybrid.layers.weight_bits.tolist() == [8, 32, 8, 32, 8, 32, 8, 32, 8, 32]


def test_nhwc_input_followed_by_transpose(shared):
    w = marp.load_onnx(shared / "models" / "mlperf_tiny" / "vww_mobilenetv1_025_96_int8_qdq.onnx")
    assert w.inputs == {"input_1_int8": (1, 96, 96, 3)}
    assert w.layers.output_shape[0] == (1, 8, 48, 48)


# ---------------------------------------------------------------- convolutions

@pytest.mark.parametrize("group,kind,rows,cols", [(1, "conv", 8 * 9, 16),
                                                  (8, "depthwise", 9, 2),
                                                  (2, "grouped", 4 * 9, 8)])
def test_conv_groups(group, kind, rows, cols):
    net = Net([1, 8, 10, 10])
    m = net.model(net.conv("x", 8, 16, group=group, pads=[1, 1, 1, 1]))
    L = marp.load_onnx(m).layers
    assert (L.kind[0], L.groups[0], L.rows[0], L.cols[0]) == (kind, group, rows, cols)
    assert L.vectors[0] == 100 and L.macs[0] == 100 * rows * cols * group
    assert L.weights[0] == 16 * 8 // group * 9


def test_pointwise_kind():
    net = Net([1, 8, 4, 4])
    assert marp.load_onnx(net.model(net.conv("x", 8, 4, k=1))).layers.kind == ("pointwise",)


def test_strides_dilations_asymmetric_pads():
    net = Net([1, 3, 11, 11])
    m = net.model(net.conv("x", 3, 4, k=3, strides=[2, 1], dilations=[1, 2],
                           pads=[0, 1, 1, 2]))
    L = marp.load_onnx(m).layers
    # H: (11 + 0 + 1 - 3) // 2 + 1 = 5; W: (11 + 1 + 2 - 5) // 1 + 1 = 10
    assert L.output_shape[0] == (1, 4, 5, 10) and L.vectors[0] == 50
    assert (L.strides[0], L.dilations[0], L.pads[0]) == ((2, 1), (1, 2), (0, 1, 1, 2))


@pytest.mark.parametrize("auto_pad,pads,out", [("SAME_UPPER", (0, 0, 1, 1), (5, 5)),
                                               ("SAME_LOWER", (1, 1, 0, 0), (5, 5)),
                                               ("VALID", (0, 0, 0, 0), (4, 4))])
def test_auto_pad(auto_pad, pads, out):
    net = Net([1, 2, 10, 10])
    m = net.model(net.conv("x", 2, 3, k=3, strides=[2, 2], auto_pad=auto_pad))
    L = marp.load_onnx(m).layers
    assert L.pads[0] == pads and L.output_shape[0][2:] == out


def test_conv1d():
    net = Net([1, 4, 30])
    w = net.init(np.zeros((6, 4, 5), dtype=np.float32))
    L = marp.load_onnx(net.model(net.node("Conv", ["x", w]))).layers
    assert (L.rows[0], L.cols[0], L.vectors[0], L.kernel[0]) == (20, 6, 26, (5,))


def test_batchnorm_after_conv_adds_no_layer():
    net = Net([1, 3, 8, 8])
    y = net.conv("x", 3, 4, pads=[1] * 4)
    p = [net.init(np.ones(4, dtype=np.float32), "bn") for _ in range(4)]
    w = marp.load_onnx(net.model(net.node("BatchNormalization", [y] + p)))
    assert len(w) == 1 and not w.skipped


def test_conv_transpose_lowered_to_its_matrix():
    net = Net([1, 4, 5, 5])
    w = net.init(np.zeros((4, 6, 3, 3), dtype=np.float32))    # [Cin, Cout/g, k, k]
    y = net.node("ConvTranspose", ["x", w], strides=[2, 2])
    L = marp.load_onnx(net.model(y)).layers
    # each of the 25 input pixels (4 values) feeds 6 * 9 outputs
    assert (L.rows[0], L.cols[0], L.vectors[0], L.weights[0]) == (4, 54, 25, 216)
    assert L.macs[0] == 25 * 4 * 54


# ---------------------------------------------------------------- matrix products

@pytest.mark.parametrize("trans_a,trans_b", [(0, 0), (0, 1), (1, 0), (1, 1)])
def test_gemm_transposes(trans_a, trans_b):
    net = Net([3, 5] if not trans_a else [5, 3])
    w = net.init(np.zeros((5, 7) if not trans_b else (7, 5), dtype=np.float32))
    L = marp.load_onnx(net.model(net.node("Gemm", ["x", w], transA=trans_a,
                                          transB=trans_b))).layers
    # the graph's leading dimension is the batch: 3 rows of A per run, 1 per inference
    # (the size is fixed in the model, so no batch= is needed or accepted)
    assert (L.rows[0], L.cols[0], L.vectors[0], L.kind[0]) == (5, 7, 1, "fc")


def test_matmul_weight_on_the_right_with_sequence():
    net = Net([1, 10, 16])
    w = net.init(np.zeros((16, 32), dtype=np.float32))
    L = marp.load_onnx(net.model(net.node("MatMul", ["x", w]))).layers
    assert (L.rows[0], L.cols[0], L.vectors[0]) == (16, 32, 10)


def test_matmul_weight_on_the_left():
    net = Net([1, 16, 10])
    w = net.init(np.zeros((32, 16), dtype=np.float32))
    L = marp.load_onnx(net.model(net.node("MatMul", [w, "x"]))).layers
    # y = W x: each of the 10 columns of x is an input vector of 16 values
    assert (L.rows[0], L.cols[0], L.vectors[0], L.weights[0]) == (16, 32, 10, 512)


def test_activation_times_activation_is_digital_work():
    net = Net([1, 4, 8])
    t = net.node("Transpose", ["x"], perm=[0, 2, 1])
    w = marp.load_onnx(net.model(net.node("MatMul", ["x", t])))
    assert len(w) == 0
    (d,) = w.digital
    assert d.kind == "act x act" and d.macs == 4 * 4 * 8


def test_pooling_is_digital_work():
    net = Net([1, 2, 8, 8])
    w = marp.load_onnx(net.model(net.node("MaxPool", ["x"], kernel_shape=[2, 2],
                                          strides=[2, 2])))
    assert w.digital[0].kind == "pooling" and w.digital[0].ops == 2 * 4 * 4 * 4


# ---------------------------------------------------------------- where weights live

def test_weight_in_constant_node():
    net = Net([1, 4])
    c = net.node("Constant", [], value=helper.make_tensor("v", TensorProto.FLOAT16, [4, 3],
                                                            [0.0] * 12))
    c = net.node("Cast", [c], to=TensorProto.FLOAT)
    L = marp.load_onnx(net.model(net.node("MatMul", ["x", c]))).layers
    assert (L.rows[0], L.cols[0], L.weight_bits[0]) == (4, 3, 16)
    assert L.weight_path[0] == "Constant->Cast->MatMul"


def test_weight_behind_constant_of_shape():
    net = Net([1, 2, 6, 6])
    shape = net.init(np.array([5, 2, 3, 3], dtype=np.int64), "shape")
    w = net.node("ConstantOfShape", [shape])
    L = marp.load_onnx(net.model(net.node("Conv", ["x", w]))).layers
    assert (L.rows[0], L.cols[0], L.weights[0]) == (18, 5, 90)


def test_weight_behind_identity_reshape_transpose_chain():
    net = Net([1, 6])
    w = net.init(np.zeros((2, 3, 4), dtype=np.int8))
    scale = net.init(np.array(0.5, dtype=np.float32), "s")
    w = net.node("DequantizeLinear", [w, scale])
    w = net.node("Identity", [w])
    w = net.node("Reshape", [w, net.init(np.array([6, 4], dtype=np.int64), "shape")])
    w = net.node("Transpose", [net.node("Transpose", [w], perm=[1, 0])], perm=[1, 0])
    L = marp.load_onnx(net.model(net.node("MatMul", ["x", w]))).layers
    assert (L.rows[0], L.cols[0], L.weight_bits[0]) == (6, 4, 8)
    assert L.weight_path[0] == ("init->DequantizeLinear->Identity->Reshape->Transpose->"
                                "Transpose->MatMul")


@pytest.mark.parametrize("per_channel", [True, False])
def test_qdq_per_channel_and_per_tensor(per_channel):
    net = Net([1, 4, 6, 6])
    L = marp.load_onnx(net.model(net.qdq_conv("x", 4, 8, per_channel=per_channel))).layers
    assert (L.rows[0], L.cols[0], L.weight_bits[0]) == (36, 8, 8)


def _scalar(net, value, dtype):
    return net.init(np.array(value, dtype=dtype), "q")


def test_qlinear_conv_and_conv_integer():
    net = Net([1, 4, 6, 6], elem=TensorProto.UINT8)
    w = net.init(np.zeros((8, 4, 3, 3), dtype=np.int8))
    f, u8, i8 = np.float32, np.uint8, np.int8
    y = net.node("QLinearConv", ["x", _scalar(net, 1, f), _scalar(net, 0, u8), w,
                                 _scalar(net, 1, f), _scalar(net, 0, i8), _scalar(net, 1, f),
                                 _scalar(net, 0, u8)])
    w2 = net.init(np.zeros((2, 8, 1, 1), dtype=np.int8))
    z = net.node("ConvInteger", [y, w2])
    L = marp.load_onnx(net.model(z, out_elem=TensorProto.INT32)).layers
    assert L.op == ("QLinearConv", "ConvInteger")
    assert L.rows.tolist() == [36, 8] and L.cols.tolist() == [8, 2]
    assert L.weight_bits.tolist() == [8, 8] and L.vectors.tolist() == [16, 16]


def test_qlinear_matmul_and_matmul_integer():
    net = Net([1, 4], elem=TensorProto.UINT8)
    f, u8, i8 = np.float32, np.uint8, np.int8
    w = net.init(np.zeros((4, 6), dtype=np.int8))
    y = net.node("QLinearMatMul", ["x", _scalar(net, 1, f), _scalar(net, 0, u8), w,
                                   _scalar(net, 1, f), _scalar(net, 0, i8), _scalar(net, 1, f),
                                   _scalar(net, 0, u8)])
    w2 = net.init(np.zeros((6, 3), dtype=np.int8))
    z = net.node("MatMulInteger", [y, w2])
    L = marp.load_onnx(net.model(z, out_elem=TensorProto.INT32)).layers
    assert L.op == ("QLinearMatMul", "MatMulInteger")
    assert list(zip(L.rows.tolist(), L.cols.tolist())) == [(4, 6), (6, 3)]


# ---------------------------------------------------------------- shapes and batch

def test_symbolic_batch_takes_batch():
    net = Net(None, dims=["N", 3, 8, 8])
    m = net.model(net.conv("x", 3, 4, pads=[1] * 4))
    w = marp.load_onnx(m, batch=4)
    assert w.inputs == {"x": (4, 3, 8, 8)} and w.layers.vectors[0] == 64     # per inference
    assert w.layers.output_shape[0] == (4, 4, 8, 8)


def test_symbolic_spatial_needs_input_shapes():
    net = Net(None, dims=["N", 3, "H", "W"])
    m = net.model(net.conv("x", 3, 4, pads=[1] * 4))
    with pytest.raises(WorkloadError, match=r"input 'x' dimension 2 is symbolic \('H'\); "
                                            r"give its size with input_shapes"):
        marp.load_onnx(m)
    w = marp.load_onnx(m, input_shapes={"x": [1, 3, 16, 16]})
    assert w.layers.vectors[0] == 256


def test_input_shapes_unknown_name():
    net = Net([1, 3, 8, 8])
    with pytest.raises(WorkloadError, match=r"input_shapes names \['y'\]"):
        marp.load_onnx(net.model(net.conv("x", 3, 4)), input_shapes={"y": [1]})


def test_shape_that_cannot_be_inferred_names_the_tensor():
    net = Net([1, 3, 8, 8])
    y = net.node("Mystery", ["x"], domain="example.custom")
    m = net.model(net.conv(y, 3, 4))
    m.opset_import.append(helper.make_opsetid("example.custom", 1))
    # neither inference, nor folding, nor onnxruntime (it does not know the operator)
    with pytest.raises(WorkloadError, match=r"shape of tensor 'mystery1_out0' \(input of Conv "
                                            r"node 'conv3'\) is not known.*--input-shapes"):
        marp.load_onnx(m)


def test_caller_model_is_not_modified():
    net = Net(None, dims=["N", 3, 8, 8])
    m = net.model(net.conv("x", 3, 4))
    before = m.SerializeToString()
    marp.load_onnx(m, batch=2)
    assert m.SerializeToString() == before


# ---------------------------------------------------------------- refusals

def test_unknown_op_is_listed_as_skipped():
    net = Net([1, 4])
    w = net.init(np.zeros((4, 4), dtype=np.float32))
    y = net.node("MatMul", ["x", w])
    r = net.node("Foo", [y], domain="example.custom")
    m = net.model(r)
    m.opset_import.append(helper.make_opsetid("example.custom", 1))
    wl = marp.load_onnx(m)
    assert len(wl) == 1
    assert [(s.op, s.name) for s in wl.skipped] == [("Foo", "foo3")]
    assert "not understood" in wl.skipped[0].reason


def test_weight_that_is_not_constant():
    net = Net([1, 3, 8, 8])
    net.inputs.append(helper.make_tensor_value_info("w", TensorProto.FLOAT, [4, 3, 3, 3]))
    w = net.node("Relu", ["w"])
    with pytest.raises(WorkloadError, match=r"Conv node 'conv2': weight 'relu1_out0' is not a "
                                            r"constant \(it comes from Relu node 'relu1'\)"):
        marp.load_onnx(net.model(net.node("Conv", ["x", w])))


def test_truncated_file(tmp_path, shared):
    data = (shared / "models" / "mlperf_tiny" / "kws_dscnn_fp32.onnx").read_bytes()
    bad = tmp_path / "cut.onnx"
    bad.write_bytes(data[: len(data) // 3])
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(WorkloadError, match=r"cut.onnx: not a readable ONNX model"):
        marp.load_onnx(bad)
    assert sorted(p.name for p in tmp_path.iterdir()) == before      # nothing written


def test_garbage_and_missing_files(tmp_path):
    bad = tmp_path / "x.onnx"
    bad.write_bytes(b"\x00\x01garbage" * 10)
    with pytest.raises(WorkloadError, match="x.onnx"):
        marp.load_onnx(bad)
    with pytest.raises(FileNotFoundError, match="nope.onnx: no such model file"):
        marp.load_onnx(tmp_path / "nope.onnx")


def test_mobilenet_v2_bottlenecks_depthwise_share():
    w = marp.load_onnx(mobilenet_v2_bottlenecks())
    t = w.totals()
    assert t["by_kind"]["depthwise"]["layers"] == 17
    share = t["by_kind"]["depthwise"]["weights"] / t["weights"]
    assert share == pytest.approx(0.036, abs=0.001)          # the paper: "about 4%"
