"""MLPerf Tiny ResNet-8 on a macro matching ZigZag-IMC's weight-packing flow ("Pack my
weights and run!", papers/003), term by term against that flow's figures.

    python -m bench.zigzag_packing

The macro is the bundled config ``zigzag_wp_aimc`` (every number sourced there): one
macro of 256 rows x 16 four-bit weights (64 one-bit bitlines, one ADC each) x depth 28,
its slots sharing the DACs and ADCs; 4-bit inputs applied 1 bit per cycle (ZigZag-IMC's
1-bit DAC costs nothing), 0.188 pJ per conversion, 9.793 ns per op, activations in DRAM at
3.7 pJ/bit, weights from DRAM at 14.8 pJ per 4-bit weight. The reference figures were
measured by running that flow (issue 14 of this project): macro 0.50 uJ, activation
traffic 2.44 uJ, weight fetches 1.15 uJ, buffer and register traffic 0.50 uJ, total
4.60 uJ.
"""
from __future__ import annotations

import marp
from marp.compiler.options import example_models

REFERENCE_UJ = {"macro": 0.50, "activations": 2.44, "weight fetches": 1.15,
                "buffers and registers": 0.50, "total": 4.60}


def packing_macro():
    """The weight-packing macro (see the module doc)."""
    return marp.load_arch("zigzag_wp_aimc")


def main():
    arch = packing_macro()
    path = [p for p in example_models("mlperf-tiny") if p.name.startswith("ic_resnet8")][0]
    w = marp.load_onnx(path)
    t = marp.compile([w], arch).report.totals
    e = {k: v * 1e-6 for k, v in t["energy_pj"].items()}
    # the flow loads every weight once per inference; marp keeps them resident (20 of the
    # 28 slots), so it fetches none: the same weights, fetched once, for comparison
    once = float(w.layers.weights.sum()) * 4 * arch.memory.dram_e_pj_per_bit * 1e-6
    ours = {"macro": e["dac"] + e["adc"] + e["array"], "activations": e["act"],
            "weight fetches": e["fetch"] or once, "buffers and registers": None}
    print(f"ResNet-8 on the weight-packing macro: {t['arrays_used']} of "
          f"{arch.aimc.slots} slots in {t['macros_used']} macro, {t['latency_us']:.1f} us")
    print(f"  {'term':24s} {'flow uJ':>8s} {'marp uJ':>8s} {'ratio':>6s}")
    for term, ref in REFERENCE_UJ.items():
        if term == "total":
            continue
        got = ours[term]
        print(f"  {term:24s} {ref:8.2f} " + (f"{got:8.3f} {got / ref:6.2f}" if got is not None
                                            else f"{'-':>8s} {'-':>6s}  (not modelled)"))
    a = arch.aimc
    conv = e["adc"] * a.e_adc_conversion_pj / (a.e_adc_conversion_pj + a.e_shift_add_pj)
    print(f"  macro parts (uJ): DAC {e['dac']:.3f}, ADC {e['adc']:.3f} (conversions "
          f"{conv:.3f}, place-value adders and accumulators {e['adc'] - conv:.3f}), cells "
          f"{e['array']:.3f}; weight fetch {'resident, counted once' if not e['fetch'] else ''}")


if __name__ == "__main__":
    main()
