"""The compiled Belady kernel (marp._kernels.residency) against a plain-Python checker."""
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from marp._kernels import residency


def belady(steps, R, overlap):
    """Reference: two repetitions; evict images the step does not use, those the previous
    step does not use first, then the farthest next use, then the lowest number."""
    seq = steps + steps
    loads, overlapped, writes = [], [], [0] * R
    resident, slot_of, previous = set(), {}, set()
    for now, need in enumerate(seq):
        missing = [i for i in need if i not in resident]
        free = sorted(set(range(R)) - set(slot_of.values()))

        def next_use(i):
            return next((p for p in range(now + 1, len(seq)) if i in seq[p]), float("inf"))
        pool = sorted((i for i in resident if i not in need),
                      key=lambda i: (i in previous, -next_use(i), i))
        evict = pool[:max(0, len(missing) - len(free))]
        for v in evict:
            resident.discard(v)
            free.append(slot_of.pop(v))
        free.sort()
        for i in missing:
            slot_of[i] = free.pop(0)
            resident.add(i)
            if now >= len(steps):
                writes[slot_of[i]] += 1
        if now >= len(steps):
            loads.append(tuple(missing))
            overlapped.append(bool(overlap and missing and not set(evict) & previous))
        previous = set(need)
    return loads, overlapped, writes


@st.composite
def sequences(draw):
    R = draw(st.integers(1, 4))
    n_images = draw(st.integers(1, 8))
    steps = draw(st.lists(st.lists(st.integers(0, n_images - 1), max_size=R, unique=True)
                          .map(sorted).map(tuple), min_size=1, max_size=12))
    return steps, R, n_images


@given(sequences(), st.booleans())
def test_kernel_matches_the_reference(seq, overlap):
    steps, R, n_images = seq
    ptr = np.zeros(len(steps) + 1, dtype=np.int32)
    np.cumsum([len(s) for s in steps], out=ptr[1:])
    flat = np.array([i for s in steps for i in s], dtype=np.int32)
    load_ptr = np.zeros(len(steps) + 1, dtype=np.int32)
    load_img = np.zeros(max(1, flat.size), dtype=np.int32)
    flags = np.zeros(len(steps), dtype=np.int8)
    writes = np.zeros(R, dtype=np.int64)
    slot = np.full(flat.size, -1, dtype=np.int32)
    n = residency.simulate(ptr, flat, n_images, R, overlap, load_ptr, load_img, flags, writes,
                           slot)
    loads = [tuple(load_img[load_ptr[k]:load_ptr[k + 1]].tolist()) for k in range(len(steps))]
    ref_loads, ref_flags, ref_writes = belady(steps, R, overlap)
    assert loads == ref_loads and n == sum(map(len, ref_loads))
    assert flags.astype(bool).tolist() == ref_flags
    assert writes.tolist() == ref_writes
    for k in range(len(steps)):     # a step's images sit in distinct slots of the R
        held = slot[ptr[k]:ptr[k + 1]]
        assert ((held >= 0) & (held < R)).all() and np.unique(held).size == held.size
