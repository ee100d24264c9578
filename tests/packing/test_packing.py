import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import marp

ALGOS = marp.available_algorithms()
BINSELS = marp.available_bin_selections()


def packed(w, h, W, H, **kw):
    p = marp.pack(w, h, array=(H, W), **kw)
    marp.verify(p, w, h, array=(H, W))
    return p


# ---------------------------------------------------------------- exact small cases

def test_maxrects_bssf_exact_coordinates():
    p = packed([10, 5, 5], [6, 4, 4], 10, 10)
    assert p.array.tolist() == [0, 0, 0]
    assert list(zip(p.x.tolist(), p.y.tolist())) == [(0, 0), (0, 6), (5, 6)]
    assert p.arrays_used == 1
    assert p.utilization == pytest.approx(1.0)


def test_skyline_bl_exact_coordinates():
    p = packed([4, 6, 4], [5, 3, 2], 10, 10, algorithm="skyline-bl", order="given")
    assert list(zip(p.x.tolist(), p.y.tolist())) == [(0, 0), (4, 0), (4, 3)]


def test_skyline_minwaste_reuses_waste_under_skyline():
    # the 10x2 item leaves a 6x2 gap under it at x=4, which the 6x2 item fills
    p = packed([4, 10, 6], [2, 2, 2], 10, 4, algorithm="skyline-minwaste", order="given")
    assert p.arrays_used == 1
    assert (int(p.x[2]), int(p.y[2])) == (4, 0)


@pytest.mark.parametrize("binsel,expected", [("next-fit", [0, 1, 1]),
                                             ("first-fit", [0, 1, 0]),
                                             ("best-fit", [0, 1, 1])])
def test_bin_selection_rules(binsel, expected):
    # A leaves 10x5 in array 0, B leaves 10x2 in array 1; C (10x2) goes to the first
    # array with room under first-fit, to the exact fit under best-fit, and to the newest
    # array under next-fit
    p = packed([10, 10, 10], [5, 8, 2], 10, 10, order="given", bin_selection=binsel)
    assert p.array.tolist() == expected


def test_next_fit_never_returns_to_a_closed_array():
    p = packed([10, 10, 10], [6, 6, 4], 10, 10, order="given", bin_selection="next-fit")
    assert p.array.tolist() == [0, 1, 1]


def test_contact_point_prefers_touching_positions():
    p = packed([5, 5], [5, 5], 10, 10, algorithm="maxrects-cp", order="given")
    assert {(int(x), int(y)) for x, y in zip(p.x, p.y)} in ({(0, 0), (5, 0)}, {(0, 0), (0, 5)})


def test_rotation_off_by_default_and_on_request():
    with pytest.raises(ValueError, match=r"rectangle 0 \(w=3, h=10\).*3x10 array \(rows x cols\)"):
        marp.pack([3], [10], array=(3, 10))
    p = packed([3], [10], 10, 3, rotation=True)
    assert p.rotated.tolist() == [True]
    assert p.placed_sizes()[0].tolist() == [10]


def test_oversized_rectangle_unplaced_with_partial():
    p = packed([3, 11, 4], [3, 2, 4], 10, 10, partial=True)
    assert p.placed.tolist() == [True, False, True]
    assert p.unplaced.tolist() == [1]
    assert (p.array[1], p.x[1], p.y[1]) == (-1, -1, -1)


def test_max_arrays_reports_the_rest_unplaced():
    p = packed([10] * 5, [10] * 5, 10, 10, max_arrays=3)
    assert p.arrays_used == 3
    assert p.n_placed == 3
    assert p.unplaced.tolist() == [3, 4]


def test_max_arrays_zero_places_nothing():
    p = packed([1, 2], [1, 2], 10, 10, max_arrays=0)
    assert p.arrays_used == 0 and p.n_placed == 0 and p.utilization == 0.0


def test_empty_input_gives_empty_packing():
    p = packed([], [], 10, 10)
    assert len(p) == 0 and p.arrays_used == 0 and p.utilization == 0.0
    assert p.array.dtype == np.int32


def test_result_arrays_are_int32_and_read_only():
    p = packed([3, 4], [5, 6], 10, 10)
    for a in (p.array, p.x, p.y):
        assert a.dtype == np.int32
        with pytest.raises(ValueError):
            a[0] = 7


def test_accepts_integer_valued_floats_and_numpy_ints():
    p = packed(np.array([2.0, 3.0]), [np.int64(2), np.int16(3)], np.int64(5), 5.0)
    assert p.n_placed == 2


# ---------------------------------------------------------------- orders

def test_area_desc_order_is_stable_with_tie_breaks():
    w = [2, 4, 1, 2, 4]
    h = [2, 1, 4, 2, 1]
    # area 4 for all; ties by height desc then width desc, then input order
    assert marp.item_order(w, h, "area-desc").tolist() == [2, 0, 3, 1, 4]


@pytest.mark.parametrize("order", marp.available_orders())
def test_every_order_is_a_permutation(order):
    rng = np.random.default_rng(1)
    w, h = rng.integers(1, 20, 50), rng.integers(1, 20, 50)
    assert sorted(marp.item_order(w, h, order, seed=3).tolist()) == list(range(50))


def test_random_order_follows_seed():
    w = h = np.arange(1, 40)
    a = marp.item_order(w, h, "random", seed=7)
    assert a.tolist() == marp.item_order(w, h, "random", seed=7).tolist()
    assert a.tolist() != marp.item_order(w, h, "random", seed=8).tolist()


# ---------------------------------------------------------------- bad input

@pytest.mark.parametrize("w,h,match", [
    ([1, 0], [1, 1], r"widths\[1\] = 0 must be positive"),
    ([1, 2], [1, -3], r"heights\[1\] = -3 must be positive"),
    ([1.5], [1], r"widths\[0\] = 1.5 is not an integer"),
    ([1, float("nan")], [1, 1], r"widths\[1\] is nan, not a finite size"),
    ([1, 2], [1], r"widths has 2 entries but heights has 1"),
    ([[1, 2]], [[1, 2]], r"widths must be 1-D"),
    (["a"], [1], r"widths must hold integers"),
    ([True], [1], r"widths must hold integers"),
    (5, 5, r"widths must be a 1-D sequence"),
])
def test_bad_sizes_name_parameter_and_index(w, h, match):
    with pytest.raises((ValueError, TypeError), match=match):
        marp.pack(w, h, array=(10, 10))


@pytest.mark.parametrize("kw,match", [
    ({"algorithm": "maxrects-best"}, r"algorithm='maxrects-best' is not known; valid names: "
                                     r"skyline-bl, skyline-minwaste, maxrects-bssf"),
    ({"bin_selection": "worst-fit"}, r"bin_selection='worst-fit'.*next-fit, first-fit, best-fit"),
    ({"order": "area"}, r"order='area'.*area-desc"),
    ({"max_arrays": -1}, r"max_arrays must be an integer in \[0"),
    ({"seed": -2}, r"seed must be an integer"),
])
def test_bad_options(kw, match):
    with pytest.raises(ValueError, match=match):
        marp.pack([1], [1], array=(10, 10), **kw)


@pytest.mark.parametrize("W,H,match", [(0, 10, "array cols"), (10, -1, "array rows"),
                                       (2.5, 10, "array cols must be an integer")])
def test_bad_array_shape(W, H, match):
    with pytest.raises((ValueError, TypeError), match=match):
        marp.pack([1], [1], array=(H, W))


def test_deprecated_cols_rows_form_still_packs_and_warns():
    with pytest.warns(DeprecationWarning, match=r"array=\(rows, cols\)"):
        old = marp.pack([3, 4], [5, 6], 10, 7)          # array_cols, array_rows
    new = marp.pack([3, 4], [5, 6], array=(7, 10))
    assert old.shape == new.shape == (7, 10)
    assert old.x.tolist() == new.x.tolist() and old.y.tolist() == new.y.tolist()
    with pytest.raises(ValueError, match="array_cols"):
        with pytest.warns(DeprecationWarning):
            marp.pack([1], [1], 0, 10)
    with pytest.raises(TypeError, match="not both"):
        marp.pack([1], [1], 10, 10, array=(10, 10))


def test_oversized_error_names_index_and_suggests_partial():
    with pytest.raises(ValueError, match=r"rectangle 2 \(w=5, h=12\).*partial=True"):
        marp.pack([1, 2, 5], [1, 2, 12], array=(10, 10))


# ---------------------------------------------------------------- properties

sizes = st.integers(1, 40)
instances = st.integers(1, 40).flatmap(lambda W: st.integers(1, 40).flatmap(lambda H: st.tuples(
    st.just(W), st.just(H),
    st.lists(st.tuples(st.integers(1, W), st.integers(1, H)), min_size=0, max_size=60))))


@pytest.mark.parametrize("algorithm", ALGOS)
@pytest.mark.parametrize("bin_selection", BINSELS)
@given(inst=instances)
def test_property_valid_complete_deterministic(algorithm, bin_selection, inst):
    W, H, items = inst
    w = [a for a, _ in items]
    h = [b for _, b in items]
    p = packed(w, h, W, H, algorithm=algorithm, bin_selection=bin_selection)
    assert p.placed.all()
    assert p.arrays_used >= marp.lower_bound(w, h, array=(H, W))
    q = marp.pack(w, h, array=(H, W), algorithm=algorithm, bin_selection=bin_selection)
    assert (p.array.tolist(), p.x.tolist(), p.y.tolist()) == \
           (q.array.tolist(), q.x.tolist(), q.y.tolist())


@pytest.mark.parametrize("algorithm", ALGOS)
@given(inst=instances, extra=st.lists(st.tuples(sizes, sizes), max_size=10),
       rotation=st.booleans(), max_arrays=st.none() | st.integers(0, 5), seed=st.integers(0, 9))
def test_property_partial_and_budget(algorithm, inst, extra, rotation, max_arrays, seed):
    W, H, items = inst
    items = items + extra                       # extras may not fit an empty array
    w = np.array([a for a, _ in items], dtype=np.int64)
    h = np.array([b for _, b in items], dtype=np.int64)
    p = packed(w, h, W, H, algorithm=algorithm, rotation=rotation, partial=True,
               max_arrays=max_arrays, order="random", seed=seed)
    fits = (w <= W) & (h <= H)
    if rotation:
        fits |= (h <= W) & (w <= H)
    assert not p.placed[~fits].any()
    if max_arrays is None:
        assert p.placed[fits].all()                 # every rectangle that fits is placed
    else:
        assert p.arrays_used <= max_arrays
    q = marp.pack(w, h, array=(H, W), algorithm=algorithm, rotation=rotation, partial=True,
                  max_arrays=max_arrays, order="random", seed=seed)
    assert p.array.tolist() == q.array.tolist() and p.x.tolist() == q.x.tolist()


def test_many_arrays_tree_growth():
    # more arrays than the initial 64 tree leaves, with first-fit going back to old ones
    rng = np.random.default_rng(3)
    w, h = rng.integers(1, 33, 3000), rng.integers(1, 33, 3000)
    for algo in ("skyline-bl", "maxrects-bssf"):
        p = packed(w, h, 32, 32, algorithm=algo, order="random", seed=1)
        assert p.arrays_used > 200 and p.placed.all()


def test_rotation_must_be_a_bool():
    with pytest.raises(TypeError, match="rotation must be True or False, or one bool per "
                                        "rectangle \\(1\\), got .no."):
        marp.pack([1], [1], array=(4, 4), rotation="no")


def test_config_sides_are_limited_like_pack():
    arch = marp.load_arch("qracc")
    with pytest.raises(marp.ArchError, match=r"aimc.array_rows: 2147483648 out of range"):
        arch.with_values({"aimc.array_rows": 2**31})
