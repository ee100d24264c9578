"""The ``marp`` command. Errors print one line on stderr and exit with status 2."""
from __future__ import annotations

import argparse
import csv
import dataclasses
import io
import json
import os
import signal
import sys
import threading
import time
import traceback
from importlib.resources import files

import marp
from marp._version import __version__
from marp.compiler import sweeps
from marp.compiler.capacity import CAPACITY
from marp.compiler.options import EXAMPLES, OBJECTIVES, REPLICATION, CompileOptions
from marp.compiler.options import example_models
from marp.compiler.sweeps import METRICS, SPACE_KEYS, points, sweep
from marp.io import readers
from marp.io.drawing import report_html
from marp.io.files import write_atomic, write_set
from marp.packing.registry import ALGORITHMS, BIN_SELECTIONS, ORDERS
from marp.workload.lowering import DEPTHWISE, GROUPED, SLICE_LAYOUTS

EXIT_USAGE = 2
EXAMPLE = "example_blocks.csv"
EXAMPLE_ARRAY = (256, 256)   # (rows, cols) the bundled example's blocks were tiled for


class CliError(Exception):
    """An error reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):      # one line, not the usage block
        raise CliError(f"{self.prog}: {message}")


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


def _rows_cols(flag, item):
    rows, sep, cols = item.strip().lower().partition("x")
    if not sep or not rows.isdigit() or not cols.isdigit():
        raise CliError(f"{flag} {item!r} is not ROWSxCOLS (e.g. 256x128)")
    return int(rows), int(cols)


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
                  refine_workers=args.refine_workers)
    seconds = time.perf_counter() - start
    marp.verify(p, widths, heights, array=(rows, cols))
    # the bound covers every rectangle that fits an empty array, placed or not
    fits = (widths <= cols) & (heights <= rows)
    if args.rotation:
        fits |= (heights <= cols) & (widths <= rows)
    lb = marp.lower_bounds(widths[fits], heights[fits], array=(rows, cols), rotation=args.rotation)
    result = _result(p, ids, lb, seconds)
    if args.out:
        text = (json.dumps(result, indent=1) + "\n" if args.out.lower().endswith(".json")
                else _placements_csv(result))
        write_atomic(args.out, text)
    print(json.dumps(result) if args.json else _summary(result, source))
    return 0


def _layers_parser(sub) -> None:
    p = sub.add_parser("layers", help="list the weight layers of an ONNX model",
                       description="The weight layers of an ONNX model (one row each), the "
                                   "digital work, skipped operators, and totals by kind.")
    p.add_argument("model", help="an .onnx file")
    p.add_argument("--batch", type=int, default=1, help="size of symbolic batch dimensions")
    _input_shapes_flag(p)
    p.add_argument("--json", action="store_true", help="print the workload as JSON")


LAYER_COLUMNS = (("index", "#", 3), ("kind", "kind", 9), ("op", "op", 11), ("groups", "groups", 6),
                 ("rows", "rows", 6), ("cols", "cols", 6), ("vectors", "vectors", 8),
                 ("weights", "weights", 8), ("macs", "MACs", 10), ("weight_bits", "bits", 4))


def _layers_table(workload) -> str:
    head = " ".join(f"{title:>{width}}" for _, title, width in LAYER_COLUMNS) + "  name"
    lines = [f"marp layers: {workload.source}", head]
    for rec in workload.layers.records():
        lines.append(" ".join(f"{rec[key]!s:>{width}}" for key, _, width in LAYER_COLUMNS)
                     + f"  {rec['name']}")
    t = workload.totals()
    lines.append(f"total: {t['layers']} layers, {t['weights']:,} weights, {t['macs']:,} MACs")
    for kind, v in t["by_kind"].items():
        lines.append(f"  {kind:10s} {v['layers']:4d} layers {v['weights']:>12,} weights "
                     f"{v['macs']:>14,} MACs")
    for d in workload.digital:
        lines.append(f"digital: {d.op} {d.name!r} ({d.kind}) macs={d.macs:,} ops={d.ops:,}")
    for s in workload.skipped:
        lines.append(f"skipped: {s.op} {s.name!r}: {s.reason}")
    return "\n".join(lines)


def _input_shapes_flag(p) -> None:
    p.add_argument("--input-shapes", action="append", metavar="NAME=SHAPE",
                   help="the shape of a graph input with symbolic dimensions, e.g. "
                        "input=1x3x224x224 (repeat the flag for several inputs)")


def _input_shapes(items) -> dict | None:
    """``["x=1x3x8x8", ...]`` -> {"x": [1, 3, 8, 8]}; a malformed item is a CliError."""
    if not items:
        return None
    out = {}
    for item in items:
        name, sep, dims = item.rpartition("=")
        parts = dims.lower().split("x")
        if not sep or not name or not all(p.isdigit() and int(p) > 0 for p in parts):
            raise CliError(f"--input-shapes {item!r} is not NAME=SHAPE with positive sizes "
                           f"(e.g. input=1x3x224x224)")
        out[name] = [int(p) for p in parts]
    return out


def cmd_layers(args) -> int:
    workload = marp.load_onnx(args.model, batch=args.batch,
                              input_shapes=_input_shapes(args.input_shapes))
    print(json.dumps(workload.to_dict()) if args.json else _layers_table(workload))
    return 0


def _compile_parser(sub) -> None:
    p = sub.add_parser("compile", help="map ONNX models onto an accelerator",
                       description="Map one or many ONNX models onto an AIMC bank: lower, "
                                   "pack (models share arrays), verify, cost, report.")
    p.add_argument("models", nargs="*", help=".onnx files (several share the bank)")
    p.add_argument("--example", choices=EXAMPLES.names(), help="compile the bundled models")
    p.add_argument("--arch", default="qracc", help="bundled config name or a .yaml path")
    _input_shapes_flag(p)
    p.add_argument("--batch", type=int, default=1, help="size of symbolic batch dimensions "
                   "of the models' inputs (vectors and MACs stay per inference)")
    p.add_argument("--precision", metavar="FILE", help="per-layer weight_bits/act_bits by "
                   "layer name (CSV with a 'layer' column, or YAML)")
    p.add_argument("--precision-budget", type=int, metavar="ARRAYS", help="lower per-layer "
                   "weight bits (choices: --precision-bits) until the packing fits ARRAYS")
    p.add_argument("--precision-bits", default="8,6,4", help="weight precisions "
                   "--precision-budget may choose from (default 8,6,4)")
    p.add_argument("--depthwise", default="digital", choices=DEPTHWISE.names(),
                   help="where depthwise layers run (default: digital)")
    p.add_argument("--grouped", default="diagonal", choices=GROUPED.names(),
                   help="where other grouped layers (e.g. groups=2) run (default: diagonal, "
                        "on the arrays)")
    p.add_argument("--slice-layout", default="adjacent", choices=SLICE_LAYOUTS.names(),
                   help="bit slices of a weight side by side (adjacent) or each its own "
                        "matrix copy (separate, as LRMP counts tiles)")
    p.add_argument("--c-job", type=int, help="groups per diagonal job (default: all)")
    p.add_argument("--packing", default="maxrects-bssf", choices=ALGORITHMS.names(),
                   help="packing algorithm")
    p.add_argument("--refine-seconds", type=float, help="refine the packing for S seconds")
    p.add_argument("--refine-iterations", type=int, help="refine the packing for N "
                   "iterations (deterministic for a seed)")
    p.add_argument("--one-to-one", action="store_true", help="the baseline mapping instead")
    p.add_argument("--latency-us", type=float, help="the fewest arrays meeting this latency")
    p.add_argument("--replicate", choices=REPLICATION.names(),
                   help="copies of bottleneck layers on spare arrays")
    p.add_argument("--replicate-arrays", type=int, help="array budget of --replicate "
                   "(one array per block of each copy; default: the bank)")
    p.add_argument("--geometries", help="with --latency-us: array sizes to try, as "
                   "ROWSxCOLS,ROWSxCOLS (e.g. 1152x256,512x256)")
    p.add_argument("--objective", default="arrays", choices=OBJECTIVES.names(),
                   help="densest packing, or the fewest arrays at the lowest latency")
    p.add_argument("--capacity", default="marp", choices=CAPACITY.names(),
                   help="packing when the blocks need more arrays than the bank has: "
                        "pinned + phases across layers (marp), the whole-network packing "
                        "(packed), or every layer alone (layerwise)")
    p.add_argument("--jobs", type=int, default=1, help="processes loading the models")
    p.add_argument("--spread-layer-tiles", action="store_true",
                   help="no array holds two tiles of one layer (they run in parallel)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", help="write mapping.json, layers.csv and report.html to DIR")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _compile_table(summary, baseline) -> str:
    lines = [f"{'model':34s} {'arrays':>6s} {'1-to-1':>6s} {'latency us':>11s} "
             f"{'energy uJ':>10s} {'TOPS/W':>8s}"]
    for m in summary["models"]:
        lines.append(f"{m['name'][:34]:34s} {m['arrays_touched']:6d} "
                     f"{m['arrays_one_to_one']:6d} {m['latency_us']:11.2f} "
                     f"{m['energy_uj']:10.4f} {m['tops_per_w']:8.2f}")
    lines.append(f"{'total (shared arrays)':34s} {summary['arrays_used']:6d} "
                 f"{summary['arrays_one_to_one']:6d} {summary['latency_us']:11.2f} "
                 f"{summary['energy_uj']:10.4f} {summary['tops_per_w']:8.2f}")
    lines.append(f"utilization {100 * summary['utilization']:.1f} % (one-to-one "
                 f"{100 * baseline['utilization']:.1f} %); one-to-one on the same bank of "
                 f"{baseline['bank_arrays']} arrays: latency {baseline['latency_us']:.2f} us, "
                 f"energy {baseline['energy_uj']:.4f} uJ"
                 + (f" ({baseline['phases']} phases: its {baseline['arrays_used']} images "
                    f"rotate)" if baseline["cells_written_per_inference"] else ""))
    return "\n".join(lines)


def _model_paths(args) -> list:
    """The model files of `compile` and `sweep`: given, or the bundled example; checked."""
    if args.example and args.models:
        raise CliError("give model files or --example, not both")
    models = example_models(args.example) if args.example else args.models
    if not models:
        raise CliError(f"{args.command} needs MODEL.onnx files or --example mlperf-tiny")
    for path in models:
        if not os.path.isfile(path):
            raise CliError(f"{path}: no such model file")
    return models


def compile_options(args) -> CompileOptions:
    """The CompileOptions of `marp compile`'s flags (one flag per field)."""
    values = {f.name: getattr(args, f.name) for f in dataclasses.fields(CompileOptions)}
    values["geometries"] = _geometries(args.geometries)
    values["input_shapes"] = _input_shapes(args.input_shapes)
    values["precision"] = readers.read_precision(args.precision) if args.precision else None
    values["precision_bits"] = _values("--precision-bits", args.precision_bits)
    return CompileOptions(**values)


def cmd_compile(args) -> int:
    models = _model_paths(args)
    mapping = marp.compile(models, args.arch, compile_options(args),
                           progress=None if args.quiet else _progress_bar)
    summary = mapping.summary
    if args.out:
        _write_outputs(args.out, mapping, summary, report_html(mapping, summary))
    if args.json:
        print(json.dumps(summary))
    else:
        print(_compile_table(summary, mapping.report.baseline))
        for line in (mapping.digital_line(summary), mapping.capacity_line()):
            if line:
                print(line)
    return 0


def _progress_bar(stage, done, total) -> None:
    """One line on stderr, redrawn in place; a plain line per stage when not a terminal."""
    width = 24
    bar = "#" * (width * done // total) + "." * (width - width * done // total)
    text = f"marp compile [{bar}] {done}/{total} {stage:6s}"
    if sys.stderr.isatty():
        print("\r" + text, end="\n" if done == total else "", file=sys.stderr, flush=True)
    elif done == total:
        print(text, file=sys.stderr)


def _geometries(text):
    if not text:
        return None
    return [_rows_cols("--geometries item", item) for item in text.split(",")]


def _write_outputs(folder, mapping, summary, page) -> None:
    """mapping.json, layers.csv and report.html, each written atomically; the texts are
    all made before any file is touched, so a failure leaves no partial output."""
    texts = {"mapping.json": mapping.to_json(), "report.html": page}
    rows = summary["layers"]
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    texts["layers.csv"] = out.getvalue()
    write_set(folder, texts, owned=tuple(texts))


def _sweep_parser(sub) -> None:
    p = sub.add_parser("sweep", help="design-space exploration over array geometries and "
                       "bank sizes", description="Compile the models at every point of the "
                       "space; mark the Pareto front.")
    p.add_argument("models", nargs="*", help=".onnx files")
    p.add_argument("--example", choices=EXAMPLES.names(), help="sweep the bundled models")
    p.add_argument("--arch", default="qracc")
    p.add_argument("--rows", help="array rows, comma separated (e.g. 64,128,256)")
    p.add_argument("--cols", help="array columns, comma separated")
    p.add_argument("--bank", help="arrays in the bank, comma separated")
    p.add_argument("--weight-bits", help="weight precisions, comma separated")
    p.add_argument("--cell-bits", help="cell precisions, comma separated")
    p.add_argument("--depthwise", help="digital,diagonal")
    p.add_argument("--grouped", help="diagonal,digital")
    p.add_argument("--slice-layout", help="adjacent,separate")
    p.add_argument("--packing", help="packing algorithms, comma separated")
    p.add_argument("--objectives", default="arrays,latency_us,energy_uj",
                   help="Pareto objectives, comma separated, all minimised (arrays: "
                        "images the mapping uses; bank: arrays on the chip; latency_us, "
                        "energy_uj, cells, bank_cells)")
    p.add_argument("--workers", type=int, help="processes (default: the cores)")
    p.add_argument("--scheduler", help="run on a Dask cluster at this address "
                   "(pip install marp[dask])")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.add_argument("--out", help="write sweep.csv (row by row) and pareto.csv to DIR")
    p.add_argument("--json", action="store_true", help="print every row as JSON")


SWEEP_FLAGS = (("rows", int), ("cols", int), ("bank", int), ("weight_bits", int),
               ("cell_bits", int), ("depthwise", str), ("grouped", str),
               ("slice_layout", str), ("packing", str))


def cmd_sweep(args) -> int:
    models = _model_paths(args)
    space = _sweep_space(args)
    writer, handle, done = None, None, []
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        fields = list(SPACE_KEYS) + list(METRICS) + ["error"]
        path = os.path.join(args.out, "sweep.csv")
        # the header lands whole before any row: a killed sweep never leaves an empty file
        write_atomic(path, ",".join(fields) + "\r\n")
        handle = open(path, "a", newline="", encoding="utf-8")
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")

    total, start = len(points(space)), time.perf_counter()

    def on_row(row):           # written as it finishes: an interrupted sweep keeps its rows
        done.append(row)
        if writer is not None:
            writer.writerow(row)
            handle.flush()
        if not args.quiet:
            spent = time.perf_counter() - start
            eta = spent / len(done) * (total - len(done))
            print(f"\rmarp sweep {len(done)}/{total} points, ETA {eta:.0f} s ",
                  end="\n" if len(done) == total else "", file=sys.stderr, flush=True)

    try:
        result = sweep(models, args.arch, space, workers=args.workers,
                       scheduler=args.scheduler, on_row=on_row,
                       objectives=tuple(o.strip() for o in args.objectives.split(",")
                                        if o.strip()))
    except KeyboardInterrupt:
        print(f"marp: interrupted; {len(done)} finished rows kept"
              + (f" in {args.out}/sweep.csv" if args.out else ""), file=sys.stderr)
        return EXIT_USAGE
    finally:
        if handle is not None:
            handle.close()
    if args.out:
        result.to_csv(os.path.join(args.out, "sweep.csv"))
        result.to_csv(os.path.join(args.out, "pareto.csv"), result.pareto)
        try:
            plots = sweeps.plot_pareto(result, os.path.join(args.out, "pareto"))
            print(f"plots: {', '.join(plots)}", file=sys.stderr)
        except ImportError:
            print("marp: no plots (pip install marp[plot] for matplotlib)", file=sys.stderr)
    print(json.dumps(result.rows) if args.json else _sweep_front(result))
    return 0


def _values(flag, text, kind=int) -> list:
    """Comma-separated values of a flag, each converted by ``kind``."""
    try:
        return [kind(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise CliError(f"{flag} {text!r}: expected {kind.__name__} values, comma "
                       f"separated") from None


def _sweep_space(args) -> dict:
    """The sweep space of the comma-separated flags."""
    return {key: _values(f"--{key.replace('_', '-')}", getattr(args, key), kind)
            for key, kind in SWEEP_FLAGS if getattr(args, key)}


def _sweep_front(result) -> str:
    lines = [f"marp sweep: {len(result.rows)} points, "
             f"{sum('error' in r for r in result.rows)} failed, {len(result.pareto)} on the "
             f"Pareto front ({', '.join(result.objectives)}):"]
    for r in result.pareto:
        lines.append("  " + ", ".join(f"{k}={r[k]}" for k in SPACE_KEYS if k in r)
                     + f": {r['arrays_used']} arrays on a bank of {r['bank_arrays']}, "
                       f"{r['latency_us']:.1f} us, {r['energy_uj']:.3f} uJ")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="marp", description="Pack DNN weight blocks into crossbar arrays.")
    parser.add_argument("--version", action="version", version=f"marp {__version__}")
    parser.add_argument("--debug", action="store_true", help="print the traceback of an "
                        "error instead of one line")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    _pack_parser(sub)
    _layers_parser(sub)
    _compile_parser(sub)
    _sweep_parser(sub)
    return parser


def _on_sigterm(signum, frame):
    raise KeyboardInterrupt       # the same clean-up as Ctrl-C: temp files, workers


def main(argv=None) -> int:
    """The ``marp`` command; SIGTERM is handled like Ctrl-C while it runs."""
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if main_thread else None
    try:
        return _main(argv)
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)


def _main(argv) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        commands = {"pack": cmd_pack, "layers": cmd_layers, "compile": cmd_compile,
                    "sweep": cmd_sweep}
        return commands[args.command](args)
    except KeyboardInterrupt:
        print("marp: interrupted", file=sys.stderr)
    except EXPECTED as exc:
        _report(argv, f"marp: error: {_one_line(exc)}")
    except Exception as exc:       # a bug of marp's: one line, the traceback on request
        _report(argv, f"marp: error: unexpected {type(exc).__name__}: {_one_line(exc)} "
                      f"(please report it; --debug prints the traceback)")
    return EXIT_USAGE


# errors of the user's input or machine, reported as one line
EXPECTED = (CliError, ValueError, TypeError, OSError, OverflowError, MemoryError, csv.Error)


def _one_line(exc) -> str:
    text = str(exc) or type(exc).__name__
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return "; ".join(lines) if len(lines) <= 4 else "; ".join(lines[:4]) + "; ..."


def _report(argv, line: str) -> None:
    if "--debug" in (sys.argv[1:] if argv is None else argv):
        traceback.print_exc()
    print(line, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
