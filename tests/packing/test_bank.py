"""Banks of mixed array sizes (marp.pack_bank)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import marp


def test_big_blocks_open_big_arrays_and_small_ones_small():
    # two 1000x200 blocks need the 1152x256 arrays; 16 blocks of 100x100 fill four
    # 256x256 arrays (cost: cells), cheaper than a third large array
    w = [200, 200] + [100] * 16
    h = [1000, 1000] + [100] * 16
    p = marp.pack_bank(w, h, [(1152, 256, 3), (256, 256, None)])
    marp.verify_bank(p, w, h)
    assert p.placed.all()
    big = p.array_type[p.array[:2]]
    assert (big == 0).all()
    assert p.cost <= 2 * 1152 * 256 + 4 * 256 * 256
    assert p.cost >= p.cost_lower_bound


def test_counts_are_honoured_and_left_overs_reported():
    w, h = [256] * 5, [256] * 5
    p = marp.pack_bank(w, h, [(256, 256, 2), (512, 512, 1)], partial=True)
    marp.verify_bank(p, w, h)
    assert p.arrays_of_type()[0] <= 2 and p.arrays_of_type()[1] <= 1
    assert int(p.placed.sum()) == 5                 # 2 in the 256x256s, 3 in the 512x512
    with pytest.raises(ValueError, match="finds no room in the bank"):
        marp.pack_bank([600], [600], [(256, 256, 2), (512, 512, 1)])


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_every_bank_packing_verifies(data):
    n = data.draw(st.integers(1, 40))
    w = np.array(data.draw(st.lists(st.integers(1, 60), min_size=n, max_size=n)))
    h = np.array(data.draw(st.lists(st.integers(1, 60), min_size=n, max_size=n)))
    k = data.draw(st.integers(1, 3))
    bank = [(data.draw(st.integers(8, 64)), data.draw(st.integers(8, 64)),
             data.draw(st.one_of(st.none(), st.integers(1, 5)))) for _ in range(k)]
    p = marp.pack_bank(w, h, bank, partial=True)
    marp.verify_bank(p, w, h)
    assert p.cost >= p.cost_lower_bound - 1e-9


def test_bank_errors():
    with pytest.raises(ValueError, match="bank is empty"):
        marp.pack_bank([1], [1], [])
    with pytest.raises(ValueError, match=r"bank\[0\] cost must be a finite number > 0"):
        marp.pack_bank([1], [1], [(4, 4, 1, -1.0)])
    with pytest.raises(TypeError, match="takes no max_arrays="):
        marp.pack_bank([1], [1], [(4, 4, 1)], max_arrays=2)
