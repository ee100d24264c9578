"""Cost model speed: evaluating a mapping with 10,000 blocks.

    python -m bench.cost
"""
from __future__ import annotations

import sys
import timeit

import numpy as np

import marp
from marp.costmodel.accounting import cost
from marp.workload.layers import Layers, Workload


def synthetic(n_layers=264, rows=2048, cols=600):
    recs = [dict(name=f"l{i}", op="MatMul", kind="fc", groups=1, kernel=(), strides=(),
                 dilations=(), pads=(), input_shape=(1, rows), output_shape=(1, cols),
                 rows=rows, cols=cols, vectors=64, macs=64 * rows * cols, weights=rows * cols,
                 weight_bits=8, weight_path="init->MatMul", node_index=i)
            for i in range(n_layers)]
    return Workload("synthetic", "bench", Layers.from_records(recs))


def main():
    arch = marp.load_arch("qracc")
    w = synthetic()
    b = marp.lower(w, array=(1152, 256), weight_bits=8)
    p = marp.pack(b.width, b.height, array=(1152, 256))
    cost((b, p), w, arch, baseline=False)
    runs = timeit.repeat(lambda: cost((b, p), w, arch, baseline=False), number=1, repeat=20)
    with_base = timeit.repeat(lambda: cost((b, p), w, arch), number=1, repeat=5)
    print(f"cost of a mapping with {len(b):,} blocks on {p.arrays_used:,} arrays: "
          f"{1e3 * np.median(runs):.2f} ms median of 20 (best {1e3 * min(runs):.2f} ms); "
          f"with the one-to-one baseline: {1e3 * np.median(with_base):.2f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
