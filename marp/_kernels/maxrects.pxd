# cython: language_level=3
from marp._kernels.rects cimport Rect, RectVec, Candidate

# Placement rules of the maximal-rectangles family (codes shared with marp/registry.py).
cdef enum:
    MR_BSSF = 0     # best short side fit
    MR_BLSF = 1     # best long side fit
    MR_BAF = 2      # best area fit
    MR_BL = 3       # bottom-left (lowest top edge, then leftmost)
    MR_CP = 4       # contact point (longest perimeter touching walls and placed items)

ctypedef struct MaxRects:
    int W
    int H
    RectVec free_rects      # pairwise non-contained free rectangles
    RectVec used_rects      # placed rectangles, kept only for the contact-point rule
    RectVec scratch         # new pieces made by one split, reused between splits
    int keep_used

cdef int mr_init(MaxRects* b, int W, int H, int keep_used) noexcept nogil
cdef void mr_free(MaxRects* b) noexcept nogil
cdef void mr_find(const MaxRects* b, int w, int h, int rule, int rotation,
                  Candidate* best) noexcept nogil
cdef int mr_place(MaxRects* b, int x, int y, int w, int h) noexcept nogil
cdef int mr_add_free(MaxRects* b, int x, int y, int w, int h) noexcept nogil
cdef void mr_stair_add(const MaxRects* b, int* stair, double scale) noexcept nogil
