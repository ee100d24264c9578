"""Other packers, run on marp's instances and judged by marp.verify (optional extra
``pip install -e .[bench]``)."""
from __future__ import annotations

import time

import numpy as np

import marp


def rectpack_available() -> bool:
    try:
        import rectpack  # noqa: F401
    except ImportError:
        return False
    return True


def run_rectpack(widths, heights, cols, rows, algo="MaxRectsBssf", bin_algo="BFF"):
    """rectpack offline packing, area-sorted, no rotation. Returns (Packing, seconds);
    the packing is built with marp.Packing.from_placements so it can be verified."""
    import rectpack

    start = time.perf_counter()
    packer = rectpack.newPacker(mode=rectpack.PackingMode.Offline,
                                bin_algo=getattr(rectpack.PackingBin, bin_algo),
                                pack_algo=getattr(rectpack, algo),
                                sort_algo=rectpack.SORT_AREA, rotation=False)
    for i, (w, h) in enumerate(zip(widths.tolist(), heights.tolist())):
        packer.add_rect(w, h, rid=i)
    packer.add_bin(cols, rows, count=float("inf"))
    packer.pack()
    seconds = time.perf_counter() - start
    n = len(widths)
    array = np.full(n, -1, dtype=np.int64)
    x = np.full(n, -1, dtype=np.int64)
    y = np.full(n, -1, dtype=np.int64)
    for b, rx, ry, _, _, rid in packer.rect_list():
        array[rid], x[rid], y[rid] = b, rx, ry
    p = marp.Packing.from_placements(array, x, y, widths, heights, cols, rows,
                                     algorithm=f"rectpack-{algo}-{bin_algo}")
    return p, seconds
