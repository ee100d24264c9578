# cython: language_level=3
"""Local search on a multi-array packing: bin elimination and ruin-and-recreate.

A move takes the least-filled array (or, sometimes, another of the least filled) with 1 to
3 other random arrays and repacks their items from scratch in a random order with a
random heuristic of the portfolio: first into one array fewer (success removes an array),
otherwise into as many arrays, kept when the least-filled array of the whole packing gets
no fuller (sideways moves allowed), which drains it until it can be eliminated. Other
moves drain one item of the least-filled array into another array, or swap it for a
smaller item of an array without room for it (both arrays repacked). Past
COMPATIBLE_MIN_BINS arrays, drains and swaps try only arrays that may take the item
(may_hold) and a third of the repack moves take such arrays as partners. A share of the
repacks of small sets is the tree search of tight.pyx, which finds the near-perfect
arrays greedy repacks miss. Arrays never interact, so a subset repack is an exact
sub-problem. One stream runs per call; the caller runs independent streams (threads)
and merges them.
"""
from libc.string cimport memcpy, memset

from marp._kernels.common cimport now_seconds, rng_int
from marp._kernels.engine cimport Packer, packer_init, packer_free
from marp._kernels.repack cimport *


cdef inline int draw_bin(const Work* s, int scan, int start, int t,
                         unsigned long long* rng) noexcept nogil:
    """The t-th bin a drain or swap tries: in turn from start when it scans (many bins:
    the few that may take the item are found), else at random (few bins: 8 draws see
    most of them, and a failed draw costs no repack)."""
    return (start + t) % s.n_bins if scan else rng_int(rng, s.n_bins)


cdef int drain(Packer* p, const int* w, const int* h, Work* s, const int* heur, int n_heur,
               unsigned long long* rng) noexcept nogil:
    """Move one item of the least-filled bin into another bin with room for its area
    (that bin's items and the item repacked into one bin): the least-filled bin only
    empties, and is eliminated when its last item leaves. Returns 1 when a bin was
    eliminated, 0 otherwise, -2 out of memory, -3 past the deadline."""
    cdef int b0 = least_filled(s, rng), item = random_item(s, b0, rng)
    cdef int t, q, m, used, tries = 0, scan = s.n_bins > COMPATIBLE_MIN_BINS
    cdef int start = rng_int(rng, s.n_bins) if scan else 0
    cdef long long a_item = <long long> w[item] * h[item], cap = <long long> p.W * p.H
    for t in range(s.n_bins if scan else DRAIN_TRIES):
        if tries == DRAIN_TRIES:          # bins that passed; random draws end at the range
            break
        q = draw_bin(s, scan, start, t, rng)
        if q == b0 or cap - s.area[q] < a_item or (scan and not may_hold(s, q, item, -1)):
            continue
        tries += 1
        m = gather(s, &q, 1)
        s.items[m] = item
        m += 1
        sort_ints(s.items, m)
        used = one_bin(p, w, h, s, m, heur, n_heur, rng)
        if used <= -2:
            return used
        if used != 1:
            continue
        unlink(s, b0, item)               # the item leaves b0 for q
        link(s, q, item)
        s.area[b0] -= a_item
        s.area[q] += a_item
        set_places(s, s.items, s.sub_x, s.sub_y, s.sub_rot, m)
        if s.head[b0] < 0:
            drop_bin(s, b0)
            return 1
        return 0
    return 0


cdef int swap(Packer* p, const int* w, const int* h, Work* s, const int* heur, int n_heur,
              unsigned long long* rng) noexcept nogil:
    """Swap an item a of the least-filled bin b0 with a smaller item b of a bin q that
    has no room for a alone: q gets fuller, b0 emptier. Both bins are repacked (the tree
    search for small bins). Returns 0, -2 out of memory, -3 past the deadline."""
    cdef int b0 = least_filled(s, rng), a = random_item(s, b0, rng)
    cdef int t, q, b, m, used, tries = 0, scan = s.n_bins > COMPATIBLE_MIN_BINS
    cdef int start = rng_int(rng, s.n_bins) if scan else 0
    cdef long long a_item = <long long> w[a] * h[a], cap = <long long> s.W * s.H
    for t in range(s.n_bins if scan else DRAIN_TRIES):
        if tries == DRAIN_TRIES:          # bins that passed; random draws end at the range
            break
        q = draw_bin(s, scan, start, t, rng)
        if q == b0 or cap - s.area[q] >= a_item:
            continue
        b = pick_smaller(s, q, b0, a, a_item - (cap - s.area[q]), scan, rng)
        if b < 0:
            continue
        tries += 1
        m = bin_without(s, q, b, a)
        used = one_bin(p, w, h, s, m, heur, n_heur, rng)
        if used <= -2:
            return used
        if used != 1:
            continue
        memcpy(s.keep_item, s.items, m * sizeof(int))
        memcpy(s.keep_x, s.sub_x, m * sizeof(int))
        memcpy(s.keep_y, s.sub_y, m * sizeof(int))
        memcpy(s.keep_rot, s.sub_rot, m * sizeof(signed char))
        used = finish_swap(p, w, h, s, m, b0, q, a, b, heur, n_heur, rng)
        if used != 0:
            return used if used < 0 else 0
    return 0


cdef int finish_swap(Packer* p, const int* w, const int* h, Work* s, int mq, int b0, int q,
                     int a, int b, const int* heur, int n_heur,
                     unsigned long long* rng) noexcept nogil:
    """Repack b0 with b instead of a; when it fits, write both bins (s.keep_*[:mq]:
    q's new items and their places) and return 1; 0 when it does not fit, -2/-3 as
    repack."""
    cdef int m, used
    cdef long long d = <long long> w[a] * h[a] - <long long> w[b] * h[b]
    m = bin_without(s, b0, a, b)
    used = one_bin(p, w, h, s, m, heur, n_heur, rng)
    if used != 1:
        return used if used <= -2 else 0
    set_places(s, s.items, s.sub_x, s.sub_y, s.sub_rot, m)
    set_places(s, s.keep_item, s.keep_x, s.keep_y, s.keep_rot, mq)
    unlink(s, b0, a)
    unlink(s, q, b)
    link(s, q, a)
    link(s, b0, b)
    s.area[b0] -= d
    s.area[q] += d
    return 1


cdef void choose_bins(const Work* s, int* chosen, int k,
                      unsigned long long* rng) noexcept nogil:
    """The k bins a move repacks: the least-filled one, then partners among the least
    filled, or (many bins) among those that may take one of its items, or at random."""
    cdef int j = 1, r
    chosen[0] = least_filled(s, rng)
    if s.n_bins > COMPATIBLE_MIN_BINS:
        r = rng_int(rng, 3)
        if r == 0:
            j = fill_least(s, chosen, j, k, rng)
        elif r == 1:
            j = fill_compatible(s, chosen, j, k, rng)
    elif rng_int(rng, 2) == 0:
        j = fill_least(s, chosen, j, k, rng)
    while j < k:
        j = add_new(chosen, j, rng_int(rng, s.n_bins))


cdef int least_no_fuller(const Work* s, const int* chosen, int k) noexcept nogil:
    """Whether writing the repack in s.sub_area over the chosen bins leaves the
    least-filled bin of the whole packing no fuller (a sideways move is kept)."""
    cdef int i, j, dup
    cdef long long before = min_area(s), after, rest = -1
    for i in range(s.n_bins):
        dup = 0
        for j in range(k):
            if chosen[j] == i:
                dup = 1
        if not dup and (rest < 0 or s.area[i] < rest):
            rest = s.area[i]
    after = s.sub_area[0]
    for j in range(1, k):
        if s.sub_area[j] < after:
            after = s.sub_area[j]
    if rest >= 0 and rest < after:
        after = rest
    return after <= before


cdef int move(Packer* p, const int* w, const int* h, Work* s, const int* heur, int n_heur,
              unsigned long long* rng) noexcept nogil:
    """One move; returns 1 when it removed a bin, 0 otherwise, -2 out of memory, -3 past
    the deadline (the move is dropped)."""
    cdef int chosen[MAX_SUBSET]
    cdef int k_max = s.n_bins if s.n_bins < MAX_SUBSET else MAX_SUBSET
    cdef int k = 2 + rng_int(rng, k_max - 1)
    cdef int m, t, used
    choose_bins(s, chosen, k, rng)
    m = gather(s, chosen, k)
    if m <= TIGHT_MAX_ITEMS and rng_int(rng, TIGHT_ONE_IN) == 0:
        used = tight_into(w, h, s, m, k - 1, TIGHT_NODES, rng)
        if used == -3:
            return -3
        if used > 0:
            apply(s, m, chosen, used, k)
            return 1
    for t in range(ELIMINATION_TRIES):
        order_subset(s.items, m, w, h, rng_int(rng, N_KEYS), s.keys, rng)
        used = repack_any(p, w, h, s, m, heur, n_heur, k - 1, rng)
        if used <= -2:
            return used
        if used >= 0:
            apply(s, m, chosen, used, k)
            return 1
    order_subset(s.items, m, w, h, rng_int(rng, N_KEYS), s.keys, rng)
    used = repack_any(p, w, h, s, m, heur, n_heur, k, rng)
    if used <= -2:
        return used
    if used < 0:
        return 0
    if used < k:                       # fewer bins than taken: an elimination after all
        apply(s, m, chosen, used, k)
        return 1
    if least_no_fuller(s, chosen, k):
        apply(s, m, chosen, k, k)
    return 0


cdef int run_moves(Packer* p, const int* w, const int* h, Work* s, const int* heur,
                   int n_heur, int lower_bound, long long max_iterations,
                   unsigned long long* rng, long long* it) noexcept nogil:
    """Moves until lower_bound bins, max_iterations (< 0: no limit) or the deadline;
    counts them in it. Returns 0, or -2 out of memory."""
    cdef int status, r
    while s.n_bins > lower_bound and s.n_bins >= 2 and \
            (max_iterations < 0 or it[0] < max_iterations):
        if s.deadline >= 0 and now_seconds() > s.deadline:
            break
        r = rng_int(rng, 2 * DRAIN_ONE_IN)
        if r == 1:
            status = swap(p, w, h, s, heur, n_heur, rng)
        elif r == 0:
            status = drain(p, w, h, s, heur, n_heur, rng)
        else:
            status = move(p, w, h, s, heur, n_heur, rng)
        if status == -3:                # past the deadline: the move was dropped
            break
        it[0] += 1
        if status < 0:
            return status
    return 0


def refine_stream(const int[::1] widths, const int[::1] heights, int W, int H, bint rotation,
                  const int[::1] heuristics, int[::1] bin_of, int[::1] x, int[::1] y,
                  signed char[::1] rot, int n_bins, int lower_bound,
                  long long max_iterations, double max_seconds, unsigned long long seed,
                  const signed char[::1] may_turn=None):
    """Improve the packing (bin_of, x, y, rot; n_bins arrays) in place.

    heuristics: flat (family, rule, bin_selection) triples, the portfolio of a move.
    Stops after max_iterations moves (< 0: no limit), after max_seconds (< 0: no limit),
    or at lower_bound arrays. Returns (arrays, iterations done)."""
    cdef int n = <int> widths.shape[0]
    cdef Packer p
    cdef Work s
    cdef long long it = 0
    cdef int status, n_heur = heuristics.shape[0] // 3
    cdef unsigned long long rng = seed
    cdef const signed char* turn = NULL
    if n_bins <= 1 or n_bins <= lower_bound or max_iterations == 0:
        return n_bins, 0
    if may_turn is not None and may_turn.shape[0] > 0:
        turn = &may_turn[0]
    memset(&p, 0, sizeof(Packer))       # so that packer_free is safe on any path
    with nogil:
        status = work_init(&s, &widths[0], &heights[0], W, H, n, &bin_of[0], &x[0], &y[0],
                           &rot[0], n_bins, rotation, turn)
        if status == 0 and packer_init(&p, W, H, heuristics[0], heuristics[1], rotation,
                                       heuristics[2], MAX_SUBSET) != 0:
            status = -2
        if status == 0:
            s.deadline = now_seconds() + max_seconds if max_seconds >= 0 else -1.0
            status = run_moves(&p, &widths[0], &heights[0], &s, &heuristics[0], n_heur,
                               lower_bound, max_iterations, &rng, &it)
        packer_free(&p)
        n_bins = s.n_bins
        work_free(&s)
    if status == -2:
        raise MemoryError("marp: out of memory while refining")
    return n_bins, it
