"""Workloads of well-known networks built from their layer shapes (no ONNX file needed):
ResNet-18, VGG-19 and AlexNet (its grouped convs) at 224x224, one ViT-B/16 encoder block,
batch 1, 8-bit weights."""
from __future__ import annotations

from marp.workload.layers import DigitalOp, Layers, Workload


def _conv(i, cin, cout, k, hw_out, stride=1, groups=1, hw_in=None):
    hw_in = hw_in or hw_out * stride
    kind = "grouped" if groups > 1 else "conv" if k > 1 else "pointwise"
    rows, cols = cin // groups * k * k, cout // groups
    return dict(name=f"conv{i}", op="Conv", kind=kind,
                groups=groups, kernel=(k, k), strides=(stride, stride), dilations=(1, 1),
                pads=(k // 2,) * 4, input_shape=(1, cin, hw_in, hw_in),
                output_shape=(1, cout, hw_out, hw_out), rows=rows, cols=cols,
                vectors=hw_out * hw_out, macs=hw_out * hw_out * rows * cols * groups,
                weights=rows * cout, weight_bits=8, weight_path="init->Conv",
                node_index=i)


def _fc(i, cin, cout, vectors=1, name=None):
    return dict(name=name or f"fc{i}", op="Gemm", kind="fc", groups=1, kernel=(),
                strides=(), dilations=(), pads=(), input_shape=(vectors, cin),
                output_shape=(vectors, cout), rows=cin, cols=cout, vectors=vectors,
                macs=vectors * cin * cout, weights=cin * cout, weight_bits=8,
                weight_path="init->Gemm", node_index=i)


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


def alexnet() -> Workload:
    """AlexNet as published (Krizhevsky et al. 2012): conv2, conv4 and conv5 split over
    two GPUs as groups=2 convolutions; 227x227 input."""
    recs = [_conv(0, 3, 96, 11, 55, hw_in=227, stride=4),
            _conv(1, 96, 256, 5, 27, groups=2),
            _conv(2, 256, 384, 3, 13),
            _conv(3, 384, 384, 3, 13, groups=2),
            _conv(4, 384, 256, 3, 13, groups=2)]
    for cin, cout in [(256 * 6 * 6, 4096), (4096, 4096), (4096, 1000)]:
        recs.append(_fc(len(recs), cin, cout))
    return Workload("alexnet", "bench.nets", Layers.from_records(recs))


def vit_b16_block(tokens: int = 197, dim: int = 768, heads: int = 12) -> Workload:
    """One ViT-B/16 encoder block: Q, K, V and output projections, the MLP (dim -> 4 dim
    -> dim), and the attention's two act x act products per head (QK^T and AV) on the
    digital engine."""
    hd = dim // heads
    recs = [_fc(i, dim, dim, tokens, name) for i, name in enumerate(("q", "k", "v", "proj"))]
    recs += [_fc(4, dim, 4 * dim, tokens, "mlp1"), _fc(5, 4 * dim, dim, tokens, "mlp2")]
    digital = []
    for h in range(heads):
        digital.append(DigitalOp(f"head{h}/qk", "MatMul", "act x act", tokens * tokens * hd,
                                 0, ((tokens, hd), (hd, tokens)), (tokens, tokens)))
        digital.append(DigitalOp(f"head{h}/av", "MatMul", "act x act", tokens * hd * tokens,
                                 0, ((tokens, tokens), (tokens, hd)), (tokens, hd)))
    return Workload("vit_b16_block", "bench.nets", Layers.from_records(recs),
                    digital=tuple(digital))
