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
    ops = sum(len(w["digital"]) for w in doc["workloads"])   # rows of work without weights
    assert len(rows) == len(doc["report"]["layers"]) + ops    # the same run's files
    assert (out / "report.html").read_text().rstrip().endswith("</html>")
    return doc["options"]["depthwise"]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_killed_compile_leaves_one_whole_set(tmp_path, sig):
    out = tmp_path / "run"
    subprocess.run(COMPILE + ["--out", str(out)], check=True)
    rng = random.Random(sig)
    for _ in range(10):          # 20 random moments over the two signals
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
    rng = random.Random(7)
    for k in range(20):                                             # 20 random moments
        out = tmp_path / f"sw{k}"
        args = [sys.executable, "-m", "marp", "sweep", "--example", "mlperf-tiny",
                "--rows", "64,128,256,512,1152", "--cols", "64,128,256,512", "--bank",
                "1,2,3,4,5,6,7,9", "--workers", "2", "--out", str(out), "--quiet"]
        proc = subprocess.Popen(args, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.8, 3.0))
        proc.send_signal(signal.SIGKILL if k % 2 else signal.SIGTERM)
        proc.wait(timeout=30)
        deadline = time.time() + 5
        while time.time() < deadline:
            left = subprocess.run(["pgrep", "-f", "--bank 1,2,3,4,5,6,7,9 --workers 2"],
                                  capture_output=True, text=True).stdout.split()
            if not left:
                break
            time.sleep(0.1)
        assert left == [], f"workers left after kill {k}"
        if (out / "sweep.csv").exists():
            rows = list(csv.reader((out / "sweep.csv").open()))
            assert rows[0][:3] == ["rows", "cols", "bank"]          # never an empty file
            assert all(len(r) == len(rows[0]) for r in rows)        # no half-written row
        assert not [p for p in out.iterdir() if p.name.startswith(".")] \
            if out.exists() else True
