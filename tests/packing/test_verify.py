import numpy as np
import pytest

import marp
from marp import InvalidPackingError, Packing


def manual(array, x, y, w, h, W=10, H=10, **kw):
    p = Packing.from_placements(array, x, y, w, h, shape=(H, W), **kw)
    marp.verify(p, w, h, array=(H, W))
    return p


def test_two_touching_rectangles_are_valid():
    manual([0, 0], [0, 5], [0, 0], [5, 5], [10, 10])          # side by side
    manual([0, 0], [0, 0], [0, 4], [10, 10], [4, 6])          # stacked


def test_two_overlapping_rectangles():
    with pytest.raises(InvalidPackingError, match=r"rectangles 0 and 1 overlap in array 0") as e:
        manual([0, 0], [0, 4], [0, 3], [5, 5], [5, 5])
    assert e.value.kind == "overlap" and e.value.indices == (0, 1)
    assert isinstance(e.value, ValueError)


def test_overlap_by_one_cell_and_containment():
    with pytest.raises(InvalidPackingError, match="overlap"):
        manual([0, 0], [0, 4], [0, 4], [5, 5], [5, 5])
    with pytest.raises(InvalidPackingError, match=r"rectangles 0 and 1 overlap"):
        manual([0, 0], [0, 2], [0, 2], [10, 2], [10, 2])


def test_same_place_in_different_arrays_is_valid():
    manual([0, 1], [0, 0], [0, 0], [10, 10], [10, 10])


def test_overlap_found_among_many():
    x = list(range(0, 10, 2)) + [3]
    manual_args = ([0] * 6, x, [0] * 6, [2] * 5 + [2], [2] * 6)
    with pytest.raises(InvalidPackingError) as e:
        manual(*manual_args)
    assert set(e.value.indices) in ({1, 5}, {2, 5})


@pytest.mark.parametrize("x,y,w,h", [(6, 0, 5, 5), (0, 6, 5, 5), (-1, 0, 5, 5), (0, -1, 5, 5)])
def test_out_of_bounds(x, y, w, h):
    with pytest.raises(InvalidPackingError, match=r"rectangle 1 .* outside the 10x10 array") as e:
        manual([0, 0], [0, x], [0, y], [1, w], [1, h])
    assert e.value.kind == "out-of-bounds" and e.value.indices == (1,)


def test_array_number_past_arrays_used():
    with pytest.raises(InvalidPackingError, match="past arrays_used=1"):
        manual([0, 1], [0, 0], [0, 0], [1, 1], [1, 1], arrays_used=1)


def test_empty_counted_array():
    with pytest.raises(InvalidPackingError, match="array 1 holds no rectangle"):
        manual([0, 2], [0, 0], [0, 0], [1, 1], [1, 1])


def test_unplaced_must_have_minus_one_coordinates():
    manual([0, -1], [0, -1], [0, -1], [1, 1], [1, 1])
    with pytest.raises(InvalidPackingError, match=r"rectangle 1 is unplaced but has"):
        manual([0, -1], [0, 3], [0, -1], [1, 1], [1, 1])


def test_rotated_sizes_are_checked_as_placed():
    manual([0], [0], [0], [10], [3], W=3, H=10, rotated=[True])
    with pytest.raises(InvalidPackingError, match="outside"):
        manual([0], [0], [0], [10], [3], W=3, H=10)


def test_length_mismatch():
    p = marp.pack([1, 2], [1, 2], array=(5, 5))
    with pytest.raises(InvalidPackingError, match=r"packing.array has shape \(2,\), expected \(3,\)"):
        marp.verify(p, [1, 2, 3], [1, 2, 3], array=(5, 5))


def test_large_valid_packing_verifies():
    rng = np.random.default_rng(0)
    w, h = rng.integers(1, 257, 20000), rng.integers(1, 257, 20000)
    p = marp.pack(w, h, array=(256, 256), algorithm="skyline-bl")
    marp.verify(p, w, h, array=(256, 256))
