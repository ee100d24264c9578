"""The tree search for tight packings (marp/_kernels/tight.pyx) and the refinement moves
that use it, checked by an independent occupancy grid."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import marp
from marp._kernels.tight import tight_search
from tilings import tiling


def check(w, h, W, H, rotation, res, max_bins):
    """Every item inside its bin, no cell covered twice, bins < max_bins; turned items
    only with rotation."""
    used, b, x, y, rot = res
    assert 1 <= used <= max_bins and b.max() + 1 == used
    assert rotation or not rot.any()
    grids = np.zeros((used, H, W), np.int8)
    for i in range(len(w)):
        ww, hh = (h[i], w[i]) if rot[i] else (w[i], h[i])
        assert 0 <= x[i] and x[i] + ww <= W and 0 <= y[i] and y[i] + hh <= H, i
        grids[b[i], y[i]:y[i] + hh, x[i]:x[i] + ww] += 1
    assert grids.max() == 1


def arrays(w, h):
    return np.array(w, np.int32), np.array(h, np.int32)


@pytest.mark.parametrize("seed", range(6))
def test_perfect_tilings_fill_exactly_their_arrays(seed):
    ws, hs = arrays(*tiling(seed, 2, 10, 7))
    res = tight_search(ws, hs, 10, 10, False, 2, 10**6)
    check(ws, hs, 10, 10, False, res, 2)
    assert res[0] == 2


def test_no_packing_ends_with_minus_one():
    # two 6 x 6 squares fit one 10 x 10 array by area, not by shape
    w, h = arrays([6, 6], [6, 6])
    assert tight_search(w, h, 10, 10, False, 1, 10**6)[0] == -1
    assert tight_search(w, h, 10, 10, False, 2, 10**6)[0] == 2
    # more area than the arrays: refused before any search
    assert tight_search(*arrays([10, 10, 1], [10, 10, 1]), 10, 10, False, 2, 10**6)[0] == -1


def test_turning_follows_rotation_and_may_turn():
    # a 10 x 2 strip and an 8 x 10 block fill a 10 x 10 array only with the strip turned
    w, h = arrays([2, 8], [10, 10])
    assert tight_search(w, h, 10, 10, False, 1, 10**5)[0] == 1
    w, h = arrays([10, 8], [2, 10])
    assert tight_search(w, h, 10, 10, False, 1, 10**5)[0] == -1
    for may_turn, turned in (([1, 0], [1, 0]), ([0, 1], [0, 1])):
        res = tight_search(w, h, 10, 10, True, 1, 10**5,
                           may_turn=np.array(may_turn, np.int8))
        check(w, h, 10, 10, True, res, 1)
        assert res[4].tolist() == turned
    pinned = np.zeros(2, np.int8)
    assert tight_search(w, h, 10, 10, True, 1, 10**5, may_turn=pinned)[0] == -1


@settings(max_examples=150, deadline=None)
@given(data=st.integers(2, 16).flatmap(lambda W: st.tuples(
    st.just(W), st.lists(st.tuples(st.integers(1, W), st.integers(1, W)), min_size=1,
                         max_size=20))),
       max_bins=st.integers(1, 4), rotation=st.booleans(), key=st.integers(0, 3),
       seed=st.integers(0, 2**32))
def test_property_found_packings_are_valid(data, max_bins, rotation, key, seed):
    W, items = data
    w, h = arrays([a for a, _ in items], [b for _, b in items])
    res = tight_search(w, h, W, W, rotation, max_bins, 3000, key=key, seed=seed)
    if res[0] > 0:
        check(w, h, W, W, rotation, res, max_bins)
    if int((w * h).sum()) > max_bins * W * W:
        assert res[0] == -1
    assert tight_search(w, h, W, W, rotation, max_bins, 3000, key=key, seed=seed)[0] == res[0]


@pytest.mark.parametrize("seed", [1, 3])
def test_refinement_reaches_perfect_tilings(seed):
    ws, hs = tiling(seed, 3, 12, 9)
    p = marp.pack(ws, hs, array=(12, 12), refine_iterations=3000, seed=0)
    marp.verify(p, ws, hs, array=(12, 12))
    assert p.arrays_used == 3 and p.status == "bound"
