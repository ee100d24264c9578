"""Instance generators shared by the benchmarks."""
from __future__ import annotations

import numpy as np


def family_u(n: int, seed: int = 5000, side: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Family U: w, h uniform in 1..side, widths drawn first as one array, then heights."""
    rng = np.random.default_rng(seed)
    w = rng.integers(1, side + 1, n)
    h = rng.integers(1, side + 1, n)
    return w, h
