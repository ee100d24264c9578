"""Models on a bank too small for them: the three capacity policies side by side.

    python -m bench.capacity [--quick] [--cases]

For the four MLPerf Tiny models together and for ResNet-18 (224x224, 8-bit weights) on
the default QRAcc arrays (1152x256), and for MLPerf Tiny on PCM (``ottavi_pcm`` with
256x256 arrays: slow, costly writes), every bank from 1 array to all-resident, the policies
of ``marp.compile(..., capacity=...)``:

* ``packed``: the whole-network packing run through the residency schedule (what marp
  0.1 packed; its cost then guessed the reload, see the README);
* ``layerwise``: every layer alone, phases of consecutive layers, nothing pinned (the
  partitioning baseline of COMPASS, arXiv 2501.06780);
* ``marp``: pinned arrays plus phases packed across layers.

Rows: phases per inference, pinned arrays, cells written and weight bytes fetched per
inference, latency, energy, energy-delay product, and marp's throughput and EDP against
layerwise (COMPASS reports 1.78x throughput and 1.28x EDP over its baseline).
"""
from __future__ import annotations

import argparse
import time

import marp
from bench.nets import resnet18, vgg19
from marp.compiler.options import example_models
from marp.costmodel.accounting import block_costs

POLICIES = ("packed", "layerwise", "marp")


def banks_for(arrays: int) -> list[int]:
    """1, 2, 4, ... up to the all-resident bank."""
    banks, b = [], 1
    while b < arrays:
        banks.append(b)
        b *= 2
    return banks + [arrays]


def run(name, workloads, arch, quick):
    full = marp.compile(workloads, arch.with_values({"aimc.arrays": 1 << 20}))
    A = full.report.totals["arrays_used"]
    print(f"\n{name}: {A} arrays when every image is resident ({arch.aimc.shape} arrays)")
    print(f"{'bank':>5s} {'policy':9s} {'images':>6s} {'phases':>6s} {'pinned':>6s} "
          f"{'cells written':>13s} {'bytes fetched':>13s} {'latency us':>11s} "
          f"{'energy uJ':>10s} {'EDP uJ*us':>11s} {'s':>5s}")
    rows = []
    for bank in banks_for(A):
        small = arch.with_values({"aimc.arrays": bank})
        got = {}
        for policy in POLICIES:
            start = time.perf_counter()
            t = marp.compile(workloads, small, capacity=policy).report.totals
            got[policy] = t
            edp = t["energy_uj"] * t["latency_us"]
            print(f"{bank:5d} {policy:9s} {t['arrays_used']:6d} {t['phases']:6d} "
                  f"{t['pinned_arrays']:6d} {t['cells_written_per_inference']:13,.0f} "
                  f"{t['weight_bytes_fetched_per_inference']:13,.0f} "
                  f"{t['latency_us']:11.1f} {t['energy_uj']:10.3f} {edp:11.1f} "
                  f"{time.perf_counter() - start:5.2f}")
        m, lw = got["marp"], got["layerwise"]
        thr = m["throughput_inf_per_s"] / lw["throughput_inf_per_s"]
        edp = (lw["energy_uj"] * lw["latency_us"]) / (m["energy_uj"] * m["latency_us"])
        print(f"{'':5s} marp vs layerwise: throughput {thr:.2f}x, EDP {edp:.2f}x better")
        rows.append((bank, got, thr, edp))
    best = max(rows, key=lambda r: r[2])
    print(f"best marp vs layerwise: throughput {best[2]:.2f}x, EDP {best[3]:.2f}x (bank "
          f"{best[0]}); COMPASS reports 1.78x and 1.28x over its baseline")
    return rows


def cases():
    """The three cases of issue 14, re-measured."""
    ms = example_models("mlperf-tiny")
    q = marp.load_arch("qracc")
    g64 = q.with_values(q.geometry_values(64, 64))
    print("MLPerf Tiny on 64x64 arrays (1,091 images when resident):")
    for bank in (1, 16, 1091):
        t = marp.compile(ms, g64.with_values({"aimc.arrays": bank})).report.totals
        print(f"  bank {bank:5d}: {t['phases']:5d} phases, {t['latency_us']:7.1f} us, "
              f"{t['energy_uj']:6.2f} uJ (fetch {t['energy_pj']['fetch'] * 1e-6:.2f} uJ)")
    print("MLPerf Tiny on the default 1152x256 arrays:")
    for bank in (1, 16):
        t = marp.compile(ms, q.with_values({"aimc.arrays": bank})).report.totals
        e = t["energy_pj"]
        print(f"  bank {bank:3d}: {t['latency_us']:.1f} us, {t['energy_uj']:.2f} uJ; write "
              f"{e['write'] * 1e-6:.3f} uJ, fetch {e['fetch'] * 1e-6:.2f} uJ")
    z = marp.load_arch("zigzag_aimc")
    m = marp.compile([vgg19()], z.with_values({"aimc.arrays": 1}))
    t_vec = block_costs(m.blocks, z)[0]
    ops_ns = float((t_vec * m.workloads[0].layers.vectors[m.blocks.layer]).sum())
    print(f"VGG-19 on one zigzag_aimc array: latency {m.report.totals['latency_us'] / 1e3:.2f}"
          f" ms; its array ops alone take {ops_ns / 1e6:.2f} ms")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.capacity",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="MLPerf Tiny only")
    ap.add_argument("--cases", action="store_true", help="the three cases of issue 14")
    args = ap.parse_args(argv)
    if args.cases:
        cases()
        return
    arch = marp.load_arch("qracc")
    tiny = [marp.load_onnx(p) for p in example_models("mlperf-tiny")]
    run("MLPerf Tiny (4 models)", tiny, arch, args.quick)
    # slow, costly PCM writes: where what a schedule rewrites decides the throughput
    pcm = marp.load_arch("ottavi_pcm")
    run("MLPerf Tiny (4 models) on ottavi_pcm, 256x256", tiny,
        pcm.with_values(pcm.geometry_values(256, 256)), args.quick)
    if not args.quick:
        run("ResNet-18", [resnet18()], arch, args.quick)


if __name__ == "__main__":
    main()
