"""Other packers, run on marp's instances and judged by marp.verify (optional extra
``pip install -e .[bench]``). A peer's packing that fails verification is reported
invalid and never counted."""
from __future__ import annotations

import time

import numpy as np

import marp

RECTPACK_ALGOS = ("MaxRectsBssf", "SkylineBl", "GuillotineBssfSas")
RECTPACK_BINS = ("BNF", "BFF", "BBF", "Global")
# greedypacker's algorithm -> the heuristic closest to marp's defaults
GREEDY_ALGOS = {"maximal_rectangle": "best_shortside", "skyline": "bottom_left",
                "guillotine": "best_shortside", "shelf": "best_area_fit"}


def rectpack_available() -> bool:
    try:
        import rectpack  # noqa: F401
    except ImportError:
        return False
    return True


def greedypacker_available() -> bool:
    try:
        import greedypacker  # noqa: F401
    except ImportError:
        return False
    return True


def _as_packing(name, n, placements, widths, heights, cols, rows):
    array = np.full(n, -1, dtype=np.int64)
    x = np.full(n, -1, dtype=np.int64)
    y = np.full(n, -1, dtype=np.int64)
    for b, rx, ry, rid in placements:
        array[rid], x[rid], y[rid] = b, rx, ry
    p = marp.Packing.from_placements(array, x, y, widths, heights, shape=(rows, cols))
    p.algorithm = name
    return p


def run_rectpack(widths, heights, cols, rows, algo="MaxRectsBssf", bin_algo="BFF"):
    """rectpack offline, area-sorted, no rotation. Returns (Packing, seconds)."""
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
    placed = [(b, rx, ry, rid) for b, rx, ry, _, _, rid in packer.rect_list()]
    return _as_packing(f"rectpack {algo} {bin_algo}", len(widths), placed, widths, heights,
                       cols, rows), seconds


def run_greedypacker(widths, heights, cols, rows, algo="maximal_rectangle"):
    """greedypacker, first fit, area-descending sort, no rotation."""
    import greedypacker

    start = time.perf_counter()
    manager = greedypacker.BinManager(cols, rows, pack_algo=algo, heuristic=GREEDY_ALGOS[algo],
                                      bin_algo="bin_first_fit", rotation=False, sorting=True,
                                      sorting_heuristic="DESCA")
    items = [greedypacker.Item(int(w), int(h)) for w, h in zip(widths, heights)]
    ids = {id(item): i for i, item in enumerate(items)}
    manager.add_items(*items)
    manager.execute()
    seconds = time.perf_counter() - start
    placed = [(b, item.x, item.y, ids[id(item)])
              for b, bin_ in enumerate(manager.bins) for item in bin_.items]
    return _as_packing(f"greedypacker {algo}", len(widths), placed, widths, heights, cols,
                       rows), seconds


def missing_peers() -> list[str]:
    """One sentence per peer whose rows are dropped because it is not installed."""
    out = []
    if not rectpack_available():
        out.append("rectpack rows dropped: rectpack is not installed "
                   "(pip install -e \".[bench]\")")
    if not greedypacker_available():
        out.append("greedypacker rows dropped: greedypacker is not installed "
                   "(pip install -e \".[bench]\")")
    return out


def peer_methods(rectpack_all: bool = True):
    """(name, callable(widths, heights, cols, rows) -> (Packing, seconds)) of every peer
    installed."""
    out = []
    if rectpack_available():
        combos = [(a, b) for a in RECTPACK_ALGOS for b in RECTPACK_BINS] if rectpack_all \
            else [("MaxRectsBssf", "BFF")]
        for a, b in combos:
            out.append((f"rectpack {a} {b}",
                        lambda w, h, c, r, a=a, b=b: run_rectpack(w, h, c, r, a, b)))
    if greedypacker_available():
        for a in GREEDY_ALGOS if rectpack_all else ["maximal_rectangle"]:
            out.append((f"greedypacker {a}",
                        lambda w, h, c, r, a=a: run_greedypacker(w, h, c, r, a)))
    return out
