"""Small ONNX models built with onnx.helper for the loader and lowering tests."""
from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper, numpy_helper


class Net:
    """Builds a graph node by node; ``conv``/``gemm``/... return the output name."""

    def __init__(self, shape, name="x", elem=TensorProto.FLOAT, dims=None):
        self.nodes, self.inits = [], []
        self.inputs = [helper.make_tensor_value_info(name, elem, dims or list(shape))]
        self.count = 0

    def _name(self, prefix):
        self.count += 1
        return f"{prefix}{self.count}"

    def init(self, array, prefix="w"):
        name = self._name(prefix)
        self.inits.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(self, op, inputs, n_out=1, domain="", **attrs):
        name = self._name(op.lower())
        outs = [f"{name}_out{i}" for i in range(n_out)]
        self.nodes.append(helper.make_node(op, inputs, outs, name=name, domain=domain, **attrs))
        return outs[0] if n_out == 1 else outs

    def conv(self, x, cin, cout, k=3, group=1, dtype=np.float32, **attrs):
        ks = (k, k) if isinstance(k, int) else tuple(k)
        w = self.init(np.zeros((cout, cin // group) + ks, dtype=dtype))
        return self.node("Conv", [x, w], group=group, **attrs)

    def qdq_conv(self, x, cin, cout, k=3, group=1, per_channel=True, **attrs):
        w = self.init(np.zeros((cout, cin // group, k, k), dtype=np.int8))
        scale = self.init(np.ones(cout if per_channel else (), dtype=np.float32), "s")
        zp = self.init(np.zeros(cout if per_channel else (), dtype=np.int8), "z")
        dq_attrs = {"axis": 0} if per_channel else {}
        wf = self.node("DequantizeLinear", [w, scale, zp], **dq_attrs)
        return self.node("Conv", [x, wf], group=group, **attrs)

    def model(self, out, opset=17, out_elem=TensorProto.FLOAT):
        graph = helper.make_graph(self.nodes, "g", self.inputs,
                                  [helper.make_tensor_value_info(out, out_elem, None)],
                                  initializer=self.inits)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
        m.ir_version = 8
        return m


def mobilenet_v2_bottlenecks(qdq=True):
    """The 17 bottleneck blocks of MobileNetV2 (224x224 input), without the first conv,
    the final 1x1 conv to 1280 and the classifier."""
    net = Net([1, 32, 112, 112])
    conv = net.qdq_conv if qdq else net.conv
    x, cin = "x", 32
    for t, c, n, s in [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2),
                       (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]:
        for i in range(n):
            hidden = cin * t
            if t != 1:
                x = net.node("Relu", [conv(x, cin, hidden, k=1)])
            x = net.node("Relu", [conv(x, hidden, hidden, k=3, group=hidden,
                                       strides=[s if i == 0 else 1] * 2, pads=[1] * 4)])
            x = conv(x, hidden, c, k=1)
            cin = c
    return net.model(x)


def resnet18():
    """ResNet-18 (224x224): every conv, the downsampling 1x1 convs and the classifier;
    weights behind ConstantOfShape (a model with no weight bytes)."""
    net = Net([1, 3, 224, 224])

    def conv(x, cin, cout, k, stride):
        shape = net.init(np.array([cout, cin, k, k], dtype=np.int64), "shape")
        w = net.node("ConstantOfShape", [shape],
                     value=helper.make_tensor("v", TensorProto.FLOAT, [1], [0.0]))
        return net.node("Conv", [x, w], strides=[stride] * 2, pads=[k // 2] * 4)

    x = net.node("MaxPool", [conv("x", 3, 64, 7, 2)], kernel_shape=[3, 3], strides=[2, 2],
                 pads=[1] * 4)
    cin = 64
    for cout, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
        for block in range(2):
            s = stride if block == 0 else 1
            y = conv(net.node("Relu", [conv(x, cin, cout, 3, s)]), cout, cout, 3, 1)
            short = conv(x, cin, cout, 1, s) if (s != 1 or cin != cout) else x
            x = net.node("Relu", [net.node("Add", [y, short])])
            cin = cout
    x = net.node("Flatten", [net.node("GlobalAveragePool", [x])])
    w = net.init(np.zeros((1000, 512), dtype=np.float32))
    return net.model(net.node("Gemm", [x, w], transB=1))


def attention_block(tokens=16, dim=64):
    """One self-attention block (a single head): Q, K, V and output projections (weight
    layers) and the two act x act products QK^T and AV (digital work)."""
    net = Net([1, tokens, dim])

    def proj(x):
        return net.node("MatMul", [x, net.init(np.zeros((dim, dim), dtype=np.float32))])

    q, k, v = proj("x"), proj("x"), proj("x")
    scores = net.node("MatMul", [q, net.node("Transpose", [k], perm=[0, 2, 1])])
    probs = net.node("Softmax", [scores], axis=-1)
    return net.model(proj(net.node("MatMul", [probs, v])))


def grouped_pair(groups=2):
    """AlexNet-style: a dense conv, then a grouped conv with ``groups`` groups."""
    net = Net([1, 3, 16, 16])
    x = net.node("Relu", [net.conv("x", 3, 16, k=3, pads=[1] * 4)])
    return net.model(net.conv(x, 16, 32, k=3, group=groups, pads=[1] * 4))


def channel_shuffle(groups=2):
    """ShuffleNetV2's channel shuffle as torchvision exports it: the shape is read with
    Shape, its parts picked with Gather, new shapes built with Concat, then Reshape,
    Transpose, Reshape; a conv after it, and a Slice whose bounds are computed from the
    shape (the channel split of the next unit)."""
    net = Net([1, 8, 6, 6])
    x = net.conv("x", 8, 8, k=1)
    shape = net.node("Shape", [x])

    def dim(i):
        return net.node("Gather", [shape, net.init(np.array(i, dtype=np.int64), "i")], axis=0)

    def vec(name):
        return net.node("Unsqueeze", [name, net.init(np.array([0], dtype=np.int64), "a")])

    n, c, h, w = dim(0), dim(1), dim(2), dim(3)
    g = net.init(np.array([groups], dtype=np.int64), "g")
    per = net.node("Div", [vec(c), g])
    five = net.node("Concat", [vec(n), g, per, vec(h), vec(w)], axis=0)
    y = net.node("Reshape", [x, five])
    y = net.node("Transpose", [y], perm=[0, 2, 1, 3, 4])
    four = net.node("Concat", [vec(n), net.init(np.array([-1], dtype=np.int64), "m"),
                               vec(h), vec(w)], axis=0)
    y = net.node("Reshape", [y, four])
    half = net.node("Div", [vec(c), net.init(np.array([2], dtype=np.int64), "two")])
    left = net.node("Slice", [y, net.init(np.array([0], dtype=np.int64), "s"), half,
                              net.init(np.array([1], dtype=np.int64), "ax")])
    return net.model(net.conv(left, 4, 16, k=3, pads=[1] * 4))


def flatten_by_reduceprod():
    """A flatten whose width is the product of the shape's tail (ReduceProd), an operator
    neither ONNX inference nor marp's folding evaluates: only a run gives the shape."""
    net = Net([1, 4, 5, 5])
    x = net.node("Relu", [net.conv("x", 4, 6, k=3, pads=[1] * 4)])
    shape = net.node("Shape", [x])
    tail = net.node("Slice", [shape, net.init(np.array([1], dtype=np.int64), "s"),
                              net.init(np.array([4], dtype=np.int64), "e")])
    width = net.node("ReduceProd", [tail], keepdims=1)
    flat = net.node("Concat", [net.init(np.array([1], dtype=np.int64), "one"), width],
                    axis=0)
    y = net.node("Reshape", [x, flat])
    return net.model(net.node("MatMul", [y, net.init(np.zeros((150, 10), np.float32))]))


def built_models():
    """Every model this factory builds, by name (the loader's shapes are checked against
    onnxruntime's on each)."""
    return {"mobilenet_v2_qdq": mobilenet_v2_bottlenecks(True),
            "mobilenet_v2_float": mobilenet_v2_bottlenecks(False), "resnet18": resnet18(),
            "attention": attention_block(), "grouped": grouped_pair(),
            "channel_shuffle": channel_shuffle(), "reduceprod": flatten_by_reduceprod()}
