"""A pure-NumPy reference of one compiled heuristic: maximal rectangles, best short side
fit, first-fit bin selection (``pack(..., implementation="python")``).

It is the readable specification of what ``marp/_kernels/maxrects.pyx`` and the first-fit
loop of ``engine.pyx`` do, and gives the same placements (tested with hypothesis). It is
about a thousand times slower: a Python loop per rectangle, NumPy inside a bin.

One bin holds its *maximal free rectangles* as rows ``(x, y, w, h)``, in the kernel's
order. Placing an item:

1. **Find.** Every free rectangle that holds the item scores ``(short leftover side, long
   leftover side)``; the lowest score wins, ties to the earliest rectangle (and, with
   rotation, the upright item before the turned one on the same rectangle). The item goes
   to the rectangle's corner ``(x, y)``.
2. **Split.** Each free rectangle that the item overlaps is removed and replaced by up to
   four pieces, in this order: left of the item, right of it, below it, above it (each
   piece as tall or as wide as the rectangle it came from). The others keep their order.
3. **Prune.** A piece is dropped when a kept rectangle contains it, or when another piece
   contains it (of two identical pieces the first stays). Kept pieces are appended.

First-fit tries the bins in order and opens a new one when none holds the item (or
reports the item unplaced past ``max_arrays``).
"""
from __future__ import annotations

import numpy as np

_NONE = np.iinfo(np.int64).max


def _contains(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``out[i, j]``: rectangle ``a[i]`` contains rectangle ``b[j]`` (rows x, y, w, h)."""
    ax, ay, aw, ah = (a[:, k, None] for k in range(4))
    bx, by, bw, bh = (b[None, :, k] for k in range(4))
    return (bx >= ax) & (by >= ay) & (bx + bw <= ax + aw) & (by + bh <= ay + ah)


def find(free: np.ndarray, w: int, h: int, rotation: bool):
    """Best (score, x, y, rotated) for a w x h item in one bin, or None (step 1)."""
    sizes = [(w, h, False)] + ([(h, w, True)] if rotation and w != h else [])
    best = None
    for k, (iw, ih, turned) in enumerate(sizes):
        dw, dh = free[:, 2] - iw, free[:, 3] - ih
        fits = (dw >= 0) & (dh >= 0)
        s1 = np.where(fits, np.minimum(dw, dh), _NONE)
        s2 = np.where(fits, np.maximum(dw, dh), _NONE)
        # candidate number: rectangle i upright is 2i, turned 2i + 1 (the kernel's order)
        rank = np.lexsort((2 * np.arange(len(free)) + k, s2, s1))[:1]
        if rank.size and fits[rank[0]]:
            i = int(rank[0])
            cand = (int(s1[i]), int(s2[i]), 2 * i + k, int(free[i, 0]), int(free[i, 1]), turned)
            if best is None or cand[:3] < best[:3]:
                best = cand
    return None if best is None else ((best[0], best[1]), best[3], best[4], best[5])


def place(free: np.ndarray, x: int, y: int, w: int, h: int) -> np.ndarray:
    """The free rectangles after occupying (x, y, w, h) (steps 2 and 3)."""
    fx, fy, fw, fh = (free[:, k] for k in range(4))
    hit = ~((x >= fx + fw) | (x + w <= fx) | (y >= fy + fh) | (y + h <= fy))
    kept = free[~hit]
    pieces = []
    for rx, ry, rw, rh in free[hit].tolist():
        if x > rx:
            pieces.append((rx, ry, x - rx, rh))
        if x + w < rx + rw:
            pieces.append((x + w, ry, rx + rw - x - w, rh))
        if y > ry:
            pieces.append((rx, ry, rw, y - ry))
        if y + h < ry + rh:
            pieces.append((rx, y + h, rw, ry + rh - y - h))
    if not pieces:
        return kept
    p = np.array(pieces, dtype=np.int64)
    inside_kept = _contains(kept, p).any(axis=0) if len(kept) else np.zeros(len(p), bool)
    c = _contains(p, p)                                 # c[j, i]: piece j contains piece i
    j, i = np.indices(c.shape)
    dominated = (c & (j != i) & ((j < i) | ~c.T)).any(axis=0)
    return np.concatenate([kept, p[~inside_kept & ~dominated]])


def pack_first_fit(w: np.ndarray, h: np.ndarray, W: int, H: int, order: np.ndarray,
                   rotation: bool, max_bins: int):
    """(array, x, y, rotated, arrays used) of maxrects-bssf with first-fit, items in
    ``order``; like the kernel, an item larger than an empty array stays unplaced."""
    n = len(w)
    array = np.full(n, -1, dtype=np.int32)
    x = np.full(n, -1, dtype=np.int32)
    y = np.full(n, -1, dtype=np.int32)
    rot = np.zeros(n, dtype=np.int8)
    bins: list[np.ndarray] = []
    for i in order.tolist():
        iw, ih = int(w[i]), int(h[i])
        if not ((iw <= W and ih <= H) or (rotation and ih <= W and iw <= H)):
            continue
        for b, free in enumerate(bins):
            found = find(free, iw, ih, rotation)
            if found is not None:
                break
        else:
            if 0 <= max_bins <= len(bins):
                continue
            bins.append(np.array([[0, 0, W, H]], dtype=np.int64))
            b = len(bins) - 1
            found = find(bins[b], iw, ih, rotation)
        _, fx, fy, turned = found
        pw, ph = (ih, iw) if turned else (iw, ih)
        bins[b] = place(bins[b], fx, fy, pw, ph)
        array[i], x[i], y[i], rot[i] = b, fx, fy, turned
    return array, x, y, rot, len(bins)
