# cython: language_level=3
"""A tree search for tight packings: put a set of items into at most B bins.

Greedy packers fill an array to 90-95%; the packings that reach the lower bound of the
classic instances fill theirs to 93-98.5%, and only a search finds them. This one fills
the bins one after the other, always at the lowest (then leftmost) gap of the current
bin's skyline: it tries each item size that fits there (those as wide as the gap first,
then the widest), and last closes the gap (raises it to its lower neighbour; the area
below is lost). The area lost may not exceed B * W * H minus the items' area, which
prunes nearly every branch of a tight instance: a search is exact up to its node limit.
Items of equal size (and turning) are one type, so their permutations are not searched.
"""
from libc.stdlib cimport malloc, free
import numpy as np

from marp._kernels.common cimport now_seconds, rng_int


cdef int tight_init(Tight* t, int cap_items, int cap_bins) noexcept nogil:
    """Scratch for searches of up to cap_items items into up to cap_bins bins; -1 when
    memory runs out (then tight_free is still safe)."""
    cdef int n = cap_items if cap_items > 1 else 1
    t.cap_items = n
    t.cap_bins = cap_bins
    t.cap_depth = 2 * n + 2 * cap_bins + 4
    t.cap_seg = n + 2
    t.tw = <int*> malloc(n * sizeof(int))
    t.th = <int*> malloc(n * sizeof(int))
    t.tcount = <int*> malloc(n * sizeof(int))
    t.tturn = <signed char*> malloc(n * sizeof(signed char))
    t.order = <int*> malloc(n * sizeof(int))
    t.tkey = <long long*> malloc(n * sizeof(long long))
    t.first_j = <int*> malloc(n * sizeof(int))
    t.next_j = <int*> malloc(n * sizeof(int))
    t.seg_x = <int*> malloc(<size_t> t.cap_depth * t.cap_seg * sizeof(int))
    t.seg_y = <int*> malloc(<size_t> t.cap_depth * t.cap_seg * sizeof(int))
    t.seg_w = <int*> malloc(<size_t> t.cap_depth * t.cap_seg * sizeof(int))
    t.n_seg = <int*> malloc(t.cap_depth * sizeof(int))
    t.p_type = <int*> malloc(n * sizeof(int))
    t.p_x = <int*> malloc(n * sizeof(int))
    t.p_y = <int*> malloc(n * sizeof(int))
    t.p_bin = <int*> malloc(n * sizeof(int))
    t.p_rot = <signed char*> malloc(n * sizeof(signed char))
    if (t.tw == NULL or t.th == NULL or t.tcount == NULL or t.tturn == NULL
            or t.order == NULL or t.tkey == NULL or t.first_j == NULL or t.next_j == NULL
            or t.seg_x == NULL or t.seg_y == NULL or t.seg_w == NULL or t.n_seg == NULL
            or t.p_type == NULL or t.p_x == NULL or t.p_y == NULL or t.p_bin == NULL
            or t.p_rot == NULL):
        return -1
    return 0


cdef void tight_free(Tight* t) noexcept nogil:
    free(t.tw)
    free(t.th)
    free(t.tcount)
    free(t.tturn)
    free(t.order)
    free(t.tkey)
    free(t.first_j)
    free(t.next_j)
    free(t.seg_x)
    free(t.seg_y)
    free(t.seg_w)
    free(t.n_seg)
    free(t.p_type)
    free(t.p_x)
    free(t.p_y)
    free(t.p_bin)
    free(t.p_rot)


cdef inline long long type_key(int key, int w, int h) noexcept nogil:
    """Trial order of the types, descending: by width then height, by height then width,
    by area, by the longer side."""
    if key == 1:
        return <long long> h * 65536 + w
    if key == 2:
        return <long long> w * h
    if key == 3:
        return w if w > h else h
    return <long long> w * 65536 + h


cdef int make_types(Tight* t, const int* w, const int* h, const int* items, int m,
                    int rotation, const signed char* turn, int key,
                    unsigned long long seed) noexcept nogil:
    """Group the items into types, chain each type's subset positions, and sort the types
    by the key (ties in a random order drawn from seed). Returns the number of types."""
    cdef int j, i, k, ty, a, b, tmp
    cdef signed char tn
    cdef long long kv
    cdef unsigned long long rng = seed
    t.n_types = 0
    for j in range(m - 1, -1, -1):
        i = items[j]
        tn = 1 if rotation and (turn == NULL or turn[i] != 0) else 0
        ty = -1
        for k in range(t.n_types):
            if t.tw[k] == w[i] and t.th[k] == h[i] and t.tturn[k] == tn:
                ty = k
                break
        if ty < 0:
            ty = t.n_types
            t.n_types += 1
            t.tw[ty] = w[i]
            t.th[ty] = h[i]
            t.tturn[ty] = tn
            t.tcount[ty] = 0
            t.first_j[ty] = -1
        t.tcount[ty] += 1
        t.next_j[j] = t.first_j[ty]
        t.first_j[ty] = j
    for k in range(t.n_types):
        t.order[k] = k
    for k in range(t.n_types - 1, 0, -1):        # random ties, then a stable sort
        a = rng_int(&rng, k + 1)
        tmp = t.order[k]
        t.order[k] = t.order[a]
        t.order[a] = tmp
    for k in range(t.n_types):
        t.tkey[k] = type_key(key, t.tw[t.order[k]], t.th[t.order[k]])
    for k in range(1, t.n_types):
        tmp = t.order[k]
        kv = t.tkey[k]
        b = k - 1
        while b >= 0 and t.tkey[b] < kv:
            t.order[b + 1] = t.order[b]
            t.tkey[b + 1] = t.tkey[b]
            b -= 1
        t.order[b + 1] = tmp
        t.tkey[b + 1] = kv
    return t.n_types


cdef inline int push_seg(Tight* t, int base, int n, int x, int y, int w) noexcept nogil:
    """Append a segment to the skyline at base (merged with its left neighbour when they
    are at the same height); returns the new count."""
    if n > 0 and t.seg_y[base + n - 1] == y:
        t.seg_w[base + n - 1] += w
        return n
    t.seg_x[base + n] = x
    t.seg_y[base + n] = y
    t.seg_w[base + n] = w
    return n + 1


cdef void next_skyline(Tight* t, int level, int i, int ww, int top) noexcept nogil:
    """The skyline of level + 1: level's, with its segment i raised to top over its first
    ww columns (an item placed at its left, or with ww its width: the gap closed)."""
    cdef int src = level * t.cap_seg, dst = src + t.cap_seg, n = 0, k
    cdef int sw = t.seg_w[src + i]
    for k in range(i):
        n = push_seg(t, dst, n, t.seg_x[src + k], t.seg_y[src + k], t.seg_w[src + k])
    n = push_seg(t, dst, n, t.seg_x[src + i], top, ww)
    if ww < sw:
        n = push_seg(t, dst, n, t.seg_x[src + i] + ww, t.seg_y[src + i], sw - ww)
    for k in range(i + 1, t.n_seg[level]):
        n = push_seg(t, dst, n, t.seg_x[src + k], t.seg_y[src + k], t.seg_w[src + k])
    t.n_seg[level + 1] = n


cdef inline void new_bin(Tight* t, int level) noexcept nogil:
    cdef int base = level * t.cap_seg
    t.seg_x[base] = 0
    t.seg_y[base] = 0
    t.seg_w[base] = t.W
    t.n_seg[level] = 1


cdef int try_types(Tight* t, int level, int i, int bin, int placed, long long waste,
                   int fit, int disc, int* tried) noexcept nogil:
    """Every item size of fitness class fit that fits gap i of level, in the trial order;
    returns the first non-zero search. Classes (the skyline heuristics' fitness): 3 as
    wide as the gap and level with a neighbour, 2 as wide, 1 narrower and level with the
    left neighbour, 0 the rest."""
    cdef int base = level * t.cap_seg
    cdef int sw = t.seg_w[base + i], y0 = t.seg_y[base + i]
    cdef int left = t.seg_y[base + i - 1] if i > 0 else -1
    cdef int right = t.seg_y[base + i + 1] if i + 1 < t.n_seg[level] else -1
    cdef int oi, ty, ww, hh, turned, res, cls
    for oi in range(t.n_types):
        ty = t.order[oi]
        if t.tcount[ty] == 0:
            continue
        for turned in range(2 if t.tturn[ty] and t.tw[ty] != t.th[ty] else 1):
            ww = t.th[ty] if turned else t.tw[ty]
            hh = t.tw[ty] if turned else t.th[ty]
            if ww > sw or y0 + hh > t.H:
                continue
            if ww == sw:
                cls = 3 if y0 + hh == left or y0 + hh == right or y0 + hh == t.H else 2
            else:
                cls = 1 if y0 + hh == left or (left < 0 and y0 + hh == t.H) else 0
            if cls != fit:
                continue
            if tried[0] > 0 and disc == 0:
                t.cut = 1
                return 0
            next_skyline(t, level, i, ww, y0 + hh)
            t.p_type[placed] = ty
            t.p_x[placed] = t.seg_x[base + i]
            t.p_y[placed] = y0
            t.p_bin[placed] = bin
            t.p_rot[placed] = <signed char> turned
            t.tcount[ty] -= 1
            res = search(t, level + 1, bin, placed + 1, waste,
                         disc - (1 if tried[0] > 0 else 0))
            tried[0] += 1
            t.tcount[ty] += 1
            if res != 0:
                return res
    return 0


cdef int search(Tight* t, int level, int bin, int placed, long long waste,
                int disc) noexcept nogil:
    """Depth-first search from level's skyline; 1: all placed, 0: none from here, -1: the
    node limit was reached, -3: the deadline passed."""
    cdef int base = level * t.cap_seg, i = 0, k, top, res, tried = 0
    cdef long long lost
    t.nodes += 1
    if placed == t.m:
        return 1
    if t.nodes > t.node_limit:
        return -1
    if (t.nodes & 4095) == 0 and t.deadline >= 0 and now_seconds() > t.deadline:
        return -3
    if level + 1 >= t.cap_depth:                 # cannot happen (see tight_init): a guard
        return 0
    for k in range(1, t.n_seg[level]):
        if t.seg_y[base + k] < t.seg_y[base + i]:
            i = k
    if t.seg_y[base + i] >= t.H:                 # the bin is full: the next one
        if bin + 1 >= t.max_bins:
            return 0
        new_bin(t, level + 1)
        return search(t, level + 1, bin + 1, placed, waste, disc)
    for k in range(3, -1, -1):
        res = try_types(t, level, i, bin, placed, waste, k, disc, &tried)
        if res != 0:
            return res
    # close the gap: up to its lower neighbour (segments are merged, so both are higher)
    top = t.H
    if i > 0:
        top = t.seg_y[base + i - 1]
    if i + 1 < t.n_seg[level] and t.seg_y[base + i + 1] < top:
        top = t.seg_y[base + i + 1]
    lost = waste + <long long> t.seg_w[base + i] * (top - t.seg_y[base + i])
    if lost > t.slack:
        return 0
    if tried > 0 and disc == 0:
        t.cut = 1
        return 0
    next_skyline(t, level, i, t.seg_w[base + i], top)
    return search(t, level + 1, bin, placed, lost, disc - (1 if tried > 0 else 0))


cdef int tight_pack(Tight* t, const int* w, const int* h, const int* items, int m,
                    int W, int H, int rotation, const signed char* turn, int max_bins,
                    long long node_limit, int max_disc, int key, unsigned long long seed,
                    double deadline, int* out_bin,
                    int* out_x, int* out_y, signed char* out_rot,
                    long long* out_area) noexcept nogil:
    """Pack items[:m] into at most max_bins W x H bins; on success fill out_*[j] for each
    subset position j and out_area per bin, and return the bins used. -1: not found
    within node_limit nodes (or none exists: the search ended), -3: past the deadline.
    m <= cap_items and max_bins <= cap_bins (the caller checks)."""
    cdef long long area = 0
    cdef int j, b, used = 0, res, ty, d
    for j in range(m):
        area += <long long> w[items[j]] * h[items[j]]
    t.slack = <long long> max_bins * W * H - area
    if t.slack < 0 or m > t.cap_items or max_bins > t.cap_bins:
        return -1
    t.W = W
    t.H = H
    t.m = m
    t.max_bins = max_bins
    t.nodes = 0
    t.node_limit = node_limit
    t.deadline = deadline
    make_types(t, w, h, items, m, rotation, turn, key, seed)
    new_bin(t, 0)
    res = 0
    for d in range(max_disc + 1):        # limited discrepancy search, d = 0, 1, ...
        t.cut = 0
        res = search(t, 0, 0, 0, 0, d)
        if res != 0 or not t.cut:        # found, out of nodes, or the whole tree seen
            break
    if res != 1:
        return -3 if res == -3 else -1
    for b in range(max_bins):
        out_area[b] = 0
    for j in range(m):                  # the type's next unplaced item takes the place
        ty = t.p_type[j]
        b = t.first_j[ty]
        t.first_j[ty] = t.next_j[b]
        out_bin[b] = t.p_bin[j]
        out_x[b] = t.p_x[j]
        out_y[b] = t.p_y[j]
        out_rot[b] = t.p_rot[j]
        out_area[t.p_bin[j]] += <long long> w[items[b]] * h[items[b]]
        if t.p_bin[j] + 1 > used:
            used = t.p_bin[j] + 1
    return used


def tight_search(const int[::1] widths, const int[::1] heights, int W, int H, bint rotation,
                 int max_bins, long long node_limit, int max_disc=1000000, int key=0,
                 unsigned long long seed=0,
                 const signed char[::1] may_turn=None):
    """Search for a packing of all items into at most max_bins W x H bins (see the module).

    Returns (bins used, bin, x, y, rotated) arrays per item, or (-1, None, None, None, None)
    when none was found within node_limit nodes."""
    cdef int m = widths.shape[0], used
    cdef Tight t
    cdef int[::1] items = np.arange(m, dtype=np.int32)
    b = np.zeros(m, np.int32)
    x = np.zeros(m, np.int32)
    y = np.zeros(m, np.int32)
    rot = np.zeros(m, np.int8)
    area = np.zeros(max(1, max_bins), np.int64)
    cdef int[::1] bv = b, xv = x, yv = y
    cdef signed char[::1] rv = rot
    cdef long long[::1] av = area
    cdef const signed char* turn = NULL
    if m == 0:
        return 0, b, x, y, rot
    if may_turn is not None and may_turn.shape[0] > 0:
        turn = &may_turn[0]
    if tight_init(&t, m, max_bins) != 0:
        tight_free(&t)
        raise MemoryError("marp: out of memory in the tight-packing search")
    with nogil:
        used = tight_pack(&t, &widths[0], &heights[0], &items[0], m, W, H, rotation, turn,
                          max_bins, node_limit, max_disc, key, seed, -1.0, &bv[0], &xv[0],
                          &yv[0], &rv[0], &av[0])
    tight_free(&t)
    if used < 0:
        return -1, None, None, None, None
    return used, b, x, y, rot
