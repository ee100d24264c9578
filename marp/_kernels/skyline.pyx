# cython: language_level=3
"""Skyline bin (Jylanki 2010), one array: the free space is what lies above a skyline.

With the waste map on, the gaps a placement leaves under the new skyline are kept as free
rectangles and tried first (best short side fit), so that area is not lost.
"""
from marp._kernels.rects cimport (Rect, RectVec, Candidate, rv_init, rv_free, rv_push,
                                  rv_reserve, better, stair_add)
from marp._kernels.maxrects cimport (MaxRects, MR_BSSF, mr_init, mr_free, mr_find,
                                     mr_place, mr_add_free, mr_stair_add)


cdef int sky_init(Skyline* s, int W, int H, int use_waste_map) noexcept nogil:
    s.W = W
    s.H = H
    s.use_waste_map = use_waste_map
    rv_init(&s.segments)
    if mr_init(&s.waste, W, H, 0) != 0:
        return -1
    s.waste.free_rects.n = 0     # the waste map starts empty
    return rv_push(&s.segments, 0, 0, W, 0)


cdef void sky_free(Skyline* s) noexcept nogil:
    rv_free(&s.segments)
    mr_free(&s.waste)


cdef int rest_height(const Skyline* s, int i, int w, long long* waste) noexcept nogil:
    """Lowest y at which a w-wide item starting at segment i clears the skyline, or -1.

    waste receives the area between the skyline and the item's bottom edge.
    """
    cdef const Rect* seg = s.segments.data
    cdef int x = seg[i].x, y = 0, j = i, left = w, cover
    cdef long long area = 0
    if x + w > s.W:
        return -1
    while left > 0:
        if seg[j].y > y:
            y = seg[j].y
        left -= seg[j].w
        j += 1
    left = w
    j = i
    while left > 0:
        cover = seg[j].w if seg[j].w < left else left
        area += <long long> cover * (y - seg[j].y)
        left -= seg[j].w
        j += 1
    waste[0] = area
    return y


cdef void find_on_skyline(const Skyline* s, int w, int h, int rule, int rotated,
                          Candidate* best) noexcept nogil:
    cdef int i, y
    cdef long long area, s1, s2
    for i in range(s.segments.n):
        y = rest_height(s, i, w, &area)
        if y < 0:
            break                # later segments start further right: none fits
        if y + h > s.H:
            continue
        if rule == SKY_BL:
            s1 = y + h
            s2 = s.segments.data[i].w
        else:
            s1 = area
            s2 = y + h
        if better(s1, s2, best.s1, best.s2):
            best.s1 = s1
            best.s2 = s2
            best.x = s.segments.data[i].x
            best.y = y
            best.rotated = rotated
            best.in_waste = 0


cdef void sky_find(const Skyline* s, int w, int h, int rule, int rotation,
                   Candidate* best) noexcept nogil:
    """Improve best with this bin's best position; a waste-map fit beats any skyline fit."""
    cdef Candidate in_waste
    if s.use_waste_map and s.waste.free_rects.n > 0:
        in_waste = best[0]
        in_waste.s1 = 0x7FFFFFFFFFFFFFFF
        in_waste.s2 = 0x7FFFFFFFFFFFFFFF
        in_waste.x = -1
        mr_find(&s.waste, w, h, MR_BSSF, rotation, &in_waste)
        if in_waste.x >= 0:
            # waste-map positions rank before skyline positions (s1 = -1), by their own fit
            in_waste.s2 = in_waste.s1
            in_waste.s1 = -1
            in_waste.in_waste = 1
            if better(in_waste.s1, in_waste.s2, best.s1, best.s2):
                best[0] = in_waste
            return
    find_on_skyline(s, w, h, rule, 0, best)
    if rotation and w != h:
        find_on_skyline(s, h, w, rule, 1, best)


cdef int record_waste(Skyline* s, int x, int y, int w) noexcept nogil:
    """Add to the waste map the gaps between the skyline and height y over [x, x + w)."""
    cdef const Rect* seg = s.segments.data
    cdef int i, lo, hi
    for i in range(s.segments.n):
        lo = seg[i].x if seg[i].x > x else x
        hi = seg[i].x + seg[i].w
        if hi > x + w:
            hi = x + w
        if seg[i].x >= x + w:
            break
        if hi > lo and seg[i].y < y:
            if mr_add_free(&s.waste, lo, seg[i].y, hi - lo, y - seg[i].y) != 0:
                return -1
    return 0


cdef int raise_skyline(Skyline* s, int x, int top, int w) noexcept nogil:
    """Replace the skyline over [x, x + w) by one segment at height top, merging equals."""
    cdef RectVec* v = &s.segments
    cdef int i, n_old = v.n, n_out = 0, end = x + w
    cdef bint inserted = False
    cdef Rect seg
    cdef Rect* out
    # the rebuilt skyline (at most n_old + 2 segments) is written after the live ones
    if rv_reserve(v, 2 * n_old + 2) != 0:
        return -1
    out = v.data + n_old
    for i in range(n_old):
        seg = v.data[i]
        if seg.x + seg.w <= x or seg.x >= end:
            out[n_out] = seg
            n_out += 1
            continue
        if seg.x < x:
            out[n_out] = seg
            out[n_out].w = x - seg.x
            n_out += 1
        if not inserted:
            out[n_out].x = x
            out[n_out].y = top
            out[n_out].w = w
            out[n_out].h = 0
            n_out += 1
            inserted = True
        if seg.x + seg.w > end:
            out[n_out] = seg
            out[n_out].x = end
            out[n_out].w = seg.x + seg.w - end
            n_out += 1
    v.n = 0
    for i in range(n_out):
        seg = out[i]
        if v.n > 0 and v.data[v.n - 1].y == seg.y:
            v.data[v.n - 1].w += seg.w
        else:
            v.data[v.n] = seg
            v.n += 1
    return 0


cdef int sky_place(Skyline* s, const Candidate* c, int w, int h) noexcept nogil:
    """Occupy the w x h item at candidate c (w, h already oriented)."""
    if c.in_waste:
        return mr_place(&s.waste, c.x, c.y, w, h)
    if s.use_waste_map and record_waste(s, c.x, c.y, w) != 0:
        return -1
    return raise_skyline(s, c.x, c.y + h, w)


cdef void sky_stair_add(const Skyline* s, int* stair, double scale) noexcept nogil:
    """Add the maximal free rectangles above the skyline (one per segment: its height to
    the top, as wide as the run of neighbours not higher) and the waste map to a stair."""
    cdef const Rect* seg = s.segments.data
    cdef int i, j, width
    for i in range(s.segments.n):
        if seg[i].y >= s.H:
            continue
        width = seg[i].w
        j = i - 1
        while j >= 0 and seg[j].y <= seg[i].y:
            width += seg[j].w
            j -= 1
        j = i + 1
        while j < s.segments.n and seg[j].y <= seg[i].y:
            width += seg[j].w
            j += 1
        stair_add(stair, scale, width, s.H - seg[i].y)
    if s.use_waste_map:
        mr_stair_add(&s.waste, stair, scale)
