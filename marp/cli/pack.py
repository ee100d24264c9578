"""``marp pack``: rectangles from a CSV or a .2bp file, packed; the summary or JSON."""
from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
from importlib.resources import files

import marp
from marp.cli.common import CliError, _rows_cols
from marp.io import readers
from marp.io.files import write_atomic
from marp.packing.registry import ALGORITHMS, BIN_SELECTIONS, ORDERS


EXAMPLE = "example_blocks.csv"


EXAMPLE_ARRAY = (256, 256)   # (rows, cols) the bundled example's blocks were tiled for


def _pack_parser(sub) -> None:
    p = sub.add_parser("pack", help="pack rectangles into arrays",
                       description="Pack rectangles into arrays and report arrays used, "
                                   "the lower bound and the placements.")
    p.add_argument("rects", nargs="?", help="CSV with a w,h header (optional id column), a "
                   ".2bp file, or - for standard input")
    p.add_argument("--example", action="store_true",
                   help="pack the bundled example (blocks of the MLPerf Tiny models, "
                        "256x256 arrays unless --array-cols/--array-rows say otherwise)")
    p.add_argument("--instance", help="instance of a .2bp file: its position 1..50, or N_R "
                   "(n and relative number, e.g. 60_3)")
    p.add_argument("--array", help="array size as ROWSxCOLS (e.g. 256x128); a .2bp file's "
                   "bin size by default")
    p.add_argument("--array-cols", type=int, help=argparse.SUPPRESS)   # deprecated alias
    p.add_argument("--array-rows", type=int, help=argparse.SUPPRESS)   # deprecated alias
    p.add_argument("--algorithm", default="maxrects-bssf", choices=ALGORITHMS.names())
    p.add_argument("--bin-selection", default="first-fit", choices=BIN_SELECTIONS.names())
    p.add_argument("--order", default="area-desc", choices=ORDERS.names())
    p.add_argument("--rotation", action="store_true", help="allow 90-degree turns")
    p.add_argument("--max-arrays", type=int, help="open at most this many arrays; the rest "
                   "is reported unplaced")
    p.add_argument("--partial", action="store_true", help="report rectangles larger than "
                   "an array as unplaced instead of failing")
    p.add_argument("--seed", type=int, default=0, help="seed of the random order and of "
                   "the refinement")
    p.add_argument("--refine-seconds", type=float, help="refine for at most S seconds")
    p.add_argument("--gap", type=int, default=0, help="cells kept free between rectangles")
    p.add_argument("--border", type=int, default=0, help="cells kept free along every "
                   "array's edges")
    p.add_argument("--exact-seconds", type=float, help="then try for S seconds to prove the "
                   "count optimal or reach the bound (CP-SAT; pip install 'marp[exact]')")
    p.add_argument("--refine-iterations", type=int, help="refine for N iterations "
                   "(deterministic for a seed)")
    p.add_argument("--refine-workers", type=int, default=2, help="independent refinement "
                   "streams, run in threads (default 2)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    p.add_argument("--out", help="write the result to FILE (JSON if it ends in .json, "
                   "else CSV of the placements)")


def _pick_instance(instances, choice, source):
    if choice is None:
        if len(instances) == 1:
            return instances[0]
        raise CliError(f"{source} holds {len(instances)} instances; pick one with "
                       f"--instance 1..{len(instances)} or --instance N_R")
    if "_" in choice:
        try:
            n, r = (int(v) for v in choice.split("_"))
        except ValueError:
            raise CliError(f"--instance {choice!r} is not a position or N_R") from None
        for ins in instances:
            if (ins.n, ins.relative) == (n, r):
                return ins
        raise CliError(f"{source} has no instance with n={n}, relative number {r}")
    try:
        k = int(choice)
    except ValueError:
        raise CliError(f"--instance {choice!r} is not a position or N_R") from None
    if not 1 <= k <= len(instances):
        raise CliError(f"--instance {k} is out of range 1..{len(instances)} for {source}")
    return instances[k - 1]


def _load_rects(args):
    """(widths, heights, ids, default (rows, cols) or None, source name)."""
    if args.example:
        if args.rects:
            raise CliError("give either RECTS or --example, not both")
        path = files("marp.data") / EXAMPLE
        with path.open("r", encoding="utf-8", newline="") as f:
            t = readers.read_rects_csv(f, name=EXAMPLE)
        return t.widths, t.heights, t.ids, EXAMPLE_ARRAY, EXAMPLE
    if not args.rects:
        raise CliError("pack needs RECTS (a CSV or .2bp file, or -) or --example")
    if args.rects == "-":
        t = readers.read_rects_csv(sys.stdin, name="<stdin>")
        return t.widths, t.heights, t.ids, None, "<stdin>"
    if args.rects.lower().endswith(".2bp"):
        ins = _pick_instance(readers.read_2bp(args.rects), args.instance, args.rects)
        return (ins.widths, ins.heights, list(range(ins.n)),
                (ins.array_rows, ins.array_cols), ins.name)
    if args.instance is not None:
        raise CliError("--instance applies to .2bp files only")
    t = readers.read_rects_csv(args.rects)
    return t.widths, t.heights, t.ids, None, args.rects


def _array_size(args, default):
    """(rows, cols) from --array ROWSxCOLS, the deprecated --array-rows/--array-cols, or
    the input's own size."""
    rows, cols = default or (None, None)
    if args.array:
        rows, cols = _rows_cols("--array", args.array)
    if args.array_rows is not None or args.array_cols is not None:
        print("marp: warning: --array-rows/--array-cols are deprecated; use --array "
              "ROWSxCOLS", file=sys.stderr)
        rows = args.array_rows if args.array_rows is not None else rows
        cols = args.array_cols if args.array_cols is not None else cols
    if cols is None or rows is None:
        raise CliError("--array ROWSxCOLS is required for this input")
    return rows, cols


def _result(p, ids, lb, seconds) -> dict:
    pw, ph = p.placed_sizes()
    placements = [{"id": ids[i], "array": int(p.array[i]), "x": int(p.x[i]),
                   "y": int(p.y[i]), "w": int(pw[i]), "h": int(ph[i]),
                   "rotated": bool(p.rotated[i])} for i in range(len(p))]
    return {
        "arrays_used": p.arrays_used, "arrays_before_refine": p.arrays_before_refine,
        "refine_iterations": p.refine_iterations, "lower_bound": lb.value,
        "lower_bound_tight": list(lb.tight), "utilization": p.utilization,
        "seconds": seconds, "array_cols": p.array_cols, "array_rows": p.array_rows,
        "algorithm": p.algorithm, "bin_selection": p.bin_selection, "order": p.order,
        "rectangles": len(p), "unplaced": [ids[i] for i in p.unplaced],
        "placements": placements,
    }


def _placements_csv(result) -> str:
    out = io.StringIO()
    fields = ["id", "array", "x", "y", "w", "h", "rotated"]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in result["placements"]:
        writer.writerow({**row, "rotated": int(row["rotated"])})
    return out.getvalue()


def _summary(result, source) -> str:
    lines = [
        f"marp pack: {result['rectangles']} rectangles from {source} into "
        f"{result['array_rows']}x{result['array_cols']} arrays (rows x cols; "
        f"{result['algorithm']}, "
        f"{result['bin_selection']}, {result['order']})",
        f"  arrays used   {result['arrays_used']}"
        + (f" (constructive {result['arrays_before_refine']}, "
           f"{result['refine_iterations']} refinement iterations)"
           if result["refine_iterations"] else ""),
        f"  lower bound   {result['lower_bound']} ({', '.join(result['lower_bound_tight'])})",
        f"  status        {result['status']}" + {
            "optimal": " (proven optimal)", "bound": " (equal to the lower bound: optimal)",
            "heuristic": " (not proven optimal)"}[result["status"]],
        f"  utilization   {100 * result['utilization']:.2f} %",
        f"  unplaced      {len(result['unplaced'])}",
        f"  seconds       {result['seconds']:.4f}",
    ]
    return "\n".join(lines)


def cmd_pack(args) -> int:
    widths, heights, ids, default, source = _load_rects(args)
    rows, cols = _array_size(args, default)
    start = time.perf_counter()
    p = marp.pack(widths, heights, array=(rows, cols), algorithm=args.algorithm,
                  bin_selection=args.bin_selection, order=args.order, rotation=args.rotation,
                  max_arrays=args.max_arrays, seed=args.seed, partial=args.partial,
                  refine_seconds=args.refine_seconds,
                  refine_iterations=args.refine_iterations,
                  refine_workers=args.refine_workers, exact_seconds=args.exact_seconds,
                  gap=args.gap, border=args.border)
    seconds = time.perf_counter() - start
    marp.verify(p, widths, heights, array=(rows, cols))
    # the bound covers every rectangle that fits an empty array, placed or not
    fits = (widths <= cols) & (heights <= rows)
    if args.rotation:
        fits |= (heights <= cols) & (widths <= rows)
    lb = marp.lower_bounds(widths[fits], heights[fits], array=(rows, cols), rotation=args.rotation)
    result = _result(p, ids, lb, seconds)
    # the packing's own bound (what the exact solver proved) may be higher
    result["lower_bound"] = max(result["lower_bound"], p.lower_bound if p.placed.all() else 0)
    result["status"] = p.status
    if args.out:
        text = (json.dumps(result, indent=1) + "\n" if args.out.lower().endswith(".json")
                else _placements_csv(result))
        write_atomic(args.out, text)
    print(json.dumps(result) if args.json else _summary(result, source))
    return 0
