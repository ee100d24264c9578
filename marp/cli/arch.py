"""``marp arch``: the bundled configs, and one config resolved (its base, ``--set``) with
where every value comes from."""
from __future__ import annotations

from marp.cli.common import _arch_flags
from marp.hardware import config_files
from marp.hardware.arch import available_archs, describe, load_arch


def _arch_parser(sub) -> None:
    p = sub.add_parser("arch", help="list the bundled configs or show one resolved",
                       description="'marp arch list' names the bundled configs; 'marp arch "
                                   "show NAME' prints a config as marp reads it (base applied, "
                                   "--set applied), each value with its source.")
    p.add_argument("action", choices=("list", "show"))
    p.add_argument("name", nargs="?", help="with show: a bundled name or a .yaml path")
    _arch_flags(p)


def cmd_arch(args) -> int:
    if args.action == "list":
        for name in available_archs():
            print(f"{name:14s} {load_arch(name).description}")
        return 0
    name = args.name or args.arch
    sets = config_files.parse_sets(args.sets)
    arch = load_arch(name, sets)
    print(f"# {arch.name}: {arch.source}")
    section = None
    for path, value, where, comment in describe(name, sets):
        s, key = path.split(".", 1)
        if s != section:
            print(f"{s}:")
            section = s
        origin = "--set" if where == "--set" else f"{where.rsplit('/', 1)[-1]}" + \
            (f": {comment}" if comment else "")
        print(f"  {key + ':':24s} {value!s:14s} # {origin}")
    return 0
