"""Per-layer precision: the table, input bits in the cost, the array budget."""
import numpy as np
import pytest

import marp
from marp.compiler.driver import example_models
from marp.compiler.search import InfeasibleError
from marp.io.readers import read_precision
from onnx_factory import attention_block

# zigzag_aimc: 1-bit cells, inputs 2 bits per cycle: 8-bit inputs take 4 cycles
ARCH = "zigzag_aimc"


@pytest.fixture(scope="module")
def block():
    return marp.load_onnx(attention_block(16, 64))


def _row(m, name):
    return next(r for r in m.summary["layers"] if r["name"] == name)


def test_table_sets_weight_and_input_bits(block):
    base = marp.compile([block], ARCH)
    name = block.layers.name[0]
    m = marp.compile([block], ARCH, precision={name: {"weight_bits": 4, "act_bits": 2}})
    r0, r = _row(base, name), _row(m, name)
    assert (r0["weight_bits"], r0["act_bits"]) == (8, 8) and (r["weight_bits"],
                                                              r["act_bits"]) == (4, 2)
    # 64 weights x 4 one-bit slices: 256 columns instead of 512
    assert int(m.blocks.width[m.blocks.layer == 0].sum()) == 256
    # 2-bit inputs: one input cycle instead of four, so a quarter of the array ops
    assert r["cycles"] == pytest.approx(r0["cycles"] / 4)
    assert r["e_dac_pj"] == pytest.approx(r0["e_dac_pj"] / 4)
    # other layers unchanged
    other = block.layers.name[1]
    assert _row(m, other)["cycles"] == _row(base, other)["cycles"]
    assert m.options.precision == {name: {"weight_bits": 4, "act_bits": 2}}


def test_table_errors(block):
    with pytest.raises(ValueError, match=r"precision names layers \['nope'\] that no model"):
        marp.compile([block], ARCH, precision={"nope": 4})
    with pytest.raises(ValueError, match=r"precision\['x'\]: keys \['bits'\] are not known"):
        marp.compile([block], ARCH, precision={"x": {"bits": 4}})
    with pytest.raises(ValueError, match=r"precision\['x'\]\['weight_bits'\] must be"):
        marp.compile([block], ARCH, precision={"x": 0})


def test_budget_lowers_bits_until_it_fits():
    models = example_models("mlperf-tiny")
    full = marp.compile(models, "qracc")
    assert full.summary["arrays_used"] == 16
    m = marp.compile(models, "qracc", precision_budget=12)
    bits = np.array([r["weight_bits"] for r in m.summary["layers"] if r["engine"] == "aimc"])
    assert m.summary["arrays_used"] <= 12
    assert set(bits.tolist()) <= {8, 6, 4} and (bits < 8).any() and (bits == 8).any()
    assert m.options.precision_budget == 12 and m.options.precision_bits == (8, 6, 4)
    with pytest.raises(InfeasibleError, match=r"precision_budget=2: \d+ arrays at the "
                                              r"lowest precision choice \(4 bits\)"):
        marp.compile(models, "qracc", precision_budget=2)


def test_budget_keeps_table_layers(block):
    name = block.layers.name[0]
    m = marp.compile([block], ARCH, precision={name: 8}, precision_budget=1,
                     precision_bits=(8, 4, 2))
    assert _row(m, name)["weight_bits"] == 8
    assert m.summary["arrays_used"] <= 1


def test_precision_files(tmp_path):
    csv_path = tmp_path / "p.csv"
    csv_path.write_text("layer,weight_bits,act_bits\nconv1,4,\nfc,,6\n")
    assert read_precision(csv_path) == {"conv1": {"weight_bits": 4}, "fc": {"act_bits": 6}}
    yaml_path = tmp_path / "p.yaml"
    yaml_path.write_text("conv1: 4\nfc: {act_bits: 6}\n")
    assert read_precision(yaml_path) == {"conv1": 4, "fc": {"act_bits": 6}}
    bad = tmp_path / "bad.csv"
    bad.write_text("layer,bits\nconv1,4\n")
    with pytest.raises(ValueError, match="needs a 'layer'"):
        read_precision(bad)
    bad.write_text("layer,weight_bits\nconv1,four\n")
    with pytest.raises(ValueError, match=r"bad.csv:2: weight_bits 'four' is not an integer"):
        read_precision(bad)
