# cython: language_level=3
# The state of the refinement's local search (a packing with its arrays' item chains and
# fills) and the repacks of subsets of its arrays: repack.pyx. The moves: refine.pyx.
from marp._kernels.engine cimport Packer
from marp._kernels.tight cimport Tight

cdef enum:
    MAX_SUBSET = 4      # arrays taken by one move
    ELIMINATION_TRIES = 2
    N_KEYS = 6          # random, area, height, width, perimeter, max side
    LEAST_POOL = 8      # half the moves draw partners among the 8 least-filled bins
    COMPATIBLE_MIN_BINS = 64  # past this many bins, drains and swaps scan for bins that
                              # may take the item and a third of the moves draw partners
                              # that may take an item of the target (fewer: random does)
    DRAIN_ONE_IN = 3    # one move in 3 drains or swaps an item of the least-filled bin
    DRAIN_TRIES = 8     # bins tried for it (past COMPATIBLE_MIN_BINS: that may_hold)
    GLOBAL_ONE_IN = 3   # one repack in 3 (of at most GLOBAL_MAX_ITEMS items) is global
    GLOBAL_MAX_ITEMS = 160
    N_MR_RULES = 5
    TIGHT_ONE_IN = 4    # one elimination try in 4 is the tree search (tight.pyx)
    TIGHT_MAX_ITEMS = 200
    TIGHT_NODES = 300
    TIGHT_DRAIN_NODES = 100
    TIGHT_DRAIN_ONE_IN = 4


ctypedef struct Work:
    int n_items
    # the solution
    int* bin_of
    int* x
    int* y
    signed char* rot
    long long* area            # per bin
    int* head                  # per bin: its first item (-1: none); items chain by nxt
    int* nbig                  # per bin: items over half the array both ways (such a bin
                               # is hardly ever emptied: no other big item can join it)
    const int* w               # item sizes and the array size, for big_item
    const int* h
    int W
    int H
    int* nxt                   # per item: the next item of its bin (-1: the last)
    int n_bins
    # scratch for one move
    int* items
    long long* keys
    int* sub_bin
    int* sub_x
    int* sub_y
    signed char* sub_rot
    long long sub_area[MAX_SUBSET]
    int* keep_item             # a swap's first repack, kept while the second runs
    int* keep_x
    int* keep_y
    signed char* keep_rot
    double deadline            # monotonic seconds; < 0: none
    const signed char* turn    # per item: may turn (with rotation); NULL: all may
    int rotation
    Tight tight                # the tree search's scratch


cdef inline int big_item(const Work* s, int i) noexcept nogil:
    return 2 * s.w[i] > s.W and 2 * s.h[i] > s.H


cdef inline int fixed_item(const Work* s, int i) noexcept nogil:
    """The item keeps its orientation in every repack (no rotation, or not for it)."""
    return not s.rotation or (s.turn != NULL and s.turn[i] == 0)


cdef inline long long target_key(const Work* s, int b) noexcept nogil:
    """Bins without a big item first (they can be emptied), then by fill."""
    return s.area[b] + (<long long> s.W * s.H if s.nbig[b] > 0 else 0)


cdef inline int add_new(int* chosen, int j, int t) noexcept nogil:
    """Append bin t to chosen[:j] unless it is there; returns the new count."""
    cdef int i
    for i in range(j):
        if chosen[i] == t:
            return j
    chosen[j] = t
    return j + 1


cdef inline void link(Work* s, int b, int item) noexcept nogil:
    s.bin_of[item] = b
    s.nxt[item] = s.head[b]
    s.head[b] = item
    s.nbig[b] += big_item(s, item)


# Repacks of s.items[:m] into fresh bins: they fill s.sub_* (per subset position) and
# s.sub_area (per bin) and return the bins used, -1 when an item found no room, -2 out
# of memory, -3 past the deadline.
cdef void order_subset(int* items, int m, const int* w, const int* h, int key,
                       long long* keys, unsigned long long* rng) noexcept nogil
cdef int repack(Packer* p, const int* w, const int* h, Work* s, int m, int family, int rule,
                int binsel, int max_bins) noexcept nogil
cdef int repack_global(const int* w, const int* h, Work* s, int m, int rule,
                       int max_bins) noexcept nogil
cdef int repack_any(Packer* p, const int* w, const int* h, Work* s, int m,
                    const int* heur, int n_heur, int max_bins,
                    unsigned long long* rng) noexcept nogil
cdef int tight_into(const int* w, const int* h, Work* s, int m, int max_bins,
                    long long nodes, unsigned long long* rng) noexcept nogil
cdef int one_bin(Packer* p, const int* w, const int* h, Work* s, int m, const int* heur,
                 int n_heur, unsigned long long* rng) noexcept nogil
# The state over a packing (allocated, bins chained; -2 out of memory) and its release.
cdef int work_init(Work* s, const int* w, const int* h, int W, int H, int n, int* bin_of,
                   int* x, int* y, signed char* rot, int n_bins, int rotation,
                   const signed char* turn) noexcept nogil
cdef void work_free(Work* s) noexcept nogil
# The state: write a repack over chosen bins, drop an emptied bin (the last bin takes
# its number), move items between chains.
cdef void drop_bin(Work* s, int gone) noexcept nogil
cdef void apply(Work* s, int m, int* chosen, int k_used, int k_old) noexcept nogil
cdef void unlink(Work* s, int b, int item) noexcept nogil
cdef void set_places(Work* s, const int* items, const int* px, const int* py,
                     const signed char* prot, int m) noexcept nogil
# Choices of bins and items, and the subset a move works on (s.items, ascending).
cdef int least_filled(const Work* s, unsigned long long* rng) noexcept nogil
cdef int fill_least(const Work* s, int* chosen, int j, int k,
                    unsigned long long* rng) noexcept nogil
cdef int fill_compatible(const Work* s, int* chosen, int j, int k,
                         unsigned long long* rng) noexcept nogil
cdef long long min_area(const Work* s) noexcept nogil
cdef int gather(Work* s, const int* chosen, int k) noexcept nogil
cdef void sort_ints(int* a, int m) noexcept nogil
cdef int bin_without(Work* s, int b, int out, int into) noexcept nogil
cdef int may_hold(const Work* s, int q, int add, int out) noexcept nogil
cdef int pick_smaller(Work* s, int q, int b0, int a, long long need, int check,
                      unsigned long long* rng) noexcept nogil
cdef int random_item(const Work* s, int b, unsigned long long* rng) noexcept nogil
