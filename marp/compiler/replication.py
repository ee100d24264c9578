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

from marp._validate import positive_int
from marp.compiler.options import REPLICATION
from marp.costmodel.accounting import cost, one_to_one
from marp.workload.layers import Layers, Workload


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


def replicate(workloads, blocks, combined, arch, objective, budget):
    """(replicated workloads, replicated blocks, copies per layer) for ``objective``
    ("throughput" or "latency") under ``budget`` arrays (the bank when None).

    Each copy of a layer gets its own job number (it reads other input vectors) and takes
    ``ceil(vectors / r)`` of the work; digital layers stay single.
    """
    REPLICATION.get(objective)
    budget = arch.aimc.slots if budget is None else positive_int("replicate_arrays", budget)
    alone = cost((blocks, one_to_one(blocks)), combined, arch, baseline=False)
    sizes = np.bincount(blocks.layer, minlength=len(combined))
    mapped = np.flatnonzero(sizes > 0)
    solve = for_throughput if objective == "throughput" else for_latency
    try:
        pick = solve(alone.layers["time_ns"][mapped], sizes[mapped], budget)
    except BudgetError as exc:
        raise BudgetError(f"replicate: {exc} (one array per block of each copy, as LRMP "
                          f"counts tiles); give a larger replicate_arrays") from None
    factors = np.ones(len(combined), dtype=np.int64)
    factors[mapped] = pick
    copies = factors[blocks.layer]
    index = np.repeat(np.arange(len(blocks)), copies)
    copy = np.arange(index.size) - np.repeat(np.cumsum(copies) - copies, copies)
    stride = int(blocks.job.max()) + 1 if len(blocks) else 1
    job = (blocks.job[index] + copy * stride).astype(np.int32)
    return _split_vectors(workloads, factors), blocks.take(index, job=job), factors


def _split_vectors(workloads, factors):
    """The workloads with each layer's vectors divided among its copies."""
    out, start = [], 0
    for w in workloads:
        recs = w.layers.records()
        for rec in recs:
            rec.pop("index")
            rec["vectors"] = -(-rec["vectors"] // int(factors[start]))
            start += 1
        out.append(Workload(name=w.name, source=w.source, layers=Layers.from_records(recs),
                            digital=w.digital, skipped=w.skipped, inputs=w.inputs,
                            batch=w.batch))
    return tuple(out)
