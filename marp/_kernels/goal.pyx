# cython: language_level=3
"""A goal-driven search: pack every item into a given number of bins by searching orders.

The refinement's moves work on a few arrays at a time; a packing one array smaller often
needs every array rearranged (the classes whose items stack in 1-D, or near-perfect
fills). This search fixes the goal, B bins, and searches item orders: an order is packed
greedily into the B bins one after the other, each time at the lowest (then leftmost)
gap of the skyline with the first item in the order of the best fitness there (as wide
as the gap and level with a neighbour, as wide, level with a neighbour and placed
against it, the rest, placed against the taller neighbour; walls count as full height);
a gap no item fits is closed. Items left over after B bins are the order's cost
(their area). The search swaps two places of the order, or brings a left-over item
forward, and keeps the swap when the cost does not grow (a walk over plateaus: most
swaps change nothing); after KICK_AFTER swaps without a lower cost, KICK_SWAPS random
swaps are kept whatever they cost (out of a plateau the walk cannot leave). Cost 0 is a
packing into B bins. The fitness goes before the order, so some packings are out of its
reach (a strip that could stand beside a block lies flat first when it fits flat); the
tree search of tight.pyx has no such limit. A swap's order is repacked from the first
step it changes, with the skyline replayed from a trace of the kept order's packing, and
given up once it must cost more than the kept order (only those are kept): the search is
the same as one that repacks every order from scratch, 1.6-2x faster (bench/goal.py).
After Wei, Oon, Zhu and Lim's goal-driven approach to 2D bin packing (EJOR 2013).
"""
from libc.stdlib cimport malloc, free
from libc.string cimport memcpy
import numpy as np

from marp._kernels.common cimport now_seconds, rng_int

cdef enum:
    KICK_AFTER = 5000       # swaps without a lower cost before a kick (measured: 500-5000
    KICK_SWAPS = 3          # and 3-8 swaps found as many packings of the 2BP cases)
    NEVER = 0x3FFFFFFF      # the step of an item never placed

# a trace records each step of a greedy packing, REC ints: what a repack from a later
# step needs (the skyline is replayed from the bin's first step) and what tells the
# first step a swap changes (the gap and the class and item chosen there)
cdef enum:
    R_KIND = 0
    R_BIN = 1
    R_COUNT = 2             # items placed before the step
    R_SEG = 3
    R_WW = 4
    R_TOP = 5
    R_SIDE = 6
    R_ITEM = 7
    R_CLS = 8
    R_GW = 9
    R_Y0 = 10
    R_LEFT = 11
    R_RIGHT = 12
    R_WASTE = 13            # area closed off before the step (lost to every item), in
    REC = 15                # two ints: its low 31 bits, then the rest
cdef enum:
    K_PLACE = 0
    K_CLOSE = 1
    K_NEXT = 2


ctypedef struct Goal:
    int n
    int W
    int H
    const int* w
    const int* h
    const signed char* turn     # per item 0/1; NULL: every item may turn when rotation
    int rotation
    int* sx                     # the current bin's skyline: segment x, top y, width
    int* sy
    int* sw
    const int* seq              # the order being packed
    int* nxt                    # the unplaced places of the order, chained; n: the ends
    int* prv
    int* c_bin                  # a candidate order's packing
    int* c_x
    int* c_y
    signed char* c_rot
    int* pos                    # each item's place in the order
    int* cur                    # the kept order's trace, and a candidate's (steps s on)
    int* cand
    int cur_steps
    int cand_steps
    int* cur_step_of            # the step that placed each item (NEVER: left over)
    int* cand_step_of
    int* cur_bin_start          # each bin's first step
    int* cand_bin_start
    int from_scratch            # every swap repacks from the first step to the end (the
                                # tests' oracle)
    long long total_area        # of all items


cdef inline int may_turn(Goal* g, int j) noexcept nogil:
    return g.rotation and g.w[j] != g.h[j] and (g.turn == NULL or g.turn[j] != 0)


cdef inline int fitness(int ww, int top, int gw, int left, int right,
                        int* side) noexcept nogil:
    """Fitness class of an item ww wide reaching top in a gap gw wide between neighbours
    (walls count as H) of heights left and right; side: 0 left-aligned, 1 right."""
    if ww == gw:
        side[0] = 0
        return 3 if top == left or top == right else 2
    if top == left:
        side[0] = 0
        return 1
    if top == right:
        side[0] = 1
        return 1
    side[0] = 0 if left >= right else 1
    return 0


cdef inline void neighbours(Goal* g, int i, int ns, int* left, int* right) noexcept nogil:
    """Tops of gap i's left and right neighbours; a wall counts as full height."""
    left[0] = g.sy[i - 1] if i > 0 else g.H
    right[0] = g.sy[i + 1] if i + 1 < ns else g.H


cdef int best_item(Goal* g, const int* seq, int i, int ns, int* turned,
                   int* side, int* best_cls) noexcept nogil:
    """The place in seq of the first unplaced item of the best fitness class (best_cls)
    at gap i (unplaced places are chained from g.nxt[n]); -1: none fits."""
    cdef int y0 = g.sy[i], gw = g.sw[i], q, j, t, ww, hh, cls, best = -1, bcls = -1, sd = 0
    cdef int left, right
    neighbours(g, i, ns, &left, &right)
    q = g.nxt[g.n]
    while q < g.n:
        j = seq[q]
        for t in range(2 if may_turn(g, j) else 1):
            ww = g.h[j] if t else g.w[j]
            hh = g.w[j] if t else g.h[j]
            if ww > gw or y0 + hh > g.H:
                continue
            cls = fitness(ww, y0 + hh, gw, left, right, &sd)
            if cls > bcls:
                bcls = cls
                best = q
                turned[0] = t
                side[0] = sd
                best_cls[0] = cls
                if cls == 3:
                    return best
        q = g.nxt[q]
    return best


cdef int place(Goal* g, int i, int ns, int ww, int top, int side) noexcept nogil:
    """Raise segment i's first (side 0) or last (side 1) ww columns to top and merge
    equal neighbours; returns the new segment count (at most one more: a bin's count
    stays <= its items + 1)."""
    cdef int k, q
    if ww < g.sw[i]:
        for k in range(ns, i, -1):
            g.sx[k] = g.sx[k - 1]
            g.sy[k] = g.sy[k - 1]
            g.sw[k] = g.sw[k - 1]
        ns += 1
        g.sx[i + 1] = g.sx[i] + (ww if side == 0 else g.sw[i] - ww)
        g.sw[i + 1] = g.sw[i] - ww if side == 0 else ww
        g.sw[i] = g.sw[i] - g.sw[i + 1]
        if side:
            i += 1
    g.sy[i] = top
    k = 0
    for q in range(1, ns):
        if g.sy[q] == g.sy[k]:
            g.sw[k] += g.sw[q]
        else:
            k += 1
            g.sx[k] = g.sx[q]
            g.sy[k] = g.sy[q]
            g.sw[k] = g.sw[q]
    return k + 1


cdef int narrowest(Goal* g) noexcept nogil:
    """The narrowest an unplaced item can stand (W + 1 when none is left): a narrower
    gap is closed without a scan."""
    cdef int q = g.nxt[g.n], j, m = g.W + 1, s
    while q < g.n:
        j = g.seq[q]
        s = g.h[j] if may_turn(g, j) and g.h[j] < g.w[j] else g.w[j]
        if s < m:
            m = s
        q = g.nxt[q]
    return m


cdef inline int* rec(Goal* g, int* trace, int t) noexcept nogil:
    return trace + <size_t> t * REC


cdef inline void empty_bin(Goal* g, int* ns) noexcept nogil:
    ns[0] = 1
    g.sx[0] = 0
    g.sy[0] = 0
    g.sw[0] = g.W


cdef void replay(Goal* g, int s, int* ns) noexcept nogil:
    """The skyline at the start of step s of the current trace: its bin's steps before s
    replayed from an empty bin (placing costs no scan)."""
    cdef int t, b = rec(g, g.cur, s)[R_BIN]
    cdef int* r
    empty_bin(g, ns)
    for t in range(g.cur_bin_start[b], s):
        r = rec(g, g.cur, t)
        if r[R_KIND] == K_PLACE:
            ns[0] = place(g, r[R_SEG], ns[0], r[R_WW], r[R_TOP], r[R_SIDE])
        elif r[R_KIND] == K_CLOSE:
            ns[0] = place(g, r[R_SEG], ns[0], g.sw[r[R_SEG]], r[R_TOP], 0)


cdef void resume(Goal* g, const int* seq, int s, int* b, int* ns, int* count,
                 int* placed, long long* waste) noexcept nogil:
    """The state at step s of the current trace (s = 0: an empty first bin): its bin,
    skyline, items placed in all and in that bin, area closed off; the unplaced places of
    seq chained in order (the items the trace placed before s stay placed)."""
    cdef int q, j, last = g.n
    cdef int* r
    b[0] = 0
    count[0] = 0
    placed[0] = 0
    waste[0] = 0
    if s > 0:
        r = rec(g, g.cur, s)
        b[0] = r[R_BIN]
        count[0] = r[R_COUNT]
        waste[0] = (<long long> r[R_WASTE]) | (<long long> r[R_WASTE + 1] << 31)
        placed[0] = count[0] - rec(g, g.cur, g.cur_bin_start[b[0]])[R_COUNT]
        replay(g, s, ns)
        memcpy(g.cand_bin_start, g.cur_bin_start, (b[0] + 1) * sizeof(int))
        memcpy(g.cand_step_of, g.cur_step_of, g.n * sizeof(int))
    else:
        empty_bin(g, ns)
        g.cand_bin_start[0] = 0
    for q in range(g.n):
        j = seq[q]
        if s > 0 and g.cur_step_of[j] < s:
            continue
        g.nxt[last] = q
        g.prv[q] = last
        last = q
        g.cand_step_of[j] = NEVER
    g.nxt[last] = g.n
    g.prv[g.n] = last
    g.seq = seq


cdef inline int lowest_gap(Goal* g, int ns) noexcept nogil:
    """The lowest segment of the skyline (ties: the leftmost)."""
    cdef int i = 0, k
    for k in range(1, ns):
        if g.sy[k] < g.sy[i]:
            i = k
    return i


cdef int close_gap(Goal* g, int* r, int i, int ns, long long* waste) noexcept nogil:
    """Raise gap i, which no item fits, to its lower neighbour (recorded in step r);
    returns the new segment count."""
    cdef int left, right
    neighbours(g, i, ns, &left, &right)
    r[R_KIND] = K_CLOSE
    r[R_TOP] = left if left < right else right
    waste[0] += <long long> g.sw[i] * (r[R_TOP] - g.sy[i])
    return place(g, i, ns, g.sw[i], r[R_TOP], 0)


cdef int place_item(Goal* g, int* r, int t, int b, int i, int ns, int j, int turned,
                    int side, int cls, int* out_bin, int* out_x, int* out_y,
                    signed char* out_rot) noexcept nogil:
    """Place item j (turned, against side, of class cls) at gap i of bin b, recorded as
    step t in r and out_*; returns the new segment count."""
    cdef int left, right, y0 = g.sy[i]
    cdef int ww = g.w[j] if turned == 0 else g.h[j]
    cdef int hh = g.h[j] if turned == 0 else g.w[j]
    out_bin[j] = b
    out_x[j] = g.sx[i] + (0 if side == 0 else g.sw[i] - ww)
    out_y[j] = y0
    out_rot[j] = <signed char> turned
    neighbours(g, i, ns, &left, &right)
    r[R_KIND] = K_PLACE
    r[R_WW] = ww
    r[R_TOP] = y0 + hh
    r[R_SIDE] = side
    r[R_ITEM] = j
    r[R_CLS] = cls
    r[R_GW] = g.sw[i]
    r[R_Y0] = y0
    r[R_LEFT] = left
    r[R_RIGHT] = right
    g.cand_step_of[j] = t
    return place(g, i, ns, ww, y0 + hh, side)


cdef long long left_over(Goal* g, const int* seq, int* out_bin, int* out_x, int* out_y,
                         signed char* out_rot) noexcept nogil:
    """The area of the items still unplaced, marked left over in out_*."""
    cdef long long area = 0
    cdef int q = g.nxt[g.n], j
    while q < g.n:
        j = seq[q]
        area += <long long> g.w[j] * g.h[j]
        out_bin[j] = -1
        out_x[j] = 0
        out_y[j] = 0
        out_rot[j] = 0
        q = g.nxt[q]
    return area


cdef long long greedy(Goal* g, const int* seq, int bins, int s, long long limit,
                      int* out_bin, int* out_x, int* out_y,
                      signed char* out_rot) noexcept nogil:
    """Pack seq greedily into bins bins from step s of the current trace (its steps
    before s stand: the caller found they do not change), recording steps s on into the
    candidate trace; out_* must hold the current packing of the items placed before s.
    Returns the area left over (0: all packed). limit >= 0: stop as soon as the area left
    over must exceed it (the area closed off, less the bins' room beyond the items' area,
    is left over whatever comes next) and return more than limit; the trace and out_* are
    then partial."""
    cdef int b, ns, i, q, j, turned = 0, side = 0, cls, count, placed, minw, t = s
    cdef int* r
    cdef long long waste
    cdef long long slack = <long long> bins * g.W * g.H - g.total_area
    resume(g, seq, s, &b, &ns, &count, &placed, &waste)
    minw = narrowest(g)
    while b < bins and count < g.n:
        i = lowest_gap(g, ns)
        if limit >= 0 and waste - slack > limit:
            return waste - slack
        r = rec(g, g.cand, t)
        r[R_BIN] = b
        r[R_COUNT] = count
        r[R_WASTE] = <int> (waste & 0x7FFFFFFF)
        r[R_WASTE + 1] = <int> (waste >> 31)
        t += 1
        if g.sy[i] >= g.H:                         # the bin is full: the next one
            r[R_KIND] = K_NEXT
            if placed == 0:                        # an empty bin took nothing: none will
                break
            b += 1
            g.cand_bin_start[b] = t
            placed = 0
            empty_bin(g, &ns)
            continue
        q = best_item(g, seq, i, ns, &turned, &side, &cls) if g.sw[i] >= minw else -1
        r[R_SEG] = i
        if q < 0:                                  # close the gap up to a neighbour
            ns = close_gap(g, r, i, ns, &waste)
            continue
        j = seq[q]
        g.nxt[g.prv[q]] = g.nxt[q]
        g.prv[g.nxt[q]] = g.prv[q]
        count += 1
        placed += 1
        if g.w[j] == minw or g.h[j] == minw:
            minw = narrowest(g)
        ns = place_item(g, r, t - 1, b, i, ns, j, turned, side, cls, out_bin, out_x, out_y,
                        out_rot)
    g.cand_steps = t
    return left_over(g, seq, out_bin, out_x, out_y, out_rot)


cdef void keep(Goal* g, int s) noexcept nogil:
    """The candidate trace (steps s on) becomes the current one."""
    cdef int b = rec(g, g.cand, s)[R_BIN] if s < g.cand_steps else 0
    if g.cand_steps > s:
        memcpy(rec(g, g.cur, s), rec(g, g.cand, s),
               <size_t> (g.cand_steps - s) * REC * sizeof(int))
    memcpy(g.cur_bin_start + b, g.cand_bin_start + b, (g.n + 2 - b) * sizeof(int))
    memcpy(g.cur_step_of, g.cand_step_of, g.n * sizeof(int))
    g.cur_steps = g.cand_steps


cdef int class_at(Goal* g, int j, int* r) noexcept nogil:
    """Item j's best fitness class at the gap of place step r; -1: it does not fit."""
    cdef int t, ww, hh, cls, sd, best = -1
    for t in range(2 if may_turn(g, j) else 1):
        ww = g.h[j] if t else g.w[j]
        hh = g.w[j] if t else g.h[j]
        if ww > r[R_GW] or r[R_Y0] + hh > g.H:
            continue
        cls = fitness(ww, r[R_Y0] + hh, r[R_GW], r[R_LEFT], r[R_RIGHT], &sd)
        if cls > best:
            best = cls
    return best


cdef int first_change(Goal* g, const int* pos, int lo, int hi) noexcept nogil:
    """The first step of the current trace that swapping order places lo < hi changes
    (NEVER: none). A step takes the first unplaced item in the order of the best class:
    the item going later (x) changes the step that placed it; the one going earlier (y)
    changes the first step before its own where it ties the chosen item's class and now
    comes before it (a better class is impossible: that step chose the best)."""
    cdef int x = g.seq[lo], y = g.seq[hi], t, end, c
    cdef int* r
    end = g.cur_step_of[x] if g.cur_step_of[x] < g.cur_step_of[y] else g.cur_step_of[y]
    if end > g.cur_steps:
        end = g.cur_steps
    for t in range(end):
        r = rec(g, g.cur, t)
        if r[R_KIND] != K_PLACE:
            continue
        c = r[R_ITEM]
        if pos[c] > lo and class_at(g, y, r) == r[R_CLS]:
            return t
    return g.cur_step_of[x]


cdef inline void swap_places(Goal* g, int* seq, int a, int b) noexcept nogil:
    cdef int tmp = seq[a]
    seq[a] = seq[b]
    seq[b] = tmp
    g.pos[seq[a]] = a
    g.pos[seq[b]] = b


cdef inline void copy_packing(int n, int* to_bin, int* to_x, int* to_y, signed char* to_rot,
                              const int* bin_, const int* x, const int* y,
                              const signed char* rot) noexcept nogil:
    memcpy(to_bin, bin_, n * sizeof(int))
    memcpy(to_x, x, n * sizeof(int))
    memcpy(to_y, y, n * sizeof(int))
    memcpy(to_rot, rot, n * sizeof(signed char))


cdef void draw_swap(Goal* g, const int* seq, const int* out_bin, unsigned long long* rng,
                    int* a, int* b) noexcept nogil:
    """Two places of the order to swap: half the time a left-over item (the first from a
    random place on) brought forward to a random earlier place, else two random places."""
    cdef int q
    a[0] = rng_int(rng, g.n)
    if rng_int(rng, 2) == 0:
        for q in range(g.n):
            if out_bin[seq[(a[0] + q) % g.n]] < 0:
                a[0] = (a[0] + q) % g.n
                break
        b[0] = rng_int(rng, a[0] + 1)
    else:
        b[0] = rng_int(rng, g.n)


cdef long long goal_search(Goal* g, int* seq, int bins, long long max_evals,
                           double deadline, unsigned long long* rng, long long* evals,
                           int* out_bin, int* out_x, int* out_y,
                           signed char* out_rot) noexcept nogil:
    """Search orders from seq (left at the last order kept) for a packing into bins
    bins; out_* hold that order's packing (out_bin -1: left over). Stops at cost 0, after
    max_evals packings in all (< 0: no limit) or at the deadline (< 0: none). Returns the
    left-over area (0: found). A swap repacks from the first step it changes
    (first_change) and stops once the area it closes off shows it would cost more than
    the order kept: the same search as repacking every order from scratch."""
    cdef long long cost, c, since = 0
    cdef int a, b, q, k, s
    for q in range(g.n):
        g.pos[seq[q]] = q
    g.seq = seq
    cost = greedy(g, seq, bins, 0, -1, out_bin, out_x, out_y, out_rot)
    keep(g, 0)
    evals[0] += 1
    while cost > 0 and (max_evals < 0 or evals[0] < max_evals):
        if deadline >= 0 and (evals[0] & 63) == 0 and now_seconds() > deadline:
            break
        since += 1
        if since > KICK_AFTER:                     # out of a plateau: random swaps kept
            since = 0
            for k in range(KICK_SWAPS):
                a = rng_int(rng, g.n)
                swap_places(g, seq, a, rng_int(rng, g.n))
            cost = greedy(g, seq, bins, 0, -1, out_bin, out_x, out_y, out_rot)
            keep(g, 0)
            evals[0] += 1
            continue
        draw_swap(g, seq, out_bin, rng, &a, &b)
        evals[0] += 1
        if a == b:                                 # the same order: the same cost
            continue
        g.seq = seq
        s = 0 if g.from_scratch else first_change(g, g.pos, min(a, b), max(a, b))
        swap_places(g, seq, a, b)
        if s == NEVER:                             # the same packing: a plateau step
            continue
        copy_packing(g.n, g.c_bin, g.c_x, g.c_y, g.c_rot, out_bin, out_x, out_y, out_rot)
        c = greedy(g, seq, bins, s, -1 if g.from_scratch else cost, g.c_bin, g.c_x, g.c_y,
                   g.c_rot)
        if c <= cost:                              # plateaus are walked
            if c < cost:
                since = 0
            cost = c
            keep(g, s)
            copy_packing(g.n, out_bin, out_x, out_y, out_rot, g.c_bin, g.c_x, g.c_y, g.c_rot)
        else:
            swap_places(g, seq, a, b)
    return cost


cdef int goal_init(Goal* g, int n) noexcept nogil:
    """Scratch for n items; -1 when memory runs out (then goal_free is still safe)."""
    # steps: a bin places p items in at most 2 p + 2 steps (a close removes a skyline
    # segment, a placement adds at most one) and every bin but the last places one
    cdef size_t steps = 4 * <size_t> n + 4
    g.n = n
    g.sx = <int*> malloc((n + 2) * sizeof(int))
    g.sy = <int*> malloc((n + 2) * sizeof(int))
    g.sw = <int*> malloc((n + 2) * sizeof(int))
    g.nxt = <int*> malloc((n + 1) * sizeof(int))
    g.prv = <int*> malloc((n + 1) * sizeof(int))
    g.c_bin = <int*> malloc((n + 1) * sizeof(int))
    g.c_x = <int*> malloc((n + 1) * sizeof(int))
    g.c_y = <int*> malloc((n + 1) * sizeof(int))
    g.c_rot = <signed char*> malloc(n + 1)
    g.pos = <int*> malloc((n + 1) * sizeof(int))
    g.cur = <int*> malloc(steps * REC * sizeof(int))
    g.cand = <int*> malloc(steps * REC * sizeof(int))
    g.cur_step_of = <int*> malloc((n + 1) * sizeof(int))
    g.cand_step_of = <int*> malloc((n + 1) * sizeof(int))
    g.cur_bin_start = <int*> malloc((n + 2) * sizeof(int))
    g.cand_bin_start = <int*> malloc((n + 2) * sizeof(int))
    if (g.sx == NULL or g.sy == NULL or g.sw == NULL or g.nxt == NULL
            or g.prv == NULL or g.c_bin == NULL
            or g.c_x == NULL or g.c_y == NULL or g.c_rot == NULL or g.pos == NULL
            or g.cur == NULL or g.cand == NULL or g.cur_step_of == NULL
            or g.cand_step_of == NULL or g.cur_bin_start == NULL
            or g.cand_bin_start == NULL):
        return -1
    return 0


cdef void goal_free(Goal* g) noexcept nogil:
    free(g.sx)
    free(g.sy)
    free(g.sw)
    free(g.nxt)
    free(g.prv)
    free(g.c_bin)
    free(g.c_x)
    free(g.c_y)
    free(g.c_rot)
    free(g.pos)
    free(g.cur)
    free(g.cand)
    free(g.cur_step_of)
    free(g.cand_step_of)
    free(g.cur_bin_start)
    free(g.cand_bin_start)


def goal_pack(const int[::1] widths, const int[::1] heights, int W, int H, bint rotation,
              int bins, int[::1] order, long long max_evals, double max_seconds,
              unsigned long long seed, int[::1] bin_of, int[::1] x, int[::1] y,
              signed char[::1] rot, const signed char[::1] may_turn=None,
              bint from_scratch=False):
    """Search item orders for a packing of every item into bins W x H bins (see the
    module). order: a permutation of the items, the start, left at the last order kept;
    bin_of, x, y, rot: its packing (bin_of -1: left over). An item that fits no bin is
    left over. Stops at a packing, after max_evals
    greedy packings (< 0: no limit) or max_seconds (< 0: no limit). Returns (left-over
    area, packings evaluated). from_scratch: repack every order from its first step (the
    same result, slower: what the tests check the incremental repack against)."""
    cdef int n = widths.shape[0], i
    cdef Goal g
    cdef long long cost = 0, evals = 0
    cdef unsigned long long rng = seed
    cdef double deadline = -1.0
    if n == 0:
        return 0, 0
    for name, arr in (("heights", heights), ("order", order), ("bin_of", bin_of), ("x", x),
                      ("y", y), ("rot", rot)):
        if arr.shape[0] != n:
            raise ValueError(f"goal_pack: {name} has {arr.shape[0]} entries, widths {n}")
    if may_turn is not None and may_turn.shape[0] not in (0, n):
        raise ValueError(f"goal_pack: may_turn has {may_turn.shape[0]} entries, widths {n}")
    if not np.array_equal(np.sort(np.asarray(order)), np.arange(n)):
        raise ValueError("goal_pack: order is not a permutation of range(len(widths))")
    g.W = W
    g.H = H
    g.w = &widths[0]
    g.h = &heights[0]
    g.rotation = rotation
    g.from_scratch = from_scratch
    g.total_area = 0
    for i in range(n):
        g.total_area += <long long> widths[i] * heights[i]
    g.turn = &may_turn[0] if may_turn is not None and may_turn.shape[0] > 0 else NULL
    if goal_init(&g, n) != 0:
        goal_free(&g)
        raise MemoryError("marp: out of memory in the goal-driven search")
    with nogil:
        if max_seconds >= 0:
            deadline = now_seconds() + max_seconds
        cost = goal_search(&g, &order[0], bins, max_evals, deadline, &rng, &evals,
                           &bin_of[0], &x[0], &y[0], &rot[0])
    goal_free(&g)
    return cost, evals
