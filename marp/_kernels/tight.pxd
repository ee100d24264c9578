# cython: language_level=3
# A tree search that packs a set of items into at most a given number of bins with no
# more waste than the area left over: see tight.pyx.

ctypedef struct Tight:
    int cap_items           # items a search can take (the scratch below is sized for it)
    int cap_bins
    int cap_depth           # levels of the search: placements + gap closings + bins
    # item types (equal sizes and turning): size, items left, may turn, order of trial
    int* tw
    int* th
    int* tcount
    signed char* tturn
    int* order
    long long* tkey
    int* first_j            # per type: its items' positions in the subset, chained by next_j
    int* next_j
    # one skyline per level: segment x, top y, width at [level * cap_seg: ...]
    int* seg_x
    int* seg_y
    int* seg_w
    int* n_seg
    int cap_seg
    # the placements on the current path
    int* p_type
    int* p_x
    int* p_y
    int* p_bin
    signed char* p_rot
    # one search
    int W
    int H
    int m
    int max_bins
    int n_types
    long long slack         # max_bins * W * H minus the items' area: the waste allowed
    long long nodes
    long long node_limit
    int cut                 # a branch was left out for want of discrepancies
    double deadline         # monotonic seconds; < 0: none

cdef int tight_init(Tight* t, int cap_items, int cap_bins) noexcept nogil
cdef void tight_free(Tight* t) noexcept nogil
cdef int tight_pack(Tight* t, const int* w, const int* h, const int* items, int m,
                    int W, int H, int rotation, const signed char* turn, int max_bins,
                    long long node_limit, int max_disc, int key, unsigned long long seed,
                    double deadline, int* out_bin,
                    int* out_x, int* out_y, signed char* out_rot,
                    long long* out_area) noexcept nogil
