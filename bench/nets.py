"""Workloads of well-known CNNs built from their layer shapes (no ONNX file needed):
ResNet-18 and VGG-19 at 224x224, batch 1, 8-bit weights."""
from __future__ import annotations

from marp.workload.layers import Layers, Workload


def _conv(i, cin, cout, k, hw_out, stride=1):
    hw_in = hw_out * stride
    return dict(name=f"conv{i}", op="Conv", kind="conv" if k > 1 else "pointwise",
                groups=1, kernel=(k, k), strides=(stride, stride), dilations=(1, 1),
                pads=(k // 2,) * 4, input_shape=(1, cin, hw_in, hw_in),
                output_shape=(1, cout, hw_out, hw_out), rows=cin * k * k, cols=cout,
                vectors=hw_out * hw_out, macs=hw_out * hw_out * cin * k * k * cout,
                weights=cin * k * k * cout, weight_bits=8, weight_path="init->Conv",
                node_index=i)


def _fc(i, cin, cout):
    return dict(name=f"fc{i}", op="Gemm", kind="fc", groups=1, kernel=(), strides=(),
                dilations=(), pads=(), input_shape=(1, cin), output_shape=(1, cout),
                rows=cin, cols=cout, vectors=1, macs=cin * cout, weights=cin * cout,
                weight_bits=8, weight_path="init->Gemm", node_index=i)


def resnet18() -> Workload:
    """ResNet-18's 21 weight layers (20 convs incl. 3 downsampling 1x1, the classifier)."""
    recs = [_conv(0, 3, 64, 7, 112, 2)]
    cin, hw = 64, 56
    for cout, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
        for block in range(2):
            s = stride if block == 0 else 1
            hw = hw // s
            recs.append(_conv(len(recs), cin, cout, 3, hw, s))
            recs.append(_conv(len(recs), cout, cout, 3, hw))
            if s != 1 or cin != cout:
                recs.append(_conv(len(recs), cin, cout, 1, hw, s))
            cin = cout
    recs.append(_fc(len(recs), 512, 1000))
    return Workload("resnet18", "bench.nets", Layers.from_records(recs))


def vgg19() -> Workload:
    """VGG-19: 16 3x3 convs and 3 fully connected layers."""
    recs, cin, hw = [], 3, 224
    for cout, n in [(64, 2), (128, 2), (256, 4), (512, 4), (512, 4)]:
        for _ in range(n):
            recs.append(_conv(len(recs), cin, cout, 3, hw))
            cin = cout
        hw //= 2
    for cin_fc, cout in [(512 * 7 * 7, 4096), (4096, 4096), (4096, 1000)]:
        recs.append(_fc(len(recs), cin_fc, cout))
    return Workload("vgg19", "bench.nets", Layers.from_records(recs))
