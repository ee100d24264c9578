"""Proven-optimal packings (marp.packing.exact, extra exact: OR-Tools)."""
import pytest

import marp
from tilings import tiling

pytest.importorskip("ortools", reason="the exact extra is not installed "
                    "(pip install 'marp[exact]'; .ci/run installs it)")


@pytest.mark.parametrize("seed", [2, 4, 5])
def test_perfect_tilings_are_solved_to_their_optimum(seed):
    ws, hs = tiling(seed, 3, 10, 6)
    heuristic = marp.pack(ws, hs, array=(10, 10))
    assert heuristic.arrays_used == 4 and heuristic.status == "heuristic"
    p = marp.pack(ws, hs, array=(10, 10), exact_seconds=20)
    assert p.arrays_used == 3 and p.status == "optimal" and p.lower_bound == 3
    marp.verify(p, ws, hs, array=(10, 10))


OPEN_GAP = [3, 6, 6, 4, 4, 6, 6, 5], [4, 3, 6, 4, 5, 5, 3, 4]    # 3 arrays, every bound 2


def test_optimality_is_proven_above_the_lower_bound():
    ws, hs = OPEN_GAP
    p0 = marp.pack(ws, hs, array=(10, 10))
    assert (p0.arrays_used, p0.lower_bound, p0.status) == (3, 2, "heuristic")
    p = marp.pack(ws, hs, array=(10, 10), exact_seconds=20)
    assert (p.arrays_used, p.lower_bound, p.status) == (3, 3, "optimal")


def test_a_packing_at_the_bound_needs_no_solver():
    p = marp.pack([5, 5], [10, 10], array=(10, 10), exact_seconds=0)
    assert (p.arrays_used, p.status, p.lower_bound) == (1, "bound", 1)
    q = marp.pack([5, 5], [10, 10], array=(10, 10))
    assert q.status == "bound" and q == p


def test_status_survives_json(tmp_path):
    ws, hs = OPEN_GAP
    p = marp.pack(ws, hs, array=(10, 10), exact_seconds=20)
    back = marp.Packing.from_dict(p.to_dict(), ws, hs, 10, 10)
    assert back.status == "optimal" and back.lower_bound == 3


def test_exact_errors():
    with pytest.raises(ValueError, match="exact_seconds must be a finite number >= 0"):
        marp.pack([1], [1], array=(4, 4), exact_seconds=-1)
    with pytest.raises(ValueError, match="oriented packing only"):
        marp.pack([1], [1], array=(4, 4), rotation=True, exact_seconds=1)
    with pytest.raises(ValueError, match="needs every rectangle placed; 1 are unplaced"):
        marp.pack([1, 5], [1, 5], array=(4, 4), partial=True, exact_seconds=1)
