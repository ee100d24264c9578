# cython: language_level=3
"""Multi-array packing: item loop, bin (array) selection, and the bin max-tree."""
from libc.stdlib cimport malloc, realloc, free
from libc.string cimport memset, memcpy
from marp._kernels.common cimport now_seconds

from marp._kernels.rects cimport (Candidate, cand_reset, cand_found, better, level_of,
                                  stair_close)
from marp._kernels.maxrects cimport (MaxRects, mr_init, mr_free, mr_find, mr_place,
                                     mr_stair_add, MR_CP)
from marp._kernels.skyline cimport (Skyline, sky_init, sky_free, sky_find, sky_place,
                                    sky_stair_add, SKY_MINWASTE)

cdef enum:
    MAX_LEVELS = 64    # stair levels: more prune better but cost more per tree update

# codes for marp/registry.py
SKYLINE = FAMILY_SKYLINE
MAXRECTS = FAMILY_MAXRECTS
NEXT_FIT = BIN_NEXT_FIT
FIRST_FIT = BIN_FIRST_FIT
BEST_FIT = BIN_BEST_FIT


cdef int packer_init(Packer* p, int W, int H, int family, int rule, int rotation,
                     int bin_selection, int max_bins) noexcept nogil:
    p.W = W
    p.H = H
    p.family = family
    p.rule = rule
    p.rotation = rotation
    p.bin_selection = bin_selection
    p.max_bins = max_bins
    p.bins = NULL
    p.n_bins = 0
    p.cap_bins = 0
    p.K = H if H < MAX_LEVELS else MAX_LEVELS
    p.level_scale = <double> p.K / H
    p.tree = NULL
    return grow(p, 64)


cdef void free_bins(Packer* p) noexcept nogil:
    cdef int b
    for b in range(p.n_bins):
        if p.family == FAMILY_SKYLINE:
            sky_free(&p.bins[b].sky)
        else:
            mr_free(&p.bins[b].mr)
    p.n_bins = 0


cdef void packer_reset(Packer* p) noexcept nogil:
    """Empty every bin but keep the allocations (for packers reused many times)."""
    cdef int i
    free_bins(p)
    for i in range(2 * p.cap_bins * p.K):
        p.tree[i] = -1


cdef void packer_free(Packer* p) noexcept nogil:
    free_bins(p)
    free(p.bins)
    free(p.tree)
    p.bins = NULL
    p.tree = NULL
    p.n_bins = 0
    p.cap_bins = 0


cdef inline bint pull_up(Packer* p, int node) noexcept nogil:
    """node's stair = elementwise max of its children's; returns whether it changed."""
    cdef int k, v, K = p.K
    cdef int changed = 0
    cdef int* t = p.tree
    cdef int* left = t + 2 * node * K
    cdef int* right = left + K
    cdef int* out = t + node * K
    for k in range(K):             # branch-free so that the compiler vectorises it
        v = left[k] if left[k] > right[k] else right[k]
        changed |= out[k] ^ v
        out[k] = v
    return changed != 0


cdef int grow(Packer* p, int cap) noexcept nogil:
    """Room for cap bins (a power of two); the tree is rebuilt from its leaves."""
    cdef Bin* bins = <Bin*> realloc(p.bins, cap * sizeof(Bin))
    cdef int* tree
    cdef int i, K = p.K
    if bins == NULL:
        return -1
    p.bins = bins
    tree = <int*> malloc(2 * cap * K * sizeof(int))
    if tree == NULL:
        return -1
    for i in range(2 * cap * K):
        tree[i] = -1           # no bin: nothing fits
    if p.n_bins > 0:
        memcpy(tree + cap * K, p.tree + p.cap_bins * K, p.n_bins * K * sizeof(int))
    free(p.tree)
    p.tree = tree
    p.cap_bins = cap
    for i in range(cap - 1, 0, -1):
        pull_up(p, i)
    return 0


ctypedef struct Query:
    int w
    int h
    int level_h             # level_of(h)
    int level_w             # level_of(w) when the item may turn (w <= H), else -1


cdef inline void make_query(const Packer* p, int w, int h, Query* q) noexcept nogil:
    q.w = w
    q.h = h
    q.level_h = level_of(h, p.level_scale) if h <= p.H else -1
    q.level_w = level_of(w, p.level_scale) if (p.rotation and w <= p.H) else -1


cdef inline bint may_fit(const Packer* p, int node, const Query* q) noexcept nogil:
    """False when no bin under node has a free rectangle for the item (see rects.pxd)."""
    cdef const int* stair = p.tree + node * p.K
    if q.level_h >= 0 and stair[q.level_h] >= q.w:
        return True
    return q.level_w >= 0 and stair[q.level_w] >= q.h


cdef void refresh(Packer* p, int b) noexcept nogil:
    """Recompute bin b's stair and update the tree above it."""
    cdef int k, i = p.cap_bins + b
    cdef int* leaf = p.tree + i * p.K
    for k in range(p.K):
        leaf[k] = 0
    if p.family == FAMILY_SKYLINE:
        sky_stair_add(&p.bins[b].sky, leaf, p.level_scale)
    else:
        mr_stair_add(&p.bins[b].mr, leaf, p.level_scale)
    stair_close(leaf, p.K)
    i >>= 1
    while i >= 1 and pull_up(p, i):     # an unchanged node leaves its ancestors unchanged
        i >>= 1


cdef inline void bin_find(const Packer* p, int b, int w, int h, Candidate* c) noexcept nogil:
    if p.family == FAMILY_SKYLINE:
        sky_find(&p.bins[b].sky, w, h, p.rule, p.rotation, c)
    else:
        mr_find(&p.bins[b].mr, w, h, p.rule, p.rotation, c)


cdef int first_candidate(const Packer* p, int node, int lo, int hi, int start,
                         const Query* q) noexcept nogil:
    """Lowest bin >= start whose largest free width and height admit the item, or -1."""
    cdef int mid, found
    if hi <= start or lo >= p.n_bins or not may_fit(p, node, q):
        return -1
    if hi - lo == 1:
        return lo
    mid = (lo + hi) >> 1
    found = first_candidate(p, 2 * node, lo, mid, start, q)
    if found >= 0:
        return found
    return first_candidate(p, 2 * node + 1, mid, hi, start, q)


cdef void best_over_bins(const Packer* p, int node, int lo, int hi, const Query* q,
                         Candidate* best, int* best_bin) noexcept nogil:
    cdef long long s1, s2
    cdef int mid
    if lo >= p.n_bins or not may_fit(p, node, q):
        return
    if hi - lo == 1:
        s1 = best.s1
        s2 = best.s2
        bin_find(p, lo, q.w, q.h, best)
        if better(best.s1, best.s2, s1, s2):
            best_bin[0] = lo
        return
    mid = (lo + hi) >> 1
    best_over_bins(p, 2 * node, lo, mid, q, best, best_bin)
    best_over_bins(p, 2 * node + 1, mid, hi, q, best, best_bin)


cdef int open_bin(Packer* p) noexcept nogil:
    """Open a new empty bin; returns its number, -1 past max_bins, -2 out of memory."""
    cdef int b = p.n_bins, status
    if p.max_bins >= 0 and b >= p.max_bins:
        return -1
    if b == p.cap_bins and grow(p, 2 * p.cap_bins) != 0:
        return -2
    memset(&p.bins[b], 0, sizeof(Bin))
    if p.family == FAMILY_SKYLINE:
        status = sky_init(&p.bins[b].sky, p.W, p.H, p.rule == SKY_MINWASTE)
    else:
        status = mr_init(&p.bins[b].mr, p.W, p.H, p.rule == MR_CP)
    p.n_bins += 1
    if status != 0:
        return -2
    refresh(p, b)
    return b


cdef int place(Packer* p, int b, Candidate* c, int w, int h) noexcept nogil:
    cdef int pw = h if c.rotated else w
    cdef int ph = w if c.rotated else h
    cdef int status
    if p.family == FAMILY_SKYLINE:
        status = sky_place(&p.bins[b].sky, c, pw, ph)
    else:
        status = mr_place(&p.bins[b].mr, c.x, c.y, pw, ph)
    refresh(p, b)
    return status


cdef int packer_insert(Packer* p, int w, int h, int* out_bin, Candidate* out) noexcept nogil:
    """Place one w x h item. Returns 0 placed, 1 no room (or larger than an array),
    -1 out of memory. out_bin and out receive the bin and the position."""
    cdef int b = -1
    cdef Query q
    cand_reset(out)
    if not ((w <= p.W and h <= p.H) or (p.rotation and h <= p.W and w <= p.H)):
        out_bin[0] = -1
        return 1
    if p.bin_selection == BIN_NEXT_FIT:
        if p.n_bins > 0:
            bin_find(p, p.n_bins - 1, w, h, out)
            if cand_found(out):
                b = p.n_bins - 1
    elif p.bin_selection == BIN_FIRST_FIT:
        make_query(p, w, h, &q)
        b = first_candidate(p, 1, 0, p.cap_bins, 0, &q)
        while b >= 0:
            bin_find(p, b, w, h, out)
            if cand_found(out):
                break
            b = first_candidate(p, 1, 0, p.cap_bins, b + 1, &q)
    else:
        make_query(p, w, h, &q)
        best_over_bins(p, 1, 0, p.cap_bins, &q, out, &b)
    if b < 0:
        b = open_bin(p)
        if b == -2:
            return -1
        if b == -1:
            out_bin[0] = -1
            return 1
        bin_find(p, b, w, h, out)
    out_bin[0] = b
    return -1 if place(p, b, out, w, h) != 0 else 0


def pack_ordered(const int[::1] widths, const int[::1] heights, const int[::1] order,
                 int W, int H, int family, int rule, bint rotation, int bin_selection,
                 int max_bins, int[::1] out_array, int[::1] out_x, int[::1] out_y,
                 signed char[::1] out_rotated, double max_seconds=-1.0,
                 const signed char[::1] may_turn=None, const int[:, ::1] occupied=None):
    """Pack items in the given order; fills the outputs (indexed like widths), returns the
    number of arrays opened. Inputs are validated by marp.packing; unplaced items get -1.
    With max_seconds >= 0, returns -1 (outputs incomplete) once that time has passed.
    may_turn (one flag per item, or None): with rotation, only items flagged may turn.
    occupied (rows of array, x, y, w, h, or None): regions taken before any item, in
    arrays opened for them (validated by marp.packing: inside the array, maxrects only)."""
    cdef Packer p
    cdef Candidate c
    cdef Py_ssize_t k, n = order.shape[0]
    cdef int i, b, status = 0, n_bins = 0
    cdef double deadline = -1.0
    cdef const signed char* turn = NULL
    cdef Py_ssize_t n_occ = 0 if occupied is None else occupied.shape[0]
    if may_turn is not None and may_turn.shape[0] > 0:
        turn = &may_turn[0]
    if packer_init(&p, W, H, family, rule, rotation, bin_selection, max_bins) != 0:
        packer_free(&p)
        raise MemoryError("marp: out of memory while packing")
    with nogil:
        for k in range(n_occ):         # regions already taken, before any item
            while status == 0 and p.n_bins <= occupied[k, 0]:
                if open_bin(&p) < 0:
                    status = -1
            if status != 0:
                break
            c.x = occupied[k, 1]
            c.y = occupied[k, 2]
            c.rotated = 0
            if place(&p, occupied[k, 0], &c, occupied[k, 3], occupied[k, 4]) != 0:
                status = -1
                break
        if max_seconds >= 0:
            deadline = now_seconds() + max_seconds
        for k in range(n if status == 0 else 0):
            if (k & 511) == 511 and deadline >= 0 and now_seconds() > deadline:
                status = 2
                break
            i = order[k]
            if turn != NULL:            # the query and the bins read p.rotation per item
                p.rotation = rotation and turn[i] != 0
            status = packer_insert(&p, widths[i], heights[i], &b, &c)
            if status < 0:
                break
            if status == 0:
                out_array[i] = b
                out_x[i] = c.x
                out_y[i] = c.y
                out_rotated[i] = c.rotated
            else:
                out_array[i] = -1
                out_x[i] = -1
                out_y[i] = -1
                out_rotated[i] = 0
        n_bins = p.n_bins
        packer_free(&p)
    if status < 0:
        raise MemoryError("marp: out of memory while packing")
    return -1 if status == 2 else n_bins
