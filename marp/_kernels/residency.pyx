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


def simulate(const int[::1] step_ptr, const int[::1] step_img, int n_images, int R,
             bint overlap, int[::1] load_ptr, int[::1] load_img,
             signed char[::1] overlapped, long long[::1] slot_writes,
             int[::1] img_slot):
    """Fills load_ptr (n + 1), load_img (loaded images of each steady-state step),
    overlapped (n), slot_writes (R) and img_slot (the slot each step image sits in during
    its steady-state step, as step_img); returns the number of loaded images. Inputs are
    validated by the caller: images in [0, n_images), at most R per step, R >= 1,
    img_slot as long as step_img."""
    cdef int n = step_ptr.shape[0] - 1
    cdef int total = 2 * n
    cdef int p, k, i, j, s, best, count, n_loaded = 0, n_missing, n_free
    cdef int *nxt = <int*> malloc(max(1, 2 * step_img.shape[0]) * sizeof(int))
    cdef int *last = <int*> malloc(max(1, n_images) * sizeof(int))
    cdef int *slot_of = <int*> malloc(max(1, n_images) * sizeof(int))
    cdef int *use_next = <int*> malloc(max(1, n_images) * sizeof(int))
    cdef int *prev_mark = <int*> malloc(max(1, n_images) * sizeof(int))
    cdef int *need_mark = <int*> malloc(max(1, n_images) * sizeof(int))
    cdef int *slot_img = <int*> malloc(R * sizeof(int))
    cdef int m = step_img.shape[0]
    cdef bint conflict
    if not nxt or not last or not slot_of or not use_next or not prev_mark \
            or not need_mark or not slot_img:
        free(nxt); free(last); free(slot_of); free(use_next); free(prev_mark)
        free(need_mark); free(slot_img)
        raise MemoryError("marp: out of memory in the residency schedule")
    with nogil:
        for i in range(n_images):
            last[i] = NEVER
            slot_of[i] = -1
            use_next[i] = NEVER
            prev_mark[i] = -2
            need_mark[i] = -2
        # next use of every (position, image) occurrence, over the doubled sequence
        for p in range(total - 1, -1, -1):
            s = p % n
            for k in range(step_ptr[s], step_ptr[s + 1]):
                i = step_img[k]
                nxt[(p // n) * m + k] = last[i]
                last[i] = p
        for j in range(R):
            slot_img[j] = -1
        load_ptr[0] = 0
        for p in range(total):
            s = p % n
            for k in range(step_ptr[s], step_ptr[s + 1]):
                need_mark[step_img[k]] = p
            n_missing = 0
            for k in range(step_ptr[s], step_ptr[s + 1]):
                if slot_of[step_img[k]] < 0:
                    n_missing += 1
            n_free = 0
            for j in range(R):
                if slot_img[j] < 0:
                    n_free += 1
            conflict = False
            while n_free < n_missing:        # evict one image
                best = -1
                for j in range(R):
                    i = slot_img[j]
                    if i < 0 or need_mark[i] == p:
                        continue
                    if best < 0 or _worse(i, slot_img[best], prev_mark, p, use_next):
                        best = j
                if prev_mark[slot_img[best]] == p - 1:
                    conflict = True
                slot_of[slot_img[best]] = -1
                slot_img[best] = -1
                n_free += 1
            for k in range(step_ptr[s], step_ptr[s + 1]):
                i = step_img[k]
                if slot_of[i] < 0:
                    for j in range(R):       # the lowest free slot
                        if slot_img[j] < 0:
                            break
                    slot_img[j] = i
                    slot_of[i] = j
                    if p >= n:
                        slot_writes[j] += 1
                        load_img[n_loaded] = i
                        n_loaded += 1
                use_next[i] = nxt[(p // n) * m + k]
                prev_mark[i] = p
                if p >= n:
                    img_slot[k] = slot_of[i]
            if p >= n:
                load_ptr[s + 1] = n_loaded
                overlapped[s] = overlap and n_missing > 0 and not conflict
    free(nxt); free(last); free(slot_of); free(use_next); free(prev_mark)
    free(need_mark); free(slot_img)
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
