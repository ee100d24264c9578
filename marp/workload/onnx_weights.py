"""The values of a model's weights, as the integer matrices the arrays hold.

:func:`weight_matrices` reads an ONNX model's weight tensors through the chains the loader
understands (initializers, ``Constant``/``ConstantOfShape``, ``Identity``, ``Reshape``,
``Transpose``, ``Cast``, ``Squeeze``/``Unsqueeze``/``Flatten``, ``DequantizeLinear``) and
returns, per weight layer (by node name), one matrix per group: rows are the layer's inputs
(for a convolution: input channel, then kernel row, then kernel column, the im2col order),
columns its outputs, the same rows x cols the lowering tiles.

Values are integers: a quantized weight (behind ``DequantizeLinear``, or of
``QLinearConv``/``ConvInteger``/... ) is its integer minus its zero point; a float weight
is quantized symmetrically per layer to ``bits`` (scale max|w| / (2^(bits-1) - 1), round
to nearest), and so is an integer weight wider than ``bits``. onnx is imported here only.
"""
from __future__ import annotations

import numpy as np

from marp.workload.layers import Workload, WorkloadError
from marp.workload.onnx_loader import CONV_OPS, MATMUL_OPS

_ZERO_POINT = {"DequantizeLinear": 2, "QLinearConv": 5, "QLinearMatMul": 5,
               "ConvInteger": 3, "MatMulInteger": 3}


def _onnx():
    import onnx
    return onnx


def _attr(node, name, default=None):
    for a in node.attribute:
        if a.name == name:
            return _onnx().helper.get_attribute_value(a)
    return default


class _Values:
    """Values of constant tensors, computed on demand along the producing nodes."""

    def __init__(self, graph, source):
        onnx = _onnx()
        self.source = source
        self.init = {t.name: t for t in graph.initializer}
        self.producer = {o: n for n in graph.node for o in n.output if o}
        self.to_array = onnx.numpy_helper.to_array

    def get(self, name, depth=0):
        if not name:
            return None
        if name in self.init:
            return self.to_array(self.init[name])
        node = self.producer.get(name)
        if node is None or depth > 64:
            raise WorkloadError(f"{self.source}: weight tensor {name!r} is not a constant")
        return self._compute(node, depth)

    def _compute(self, node, depth):
        op = node.op_type
        if op == "Constant":
            return self.to_array(_attr(node, "value"))
        if op == "ConstantOfShape":
            shape = [int(d) for d in self.get(node.input[0], depth + 1)]
            t = _attr(node, "value")
            fill = self.to_array(t).ravel()[0] if t is not None else np.float32(0)
            return np.full(shape, fill)
        x = self.get(node.input[0], depth + 1)
        if op == "DequantizeLinear":        # the integer weight, less its zero point
            zp = self.get(node.input[2], depth + 1) if len(node.input) > 2 else None
            return _minus_zero_point(x, zp, _attr(node, "axis", 1))
        if op in ("Identity", "Cast"):
            return x
        if op == "Transpose":
            return np.transpose(x, _attr(node, "perm"))
        if op == "Reshape":
            shape = [x.shape[i] if d == 0 else int(d)
                     for i, d in enumerate(self.get(node.input[1], depth + 1))]
            return x.reshape(shape)
        if op == "Flatten":
            axis = _attr(node, "axis", 1)
            return x.reshape(int(np.prod(x.shape[:axis])), -1)
        if op in ("Squeeze", "Unsqueeze"):
            axes = _attr(node, "axes")
            if axes is None and len(node.input) > 1:
                axes = self.get(node.input[1], depth + 1).tolist()
            if op == "Squeeze":
                return np.squeeze(x, axis=tuple(axes)) if axes else np.squeeze(x)
            for a in sorted(int(a) % (x.ndim + len(axes)) for a in axes):
                x = np.expand_dims(x, a)
            return x
        raise WorkloadError(f"{self.source}: weight through {op} node {node.name!r} is not "
                            f"read by marp's weight reader")


def _minus_zero_point(x, zp, axis):
    x = x.astype(np.int64) if x.dtype.kind in "iu" else x
    if zp is None or not np.any(zp):
        return x
    zp = np.asarray(zp).astype(np.int64)
    if zp.ndim == 1 and x.ndim > 1:
        shape = [1] * x.ndim
        shape[axis % x.ndim] = -1
        zp = zp.reshape(shape)
    return x - zp


def quantize(w: np.ndarray, bits: int) -> np.ndarray:
    """Integers in [-(2^(bits-1) - 1), 2^(bits-1) - 1]: ``w`` as is when it is integer
    and fits, else symmetric per-tensor quantization (see the module doc)."""
    top = (1 << (bits - 1)) - 1 if bits > 1 else 1
    if w.dtype.kind in "iub" and (w.size == 0 or np.abs(w).max() <= top + 1):
        return w.astype(np.int64)
    peak = float(np.abs(w).max()) if w.size else 0.0
    if peak == 0.0:
        return np.zeros(w.shape, dtype=np.int64)
    return np.clip(np.rint(w.astype(np.float64) * top / peak), -top, top).astype(np.int64)


def _weight_input(node):
    if node.op_type in CONV_OPS:
        return node.input[CONV_OPS[node.op_type][1]], None
    a, b = MATMUL_OPS[node.op_type]
    return node.input[b], node.input[a]


def _layer_value(values, node):
    """The weight tensor of a layer node (its zero point removed for integer ops), and
    whether it is the A operand of a matrix product."""
    w_name, a_name = _weight_input(node)
    try:
        w = values.get(w_name)
        is_a = False
    except WorkloadError:
        if a_name is None:
            raise
        w, is_a = values.get(a_name), True
    zp_at = _ZERO_POINT.get(node.op_type)
    if zp_at is not None and not is_a and len(node.input) > zp_at and node.input[zp_at]:
        w = _minus_zero_point(w, values.get(node.input[zp_at]), 0)
    return w, is_a


def _matrices_of(node, w, is_a, groups):
    """One matrix per group (rows x cols, as the lowering counts them)."""
    op = node.op_type
    if op == "ConvTranspose":
        cin_g = w.shape[0] // groups
        return [w[g * cin_g:(g + 1) * cin_g].reshape(cin_g, -1) for g in range(groups)]
    if op in ("Conv", "ConvInteger", "QLinearConv"):
        cout_g = w.shape[0] // groups
        return [w[g * cout_g:(g + 1) * cout_g].reshape(cout_g, -1).T for g in range(groups)]
    w = w.reshape(w.shape[-2:]) if w.ndim > 2 else w
    if op == "Gemm":
        if is_a:
            w = w if _attr(node, "transA", 0) else w.T
        elif _attr(node, "transB", 0):
            w = w.T
        return [w]
    return [w.T if is_a else w]


def weight_matrices(path_or_model, workload: Workload, bits) -> list[list[np.ndarray]]:
    """Per layer of ``workload`` (loaded from this model), its integer matrices (one per
    group), at ``bits`` (a number, or one per layer) as described in the module doc."""
    onnx = _onnx()
    model = path_or_model if isinstance(path_or_model, onnx.ModelProto) else \
        onnx.load(str(path_or_model))
    nodes = {n.name: n for n in model.graph.node}
    values = _Values(model.graph, workload.source)
    L = workload.layers
    bits = np.broadcast_to(np.asarray(bits), (len(L),))
    out = []
    for i, name in enumerate(L.name):
        node = nodes.get(name)
        if node is None:
            raise WorkloadError(f"{workload.source}: layer {name!r} is not a node of the "
                                f"model given for its weights")
        w, is_a = _layer_value(values, node)
        mats = _matrices_of(node, quantize(w, int(bits[i])), is_a, int(L.groups[i]))
        if mats[0].shape != (int(L.rows[i]), int(L.cols[i])):
            raise WorkloadError(f"{workload.source}: layer {name!r}: weight matrix "
                                f"{mats[0].shape} is not the {int(L.rows[i])} x "
                                f"{int(L.cols[i])} the loader counted")
        out.append(mats)
    return out
