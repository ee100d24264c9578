"""``marp diff``: the arrays and cells that change between two mappings, and the energy
and time of writing them."""
from __future__ import annotations

import json

from marp.cli.common import CliError
from marp.compiler.diff import diff
from marp.compiler.mapping import Mapping


def _diff_parser(sub) -> None:
    p = sub.add_parser("diff", help="what reprogramming from one mapping to another costs",
                       description="Compare the array images of two mappings (mapping.json "
                                   "of marp compile --out): arrays and cells that change, "
                                   "write energy and time under the new mapping's write "
                                   "model.")
    p.add_argument("old", help="the mapping the chip holds")
    p.add_argument("new", help="the mapping to program")
    p.add_argument("--json", action="store_true", help="print the result as JSON")


def _load(path) -> Mapping:
    try:
        return Mapping.from_json(path)
    except (OSError, KeyError) as exc:
        raise CliError(f"{path}: not a readable mapping ({exc})") from None


def cmd_diff(args) -> int:
    d = diff(_load(args.old), _load(args.new))
    if args.json:
        print(json.dumps(d))
        return 0
    print(f"marp diff: {d['arrays_changed']} of {d['arrays']} arrays change, "
          f"{d['cells_written']:,} of {d['cells_total']:,} cells written "
          f"({100 * d['cells_written'] / max(1, d['cells_total']):.1f}%), "
          f"{d['write_energy_uj']:.4g} uJ, {d['write_time_us']:.4g} us")
    for r in d["per_array"][:40]:
        print(f"  array {r['array']:5d}: {r['cells']:9,d} cells in {r['rows']:6d} rows")
    if len(d["per_array"]) > 40:
        print(f"  ... {len(d['per_array']) - 40} more arrays")
    return 0
