"""The four MLPerf Tiny models on ``zigzag_wp_aimc``, the macro of ZigZag-IMC's weight-
packing flow ("Pack my weights and run!", papers/003): one macro of 256 rows x 64
bitlines x depth 28, its slots computing one at a time.

    python -m bench.depth [--macros N]

Per model and slot policy: array images (slots), macros, utilisation, the ideal latency
(the layers' compute, no memory stalls), the latency with activation and weight traffic,
the macro energy (DAC, ADC with its place-value adders and accumulators, cells) and the
total, and the time marp took to map it. Beside ResNet-8, the flow's own figures on that
macro (measured by running it, issue 18 of this project): ideal latency 291 us, macro
energy 0.50 uJ. The flow took 15-24 s per model, timed out on MobileNetV1 after 600 s
and rejected the autoencoder (a layer deeper than the macro); marp maps each in well
under a second and puts what does not fit the 28 slots through the bank schedule.
"""
from __future__ import annotations

import argparse
import time

import marp
from marp.compiler.options import example_models

FLOW = {"ic_resnet8": (291.0, 0.50)}     # ideal latency us, macro energy uJ


def row(path, arch, policy):
    t0 = time.perf_counter()
    m = marp.compile([path], arch, slot_policy=policy)
    seconds = time.perf_counter() - t0
    t, e = m.report.totals, m.report.totals["energy_pj"]
    ideal = float(m.report.layers["time_ns"].sum()) / 1e3
    macro = (e["dac"] + e["adc"] + e["array"]) * 1e-6
    return {"model": m.workloads[0].name, "policy": policy, "slots": t["arrays_used"],
            "macros": t["macros_used"], "util": t["utilization"], "ideal_us": ideal,
            "latency_us": t["latency_us"], "macro_uj": macro, "energy_uj": t["energy_uj"],
            "written": t["cells_written_per_inference"], "seconds": seconds}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--macros", type=int, default=1, help="macros in the bank (default 1, "
                    "the flow's case; with more, 'spread' runs a layer's tiles in parallel)")
    args = ap.parse_args(argv)
    arch = marp.load_arch("zigzag_wp_aimc", {"aimc.arrays": args.macros})
    for path in example_models("mlperf-tiny"):     # load once: timing is the mapping
        marp.compile([path], arch)
    print(f"MLPerf Tiny on zigzag_wp_aimc: {args.macros} macro(s) of 256x64 x depth "
          f"{arch.aimc.depth} ({arch.aimc.slots} slots)")
    print(f"{'model':34s} {'policy':6s} {'slots':>5s} {'macros':>6s} {'util':>5s} "
          f"{'ideal us':>9s} {'latency us':>10s} {'macro uJ':>8s} {'total uJ':>8s} "
          f"{'written':>9s} {'map s':>6s}")
    worst = 0.0
    for path in example_models("mlperf-tiny"):
        for policy in ("stack", "spread"):
            r = row(path, arch, policy)
            worst = max(worst, r["seconds"])
            print(f"{r['model'][:34]:34s} {r['policy']:6s} {r['slots']:5d} {r['macros']:6d} "
                  f"{r['util']:5.3f} {r['ideal_us']:9.1f} {r['latency_us']:10.1f} "
                  f"{r['macro_uj']:8.3f} {r['energy_uj']:8.3f} {r['written']:9.0f} "
                  f"{r['seconds']:6.3f}")
            key = next((k for k in FLOW if r["model"].startswith(k)), None)
            if key and policy == "stack":
                ideal, macro = FLOW[key]
                print(f"{'  the flow on this macro':34s} {'':6s} {'':5s} {'':6s} {'':5s} "
                      f"{ideal:9.1f} {'':10s} {macro:8.3f}   ratio marp/flow: ideal "
                      f"{r['ideal_us'] / ideal:.2f}, macro energy {r['macro_uj'] / macro:.2f}")
    print(f"slowest mapping: {worst:.3f} s")


if __name__ == "__main__":
    main()
