"""The suites of ``python -m bench``: random, 2bp, large, mlperf-tiny.

Every row: suite, instance, method, arrays, lower bound, gap to the bound, utilisation,
seconds, speed ratio (seconds / the reference method's seconds on the same instance, in
the same run; the reference is marp's default constructive packing), status ("ok",
"invalid: ...", "failed: ...", "skipped: ..."). Invalid or failed packings are never
counted.
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np

import marp
from bench.instances import family_u
from bench.peers import peer_methods
from bench.progress import Silent

DATA = Path(__file__).resolve().parents[2] / "shared" / "bench-data"
REFERENCE = "marp maxrects-bssf first-fit"
PEER_LIMIT_S = 60.0
# how a peer's time grows with the items, measured: rectpack's bin scans are quadratic;
# greedypacker's free lists grow with the items per bin (it ran over 5 minutes on BKW13
# where a square law from BKW12 predicted about 40 s), so a cube law; others: a cube
GROWTH = {"rectpack": 2, "greedypacker": 3}


def family(name: str, n: int, seed: int = 5000):
    """U (1..256), S (1..128), D (DNN-like tiles), mix (half U, half D)."""
    if name == "U":
        return family_u(n, seed, 256)
    if name == "S":
        return family_u(n, seed, 128)
    if name == "D":
        rng = np.random.default_rng(seed)
        w, h = [], []
        while len(w) < n:
            rows = 9 * int(rng.integers(16, 513))      # K*K*Cin of a 3x3 conv
            width = int(rng.integers(16, 257))
            full, rest = divmod(rows, 256)
            tiles = [256] * full + ([rest] if rest else [])
            h.extend(tiles)
            w.extend([width] * len(tiles))
        return np.array(w[:n]), np.array(h[:n])
    u = family("U", n - n // 2, seed)
    d = family("D", n // 2, seed + 1)
    return np.concatenate([u[0], d[0]]), np.concatenate([u[1], d[1]])


def marp_methods(refine_seconds):
    methods = [
        (REFERENCE, lambda w, h, c, r: marp.pack(w, h, array=(r, c))),
        ("marp skyline-bl first-fit", lambda w, h, c, r: marp.pack(w, h, array=(r, c),
                                                                   algorithm="skyline-bl")),
        ("marp maxrects-bssf best-fit", lambda w, h, c, r: marp.pack(
            w, h, array=(r, c), bin_selection="best-fit")),
    ]
    if refine_seconds:
        methods.append((f"marp refined {refine_seconds:g}s", lambda w, h, c, r: marp.pack(
            w, h, array=(r, c), refine_seconds=refine_seconds, refine_workers=1)))
    return methods


def _timed(fn, w, h, c, r):
    start = time.perf_counter()
    out = fn(w, h, c, r)
    if isinstance(out, tuple):           # peers time themselves (no conversion cost)
        return out
    return out, time.perf_counter() - start


def run_instance(suite, instance, w, h, cols, rows, methods, lb=None, skip=None,
                 progress=None):
    """Rows for every method on one instance; ``skip`` maps method name -> reason."""
    progress = progress or Silent()
    progress.step(instance)
    lb = marp.lower_bound(w, h, array=(rows, cols)) if lb is None else lb
    out, ref_seconds = [], None
    for name, fn in methods:
        row = {"suite": suite, "instance": instance, "method": name, "n": int(len(w)),
               "lower_bound": int(lb), "arrays": None, "gap": None, "utilization": None,
               "seconds": None, "speed_ratio": None, "status": "ok"}
        if skip and name in skip:
            row["status"] = f"skipped: {skip[name]}"
            progress.note(f"{instance}: {name} skipped, {skip[name]}")
            out.append(row)
            continue
        progress.detail(f"{instance}: {name}")
        try:
            p, seconds = _timed(fn, w, h, cols, rows)
        except Exception as exc:                       # a peer's own bug: report it
            row["status"] = f"failed: {type(exc).__name__}: {exc}"[:160]
            out.append(row)
            continue
        row["seconds"] = seconds
        try:
            marp.verify(p, w, h, array=(rows, cols))
            if not p.placed.all():
                raise ValueError(f"{len(p.unplaced)} rectangles unplaced")
        except ValueError as exc:
            row["status"] = f"invalid: {exc}"[:160]
            out.append(row)
            continue
        row.update(arrays=p.arrays_used, gap=p.arrays_used - int(lb),
                   utilization=p.utilization)
        if name == REFERENCE:
            ref_seconds = seconds
        out.append(row)
    for row in out:
        if row["seconds"] is not None and ref_seconds:
            row["speed_ratio"] = row["seconds"] / ref_seconds
    return out


class PeerBudget:
    """Skips a peer at the next size when its last run predicts more than the limit."""

    def __init__(self, limit=PEER_LIMIT_S):
        self.limit, self.last = limit, {}

    def skip(self, n: int) -> dict:
        out = {}
        for name, (n_prev, seconds) in self.last.items():
            predicted = seconds * (n / n_prev) ** GROWTH.get(name.split()[0], 3)
            if predicted > self.limit:
                out[name] = f"predicted {predicted:.0f} s > {self.limit:.0f} s"
        return out

    def record(self, rows):
        for r in rows:
            if r["seconds"] is not None and not r["method"].startswith("marp"):
                self.last[r["method"]] = (r["n"], r["seconds"])
            elif r["status"].startswith("skipped") and r["method"] not in self.last:
                self.last[r["method"]] = (1, float("inf"))


def suite_random(quick: bool, progress=None):
    progress = progress or Silent()
    sizes = [100, 1000] if quick else [100, 1000, 5000, 20000, 100000]
    families = ["U", "D"] if quick else ["U", "S", "D", "mix"]
    methods = marp_methods(0 if quick else 1.0) + peer_methods(rectpack_all=not quick)
    progress.begin("random", len(sizes) * len(families))
    rows = []
    for fam in families:
        budget = PeerBudget()
        for n in sizes:
            w, h = family(fam, n)
            got = run_instance("random", f"{fam} n={n}", w, h, 256, 256, methods,
                               skip=budget.skip(n), progress=progress)
            budget.record(got)
            rows += got
    return rows


def suite_2bp(quick: bool, progress=None, refine_seconds: float = 0.1):
    from marp.io.readers import read_2bp

    progress = progress or Silent()
    classes = [1, 7] if quick else list(range(1, 11))
    methods = marp_methods(0.01 if quick else refine_seconds) + peer_methods(rectpack_all=False)
    instances = {c: [ins for ins in read_2bp(DATA / "2bp" / f"Class_{c:02d}.2bp")
                     if not quick or ins.n == 20] for c in classes}
    progress.begin("2bp", sum(map(len, instances.values())))
    rows = []
    for c in classes:
        per = {}
        for ins in instances[c]:
            for r in run_instance("2bp", f"class {c} {ins.name}", ins.widths, ins.heights,
                                  ins.array_cols, ins.array_rows, methods,
                                  progress=progress):
                agg = per.setdefault(r["method"], {**r, "instance": f"class {c}", "n": 0,
                                                   "arrays": 0, "lower_bound": 0,
                                                   "seconds": 0.0, "invalid": 0,
                                                   "_ref": 0.0})
                agg["n"] += 1
                agg["lower_bound"] += r["lower_bound"]
                if r["arrays"] is None:
                    agg["invalid"] += 1
                    agg["status"] = r["status"]
                else:
                    agg["arrays"] += r["arrays"]
                    agg["seconds"] += r["seconds"]
        ref = per[REFERENCE]["seconds"]
        for agg in per.values():
            if agg["invalid"]:                 # never count a method with invalid packings
                agg["arrays"] = None
                agg["status"] = f"{agg['invalid']} invalid, e.g. {agg['status']}"[:160]
            agg["gap"] = agg["arrays"] - agg["lower_bound"] if not agg["invalid"] else None
            agg["speed_ratio"] = agg["seconds"] / ref if ref else None
            agg["utilization"] = None
            agg["n"] = f"{agg['n']} instances"
            agg.pop("_ref")
            rows.append(agg)
    return rows


def suite_large(quick: bool, progress=None):
    from bench.large import array_size, files
    from marp.io.readers import read_strip

    progress = progress or Silent()
    names = [("bkw", "BKW")] if quick else [("bkw", "BKW"), ("zdf", "zdf")]
    methods = marp_methods(0 if quick else 1.0) + peer_methods(rectpack_all=False)
    paths = [(prefix, path) for folder, prefix in names
             for path in files(DATA / folder, prefix)[: 4 if quick else None]]
    progress.begin("large", len(paths))
    rows, budgets = [], {}
    for prefix, path in paths:
        budget = budgets.setdefault(prefix, PeerBudget())      # one per set
        inst = read_strip(path)
        W, H = array_size(inst)
        got = run_instance("large", path.name, inst.widths, inst.heights, W, H, methods,
                           skip=budget.skip(len(inst.widths)), progress=progress)
        budget.record(got)
        rows += got
    return rows


def suite_mlperf_tiny(quick: bool, progress=None):
    from marp.compiler.driver import example_models

    progress = progress or Silent()
    workloads = [marp.load_onnx(p) for p in example_models("mlperf-tiny")]
    geometries = [(256, 256)] if quick else [(64, 64), (128, 128), (256, 256), (512, 256),
                                             (1152, 256), (1152, 512)]
    progress.begin("mlperf-tiny", len(geometries))
    rows = []
    for R, C in geometries:
        parts = [marp.lower(w, array=(R, C), weight_bits=8) for w in workloads]
        wd = np.concatenate([b.width for b in parts])
        ht = np.concatenate([b.height for b in parts])
        lbs = marp.lower_bounds(wd, ht, array=(R, C))
        methods = [(REFERENCE, lambda w, h, c, r: marp.pack(w, h, array=(r, c))),
                   ("marp refined 2000 it", lambda w, h, c, r: marp.pack(
                       w, h, array=(r, c), refine_iterations=2000))] \
            + peer_methods(rectpack_all=False)
        got = run_instance("mlperf-tiny", f"{R}x{C}", wd, ht, C, R, methods, lb=lbs.value,
                           progress=progress)
        n = len(wd)
        got.insert(0, {"suite": "mlperf-tiny", "instance": f"{R}x{C}", "method": "one-to-one",
                       "n": n, "lower_bound": lbs.value, "arrays": n, "gap": n - lbs.value,
                       "utilization": float((wd.astype(np.int64) * ht).sum()) / (n * R * C),
                       "seconds": None, "speed_ratio": None, "status": "ok"})
        got.insert(1, {**got[0], "method": "area bound", "arrays": lbs.area,
                       "gap": lbs.area - lbs.value, "utilization": None})
        rows += got
    return rows


SUITES = {"random": suite_random, "2bp": suite_2bp, "large": suite_large,
          "mlperf-tiny": suite_mlperf_tiny}
