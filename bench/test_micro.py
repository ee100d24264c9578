"""Micro benchmarks (pytest-benchmark): ``pytest bench/ --benchmark-only``."""
import pytest

import marp
from bench.instances import family_u

W = H = 256


@pytest.fixture(scope="module")
def u5000():
    return family_u(5000)


@pytest.mark.parametrize("algorithm", ["maxrects-bssf", "skyline-bl", "skyline-minwaste"])
def test_pack_u5000_first_fit(benchmark, u5000, algorithm):
    w, h = u5000
    p = benchmark(marp.pack, w, h, array=(H, W), algorithm=algorithm)
    marp.verify(p, w, h, array=(H, W))


def test_verify_u5000(benchmark, u5000):
    w, h = u5000
    p = marp.pack(w, h, array=(H, W))
    benchmark(marp.verify, p, w, h, array=(H, W))


def test_lower_bounds_u5000(benchmark, u5000):
    w, h = u5000
    benchmark(marp.lower_bounds, w, h, array=(H, W))
