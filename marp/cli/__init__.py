"""The ``marp`` command: ``pack``, ``layers``, ``compile``, ``sweep`` (one module each in
this package). Errors print one line on stderr and exit with status 2 (``--debug`` adds the
traceback); SIGTERM is handled like Ctrl-C."""
from __future__ import annotations

import argparse
import csv
import os
import signal
import sys
import threading
import traceback

from marp._version import __version__
from marp.cli.arch import _arch_parser, cmd_arch
from marp.cli.common import EXIT_USAGE, CliError, _Parser
from marp.cli.diff import _diff_parser, cmd_diff
from marp.cli.models import (_compile_parser, _layers_parser, cmd_compile, cmd_layers,
                             compile_options)
from marp.cli.pack import _pack_parser, cmd_pack
from marp.cli.simulate import _simulate_parser, cmd_simulate
from marp.cli.sweep import _sweep_parser, cmd_sweep

__all__ = ["main", "build_parser", "compile_options", "CliError", "cmd_pack", "cmd_layers",
           "cmd_compile", "cmd_sweep"]


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
    _arch_parser(sub)
    _simulate_parser(sub)
    _diff_parser(sub)
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
                    "sweep": cmd_sweep, "arch": cmd_arch, "simulate": cmd_simulate,
                    "diff": cmd_diff}
        return commands[args.command](args)
    except KeyboardInterrupt:
        print("marp: interrupted", file=sys.stderr)
    except BrokenPipeError:
        # the reader went away (marp ... | head): nothing more to say, and stdout must not
        # be flushed again at exit (Python's documented recipe)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except EXPECTED as exc:
        _report(argv, f"marp: error: {_one_line(exc)}")
    except Exception as exc:       # a bug of marp's: one line, the traceback on request
        _report(argv, f"marp: error: unexpected {type(exc).__name__}: {_one_line(exc)} "
                      f"(please report it; --debug prints the traceback)")
    return EXIT_USAGE


# errors of the user's input or machine, reported as one line
EXPECTED = (CliError, ValueError, TypeError, OSError, OverflowError, MemoryError, csv.Error,
            ImportError)


def _one_line(exc) -> str:
    text = str(exc) or type(exc).__name__
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return "; ".join(lines) if len(lines) <= 4 else "; ".join(lines[:4]) + "; ..."


def _report(argv, line: str) -> None:
    if "--debug" in (sys.argv[1:] if argv is None else argv):
        traceback.print_exc()
    print(line, file=sys.stderr)
