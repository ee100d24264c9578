"""Speed of the design-space sweep, against another marp checkout in the same run.

    python -m bench.sweep [--workers 2] [--baseline-src DIR]

Sweeps the four MLPerf Tiny models over rows 64..1152 x cols 64..512 x bank 1..32 x two
packers (240 points) with ``marp.sweep`` and prints points per second. With
``--baseline-src DIR`` (a checkout of an earlier marp whose kernels are built, e.g.
``git worktree add /tmp/marp-0.1 6e3f76d`` then ``cp marp/_kernels/*.so
/tmp/marp-0.1/marp/_kernels/``), the same sweep runs there in a subprocess right after,
and the ratio is printed. Most of these points have a bank smaller than the mapping, so
they run the residency schedule and the capacity packer, which the earlier cost model
did not have.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

SPACE = {"rows": [64, 128, 256, 512, 1152], "cols": [64, 128, 256, 512],
         "bank": [1, 2, 4, 8, 16, 32], "packing": ["maxrects-bssf", "skyline-bl"]}

CHILD = """
import json, sys, time
import marp
space = json.loads(sys.argv[1])
models = [marp.load_onnx(p) for p in marp.example_models("mlperf-tiny")]
start = time.perf_counter()
res = marp.sweep(models, space=space, workers=int(sys.argv[2]))
seconds = time.perf_counter() - start
print(json.dumps({"points": len(res.rows), "seconds": seconds,
                  "failed": sum("error" in r for r in res.rows), "marp": marp.__version__,
                  "source": marp.__file__}))
"""


def run(src: str | None, workers: int) -> dict:
    """One sweep in a fresh interpreter (``src`` first on the path when given)."""
    env = dict(os.environ)
    if src:
        env["PYTHONPATH"] = os.path.abspath(src)
    # run from a neutral folder: "python -c" puts the working folder first on the path
    with tempfile.TemporaryDirectory() as cwd:
        out = subprocess.run([sys.executable, "-c", CHILD, json.dumps(SPACE), str(workers)],
                             env=env, check=True, capture_output=True, text=True, cwd=cwd)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.sweep",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--baseline-src", help="another marp checkout to run the same sweep on")
    args = ap.parse_args(argv)
    start = time.perf_counter()
    now = run(None, args.workers)
    print(f"this marp ({now['source']}): {now['points']} points in {now['seconds']:.2f} s = "
          f"{now['points'] / now['seconds']:.0f} points/s, {now['failed']} failed "
          f"({args.workers} workers)")
    if args.baseline_src:
        then = run(args.baseline_src, args.workers)
        print(f"baseline ({then['source']}): {then['points']} points in "
              f"{then['seconds']:.2f} s = {then['points'] / then['seconds']:.0f} points/s")
        print(f"ratio (this / baseline, points per second): "
              f"{then['seconds'] / now['seconds']:.2f}")
    print(f"wall {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
