"""The classic 2D bin packing benchmark (500 instances, oriented, no rotation).

    python -m bench.twobp --seconds 1 [--jobs 2] [--workers 1] [--classes 1 2 ...]
                          [--exact-seconds 10] [--above]

For each class and n: the arrays of the default constructive heuristic (maxrects-bssf,
first-fit, area-desc), of the best of the constructive portfolio, and after refinement with
the given budget per instance; the best-known total from reference.csv, our lower bound
and the seconds spent. Every packing is checked with marp.verify. ``--jobs`` runs instances
in parallel processes (one per core); ``--workers`` is the refinement streams per instance
(1 = one core per instance). ``--exact-seconds S`` then runs the CP-SAT model
(marp.packing.exact) for up to S seconds on each instance the refinement left above its
lower bound, and counts the instances proven optimal (by a bound or by CP-SAT).
``--above`` lists the instances refined above their best-known count, with how full the
best-known count's arrays must be.
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import marp
from marp._validate import area_sum
from marp.io.readers import read_2bp
from marp.packing.refine import portfolio

DATA = Path(__file__).resolve().parents[2] / "shared" / "bench-data" / "2bp"


def best_known(folder: Path) -> dict:
    return {(int(r["class"]), int(r["n"]), int(r["instance"])): int(r["best_known"])
            for r in csv.DictReader(open(folder / "reference.csv")) if r["instance"].isdigit()}


def run_instance(job):
    ins, seconds, workers, seed, exact = job
    args = (ins.widths, ins.heights)
    array = (ins.array_rows, ins.array_cols)
    start = time.perf_counter()
    p = marp.pack(*args, array=array, refine_seconds=seconds, refine_workers=workers,
                  seed=seed, exact_seconds=exact)
    elapsed = time.perf_counter() - start
    marp.verify(p, *args, array=array)
    port = marp.pack(*args, array=array, refine_iterations=len(portfolio()))
    marp.verify(port, *args, array=array)
    lb = marp.lower_bound(*args, array=array)
    return (ins.problem_class, ins.n, p.arrays_before_refine, port.arrays_used,
            p.arrays_used, max(lb, p.lower_bound), elapsed, p.status, ins.relative,
            area_sum(ins.widths, ins.heights),
            ins.array_rows * ins.array_cols)


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.twobp", description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=1.0, help="refinement budget per instance")
    ap.add_argument("--jobs", type=int, default=1, help="instances run in parallel")
    ap.add_argument("--workers", type=int, default=1, help="refinement streams per instance")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--exact-seconds", type=float, help="CP-SAT budget per instance left "
                    "above its bound (pip install 'marp[exact]')")
    ap.add_argument("--classes", type=int, nargs="*", default=list(range(1, 11)))
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--above", action="store_true",
                    help="list the instances refined above their best-known count")
    args = ap.parse_args(argv)
    bks = best_known(args.data)
    jobs = [(ins, args.seconds, args.workers, args.seed, args.exact_seconds)
            for c in args.classes for ins in read_2bp(args.data / f"Class_{c:02d}.2bp")]
    start = time.perf_counter()
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs) as pool:
            rows = list(pool.map(run_instance, jobs, chunksize=1))
    else:
        rows = [run_instance(j) for j in jobs]
    wall = time.perf_counter() - start
    print(f"2BP, {len(rows)} instances, refinement {args.seconds:g} s per instance, "
          f"{args.workers} stream(s), {args.jobs} job(s); every packing verified")
    print(f"{'class':>5} {'n':>4} {'default':>8} {'portfolio':>9} {'refined':>8} "
          f"{'best known':>10} {'lower bd':>8} {'seconds':>8}")
    totals = [0] * 6
    for c in args.classes:
        for n in (20, 40, 60, 80, 100):
            group = [r for r in rows if r[0] == c and r[1] == n]
            sums = [sum(r[k] for r in group) for k in (2, 3, 4)]
            known = sum(bks[(c, n, k)] for k in range(1, 11))
            lb = sum(r[5] for r in group)
            sec = sum(r[6] for r in group)
            for k, v in enumerate(sums + [known, lb, sec]):
                totals[k] += v
            print(f"{c:5d} {n:4d} {sums[0]:8d} {sums[1]:9d} {sums[2]:8d} {known:10d} "
                  f"{lb:8d} {sec:8.1f}")
    print(f"{'total':>10} {totals[0]:8d} {totals[1]:9d} {totals[2]:8d} {totals[3]:10d} "
          f"{totals[4]:8d} {totals[5]:8.1f}")
    status = [r[7] for r in rows]
    print(f"proven optimal: {status.count('optimal') + status.count('bound')} of "
          f"{len(rows)} ({status.count('bound')} equal to a lower bound, "
          f"{status.count('optimal')} proven by CP-SAT"
          + (f" within {args.exact_seconds:g} s" if args.exact_seconds else ", not run")
          + f"); {status.count('heuristic')} not proven")
    if args.above:
        print_above(rows, bks)
    print(f"wall time {wall:.1f} s")
    return 0


def print_above(rows, bks):
    """The instances refined above their best-known count, with how full the best-known
    count's arrays must be (items' area / (best known x array cells))."""
    above = [r for r in rows if r[4] > bks[(r[0], r[1], r[8])]]
    print(f"above the best known: {len(above)} instances (class n #instance: refined / "
          "best known / lower bound, fill at the best known)")
    for r in above:
        known = bks[(r[0], r[1], r[8])]
        print(f"  class {r[0]:2d} n {r[1]:3d} #{r[8]:2d}: {r[4]} / {known} / {r[5]}, "
              f"{r[9] / (known * r[10]):.1%}")


if __name__ == "__main__":
    sys.exit(main())
