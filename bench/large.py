"""Large strip-packing sets (BKW, ZDF) packed as bins, with refinement budgets.

    python -m bench.large [--seconds 1 10] [--sets bkw zdf] [--algorithm maxrects-bssf]

Array size: BKW files give W and a reference height H (their area bound: a zero-waste
packing of height H would need exactly one array); ZDF files give no height, so the arrays
are W wide and as tall as the tallest item (our choice: the smallest height every item
fits). Prints arrays used against the lower bound, with time, per budget; every packing is
checked with marp.verify.
"""
from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import marp
from marp.io.readers import read_strip

DATA = Path(__file__).resolve().parents[2] / "shared" / "bench-data"


def files(folder: Path, prefix: str):
    found = [p for p in folder.glob(f"{prefix}*") if re.fullmatch(rf"{prefix}\d+", p.name)]
    return sorted(found, key=lambda p: int(p.name[len(prefix):]))


def array_size(inst) -> tuple[int, int]:
    return inst.width, inst.height if inst.height is not None else int(inst.heights.max())


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.large", description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, nargs="+", default=[1.0, 10.0])
    ap.add_argument("--sets", nargs="+", default=["bkw", "zdf"], choices=["bkw", "zdf"])
    ap.add_argument("--algorithm", default="maxrects-bssf")
    ap.add_argument("--workers", type=int, default=1, help="refinement streams")
    ap.add_argument("--data", type=Path, default=DATA)
    args = ap.parse_args(argv)
    head = " ".join(f"{'arrays@' + format(s, 'g') + 's':>11} {'sec':>6}" for s in args.seconds)
    print(f"{'instance':9s} {'n':>6s} {'array WxH':>11s} {'bound':>6s} {'constr':>7s} "
          f"{'sec':>6s} {head}")
    for name in args.sets:
        for path in files(args.data / name, "BKW" if name == "bkw" else "zdf"):
            inst = read_strip(path)
            W, H = array_size(inst)
            w, h = inst.widths, inst.heights
            lb = marp.lower_bound(w, h, array=(H, W))
            t0 = time.perf_counter()
            p0 = marp.pack(w, h, array=(H, W), algorithm=args.algorithm)
            t_con = time.perf_counter() - t0
            marp.verify(p0, w, h, array=(H, W))
            cells = []
            for s in args.seconds:
                t0 = time.perf_counter()
                p = marp.pack(w, h, array=(H, W), algorithm=args.algorithm, refine_seconds=s,
                              refine_workers=args.workers)
                elapsed = time.perf_counter() - t0
                marp.verify(p, w, h, array=(H, W))
                cells.append(f"{p.arrays_used:11d} {elapsed:6.2f}")
            print(f"{path.name:9s} {len(w):6d} {f'{W}x{H}':>11s} {lb:6d} {p0.arrays_used:7d} "
                  f"{t_con:6.2f} " + " ".join(cells), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
