import json
import re
import subprocess
import sys

import pytest
import yaml

import marp
from marp import __version__
from marp.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version():
    r = subprocess.run([sys.executable, "-m", "marp", "--version"], capture_output=True,
                       text=True)
    assert r.returncode == 0 and r.stdout.strip() == f"marp {__version__}"


def test_example_summary(capsys):
    code, out, err = run(capsys, "pack", "--example")
    assert code == 0, err
    assert "arrays used   70" in out and "256x256" in out


def test_json_keys_and_placements(capsys, tmp_path):
    f = tmp_path / "r.csv"
    f.write_text("w,h,id\n6,6,a\n6,6,b\n4,4,c\n")
    code, out, _ = run(capsys, "pack", str(f), "--array", "10x10",
                       "--json")
    assert code == 0
    doc = json.loads(out)
    for key in ("arrays_used", "lower_bound", "utilization", "seconds", "placements"):
        assert key in doc
    assert doc["arrays_used"] == 2 and doc["lower_bound"] == 2
    assert [p["id"] for p in doc["placements"]] == ["a", "b", "c"]
    assert set(doc["placements"][0]) == {"id", "array", "x", "y", "w", "h", "rotated"}


def test_2bp_instance_uses_file_bin_size(capsys, shared):
    path = shared / "bench-data" / "2bp" / "Class_07.2bp"
    code, out, _ = run(capsys, "pack", str(path), "--instance", "60_3", "--json")
    doc = json.loads(out)
    assert code == 0 and doc["array_cols"] == 100 and doc["rectangles"] == 60
    code, out2, _ = run(capsys, "pack", str(path), "--instance", "23", "--json")
    assert json.loads(out2)["placements"] == doc["placements"]    # 23rd = n 60, r 3


def test_stdin(monkeypatch, capsys):
    import io
    monkeypatch.setattr(sys, "stdin", io.StringIO("w,h\n3,3\n"))
    code, out, _ = run(capsys, "pack", "-", "--array", "3x3", "--json")
    assert code == 0 and json.loads(out)["utilization"] == 1.0


@pytest.mark.parametrize("suffix", [".json", ".csv"])
def test_out_file(capsys, tmp_path, suffix):
    out_file = tmp_path / f"res{suffix}"
    code, _, _ = run(capsys, "pack", "--example", "--out", str(out_file))
    assert code == 0
    text = out_file.read_text()
    assert text.startswith("{") if suffix == ".json" else text.startswith("id,array,x,y,w,h")
    assert [p.name for p in tmp_path.iterdir()] == [out_file.name]   # no temp file left


@pytest.mark.parametrize("argv,match", [
    (["pack", "nope.csv", "--array", "4x4"], "nope.csv: cannot read"),
    (["pack", "--example", "--algorithm", "best"], "invalid choice: 'best'"),
    (["pack", "--example", "--array", "256x100"], r"rectangle 0 \(w=256, h=40\)"),
    (["pack"], "pack needs RECTS"),
    (["pack", "--example", "--max-arrays", "-3"], "max_arrays must be"),
    (["pack", "--example", "--array", "abc"], "not ROWSxCOLS"),
])
def test_errors_exit_2_with_one_line(capsys, argv, match):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("marp: error:")
    assert pytest.importorskip("re").search(match, err), err


def test_bad_csv_names_line(capsys, tmp_path):
    f = tmp_path / "r.csv"
    f.write_text("w,h\n1,2\n-1,2\n")
    code, _, err = run(capsys, "pack", str(f), "--array", "4x4")
    assert code == 2 and "r.csv:3: w -1 must be positive" in err


def test_2bp_needs_instance(capsys, shared):
    code, _, err = run(capsys, "pack", str(shared / "bench-data" / "2bp" / "Class_01.2bp"))
    assert code == 2 and "holds 50 instances" in err
    code, _, err = run(capsys, "pack", str(shared / "bench-data" / "2bp" / "Class_01.2bp"),
                       "--instance", "51")
    assert code == 2 and "out of range 1..50" in err


def test_failed_run_writes_nothing(capsys, tmp_path):
    out_file = tmp_path / "res.json"
    code, _, _ = run(capsys, "pack", "--example", "--array", "256x10", "--out", str(out_file))
    assert code == 2 and not out_file.exists()


def test_cli_subprocess_exit_status(tmp_path):
    r = subprocess.run([sys.executable, "-m", "marp", "pack", "missing.csv"],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 2 and "Traceback" not in r.stderr


# ---------------------------------------------------------------- marp layers

def test_layers_table(capsys, shared):
    code, out, err = run(capsys, "layers", str(shared / "models" / "mlperf_tiny" /
                                               "kws_dscnn_int8_qdq.onnx"))
    assert code == 0, err
    assert "total: 10 layers, 22,016 weights, 2,656,768 MACs" in out
    assert "depthwise     4 layers" in out and "digital: AveragePool" in out


def test_layers_json(capsys, shared):
    code, out, _ = run(capsys, "layers", "--json", str(shared / "models" / "mlperf_tiny" /
                                                         "ic_resnet8_int8_qdq.onnx"))
    doc = json.loads(out)
    assert code == 0 and doc["totals"]["weights"] == 77360 and len(doc["layers"]) == 10
    first = doc["layers"][0]
    for key in ("name", "op", "kind", "groups", "kernel", "strides", "dilations", "pads",
                "input_shape", "output_shape", "rows", "cols", "vectors", "macs", "weights",
                "weight_bits"):
        assert key in first


def test_layers_errors(capsys, tmp_path):
    code, _, err = run(capsys, "layers", str(tmp_path / "none.onnx"))
    assert code == 2 and "none.onnx: no such model file" in err and err.count("\n") == 1
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model")
    code, _, err = run(capsys, "layers", str(bad))
    assert code == 2 and "bad.onnx: not a readable ONNX model" in err


def test_refine_flags_and_json_keys(capsys, shared):
    path = shared / "bench-data" / "2bp" / "Class_10.2bp"
    code, out, err = run(capsys, "pack", str(path), "--instance", "48", "--json",
                         "--refine-iterations", "2000", "--seed", "1")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["arrays_before_refine"] == 19 and doc["arrays_used"] == doc["lower_bound"] == 18
    assert 0 < doc["refine_iterations"] <= 2000
    code, out, _ = run(capsys, "pack", str(path), "--instance", "48",
                       "--refine-seconds", "0.05")
    assert code == 0 and "(constructive 19," in out
    code, _, err = run(capsys, "pack", str(path), "--instance", "48", "--refine-seconds", "-1")
    assert code == 2 and "refine_seconds must be" in err


# ---------------------------------------------------------------- marp compile

def test_compile_example_summary(capsys):
    code, out, err = run(capsys, "compile", "--example", "mlperf-tiny")
    assert code == 0, err
    assert "total (shared arrays)                  16    126" in out


def test_compile_json_keys(capsys):
    code, out, _ = run(capsys, "compile", "--example", "mlperf-tiny", "--json", "--quiet")
    doc = json.loads(out)
    assert set(doc) == {"arrays_used", "arrays_one_to_one", "utilization", "latency_us",
                        "energy_uj", "tops_per_w", "models", "layers", "bank_arrays",
                        "phases", "pinned_arrays", "cells_written_per_inference",
                        "weight_bytes_fetched_per_inference", "energy_pj",
                        "lifetime_inferences", "capacity_policy", "digital_work",
                        "packing_status", "lower_bound", "depth", "macros_used",
                        "bank_slots"}
    assert doc["bank_arrays"] == 16 and doc["cells_written_per_inference"] == 0
    # 58 weight layers, then the 3 pooling ops of the digital engine
    assert len(doc["layers"]) == 61 and doc["layers"][0]["model"] == "kws_dscnn_int8_qdq"
    assert [r["kind"] for r in doc["layers"][58:]] == ["pooling"] * 3


def test_compile_out_dir(capsys, tmp_path):
    out = tmp_path / "run"
    code, _, err = run(capsys, "compile", "--example", "mlperf-tiny", "--out", str(out))
    assert code == 0, err
    assert sorted(p.name for p in out.iterdir()) == ["layers.csv", "mapping.json", "report.html"]
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in out.iterdir())


@pytest.mark.parametrize("argv,match", [
    (["compile", "missing.onnx"], "missing.onnx: no such model file"),
    (["compile", "--example", "mlperf-tiny", "--arch", "nope"], "arch='nope' is not a bundled"),
    (["compile"], "compile needs MODEL.onnx files or --example"),
])
def test_compile_errors_exit_2(capsys, tmp_path, argv, match):
    code, out, err = run(capsys, *argv, "--out", str(tmp_path / "o"))
    assert code == 2 and match in err and err.count("\n") == 1
    assert not (tmp_path / "o").exists()


def test_compile_broken_model_leaves_no_output(capsys, tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"broken")
    code, _, err = run(capsys, "compile", str(bad), "--out", str(tmp_path / "o"))
    assert code == 2 and "bad.onnx: not a readable ONNX model" in err
    assert not (tmp_path / "o").exists()


def test_compile_latency_search(capsys):
    code, out, _ = run(capsys, "compile", "--example", "mlperf-tiny", "--latency-us", "600",
                       "--json")
    assert code == 0 and json.loads(out)["arrays_used"] > 16
    code, _, err = run(capsys, "compile", "--example", "mlperf-tiny", "--latency-us", "1")
    assert code == 2 and "infeasible: latency_us=1 cannot be met; best reachable is" in err
    code, _, err = run(capsys, "compile", "--example", "mlperf-tiny", "--latency-us", "700",
                       "--geometries", "1152x256,axb")
    assert code == 2 and "--geometries item 'axb' is not ROWSxCOLS" in err


def test_compile_replicate(capsys):
    code, out, err = run(capsys, "compile", "--example", "mlperf-tiny", "--replicate",
                         "latency", "--replicate-arrays", "300", "--json")
    assert code == 0, err
    assert json.loads(out)["arrays_used"] > 16
    code, _, err = run(capsys, "compile", "--example", "mlperf-tiny", "--replicate",
                       "throughput")
    assert code == 2 and "give a larger replicate_arrays" in err


def test_deprecated_array_flags_still_work_with_a_warning(capsys):
    code, out, err = run(capsys, "pack", "--example", "--array-cols", "256", "--array-rows",
                         "256", "--json")
    new_code, new_out, _ = run(capsys, "pack", "--example", "--array", "256x256", "--json")
    assert code == new_code == 0 and "deprecated" in err
    drop = lambda o: {k: v for k, v in json.loads(o).items() if k != "seconds"}  # noqa: E731
    assert drop(out) == drop(new_out)


def test_compile_says_when_the_bank_is_too_small(capsys, tmp_path):
    small = tmp_path / "small.yaml"
    doc = marp.load_arch("qracc").with_values({"aimc.arrays": 4}).as_dict()
    small.write_text(yaml.safe_dump(doc))
    code, out, err = run(capsys, "compile", "--example", "mlperf-tiny", "--arch", str(small),
                         "--quiet")
    assert code == 0, err
    line = out.strip().splitlines()[-1]
    assert line.startswith("needs 19 arrays, bank has 4: 16 phases, 3.58 M cells written "
                           "per inference (") and "policy marp, 3 pinned" in line
    code, out, _ = run(capsys, "compile", "--example", "mlperf-tiny", "--arch", str(small),
                       "--quiet", "--json", "--capacity", "layerwise")
    doc = json.loads(out)
    assert doc["capacity_policy"] == "layerwise" and doc["phases"] > 16
    parts = doc["energy_pj"]
    assert parts["write"] > 0 and parts["fetch"] > parts["write"]
    assert sum(m["energy_uj"] for m in doc["models"]) == pytest.approx(doc["energy_uj"])


def test_an_unexpected_error_is_one_line_asking_for_a_report(capsys, monkeypatch):
    import marp.cli as cli

    def boom(args):
        raise KeyError("surprise")
    monkeypatch.setattr(cli, "cmd_layers", boom)
    code, out, err = run(capsys, "layers", "x.onnx")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("marp: error: unexpected KeyError: 'surprise' (please report it")
    code, _, err = run(capsys, "--debug", "layers", "x.onnx")
    assert code == 2 and "Traceback" in err


def test_a_multi_line_config_problem_is_still_one_line(capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("aimc: [1, 2\n")
    code, _, err = run(capsys, "compile", "--example", "mlperf-tiny", "--arch", str(bad))
    assert code == 2 and err.count("\n") == 1 and "not valid YAML at line" in err
    bad.write_bytes(b"name: \xff\xfe\n")
    code, _, err = run(capsys, "compile", "--example", "mlperf-tiny", "--arch", str(bad))
    assert code == 2 and err.count("\n") == 1 and "not UTF-8 text" in err


def test_out_is_one_set_replaced_whole_and_keeps_a_users_files(capsys, tmp_path):
    out = tmp_path / "run"
    assert run(capsys, "compile", "--example", "mlperf-tiny", "--out", str(out),
               "--quiet")[0] == 0
    first = (out / "mapping.json").read_text()
    assert sorted(p.name for p in out.iterdir()) == ["layers.csv", "mapping.json",
                                                      "report.html"]
    assert run(capsys, "compile", "--example", "mlperf-tiny", "--out", str(out), "--quiet",
               "--depthwise", "diagonal")[0] == 0
    assert (out / "mapping.json").read_text() != first
    assert [p.name for p in tmp_path.iterdir()] == ["run"]         # no temp folder left
    (out / "notes.txt").write_text("mine")
    assert run(capsys, "compile", "--example", "mlperf-tiny", "--out", str(out),
               "--quiet")[0] == 0
    assert (out / "notes.txt").read_text() == "mine"
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_sigterm_stops_a_sweep_and_its_workers(tmp_path):
    import signal
    import time
    out = tmp_path / "sw"
    proc = subprocess.Popen([sys.executable, "-m", "marp", "sweep", "--example",
                             "mlperf-tiny", "--rows", "64,128,256,512,1152", "--cols",
                             "64,128,256,512", "--bank", "1,2,3,4,5,6,7,8", "--workers", "2",
                             "--out", str(out), "--quiet"], stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while not (out / "sweep.csv").exists() and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2 and "interrupted" in err
    lines = (out / "sweep.csv").read_text().splitlines()
    assert lines and lines[0].startswith("rows,cols,bank")            # the header is there
    time.sleep(0.5)
    # forked workers carry the parent's command line: none may be left
    left = subprocess.run(["pgrep", "-f", "--bank 1,2,3,4,5,6,7,8 --workers 2"],
                          capture_output=True, text=True).stdout.split()
    assert left == []


def test_a_csv_field_over_the_csv_limit_is_one_line(capsys, tmp_path):
    f = tmp_path / "huge.csv"
    f.write_text("w,h,id\n3,4," + "x" * 200_000 + "\n")
    code, out, err = run(capsys, "pack", str(f), "--array", "10x10")
    assert code == 2 and out == "" and err.count("\n") == 1 and "field larger" in err


def _symbolic_model(path):
    import onnx
    from onnx_factory import Net
    net = Net(None, dims=["N", 3, "H", "W"])
    onnx.save(net.model(net.conv("x", 3, 4, pads=[1] * 4)), path)
    return str(path)


def test_input_shapes_flag_on_layers_and_compile(capsys, tmp_path):
    model = _symbolic_model(tmp_path / "sym.onnx")
    code, out, err = run(capsys, "layers", model)
    assert code == 2 and "--input-shapes x=SHAPE" in err and len(err.splitlines()) == 1
    code, out, err = run(capsys, "layers", model, "--input-shapes", "x=1x3x16x16", "--json")
    assert code == 0, err
    assert json.loads(out)["layers"][0]["vectors"] == 256
    code, out, err = run(capsys, "compile", model, "--input-shapes", "x=2x3x16x16",
                         "--json", "--quiet")
    assert code == 0, err
    doc = json.loads(out)                      # per inference: 2 images in the run
    assert doc["layers"][0]["vectors"] == 256
    code, out, err = run(capsys, "compile", model, "--input-shapes", "x=1x3x16x16",
                         "--batch", "4", "--json", "--quiet")
    assert code == 2 and "batch=4 changes nothing" in err     # the shape pins the batch


@pytest.mark.parametrize("items,match", [
    (["x"], "is not NAME=SHAPE"), (["x=1x0x3"], "is not NAME=SHAPE"),
    (["x=1x3x8x8", "y=1x3x8x8"], "input_shapes names \\['y'\\], which no model has as an "
                                 "input"),
])
def test_input_shapes_flag_errors(capsys, tmp_path, items, match):
    model = _symbolic_model(tmp_path / "sym.onnx")
    flags = [part for item in items for part in ("--input-shapes", item)]
    code, _, err = run(capsys, "compile", model, *flags, "--quiet")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert re.search(match, err), err


def test_precision_flags(capsys, tmp_path):
    table = tmp_path / "p.csv"
    name = marp.load_onnx(marp.example_models("mlperf-tiny")[2]).layers.name[0]
    table.write_text(f"layer,weight_bits,act_bits\n{name},4,4\n")
    code, out, err = run(capsys, "compile", "--example", "mlperf-tiny", "--precision",
                         str(table), "--precision-budget", "14", "--json", "--quiet")
    assert code == 0, err
    doc = json.loads(out)
    row = next(r for r in doc["layers"] if r["name"] == name)
    assert (row["weight_bits"], row["act_bits"]) == (4, 4) and doc["arrays_used"] <= 14
    code, _, err = run(capsys, "compile", "--example", "mlperf-tiny", "--precision-bits",
                       "8,x", "--quiet")
    assert code == 2 and "--precision-bits '8,x': expected int values" in err


def test_a_closed_pipe_ends_quietly():
    """`marp ... | head`: the reader goes away; no traceback."""
    proc = subprocess.Popen([sys.executable, "-m", "marp", "layers",
                             str(marp.example_models("mlperf-tiny")[1]), "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()                       # nobody reads: the first write fails
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert "Traceback" not in err and "Exception ignored" not in err, err


def test_one_to_one_summary_says_so(capsys):
    code, out, err = run(capsys, "compile", "--example", "mlperf-tiny", "--one-to-one",
                         "--quiet")
    assert code == 0, err
    assert "total (one array per block)" in out and "shared arrays" not in out


def test_oversize_message_names_the_flag(capsys, tmp_path):
    rects = tmp_path / "r.csv"
    rects.write_text("w,h\n10,10\n")
    code, _, err = run(capsys, "pack", str(rects), "--array", "4x4")
    assert code == 2 and "--partial" in err


def test_progress_bars_only_on_a_terminal_or_when_asked(capsys):
    code, _, err = run(capsys, "compile", "--example", "mlperf-tiny")
    assert code == 0 and err == ""                 # stderr is not a terminal here
    code, _, err = run(capsys, "compile", "--example", "mlperf-tiny", "--progress")
    assert code == 0 and "marp compile" in err and "4/4" in err
    code, _, err = run(capsys, "sweep", "--example", "mlperf-tiny", "--rows", "256",
                       "--progress")
    assert code == 0 and "marp sweep" in err and "1/1" in err


def test_batch_is_refused_where_it_would_change_nothing(capsys, tmp_path):
    fixed = str(marp.example_models("mlperf-tiny")[0])      # inputs of fixed size
    code, _, err = run(capsys, "layers", fixed, "--batch", "4", "--no-cache")
    assert code == 2 and "batch=4 changes nothing" in err
    code, _, err = run(capsys, "compile", fixed, "--batch", "4", "--quiet")
    assert code == 2 and "batch=4 changes nothing" in err
    import onnx
    from onnx_factory import Net
    net = Net(None, dims=["N", 3, 8, 8])
    path = tmp_path / "n.onnx"
    onnx.save(net.model(net.conv("x", 3, 4, pads=[1] * 4)), path)
    code, out, err = run(capsys, "layers", str(path), "--batch", "4", "--json")
    assert code == 0, err
    doc = json.loads(out)           # four images per run, vectors per inference unchanged
    assert doc["batch"] == 4 and doc["layers"][0]["vectors"] == 64


def test_compile_writes_array_images(capsys, tmp_path):
    import numpy as np
    code, _, err = run(capsys, "compile", "--example", "mlperf-tiny", "--images",
                       str(tmp_path / "img"), "--quiet")
    assert code == 0, err
    cells = np.load(tmp_path / "img" / "images.npz")["cells"]
    assert cells.shape == (16, 1152, 256) and cells.max() == 1
    assert (tmp_path / "img" / "layout.csv").read_text().count("\n") == 1 + 126


def test_simulate_command(capsys, tmp_path):
    pytest.importorskip("onnxruntime")
    assert main(["compile", "--example", "mlperf-tiny", "--out", str(tmp_path / "run"),
                 "--quiet"]) == 0
    capsys.readouterr()
    code, out, err = run(capsys, "simulate", str(tmp_path / "run" / "mapping.json"),
                         "--adc-bits", "12,4", "--kernel", "numpy")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[3].startswith("ideal") and "41/41" in lines[3] and "exact" in lines[3]
    assert " 1.00    0.000 " in lines[3]               # top-1 agreement, no output error
    assert lines[4].startswith("12 bits") and lines[5].startswith("4 bits")
    code, _, err = run(capsys, "simulate", str(tmp_path / "nope.json"))
    assert code == 2 and "nope.json" in err


def test_pack_gap_and_border(capsys, tmp_path):
    rects = tmp_path / "r.csv"
    rects.write_text("w,h\n4,8\n4,8\n")
    code, out, err = run(capsys, "pack", str(rects), "--array", "10x10", "--border", "1",
                         "--gap", "1", "--json")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["arrays_used"] == 2 and doc["lower_bound"] == 2 and doc["status"] == "bound"
    assert all(p["x"] >= 1 and p["y"] >= 1 for p in doc["placements"])
