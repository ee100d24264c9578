# cython: language_level=3
"""Repacks of subsets of the arrays of a packing, and the bookkeeping of the local
search's state (repack.pxd): item chains per array, fills, arrays dropped when emptied.
Arrays never interact, so a subset repack is an exact sub-problem."""
from libc.stdlib cimport malloc, free
from libc.string cimport memset

from marp._kernels.common cimport now_seconds, rng_next, rng_int
from marp._kernels.rects cimport Candidate, better, cand_reset
from marp._kernels.maxrects cimport MaxRects, mr_init, mr_free, mr_find, mr_place
from marp._kernels.engine cimport packer_reset, packer_insert
from marp._kernels.tight cimport tight_pack, tight_init, tight_free


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
                turn = not fixed_item(s, i)
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


cdef int takes_in_swap(const Work* s, int q, int a) noexcept nogil:
    """Bin q may hold item a as it is, or for one of its items (may_hold)."""
    cdef int i = s.head[q]
    if may_hold(s, q, a, -1):
        return 1
    while i >= 0:
        if may_hold(s, q, a, i):
            return 1
        i = s.nxt[i]
    return 0


cdef int fill_compatible(const Work* s, int* chosen, int j, int k,
                         unsigned long long* rng) noexcept nogil:
    """Partners that may take an item of chosen[0] (as it is or for one of theirs),
    scanned from a random bin: at thousands of bins, random partners nearly never can.
    Returns the new count in chosen."""
    cdef int t, q, start = rng_int(rng, s.n_bins), a
    for t in range(s.n_bins):
        if j == k:
            break
        q = (start + t) % s.n_bins
        if q == chosen[0]:
            continue
        a = random_item(s, chosen[0], rng)
        if takes_in_swap(s, q, a):
            j = add_new(chosen, j, q)
    return j


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


cdef int tight_into(const int* w, const int* h, Work* s, int m, int max_bins,
                    long long nodes, unsigned long long* rng) noexcept nogil:
    """s.items[:m] into at most max_bins bins by the tree search (tight.pyx) with a
    random order key and tie seed; returns the bins used, -1 (none found) or -3. The seed
    is drawn first, then the key, in two statements: as arguments of one call their
    order would be the C compiler's choice, and a seed must give the same result on any
    machine."""
    cdef unsigned long long seed = rng_next(rng)
    cdef int key = rng_int(rng, 4)
    return tight_pack(&s.tight, w, h, s.items, m, s.W, s.H, s.rotation, s.turn, max_bins,
                      nodes, nodes, key, seed, s.deadline, s.sub_bin, s.sub_x, s.sub_y,
                      s.sub_rot, s.sub_area)


cdef int one_bin(Packer* p, const int* w, const int* h, Work* s, int m, const int* heur,
                 int n_heur, unsigned long long* rng) noexcept nogil:
    """s.items[:m] into one bin: the tree search (small sets) or a random heuristic."""
    cdef int hz
    if m <= TIGHT_MAX_ITEMS and rng_int(rng, TIGHT_DRAIN_ONE_IN) == 0:
        return tight_into(w, h, s, m, 1, TIGHT_DRAIN_NODES, rng)
    order_subset(s.items, m, w, h, rng_int(rng, N_KEYS), s.keys, rng)
    hz = rng_int(rng, n_heur)
    return repack(p, w, h, s, m, heur[3 * hz], heur[3 * hz + 1], heur[3 * hz + 2], 1)


cdef void set_places(Work* s, const int* items, const int* px, const int* py,
                     const signed char* prot, int m) noexcept nogil:
    """Item items[j] goes to (px[j], py[j]), turned as prot[j] (its bin unchanged)."""
    cdef int j, i
    for j in range(m):
        i = items[j]
        s.x[i] = px[j]
        s.y[i] = py[j]
        s.rot[i] = prot[j]


cdef int bin_without(Work* s, int b, int out, int into) noexcept nogil:
    """s.items: bin b's items less item out plus item into, ascending; returns the count."""
    cdef int m = gather(s, &b, 1), j
    for j in range(m):
        if s.items[j] == out:
            s.items[j] = into
    sort_ints(s.items, m)
    return m


cdef int may_hold(const Work* s, int q, int add, int out) noexcept nogil:
    """0 when bin q's items, less item out (-1: none) and with item add, certainly do not
    fit one array: more area than it; items taller than half the array wider than it in
    all (each crosses the middle row); items wider than half taller than it in all; or
    add and another item too wide and too tall to stand side by side or one above the
    other. Items that may turn count by area only. 1 otherwise (a repack may still fail):
    at thousands of arrays this finds the few that can take an item, where random draws
    nearly never do."""
    cdef long long area = <long long> s.w[add] * s.h[add]
    cdef int tall_w = 0, wide_h = 0, i = s.head[q], add_fixed = fixed_item(s, add)
    if add_fixed:
        tall_w = s.w[add] if 2 * s.h[add] > s.H else 0
        wide_h = s.h[add] if 2 * s.w[add] > s.W else 0
    while i >= 0:
        if i != out:
            area += <long long> s.w[i] * s.h[i]
            if fixed_item(s, i):
                tall_w += s.w[i] if 2 * s.h[i] > s.H else 0
                wide_h += s.h[i] if 2 * s.w[i] > s.W else 0
                if add_fixed and s.w[i] + s.w[add] > s.W and s.h[i] + s.h[add] > s.H:
                    return 0
        i = s.nxt[i]
    return area <= <long long> s.W * s.H and tall_w <= s.W and wide_h <= s.H


cdef inline int swappable(const Work* s, int i, long long a_item, long long need, int q,
                          int b0, int a, int check) noexcept nogil:
    cdef long long ai = <long long> s.w[i] * s.h[i]
    return ai < a_item and ai >= need and (
        not check or (may_hold(s, q, a, i) and may_hold(s, b0, i, a)))


cdef int pick_smaller(Work* s, int q, int b0, int a, long long need, int check,
                      unsigned long long* rng) noexcept nogil:
    """A random item i of bin q with area in [need, area of a) such that (with check) q
    with a for i and b0 with i for a pass may_hold; -1 when there is none."""
    cdef int i = s.head[q], count = 0, k
    cdef long long a_item = <long long> s.w[a] * s.h[a]
    while i >= 0:
        count += swappable(s, i, a_item, need, q, b0, a, check)
        i = s.nxt[i]
    if count == 0:
        return -1
    k = rng_int(rng, count)
    i = s.head[q]
    while i >= 0:
        if swappable(s, i, a_item, need, q, b0, a, check):
            if k == 0:
                return i
            k -= 1
        i = s.nxt[i]
    return -1


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


cdef int work_init(Work* s, const int* w, const int* h, int W, int H, int n, int* bin_of,
                   int* x, int* y, signed char* rot, int n_bins, int rotation,
                   const signed char* turn) noexcept nogil:
    """The local search's state over the packing (bin_of, x, y, rot: n items, n_bins
    bins; written in place), with its bins' item chains and fills; -2 when memory runs
    out (work_free is safe either way)."""
    cdef int i
    memset(s, 0, sizeof(Work))          # so that work_free is safe on any path
    s.n_items = n
    s.bin_of = bin_of
    s.x = x
    s.y = y
    s.rot = rot
    s.n_bins = n_bins
    s.rotation = rotation
    s.turn = turn
    s.w = w
    s.h = h
    s.W = W
    s.H = H
    s.area = <long long*> malloc(n_bins * sizeof(long long))
    s.head = <int*> malloc(n_bins * sizeof(int))
    s.nbig = <int*> malloc(n_bins * sizeof(int))
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
    if (s.area == NULL or s.head == NULL or s.nbig == NULL or s.nxt == NULL
            or s.items == NULL or s.keys == NULL or s.sub_bin == NULL
            or s.sub_x == NULL or s.sub_y == NULL or s.sub_rot == NULL
            or s.keep_item == NULL or s.keep_x == NULL or s.keep_y == NULL
            or s.keep_rot == NULL
            or tight_init(&s.tight, n if n < TIGHT_MAX_ITEMS else TIGHT_MAX_ITEMS,
                          MAX_SUBSET) != 0):
        return -2
    for i in range(n_bins):
        s.area[i] = 0
        s.head[i] = -1
        s.nbig[i] = 0
    for i in range(n - 1, -1, -1):      # chains in item order
        s.area[bin_of[i]] += <long long> w[i] * h[i]
        link(s, bin_of[i], i)
    return 0


cdef void work_free(Work* s) noexcept nogil:
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
