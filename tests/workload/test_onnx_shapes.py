"""Shapes computed inside the graph (marp.workload.onnx_shapes): folding, the
onnxruntime fallback, and a check of every shape against onnxruntime's."""
import sys

import numpy as np
import pytest

import marp
from marp.compiler.options import example_models
from marp.workload.onnx_loader import CONV_OPS, MATMUL_OPS
from onnx_factory import built_models, channel_shuffle, flatten_by_reduceprod


def _table(w):
    return [(r["name"], r["kind"], r["rows"], r["cols"], r["vectors"], r["macs"],
             tuple(r["input_shape"]), tuple(r["output_shape"])) for r in w.layers.records()]


def test_channel_shuffle_and_computed_slice_load_without_onnxruntime(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)     # folding alone
    w = marp.load_onnx(channel_shuffle())
    # 1x1 conv 8 -> 8 on 6x6; then the shuffle; then the first half of the channels
    # (Slice to C // 2 = 4, computed from the shape) into a 3x3 conv 4 -> 16
    assert _table(w) == [
        ("conv2", "pointwise", 8, 8, 36, 8 * 8 * 36, (1, 8, 6, 6), (1, 8, 6, 6)),
        ("conv42", "conv", 4 * 9, 16, 36, 36 * 16 * 36, (1, 4, 6, 6), (1, 16, 6, 6))]


def test_without_onnxruntime_the_error_names_tensor_node_and_flag(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(ValueError) as err:
        marp.load_onnx(flatten_by_reduceprod())
    text = str(err.value)
    for part in ("tensor 'reshape11_out0'", "MatMul node 'matmul13'", "marp[ort]",
                 "--input-shapes NAME=1x3x224x224"):
        assert part in text


def test_onnxruntime_reads_what_folding_cannot():
    pytest.importorskip("onnxruntime")
    w = marp.load_onnx(flatten_by_reduceprod())
    assert _table(w)[1] == ("matmul13", "fc", 150, 10, 1, 1500, (1, 150), (1, 10))


def _models():
    shipped = {p.stem: p for p in example_models("mlperf-tiny")}
    return {**shipped, **built_models()}


@pytest.mark.parametrize("name", sorted(_models()))
def test_shapes_agree_with_onnxruntime(name):
    """Every weight layer's input and output shape, as marp infers them, equals the
    shape onnxruntime gives the same tensors when it runs the model."""
    pytest.importorskip("onnxruntime")
    import onnx
    from marp.workload.onnx_shapes import run_shapes

    model = _models()[name]
    model = onnx.load(model) if not isinstance(model, onnx.ModelProto) else model
    w = marp.load_onnx(model)
    types = {vi.name: vi.type.tensor_type.elem_type for vi in
             onnx.shape_inference.infer_shapes(model).graph.value_info}
    nodes = {n.name: n for n in model.graph.node}
    ran = run_shapes(onnx, model, w.inputs, types)
    checked = 0
    for rec in w.layers.records():
        node = nodes[rec["name"]]
        ops = CONV_OPS if node.op_type in CONV_OPS else MATMUL_OPS
        x_name = node.input[ops[node.op_type][0]]
        if x_name in ran:
            assert tuple(rec["input_shape"]) == ran[x_name], (rec["name"], "input")
            checked += 1
        assert tuple(rec["output_shape"]) == ran[node.output[0]], (rec["name"], "output")
    assert checked or not len(w.layers)
    assert np.all(w.layers.macs > 0)
