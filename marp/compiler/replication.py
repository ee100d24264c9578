"""Replication factors for bottleneck layers under an array budget (LRMP's problem).

Layer l takes ``T[l]`` alone; with ``r[l]`` copies each takes ``T[l] / r[l]`` of the work
and the copies cost ``r[l] * s[l]`` arrays; ``sum(r * s) <= N``, ``r >= 1``.

* :func:`for_throughput` minimises ``max T / r`` exactly: the optimum is one of the values
  ``T[l] / k``; for a bound M the fewest copies are ``ceil(T / M)``, so a binary search over
  the sorted candidates finds the smallest feasible M.
* :func:`for_latency` minimises ``sum T / r`` exactly: the objective is separable and
  convex in each ``r[l]``, solved by dynamic programming over the budget.

LRMP linearises the same problem as a MILP (a binary per layer and factor); the tests
check both functions against it, solved by brute force on small cases.
"""
from __future__ import annotations

import math

import numpy as np


class BudgetError(ValueError):
    """One copy of every layer does not fit the budget."""


def _check(T, s, N):
    T = np.asarray(T, dtype=float)
    s = np.asarray(s, dtype=np.int64)
    if T.shape != s.shape or T.ndim != 1:
        raise ValueError(f"times and sizes must be 1-D of one length, got {T.shape}, {s.shape}")
    if (s <= 0).any() or (T < 0).any():
        raise ValueError("sizes must be positive and times non-negative")
    if int(s.sum()) > N:
        raise BudgetError(f"one copy of every layer needs {int(s.sum())} arrays but the "
                          f"budget is {N}")
    return T, s


def for_throughput(T, s, N: int) -> np.ndarray:
    """Factors minimising the bottleneck ``max T / r`` with ``sum(r * s) <= N``."""
    T, s = _check(T, s, N)
    if T.size == 0:
        return np.zeros(0, dtype=np.int64)
    most = N // s
    candidates = np.unique(np.concatenate([T[l] / np.arange(1, most[l] + 1)
                                           for l in range(T.size) if T[l] > 0] or [[0.0]]))

    def copies(M):
        if M <= 0:
            return np.where(T > 0, N + 1, 1)
        return np.maximum(1, np.ceil(T / M - 1e-12).astype(np.int64))

    lo, hi = 0, candidates.size - 1               # the largest candidate is always feasible
    while lo < hi:
        mid = (lo + hi) // 2
        if int((copies(candidates[mid]) * s).sum()) <= N:
            hi = mid
        else:
            lo = mid + 1
    return copies(candidates[lo])


def for_latency(T, s, N: int) -> np.ndarray:
    """Factors minimising ``sum T / r`` with ``sum(r * s) <= N`` (exact DP)."""
    T, s = _check(T, s, N)
    spare = N - int(s.sum())                      # arrays left after one copy each
    best = np.zeros(spare + 1)                    # best[b]: least time with b spare used
    choice = []
    for l in range(T.size):
        extra_max = spare // s[l]
        new = np.full(spare + 1, math.inf)
        pick = np.zeros(spare + 1, dtype=np.int64)
        for k in range(extra_max + 1):            # k extra copies of layer l
            cost = k * s[l]
            cand = np.full(spare + 1, math.inf)
            cand[cost:] = best[: spare + 1 - cost] + T[l] / (k + 1)
            better = cand < new
            new[better] = cand[better]
            pick[better] = k
        best = new
        choice.append(pick)
    b = int(np.argmin(best))
    r = np.ones(T.size, dtype=np.int64)
    for l in range(T.size - 1, -1, -1):
        k = int(choice[l][b])
        r[l] += k
        b -= k * int(s[l])
    return r
