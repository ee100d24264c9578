"""``marp layers`` and ``marp compile``: models in, the layer table or the mapping out."""
from __future__ import annotations

import csv
import dataclasses
import functools
import io
import json

import marp
from marp.cli.common import (CliError, _arch, _arch_flags, _cache_flag, _input_shapes,
                             _input_shapes_flag, _model_paths, _progress_flags, _rows_cols,
                             _values, progress_bar)
from marp.compiler import model_cache
from marp.compiler.incremental import compile_into, update_report
from marp.compiler.mapping import Mapping
from marp.compiler.capacity import CAPACITY
from marp.packing.depth import SLOT_POLICIES
from marp.compiler.options import EXAMPLES, OBJECTIVES, REPLICATION, CompileOptions
from marp.io import readers
from marp.io.report import report_html
from marp.io.files import write_set
from marp.packing.registry import ALGORITHMS
from marp.workload.lowering import DEPTHWISE, GROUPED, SLICE_LAYOUTS


def _layers_parser(sub) -> None:
    p = sub.add_parser("layers", help="list the weight layers of an ONNX model",
                       description="The weight layers of an ONNX model (one row each), the "
                                   "digital work, skipped operators, and totals by kind.")
    p.add_argument("model", help="an .onnx file")
    p.add_argument("--batch", type=int, default=1, help="size of symbolic batch dimensions")
    _input_shapes_flag(p)
    _cache_flag(p)
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


def cmd_layers(args) -> int:
    shapes = _input_shapes(args.input_shapes)
    read = functools.partial(marp.load_onnx, batch=args.batch, input_shapes=shapes)
    workload = model_cache.load(args.model, args.batch, shapes, read) if args.cache \
        else read(args.model)
    print(json.dumps(workload.to_dict()) if args.json else _layers_table(workload))
    return 0


def _compile_parser(sub) -> None:
    p = sub.add_parser("compile", help="map ONNX models onto an accelerator",
                       description="Map one or many ONNX models onto an AIMC bank: lower, "
                                   "pack (models share arrays), verify, cost, report.")
    p.add_argument("models", nargs="*", help=".onnx files (several share the bank)")
    p.add_argument("--example", choices=EXAMPLES.names(), help="compile the bundled models")
    _arch_flags(p)
    _input_shapes_flag(p)
    _cache_flag(p)
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
    p.add_argument("--exact-seconds", type=float, help="then try for S seconds to prove the "
                   "array count optimal (CP-SAT; pip install 'marp[exact]')")
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
    p.add_argument("--slot-policy", default="stack", choices=SLOT_POLICIES.names(),
                   help="arrays of depth (aimc.depth > 1): fill each macro's slots first "
                        "(stack, fewest macros) or a layer's tiles over every macro "
                        "(spread, parallel)")
    p.add_argument("--jobs", type=int, default=1, help="processes loading the models")
    p.add_argument("--spread-layer-tiles", action="store_true",
                   help="no array holds two tiles of one layer (they run in parallel)")
    p.add_argument("--seed", type=int, default=0)
    _output_flags(p)
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    _progress_flags(p)


def _output_flags(p) -> None:
    p.add_argument("--out", help="write mapping.json, layers.csv and report.html to DIR")
    p.add_argument("--into", metavar="MAPPING", help="add the models to the chip that "
                   "MAPPING (a mapping.json) programs: its blocks stay where they are; "
                   "prints the update against a full recompile")
    p.add_argument("--remove", nargs="+", metavar="MODEL", default=(), help="with --into: "
                   "models of MAPPING whose space is freed")
    p.add_argument("--relocate-budget", type=int, default=0, metavar="CELLS", help="with "
                   "--into: cells of existing blocks that may be rewritten to save arrays")
    p.add_argument("--images", metavar="DIR", help="write the cell values of every array "
                   "image (images.npz) and the layout of its blocks (layout.csv) to DIR")


def _compile_table(summary, baseline, one_to_one: bool = False) -> str:
    lines = [f"{'model':34s} {'arrays':>6s} {'1-to-1':>6s} {'latency us':>11s} "
             f"{'energy uJ':>10s} {'TOPS/W':>8s}"]
    for m in summary["models"]:
        lines.append(f"{m['name'][:34]:34s} {m['arrays_touched']:6d} "
                     f"{m['arrays_one_to_one']:6d} {m['latency_us']:11.2f} "
                     f"{m['energy_uj']:10.4f} {m['tops_per_w']:8.2f}")
    total = "total (one array per block)" if one_to_one else "total (shared arrays)"
    lines.append(f"{total:34s} {summary['arrays_used']:6d} "
                 f"{summary['arrays_one_to_one']:6d} {summary['latency_us']:11.2f} "
                 f"{summary['energy_uj']:10.4f} {summary['tops_per_w']:8.2f}")
    lines.append(f"utilization {100 * summary['utilization']:.1f} % (one-to-one "
                 f"{100 * baseline['utilization']:.1f} %); one-to-one on the same bank of "
                 f"{baseline['bank_arrays']} arrays: latency {baseline['latency_us']:.2f} us, "
                 f"energy {baseline['energy_uj']:.4f} uJ"
                 + (f" ({baseline['phases']} phases: its {baseline['arrays_used']} images "
                    f"rotate)" if baseline["cells_written_per_inference"] else ""))
    return "\n".join(lines)


def compile_options(args) -> CompileOptions:
    """The CompileOptions of `marp compile`'s flags (one flag per field)."""
    values = {f.name: getattr(args, f.name) for f in dataclasses.fields(CompileOptions)}
    values["geometries"] = _geometries(args.geometries)
    values["input_shapes"] = _input_shapes(args.input_shapes)
    values["precision"] = readers.read_precision(args.precision) if args.precision else None
    values["precision_bits"] = _values("--precision-bits", args.precision_bits)
    return CompileOptions(**values)


def _compile_into(args, models):
    """--into: the mapping's own options apply; option flags would be ignored, so they
    are refused."""
    given = compile_options(args)
    quiet = CompileOptions(jobs=given.jobs, cache=given.cache)
    if given != quiet:
        changed = [f.name for f in dataclasses.fields(CompileOptions)
                   if getattr(given, f.name) != getattr(quiet, f.name)]
        raise CliError(f"--into keeps the mapping's own options; drop {', '.join(changed)}")
    old = Mapping.from_json(args.into)
    new = compile_into(models, old, remove=tuple(args.remove),
                       relocate_budget=args.relocate_budget)
    r = update_report(old, new)
    inc, full = r["incremental"], r["full"]
    line = (f"into {args.into}: writes {inc['cells_written']:,} cells in "
            f"{inc['arrays_written']} arrays ({inc['write_energy_uj']:.4g} uJ) on "
            f"{inc['arrays']} arrays; a full recompile writes {full['cells_written']:,} "
            f"cells in {full['arrays_written']} arrays on {full['arrays']} arrays; latency "
            f"{inc['latency_us']:.1f} vs {full['latency_us']:.1f} us, energy "
            f"{inc['energy_uj']:.4g} vs {full['energy_uj']:.4g} uJ")
    return new, line


def cmd_compile(args) -> int:
    models = _model_paths(args) if args.models or args.example or not args.into else []
    bar = progress_bar(args, 4, "stage", "marp compile")

    def step(stage, done, total):
        bar.set_postfix_str(stage, refresh=False)
        bar.update(done - bar.n)

    into_line = None
    try:
        if args.into:
            mapping, into_line = _compile_into(args, models)
        else:
            mapping = marp.compile(models, _arch(args), compile_options(args),
                                   progress=step if bar is not None else None)
    finally:
        if bar is not None:
            bar.close()
    summary = mapping.summary
    if args.out:
        _write_outputs(args.out, mapping, summary, report_html(mapping, summary))
    if args.images:
        mapping.images().write(args.images)
    if args.json:
        print(json.dumps(summary))
    else:
        print(_compile_table(summary, mapping.report.baseline, mapping.options.one_to_one))
        status = {"optimal": "proven optimal", "bound": "equal to the lower bound: optimal",
                  "heuristic": f"not proven optimal; lower bound {summary['lower_bound']}"}
        print(f"packing: {summary['arrays_used']} arrays, "
              f"{status[summary['packing_status']]}")
        for line in (mapping.digital_line(summary), mapping.macro_line(),
                     mapping.capacity_line(), into_line):
            if line:
                print(line)
    return 0


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
