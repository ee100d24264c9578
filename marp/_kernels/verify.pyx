# cython: language_level=3
"""Overlap check for a packing, independent of the packers (a sweep over x per array)."""


def first_overlap(const int[::1] order, const int[::1] array, const int[::1] x,
                  const int[::1] y, const int[::1] w, const int[::1] h, int[::1] out_pair):
    """order lists the placed items sorted by (array, x). Writes into out_pair the first
    overlapping pair met by the sweep and returns 1, or returns 0 when there is none.

    For each item, only the items that start at or after its x and before its right edge
    in the same array are compared: two overlapping rectangles always form such a pair.
    """
    cdef Py_ssize_t n = order.shape[0], a, b
    cdef int i, j, found = 0
    with nogil:
        for a in range(n):
            i = order[a]
            b = a + 1
            while b < n:
                j = order[b]
                if array[j] != array[i] or x[j] >= x[i] + w[i]:
                    break
                if y[j] < y[i] + h[i] and y[i] < y[j] + h[j]:
                    found = 1
                    out_pair[0] = i
                    out_pair[1] = j
                    break
                b += 1
            if found:
                break
    return found
