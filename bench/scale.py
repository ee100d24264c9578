"""Refinement at scale: 1,000-20,000 rectangles on 256x256 arrays.

    python -m bench.scale [--sizes 1000 5000 20000] [--families U D mix] [--seconds 1 10]

For uniform sizes (U: 1..256 x 1..256), DNN-tile-like blocks (D: 3x3-conv weight tiles of
16..256 columns, rows cut at 256) and a half-and-half mix, one run prints per instance:
marp's constructive packing (maxrects-bssf, first-fit, area-desc), the best of the
constructive portfolio (every heuristic x bin selection x order that refinement starts
from), the refined packing at each budget (one stream, a fixed seed), and the lower bound
(:func:`marp.lower_bound`), with the gap of each to the bound. Every packing is verified.
The last lines count the instances where refinement beat the portfolio, and those where the
portfolio is at the bound already (proven optimal: there is nothing to beat).
"""
from __future__ import annotations

import argparse
import time

import marp
from bench.suites import family
from marp.packing.refine import portfolio

ARRAY = (256, 256)


def packed(w, h, **kw):
    t0 = time.perf_counter()
    p = marp.pack(w, h, array=ARRAY, **kw)
    seconds = time.perf_counter() - t0
    marp.verify(p, w, h, array=ARRAY)
    return p.arrays_used, seconds


def row(fam, n, budgets, seed):
    w, h = family(fam, n, seed)
    lb = marp.lower_bound(w, h, array=ARRAY)
    cells = [packed(w, h), packed(w, h, refine_iterations=len(portfolio()))]
    cells += [packed(w, h, refine_seconds=s, refine_workers=1, seed=seed) for s in budgets]
    return lb, cells


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.scale",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 20000])
    ap.add_argument("--families", nargs="+", default=["U", "D", "mix"],
                    choices=["U", "D", "mix"])
    ap.add_argument("--seconds", type=float, nargs="+", default=[1.0, 10.0])
    ap.add_argument("--seed", type=int, default=5000)
    args = ap.parse_args(argv)
    names = ["constructive", "portfolio"] + [f"refined {s:g}s" for s in args.seconds]
    print(f"{'instance':>10s} {'bound':>6s} " + " ".join(f"{c:>20s}" for c in names))
    print(f"{'':>10s} {'':>6s} " + " ".join(f"{'arrays gap   s':>20s}" for _ in names))
    beats = []
    for fam in args.families:
        for n in args.sizes:
            lb, cells = row(fam, n, args.seconds, args.seed)
            print(f"{fam + ' ' + str(n):>10s} {lb:6d} " + " ".join(
                f"{a:8d} {a - lb:4d} {s:6.2f}" for a, s in cells))
            beats.append((fam, n, cells[1][0] - cells[-1][0], cells[1][0] <= lb))
    won = sum(1 for *_, d, _ in beats if d > 0)
    optimal = [f"{f} {n}" for f, n, _, at_bound in beats if at_bound]
    print(f"refined {args.seconds[-1]:g}s below the best of the portfolio on {won} of "
          f"{len(beats)} instances (arrays saved: "
          + ", ".join(f"{f} {n}: {d}" for f, n, d, _ in beats) + ")")
    print(f"portfolio already at the lower bound (optimal: nothing to beat) on {len(optimal)}"
          + (f": {', '.join(optimal)}" if optimal else ""))


if __name__ == "__main__":
    main()
