"""What the commands share: the one-line error, argument parsing helpers, model paths."""
from __future__ import annotations

import argparse
import os
import sys

from marp.compiler.options import example_models
from marp.hardware import config_files
from marp.hardware.arch import load_arch


EXIT_USAGE = 2


class CliError(Exception):
    """An error reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):      # one line, not the usage block
        raise CliError(f"{self.prog}: {message}")


def _rows_cols(flag, item):
    rows, sep, cols = item.strip().lower().partition("x")
    if not sep or not rows.isdigit() or not cols.isdigit():
        raise CliError(f"{flag} {item!r} is not ROWSxCOLS (e.g. 256x128)")
    return int(rows), int(cols)


def _values(flag, text, kind=int) -> list:
    """Comma-separated values of a flag, each converted by ``kind``."""
    try:
        return [kind(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise CliError(f"{flag} {text!r}: expected {kind.__name__} values, comma "
                       f"separated") from None


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


def _progress_flags(p) -> None:
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")
    p.add_argument("--progress", action="store_true", help="a progress bar on stderr even "
                   "when it is not a terminal (by default only on a terminal)")


def progress_bar(args, total: int, unit: str, desc: str):
    """A tqdm bar on stderr, or None: shown on a terminal, or anywhere with --progress;
    never with --quiet."""
    if args.quiet or not (args.progress or sys.stderr.isatty()):
        return None
    from tqdm import tqdm        # imported on use: the CLI's import stays light
    return tqdm(total=total, unit=unit, desc=desc, file=sys.stderr, leave=True,
                dynamic_ncols=True)


def _cache_flag(p) -> None:
    p.add_argument("--no-cache", action="store_false", dest="cache",
                   help="parse the model files again instead of reading the cache of "
                        "parsed models (see marp.compiler.model_cache)")


def _arch_flags(p) -> None:
    """``--arch`` and ``--set``, on every command that takes an architecture."""
    p.add_argument("--arch", default="qracc", help="bundled config name or a .yaml path "
                   "(a file may start from another with 'base: NAME')")
    p.add_argument("--set", action="append", metavar="SECTION.KEY=VALUE", dest="sets",
                   help="change one key of the config, e.g. aimc.arrays=8 (repeatable)")


def _arch(args):
    """The Arch of ``--arch`` with every ``--set`` applied."""
    return load_arch(args.arch, config_files.parse_sets(args.sets))


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
