"""ONNX ingestion and lowering speed.

    python -m bench.workloads [--models DIR]

Loads every .onnx file of the MLPerf Tiny folder and lowers each (8-bit weights, 1-bit
cells, 256x256 arrays, depthwise both ways), then lowers a synthetic workload to more than
100,000 blocks.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import marp
from marp.workload.layers import Layers, Workload

DEFAULT_MODELS = Path(__file__).resolve().parents[2] / "shared" / "models" / "mlperf_tiny"


def load_and_lower(folder: Path) -> None:
    files = sorted(folder.glob("*.onnx"))
    start = time.perf_counter()
    blocks = 0
    for f in files:
        w = marp.load_onnx(f)
        for strategy in ("digital", "diagonal"):
            blocks += len(marp.lower(w, array=(256, 256), weight_bits=8,
                                     depthwise=strategy, c_job=8))
    seconds = time.perf_counter() - start
    print(f"load + lower {len(files)} files of {folder}: {seconds:.3f} s "
          f"({blocks} blocks in all)")


def many_blocks() -> None:
    rec = dict(name="big", op="MatMul", kind="fc", groups=1, kernel=(), strides=(),
               dilations=(), pads=(), input_shape=(), output_shape=(), rows=4096, cols=4096,
               vectors=1, macs=4096 * 4096, weights=4096 * 4096, weight_bits=8,
               weight_path="init->MatMul", node_index=0)
    w = Workload("big", "synthetic", Layers.from_records([rec] * 8))
    start = time.perf_counter()
    b = marp.lower(w, array=(64, 64))
    print(f"lower to {len(b):,} blocks: {time.perf_counter() - start:.3f} s")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.workloads")
    ap.add_argument("--models", type=Path, default=DEFAULT_MODELS)
    args = ap.parse_args(argv)
    marp.load_onnx(next(args.models.glob("*.onnx")))     # onnx import, outside the timing
    load_and_lower(args.models)
    many_blocks()
    return 0


if __name__ == "__main__":
    sys.exit(main())
