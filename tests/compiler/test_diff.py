"""The cost of reprogramming a chip from one mapping to another (marp.compiler.diff)."""
import json

import numpy as np
import pytest

import marp
from marp.cli import main
from marp.compiler.diff import diff

MODELS = marp.example_models("mlperf-tiny")


def test_diff_counts_every_changed_cell():
    a = marp.compile(MODELS[:3])
    b = marp.compile(MODELS)
    d = diff(a, b)
    ia, ib = a.images(), b.images()
    n = max(len(ia.cells), len(ib.cells))
    pad = lambda c: np.concatenate([c, np.zeros((n - len(c), *c.shape[1:]), c.dtype)])  # noqa: E731
    changed = pad(ia.cells) != pad(ib.cells)
    assert d["cells_written"] == int(changed.sum()) > 0
    assert d["arrays_changed"] == int(changed.any(axis=(1, 2)).sum())
    e = b.arch.aimc
    assert d["write_energy_uj"] == pytest.approx(changed.sum() * e.e_write_pj_per_cell * 1e-6)
    rows = changed.any(axis=2).sum(axis=1)
    # one array written at a time on qracc: the times add up
    assert e.write_parallel_arrays == 1
    assert d["write_time_us"] == pytest.approx(rows.sum() * e.t_write_row_ns / 1e3)
    assert diff(b, b)["cells_written"] == 0


def test_diff_refuses_other_array_sizes():
    a = marp.compile(MODELS[:1])
    b = marp.compile(MODELS[:1], marp.load_arch("qracc", {"aimc.array_rows": 512}))
    with pytest.raises(ValueError, match="arrays differ in size"):
        diff(a, b)


def test_cli_diff(capsys, tmp_path):
    assert main(["compile", *map(str, MODELS[:3]), "--out", str(tmp_path / "a"),
                 "--quiet"]) == 0
    assert main(["compile", "--example", "mlperf-tiny", "--out", str(tmp_path / "b"),
                 "--quiet"]) == 0
    capsys.readouterr()
    assert main(["diff", str(tmp_path / "a" / "mapping.json"),
                 str(tmp_path / "b" / "mapping.json"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["cells_written"] > 0 and doc["per_array"]
    assert main(["diff", str(tmp_path / "a" / "mapping.json"), str(tmp_path / "x.json")]) == 2
