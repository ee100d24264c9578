# cython: language_level=3
"""Maximal-rectangles bin (Jylanki, "A thousand ways to pack the bin", 2010), one array.

The free space is the list of maximal free rectangles; after each placement the rectangles
it intersects are split into up to four pieces and pieces contained in another free
rectangle are pruned, so the list never holds a contained rectangle.
"""
from marp._kernels.rects cimport (Rect, RectVec, Candidate, rv_init, rv_free, rv_push,
                                  rv_reserve, better, stair_add)


cdef int mr_init(MaxRects* b, int W, int H, int keep_used) noexcept nogil:
    b.W = W
    b.H = H
    b.keep_used = keep_used
    rv_init(&b.free_rects)
    rv_init(&b.used_rects)
    rv_init(&b.scratch)
    return rv_push(&b.free_rects, 0, 0, W, H)


cdef void mr_free(MaxRects* b) noexcept nogil:
    rv_free(&b.free_rects)
    rv_free(&b.used_rects)
    rv_free(&b.scratch)


cdef inline int overlap_len(int a0, int a1, int b0, int b1) noexcept nogil:
    """Length of the common part of intervals [a0, a1) and [b0, b1)."""
    cdef int lo = a0 if a0 > b0 else b0
    cdef int hi = a1 if a1 < b1 else b1
    return hi - lo if hi > lo else 0


cdef long long contact(const MaxRects* b, int x, int y, int w, int h) noexcept nogil:
    """Perimeter of (x, y, w, h) touching the array walls or placed rectangles."""
    cdef long long total = 0
    cdef int i
    cdef Rect u
    if x == 0 or x + w == b.W:
        total += h
    if y == 0 or y + h == b.H:
        total += w
    for i in range(b.used_rects.n):
        u = b.used_rects.data[i]
        if u.x == x + w or u.x + u.w == x:
            total += overlap_len(u.y, u.y + u.h, y, y + h)
        if u.y == y + h or u.y + u.h == y:
            total += overlap_len(u.x, u.x + u.w, x, x + w)
    return total


cdef inline void score(const MaxRects* b, Rect f, int w, int h, int rule,
                       long long* s1, long long* s2) noexcept nogil:
    cdef long long dw = f.w - w
    cdef long long dh = f.h - h
    cdef long long short_side = dw if dw < dh else dh
    cdef long long long_side = dw if dw > dh else dh
    if rule == MR_BSSF:
        s1[0] = short_side
        s2[0] = long_side
    elif rule == MR_BLSF:
        s1[0] = long_side
        s2[0] = short_side
    elif rule == MR_BAF:
        s1[0] = <long long> f.w * f.h - <long long> w * h
        s2[0] = short_side
    elif rule == MR_BL:
        s1[0] = f.y + h
        s2[0] = f.x
    else:
        s1[0] = -contact(b, f.x, f.y, w, h)
        s2[0] = f.y + h


cdef inline void consider(const MaxRects* b, Rect f, int w, int h, int rule, int rotated,
                          Candidate* best) noexcept nogil:
    """Put the w x h item at f's corner if f holds it and it scores better than best."""
    cdef long long s1, s2
    if f.w < w or f.h < h:
        return
    score(b, f, w, h, rule, &s1, &s2)
    if better(s1, s2, best.s1, best.s2):
        best.s1 = s1
        best.s2 = s2
        best.x = f.x
        best.y = f.y
        best.rotated = rotated
        best.in_waste = 0


cdef void mr_find(const MaxRects* b, int w, int h, int rule, int rotation,
                  Candidate* best) noexcept nogil:
    """Improve best with this bin's best position for a w x h item (first found wins ties)."""
    cdef int i
    for i in range(b.free_rects.n):
        consider(b, b.free_rects.data[i], w, h, rule, 0, best)
        if rotation and w != h:
            consider(b, b.free_rects.data[i], h, w, rule, 1, best)


cdef inline bint contains(Rect a, Rect b) noexcept nogil:
    """True when rectangle b lies inside rectangle a."""
    return b.x >= a.x and b.y >= a.y and b.x + b.w <= a.x + a.w and b.y + b.h <= a.y + a.h


cdef int split_into_scratch(MaxRects* b, Rect u) noexcept nogil:
    """Remove the free rectangles that u intersects; their pieces go to b.scratch."""
    cdef int i, kept = 0
    cdef Rect f
    cdef RectVec* fr = &b.free_rects
    b.scratch.n = 0
    for i in range(fr.n):
        f = fr.data[i]
        if (u.x >= f.x + f.w or u.x + u.w <= f.x or u.y >= f.y + f.h or u.y + u.h <= f.y):
            fr.data[kept] = f
            kept += 1
            continue
        if u.x > f.x and rv_push(&b.scratch, f.x, f.y, u.x - f.x, f.h) != 0:
            return -1
        if u.x + u.w < f.x + f.w and rv_push(&b.scratch, u.x + u.w, f.y,
                                            f.x + f.w - u.x - u.w, f.h) != 0:
            return -1
        if u.y > f.y and rv_push(&b.scratch, f.x, f.y, f.w, u.y - f.y) != 0:
            return -1
        if u.y + u.h < f.y + f.h and rv_push(&b.scratch, f.x, u.y + u.h, f.w,
                                            f.y + f.h - u.y - u.h) != 0:
            return -1
    fr.n = kept
    return 0


cdef int merge_scratch(MaxRects* b) noexcept nogil:
    """Append the pieces in b.scratch that no other free rectangle contains.

    Kept old rectangles are never inside a new piece (each piece lies inside an old
    rectangle, and old rectangles were pairwise non-contained), so only pieces are tested.
    """
    cdef int i, j, n_old = b.free_rects.n
    cdef Rect p
    cdef bint dominated
    cdef RectVec* sc = &b.scratch
    if rv_reserve(&b.free_rects, n_old + sc.n) != 0:
        return -1
    for i in range(sc.n):
        p = sc.data[i]
        dominated = False
        for j in range(n_old):
            if contains(b.free_rects.data[j], p):
                dominated = True
                break
        if not dominated:
            for j in range(sc.n):
                # identical pieces: keep the first; otherwise drop p if a piece contains it
                if j != i and contains(sc.data[j], p) and (j < i or not contains(p, sc.data[j])):
                    dominated = True
                    break
        if not dominated:
            b.free_rects.data[b.free_rects.n] = p
            b.free_rects.n += 1
    return 0


cdef int mr_place(MaxRects* b, int x, int y, int w, int h) noexcept nogil:
    """Occupy (x, y, w, h); returns -1 when memory runs out."""
    cdef Rect u
    u.x = x
    u.y = y
    u.w = w
    u.h = h
    if split_into_scratch(b, u) != 0 or merge_scratch(b) != 0:
        return -1
    if b.keep_used and rv_push(&b.used_rects, x, y, w, h) != 0:
        return -1
    return 0


cdef int mr_add_free(MaxRects* b, int x, int y, int w, int h) noexcept nogil:
    """Add a free rectangle disjoint from the others (the skyline's waste map)."""
    return rv_push(&b.free_rects, x, y, w, h)


cdef void mr_stair_add(const MaxRects* b, int* stair, double scale) noexcept nogil:
    """Add this bin's free rectangles to a stair (see rects.pxd); the caller closes it."""
    cdef int i
    for i in range(b.free_rects.n):
        stair_add(stair, scale, b.free_rects.data[i].w, b.free_rects.data[i].h)
