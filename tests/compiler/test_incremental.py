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


def test_remove_then_re_add_returns_to_the_same_arrays():
    from marp.compiler.incremental import compile_into
    all4 = marp.compile(MODELS)
    gone = compile_into([], all4, remove=["vww_mobilenetv1_025_96_int8_qdq"])
    back = compile_into([MODELS[1]], gone)
    assert back.packing.arrays_used == all4.packing.arrays_used == 16
    # the fourth model into the other three: no more arrays than all four together
    into = compile_into([MODELS[1]], marp.compile([MODELS[0], MODELS[2], MODELS[3]]))
    assert into.packing.arrays_used <= all4.packing.arrays_used + 1


def test_relocation_saves_arrays_within_its_budget():
    from marp.compiler.incremental import compile_into, relocate
    all4 = marp.compile(MODELS)
    holes = compile_into([], all4, remove=["vww_mobilenetv1_025_96_int8_qdq",
                                           "kws_dscnn_int8_qdq"])
    moved, cells = relocate(holes, 10 ** 7)
    assert moved.packing.arrays_used < holes.packing.arrays_used and 0 < cells
    marp.verify(moved.packing, moved.blocks.width, moved.blocks.height, array=(1152, 256))
    same, none = relocate(holes, cells - 1)     # a budget below the best move's cells
    assert none == 0 or same.packing.arrays_used < holes.packing.arrays_used
    assert relocate(holes, 0) == (holes, 0)
    via = compile_into([], all4, remove=["vww_mobilenetv1_025_96_int8_qdq",
                                         "kws_dscnn_int8_qdq"], relocate_budget=10 ** 7)
    assert via.packing.arrays_used == moved.packing.arrays_used


def test_compile_takes_into(three):
    m = marp.compile([MODELS[3]], into=three)
    assert m.packing.arrays_used == 16 and len(m.workloads) == 4
    with pytest.raises(ValueError, match="keeps the mapping's arch and options"):
        marp.compile([MODELS[3]], into=three, seed=2)
    with pytest.raises(ValueError, match="need into=mapping"):
        marp.compile([MODELS[3]], remove=["x"])
