import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from marp.compiler.replication import BudgetError, for_latency, for_throughput


def lrmp_milp_brute_force(T, s, N, objective):
    """LRMP's linearised MILP: a binary x[l][k] per layer l and factor k (exactly one per
    layer), budget sum_l sum_k k * s[l] * x[l][k] <= N, objective linear in x (T[l] / k or
    the bound M >= T[l] / k for throughput). Solved by enumerating every binary choice."""
    best, best_r = None, None
    ranges = [range(1, N // si + 1) for si in s]
    for r in itertools.product(*ranges):
        if sum(k * si for k, si in zip(r, s)) > N:
            continue
        value = (max if objective == "throughput" else sum)(t / k for t, k in zip(T, r))
        if best is None or value < best - 1e-12:
            best, best_r = value, r
    return best, best_r


cases = st.integers(1, 4).flatmap(lambda n: st.tuples(
    st.lists(st.integers(0, 50), min_size=n, max_size=n),
    st.lists(st.integers(1, 3), min_size=n, max_size=n), st.integers(0, 8)))


OBJECTIVES = {"throughput": (for_throughput, max), "latency": (for_latency, sum)}


@pytest.mark.parametrize("objective", OBJECTIVES)
@given(case=cases)
def test_optimal_against_lrmp_milp(objective, case):
    allocate, combine = OBJECTIVES[objective]
    T, s, extra = case
    N = sum(s) + extra
    r = allocate(T, s, N)
    assert (r * np.array(s)).sum() <= N and (r >= 1).all()
    best, _ = lrmp_milp_brute_force(T, s, N, objective)
    assert combine(t / k for t, k in zip(T, r)) == pytest.approx(best)


def test_exact_small_case():
    # layer 0 is the bottleneck; 4 spare arrays buy it 2 more copies (2 arrays each)
    assert for_throughput([90, 30, 10], [2, 1, 1], 8).tolist() == [3, 1, 1]
    r = for_latency([90, 30, 10], [2, 1, 1], 8)      # [2, 3, 1] and [2, 2, 2] tie at 65
    assert sum(t / k for t, k in zip([90, 30, 10], r)) == 65 and r.tolist() == [2, 3, 1]


def test_budget_too_small():
    with pytest.raises(BudgetError, match="one copy of every layer needs 4 arrays but the "
                                          "budget is 3"):
        for_throughput([1, 2], [2, 2], 3)
