# cython: language_level=3
from marp._kernels.rects cimport RectVec, Candidate
from marp._kernels.maxrects cimport MaxRects

cdef enum:
    SKY_BL = 0          # bottom-left: lowest top edge, then narrowest segment
    SKY_MINWASTE = 1    # least area lost under the item, then lowest top edge

ctypedef struct Skyline:
    int W
    int H
    RectVec segments        # (x, y, w) of each skyline segment, left to right; h unused
    int use_waste_map
    MaxRects waste          # free areas left under the skyline, reused before the skyline

cdef int sky_init(Skyline* s, int W, int H, int use_waste_map) noexcept nogil
cdef void sky_free(Skyline* s) noexcept nogil
cdef void sky_find(const Skyline* s, int w, int h, int rule, int rotation,
                   Candidate* best) noexcept nogil
cdef int sky_place(Skyline* s, const Candidate* c, int w, int h) noexcept nogil
cdef void sky_stair_add(const Skyline* s, int* stair, double scale) noexcept nogil
