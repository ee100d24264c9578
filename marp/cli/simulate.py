"""``marp simulate``: a mapping's layers run through its array images at several ADC
resolutions, the accuracy beside the energy the cost model gives for each."""
from __future__ import annotations

import dataclasses
import statistics

from marp.cli.common import CliError, _values
from marp.compiler.end_to_end import end_to_end
from marp.compiler.mapping import Mapping
from marp.compiler.simulate import simulate
from marp.costmodel.accounting import cost
from marp.workload.layers import Workload


def _simulate_parser(sub) -> None:
    p = sub.add_parser("simulate", help="run a mapping's layers through its array images",
                       description="Every analog layer of a mapping (mapping.json of marp "
                                   "compile --out) run bit-serially through its array images "
                                   "on inputs from onnxruntime, against the exact integer "
                                   "product: ideal ADCs and each --adc-bits (needs the sim "
                                   "extra: pip install 'marp[sim]').")
    p.add_argument("mapping", help="a mapping.json written by marp compile --out")
    p.add_argument("--adc-bits", default="8,6,4", help="ADC resolutions to try, comma "
                   "separated (default 8,6,4)")
    p.add_argument("--inputs", type=int, default=1, help="random inputs per model")
    p.add_argument("--models", nargs="+", help="the ONNX files of the mapping's models "
                   "(default: the files it was compiled from)")
    p.add_argument("--kernel", default="numba", choices=("numba", "numpy"))


def _row(label, checks, models, report) -> str:
    snr = [c.snr_db for c in checks]
    finite = [s for s in snr if s != float("inf")]
    exact = sum(c.exact for c in checks)
    low = f"{min(finite):8.1f}" if finite else f"{'exact':>8s}"
    mid = f"{statistics.median(snr):8.1f}" if finite else f"{'exact':>8s}"
    t = report.totals
    top1 = [c.top1_agreement for c in models if c.top1_agreement is not None]
    top = f"{sum(top1) / len(top1):6.2f}" if top1 else f"{'-':>6s}"
    rel = max(c.relative_error for c in models)
    return (f"{label:10s} {exact:4d}/{len(checks):<4d} {low} {mid} {top} {rel:8.3f} "
            f"{t['energy_uj']:10.4f} {t['energy_pj']['adc'] * 1e-6:9.4f}")


def cmd_simulate(args) -> int:
    try:
        m = Mapping.from_json(args.mapping)
    except (OSError, KeyError) as exc:
        raise CliError(f"{args.mapping}: not a readable mapping ({exc})") from None
    bits = _values("--adc-bits", args.adc_bits)
    combined, _ = Workload.combine(m.workloads)
    res = m.residency or {}

    def report(arch):
        return cost((m.blocks, m.packing), combined, arch, baseline=False,
                    order=res.get("order"), pinned=res.get("pinned"))

    print(f"marp simulate: {len(m.workloads)} models on {m.arch.name} "
          f"({m.arch.aimc.adc_energy_model} ADC energy model), {args.inputs} input(s)")
    print("exact: layers bit-exact; SNR in dB per layer; top-1: agreement of the "
          "classifiers' outputs with every mapped layer simulated; rel err: largest "
          "relative output error over the models")
    print(f"{'ADC':10s} {'exact':>9s} {'min SNR':>8s} {'med SNR':>8s} {'top-1':>6s} "
          f"{'rel err':>8s} {'energy uJ':>10s} {'ADC uJ':>9s}")
    kw = dict(inputs=args.inputs, models=args.models, kernel=args.kernel)
    for label, mapping, adc in [("ideal", m, "ideal")] + [
            (f"{b} bits", dataclasses.replace(m, arch=m.arch.with_values(
                {"aimc.adc_bits": b})), "config") for b in bits]:
        print(_row(label, simulate(mapping, adc=adc, **kw),
                   end_to_end(mapping, adc=adc, **kw), report(mapping.arch)), flush=True)
    return 0
