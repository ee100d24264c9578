"""Accuracy against ADC resolution: MLPerf Tiny ResNet-8 (CIFAR-10, int8) mapped on
``zigzag_aimc`` and ``qracc``, every mapped layer simulated through its array images with
the configured ADC at several resolutions: per-layer SNR (median and worst), top-1
agreement of the model's outputs with the original's on random inputs, the energy the
cost model gives, and the simulation's speed.

    python -m bench.accuracy [--inputs 100] [--bits 8,6,4]
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

import marp
from marp.compiler.end_to_end import end_to_end
from marp.compiler.simulate import simulate


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.accuracy",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--inputs", type=int, default=100)
    ap.add_argument("--bits", default="8,6,4")
    args = ap.parse_args(argv)
    path = [p for p in marp.example_models("mlperf-tiny") if p.name.startswith("ic_resnet8")]
    bits = [int(b) for b in args.bits.split(",")]
    for arch in ("zigzag_aimc", "qracc"):
        big = marp.load_arch(arch).with_values({"aimc.arrays": 10000})   # all resident
        m = marp.compile(path, big)
        a = m.arch.aimc
        print(f"ResNet-8 on {arch} ({m.summary['arrays_used']} arrays of "
              f"{a.array_rows}x{a.array_cols}, configured ADC {a.adc_bits} bits, "
              f"{a.row_parallelism} rows per op), {args.inputs} random inputs:")
        print(f"  {'ADC':9s} {'med SNR dB':>10s} {'min SNR dB':>10s} {'top-1':>6s} "
              f"{'energy uJ':>10s} {'seconds':>8s}")
        for b in [None] + bits:
            mm = m if b is None else dataclasses.replace(m, arch=m.arch.with_values(
                {"aimc.adc_bits": b}))
            adc = "ideal" if b is None else "config"
            start = time.perf_counter()
            layers = simulate(mm, adc=adc, inputs=min(args.inputs, 10))
            model = end_to_end(mm, adc=adc, inputs=args.inputs)[0]
            spent = time.perf_counter() - start
            snr = [c.snr_db for c in layers]
            finite = [s for s in snr if s != float("inf")]
            med = f"{statistics.median(snr):10.1f}" if finite else f"{'exact':>10s}"
            low = f"{min(finite):10.1f}" if finite else f"{'exact':>10s}"
            energy = marp.cost((mm.blocks, mm.packing), marp.Workload.combine(
                mm.workloads)[0], mm.arch, baseline=False).totals["energy_uj"]
            print(f"  {'ideal' if b is None else f'{b} bits':9s} {med} {low} "
                  f"{model.top1_agreement:6.2f} {energy:10.4f} {spent:8.1f}", flush=True)


if __name__ == "__main__":
    main()
