"""Map a new model into a programmed chip (marp.compiler.incremental)."""
import json

import numpy as np
import pytest

import marp
from marp.cli import main
from marp.compiler.diff import diff
from marp.compiler.incremental import compile_into, update_report

MODELS = marp.example_models("mlperf-tiny")


@pytest.fixture(scope="module")
def three():
    return marp.compile(MODELS[:3])


def test_adding_a_model_moves_no_existing_block_and_writes_only_its_cells(three):
    m = compile_into([MODELS[3]], three)
    n = len(three.blocks)
    assert [w.name for w in m.workloads] == [w.name for w in three.workloads] + \
        ["ad01_autoencoder_int8_qdq"]
    for f in ("array", "x", "y"):
        assert np.array_equal(getattr(m.packing, f)[:n], getattr(three.packing, f))
    marp.verify(m.packing, m.blocks.width, m.blocks.height, array=(1152, 256))
    old_img, new_img = three.images(), m.images()
    lay = old_img.layout
    for k in range(len(lay["image"])):           # every old block's cells are unchanged
        sl = (lay["image"][k], slice(lay["y"][k], lay["y"][k] + lay["height"][k]),
              slice(lay["x"][k], lay["x"][k] + lay["width"][k]))
        assert np.array_equal(old_img.cells[sl], new_img.cells[sl])
    d = diff(three, m)
    new_cells = int(m.blocks.useful_cells[n:].sum())
    assert 0 < d["cells_written"] <= int((m.blocks.height[n:].astype(int) *
                                          m.blocks.width[n:]).sum())
    assert new_cells > 0
    r = update_report(three, m)
    assert r["incremental"]["cells_written"] <= r["full"]["cells_written"] or \
        r["full"]["arrays"] < r["incremental"]["arrays"]


def test_removing_a_model_frees_its_space(three):
    m = compile_into([], three, remove=["vww_mobilenetv1_025_96_int8_qdq"])
    assert [w.name for w in m.workloads] == ["kws_dscnn_int8_qdq", "ic_resnet8_int8_qdq"]
    assert m.packing.arrays_used <= three.packing.arrays_used
    with pytest.raises(ValueError, match="remove names models \\['nope'\\]"):
        compile_into([], three, remove=["nope"])


def test_cli_into(capsys, tmp_path):
    assert main(["compile", *map(str, MODELS[:3]), "--out", str(tmp_path / "a"),
                 "--quiet"]) == 0
    capsys.readouterr()
    code = main(["compile", str(MODELS[3]), "--into", str(tmp_path / "a" / "mapping.json"),
                 "--quiet"])
    out = capsys.readouterr().out
    assert code == 0 and "a full recompile writes" in out
    code = main(["compile", str(MODELS[3]), "--into", str(tmp_path / "a" / "mapping.json"),
                 "--seed", "3", "--quiet"])
    assert code == 2 and "keeps the mapping's own options; drop seed" in \
        capsys.readouterr().err
