import csv

import numpy as np
import pytest

import marp
from marp.packing.bounds import one_d_bound
from marp.packing.dff import dff_bound, dff_rows
from marp.io.readers import read_2bp


def test_area_bound():
    lb = marp.lower_bounds([5, 5, 5], [10, 10, 1], array=(10, 10))
    assert lb.area == 2                     # 105 cells into 100-cell arrays


def test_big_items_cannot_share():
    lb = marp.lower_bounds([6, 6, 6], [6, 6, 6], array=(10, 10))
    assert lb.big_items == 3 and lb.value == 3 and "big_items" in lb.tight


def test_width_band_is_a_1d_bound_on_heights():
    # wide items (w > 5) stack; heights 6, 6, 6 need 3 arrays of height 10
    lb = marp.lower_bounds([7, 7, 7], [6, 6, 6], array=(10, 10))
    assert lb.width_band == 3


def test_one_d_bound_martello_toth():
    assert one_d_bound([], 10) == 0
    assert one_d_bound([6, 6, 6], 10) == 3
    assert one_d_bound([6, 4, 4, 4], 10) == 2
    # three items of 4 beside nothing: area says 2, count says ceil(3 / 2) = 2
    assert one_d_bound([4, 4, 4, 4, 4], 10) == 3     # at most 2 per bin by count
    assert one_d_bound([7, 3, 3], 10) == 2


def test_large_small_bound_counts_items_that_cannot_join_large_ones():
    # two 9x9 items leave strips narrower than 2 and lower than 2: the 2x2 items can't join
    lb = marp.lower_bounds([9, 9, 2, 2], [9, 9, 2, 2], array=(10, 10))
    assert lb.large_small == 3 and lb.value == 3


def test_big_conflicts_keeps_apart_what_conflicts_with_every_big_item():
    # the 7x10 block leaves 3 columns: every item at least 4 wide needs another array, and
    # among those the 10x4 and the 4x10 cross: 3 arrays, where every other bound says 2
    w, h = [4, 4, 5, 10, 7, 3], [6, 10, 3, 4, 10, 3]
    lb = marp.lower_bounds(w, h, array=(10, 10))
    assert lb.big_conflicts == 3 and lb.value == 3 and "big_conflicts" in lb.tight
    assert max(lb.area, lb.width_band, lb.height_band, lb.big_items, lb.large_small) == 2
    assert marp.pack(w, h, array=(10, 10), refine_iterations=50).arrays_used == 3


def test_dff_bound_counts_what_cannot_stand_beside():
    # the 8x3 and 7x5 blocks leave under 4 columns beside them, so the 4x6 block must stand
    # above both (3 + 5 + 6 > 10 rows): U^(4) on widths makes both 10 wide, and
    # 30 + 50 + 24 = 104 cells pass the 100 of one array; the area bound says 1
    w, h = [8, 7, 4], [3, 5, 6]
    lb = marp.lower_bounds(w, h, array=(10, 10))
    assert lb.area == 1 and lb.dff == 2 and lb.tight == ("dff",)
    assert dff_bound(np.array(w), np.array(h), 10, 10) == 2


def test_dff_values_by_hand():
    # u^(2) on capacity 10 (scale L = 2): 5 -> floor(15 / 10) * 10 / 2 = 5, times L = 10;
    # 4 -> floor(12 / 10) * 5 = 5 -> 10; 7 -> floor(21 / 10) * 5 = 10 -> 20; 10 -> 20
    rows, caps = dff_rows(np.array([4, 5, 7, 10]), 10, 2)
    assert caps[rows.tolist().index([10, 10, 20, 20])] == 20
    # f_CCM,1 with k = 3 maps 10 to 2 floor(10 / 3) = 6: 4 -> 2 floor(4 / 3) = 2,
    # 5 (half) -> floor(10 / 3) = 3, 7 -> 2 (3 - floor(3 / 3)) = 4
    assert caps[rows.tolist().index([2, 3, 4, 6])] == 6


def test_dff_sums_stay_exact_at_the_largest_sizes():
    # at sides of 2^30 - 1 the u^(k) scale shrinks to 1 and f_CCM,1 (which maps a side to
    # twice itself) is left out where its sums could pass int64; past 2^62 cells in all
    # the bound gives up (0 is always valid) rather than round
    C = 2**30 - 1
    for n in (1, 2, 3, 4):
        assert dff_bound(np.full(n, C, np.int64), np.full(n, C, np.int64), C, C) == n
    assert dff_bound(np.full(5, C, np.int64), np.full(5, C, np.int64), C, C) == 0


def test_rotation_uses_area_only():
    lb = marp.lower_bounds([6, 6, 6], [6, 6, 6], array=(10, 10), rotation=True)
    assert lb.value == lb.area == 2 and lb.tight == ("area",)


def test_empty_and_errors():
    assert marp.lower_bound([], [], array=(5, 5)) == 0
    with pytest.raises(ValueError, match=r"widths\[0\] = 0"):
        marp.lower_bound([0], [1], array=(5, 5))
    with pytest.raises(ValueError, match=r"does not fit an empty 5x5 array \(rows x cols\)"):
        marp.lower_bound([6], [1], array=(5, 5))


def test_bound_never_exceeds_best_known_on_2bp(shared):
    """On all 500 classic instances: valid (<= best known) and no weaker than the folder's
    own area/big-items bound."""
    folder = shared / "bench-data" / "2bp"
    best = {(int(r["class"]), int(r["n"]), int(r["instance"])): int(r["best_known"])
            for r in csv.DictReader(open(folder / "reference.csv")) if r["instance"].isdigit()}
    simple = {(int(r["class"]), int(r["n"]), int(r["instance"])): int(r["lb_max"])
              for r in csv.DictReader(open(folder / "computed_lower_bounds.csv"))
              if r["instance"].isdigit()}
    total = 0
    for path in sorted(folder.glob("*.2bp")):
        for ins in read_2bp(path):
            key = (ins.problem_class, ins.n, ins.relative)
            lb = marp.lower_bound(ins.widths, ins.heights, array=(ins.array_rows, ins.array_cols))
            assert simple[key] <= lb <= best[key], key
            total += lb
    assert total == 7148        # measured; the folder's simple bound sums to 6683


def test_bound_below_packings_random():
    rng = np.random.default_rng(11)
    for _ in range(30):
        n = int(rng.integers(1, 80))
        W, H = (int(v) for v in rng.integers(2, 60, 2))
        w, h = rng.integers(1, W + 1, n), rng.integers(1, H + 1, n)
        lb = marp.lower_bound(w, h, array=(H, W))
        best = min(marp.pack(w, h, array=(H, W), algorithm=a).arrays_used
                   for a in marp.available_algorithms())
        assert lb <= best
