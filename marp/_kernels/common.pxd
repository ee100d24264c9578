# cython: language_level=3
# The clock and the random numbers every search kernel uses.
from posix.time cimport clock_gettime, timespec, CLOCK_MONOTONIC


cdef inline double now_seconds() noexcept nogil:
    cdef timespec ts
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return ts.tv_sec + ts.tv_nsec * 1e-9


cdef inline unsigned long long rng_next(unsigned long long* s) noexcept nogil:
    """splitmix64: small, fast, and the same on every platform."""
    cdef unsigned long long z
    s[0] += 0x9E3779B97F4A7C15ULL
    z = s[0]
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL
    return z ^ (z >> 31)


cdef inline int rng_int(unsigned long long* s, int n) noexcept nogil:
    return <int> (rng_next(s) % <unsigned long long> n)
