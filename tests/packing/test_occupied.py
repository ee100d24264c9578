"""Regions already taken (pack(occupied=...)): never overlapped."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import marp


def test_a_half_taken_array_gets_the_other_half():
    occ = [(0, 0, 0, 5, 10)]                       # array 0, its left half
    p = marp.pack([5, 5], [10, 10], array=(10, 10), occupied=occ)
    marp.verify(p, [5, 5], [10, 10], array=(10, 10))
    assert sorted(zip(p.array.tolist(), p.x.tolist())) == [(0, 5), (1, 0)]
    assert p.arrays_used == 2


def test_occupied_arrays_count_even_when_nothing_new_goes_there():
    p = marp.pack([10], [10], array=(10, 10), occupied=[(2, 0, 0, 1, 1)])
    # arrays 0-2 exist (the region names array 2); the block takes array 0
    assert p.arrays_used == 3 and p.array[0] == 0
    marp.verify(p, [10], [10], array=(10, 10))


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_regions_are_never_overlapped(data):
    H, W = data.draw(st.integers(8, 40)), data.draw(st.integers(8, 40))
    k = data.draw(st.integers(1, 8))
    occ = []
    for _ in range(k):
        a = data.draw(st.integers(0, 3))
        x, y = data.draw(st.integers(0, W - 1)), data.draw(st.integers(0, H - 1))
        occ.append((a, x, y, data.draw(st.integers(1, W - x)), data.draw(st.integers(1, H - y))))
    n = data.draw(st.integers(1, 40))
    w = np.array(data.draw(st.lists(st.integers(1, W), min_size=n, max_size=n)))
    h = np.array(data.draw(st.lists(st.integers(1, H), min_size=n, max_size=n)))
    algorithm = data.draw(st.sampled_from([a for a in marp.available_algorithms()
                                           if a.startswith("maxrects")]))
    binsel = data.draw(st.sampled_from(marp.available_bin_selections()))
    p = marp.pack(w, h, array=(H, W), occupied=occ, algorithm=algorithm,
                  bin_selection=binsel)
    marp.verify(p, w, h, array=(H, W))
    for a, ox, oy, ow, oh in occ:                   # independent check, in NumPy
        inside = (p.array == a) & (p.x < ox + ow) & (ox < p.x + w) & (p.y < oy + oh) & \
            (oy < p.y + h)
        assert not inside.any()
    assert p.arrays_used >= max(o[0] for o in occ) + 1


def test_occupied_errors():
    with pytest.raises(ValueError, match=r"occupied\[0\] = \[0, 8, 0, 5, 5\] is not a region"):
        marp.pack([1], [1], array=(10, 10), occupied=[(0, 8, 0, 5, 5)])
    with pytest.raises(ValueError, match="needs a maxrects algorithm"):
        marp.pack([1], [1], array=(10, 10), occupied=[(0, 0, 0, 1, 1)],
                  algorithm="skyline-bl")
    with pytest.raises(ValueError, match="not supported with refinement"):
        marp.pack([1], [1], array=(10, 10), occupied=[(0, 0, 0, 1, 1)],
                  refine_iterations=5)
    with pytest.raises(ValueError, match="occupied names array 3 but max_arrays=2"):
        marp.pack([1], [1], array=(10, 10), occupied=[(3, 0, 0, 1, 1)], max_arrays=2)
