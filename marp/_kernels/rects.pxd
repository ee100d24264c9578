# cython: language_level=3
"""Typed contract shared by the packing kernels: rectangles, growable C vectors, scores.

Everything here is C-level (no Python objects) so that kernels run without the GIL.
Coordinates: x is the column offset, y the row offset, both from the array's corner.
"""
from libc.stdlib cimport realloc, free

ctypedef struct Rect:
    int x
    int y
    int w
    int h

# Growable vector of rectangles; owned by one bin, freed with rv_free.
ctypedef struct RectVec:
    Rect* data
    int n
    int cap

# A candidate position for one item in one bin. Scores are lexicographic, lower is better.
ctypedef struct Candidate:
    long long s1
    long long s2
    int x
    int y
    int rotated
    int in_waste      # skyline only: 1 when the position is in the waste map

cdef inline void rv_init(RectVec* v) noexcept nogil:
    v.data = NULL
    v.n = 0
    v.cap = 0

cdef inline void rv_free(RectVec* v) noexcept nogil:
    free(v.data)
    v.data = NULL
    v.n = 0
    v.cap = 0

cdef inline int rv_reserve(RectVec* v, int cap) noexcept nogil:
    """Ensure room for cap rectangles; returns -1 when memory runs out."""
    cdef Rect* grown
    cdef int new_cap
    if cap <= v.cap:
        return 0
    new_cap = v.cap * 2 if v.cap > 0 else 8
    if new_cap < cap:
        new_cap = cap
    grown = <Rect*> realloc(v.data, new_cap * sizeof(Rect))
    if grown == NULL:
        return -1
    v.data = grown
    v.cap = new_cap
    return 0

cdef inline int rv_push(RectVec* v, int x, int y, int w, int h) noexcept nogil:
    if v.n == v.cap and rv_reserve(v, v.n + 1) != 0:
        return -1
    v.data[v.n].x = x
    v.data[v.n].y = y
    v.data[v.n].w = w
    v.data[v.n].h = h
    v.n += 1
    return 0

cdef inline bint better(long long a1, long long a2, long long b1, long long b2) noexcept nogil:
    """True when score (a1, a2) is strictly better (lower) than (b1, b2)."""
    return a1 < b1 or (a1 == b1 and a2 < b2)

cdef inline void cand_reset(Candidate* c) noexcept nogil:
    c.s1 = 0x7FFFFFFFFFFFFFFF
    c.s2 = 0x7FFFFFFFFFFFFFFF
    c.x = -1
    c.y = -1
    c.rotated = 0
    c.in_waste = 0

cdef inline bint cand_found(const Candidate* c) noexcept nogil:
    return c.x >= 0

# Free-space summaries ("stairs"): stair[k] = widest free rectangle whose height has level
# >= k, with level(v) = floor((v - 1) * scale), scale = K / H, so levels run 0..K-1 for v in
# 1..H. level is non-decreasing in v, so any free rectangle that holds an item of height h
# has level >= level(h), and stair[level(h)] < w proves that no rectangle holds it.
# (A multiply, not a division: this runs for every tree node and free rectangle.)
cdef inline int level_of(int v, double scale) noexcept nogil:
    return <int> ((v - 1) * scale)

cdef inline void stair_add(int* stair, double scale, int w, int h) noexcept nogil:
    cdef int k = level_of(h, scale)
    if w > stair[k]:
        stair[k] = w

cdef inline void stair_close(int* stair, int K) noexcept nogil:
    """Turn per-level maxima into suffix maxima (level >= k)."""
    cdef int k
    for k in range(K - 2, -1, -1):
        if stair[k + 1] > stair[k]:
            stair[k] = stair[k + 1]
