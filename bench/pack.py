"""Packing engine speed and quality against rectpack, measured side by side in one run.

    python -m bench.pack            # full run (rectpack takes about 5 s)
    python -m bench.pack --quick    # smoke run for CI: small sizes, validity only

Every packing (marp's and the peer's) is checked with marp.verify before it is counted.
"""
from __future__ import annotations

import argparse
import platform
import subprocess
import sys
import time

import numpy as np

import marp
from bench.instances import family_u
from bench.peers import rectpack_available, run_rectpack

ARRAY = 256


def best_time(fn, repeats):
    """(result, best wall seconds) over repeats calls after one warm-up call."""
    result = fn()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return result, best


def import_seconds(repeats=5) -> float:
    code = "import time; t = time.perf_counter(); import marp; print(time.perf_counter() - t)"
    times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                  text=True, check=True).stdout) for _ in range(repeats)]
    return min(times)


def marp_vs_rectpack(n, repeats):
    w, h = family_u(n)
    p, t_marp = best_time(lambda: marp.pack(w, h, array=(ARRAY, ARRAY), algorithm="maxrects-bssf",
                                            bin_selection="first-fit"), repeats)
    marp.verify(p, w, h, array=(ARRAY, ARRAY))
    lb = marp.lower_bound(w, h, array=(ARRAY, ARRAY))
    print(f"family U, n={n}, arrays {ARRAY}x{ARRAY}, no rotation; lower bound {lb}")
    print(f"  {'method':38s} {'arrays':>7s} {'seconds':>10s} {'speed ratio':>12s}")
    print(f"  {'marp maxrects-bssf first-fit':38s} {p.arrays_used:7d} {t_marp:10.4f} "
          f"{'1.0':>12s}")
    if not rectpack_available():
        print("  rectpack not installed (pip install -e .[bench]): no peer measured")
        return
    rp, t_rp = run_rectpack(w, h, ARRAY, ARRAY)
    try:
        marp.verify(rp, w, h, array=(ARRAY, ARRAY))
        status = ""
    except ValueError as exc:
        status = f"  INVALID: {exc}"
    print(f"  {'rectpack 0.2.2 MaxRectsBssf BFF':38s} {rp.arrays_used:7d} {t_rp:10.4f} "
          f"{t_rp / t_marp:11.1f}x{status}")
    if not status:
        print(f"  marp is {t_rp / t_marp:.0f}x faster than rectpack; arrays: marp "
              f"{p.arrays_used}, rectpack {rp.arrays_used}")


def all_rules(n, repeats):
    w, h = family_u(n)
    lb = marp.lower_bound(w, h, array=(ARRAY, ARRAY))
    print(f"\nevery algorithm x bin selection, family U n={n} (lower bound {lb})")
    print(f"  {'algorithm':18s} {'bin selection':14s} {'arrays':>7s} {'util %':>7s} "
          f"{'ms':>8s}")
    for algo in marp.available_algorithms():
        for binsel in marp.available_bin_selections():
            p, t = best_time(lambda a=algo, b=binsel: marp.pack(w, h, array=(ARRAY, ARRAY),
                                                                algorithm=a,
                                                                bin_selection=b), repeats)
            marp.verify(p, w, h, array=(ARRAY, ARRAY))
            print(f"  {algo:18s} {binsel:14s} {p.arrays_used:7d} "
                  f"{100 * p.utilization:7.2f} {1e3 * t:8.2f}")


def skyline_large(n, repeats):
    w, h = family_u(n)
    p, t = best_time(lambda: marp.pack(w, h, array=(ARRAY, ARRAY), algorithm="skyline-bl"), repeats)
    start = time.perf_counter()
    marp.verify(p, w, h, array=(ARRAY, ARRAY))
    t_verify = time.perf_counter() - start
    print(f"\nskyline-bl first-fit, family U n={n}: {p.arrays_used} arrays, "
          f"{t:.3f} s (verify {t_verify:.3f} s)")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.pack", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small smoke run (CI)")
    args = ap.parse_args(argv)
    print(f"marp {marp.__version__}, numpy {np.__version__}, Python "
          f"{platform.python_version()}, {platform.machine()} {platform.processor() or ''}")
    if args.quick:
        marp_vs_rectpack(300, 1)
        all_rules(500, 1)
        skyline_large(5000, 1)
        return 0
    marp_vs_rectpack(5000, 7)
    all_rules(5000, 3)
    skyline_large(100_000, 3)
    print(f"\nimport marp: {import_seconds():.3f} s (best of 5 fresh interpreters)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
