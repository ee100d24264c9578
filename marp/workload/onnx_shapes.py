"""Tensor shapes of an ONNX graph whose shapes are computed inside the graph.

Exporters such as torch.onnx build shapes at run time: ``Shape -> Gather -> Concat ->
Reshape`` (ShuffleNet's channel shuffle), ``Slice`` with bounds computed from a shape.
ONNX shape inference (even with ``data_prop=True``) stops at many of these, so
:func:`infer` does three things, in turn, until a round learns nothing new:

1. ONNX shape inference with data propagation;
2. constant folding of small integer (shape) arithmetic on what is known: initializers,
   ``Constant``, ``Shape``/``Size`` of tensors whose shape is known, and ``Gather``,
   ``Slice``, ``Concat``, ``Unsqueeze``, ``Squeeze``, ``Cast``, ``Reshape``, ``Range``,
   ``ConstantOfShape``, ``Expand``, ``Identity``, element-wise arithmetic, ``Min``/``Max``,
   ``Equal``/``Where`` on them;
3. every folded tensor that a node consumes becomes an initializer of a copy of the model,
   so the next round of inference sees constants.

:func:`run_shapes` is the fallback when that is not enough: onnxruntime (extra ``ort``)
runs the model once on zeros of the pinned input shapes and reports every tensor's shape.
"""
from __future__ import annotations

import math

import numpy as np

MAX_FOLD = 4096          # elements: shape arithmetic is small; weights are never folded
MAX_ROUNDS = 8


def _shapes_types(graph) -> tuple[dict, dict]:
    shapes, types = {}, {}
    for vi in list(graph.input) + list(graph.value_info) + list(graph.output):
        tt = vi.type.tensor_type
        if tt.HasField("shape") and all(d.HasField("dim_value") for d in tt.shape.dim):
            shapes[vi.name] = tuple(d.dim_value for d in tt.shape.dim)
        if tt.elem_type:
            types[vi.name] = tt.elem_type
    for t in graph.initializer:
        shapes[t.name] = tuple(t.dims)
        types[t.name] = t.data_type
    return shapes, types


def _attr(onnx, node, name, default=None):
    for a in node.attribute:
        if a.name == name:
            return onnx.helper.get_attribute_value(a)
    return default


def _axes(onnx, node, values):
    """Axes of Unsqueeze/Squeeze/ReduceX: the attribute (opset < 13) or input 1."""
    axes = _attr(onnx, node, "axes")
    if axes is None and len(node.input) > 1 and node.input[1]:
        axes = values.get(node.input[1])
        axes = None if axes is None else axes.tolist()
    return axes


def _int_div(a, b):
    """ONNX integer Div truncates toward zero."""
    q = np.abs(a) // np.maximum(np.abs(b), 1)
    return np.where((a < 0) ^ (b < 0), -q, q)


_ARITH = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply, "Max": np.maximum,
          "Min": np.minimum, "Equal": np.equal, "Less": np.less, "Greater": np.greater}
_UNARY = {"Neg": np.negative, "Abs": np.abs, "Floor": np.floor, "Ceil": np.ceil,
          "Sqrt": np.sqrt, "Not": np.logical_not}


def _slice(data, starts, ends, axes=None, steps=None):
    axes = list(range(len(starts))) if axes is None else [int(a) for a in axes]
    steps = [1] * len(starts) if steps is None else [int(s) for s in steps]
    index = [slice(None)] * data.ndim
    for a, s, e, st in zip(axes, starts, ends, steps):
        index[a] = slice(int(s), int(e), st)
    return data[tuple(index)]


def _constant(onnx, node):
    t = _attr(onnx, node, "value")
    if t is not None:
        return onnx.numpy_helper.to_array(t)
    for name in ("value_int", "value_float", "value_ints", "value_floats"):
        x = _attr(onnx, node, name)
        if x is not None:
            return np.array(list(x) if name.endswith("s") else x)
    return None


def _shape_of(onnx, node, shapes):
    s = shapes.get(node.input[0])
    if s is None:
        return None
    if node.op_type == "Size":
        return np.array(math.prod(s), dtype=np.int64)
    start, end = _attr(onnx, node, "start", 0), _attr(onnx, node, "end", len(s))
    return np.array(s[start:end], dtype=np.int64)


def _fold_layout(onnx, node, x, v, values):
    """Ops that move or pick values: Gather, Concat, Unsqueeze, Squeeze, Slice, Reshape,
    Expand, Identity, Cast."""
    op = node.op_type
    if op == "Identity":
        return x
    if op == "Cast":
        return x.astype(onnx.helper.tensor_dtype_to_np_dtype(_attr(onnx, node, "to")))
    if op == "Gather" and len(v) > 1 and v[1] is not None:
        return np.take(x, v[1], axis=_attr(onnx, node, "axis", 0))
    if op == "Concat" and all(a is not None for a in v):
        return np.concatenate([np.atleast_1d(a) for a in v], axis=_attr(onnx, node, "axis", 0))
    if op in ("Unsqueeze", "Squeeze"):
        axes = _axes(onnx, node, values)
        if op == "Squeeze":
            return np.squeeze(x) if axes is None else \
                np.squeeze(x, axis=tuple(int(a) for a in axes))
        if axes is None:
            return None
        for a in sorted(int(a) % (x.ndim + len(axes)) for a in axes):
            x = np.expand_dims(x, a)
        return x
    if op == "Slice":
        if len(v) >= 3 and all(a is not None for a in v[1:]):
            return _slice(x, v[1], v[2], *(a.tolist() for a in v[3:5]))
        starts, ends = _attr(onnx, node, "starts"), _attr(onnx, node, "ends")
        return None if starts is None else _slice(x, starts, ends, _attr(onnx, node, "axes"))
    if op == "Reshape" and len(v) > 1 and v[1] is not None:
        return x.reshape([x.shape[i] if d == 0 else int(d) for i, d in enumerate(v[1].tolist())])
    if op == "Expand" and len(v) > 1 and v[1] is not None:
        return x * np.ones([int(d) for d in v[1].tolist()], dtype=x.dtype)
    return None


def _fold_math(onnx, node, x, v):
    """Arithmetic: element-wise ops, Div, Where, Range, ConstantOfShape."""
    op = node.op_type
    if op == "ConstantOfShape":
        dims = [int(d) for d in x.tolist()]
        t = _attr(onnx, node, "value")
        fill = onnx.numpy_helper.to_array(t).ravel()[0] if t is not None else np.float32(0)
        return np.full(dims, fill) if math.prod(dims) <= MAX_FOLD else None
    if op == "Range" and all(a is not None for a in v[:3]):
        return np.arange(v[0], v[1], v[2]).astype(x.dtype)
    if op in _UNARY:
        return x if op in ("Floor", "Ceil") and x.dtype.kind in "iu" else _UNARY[op](x)
    if op in _ARITH and len(v) > 1 and all(a is not None for a in v):
        out = v[0]
        for other in v[1:]:
            out = _ARITH[op](out, other)
        return out
    if op == "Div" and len(v) > 1 and v[1] is not None:
        return _int_div(x, v[1]) if x.dtype.kind in "iu" else x / v[1]
    if op == "Where" and len(v) > 2 and all(a is not None for a in v):
        return np.where(v[0], v[1], v[2])
    return None


def _fold_node(onnx, node, values, shapes):
    """The value of the node's first output when it can be computed, else None."""
    if node.op_type == "Constant":
        return _constant(onnx, node)
    if node.op_type in ("Shape", "Size"):
        return _shape_of(onnx, node, shapes)
    v = [values.get(i) if i else None for i in node.input]
    if not v or v[0] is None:
        return None
    out = _fold_layout(onnx, node, v[0], v, values)
    return out if out is not None else _fold_math(onnx, node, v[0], v)


def _fold(onnx, graph, shapes) -> dict:
    """Values of the small tensors that can be computed (name -> array)."""
    values = {}
    for t in graph.initializer:
        if math.prod(t.dims) <= MAX_FOLD and t.data_type != onnx.TensorProto.STRING:
            values[t.name] = onnx.numpy_helper.to_array(t)
    for node in graph.node:           # ONNX lists nodes in topological order
        if not node.output or not node.output[0]:
            continue
        try:
            out = _fold_node(onnx, node, values, shapes)
        except (ValueError, IndexError, TypeError, KeyError, OverflowError):
            out = None               # not foldable here: inference or onnxruntime decide
        if out is not None and np.asarray(out).size <= MAX_FOLD:
            values[node.output[0]] = np.asarray(out)
    return values


def _substitute(onnx, model, values) -> int:
    """Make every folded integer tensor that a node reads an initializer (under a new
    name); returns how many were added. Only int32/int64 (shape arithmetic): weights and
    their paths stay as the model has them."""
    g = model.graph
    produced = {o for n in g.node for o in n.output}
    names, added = {}, 0
    for node in g.node:
        for k, name in enumerate(node.input):
            if name in produced and name in values and \
                    values[name].dtype in (np.int64, np.int32):
                if name not in names:
                    names[name] = f"{name}__marp_folded"
                    g.initializer.append(onnx.numpy_helper.from_array(values[name],
                                                                      names[name]))
                    added += 1
                node.input[k] = names[name]
    return added


def infer(onnx, model, infer_once):
    """(model with folded shape arithmetic, shapes, types): see the module doc.
    ``infer_once(model)`` runs ONNX shape inference and returns the inferred model."""
    work = model
    inferred = infer_once(work)
    for _ in range(MAX_ROUNDS):
        shapes, _ = _shapes_types(inferred.graph)
        values = _fold(onnx, inferred.graph, shapes)
        if work is model:
            work = onnx.ModelProto()
            work.CopyFrom(model)
        if not _substitute(onnx, work, values):
            break
        inferred = infer_once(work)
    shapes, types = _shapes_types(inferred.graph)
    return work, inferred, shapes, types


def run_shapes(onnx, model, inputs: dict, types: dict) -> dict:
    """Every tensor's shape from one onnxruntime run on zeros of ``inputs`` (name ->
    shape); raises ImportError without onnxruntime, RuntimeError when the run fails."""
    import onnxruntime as ort          # optional extra (marp[ort]), imported only here

    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    g = probe.graph
    have = {o.name for o in g.output}
    for node in g.node:
        for name in node.output:
            if name and name not in have and name in types:
                g.output.append(onnx.helper.make_tensor_value_info(name, types[name], None))
                have.add(name)
    feeds = {}
    for vi in g.input:
        if vi.name in inputs:
            dtype = onnx.helper.tensor_dtype_to_np_dtype(vi.type.tensor_type.elem_type)
            feeds[vi.name] = np.zeros(inputs[vi.name], dtype=dtype)
    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    try:
        session = ort.InferenceSession(probe.SerializeToString(), options,
                                       providers=["CPUExecutionProvider"])
        names = [o.name for o in session.get_outputs()]
        return {n: tuple(np.shape(a)) for n, a in zip(names, session.run(names, feeds))}
    except Exception as exc:          # onnxruntime raises its own exception types
        raise RuntimeError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) \
            from None
