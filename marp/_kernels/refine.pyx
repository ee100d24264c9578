# cython: language_level=3
"""Local search on a multi-array packing: bin elimination and ruin-and-recreate.

A move takes the least-filled array (or, sometimes, another of the least filled) with 1 to
3 other random arrays and repacks their items from scratch in a random order with a
random heuristic of the portfolio: first into one array fewer (success removes an array),
otherwise into as many arrays, kept when the least-filled array of the whole packing gets
no fuller (sideways moves allowed), which drains it until it can be eliminated. Other
moves drain one item of the least-filled array into another array, or swap it for a
smaller item of an array without room for it (both arrays repacked). A share of the
repacks of small sets is the tree search of tight.pyx, which finds the near-perfect
arrays greedy repacks miss. Arrays never interact, so a subset repack is an exact
sub-problem. One stream runs per call; the caller runs independent streams (threads)
and merges them.
"""
from libc.stdlib cimport malloc, free
from libc.string cimport memcpy, memset
from marp._kernels.common cimport now_seconds, rng_next, rng_int

from marp._kernels.rects cimport Candidate, better, cand_reset
from marp._kernels.maxrects cimport MaxRects, mr_init, mr_free, mr_find, mr_place
from marp._kernels.engine cimport Packer, packer_init, packer_free, packer_reset, packer_insert
from marp._kernels.tight cimport Tight, tight_init, tight_free, tight_pack

cdef enum:
    MAX_SUBSET = 4      # arrays taken by one move
    ELIMINATION_TRIES = 2
    N_KEYS = 6          # random, area, height, width, perimeter, max side
    LEAST_POOL = 8      # half the moves draw partners among the 8 least-filled bins
    DRAIN_ONE_IN = 3    # one move in 3 drains or swaps an item of the least-filled bin
    DRAIN_TRIES = 8     # bins tried for it
    GLOBAL_ONE_IN = 3   # one repack in 3 (of at most GLOBAL_MAX_ITEMS items) is global
    GLOBAL_MAX_ITEMS = 160
    N_MR_RULES = 5
    TIGHT_ONE_IN = 4    # one elimination try in 4 is the tree search (tight.pyx)
    TIGHT_MAX_ITEMS = 200
    TIGHT_NODES = 1000
    TIGHT_DRAIN_NODES = 300
    TIGHT_DRAIN_ONE_IN = 4


cdef inline long long sort_key(int key, int w, int h) noexcept nogil:
    if key == 1:
        return <long long> w * h
    if key == 2:
        return h
    if key == 3:
        return w
    if key == 4:
        return w + h
    return w if w > h else h


cdef void order_subset(int* items, int m, const int* w, const int* h, int key,
                       long long* keys, unsigned long long* rng) noexcept nogil:
    """Shuffle items, then (key > 0) sort them by the key, descending; the shuffle breaks
    ties at random. Insertion sort: subsets are small."""
    cdef int i, j, t
    cdef long long kv
    for i in range(m - 1, 0, -1):
        j = rng_int(rng, i + 1)
        t = items[i]
        items[i] = items[j]
        items[j] = t
    if key == 0:
        return
    for i in range(m):
        keys[i] = sort_key(key, w[items[i]], h[items[i]])
    for i in range(1, m):
        t = items[i]
        kv = keys[i]
        j = i - 1
        while j >= 0 and keys[j] < kv:
            items[j + 1] = items[j]
            keys[j + 1] = keys[j]
            j -= 1
        items[j + 1] = t
        keys[j + 1] = kv


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


cdef int repack(Packer* p, const int* w, const int* h, Work* s, int m, int family, int rule,
                int binsel, int max_bins) noexcept nogil:
    """Pack s.items[:m] into at most max_bins fresh bins; returns the bins used, -1 when
    an item found no room, -2 when memory ran out, -3 past the deadline (a repack of
    thousands of items can take long, so the clock is read inside it too)."""
    cdef int k, i, b, status
    cdef Candidate c
    packer_reset(p)
    p.family = family
    p.rule = rule
    p.bin_selection = binsel
    p.max_bins = max_bins
    for k in range(max_bins):
        s.sub_area[k] = 0
    for k in range(m):
        if (k & 511) == 511 and s.deadline >= 0 and now_seconds() > s.deadline:
            return -3
        i = s.items[k]
        if s.turn != NULL:
            p.rotation = s.rotation and s.turn[i] != 0
        status = packer_insert(p, w[i], h[i], &b, &c)
        if status < 0:
            return -2
        if status > 0:
            return -1
        s.sub_bin[k] = b
        s.sub_x[k] = c.x
        s.sub_y[k] = c.y
        s.sub_rot[k] = c.rotated
        s.sub_area[b] += <long long> w[i] * h[i]
    return p.n_bins


cdef int repack_global(const int* w, const int* h, Work* s, int m, int rule,
                       int max_bins) noexcept nogil:
    """Like repack, but each step places, over every open bin and every item left, the
    (item, position) of the best score under the maximal-rectangles rule; a bin opens
    only when nothing fits in the open ones (one bin is filled at a time)."""
    cdef MaxRects gb[MAX_SUBSET]
    cdef int n_open = 0, left = m, j, b, bj, bb, i, ww, hh, turn, status = 0
    cdef Candidate best, c
    for j in range(m):
        s.keys[j] = 0
    for b in range(max_bins):
        s.sub_area[b] = 0
    while left > 0:
        if (left & 63) == 0 and s.deadline >= 0 and now_seconds() > s.deadline:
            status = -3
            break
        cand_reset(&best)
        bj = -1
        bb = -1
        for b in range(n_open):
            for j in range(m):
                if s.keys[j]:
                    continue
                i = s.items[j]
                turn = s.rotation and (s.turn == NULL or s.turn[i] != 0)
                cand_reset(&c)
                mr_find(&gb[b], w[i], h[i], rule, turn, &c)
                if better(c.s1, c.s2, best.s1, best.s2):
                    best = c
                    bj = j
                    bb = b
        if bj < 0:
            if n_open == max_bins:
                status = -1
                break
            if mr_init(&gb[n_open], s.W, s.H, rule == 4) != 0:
                status = -2
                break
            n_open += 1
            continue
        i = s.items[bj]
        ww = h[i] if best.rotated else w[i]
        hh = w[i] if best.rotated else h[i]
        if mr_place(&gb[bb], best.x, best.y, ww, hh) != 0:
            status = -2
            break
        s.keys[bj] = 1
        s.sub_bin[bj] = bb
        s.sub_x[bj] = best.x
        s.sub_y[bj] = best.y
        s.sub_rot[bj] = best.rotated
        s.sub_area[bb] += <long long> w[i] * h[i]
        left -= 1
    for b in range(n_open):
        mr_free(&gb[b])
    return n_open if status == 0 else status


cdef int repack_any(Packer* p, const int* w, const int* h, Work* s, int m,
                    const int* heur, int n_heur, int max_bins,
                    unsigned long long* rng) noexcept nogil:
    """A repack with a random heuristic of the portfolio, or now and then the global
    maximal-rectangles repack (small subsets only: it is quadratic in the items)."""
    cdef int hz
    if m <= GLOBAL_MAX_ITEMS and rng_int(rng, GLOBAL_ONE_IN) == 0:
        return repack_global(w, h, s, m, rng_int(rng, N_MR_RULES), max_bins)
    hz = rng_int(rng, n_heur)
    return repack(p, w, h, s, m, heur[3 * hz], heur[3 * hz + 1], heur[3 * hz + 2], max_bins)


cdef void drop_bin(Work* s, int gone) noexcept nogil:
    """Remove empty bin gone; the highest-numbered bin takes its number."""
    cdef int i, last = s.n_bins - 1
    if gone != last:
        i = s.head[last]
        while i >= 0:
            s.bin_of[i] = gone
            i = s.nxt[i]
        s.head[gone] = s.head[last]
        s.nbig[gone] = s.nbig[last]
        s.area[gone] = s.area[last]
    s.head[last] = -1
    s.nbig[last] = 0
    s.area[last] = 0
    s.n_bins -= 1


cdef void apply(Work* s, int m, int* chosen, int k_used, int k_old) noexcept nogil:
    """Write a subset repack (k_used bins) over the k_old chosen bins and drop the chosen
    bins left empty, highest number first (so the bin moved into a gap is never empty)."""
    cdef int j, i, t, b
    for j in range(k_old):
        s.head[chosen[j]] = -1
        s.nbig[chosen[j]] = 0
    for j in range(m):
        i = s.items[j]
        b = chosen[s.sub_bin[j]]
        s.nbig[b] += big_item(s, i)
        s.bin_of[i] = b
        s.nxt[i] = s.head[b]
        s.head[b] = i
        s.x[i] = s.sub_x[j]
        s.y[i] = s.sub_y[j]
        s.rot[i] = s.sub_rot[j]
    for j in range(k_old):
        s.area[chosen[j]] = s.sub_area[j] if j < k_used else 0
    # sort the freed numbers chosen[k_used:k_old] descending
    for j in range(k_used, k_old):
        for i in range(j + 1, k_old):
            if chosen[i] > chosen[j]:
                t = chosen[i]
                chosen[i] = chosen[j]
                chosen[j] = t
    for j in range(k_used, k_old):
        drop_bin(s, chosen[j])


cdef inline int big_item(const Work* s, int i) noexcept nogil:
    return 2 * s.w[i] > s.W and 2 * s.h[i] > s.H


cdef inline long long target_key(const Work* s, int b) noexcept nogil:
    """Bins without a big item first (they can be emptied), then by fill."""
    return s.area[b] + (<long long> s.W * s.H if s.nbig[b] > 0 else 0)


cdef int least_filled(const Work* s, unsigned long long* rng) noexcept nogil:
    """The bin to empty: the least-filled bin without a big item (the least filled of
    all when every bin has one), or one of the three first one time in five."""
    cdef int b, best = 0, second = -1, third = -1
    for b in range(1, s.n_bins):
        if target_key(s, b) < target_key(s, best):
            third = second
            second = best
            best = b
        elif second < 0 or target_key(s, b) < target_key(s, second):
            third = second
            second = b
        elif third < 0 or target_key(s, b) < target_key(s, third):
            third = b
    if rng_int(rng, 5) == 0:
        b = rng_int(rng, 3)
        if b == 1 and second >= 0:
            return second
        if b == 2 and third >= 0:
            return third
    return best


cdef int fill_least(const Work* s, int* chosen, int j, int k,
                    unsigned long long* rng) noexcept nogil:
    """Partners among the LEAST_POOL least-filled bins (those with the most room), drawn
    at random; returns the new count in chosen."""
    cdef int pool[LEAST_POOL]
    cdef int n_pool = 0, b, i, tries
    for b in range(s.n_bins):
        if b == chosen[0]:
            continue
        if n_pool < LEAST_POOL:
            i = n_pool
            n_pool += 1
        elif s.area[b] < s.area[pool[n_pool - 1]]:
            i = n_pool - 1
        else:
            continue
        while i > 0 and s.area[pool[i - 1]] > s.area[b]:
            pool[i] = pool[i - 1]
            i -= 1
        pool[i] = b
    tries = 0
    while j < k and tries < 4 * LEAST_POOL and n_pool > 0:
        tries += 1
        j = add_new(chosen, j, pool[rng_int(rng, n_pool)])
    return j


cdef inline int add_new(int* chosen, int j, int t) noexcept nogil:
    """Append bin t to chosen[:j] unless it is there; returns the new count."""
    cdef int i
    for i in range(j):
        if chosen[i] == t:
            return j
    chosen[j] = t
    return j + 1


cdef long long min_area(const Work* s) noexcept nogil:
    cdef int b
    cdef long long m = s.area[0]
    for b in range(1, s.n_bins):
        if s.area[b] < m:
            m = s.area[b]
    return m


cdef int gather(Work* s, const int* chosen, int k) noexcept nogil:
    """The items of the chosen bins, in item order (so a move does not depend on the
    order of the bins' chains)."""
    cdef int i, j, m = 0
    for j in range(k):
        i = s.head[chosen[j]]
        while i >= 0:
            s.items[m] = i
            m += 1
            i = s.nxt[i]
    sort_ints(s.items, m)
    return m


cdef void sort_ints(int* a, int m) noexcept nogil:
    """Ascending, in place (shell sort: subsets are small, no allocation)."""
    cdef int gap = 1, i, j, t
    while gap < m // 3:
        gap = 3 * gap + 1
    while gap >= 1:
        for i in range(gap, m):
            t = a[i]
            j = i
            while j >= gap and a[j - gap] > t:
                a[j] = a[j - gap]
                j -= gap
            a[j] = t
        gap //= 3


cdef int drain(Packer* p, const int* w, const int* h, Work* s, const int* heur, int n_heur,
               unsigned long long* rng) noexcept nogil:
    """Move one item of the least-filled bin into another bin with room for its area
    (that bin's items and the item repacked into one bin): the least-filled bin only
    empties, and is eliminated when its last item leaves. Returns 1 when a bin was
    eliminated, 0 otherwise, -2 out of memory, -3 past the deadline."""
    cdef int b0 = least_filled(s, rng), item = random_item(s, b0, rng)
    cdef int i, j, t, q, m, used
    cdef long long a_item = <long long> w[item] * h[item], cap = <long long> p.W * p.H
    for t in range(DRAIN_TRIES):
        q = rng_int(rng, s.n_bins)
        if q == b0 or cap - s.area[q] < a_item:
            continue
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
        for j in range(m):
            i = s.items[j]
            s.x[i] = s.sub_x[j]
            s.y[i] = s.sub_y[j]
            s.rot[i] = s.sub_rot[j]
        if s.head[b0] < 0:
            drop_bin(s, b0)
            return 1
        return 0
    return 0


cdef int one_bin(Packer* p, const int* w, const int* h, Work* s, int m, const int* heur,
                 int n_heur, unsigned long long* rng) noexcept nogil:
    """s.items[:m] into one bin: the tree search (small sets) or a random heuristic."""
    cdef int hz
    if m <= TIGHT_MAX_ITEMS and rng_int(rng, TIGHT_DRAIN_ONE_IN) == 0:
        return tight_pack(&s.tight, w, h, s.items, m, s.W, s.H, s.rotation, s.turn, 1,
                          TIGHT_DRAIN_NODES, TIGHT_DRAIN_NODES, rng_int(rng, 4),
                          rng_next(rng), s.deadline, s.sub_bin, s.sub_x, s.sub_y,
                          s.sub_rot, s.sub_area)
    order_subset(s.items, m, w, h, rng_int(rng, N_KEYS), s.keys, rng)
    hz = rng_int(rng, n_heur)
    return repack(p, w, h, s, m, heur[3 * hz], heur[3 * hz + 1], heur[3 * hz + 2], 1)


cdef int bin_without(Work* s, int b, int out, int into) noexcept nogil:
    """s.items: bin b's items less item out plus item into, ascending; returns the count."""
    cdef int m = gather(s, &b, 1), j
    for j in range(m):
        if s.items[j] == out:
            s.items[j] = into
    sort_ints(s.items, m)
    return m


cdef int pick_smaller(Work* s, int q, long long a_item, long long need,
                      unsigned long long* rng) noexcept nogil:
    """A random item of bin q with area in [need, a_item), or -1."""
    cdef int i = s.head[q], count = 0, k
    cdef long long a
    while i >= 0:
        a = <long long> s.w[i] * s.h[i]
        count += a < a_item and a >= need
        i = s.nxt[i]
    if count == 0:
        return -1
    k = rng_int(rng, count)
    i = s.head[q]
    while i >= 0:
        a = <long long> s.w[i] * s.h[i]
        if a < a_item and a >= need:
            if k == 0:
                return i
            k -= 1
        i = s.nxt[i]
    return -1


cdef int swap(Packer* p, const int* w, const int* h, Work* s, const int* heur, int n_heur,
              unsigned long long* rng) noexcept nogil:
    """Swap an item a of the least-filled bin b0 with a smaller item b of a bin q that
    has no room for a alone: q gets fuller, b0 emptier. Both bins are repacked (the tree
    search for small bins). Returns 0, -2 out of memory, -3 past the deadline."""
    cdef int b0 = least_filled(s, rng), a = random_item(s, b0, rng)
    cdef int t, q, b, m, j, used
    cdef long long a_item = <long long> w[a] * h[a], cap = <long long> s.W * s.H
    for t in range(DRAIN_TRIES):
        q = rng_int(rng, s.n_bins)
        if q == b0 or cap - s.area[q] >= a_item:
            continue
        b = pick_smaller(s, q, a_item, a_item - (cap - s.area[q]), rng)
        if b < 0:
            continue
        m = bin_without(s, q, b, a)
        used = one_bin(p, w, h, s, m, heur, n_heur, rng)
        if used <= -2:
            return used
        if used != 1:
            continue
        for j in range(m):
            s.keep_item[j] = s.items[j]
            s.keep_x[j] = s.sub_x[j]
            s.keep_y[j] = s.sub_y[j]
            s.keep_rot[j] = s.sub_rot[j]
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
    cdef int j, i, m, used
    cdef long long d = <long long> w[a] * h[a] - <long long> w[b] * h[b]
    m = bin_without(s, b0, a, b)
    used = one_bin(p, w, h, s, m, heur, n_heur, rng)
    if used != 1:
        return used if used <= -2 else 0
    for j in range(m):
        i = s.items[j]
        s.x[i] = s.sub_x[j]
        s.y[i] = s.sub_y[j]
        s.rot[i] = s.sub_rot[j]
    for j in range(mq):
        i = s.keep_item[j]
        s.x[i] = s.keep_x[j]
        s.y[i] = s.keep_y[j]
        s.rot[i] = s.keep_rot[j]
    unlink(s, b0, a)
    unlink(s, q, b)
    link(s, q, a)
    link(s, b0, b)
    s.area[b0] -= d
    s.area[q] += d
    return 1


cdef inline void link(Work* s, int b, int item) noexcept nogil:
    s.bin_of[item] = b
    s.nxt[item] = s.head[b]
    s.head[b] = item
    s.nbig[b] += big_item(s, item)


cdef int random_item(const Work* s, int b, unsigned long long* rng) noexcept nogil:
    """A random item of bin b (not empty)."""
    cdef int count = 0, i = s.head[b], k
    while i >= 0:
        count += 1
        i = s.nxt[i]
    k = rng_int(rng, count)
    i = s.head[b]
    while k > 0:
        i = s.nxt[i]
        k -= 1
    return i


cdef void unlink(Work* s, int b, int item) noexcept nogil:
    """Take item out of bin b's chain."""
    cdef int i = s.head[b], prev = -1
    while i >= 0 and i != item:
        prev = i
        i = s.nxt[i]
    if i < 0:
        return
    s.nbig[b] -= big_item(s, item)
    if prev < 0:
        s.head[b] = s.nxt[i]
    else:
        s.nxt[prev] = s.nxt[i]


cdef int move(Packer* p, const int* w, const int* h, Work* s, const int* heur, int n_heur,
              unsigned long long* rng) noexcept nogil:
    """One move; returns 1 when it removed a bin, 0 otherwise, -2 out of memory, -3 past
    the deadline (the move is dropped)."""
    cdef int chosen[MAX_SUBSET]
    cdef int k_max = s.n_bins if s.n_bins < MAX_SUBSET else MAX_SUBSET
    cdef int k = 2 + rng_int(rng, k_max - 1)
    cdef int j, i, m, t, used, dup
    cdef long long before, after, rest
    chosen[0] = least_filled(s, rng)
    j = 1
    if rng_int(rng, 2) == 0:
        j = fill_least(s, chosen, j, k, rng)
    while j < k:
        j = add_new(chosen, j, rng_int(rng, s.n_bins))
    m = gather(s, chosen, k)
    if m <= TIGHT_MAX_ITEMS and rng_int(rng, TIGHT_ONE_IN) == 0:
        used = tight_pack(&s.tight, w, h, s.items, m, s.W, s.H, s.rotation, s.turn, k - 1,
                          TIGHT_NODES, TIGHT_NODES, rng_int(rng, 4), rng_next(rng),
                          s.deadline,
                          s.sub_bin, s.sub_x, s.sub_y, s.sub_rot, s.sub_area)
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
    # keep it when the least-filled bin of the packing gets no fuller
    before = min_area(s)
    rest = -1
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
    if after <= before:
        apply(s, m, chosen, k, k)
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
    cdef Py_ssize_t n = widths.shape[0]
    cdef Packer p
    cdef Work s
    cdef long long it = 0
    cdef int status = 0, n_heur = heuristics.shape[0] // 3, i, r
    cdef unsigned long long rng = seed
    if n_bins <= 1 or n_bins <= lower_bound or max_iterations == 0:
        return n_bins, 0
    s.n_items = <int> n
    s.bin_of = &bin_of[0]
    s.x = &x[0]
    s.y = &y[0]
    s.rot = &rot[0]
    s.n_bins = n_bins
    s.rotation = rotation
    s.turn = &may_turn[0] if may_turn is not None and may_turn.shape[0] > 0 else NULL
    memset(&s.tight, 0, sizeof(Tight))        # so that tight_free is safe on any path
    s.area = <long long*> malloc(n_bins * sizeof(long long))
    s.head = <int*> malloc(n_bins * sizeof(int))
    s.nbig = <int*> malloc(n_bins * sizeof(int))
    s.w = &widths[0]
    s.h = &heights[0]
    s.W = W
    s.H = H
    s.nxt = <int*> malloc(max(1, n) * sizeof(int))
    s.items = <int*> malloc(n * sizeof(int))
    s.keys = <long long*> malloc(n * sizeof(long long))
    s.sub_bin = <int*> malloc(n * sizeof(int))
    s.sub_x = <int*> malloc(n * sizeof(int))
    s.sub_y = <int*> malloc(n * sizeof(int))
    s.sub_rot = <signed char*> malloc(n * sizeof(signed char))
    s.keep_item = <int*> malloc(n * sizeof(int))
    s.keep_x = <int*> malloc(n * sizeof(int))
    s.keep_y = <int*> malloc(n * sizeof(int))
    s.keep_rot = <signed char*> malloc(n * sizeof(signed char))
    if (s.area == NULL or s.head == NULL or s.nbig == NULL or s.nxt == NULL or s.items == NULL or s.keys == NULL or s.sub_bin == NULL
            or s.sub_x == NULL or s.sub_y == NULL or s.sub_rot == NULL
            or s.keep_item == NULL or s.keep_x == NULL or s.keep_y == NULL or s.keep_rot == NULL
            or packer_init(&p, W, H, heuristics[0], heuristics[1], rotation,
                           heuristics[2], MAX_SUBSET) != 0
            or tight_init(&s.tight, min(n, TIGHT_MAX_ITEMS), MAX_SUBSET) != 0):
        status = -2
    with nogil:
        if status == 0:
            for i in range(n_bins):
                s.area[i] = 0
                s.head[i] = -1
                s.nbig[i] = 0
            for i in range(s.n_items - 1, -1, -1):     # chains in item order
                s.area[s.bin_of[i]] += <long long> widths[i] * heights[i]
                s.nxt[i] = s.head[s.bin_of[i]]
                s.head[s.bin_of[i]] = i
                s.nbig[s.bin_of[i]] += big_item(&s, i)
            s.deadline = now_seconds() + max_seconds if max_seconds >= 0 else -1.0
            while (s.n_bins > lower_bound and s.n_bins >= 2
                   and (max_iterations < 0 or it < max_iterations)):
                if s.deadline >= 0 and now_seconds() > s.deadline:
                    break
                r = rng_int(&rng, 2 * DRAIN_ONE_IN)
                if r == 1:
                    status = swap(&p, &widths[0], &heights[0], &s, &heuristics[0], n_heur,
                                  &rng)
                elif r == 0:
                    status = drain(&p, &widths[0], &heights[0], &s, &heuristics[0], n_heur,
                                   &rng)
                else:
                    status = move(&p, &widths[0], &heights[0], &s, &heuristics[0], n_heur,
                                  &rng)
                if status == -3:
                    status = 0
                    break
                it += 1
                if status < 0:
                    break
            packer_free(&p)
    free(s.area)
    free(s.head)
    free(s.nbig)
    free(s.nxt)
    free(s.items)
    free(s.keys)
    free(s.sub_bin)
    free(s.sub_x)
    free(s.sub_y)
    free(s.sub_rot)
    free(s.keep_item)
    free(s.keep_x)
    free(s.keep_y)
    free(s.keep_rot)
    tight_free(&s.tight)
    if status == -2:
        raise MemoryError("marp: out of memory while refining")
    return s.n_bins, it
