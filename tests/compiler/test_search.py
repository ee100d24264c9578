import numpy as np
import pytest

import marp
from marp.compiler.options import example_models
from marp.workload.layers import Workload
from marp.compiler.search import InfeasibleError, fewest_arrays, spreading_sequence


@pytest.fixture(scope="module")
def case():
    m = marp.compile(example_models("mlperf-tiny")[:3])
    workload, _ = Workload.combine(m.workloads)
    seq = spreading_sequence(m.blocks, m.packing, workload, m.arch)
    return m, workload, seq


def test_latency_never_increases_along_the_sequence(case):
    _, _, seq = case
    lat = np.array([r.totals["latency_us"] for _, r in seq])
    assert (np.diff(lat) <= 1e-9).all() and lat[-1] < lat[0]
    arrays = [p.arrays_used for p, _ in seq]
    assert arrays == list(range(arrays[0], arrays[0] + len(seq)))
    for p, _ in seq:
        marp.verify(p, p.widths, p.heights, array=(p.array_rows, p.array_cols))


def test_search_equals_a_linear_scan(case):
    m, workload, seq = case
    lat = [r.totals["latency_us"] for _, r in seq]
    for target in np.linspace(lat[-1], lat[0], 9):
        scan = next(p.arrays_used for (p, _), t in zip(seq, lat) if t <= target)
        found, report = fewest_arrays(m.blocks, m.packing, workload, m.arch, float(target))
        assert found.arrays_used == scan and report.totals["latency_us"] <= target


def test_infeasible_names_the_best_reachable(case):
    m, workload, seq = case
    best = seq[-1]
    with pytest.raises(InfeasibleError, match=rf"best reachable is .* us with all "
                                              rf"{best[0].arrays_used} arrays"):
        fewest_arrays(m.blocks, m.packing, workload, m.arch, 1e-3)


def test_compile_with_latency_sizes_the_bank():
    m = marp.compile(example_models("mlperf-tiny"), latency_us=600)
    assert m.summary["latency_us"] <= 600
    assert m.arch.aimc.arrays == m.summary["arrays_used"] > 16
    assert m.report.totals["energy_pj"]["write"] == 0


def test_geometry_search_picks_fewest_arrays():
    ms = example_models("mlperf-tiny")
    geoms = [(1152, 256), (256, 256)]
    best = marp.compile(ms, latency_us=650, geometries=geoms)
    each = [marp.compile(ms, latency_us=650, geometries=[g]).summary["arrays_used"]
            for g in geoms]
    assert best.summary["arrays_used"] == min(each)
    with pytest.raises(ValueError, match="geometries are searched only with latency_us"):
        marp.compile(ms, geometries=geoms)
