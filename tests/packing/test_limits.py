"""Sizes at the stated limit (sides up to 2^30 - 1): no crash, no wrapped coordinate, no
overflowed total; beyond it, a clear error (issue 16, items 1-4)."""
import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import marp
from marp._validate import MAX_SIDE
from marp.io.readers import RectsFormatError, read_2bp


def independent_check(p, w, h, rows, cols):
    """Every placed rectangle inside its array, no two overlapping (plain numpy)."""
    w, h = np.asarray(w, dtype=np.int64), np.asarray(h, dtype=np.int64)
    pw = np.where(p.rotated, h, w)
    ph = np.where(p.rotated, w, h)
    x, y, a = p.x.astype(np.int64), p.y.astype(np.int64), p.array
    ok = a >= 0
    assert ((x[ok] >= 0) & (y[ok] >= 0) & (x[ok] + pw[ok] <= cols)
            & (y[ok] + ph[ok] <= rows)).all()
    i = np.flatnonzero(ok)
    for k in range(i.size):
        j = i[k + 1:]
        j = j[a[j] == a[i[k]]]
        clash = (x[j] < x[i[k]] + pw[i[k]]) & (x[i[k]] < x[j] + pw[j]) & \
            (y[j] < y[i[k]] + ph[i[k]]) & (y[i[k]] < y[j] + ph[j])
        assert not clash.any(), (i[k], j[clash])


CHILD = """
import json, sys
import numpy as np, marp
spec = json.loads(sys.argv[1])
r = np.random.default_rng(spec["seed"])
w = r.integers(spec["lo"], spec["hi"], spec["n"])
h = r.integers(spec["lo"], spec["hi"], spec["n"])
out = []
for algo in marp.available_algorithms():
    try:
        p = marp.pack(w, h, array=(spec["side"], spec["side"]), algorithm=algo,
                      rotation=True, refine_iterations=spec["iterations"], seed=1)
    except ValueError as exc:
        out.append({"algo": algo, "error": str(exc)})
        continue
    out.append({"algo": algo, "array": p.array.tolist(), "x": p.x.tolist(),
                "y": p.y.tolist(), "rot": p.rotated.tolist(), "used": p.arrays_used})
print(json.dumps({"w": w.tolist(), "h": h.tolist(), "runs": out}))
"""


def run_child(**spec):
    """Packs in a subprocess, so that a crash of a kernel fails the test, not the run."""
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(spec)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr[-500:]}"
    return json.loads(done.stdout)


def test_the_segfault_case_is_a_clear_error_now():
    got = run_child(seed=1, lo=2**28, hi=2**31 - 1, n=300, side=2**31 - 1, iterations=100)
    assert all("exceeds 1,073,741,823 (2^30 - 1)" in r["error"] for r in got["runs"])


@settings(max_examples=12, deadline=None)
@given(st.integers(0, 2**16), st.integers(1, 120), st.sampled_from([1, 2**20, 2**27, 2**29]),
       st.sampled_from([MAX_SIDE, 2**29 + 12345, 2**30 - 2**20]))
def test_sides_up_to_the_limit_pack_validly_with_refinement(seed, n, lo, side):
    """Every algorithm, rotation and refinement included, on sizes drawn up to the limit;
    in a subprocess, so that a kernel crash fails the test instead of aborting pytest."""
    got = run_child(seed=seed, lo=min(lo, side), hi=side + 1, n=n, side=side, iterations=40)
    for r in got["runs"]:
        assert "error" not in r, r
        p = marp.Packing.from_placements(r["array"], r["x"], r["y"], got["w"], got["h"],
                                         shape=(side, side), rotated=r["rot"])
        marp.verify(p, got["w"], got["h"], array=(side, side))
        independent_check(p, got["w"], got["h"], side, side)
        assert p.placed.all()


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 40), st.sampled_from(marp.available_algorithms()),
       st.sampled_from([MAX_SIDE, 2**29 + 7, 3]), st.booleans())
def test_thin_tall_items_never_wrap(n, algo, cols, rotation):
    w = np.full(n, 1 + cols // 3)
    h = np.full(n, MAX_SIDE // 2 + 1)
    p = marp.pack(w, h, array=(MAX_SIDE, cols), algorithm=algo, rotation=rotation,
                  partial=True)
    independent_check(p, w, h, MAX_SIDE, cols)


def test_totals_are_exact_past_64_bits():
    p = marp.pack([MAX_SIDE] * 3, [MAX_SIDE] * 3, array=(MAX_SIDE, MAX_SIDE))
    assert p.utilization == 1.0 and p.placed_area == 3 * MAX_SIDE ** 2
    lb = marp.lower_bounds([2**29] * 100000, [2**29] * 100000, array=(MAX_SIDE, MAX_SIDE))
    assert lb.area == -(-100000 * 2**58 // MAX_SIDE ** 2) == 25001
    assert lb.value == 100000          # each item is more than half of the array each way


def test_beyond_the_limit_every_entry_point_says_so(tmp_path):
    with pytest.raises(ValueError, match=r"heights\[0\] = 1073741924 exceeds"):
        marp.pack([5, 5], [2**30 + 100] * 2, array=(MAX_SIDE, 10))
    with pytest.raises(ValueError, match=r"array rows must be an integer in \[1, 1073741823\]"):
        marp.pack([5], [5], array=(2**31 - 1, 10))
    f = tmp_path / "big.2bp"
    f.write_text("1 CLASS\n1 N\n1 1 RELATIVE AND ABSOLUTE N. OF INSTANCE\n10 10 HBIN,WBIN\n"
                 "4294967301 5\n")
    with pytest.raises(RectsFormatError, match="item size .4294967301, 5. must be in"):
        read_2bp(f)


def test_placements_are_never_wrapped():
    with pytest.raises(ValueError, match=r"x\[0\] = 4294967297 is outside"):
        marp.Packing.from_placements([0], [2**32 + 1], [0], [1], [1], shape=(10, 10))
    with pytest.raises(ValueError, match=r"array\[0\] = 4294967296 is outside"):
        marp.Packing.from_placements([2**32], [0], [0], [1], [1], shape=(10, 10))
    p = marp.Packing.from_placements([0], [0], [0], [1], [1], shape=(10, 10),
                                     arrays_used=2**31 - 1)
    with pytest.raises(marp.InvalidPackingError, match="array 1 holds no rectangle"):
        marp.verify(p, [1], [1], array=(10, 10))             # no 2^31-entry allocation
