from concurrent.futures import ThreadPoolExecutor

import pytest

import marp
from marp.compiler.sweeps import mark_pareto, points

MODELS = marp.example_models("mlperf-tiny")
SPACE = {"rows": [256, 1152], "cols": [128, 256], "bank": [4, 16]}


@pytest.fixture(scope="module")
def result():
    return marp.sweep(MODELS, space=SPACE, workers=2)


def test_every_point_is_a_row(result):
    assert len(result.rows) == 8
    assert [(r["rows"], r["cols"], r["bank"]) for r in result.rows] == \
        [(p["rows"], p["cols"], p["bank"]) for p in points(SPACE)]
    assert all("error" not in r for r in result.rows)


def test_user_executor_gives_the_same_rows(result):
    with ThreadPoolExecutor(2) as pool:
        other = marp.sweep(MODELS, space=SPACE, executor=pool)
    assert other.rows == result.rows


def test_pareto_front_is_non_dominated(result):
    front = result.pareto
    assert front
    keys = ("arrays_used", "latency_us", "energy_uj")
    for f in front:
        for r in result.rows:
            better = all(r[k] <= f[k] for k in keys) and any(r[k] < f[k] for k in keys)
            assert not better


def test_failed_points_are_rows_with_reasons():
    res = marp.sweep(MODELS[:1], space=[{"rows": 256, "cols": 256}, {"rows": 0}], workers=1)
    assert "error" not in res.rows[0]
    assert "aimc.array_rows: 0 out of range" in res.rows[1]["error"]
    assert res.rows[1]["pareto"] is False


def test_bad_space_and_objectives():
    with pytest.raises(ValueError, match=r"space keys \['size'\] are not known"):
        marp.sweep(MODELS, space={"size": [1]})
    with pytest.raises(ValueError, match=r"objectives \['power'\] are not known"):
        marp.sweep(MODELS, space=SPACE, objectives=("power",))


def test_mark_pareto_exact():
    rows = [{"arrays_used": 1, "latency_us": 5, "energy_uj": 1},
            {"arrays_used": 2, "latency_us": 4, "energy_uj": 1},
            {"arrays_used": 2, "latency_us": 5, "energy_uj": 1},
            {"error": "x"}]
    mark_pareto(rows, ("arrays", "latency_us", "energy_uj"))
    assert [r["pareto"] for r in rows] == [True, True, False, False]


def test_cli_sweep_writes_csvs(tmp_path, capsys):
    from marp.cli import main
    code = main(["sweep", "--example", "mlperf-tiny", "--rows", "256,1152", "--cols", "256",
                 "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0 and "2 points, 0 failed" in out
    assert (tmp_path / "sweep.csv").read_text().count("\n") == 3
    assert (tmp_path / "pareto.csv").exists()


def test_dask_local_cluster_gives_the_same_rows(result):
    distributed = pytest.importorskip("distributed", reason="the dask extra is not installed "
                                      "(pip install marp[dask]; .ci/run installs it)")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            other = marp.sweep(MODELS, space=SPACE, scheduler=client)
    assert other.rows == result.rows


def test_pareto_plots(result, tmp_path):
    pytest.importorskip("matplotlib", reason="the plot extra is not installed")
    from marp.compiler.sweeps import plot_pareto
    paths = plot_pareto(result, tmp_path / "pareto")
    assert all((tmp_path / name).stat().st_size > 1000 for name in ("pareto.png", "pareto.svg"))
    assert len(paths) == 2


def test_the_bank_is_a_real_axis_with_a_knee_where_everything_fits():
    banks = [1, 2, 4, 8, 12, 16, 24]
    res = marp.sweep(MODELS, space={"rows": [1152], "cols": [256], "bank": banks},
                     objectives=("bank", "latency_us", "energy_uj"), workers=1)
    rows = sorted(res.rows, key=lambda r: r["bank"])
    lat = [r["latency_us"] for r in rows]
    energy = [r["energy_uj"] for r in rows]
    assert lat == sorted(lat, reverse=True) and energy == sorted(energy, reverse=True)
    assert rows[-1]["latency_us"] == rows[-2]["latency_us"]          # 24 = 16: all fit
    assert [r["bank"] for r in res.pareto] == [1, 2, 4, 8, 12, 16]      # the knee at 16
    assert rows[0]["cells_written_per_inference"] > 0 == rows[-1]["cells_written_per_inference"]


def test_a_sweep_row_is_the_compile_of_its_point():
    res = marp.sweep(MODELS, space={"rows": [256], "cols": [256], "bank": [4, 64]},
                     workers=1)
    for row in res.rows:
        arch = marp.load_arch("qracc")
        arch = arch.with_values({**arch.geometry_values(256, 256), "aimc.arrays": row["bank"]})
        t = marp.compile(MODELS, arch).report.totals
        for key in ("arrays_used", "latency_us", "energy_uj", "phases",
                    "cells_written_per_inference"):
            assert row[key] == t[key], key


def test_mark_pareto_lists_equal_points_once():
    rows = [{"arrays_used": 1, "latency_us": 5, "energy_uj": 1},
            {"arrays_used": 1, "latency_us": 5, "energy_uj": 1},
            {"arrays_used": 2, "latency_us": 4, "energy_uj": 1}]
    mark_pareto(rows, ("arrays", "latency_us", "energy_uj"))
    assert [r["pareto"] for r in rows] == [True, False, True]
    assert rows[1]["same_as"] == 0


def test_cli_sweep_csv_has_only_swept_columns(tmp_path, capsys):
    from marp.cli import main
    assert main(["sweep", "--example", "mlperf-tiny", "--rows", "256,1152", "--out",
                 str(tmp_path), "--quiet"]) == 0
    capsys.readouterr()
    for name in ("sweep.csv", "pareto.csv"):
        header = (tmp_path / name).read_text().splitlines()[0].split(",")
        assert header[0] == "rows" and not {"cols", "bank", "packing"} & set(header)


def test_cli_sweep_failures_are_reported_and_all_failed_exits_1(capsys):
    from marp.cli import main
    code = main(["sweep", "--example", "mlperf-tiny", "--rows", "256", "--bank", "0,16",
                 "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0 and "1 of 2 points failed; the first (rows=256, bank=0)" in err
    assert "aimc.arrays" in err
    code = main(["sweep", "--example", "mlperf-tiny", "--rows", "256", "--bank", "0",
                 "--quiet"])
    out, err = capsys.readouterr()
    assert code == 1 and "1 of 1 points failed" in err


def test_scheduler_without_the_dask_extra_is_one_line(monkeypatch, capsys):
    import sys
    from marp.cli import main
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ImportError, match=r"pip install 'marp\[dask\]'"):
        marp.sweep(MODELS, space={"rows": [256]}, scheduler="tcp://127.0.0.1:1")
    code = main(["sweep", "--example", "mlperf-tiny", "--rows", "256", "--scheduler",
                 "tcp://127.0.0.1:1", "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "marp[dask]" in err
