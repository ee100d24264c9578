"""Gap between rectangles and border inside arrays (pack(gap=, border=))."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import marp


def independent_check(p, w, h, H, W, gap, border):
    """Pairwise, in NumPy: inside the border, and every two rectangles of one array at
    least ``gap`` apart along x or along y."""
    a, x, y = p.array, p.x.astype(np.int64), p.y.astype(np.int64)
    assert p.placed.all()
    assert (x >= border).all() and (y >= border).all()
    assert (x + w <= W - border).all() and (y + h <= H - border).all()
    same = a[:, None] == a[None, :]
    apart_x = (x[:, None] + w[:, None] + gap <= x[None, :]) | \
        (x[None, :] + w[None, :] + gap <= x[:, None])
    apart_y = (y[:, None] + h[:, None] + gap <= y[None, :]) | \
        (y[None, :] + h[None, :] + gap <= y[:, None])
    ok = ~same | apart_x | apart_y | np.eye(len(a), dtype=bool)
    assert ok.all()


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_every_packing_keeps_gap_and_border(data):
    H = data.draw(st.integers(12, 60))
    W = data.draw(st.integers(12, 60))
    gap = data.draw(st.integers(0, 3))
    border = data.draw(st.integers(0, 3))
    n = data.draw(st.integers(1, 40))
    top_w, top_h = W - 2 * border, H - 2 * border
    w = np.array(data.draw(st.lists(st.integers(1, top_w), min_size=n, max_size=n)))
    h = np.array(data.draw(st.lists(st.integers(1, top_h), min_size=n, max_size=n)))
    algorithm = data.draw(st.sampled_from(marp.available_algorithms()))
    p = marp.pack(w, h, array=(H, W), gap=gap, border=border, algorithm=algorithm)
    marp.verify(p, w, h, array=(H, W))                     # the packing's own gap/border
    independent_check(p, w, h, H, W, gap, border)
    assert p.arrays_used >= p.lower_bound


def test_hand_case():
    # two 4-wide, 8-tall blocks in a 10x10 array with a border of 1 leave 8 columns:
    # side by side they need 4 + gap + 4 <= 8
    p = marp.pack([4, 4], [8, 8], array=(10, 10), border=1, gap=0)
    assert p.arrays_used == 1 and sorted(p.x.tolist()) == [1, 5] and set(p.y) == {1}
    p = marp.pack([4, 4], [8, 8], array=(10, 10), border=1, gap=1)
    assert p.arrays_used == 2 and p.lower_bound == 2 and p.status == "bound"
    p = marp.pack([4, 4], [8, 8], array=(10, 10), gap=2)      # 4 + 2 + 4 <= 10
    assert p.arrays_used == 1 and sorted(p.x.tolist()) == [0, 6]


def test_spacing_errors_and_json():
    with pytest.raises(ValueError, match="border=5 leaves no room"):
        marp.pack([1], [1], array=(10, 10), border=5)
    with pytest.raises(ValueError, match="gap must be an integer"):
        marp.pack([1], [1], array=(10, 10), gap=-1)
    p = marp.pack([3, 3], [3, 3], array=(10, 10), gap=2, border=1)
    back = marp.Packing.from_dict(p.to_dict(), [3, 3], [3, 3], 10, 10)
    assert (back.gap, back.border) == (2, 1)
    marp.verify(back, [3, 3], [3, 3], array=(10, 10))


def test_oversize_inside_the_border_is_said_in_the_callers_sizes():
    with pytest.raises(ValueError, match=r"rectangle 0 \(w=10, h=2\) does not fit inside "
                                         r"the border=1 of a 10x10 array"):
        marp.pack([10], [2], array=(10, 10), border=1)
    p = marp.pack([10, 2], [2, 2], array=(10, 10), border=1, partial=True)
    assert p.placed.tolist() == [False, True]
