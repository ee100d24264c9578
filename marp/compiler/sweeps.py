"""Design-space exploration: ``sweep(models, arch, space) -> SweepResult``.

Every point of the space (the cartesian product of ``space``'s lists, or a list of
point dicts) is compiled and costed; a point that fails (a model that cannot fit, an
invalid combination) is a row with its reason, never a crash of the sweep. The Pareto
front over the objectives (all minimised) is marked.

Space keys: ``rows``, ``cols`` (array geometry; row parallelism and ADCs are capped to
it), ``bank`` (arrays, or macros, in the bank), ``depth`` (slots per macro,
``aimc.depth``), ``slot_policy``, ``weight_bits``, ``cell_bits``, ``depthwise``,
``grouped``, ``slice_layout``, ``packing``. By default the points run in a local process pool whose workers receive the
models once (not once per point); ``executor=`` takes any ``concurrent.futures.Executor``.
"""
from __future__ import annotations

import csv
import ctypes
import io
import itertools
import os
import signal
import sys
from dataclasses import dataclass

import numpy as np

from marp.compiler.driver import load_all, prepare, settle
from marp.compiler.options import CompileOptions
from marp.hardware.arch import load_arch
from marp.io.files import write_atomic

SPACE_KEYS = ("rows", "cols", "bank", "depth", "slot_policy", "weight_bits", "cell_bits",
              "depthwise", "grouped", "slice_layout", "packing")
# points that differ only in these share their lowering and packing
_SETTLE_KEYS = ("bank", "depth", "slot_policy")
METRICS = ("arrays_used", "arrays_one_to_one", "utilization", "latency_us", "energy_uj",
           "tops_per_w", "cells", "bank_arrays", "bank_cells", "macros_used", "phases",
           "cells_written_per_inference")
# "arrays": images the mapping uses; "bank": arrays on the chip (the design variable;
# a smaller bank rotates images through it, see marp.costmodel.schedule)
OBJECTIVE_NAMES = {"arrays": "arrays_used", "bank": "bank_arrays", "latency_us": "latency_us",
                   "energy_uj": "energy_uj", "cells": "cells", "bank_cells": "bank_cells"}

_WORKER_MODELS = None        # set once per worker process by the pool initializer


@dataclass(frozen=True)
class SweepResult:
    """One row per point (its parameters, metrics or ``error``) and the Pareto flags."""

    rows: list
    objectives: tuple

    def __repr__(self) -> str:
        return (f"SweepResult({len(self.rows)} points, {len(self.failed)} failed, "
                f"{len(self.pareto)} on the front over {', '.join(self.objectives)})")

    def column(self, name: str) -> np.ndarray:
        return np.array([r.get(name) for r in self.rows], dtype=object)

    @property
    def pareto(self) -> list:
        return [r for r in self.rows if r.get("pareto")]

    @property
    def failed(self) -> list:
        """The rows of points that failed (each with its ``error``)."""
        return [r for r in self.rows if "error" in r]

    def to_csv(self, path, rows=None) -> None:
        """The rows (default all) as CSV: the swept keys, the metrics, ``pareto``,
        ``error``; keys no point sets are left out."""
        rows = self.rows if rows is None else rows
        keys = swept_keys(self.rows) + list(METRICS) + ["pareto", "error"]
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=keys, extrasaction="ignore",
                                lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        write_atomic(os.fspath(path), out.getvalue())      # whole or not at all


def swept_keys(pts) -> list[str]:
    """The space keys that some point sets, in ``SPACE_KEYS`` order."""
    have = {k for p in pts for k in p}
    return [k for k in SPACE_KEYS if k in have]


def points(space) -> list[dict]:
    """The points of a space: a dict of lists (cartesian product) or a list of dicts."""
    if isinstance(space, dict):
        unknown = sorted(set(space) - set(SPACE_KEYS))
        if unknown:
            raise ValueError(f"space keys {unknown} are not known; valid keys: "
                             f"{', '.join(SPACE_KEYS)}")
        keys = list(space)
        values = [v if isinstance(v, (list, tuple)) else [v] for v in space.values()]
        return [dict(zip(keys, combo)) for combo in itertools.product(*values)]
    out = [dict(p) for p in space]
    for i, p in enumerate(out):
        unknown = sorted(set(p) - set(SPACE_KEYS))
        if unknown:
            raise ValueError(f"space[{i}] keys {unknown} are not known; valid keys: "
                             f"{', '.join(SPACE_KEYS)}")
    return out


def _arch_for(arch, point):
    values = arch.geometry_values(point.get("rows"), point.get("cols"))
    for key, path in (("bank", "aimc.arrays"), ("depth", "aimc.depth"),
                      ("weight_bits", "aimc.weight_bits"), ("cell_bits", "aimc.cell_bits")):
        if key in point:
            values[path] = int(point[key])
    return arch.with_values(values) if values else arch


def _row(point, report, n_blocks, g) -> dict:
    row = dict(point)
    t = report.totals
    for k in ("arrays_used", "utilization", "latency_us", "energy_uj", "tops_per_w",
              "bank_arrays", "macros_used", "phases", "cells_written_per_inference"):
        row[k] = t[k]
    row["arrays_one_to_one"] = n_blocks
    row["cells"] = t["arrays_used"] * g.aimc.array_rows * g.aimc.array_cols
    row["bank_cells"] = g.aimc.slots * g.aimc.array_rows * g.aimc.array_cols
    return row


def evaluate_group(group, workloads, arch) -> list:
    """Rows of points that differ only in ``bank``, ``depth`` and ``slot_policy``:
    lowered and packed once, then fitted to each bank and costed (as ``compile`` would,
    one point at a time)."""
    rows, prepared = [], None
    for point in group:
        try:
            g = _arch_for(arch, point)
            opts = CompileOptions(depthwise=point.get("depthwise", "digital"),
                                  grouped=point.get("grouped", "diagonal"),
                                  slice_layout=point.get("slice_layout", "adjacent"),
                                  packing=point.get("packing", "maxrects-bssf"),
                                  slot_policy=point.get("slot_policy", "stack"))
            if prepared is None:
                prepared = prepare(tuple(workloads), g, opts)
            report = settle(prepared, g, opts, baseline=False)[3]
            rows.append(_row(point, report, len(prepared[1]), g))
        except (ValueError, TypeError) as exc:
            rows.append({**point, "error": f"{type(exc).__name__}: {exc}"})
    return rows


def evaluate(point, workloads, arch) -> dict:
    """One row: the point, its metrics, or its error."""
    return evaluate_group([point], workloads, arch)[0]


def _groups(pts) -> list:
    """Indices of the points, grouped by everything but the bank, depth and slot policy;
    the groups with the smallest arrays (the most blocks: the longest to run) first, so
    that no worker is left with a long one at the end."""
    groups = {}
    for i, p in enumerate(pts):
        key = tuple(sorted((k, v) for k, v in p.items() if k not in _SETTLE_KEYS))
        groups.setdefault(key, []).append(i)

    def cells(idx):
        p = pts[idx[0]]
        return float(p.get("rows") or np.inf) * float(p.get("cols") or np.inf)

    return sorted(groups.values(), key=cells)       # stable: point order among equals


def _init_worker(workloads, arch):
    global _WORKER_MODELS
    _WORKER_MODELS = (workloads, arch)
    _die_with_parent()


def _die_with_parent() -> None:
    """On Linux, ask the kernel to end this worker when the sweep's process dies, even by
    SIGKILL (no orphan keeps computing). Elsewhere a no-op."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)          # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:                      # the parent died before the call
        os._exit(1)


def _evaluate_in_worker(group):
    workloads, arch = _WORKER_MODELS
    return evaluate_group(group, workloads, arch)


def _stop(pool) -> None:
    """Cancel what has not started and end the workers now (shutdown alone would wait for
    the running points)."""
    pool.shutdown(wait=False, cancel_futures=True)
    procs = getattr(pool, "_processes", None) or {}     # private, hence the care
    for proc in list(procs.values()):
        proc.terminate()


def mark_pareto(rows, objectives) -> None:
    """Set row["pareto"] on the non-dominated successful rows (objectives minimised).
    Points with the same objective values as an earlier point on the front are not
    listed again (``row["same_as"]`` is the index of the first)."""
    ok = [i for i, r in enumerate(rows) if "error" not in r]
    vals = np.array([[rows[i][OBJECTIVE_NAMES[o]] for o in objectives] for i in ok],
                    dtype=float).reshape(len(ok), len(objectives))
    first = {}
    for k, i in enumerate(ok):
        dominated = np.any(np.all(vals <= vals[k], axis=1) & np.any(vals < vals[k], axis=1))
        key = tuple(vals[k].tolist())
        if not dominated and key in first:
            rows[i]["same_as"] = first[key]
        rows[i]["pareto"] = bool(not dominated and key not in first)
        if not dominated:
            first.setdefault(key, i)
    for r in rows:
        r.setdefault("pareto", False)


def _evaluate_shared(group, shared):
    workloads, arch = shared
    return evaluate_group(group, workloads, arch)


def _run_dask(scheduler, pts, workloads, arch, done):
    """Points on a Dask cluster: the models are scattered to every worker once."""
    # optional extra (marp[dask]), imported only when a scheduler is given
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise ImportError("scheduler= (--scheduler) runs the sweep on a Dask cluster, which "
                          "needs the dask extra: pip install 'marp[dask]'") from None

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        shared = client.scatter((workloads, arch), broadcast=True)
        futures = {client.submit(_evaluate_shared, [pts[i] for i in idx], shared,
                                 pure=False): idx for idx in _groups(pts)}
        for f in dask_completed(futures):
            for i, row in zip(futures[f], f.result()):
                done(i, row)
    finally:
        if client is not scheduler:
            client.close()


def sweep(models, arch="qracc", space=None, *,
          objectives=("arrays", "latency_us", "energy_uj"), executor=None, workers=None,
          scheduler=None, on_row=None) -> SweepResult:
    """Compile every point of ``space`` (see the module doc); ``on_row(row)`` is called as
    each point finishes (in completion order), e.g. to write it out at once.
    ``scheduler``: a Dask scheduler address or ``distributed.Client`` (extra
    ``marp[dask]``); the rows equal those of a local run."""
    bad = [o for o in objectives if o not in OBJECTIVE_NAMES]
    if bad:
        raise ValueError(f"objectives {bad} are not known; valid names: "
                         f"{', '.join(OBJECTIVE_NAMES)}")
    arch = load_arch(arch)
    workloads = load_all(models if isinstance(models, (list, tuple)) else [models], 1)
    pts = points(space or {})
    rows = [None] * len(pts)

    def done(i, row):
        rows[i] = row
        if on_row is not None:
            on_row(row)

    # points that differ only in the bank share their lowering and packing: one task each
    groups = _groups(pts)
    if scheduler is not None:
        _run_dask(scheduler, pts, workloads, arch, done)
    elif executor is None:
        n = workers or min(os.cpu_count() or 1, max(1, len(groups)))
        # imported here on purpose: multiprocessing adds ~20 ms to "import marp"
        from concurrent.futures import ProcessPoolExecutor, as_completed
        pool = ProcessPoolExecutor(n, initializer=_init_worker, initargs=(workloads, arch))
        try:
            futures = {pool.submit(_evaluate_in_worker, [pts[i] for i in idx]): idx
                       for idx in groups}
            for f in as_completed(futures):
                for i, row in zip(futures[f], f.result()):
                    done(i, row)
        except BaseException:
            _stop(pool)                    # no worker outlives an interrupted sweep
            raise
        pool.shutdown()
    else:
        futures = [(idx, executor.submit(evaluate_group, [pts[i] for i in idx], workloads,
                                         arch)) for idx in groups]
        for idx, f in futures:
            for i, row in zip(idx, f.result()):
                done(i, row)
    mark_pareto(rows, objectives)
    return SweepResult(rows=rows, objectives=tuple(objectives))


def plot_pareto(result: SweepResult, stem) -> list[str]:
    """Arrays used against latency, energy as colour, the front ringed; written as
    ``stem.png`` and ``stem.svg`` (needs matplotlib, extra ``marp[plot]``)."""
    import matplotlib          # optional extra (marp[plot]), imported only to plot
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ok = [r for r in result.rows if "error" not in r]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    sc = ax.scatter([r["arrays_used"] for r in ok], [r["latency_us"] for r in ok],
                    c=[r["energy_uj"] for r in ok], cmap="viridis", s=22)
    front = [r for r in ok if r["pareto"]]
    ax.scatter([r["arrays_used"] for r in front], [r["latency_us"] for r in front],
               facecolors="none", edgecolors="red", s=90, linewidths=1.5,
               label="Pareto front")
    for r in front:
        ax.annotate(f"{r.get('rows', '')}x{r.get('cols', '')}, bank {r.get('bank', '')}",
                    (r["arrays_used"], r["latency_us"]), fontsize=7, xytext=(4, 4),
                    textcoords="offset points")
    ax.set_xscale("log")
    ax.set_xlabel("arrays used")
    ax.set_ylabel("latency (us)")
    fig.colorbar(sc, label="energy per inference (uJ)")
    ax.legend(loc="upper right")
    fig.tight_layout()
    paths = [f"{stem}.png", f"{stem}.svg"]
    for path in paths:
        fig.savefig(path, dpi=130)
    plt.close(fig)
    return paths
