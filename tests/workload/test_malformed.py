"""A corpus of malformed ONNX models and configs, generated here: each one gives a one-line
error and exit status 2 from the CLI, never a traceback (issue 16, items 5 and 6)."""
import copy

import numpy as np
import pytest
import yaml
from onnx import TensorProto, helper, numpy_helper

import marp
from marp.hardware.arch import OPTIONAL
from marp.cli import main


def conv_model(cin=3, cout=8, k=3, group=1, x_channels=None, opset=17, kernel_attr=None):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                      [1, x_channels or cin, 8, 8])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    w = numpy_helper.from_array(np.zeros((cout, cin // max(group, 1) or 1, k, k),
                                         np.float32), "w")
    attrs = {"group": group, "pads": [k // 2] * 4}
    if kernel_attr is not None:
        attrs["kernel_shape"] = kernel_attr
    node = helper.make_node("Conv", ["x", "w"], ["y"], name="conv", **attrs)
    m = helper.make_model(helper.make_graph([node], "g", [x], [y], initializer=[w]),
                          opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    return m


def gemm_model():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 16])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    w = numpy_helper.from_array(np.zeros((16, 4), np.float32), "w")
    node = helper.make_node("Gemm", ["x", "w"], ["y"], name="fc")
    m = helper.make_model(helper.make_graph([node], "g", [x], [y], initializer=[w]),
                          opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    return m


def _weight(m, **change):
    t = m.graph.initializer[0]
    for key, value in change.items():
        if key == "dims":
            del t.dims[:]
            t.dims.extend(value)
        elif key == "no_data":
            t.ClearField("raw_data")
            t.ClearField("float_data")
        else:
            setattr(t, key, value)
    return m


def _node(m, **change):
    n = m.graph.node[0]
    for key, value in change.items():
        if key == "inputs":
            del n.input[:]
            n.input.extend(value)
        elif key == "outputs":
            del n.output[:]
            n.output.extend(value)
    return m


def _external(m, location):
    t = m.graph.initializer[0]
    t.ClearField("raw_data")
    t.ClearField("float_data")
    t.data_location = TensorProto.EXTERNAL
    t.external_data.add(key="location", value=location)
    return m


def _two_nodes(cycle):
    m = conv_model()
    a = helper.make_node("Relu", ["y" if cycle else "x", ], ["r"], name="relu")
    b = helper.make_node("Relu", ["r"], ["y2" if not cycle else "x2"], name="relu2")
    m.graph.node.extend([a, b])
    if cycle:
        m.graph.node[0].input[0] = "x2"
    else:
        m.graph.node[2].output[0] = "r"          # r produced twice
    return m


def onnx_cases():
    cases = {}
    for name, base in (("conv", conv_model), ("gemm", gemm_model)):
        for dims in ([-3, 3, 3, 3], [0, 3, 3, 3], [8, 3, 0, 3], [2**62, 3, 3, 3],
                     [2**40, 3, 3, 3], [8, -1]):
            cases[f"{name} dims {dims}"] = lambda b=base, d=dims: _weight(b(), dims=d)
        for dtype in (TensorProto.STRING, 0, 999):
            cases[f"{name} data type {dtype}"] = lambda b=base, t=dtype: _weight(b(),
                                                                            data_type=t)
        cases[f"{name} dims without data"] = lambda b=base: _weight(b(), no_data=True)
        cases[f"{name} one input"] = lambda b=base: _node(b(), inputs=["x"])
        for loc in ("missing.bin", "../outside.bin", "/etc/passwd", ""):
            cases[f"{name} external {loc!r}"] = lambda b=base, l=loc: _external(b(), l)
        for opset in (99, 1, 0):
            cases[f"{name} opset {opset}"] = \
                lambda b=base, o=opset: _set_opset(b(), o)
    for group in (0, -1, 5, 16, 3, 7):
        cases[f"group {group}"] = lambda g=group: conv_model(cin=4, group=g)
    for kernel in ([5, 5], [1, 1], [3], [3, 3, 3]):
        cases[f"kernel_shape {kernel}"] = lambda k=kernel: conv_model(kernel_attr=k)
    for channels in (1, 2, 4, 6, 9):
        cases[f"input channels {channels}"] = lambda c=channels: conv_model(x_channels=c)
    cases["duplicate outputs"] = lambda: _two_nodes(cycle=False)
    cases["cycle"] = lambda: _two_nodes(cycle=True)
    cases["self loop"] = lambda: _node(conv_model(), inputs=["y", "w"])
    return cases


def _set_opset(m, version):
    m.opset_import[0].version = version
    return m


ONNX_CASES = onnx_cases()


def test_the_corpora_are_large_enough():
    assert len(ONNX_CASES) + len(BYTE_CASES) >= 60 and len(CONFIG_CASES) >= 40


def one_line_error(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (argv, out, err)
    assert out == "" and err.count("\n") == 1 and err.startswith("marp: error: "), err
    assert "Traceback" not in err and "unexpected" not in err, err
    return err


@pytest.mark.parametrize("case", ONNX_CASES)
def test_a_malformed_onnx_model_is_one_line(case, capsys, tmp_path):
    path = tmp_path / "bad.onnx"
    path.write_bytes(ONNX_CASES[case]().SerializeToString())
    one_line_error(capsys, ["layers", str(path)])


BYTE_CASES = {
    **{f"truncated at {k}": (lambda k=k: conv_model().SerializeToString()[:k])
       for k in (1, 5, 17, 40, 90, 150, 230, 300, 380, 420)},
    "empty": lambda: b"",
    "random bytes": lambda: np.random.default_rng(3).bytes(300),
    "text": lambda: b"this is not a model\n",
}


@pytest.mark.parametrize("case", BYTE_CASES)
def test_an_unreadable_model_file_is_one_line(case, capsys, tmp_path):
    data = BYTE_CASES[case]()
    path = tmp_path / "bad.onnx"
    path.write_bytes(data)
    try:
        marp.load_onnx(path)
    except (ValueError, FileNotFoundError):
        pass
    else:
        pytest.skip("this cut still parses as a model (protobuf tolerates some cuts)")
    one_line_error(capsys, ["layers", str(path)])


def _config(change):
    doc = marp.load_arch("qracc").as_dict()
    change(doc)
    return doc


def config_cases():
    cases = {}
    base = marp.load_arch("qracc").as_dict()
    for section in ("aimc", "digital", "memory", "schedule"):
        # aimc.depth may be left out (it defaults to 1)
        for key in [k for k in base[section] if (section, k) not in OPTIONAL][:8]:
            cases[f"missing {section}.{key}"] = \
                lambda s=section, k=key: _config(lambda d: d[s].pop(k))
    for key, value in (("aimc.array_rows", "abc"), ("aimc.array_rows", 0),
                       ("aimc.array_rows", 2**31), ("aimc.arrays", -1),
                       ("aimc.vdd_v", 1e308), ("aimc.e_dac_pj", -0.1),
                       ("aimc.t_array_op_ns", 0.0), ("aimc.adc_energy_model", "magic"),
                       ("aimc.differential", "yes"), ("digital.f_mhz", float("nan")),
                       ("memory.dram_gb_per_s", 0), ("schedule.model_order", "random"),
                       ("schedule.batch", 0), ("aimc.cell_bits", 99)):
        section, k = key.split(".")
        cases[f"{key}={value!r}"] = \
            lambda s=section, k=k, v=value: _config(lambda d: d[s].__setitem__(k, v))
    cases["unknown key"] = lambda: _config(lambda d: d["aimc"].__setitem__("volts", 1))
    cases["unknown section"] = lambda: _config(lambda d: d.__setitem__("analog", {}))
    cases["section not a mapping"] = lambda: _config(lambda d: d.__setitem__("aimc", [1]))
    return cases


CONFIG_CASES = {**config_cases(),
                "top level list": lambda: "- 1\n- 2\n",
                "empty": lambda: "",
                "bad yaml": lambda: "aimc: [1, 2\n",
                "tab indent": lambda: "aimc:\n\tarrays: 1\n",
                "bad utf-8": lambda: b"name: \xff\n"}


@pytest.mark.parametrize("case", CONFIG_CASES)
def test_a_malformed_config_is_one_line(case, capsys, tmp_path):
    made = CONFIG_CASES[case]()
    path = tmp_path / "bad.yaml"
    if isinstance(made, bytes):
        path.write_bytes(made)
    else:
        path.write_text(made if isinstance(made, str) else yaml.safe_dump(copy.deepcopy(made)))
    err = one_line_error(capsys, ["compile", "--example", "mlperf-tiny", "--arch", str(path),
                                  "--quiet"])
    assert "bad.yaml" in err
