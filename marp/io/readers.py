"""Readers for rectangle lists: CSV (``w,h`` header, optional ``id``), the classic ``.2bp``
2D bin packing files, and the strip packing files of the bench data (BKW, ZDF).

Every format error is a :class:`RectsFormatError` (a ValueError) naming file and line.
"""
from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass

import numpy as np

from marp._validate import MAX_SIDE


class RectsFormatError(ValueError):
    """A malformed rectangle file; the message starts with ``file:line:``."""

    def __init__(self, source: str, line: int, message: str):
        super().__init__(f"{source}:{line}: {message}")
        self.source = source
        self.line = line


@dataclass(frozen=True)
class RectTable:
    """Rectangles read from a file: int32 widths and heights, and an id per rectangle."""

    widths: np.ndarray
    heights: np.ndarray
    ids: list
    source: str


@dataclass(frozen=True)
class BinPackingInstance:
    """One instance of a ``.2bp`` file (class, n, relative and absolute number, bin size)."""

    problem_class: int
    n: int
    relative: int
    absolute: int
    array_cols: int
    array_rows: int
    widths: np.ndarray
    heights: np.ndarray
    source: str

    @property
    def name(self) -> str:
        return f"{os.path.basename(self.source)}_{self.n}_{self.relative}"


def _size(text: str, source: str, line: int, what: str) -> int:
    text = text.strip()
    # plain ASCII digits only: int() would also take "1_000" and non-ASCII digits
    if not (text.isascii() and text.lstrip("+-").isdigit()):
        raise RectsFormatError(source, line, f"{what} {text!r} is not an integer")
    value = int(text)
    if value <= 0:
        raise RectsFormatError(source, line, f"{what} {value} must be positive")
    if value > MAX_SIDE:
        raise RectsFormatError(source, line, f"{what} {value} exceeds {MAX_SIDE:,} (2^30 - 1), "
                                             f"the largest side marp accepts")
    return value


def _open_text(source, name):
    if hasattr(source, "read"):
        return source, (name or getattr(source, "name", "<stream>")), False
    path = os.fspath(source)
    try:
        return open(path, newline="", encoding="utf-8"), path, True
    except OSError as exc:
        raise OSError(f"{path}: cannot read: {exc.strerror}") from None


def read_rects_csv(source, name: str | None = None) -> RectTable:
    """Read a CSV with a ``w,h`` header (any column order, optional ``id``; other columns
    are ignored). ``source`` is a path or an open text stream."""
    stream, name, owned = _open_text(source, name)
    try:
        text = stream.read()
    except UnicodeDecodeError as exc:
        raise RectsFormatError(name, 1, f"not UTF-8 text ({exc.reason})") from None
    finally:
        if owned:
            stream.close()
    rows = csv.reader(io.StringIO(text))
    header = next(rows, None)
    if header is None or not any(c.strip() for c in header):
        return RectTable(np.zeros(0, np.int32), np.zeros(0, np.int32), [], name)
    cols = [c.strip().lower() for c in header]
    twice = sorted({c for c in cols if c in ("w", "h", "id") and cols.count(c) > 1})
    if twice:
        raise RectsFormatError(name, 1, f"header {header!r} names column(s) "
                                        f"{', '.join(twice)} more than once")
    missing = [c for c in ("w", "h") if c not in cols]
    if missing:
        raise RectsFormatError(name, 1, f"header {header!r} lacks column(s) "
                                        f"{', '.join(missing)}; expected w,h[,id]")
    iw, ih = cols.index("w"), cols.index("h")
    iid = cols.index("id") if "id" in cols else None
    widths, heights, ids = [], [], []
    for row in rows:
        line = rows.line_num
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(cols):
            raise RectsFormatError(name, line, f"{len(row)} fields, header has {len(cols)}")
        widths.append(_size(row[iw], name, line, "w"))
        heights.append(_size(row[ih], name, line, "h"))
        ids.append(row[iid].strip() if iid is not None else len(ids))
    return RectTable(np.array(widths, dtype=np.int32), np.array(heights, dtype=np.int32),
                     ids, name)


_LEADING_INTS = re.compile(r"^\s*(-?\d+)(?:\s+(-?\d+))?")


def _leading_ints(text: str, count: int, source: str, line: int, what: str) -> list[int]:
    m = _LEADING_INTS.match(text)
    values = [g for g in (m.groups() if m else ()) if g is not None]
    if len(values) < count:
        raise RectsFormatError(source, line, f"expected {what}, got {text.strip()!r}")
    return [int(v) for v in values[:count]]


def read_2bp(path) -> list[BinPackingInstance]:
    """Read every instance of a ``.2bp`` file (heights first, then widths; see the
    README of ``bench-data/2bp``)."""
    stream, name, _ = _open_text(path, None)
    with stream:
        lines = stream.read().splitlines()
    instances = []
    i = 0
    while True:
        while i < len(lines) and not lines[i].strip():
            i += 1
        if i >= len(lines):
            return instances
        if i + 4 > len(lines):
            raise RectsFormatError(name, len(lines), "truncated instance header")
        (cls,) = _leading_ints(lines[i], 1, name, i + 1, "the problem class")
        (n,) = _leading_ints(lines[i + 1], 1, name, i + 2, "the number of items")
        rel, ab = _leading_ints(lines[i + 2], 2, name, i + 3, "relative and absolute numbers")
        H, W = _leading_ints(lines[i + 3], 2, name, i + 4, "the bin height and width")
        for value, what, ln in ((n, "number of items", i + 2), (H, "bin height", i + 4),
                                (W, "bin width", i + 4)):
            if value <= 0:
                raise RectsFormatError(name, ln, f"{what} {value} must be positive")
            if value > MAX_SIDE:
                raise RectsFormatError(name, ln, f"{what} {value} exceeds {MAX_SIDE:,} "
                                                 f"(2^30 - 1), the largest marp accepts")
        i += 4
        if i + n > len(lines):
            raise RectsFormatError(name, len(lines), f"instance {ab} announces {n} items, "
                                                     f"the file ends after {len(lines) - i}")
        hw = np.empty((n, 2), dtype=np.int64)
        for k in range(n):
            got = _leading_ints(lines[i + k], 2, name, i + k + 1, "item height and width")
            if not 0 < min(got) <= max(got) <= MAX_SIDE:   # checked before int64 storage
                raise RectsFormatError(name, i + k + 1, f"item size {tuple(got)} must be in "
                                                        f"[1, {MAX_SIDE:,}]")
            hw[k] = got
        i += n
        instances.append(BinPackingInstance(cls, n, rel, ab, W, H,
                                            hw[:, 1].astype(np.int32),
                                            hw[:, 0].astype(np.int32), name))


@dataclass(frozen=True)
class StripInstance:
    """A strip packing instance: strip width, the reference height if the file has one
    (else None), and the items."""

    width: int
    height: int | None
    widths: np.ndarray
    heights: np.ndarray
    source: str


def read_strip(path) -> StripInstance:
    """Read a BKW (``n``, ``W H``, then ``id w h``) or ZDF (``n``, ``W``, ``id w h``) file."""
    stream, name, _ = _open_text(path, None)
    with stream:
        rows = [(k + 1, ln.split()) for k, ln in enumerate(stream.read().splitlines())]
    rows = [(k, r) for k, r in rows if r]
    if len(rows) < 2:
        raise RectsFormatError(name, len(rows), "expected n, the strip size and items")
    n = _size(rows[0][1][0], name, rows[0][0], "n")
    head = rows[1][1]
    width = _size(head[0], name, rows[1][0], "strip width")
    height = _size(head[1], name, rows[1][0], "strip height") if len(head) > 1 else None
    items = rows[2:]
    if len(items) != n:
        raise RectsFormatError(name, rows[-1][0], f"{n} items announced, {len(items)} found")
    w = np.empty(n, dtype=np.int32)
    h = np.empty(n, dtype=np.int32)
    for k, (ln, r) in enumerate(items):
        if len(r) < 3:
            raise RectsFormatError(name, ln, f"expected 'id w h', got {' '.join(r)!r}")
        w[k] = _size(r[1], name, ln, "w")
        h[k] = _size(r[2], name, ln, "h")
    return StripInstance(width, height, w, h, name)


def read_precision(path) -> dict:
    """A per-layer precision table (:mod:`marp.compiler.precision`) from a file: YAML
    (``name: {weight_bits: 4, act_bits: 8}`` or ``name: 4``), or CSV with a header naming
    ``layer`` (or ``name``) and ``weight_bits`` and/or ``act_bits`` (an empty cell leaves
    that precision as the arch has it). Errors name the file and the line."""
    path = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise OSError(f"{path}: cannot read: {getattr(exc, 'strerror', None) or exc}") \
            from None
    if path.lower().endswith((".yaml", ".yml")):
        import yaml          # PyYAML: imported here, kept out of "import marp"
        try:
            doc = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: not valid YAML ({exc})") from None
        if not isinstance(doc, dict):
            raise ValueError(f"{path}: expected a mapping of layer name -> bits")
        return doc
    rows = csv.DictReader(io.StringIO(text))
    fields = [f.strip() for f in rows.fieldnames or []]
    key = "layer" if "layer" in fields else "name" if "name" in fields else None
    bits = [f for f in ("weight_bits", "act_bits") if f in fields]
    if key is None or not bits:
        raise ValueError(f"{path}: the header needs a 'layer' (or 'name') column and "
                         f"'weight_bits' and/or 'act_bits', got {fields}")
    out = {}
    for line, row in enumerate(rows, start=2):
        row = {k.strip(): (v or "").strip() for k, v in row.items() if k}
        entry = {}
        for b in bits:
            if row.get(b):
                entry[b] = _size(row[b], path, line, b)
        out[row[key]] = entry
    return out
