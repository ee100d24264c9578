"""3-D packing (macro, slot, row, col): the 2-D kernels pack images, assign_slots puts
them into macros. Checked by an independent checker over random instances."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import marp
from marp.packing.depth import Slots, assign_slots, stacked, verify_slots


def check_3d(packing, slots, w, h, depth, macros):
    """Independent: every block inside its array, no two blocks of one (macro, slot)
    overlap, slots below depth, macros below the bank, one image per (macro, slot)."""
    mac, slot = slots.of_blocks(packing)
    assert (mac >= 0).all() and (mac < macros).all()
    assert (slot >= 0).all() and (slot < depth).all()
    seen = {}
    for img in range(packing.arrays_used):
        key = (int(slots.macro[img]), int(slots.slot[img]))
        assert key not in seen
        seen[key] = img
    pw, ph = packing.placed_sizes()
    cells = {}
    for i in range(len(w)):
        assert packing.x[i] + pw[i] <= packing.array_cols
        assert packing.y[i] + ph[i] <= packing.array_rows
        for r in range(packing.y[i], packing.y[i] + ph[i]):
            for c in range(packing.x[i], packing.x[i] + pw[i]):
                key = (int(mac[i]), int(slot[i]), r, c)
                assert key not in cells, f"blocks {cells.get(key)} and {i} overlap"
                cells[key] = i


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 12), st.integers(1, 12)), min_size=1, max_size=40),
       st.integers(1, 6), st.integers(1, 8), st.sampled_from(["stack", "spread"]),
       st.integers(0, 3))
def test_every_3d_packing_is_valid(sizes, depth, spare, policy, n_layers):
    w = np.array([s[0] for s in sizes])
    h = np.array([s[1] for s in sizes])
    p = marp.pack(w, h, array=(12, 12))
    layer = np.arange(len(sizes)) % (n_layers + 1)
    time = (w * h).astype(float)
    macros = -(-p.arrays_used // depth) + spare
    s = assign_slots(p.arrays_used, depth, macros, policy, image=p.array, layer=layer,
                     time=time)
    verify_slots(s, p.arrays_used, macros)
    check_3d(p, s, w, h, depth, macros)
    if policy == "stack":     # fewest macros, then fewest slots (the 2-D packing's)
        assert s.macros_used == -(-p.arrays_used // depth)
    else:                     # every macro used, up to one image each
        assert s.macros_used == min(macros, p.arrays_used)


def test_stack_by_hand():
    s = stacked(5, 2)
    assert s.macro.tolist() == [0, 0, 1, 1, 2] and s.slot.tolist() == [0, 1, 0, 1, 0]
    assert s.macros_used == 3


def test_spread_puts_a_layers_tiles_on_different_macros():
    # layer 0 on images 0-3 (time 5 each), layer 1 on image 4 (time 1); 2 macros of 4
    s = assign_slots(5, 4, 2, "spread", image=[0, 1, 2, 3, 4], layer=[0, 0, 0, 0, 1],
                     time=[5, 5, 5, 5, 1])
    assert sorted(np.bincount(s.macro[:4], minlength=2).tolist()) == [2, 2]
    assert s.policy == "spread"


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="slot policy='pile' is not known; valid names: "
                                         "stack, spread"):
        assign_slots(3, 2, 2, "pile")
    with pytest.raises(ValueError, match="needs image, layer and time"):
        assign_slots(3, 2, 2, "spread")
    with pytest.raises(ValueError, match="outside 1 macros"):
        verify_slots(stacked(3, 2), 3, macros=1)
    with pytest.raises(ValueError, match="3 macro and 3 slot entries for 4 images"):
        verify_slots(stacked(3, 2), 4)


def test_slots_round_trip():
    s = assign_slots(4, 3, 2, "spread", image=[0, 1, 2, 3], layer=[0, 0, 1, 1],
                     time=[1, 2, 3, 4])
    assert Slots.from_dict(s.to_dict()) == s
