"""Cross-check of marp's AIMC energy/latency model against ZigZag-IMC (zigzag-dse).

    pip install -e ".[zigzag]" && python -m bench.zigzag_check

Builds ZigZag's own AIMC example macro (its bundled ``inputs/hardware/aimc.yaml``: 128 rows
x 128 8-bit weights, 8-bit inputs 2 bits per cycle, 8-bit ADCs, VDD 0.9 V) and compares its
peak per-cycle energy breakdown, TOPS and TOPS/W with marp's ``zigzag_aimc`` config on a
layer that fills the array, and then single fully-connected layers of other sizes.
"""
from __future__ import annotations

import os
import sys

import marp
from marp.costmodel.accounting import cost
from marp.workload.layers import Layers, Workload


def zigzag_macro():
    import yaml
    import zigzag
    from zigzag.parser.accelerator_factory import AcceleratorFactory
    from zigzag.parser.accelerator_validator import AcceleratorValidator

    path = os.path.join(os.path.dirname(zigzag.__file__), "inputs", "hardware", "aimc.yaml")
    validator = AcceleratorValidator(yaml.safe_load(open(path)))
    if not validator.validate():
        raise RuntimeError(f"zigzag rejected its own example {path}")
    return AcceleratorFactory(validator.normalized_data).create().operational_array


def fc(rows, cols):
    rec = dict(name="fc", op="MatMul", kind="fc", groups=1, kernel=(), strides=(),
               dilations=(), pads=(), input_shape=(1, rows), output_shape=(1, cols),
               rows=rows, cols=cols, vectors=1, macs=rows * cols, weights=rows * cols,
               weight_bits=8, weight_path="init->MatMul", node_index=0)
    return Workload("fc", "check", Layers.from_records([rec]))


def marp_layer(rows, cols):
    """(energy parts per input cycle in pJ, pJ per MAC, TOPS) of one fc layer."""
    arch = marp.load_arch("zigzag_aimc")
    a = arch.aimc
    w = fc(rows, cols)
    b = marp.lower(w, array=(a.array_rows, a.array_cols), weight_bits=8)
    p = marp.pack(b.width, b.height, array=(a.array_rows, a.array_cols))
    t = cost((b, p), w, arch, baseline=False).totals
    e = t["energy_pj"]
    dynamic = e["dac"] + e["adc"] + e["array"]
    parts = {k: e[k] / a.input_cycles for k in ("dac", "adc", "array")}
    return parts, dynamic / (rows * cols), 2 * rows * cols / t["latency_ns"] / 1e3


def conv_onnx(c, k, hw, kk):
    import numpy as np
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    w = numpy_helper.from_array(np.zeros((k, c, kk, kk), np.float32), "w")
    node = helper.make_node("Conv", ["x", "w"], ["y"], name="conv", pads=[kk // 2] * 4,
                            kernel_shape=[kk, kk], strides=[1, 1], dilations=[1, 1], group=1)
    graph = helper.make_graph(
        [node], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, hw, hw])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, k, hw, hw])], initializer=[w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return onnx.shape_inference.infer_shapes(model)


def _layer_breakdown(obj):
    """The MAC energy breakdown of the per-layer evaluation inside ZigZag's results."""
    if getattr(obj, "mac_energy_breakdown", None):
        return obj.mac_energy_breakdown
    if isinstance(obj, (list, tuple)):
        for item in obj:
            found = _layer_breakdown(item)
            if found:
                return found
    return None


def zigzag_layer(c, k, hw, kk):
    """ZigZag's operational (MAC) energy of one conv layer on its AIMC example."""
    import tempfile

    import onnx
    import zigzag
    from zigzag.api import get_hardware_performance_zigzag

    base = os.path.dirname(zigzag.__file__)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "layer.onnx")
        onnx.save(conv_onnx(c, k, hw, kk), path)
        result = get_hardware_performance_zigzag(
            path, os.path.join(base, "inputs", "hardware", "aimc.yaml"),
            os.path.join(base, "inputs", "mapping", "default_imc.yaml"), opt="energy",
            dump_folder=os.path.join(tmp, "out"), in_memory_compute=True)
    b = _layer_breakdown(result)
    parts = {"dac": b["dacs"], "adc": b["adcs"] + b["adders_pv"] + b["accumulators"],
             "cells": b["mults"] + b["analog_bl_addition"]}
    parts["total"] = sum(parts.values())
    return parts


def marp_conv(c, k, hw, kk):
    arch = marp.load_arch("zigzag_aimc")
    a = arch.aimc
    w = marp.load_onnx(conv_onnx(c, k, hw, kk))
    b = marp.lower(w, array=(a.array_rows, a.array_cols), weight_bits=8)
    p = marp.pack(b.width, b.height, array=(a.array_rows, a.array_cols))
    e = cost((b, p), w, arch, baseline=False).totals["energy_pj"]
    parts = {"dac": e["dac"], "adc": e["adc"], "cells": e["array"]}
    parts["total"] = sum(parts.values())
    return parts


def main():
    try:
        oa = zigzag_macro()
    except ImportError:
        print("zigzag-dse is not installed: pip install -e '.[zigzag]'")
        return 0
    z = oa.get_peak_energy_single_cycle()
    z_tops, z_topsw, _ = oa.get_macro_level_peak_performance()
    macs_per_cycle = oa.wordline_dim_size * oa.bitline_dim_size / (
        oa.activation_precision / oa.bit_serial_precision)
    z_total = sum(z.values())
    parts, pj_per_mac, tops = marp_layer(oa.bitline_dim_size, oa.wordline_dim_size)
    m_adc = parts["adc"]
    rows = [
        ("DAC", z["dacs"], parts["dac"]),
        ("ADC + shift-add", z["adcs"] + z["adders_pv"] + z["accumulators"], m_adc),
        ("cells (bitline + 1b mult)", z["analog_bl_addition"] + z["mults"], parts["array"]),
        ("total per cycle", z_total, sum(parts.values())),
    ]
    print(f"ZigZag-IMC {__import__('zigzag').__version__ if hasattr(__import__('zigzag'), '__version__') else '3.9.1'} "
          f"AIMC example macro vs marp zigzag_aimc, full array ({oa.bitline_dim_size} rows x "
          f"{oa.wordline_dim_size} 8-bit weights)")
    print(f"  {'energy per input cycle (pJ)':28s} {'zigzag':>10s} {'marp':>10s} {'ratio':>7s}")
    for name, zv, mv in rows:
        print(f"  {name:28s} {zv:10.3f} {mv:10.3f} {mv / zv:7.4f}")
    print(f"  {'pJ per MAC':28s} {z_total / macs_per_cycle:10.4f} {pj_per_mac:10.4f} "
          f"{pj_per_mac / (z_total / macs_per_cycle):7.4f}")
    print(f"  {'TOPS/W':28s} {z_topsw:10.3f} {2 / pj_per_mac:10.3f} "
          f"{(2 / pj_per_mac) / z_topsw:7.4f}")
    print(f"  {'TOPS':28s} {z_tops:10.4f} {tops:10.4f} {tops / z_tops:7.4f}")
    print("single conv layers: ZigZag's layer evaluation vs marp (operational energy, pJ)")
    print(f"  {'layer':24s} {'part':8s} {'zigzag':>11s} {'marp':>11s} {'ratio':>7s}")
    for c, k, hw, kk in [(64, 64, 8, 1), (128, 128, 8, 1), (14, 64, 8, 3)]:
        z_parts = zigzag_layer(c, k, hw, kk)
        m_parts = marp_conv(c, k, hw, kk)
        for part in ("dac", "adc", "cells", "total"):
            print(f"  {f'conv {c}->{k} {kk}x{kk} {hw}x{hw}':24s} {part:8s} {z_parts[part]:11.1f} "
                  f"{m_parts[part]:11.1f} {m_parts[part] / z_parts[part]:7.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
