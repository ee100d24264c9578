"""Proven-optimal packings where they are within reach: a CP-SAT model of oriented 2D bin
packing (extra ``exact``: OR-Tools), run after the heuristic.

The model, for n rectangles and at most ``U`` arrays (the heuristic's count):

* ``x[i, b]``: rectangle i sits in array b (exactly one b); array b is used (``u[b]``)
  when any rectangle sits in it;
* one position per rectangle (column ``X_i`` in ``[0, W - w_i]``, row ``Y_i`` in
  ``[0, H - h_i]``), and per array a no-overlap-2D constraint over the rectangles'
  optional intervals present in it; the cells of an array bound what it holds;
* symmetry breaking: the rectangles in area-descending order, rectangle i only in the
  first i + 1 arrays, arrays used in order (``u[b] >= u[b + 1]``);
* minimise the arrays used, at least the lower bound; the heuristic's packing is the hint.

:func:`solve` returns the best packing found and what is proven: ``"optimal"`` when the
solver closes the gap (or the heuristic already equals a lower bound: ``"bound"``), else
``"heuristic"`` with the best lower bound proven (the larger of marp's bounds and the
solver's). For hundreds of rectangles or more the model is large: use it on small
instances and to certify (the issue measured no gain over the heuristic at 1,000).
"""
from __future__ import annotations

import numpy as np

MAX_ITEMS = 400          # beyond this the model is too large to help (see the module doc)


def solve(w, h, W: int, H: int, heuristic, lower: int, seconds: float, seed: int = 0):
    """(array, x, y, arrays used, status, lower bound) for sizes ``w``, ``h`` (int
    arrays, every rectangle fitting an array) starting from ``heuristic`` (a Packing of
    them, every rectangle placed)."""
    used = heuristic.arrays_used
    if used <= lower:
        return heuristic.array, heuristic.x, heuristic.y, used, "bound", lower
    if len(w) > MAX_ITEMS or seconds <= 0:
        return heuristic.array, heuristic.x, heuristic.y, used, "heuristic", lower
    from ortools.sat.python import cp_model   # optional extra (marp[exact]), on use only

    n, U = len(w), used
    order = np.lexsort((-h, -(w.astype(np.int64) * h)))      # area-desc, then taller
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    m = cp_model.CpModel()
    X = [m.NewIntVar(0, int(W - w[i]), f"x{i}") for i in range(n)]
    Y = [m.NewIntVar(0, int(H - h[i]), f"y{i}") for i in range(n)]
    u = [m.NewBoolVar(f"u{b}") for b in range(U)]
    inside = {}
    for i in range(n):
        bins = range(min(U, int(rank[i]) + 1))               # symmetry: the i-th in <= i
        for b in bins:
            inside[i, b] = m.NewBoolVar(f"in{i}_{b}")
            m.AddImplication(inside[i, b], u[b])
        m.AddExactlyOne(inside[i, b] for b in bins)
    for b in range(U):
        mine = [i for i in range(n) if (i, b) in inside]
        xs = [m.NewOptionalFixedSizeIntervalVar(X[i], int(w[i]), inside[i, b], f"ix{i}_{b}")
              for i in mine]
        ys = [m.NewOptionalFixedSizeIntervalVar(Y[i], int(h[i]), inside[i, b], f"iy{i}_{b}")
              for i in mine]
        m.AddNoOverlap2D(xs, ys)
        m.Add(sum(int(w[i]) * int(h[i]) * inside[i, b] for i in mine) <= W * H * u[b])
        if b + 1 < U:
            m.AddImplication(u[b + 1], u[b])
    m.Add(sum(u) >= lower)
    m.Minimize(sum(u))
    _hint(m, heuristic, X, Y, inside, u, rank)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = float(seconds)
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = int(seed)
    result = solver.Solve(m)
    proven = max(lower, int(np.ceil(solver.BestObjectiveBound() - 1e-9))) \
        if result in (cp_model.OPTIMAL, cp_model.FEASIBLE) else lower
    if result not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or solver.ObjectiveValue() >= used:
        status = "optimal" if result == cp_model.OPTIMAL or proven >= used else "heuristic"
        return heuristic.array, heuristic.x, heuristic.y, used, status, min(proven, used)
    array = np.array([next(b for b in range(U) if (i, b) in inside and
                           solver.Value(inside[i, b])) for i in range(n)], dtype=np.int32)
    # arrays renumbered in order of first use, none left empty
    _, array = np.unique(array, return_inverse=True)
    x = np.array([solver.Value(v) for v in X], dtype=np.int32)
    y = np.array([solver.Value(v) for v in Y], dtype=np.int32)
    count = int(array.max()) + 1 if n else 0
    status = "optimal" if result == cp_model.OPTIMAL or proven >= count else "heuristic"
    return array.astype(np.int32), x, y, count, status, min(proven, count)


def _hint(m, heuristic, X, Y, inside, u, rank):
    """The heuristic's packing as the solver's hint, its arrays renumbered so that the
    symmetry breaking (rectangle i in the first i + 1 arrays) allows it where it can."""
    first = {}
    for i in np.argsort(rank, kind="stable"):
        first.setdefault(int(heuristic.array[i]), len(first))
    for i in range(len(X)):
        m.AddHint(X[i], int(heuristic.x[i]))
        m.AddHint(Y[i], int(heuristic.y[i]))
    for (i, b), var in inside.items():
        m.AddHint(var, int(b == first[int(heuristic.array[i])]))
    for b, var in enumerate(u):
        m.AddHint(var, int(b < heuristic.arrays_used))
