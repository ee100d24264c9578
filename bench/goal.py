"""The goal search's incremental repack against a repack of every order from scratch.

    python -m bench.goal [--evals 20000] [--seed 11]

On the 2BP instances that refinement leaves above the best known (or finds late), one
run of ``goal_pack`` per instance at its best-known array count, with the same seed and
a budget of greedy packings: incremental (a swap repacks from the first step it changes
and gives up once it must cost more than the order kept) and ``from_scratch=True`` (every
order repacked from its first step to its end). The two must give the same search (cost,
order and packing are compared); the ratio of their times is the speed-up.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from bench.twobp import DATA, best_known
from marp._kernels.goal import goal_pack
from marp.io.readers import read_2bp

CASES = [(3, 40, 9), (4, 60, 3), (5, 100, 8), (6, 40, 6), (6, 100, 8), (7, 80, 4),
         (8, 100, 4), (10, 80, 9), (10, 100, 1), (10, 100, 4)]


def load(cases):
    """{(class, n, instance): instance} for the cases."""
    out = {}
    for c in sorted({k[0] for k in cases}):
        for ins in read_2bp(DATA / f"Class_{c:02d}.2bp"):
            key = (ins.problem_class, ins.n, ins.relative)
            if key in cases:
                out[key] = ins
    return out


def one(ins, bins, evals, seed, from_scratch):
    """(seconds, cost, packings done, order, packing) of one goal_pack run."""
    w = np.ascontiguousarray(ins.widths, np.int32)
    h = np.ascontiguousarray(ins.heights, np.int32)
    n = w.shape[0]
    order = np.argsort(-(w.astype(np.int64) * h), kind="stable").astype(np.int32)
    out = [np.empty(n, np.int32), np.empty(n, np.int32), np.empty(n, np.int32),
           np.zeros(n, np.int8)]
    t0 = time.perf_counter()
    cost, done = goal_pack(w, h, ins.array_cols, ins.array_rows, False, bins, order, evals,
                           -1.0, seed, *out, None, from_scratch)
    return time.perf_counter() - t0, cost, done, order, out


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.goal",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--evals", type=int, default=20000, help="greedy packings per run")
    ap.add_argument("--seed", type=int, default=11)
    args = ap.parse_args(argv)
    known = best_known(DATA)
    instances = load(CASES)
    print(f"{'instance':>14s} {'bins':>4s} {'packings':>8s} {'cost':>7s} "
          f"{'scratch s':>9s} {'incremental s':>13s} {'speed-up':>8s}")
    total_a = total_b = 0.0
    for key in CASES:
        bins = known[key]
        a = one(instances[key], bins, args.evals, args.seed, True)
        b = one(instances[key], bins, args.evals, args.seed, False)
        same = a[1:3] == b[1:3] and (a[3] == b[3]).all() and \
            all((x == y).all() for x, y in zip(a[4], b[4]))
        if not same:
            raise SystemExit(f"bench.goal: {key}: the incremental search differs")
        total_a += a[0]
        total_b += b[0]
        name = f"{key[0]} n{key[1]} #{key[2]}"
        print(f"{name:>14s} {bins:4d} {b[2]:8d} {b[1]:7d} {a[0]:9.3f} {b[0]:13.3f} "
              f"{a[0] / b[0]:7.2f}x")
    print(f"{'total':>14s} {'':>4s} {'':>8s} {'':>7s} {total_a:9.3f} {total_b:13.3f} "
          f"{total_a / total_b:7.2f}x   (same cost, order and packing on every instance)")


if __name__ == "__main__":
    main()
