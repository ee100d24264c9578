"""Perfect packings by construction, for tests whose optimum must be known."""
import numpy as np


def tiling(seed, k, size, cuts):
    """k arrays of size x size, each cut by random guillotine cuts: the optimum is k."""
    rng = np.random.default_rng(seed)
    ws, hs = [], []
    for _ in range(k):
        rects = [(size, size)]
        for _ in range(cuts):
            w, h = rects.pop(int(rng.integers(len(rects))))
            if w > 1 and (h == 1 or rng.random() < 0.5):
                c = int(rng.integers(1, w))
                rects += [(c, h), (w - c, h)]
            elif h > 1:
                c = int(rng.integers(1, h))
                rects += [(w, c), (w, h - c)]
            else:
                rects.append((w, h))
        ws += [r[0] for r in rects]
        hs += [r[1] for r in rects]
    return ws, hs
