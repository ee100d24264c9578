"""Files and formats: readers of rectangle instances (CSV, .2bp, strip packing), atomic
writes, the SVG drawing of a mapping and the HTML report. Knows mappings only by their
attributes, so it sits below the compiler (see docs/architecture.md)."""
from marp.io.files import write_atomic
from marp.io.readers import RectsFormatError, read_2bp, read_rects_csv, read_strip

__all__ = ["write_atomic", "read_rects_csv", "read_2bp", "read_strip", "RectsFormatError"]
