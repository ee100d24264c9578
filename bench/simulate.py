"""Speed of the functional simulation: the bit-serial kernel in Numba against its NumPy
reference on the same blocks in one run, and one inference of each MLPerf Tiny model
simulated (after warm-up) on qracc.

    python -m bench.simulate
"""
from __future__ import annotations

import time

import numpy as np

import marp
from marp.compiler.simulate import bitserial_numba, bitserial_numpy, simulate


def _kernel_ratio():
    """Numba and NumPy on the same blocks: 1024 vectors of 8 two-bit input cycles through
    a 256 x 64 block, ideal and 6-bit ADCs."""
    rng = np.random.default_rng(0)
    x = rng.integers(0, 4, (8, 1024, 256))
    cells = rng.integers(0, 2, (256, 64))
    bitserial_numba(x[:1, :2], cells, 128, 0, 1.0)            # compile (cached on disk)
    rows = []
    for levels in (0, 64):
        times = {}
        for name, fn in (("numba", bitserial_numba), ("numpy", bitserial_numpy)):
            best = min(_timed(fn, x, cells, 128, levels, 128 * 3.0) for _ in range(3))
            times[name] = best
        rows.append((levels, times))
    return rows


def _timed(fn, *args):
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def main():
    for levels, t in _kernel_ratio():
        label = "ideal ADC" if not levels else f"{levels}-level ADC"
        print(f"kernel, {label}: numba {t['numba'] * 1e3:.1f} ms, numpy "
              f"{t['numpy'] * 1e3:.1f} ms: numba/numpy speed ratio "
              f"{t['numpy'] / t['numba']:.2f}")
    m = marp.compile(marp.example_models("mlperf-tiny"))
    simulate(m)                                               # warm-up
    for kernel in ("numba", "numpy"):
        start = time.perf_counter()
        checks = simulate(m, kernel=kernel)
        spent = time.perf_counter() - start
        print(f"4 MLPerf Tiny models, one inference each, {kernel}: {spent:.2f} s "
              f"({sum(c.exact for c in checks)}/{len(checks)} layers bit-exact; target "
              f"< 2 s)")


if __name__ == "__main__":
    main()
