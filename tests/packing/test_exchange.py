import numpy as np
import pytest

import marp
import marp.packing.refine as refine
from marp.packing.dff import dff_bound
from marp.packing.exchange import Weights, big_items, exchange
from marp.packing.packer import pack_trusted


def uniform(n, seed, side=256):
    rng = np.random.default_rng(seed)
    return (rng.integers(1, side + 1, n).astype(np.int32),
            rng.integers(1, side + 1, n).astype(np.int32))


def test_big_items_are_over_half_on_both_sides():
    w = np.array([6, 5, 6, 10])
    h = np.array([6, 6, 5, 10])
    assert big_items(w, h, 10, 10).tolist() == [True, False, False, True]


def test_weights_sum_to_a_valid_dff_bound():
    w, h = uniform(400, 1)
    totals = Weights(w, h, 256, 256).totals(np.arange(400))
    # its pairs are a subset of dff.py's, so their bound is no higher
    assert int(np.ceil(totals.max() - 1e-9)) <= dff_bound(w.astype(np.int64),
                                                         h.astype(np.int64), 256, 256)


def test_no_exchange_without_big_items():
    w, h = uniform(300, 2, side=128)
    a, x, y, used = pack_trusted(w, h, (256, 256))
    assert exchange(w, h, (256, 256), a, used) is None


@pytest.mark.parametrize("seed", [6, 18])
def test_exchanged_big_arrays_still_pack_and_the_rest_can_lose_an_array(seed):
    w, h = uniform(1000, seed)
    a, x, y, used = pack_trusted(w, h, (256, 256))
    found = exchange(w, h, (256, 256), a, used, margin=0.0)
    assert found is not None
    n_big, at, placed = found
    in_big = np.flatnonzero(at >= 0)
    # each big item's array keeps its one big item
    assert sorted(at[big_items(w, h, 256, 256)].tolist()) == list(range(n_big))
    # items that joined a big item's array have new places; all of them checked by verify
    joined = in_big[~np.isin(a[in_big], a[big_items(w, h, 256, 256)])]
    assert set(joined.tolist()) <= set(placed)
    xs, ys = x.copy(), y.copy()
    for i, (px, py) in placed.items():
        xs[i], ys[i] = px, py
    p = marp.Packing.from_placements(at[in_big], xs[in_big], ys[in_big], w[in_big],
                                     h[in_big], shape=(256, 256))
    marp.verify(p, w[in_big], h[in_big], array=(256, 256))
    rest = np.flatnonzero(at < 0)
    n_rest = used - n_big
    assert Weights(w, h, 256, 256).totals(rest).max() <= n_rest - 1 + 1e-9


def test_refinement_through_the_exchange_is_valid_and_deterministic(monkeypatch):
    calls = []

    def spy(*args, **kwargs):
        out = exchange(*args, **kwargs)
        calls.append(out is not None)
        return out

    merged = []
    merge = refine._merge

    def merge_spy(*args):
        merged.append(1)
        return merge(*args)

    monkeypatch.setattr(refine, "exchange", spy)
    monkeypatch.setattr(refine, "_merge", merge_spy)
    w, h = uniform(1000, 18)
    p = marp.pack(w, h, array=(256, 256), refine_iterations=3000, refine_workers=1)
    q = marp.pack(w, h, array=(256, 256), refine_iterations=3000, refine_workers=1)
    assert any(calls) and merged          # the rest lost an array: merged back
    marp.verify(p, w, h, array=(256, 256))
    assert p.arrays_used <= p.arrays_before_refine
    assert (p.array.tolist(), p.x.tolist(), p.y.tolist()) == \
        (q.array.tolist(), q.x.tolist(), q.y.tolist())


def test_gaps_of_big_arrays_take_items_of_the_rest_that_fit():
    from marp.packing.exchange import _fill_gaps, _Groups
    # array 0: a 200 x 200 big item; array 1 (the rest): 50 x 50 fits beside it,
    # 60 x 250 does not (the big item leaves 56 columns), 40 x 40 fits after 50 x 50
    w = np.array([200, 60, 50, 40], dtype=np.int32)
    h = np.array([200, 250, 50, 40], dtype=np.int32)
    array = np.array([0, 1, 1, 1], dtype=np.int32)
    g = _Groups(w, h, 256, 256, array, 2)
    placed = {}
    _fill_gaps(g, 0, placed, None)
    assert g.at.tolist() == [0, -1, 0, 0]
    assert set(placed) == {0, 2, 3}
    items = [0, 2, 3]
    xs = np.array([placed[i][0] for i in items])
    ys = np.array([placed[i][1] for i in items])
    p = marp.Packing.from_placements(np.zeros(3, np.int32), xs, ys, w[items], h[items],
                                     shape=(256, 256))
    marp.verify(p, w[items], h[items], array=(256, 256))


def test_rest_below_its_bound_still_fills_gaps_and_loses_its_arrays():
    # arrays 0 and 1 hold a 200 x 200 big item each, arrays 2 and 3 one small item each:
    # the rest's bound (1) is below its count (2), so no exchange; both smalls fit into
    # the big items' gaps, so the rest empties and the packing drops to 2 arrays
    w = np.array([200, 200, 50, 40], dtype=np.int32)
    h = np.array([200, 200, 50, 40], dtype=np.int32)
    state = dict(array=np.array([0, 1, 2, 3], np.int32), x=np.zeros(4, np.int32),
                 y=np.zeros(4, np.int32), rot=np.zeros(4, np.int8), arrays=4)
    found = exchange(w, h, (256, 256), state["array"], 4)
    assert found is not None and (found[1] >= 0).all()
    inst = refine.Instance(w, h, 256, 256, False, {"area-desc": np.arange(4)})
    refine._run_exchange(inst, state, refine.Budget(None, 1000), seed=0, workers=1)
    assert state["arrays"] == 2
    p = marp.Packing.from_placements(state["array"], state["x"], state["y"], w, h,
                                     shape=(256, 256))
    marp.verify(p, w, h, array=(256, 256))


def test_no_exchange_when_nothing_can_move():
    # the rest's 60 x 250 item fits beside no 200 x 200 big item, and the rest may lose
    # no array by an exchange: nothing to do
    w = np.array([200, 60], dtype=np.int32)
    h = np.array([200, 250], dtype=np.int32)
    assert exchange(w, h, (256, 256), np.array([0, 1], np.int32), 2) is None
