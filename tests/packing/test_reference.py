"""The pure-NumPy reference (implementation="python") places every rectangle exactly where
the compiled maxrects-bssf first-fit kernel does."""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import marp
from marp.packing import reference


@st.composite
def instances(draw):
    W = draw(st.integers(1, 60))
    H = draw(st.integers(1, 60))
    n = draw(st.integers(0, 60))
    w = draw(st.lists(st.integers(1, W), min_size=n, max_size=n))
    h = draw(st.lists(st.integers(1, H), min_size=n, max_size=n))
    return W, H, w, h


@given(instances(), st.sampled_from(marp.available_orders()), st.booleans(),
       st.one_of(st.none(), st.integers(0, 4)), st.integers(0, 3))
def test_same_placements_as_the_kernel(inst, order, rotation, max_arrays, seed):
    W, H, w, h = inst
    kw = dict(array=(H, W), order=order, rotation=rotation, max_arrays=max_arrays, seed=seed)
    fast = marp.pack(w, h, **kw)
    slow = marp.pack(w, h, implementation="python", **kw)
    for field in ("array", "x", "y", "rotated"):
        assert getattr(fast, field).tolist() == getattr(slow, field).tolist(), field
    assert fast.arrays_used == slow.arrays_used
    marp.verify(slow, w, h, array=(H, W))


def test_split_and_prune_by_hand():
    # a 4x3 item at the corner of a 10x10 bin leaves two maximal pieces: right and above
    free = reference.place(np.array([[0, 0, 10, 10]]), 0, 0, 4, 3)
    assert free.tolist() == [[4, 0, 6, 10], [0, 3, 10, 7]]
    # the best short side fit of a 6x7 item is the right piece (leftover 0 x 3)
    assert reference.find(free, 6, 7, False) == ((0, 3), 4, 0, False)


def test_python_implementation_covers_one_heuristic_only():
    with pytest.raises(ValueError, match="implementation='python' covers algorithm="
                                         "'maxrects-bssf' with bin_selection='first-fit'"):
        marp.pack([1], [1], array=(4, 4), implementation="python", algorithm="skyline-bl")
    with pytest.raises(ValueError, match="with refinement"):
        marp.pack([1], [1], array=(4, 4), implementation="python", refine_iterations=5)
    with pytest.raises(ValueError, match="implementation='c' is not known; valid names: "
                                         "compiled, python"):
        marp.pack([1], [1], array=(4, 4), implementation="c")
