# cython: language_level=3
from marp._kernels.rects cimport Candidate
from marp._kernels.maxrects cimport MaxRects
from marp._kernels.skyline cimport Skyline

cdef enum:
    FAMILY_SKYLINE = 0
    FAMILY_MAXRECTS = 1

cdef enum:
    BIN_NEXT_FIT = 0        # only the newest array is open
    BIN_FIRST_FIT = 1       # the lowest-numbered open array where the item fits
    BIN_BEST_FIT = 2        # the best score over all open arrays (ties: lowest number)

ctypedef union Bin:
    MaxRects mr
    Skyline sky

# A multi-array packer: bins opened on demand, and a max-tree over bins of their free-space
# stairs (rects.pxd), so that arrays that cannot hold an item are skipped in O(log bins)
# instead of being scanned one by one.
ctypedef struct Packer:
    int W
    int H
    int family
    int rule
    int rotation
    int bin_selection
    int max_bins            # -1: unlimited
    Bin* bins
    int n_bins
    int cap_bins            # bins allocated == leaves of the tree (a power of two)
    int K                   # stair levels per tree node
    double level_scale      # K / H, see level_of in rects.pxd
    int* tree               # node i's stair at tree[i * K: (i + 1) * K]; root is node 1

cdef int packer_init(Packer* p, int W, int H, int family, int rule, int rotation,
                     int bin_selection, int max_bins) noexcept nogil
cdef void packer_free(Packer* p) noexcept nogil
cdef void packer_reset(Packer* p) noexcept nogil
cdef int packer_insert(Packer* p, int w, int h, int* out_bin,
                       Candidate* out) noexcept nogil
