# cython: language_level=3
"""Belady residency of array images in R physical slots (see marp/costmodel/schedule.py).

The step sequence is repeated twice; the second repetition is the steady state whose loads
are reported. Before a step, its images that are not resident are loaded into free slots,
evicting resident images the step does not use: first those the previous step does not use
(so that a load may overlap it), then the farthest next use, then the lowest image number.
"""
from libc.stdlib cimport malloc, free

cdef enum:
    NEVER = 2147483647


ctypedef struct Slots:
    int R
    int* slot_img            # per slot: its image (-1: free)
    int* slot_of             # per image: its slot (-1: not resident)
    int* use_next            # per image: the position of its next use
    int* prev_mark           # per image: the last position that used it
    int* need_mark           # per image: the last position that needs it


cdef void next_uses(const int[::1] step_ptr, const int[::1] step_img, int n, int* nxt,
                    int* last) noexcept nogil:
    """The next use of every (position, image) occurrence over the doubled sequence:
    nxt[rep * m + k] for occurrence k of repetition rep (NEVER: none)."""
    cdef int p, k, s, m = step_img.shape[0]
    for p in range(2 * n - 1, -1, -1):
        s = p % n
        for k in range(step_ptr[s], step_ptr[s + 1]):
            nxt[(p // n) * m + k] = last[step_img[k]]
            last[step_img[k]] = p


cdef bint make_room(Slots* t, int n_missing, int p) noexcept nogil:
    """Evict images position p does not need until n_missing slots are free; returns
    whether a victim was used by position p - 1 (its load cannot overlap that step)."""
    cdef int j, i, best, n_free = 0
    cdef bint conflict = False
    for j in range(t.R):
        if t.slot_img[j] < 0:
            n_free += 1
    while n_free < n_missing:
        best = -1
        for j in range(t.R):
            i = t.slot_img[j]
            if i < 0 or t.need_mark[i] == p:
                continue
            if best < 0 or _worse(i, t.slot_img[best], t.prev_mark, p, t.use_next):
                best = j
        if t.prev_mark[t.slot_img[best]] == p - 1:
            conflict = True
        t.slot_of[t.slot_img[best]] = -1
        t.slot_img[best] = -1
        n_free += 1
    return conflict


cdef int schedule(const int[::1] step_ptr, const int[::1] step_img, Slots* t,
                  const int* nxt, bint overlap, int[::1] load_ptr, int[::1] load_img,
                  signed char[::1] overlapped, long long[::1] slot_writes,
                  int[::1] img_slot) noexcept nogil:
    """Run the doubled sequence, reporting the second repetition; returns the loads."""
    cdef int n = step_ptr.shape[0] - 1, m = step_img.shape[0]
    cdef int p, k, i, j, s, n_missing, n_loaded = 0
    cdef bint conflict
    load_ptr[0] = 0
    for p in range(2 * n):
        s = p % n
        n_missing = 0
        for k in range(step_ptr[s], step_ptr[s + 1]):
            t.need_mark[step_img[k]] = p
            if t.slot_of[step_img[k]] < 0:
                n_missing += 1
        conflict = make_room(t, n_missing, p)
        for k in range(step_ptr[s], step_ptr[s + 1]):
            i = step_img[k]
            if t.slot_of[i] < 0:
                for j in range(t.R):             # the lowest free slot
                    if t.slot_img[j] < 0:
                        break
                t.slot_img[j] = i
                t.slot_of[i] = j
                if p >= n:
                    slot_writes[j] += 1
                    load_img[n_loaded] = i
                    n_loaded += 1
            t.use_next[i] = nxt[(p // n) * m + k]
            t.prev_mark[i] = p
            if p >= n:
                img_slot[k] = t.slot_of[i]
        if p >= n:
            load_ptr[s + 1] = n_loaded
            overlapped[s] = overlap and n_missing > 0 and not conflict
    return n_loaded


def simulate(const int[::1] step_ptr, const int[::1] step_img, int n_images, int R,
             bint overlap, int[::1] load_ptr, int[::1] load_img,
             signed char[::1] overlapped, long long[::1] slot_writes,
             int[::1] img_slot):
    """Fills load_ptr (n + 1), load_img (loaded images of each steady-state step),
    overlapped (n), slot_writes (R) and img_slot (the slot each step image sits in during
    its steady-state step, as step_img); returns the number of loaded images. Inputs are
    validated by the caller: images in [0, n_images), at most R per step, R >= 1,
    img_slot as long as step_img."""
    cdef int n = step_ptr.shape[0] - 1, i, n_loaded = 0
    cdef int *nxt = <int*> malloc(max(1, 2 * step_img.shape[0]) * sizeof(int))
    cdef int *last = <int*> malloc(max(1, n_images) * sizeof(int))
    cdef Slots t
    t.R = R
    t.slot_of = <int*> malloc(max(1, n_images) * sizeof(int))
    t.use_next = <int*> malloc(max(1, n_images) * sizeof(int))
    t.prev_mark = <int*> malloc(max(1, n_images) * sizeof(int))
    t.need_mark = <int*> malloc(max(1, n_images) * sizeof(int))
    t.slot_img = <int*> malloc(R * sizeof(int))
    if nxt and last and t.slot_of and t.use_next and t.prev_mark and t.need_mark \
            and t.slot_img:
        with nogil:
            for i in range(n_images):
                last[i] = NEVER
                t.slot_of[i] = -1
                t.use_next[i] = NEVER
                t.prev_mark[i] = -2
                t.need_mark[i] = -2
            for i in range(R):
                t.slot_img[i] = -1
            next_uses(step_ptr, step_img, n, nxt, last)
            n_loaded = schedule(step_ptr, step_img, &t, nxt, overlap, load_ptr, load_img,
                                overlapped, slot_writes, img_slot)
    else:
        n_loaded = -1
    free(nxt); free(last); free(t.slot_of); free(t.use_next); free(t.prev_mark)
    free(t.need_mark); free(t.slot_img)
    if n_loaded < 0:
        raise MemoryError("marp: out of memory in the residency schedule")
    return n_loaded


cdef inline bint _worse(int a, int b, const int* prev_mark, int p,
                        const int* use_next) noexcept nogil:
    """True when image a is a better victim than image b at position p."""
    cdef bint a_prev = prev_mark[a] == p - 1
    cdef bint b_prev = prev_mark[b] == p - 1
    if a_prev != b_prev:
        return b_prev
    if use_next[a] != use_next[b]:
        return use_next[a] > use_next[b]
    return a < b
