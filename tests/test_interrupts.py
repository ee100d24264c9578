"""Killed at random moments, `marp compile --out` and `marp sweep --out` leave the old
set, the new set or nothing, never a mix; no worker outlives a killed sweep (issue 16,
item 7)."""
import csv
import json
import random
import signal
import subprocess
import sys
import time

import pytest

COMPILE = [sys.executable, "-m", "marp", "compile", "--example", "mlperf-tiny", "--quiet"]


def _state(out):
    """"none", or the depthwise mode of a complete, consistent set."""
    if not out.exists():
        return "none"
    names = sorted(p.name for p in out.iterdir())
    assert names == ["layers.csv", "mapping.json", "report.html"], names
    doc = json.loads((out / "mapping.json").read_text())
    rows = list(csv.DictReader((out / "layers.csv").open()))
    assert len(rows) == len(doc["report"]["layers"])          # the same run's files
    assert (out / "report.html").read_text().rstrip().endswith("</html>")
    return doc["options"]["depthwise"]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_killed_compile_leaves_one_whole_set(tmp_path, sig):
    out = tmp_path / "run"
    subprocess.run(COMPILE + ["--out", str(out)], check=True)
    rng = random.Random(sig)
    for _ in range(6):
        proc = subprocess.Popen(COMPILE + ["--out", str(out), "--depthwise", "diagonal"])
        time.sleep(rng.uniform(0.5, 3.0))
        proc.send_signal(sig)
        proc.wait(timeout=60)
        assert _state(out) in ("digital", "diagonal", "none")
        if sig == signal.SIGTERM:       # cleaned at once; after SIGKILL, by the next run
            assert [p.name for p in tmp_path.iterdir()] in ([], ["run"])
    subprocess.run(COMPILE + ["--out", str(out)], check=True)
    assert [p.name for p in tmp_path.iterdir()] == ["run"] and _state(out) == "digital"


def test_a_killed_sweep_leaves_a_valid_csv_and_no_worker(tmp_path):
    out = tmp_path / "sw"
    args = [sys.executable, "-m", "marp", "sweep", "--example", "mlperf-tiny", "--rows",
            "64,128,256,512,1152", "--cols", "64,128,256,512", "--bank", "1,2,3,4,5,6,7,9",
            "--workers", "2", "--out", str(out), "--quiet"]
    proc = subprocess.Popen(args)
    deadline = time.time() + 60
    while not (out / "sweep.csv").exists() and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    proc.kill()
    proc.wait(timeout=30)
    time.sleep(1.0)
    left = subprocess.run(["pgrep", "-f", "--bank 1,2,3,4,5,6,7,9 --workers 2"],
                          capture_output=True, text=True).stdout.split()
    assert left == []
    rows = list(csv.reader((out / "sweep.csv").open()))
    assert rows[0][:3] == ["rows", "cols", "bank"]
    assert all(len(r) == len(rows[0]) for r in rows)                # no half-written row
