"""What leaves the arrays, measured: AlexNet's grouped convolutions under both grouped
policies, and one ViT-B/16 encoder block's table with its act x act rows.

    python -m bench.visibility [--arch qracc]
"""
from __future__ import annotations

import argparse

import marp
from bench.nets import alexnet, vit_b16_block


def grouped(arch):
    w = alexnet()
    grouped_macs = int(w.layers.macs[[k == "grouped" for k in w.layers.kind]].sum())
    # a bank that holds the whole network: the policies' compute, not weight rotation
    big = marp.load_arch(arch).with_values({"aimc.arrays": 4096})
    print(f"AlexNet on {arch} with a bank of 4096 arrays (everything resident): grouped "
          f"layers hold {grouped_macs / w.layers.macs.sum():.0%} of the MACs")
    print(f"  {'grouped':20s} {'arrays':>6s} {'1-to-1':>6s} {'latency us':>11s} "
          f"{'energy uJ':>10s}  grouped layers: time us, energy uJ")
    for policy, c_job in (("diagonal", None), ("diagonal", 1), ("digital", None)):
        m = marp.compile([w], big, grouped=policy, c_job=c_job)
        s = m.summary
        mine = [r for r in s["layers"] if r["kind"] == "grouped"]
        e = sum(sum(r[k] for k in r if k.startswith("e_") and k.endswith("_pj"))
                for r in mine) * 1e-6
        t = sum(r["time_ns"] for r in mine) / 1e3
        label = policy + (f", c_job={c_job}" if c_job else "")
        print(f"  {label:20s} {s['arrays_used']:6d} {s['arrays_one_to_one']:6d} "
              f"{s['latency_us']:11.1f} {s['energy_uj']:10.2f}  {t:9.1f} {e:9.3f}")
        if m.digital_line():
            print(f"    {m.digital_line()}")


def attention(arch):
    m = marp.compile([vit_b16_block()], arch)
    s = m.summary
    print(f"\nViT-B/16 encoder block on {arch}: one row per weight layer and per act x act "
          f"product (12 heads x QK^T, AV)")
    print(f"  {'name':10s} {'kind':10s} {'engine':8s} {'MACs':>12s} {'time us':>9s} "
          f"{'energy uJ':>10s}")
    rows = s["layers"]
    for r in rows[:8] + [{"name": "...", "kind": "", "engine": "", "macs": 0,
                          "time_ns": 0, "act_time_ns": 0}] + rows[-2:]:
        e = sum(r[k] for k in r if k.startswith("e_") and k.endswith("_pj")) * 1e-6
        print(f"  {r['name']:10s} {r['kind']:10s} {r['engine']:8s} {r['macs']:12,d} "
              f"{(r['time_ns'] + r['act_time_ns']) / 1e3:9.2f} {e:10.4f}")
    digital = [r for r in rows if r["kind"] == "act x act"]
    t = sum(r["time_ns"] + r["act_time_ns"] for r in digital) / 1e3
    e = sum(sum(r[k] for k in r if k.startswith("e_") and k.endswith("_pj"))
            for r in digital) * 1e-6
    print(f"  act x act: {len(digital)} rows, {t:.1f} us of {s['latency_us']:.1f} us, "
          f"{e:.3f} of {s['energy_uj']:.3f} uJ ({e / s['energy_uj']:.0%})")
    print(f"  {m.digital_line()}")


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m bench.visibility",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--arch", default="qracc")
    args = ap.parse_args(argv)
    grouped(args.arch)
    attention(args.arch)


if __name__ == "__main__":
    main()
