"""Cold start of the CLI: ``marp compile --example mlperf-tiny`` in fresh processes, with
the cache of parsed models empty (the first run), filled (repeated runs), and bypassed
(``--no-cache``: every run parses the models, importing onnx).

    python -m bench.coldstart [--runs 5]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

CMD = [sys.executable, "-m", "marp", "compile", "--example", "mlperf-tiny", "--quiet"]


def _time(cmd, env) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.coldstart",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, MARP_CACHE_DIR=cache)
        first = _time(CMD, env)
        repeated = [_time(CMD, env) for _ in range(args.runs)]
        bypass = [_time(CMD + ["--no-cache"], env) for _ in range(args.runs)]
    base = [_time([sys.executable, "-c", "pass"], os.environ) for _ in range(args.runs)]
    print(f"marp compile --example mlperf-tiny, fresh processes ({args.runs} runs each):")
    print(f"  first run (cache empty):   {first:.2f} s")
    print(f"  repeated (cache filled):   median {statistics.median(repeated):.2f} s, "
          f"min {min(repeated):.2f} s   (target < 0.5 s)")
    print(f"  --no-cache (parses, onnx): median {statistics.median(bypass):.2f} s, "
          f"min {min(bypass):.2f} s")
    print(f"  python -c pass:            median {statistics.median(base):.2f} s")


if __name__ == "__main__":
    main()
