"""``marp sweep``: the design space compiled point by point, rows written as they finish,
the Pareto front printed."""
from __future__ import annotations

import csv
import json
import os
import sys

from marp.cli.common import (EXIT_USAGE, _arch, _arch_flags, _cache_flag, _model_paths,
                             _progress_flags,
                             _values, progress_bar)
from marp.compiler import sweeps
from marp.compiler.driver import load_all
from marp.compiler.options import EXAMPLES
from marp.compiler.sweeps import METRICS, SPACE_KEYS, points, sweep
from marp.io.files import write_atomic


def _sweep_parser(sub) -> None:
    p = sub.add_parser("sweep", help="design-space exploration over array geometries and "
                       "bank sizes", description="Compile the models at every point of the "
                       "space; mark the Pareto front.")
    p.add_argument("models", nargs="*", help=".onnx files")
    p.add_argument("--example", choices=EXAMPLES.names(), help="sweep the bundled models")
    _arch_flags(p)
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
    _progress_flags(p)
    _cache_flag(p)
    p.add_argument("--out", help="write sweep.csv (row by row) and pareto.csv to DIR")
    p.add_argument("--json", action="store_true", help="print every row as JSON")


SWEEP_FLAGS = (("rows", int), ("cols", int), ("bank", int), ("weight_bits", int),
               ("cell_bits", int), ("depthwise", str), ("grouped", str),
               ("slice_layout", str), ("packing", str))


def cmd_sweep(args) -> int:
    models = load_all(_model_paths(args), cache=args.cache)
    space = _sweep_space(args)
    writer, handle, done = None, None, []
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        fields = sweeps.swept_keys(points(space)) + list(METRICS) + ["error"]
        path = os.path.join(args.out, "sweep.csv")
        # the header lands whole before any row: a killed sweep never leaves an empty file
        write_atomic(path, ",".join(fields) + "\r\n")
        handle = open(path, "a", newline="", encoding="utf-8")
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")

    bar = progress_bar(args, len(points(space)), "point", "marp sweep")

    def on_row(row):           # written as it finishes: an interrupted sweep keeps its rows
        done.append(row)
        if writer is not None:
            writer.writerow(row)
            handle.flush()
        if bar is not None:
            bar.update(1)

    try:
        result = sweep(models, _arch(args), space, workers=args.workers,
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
        if bar is not None:
            bar.close()
    if args.out:
        result.to_csv(os.path.join(args.out, "sweep.csv"))
        result.to_csv(os.path.join(args.out, "pareto.csv"), result.pareto)
        try:
            plots = sweeps.plot_pareto(result, os.path.join(args.out, "pareto"))
            print(f"plots: {', '.join(plots)}", file=sys.stderr)
        except ImportError:
            print("marp: no plots (pip install marp[plot] for matplotlib)", file=sys.stderr)
    print(json.dumps(result.rows) if args.json else _sweep_front(result))
    if result.failed:
        first = result.failed[0]
        where = ", ".join(f"{k}={first[k]}" for k in SPACE_KEYS if k in first)
        print(f"marp sweep: {len(result.failed)} of {len(result.rows)} points failed; the "
              f"first ({where}): {first['error']}", file=sys.stderr)
    # a sweep where no point succeeded is a failure of the command
    return 1 if result.rows and len(result.failed) == len(result.rows) else 0


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
