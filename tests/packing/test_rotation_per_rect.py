"""Rotation per rectangle: a rectangle marked False is never turned."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import marp


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_locked_rectangles_never_turn(data):
    n = data.draw(st.integers(1, 60))
    H, W = data.draw(st.integers(8, 50)), data.draw(st.integers(8, 50))
    side = min(H, W)                      # every rectangle fits either way
    w = np.array(data.draw(st.lists(st.integers(1, side), min_size=n, max_size=n)))
    h = np.array(data.draw(st.lists(st.integers(1, side), min_size=n, max_size=n)))
    turn = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    algorithm = data.draw(st.sampled_from(marp.available_algorithms()))
    binsel = data.draw(st.sampled_from(marp.available_bin_selections()))
    refine = data.draw(st.sampled_from([None, 30]))
    p = marp.pack(w, h, array=(H, W), rotation=turn, algorithm=algorithm,
                  bin_selection=binsel, refine_iterations=refine)
    assert not (p.rotated & ~turn).any()
    marp.verify(p, w, h, array=(H, W))
    # independent check: the placed sizes stay inside the arrays
    pw, ph = p.placed_sizes()
    assert ((p.x + pw <= W) & (p.y + ph <= H)).all()


def test_a_tall_block_turns_only_when_allowed():
    # a 10-wide, 2-tall block fits a 10x4 array as is, a 2x10 one only turned
    w, h = [10, 2], [2, 10]
    with pytest.raises(ValueError, match="rectangle 1 .* does not fit"):
        marp.pack(w, h, array=(4, 10), rotation=np.array([True, False]))
    p = marp.pack(w, h, array=(4, 10), rotation=np.array([False, True]))
    assert p.rotated.tolist() == [False, True] and p.arrays_used == 1


def test_rotation_argument_errors():
    with pytest.raises(TypeError, match="one bool per rectangle"):
        marp.pack([1, 2], [1, 2], array=(4, 4), rotation=[True])
    with pytest.raises(TypeError, match="rotation must be True or False"):
        marp.pack([1], [1], array=(4, 4), rotation="no")
    with pytest.raises(ValueError, match="oriented packing only"):
        marp.pack([1, 2], [1, 2], array=(4, 4), rotation=np.array([True, False]),
                  exact_seconds=1)
