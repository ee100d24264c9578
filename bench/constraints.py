"""Packing constraints, one row each, marp beside rectpack where rectpack can express the
constraint (it has rotation for all rectangles or none, and bins of several sizes; it has
no rotation per rectangle, no gap or border between rectangles, no regions already taken:
those rows say so).

    python -m bench.constraints

Instances: the MLPerf Tiny models' blocks on 256x256 arrays (141 blocks, 8-bit weights on
1-bit cells), and 1,000 uniform random rectangles (1..128 x 1..128, seed 0). Every
packing is checked with marp.verify / verify_bank.
"""
from __future__ import annotations

import time

import numpy as np

import marp
from bench.peers import rectpack_available


def _instances():
    m = marp.compile(marp.example_models("mlperf-tiny"),
                     marp.load_arch("qracc", {"aimc.array_rows": 256,
                                              "aimc.array_cols": 256}))
    rng = np.random.default_rng(0)
    # (name, widths, heights, array side, gap, border): the MLPerf blocks fill whole
    # arrays, so they get a gap and no border
    return [("MLPerf Tiny blocks", m.blocks.width.astype(np.int64),
             m.blocks.height.astype(np.int64), 256, 2, 0),
            ("uniform 1000", rng.integers(1, 129, 1000), rng.integers(1, 129, 1000), 256,
             2, 2)]


def _timed(fn):
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def _rectpack(w, h, bins, rotation):
    """rectpack MaxRectsBssf, offline, area-sorted; bins: [(rows, cols, count)]. Returns
    (arrays, cost in cells)."""
    import rectpack
    packer = rectpack.newPacker(mode=rectpack.PackingMode.Offline,
                                bin_algo=rectpack.PackingBin.BFF,
                                pack_algo=rectpack.MaxRectsBssf, sort_algo=rectpack.SORT_AREA,
                                rotation=rotation)
    for i, (a, b) in enumerate(zip(w.tolist(), h.tolist())):
        packer.add_rect(a, b, rid=i)
    for rows, cols, count in bins:
        packer.add_bin(cols, rows, count=float("inf") if count is None else count)
    packer.pack()
    placed = {rid for *_, rid in packer.rect_list()}
    assert len(placed) == len(w), "rectpack left rectangles out"
    used = [(b.width, b.height) for b in packer if len(b)]
    return len(used), sum(x * y for x, y in used)


def _row(name, what, marp_result, marp_s, peer, peer_s):
    peer_text = f"{peer:>9} {peer_s:8.3f}" if peer is not None else \
        f"{'n/a':>9} {'':8s}  (rectpack cannot express it)"
    ratio = f"  time ratio rectpack/marp {peer_s / marp_s:.1f}" \
        if peer is not None and marp_s > 0 else ""
    print(f"  {name:26s} {what:7s} {marp_result:>9} {marp_s:8.3f} {peer_text}{ratio}")


def main():
    have = rectpack_available()
    for label, w, h, side, gap, border in _instances():
        arr = (side, side)
        print(f"{label} ({len(w)} rectangles, {side}x{side} arrays):")
        print(f"  {'constraint':26s} {'measure':7s} {'marp':>9} {'seconds':>8} "
              f"{'rectpack':>9} {'seconds':>8}")
        p, s = _timed(lambda: marp.pack(w, h, array=arr))
        peer = _timed(lambda: _rectpack(w, h, [(side, side, None)], False)) if have else None
        _row("none", "arrays", p.arrays_used, s, peer[0][0] if peer else None,
             peer[1] if peer else 0)
        p, s = _timed(lambda: marp.pack(w, h, array=arr, rotation=True))
        marp.verify(p, w, h, array=arr)
        peer = _timed(lambda: _rectpack(w, h, [(side, side, None)], True)) if have else None
        _row("rotation (all)", "arrays", p.arrays_used, s, peer[0][0] if peer else None,
             peer[1] if peer else 0)
        turn = np.arange(len(w)) % 2 == 0
        p, s = _timed(lambda: marp.pack(w, h, array=arr, rotation=turn))
        marp.verify(p, w, h, array=arr)
        _row("rotation (every other)", "arrays", p.arrays_used, s, None, 0)
        p, s = _timed(lambda: marp.pack(w, h, array=arr, gap=gap, border=border))
        marp.verify(p, w, h, array=arr)
        _row(f"gap {gap}, border {border}", "arrays", p.arrays_used, s, None, 0)
        occ = [(k, 0, 0, side // 2, side) for k in range(3)]
        p, s = _timed(lambda: marp.pack(w, h, array=arr, occupied=occ))
        marp.verify(p, w, h, array=arr)
        _row("3 arrays half taken", "arrays", p.arrays_used, s, None, 0)
        bank = [(side * 4, side, 4), (side, side, None)]
        b, s = _timed(lambda: marp.pack_bank(w, h, bank))
        marp.verify_bank(b, w, h)
        peer = _timed(lambda: _rectpack(w, h, bank, False)) if have else None
        _row(f"bank {side * 4}x{side} x4 + {side}x{side}", "cells", int(b.cost), s,
             peer[0][1] if peer else None, peer[1] if peer else 0)


if __name__ == "__main__":
    main()
