"""marp's benchmark suite: ``python -m bench [suite ...] [--quick] [--json FILE]
[--markdown FILE]``. Suites: random, 2bp, large, mlperf-tiny (default: all)."""
from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from importlib import metadata

from bench.peers import missing_peers
from bench.progress import Progress, Silent
from bench.suites import SUITES


def versions() -> dict:
    out = {"python": platform.python_version()}
    for pkg in ("marp", "numpy", "rectpack", "greedypacker", "onnx"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    return out


def machine() -> dict:
    import os
    return {"system": platform.system(), "machine": platform.machine(),
            "processor": platform.processor(), "cpus": os.cpu_count()}


def _fmt(v, kind):
    if v is None:
        return "-"
    if kind == "ratio":
        return f"{v:.1f}x"
    if kind == "sec":
        return f"{v:.4f}"
    if kind == "util":
        return f"{100 * v:.1f}%"
    return str(v)


COLUMNS = [("instance", "instance", None), ("method", "method", None), ("n", "n", None),
           ("arrays", "arrays", None), ("lower_bound", "lower bound", None),
           ("gap", "gap", None), ("utilization", "utilization", "util"),
           ("seconds", "seconds", "sec"), ("speed_ratio", "time / marp", "ratio"),
           ("status", "status", None)]


def markdown(suite: str, rows: list[dict]) -> str:
    head = "| " + " | ".join(t for _, t, _ in COLUMNS) + " |"
    sep = "|" + "---|" * len(COLUMNS)
    body = ["| " + " | ".join(_fmt(r.get(k), kind) for k, _, kind in COLUMNS) + " |"
            for r in rows]
    return "\n".join([f"### {suite}", "", head, sep, *body, ""])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    ap.add_argument("suites", nargs="*", choices=[[], *SUITES], default=[],
                    help=f"suites to run ({', '.join(SUITES)}; default all)")
    ap.add_argument("--quick", action="store_true", help="smoke run (under 2 minutes)")
    ap.add_argument("--json", help="write every row, the machine and versions to FILE")
    ap.add_argument("--markdown", help="write the tables to FILE")
    ap.add_argument("--no-progress", action="store_true",
                    help="print no progress lines on stderr")
    args = ap.parse_args(argv)
    names = args.suites or list(SUITES)
    progress = Silent() if args.no_progress else Progress(names, quick=args.quick)
    for text in missing_peers():       # said, never dropped silently
        print(f"note: {text}", flush=True)
    start = time.perf_counter()
    tables, all_rows = [], []
    for name in names:
        rows = SUITES[name](args.quick, progress)
        all_rows += rows
        text = markdown(name, rows)
        tables.append(text)
        print(text, flush=True)
    progress.finish()
    invalid = [r for r in all_rows if r["method"].startswith("marp") and r["status"] != "ok"]
    print(f"{len(all_rows)} rows in {time.perf_counter() - start:.1f} s; "
          f"marp rows not ok: {len(invalid)}")
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as f:
            f.write("\n".join(tables))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"machine": machine(), "versions": versions(), "quick": args.quick,
                       "rows": all_rows}, f, indent=1, default=str)
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main())
