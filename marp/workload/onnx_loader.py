"""ONNX ingestion: ``load_onnx(path_or_model) -> Workload``.

Shapes come from ONNX shape inference after the graph inputs are pinned (symbolic leading
dimensions take ``batch``; others come from ``input_shapes``), helped by constant folding
of the graph's shape arithmetic, and, when that is not enough, read from one onnxruntime
run of the model (extra ``ort``; see :mod:`marp.workload.onnx_shapes`). Weights are found through
initializers, ``Constant``/``ConstantOfShape`` nodes and chains of shape-preserving or
dequantizing operators. An operator marp does not understand is listed in
``Workload.skipped``, never mapped silently. onnx is imported here only, so that
``import marp`` stays fast.
"""
from __future__ import annotations

import math
import os

from marp._validate import positive_int
from marp.workload import onnx_checks, onnx_shapes
from marp.workload.layers import DigitalOp, Layers, SkippedOp, Workload, WorkloadError

# operators through which a constant stays a constant weight (data input first)
PASS_THROUGH = {"Identity", "Reshape", "Transpose", "Cast", "DequantizeLinear", "Squeeze",
                "Unsqueeze", "Flatten"}
# weight operators: op -> (data input, weight input)
CONV_OPS = {"Conv": (0, 1), "ConvInteger": (0, 1), "QLinearConv": (0, 3),
            "ConvTranspose": (0, 1)}
# matrix products: op -> (A input, B input)
MATMUL_OPS = {"MatMul": (0, 1), "Gemm": (0, 1), "MatMulInteger": (0, 1),
              "QLinearMatMul": (0, 3)}
POOL_OPS = {"MaxPool", "AveragePool", "LpPool", "GlobalAveragePool", "GlobalMaxPool",
            "GlobalLpPool"}
# no weights and negligible digital work: neither mapped nor reported as skipped
NO_WEIGHT_OPS = {
    "Relu", "LeakyRelu", "PRelu", "Clip", "Sigmoid", "HardSigmoid", "HardSwish", "Tanh",
    "Softmax", "LogSoftmax", "Elu", "Selu", "Gelu", "Erf", "Exp", "Log", "Sqrt", "Pow", "Neg",
    "Abs", "Reciprocal", "Add", "Sub", "Mul", "Div", "Min", "Max", "Sum", "Mean", "Equal",
    "Greater", "Less", "Where", "Not", "And", "Or", "Reshape", "Flatten", "Transpose",
    "Squeeze", "Unsqueeze", "Concat", "Split", "Slice", "Gather", "Shape", "Size", "Expand",
    "Tile", "Pad", "Resize", "Upsample", "Identity", "Cast", "CastLike", "Constant",
    "ConstantOfShape", "QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear",
    "BatchNormalization", "InstanceNormalization", "LayerNormalization", "Dropout",
    "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin", "ArgMax", "ArgMin", "TopK", "Range",
    "NonZero", "ScatterND", "GatherND", "DepthToSpace", "SpaceToDepth", "Round", "Floor",
    "Ceil", "Sign", "Softplus", "Mish", "Swish", "Trilu", "CumSum",
}
WEIGHTED_UNSUPPORTED = {"LSTM", "GRU", "RNN", "Attention", "MultiHeadAttention", "Einsum",
                        "DeformConv", "QLinearAdd"}


def _onnx():
    """The onnx package, imported on first use: it takes about 1 s to import, and
    ``import marp`` must stay fast for library callers that never load a model."""
    import onnx
    return onnx


def _bits_of(elem_type: int) -> int:
    onnx = _onnx()
    special = {onnx.TensorProto.BOOL: 1}
    for name, bits in (("INT4", 4), ("UINT4", 4), ("FLOAT4E2M1", 4), ("INT2", 2),
                       ("UINT2", 2)):
        if hasattr(onnx.TensorProto, name):
            special[getattr(onnx.TensorProto, name)] = bits
    if elem_type in special:
        return special[elem_type]
    return int(onnx.helper.tensor_dtype_to_np_dtype(elem_type).itemsize * 8)


class _UnknownShape(WorkloadError):
    """A tensor whose shape neither inference nor folding found (``where`` names it)."""

    def __init__(self, source, where):
        self.where = where
        super().__init__(f"{source}: the shape of {where} is not known")


class _Graph:
    """Indexes of one (shape-inferred) graph: producers, constants, shapes."""

    def __init__(self, graph, source, shapes, types):
        self.source = source
        self.init = {t.name: t for t in graph.initializer}
        self.producer = {o: n for n in graph.node for o in n.output if o}
        self.shapes, self.types = dict(shapes), dict(types)

    def shape(self, name: str, node, role: str) -> tuple:
        if name in self.shapes:
            return self.shapes[name]
        raise _UnknownShape(self.source, f"tensor {name!r} ({role} of {node.op_type} node "
                                         f"{node.name!r})")

    def constant(self, name: str, depth: int = 0):
        """(bits, path) when tensor name is a constant, else None."""
        if name in self.init:
            return _bits_of(self.init[name].data_type), "init"
        node = self.producer.get(name)
        if node is None or depth > 64:
            return None
        if node.op_type == "Constant":
            for a in node.attribute:
                if a.name == "value":
                    return _bits_of(a.t.data_type), "Constant"
            return 32, "Constant"
        if node.op_type == "ConstantOfShape":
            if node.input and self.constant(node.input[0], depth + 1) is None:
                return None
            for a in node.attribute:
                if a.name == "value":
                    return _bits_of(a.t.data_type), "ConstantOfShape"
            return 32, "ConstantOfShape"
        if node.op_type not in PASS_THROUGH or not node.input:
            return None
        inner = self.constant(node.input[0], depth + 1)
        if inner is None:
            return None
        for extra in node.input[1:]:
            if extra and self.constant(extra, depth + 1) is None:
                return None
        bits, path = inner
        if node.op_type == "Cast" and name in self.types:
            bits = min(bits, _bits_of(self.types[name]))
        return bits, f"{path}->{node.op_type}"


def _attrs(node) -> dict:
    return {a.name: _onnx().helper.get_attribute_value(a) for a in node.attribute}


def _read_model(path_or_model):
    onnx = _onnx()
    from google.protobuf.message import DecodeError     # onnx's own dependency, as late

    if isinstance(path_or_model, onnx.ModelProto):
        model = onnx.ModelProto()
        model.CopyFrom(path_or_model)       # never modify the caller's model
        return model, model.graph.name or "<model>"
    path = os.fspath(path_or_model)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such model file")
    try:
        # external data is read only after its location is checked (onnx_checks)
        model = onnx.load(path, load_external_data=False)
    except (DecodeError, ValueError, RuntimeError, OSError) as exc:
        raise WorkloadError(f"{path}: not a readable ONNX model (truncated or corrupt: "
                            f"{exc})") from None
    if not model.graph.node:
        raise WorkloadError(f"{path}: the ONNX graph has no nodes (truncated or empty "
                            f"file?)")
    return model, path


def _check_model(model, source, folder) -> None:
    """The spec rules of :mod:`marp.workload.onnx_checks`, then external data loaded."""
    onnx = _onnx()
    onnx_checks.check_opset(onnx, model, source)
    onnx_checks.check_graph(model.graph, source)
    for t in model.graph.initializer:
        onnx_checks.check_tensor(onnx, t, source, folder)
    for node in model.graph.node:
        for a in node.attribute:
            if node.op_type == "Constant" and a.name == "value":
                onnx_checks.check_tensor(onnx, a.t, source, folder,
                                         f"value of Constant node {node.name!r}")
    if folder is not None and any(t.data_location == onnx.TensorProto.EXTERNAL
                                  for t in model.graph.initializer):
        try:
            onnx.load_external_data_for_model(model, folder)
        except (OSError, ValueError) as exc:
            raise WorkloadError(f"{source}: external data: {exc}") from None


def _pin_inputs(model, batch: int, input_shapes: dict | None, source: str,
                strict: bool = True) -> dict:
    """Give every graph input concrete dimensions; returns name -> shape. ``strict``:
    names in ``input_shapes`` that are not inputs of this model are an error."""
    inits = {t.name for t in model.graph.initializer}
    given = dict(input_shapes or {})
    pinned, took_batch = {}, False
    for vi in model.graph.input:
        if vi.name in inits:
            continue
        dims = vi.type.tensor_type.shape.dim
        if vi.name in given:
            shape = [int(v) for v in given.pop(vi.name)]
            if len(shape) != len(dims) and len(dims) > 0:
                raise WorkloadError(f"{source}: input_shapes[{vi.name!r}] has {len(shape)} "
                                    f"dimensions, the model input has {len(dims)}")
        else:
            shape = []
            for i, d in enumerate(dims):
                if d.HasField("dim_value") and d.dim_value > 0:
                    shape.append(d.dim_value)
                elif i == 0:
                    shape.append(batch)
                    took_batch = True
                else:
                    sym = d.dim_param or "?"
                    raise WorkloadError(
                        f"{source}: input {vi.name!r} dimension {i} is symbolic ({sym!r}); "
                        f"give its size with input_shapes={{{vi.name!r}: [...]}} "
                        f"(CLI: --input-shapes {vi.name}=SHAPE, e.g. 1x3x224x224)")
        del vi.type.tensor_type.shape.dim[:]
        for v in shape:
            vi.type.tensor_type.shape.dim.add().dim_value = v
        pinned[vi.name] = tuple(shape)
    if batch != 1 and not took_batch and strict:
        raise WorkloadError(f"{source}: batch={batch} changes nothing: no graph input has a "
                            f"symbolic leading dimension (inputs: "
                            f"{', '.join(f'{k} {list(v)}' for k, v in pinned.items())})")
    if given and strict:
        raise WorkloadError(f"{source}: input_shapes names {sorted(given)}, which are not "
                            f"graph inputs (inputs: {sorted(pinned)})")
    return pinned


def _infer(model, source):
    """(model with its shape arithmetic folded, inferred graph, shapes, types)."""
    onnx = _onnx()
    del model.graph.value_info[:]      # stale shapes from an earlier batch must not survive

    def once(m):
        try:
            return onnx.shape_inference.infer_shapes(m, strict_mode=False, data_prop=True)
        except Exception as exc:      # onnx raises several types here
            raise WorkloadError(f"{source}: shape inference failed: {exc}") from None

    return onnx_shapes.infer(onnx, model, once)


_PIN_HINT = ("if a graph input has symbolic dimensions, pin them with --input-shapes "
             "NAME=1x3x224x224 (input_shapes={NAME: [1, 3, 224, 224]} in Python)")


def _run_shapes(model, pinned, g: _Graph, missing: _UnknownShape) -> dict:
    """Shapes from one onnxruntime run, or the error that names the tensor, the node and
    what to do."""
    try:
        return onnx_shapes.run_shapes(_onnx(), model, pinned, g.types)
    except ImportError:
        why = "onnxruntime is not installed to read it from a run (pip install 'marp[ort]')"
    except RuntimeError as exc:
        why = f"onnxruntime could not run the model on zeros either ({exc})"
    raise WorkloadError(f"{g.source}: the shape of {missing.where} is not known: ONNX shape "
                        f"inference and marp's folding of shape arithmetic did not reach "
                        f"it, and {why}; {_PIN_HINT}") from None


def _spatial_attrs(node, x_shape, y_shape, w_shape, transposed: bool):
    a = _attrs(node)
    nsp = len(w_shape) - 2
    kernel = tuple(a.get("kernel_shape", w_shape[2:]))
    strides = tuple(a.get("strides", (1,) * nsp))
    dilations = tuple(a.get("dilations", (1,) * nsp))
    pads = a.get("pads")
    auto_pad = a.get("auto_pad", b"NOTSET")
    auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else auto_pad
    if pads is None:
        if auto_pad in ("SAME_UPPER", "SAME_LOWER") and not transposed:
            begins, ends = [], []
            for i in range(nsp):
                total = max(0, (y_shape[2 + i] - 1) * strides[i]
                            + (kernel[i] - 1) * dilations[i] + 1 - x_shape[2 + i])
                small, large = total // 2, total - total // 2
                begins.append(small if auto_pad == "SAME_UPPER" else large)
                ends.append(large if auto_pad == "SAME_UPPER" else small)
            pads = begins + ends
        else:
            pads = [0] * (2 * nsp)
    return int(a.get("group", 1)), kernel, strides, dilations, tuple(int(p) for p in pads)


def _conv_kind(groups, in_per_group, kernel):
    if groups == 1:
        return "pointwise" if math.prod(kernel) == 1 else "conv"
    return "depthwise" if in_per_group == 1 else "grouped"


def _per_inference(vectors_run: int, batch_div: int) -> int:
    return -(-vectors_run // batch_div)


def _conv_layer(g: _Graph, node, index, batch_div):
    xi, wi = CONV_OPS[node.op_type]
    if len(node.input) <= max(xi, wi) or not node.input[wi]:
        raise WorkloadError(f"{g.source}: {node.op_type} node {node.name!r}: needs an input "
                            f"and a weight, got inputs {list(node.input)}")
    w_name = node.input[wi]
    const = g.constant(w_name)
    if const is None:
        src = g.producer.get(w_name)
        origin = f"{src.op_type} node {src.name!r}" if src is not None else "a graph input"
        raise WorkloadError(f"{g.source}: {node.op_type} node {node.name!r}: weight "
                            f"{w_name!r} is not a constant (it comes from {origin}); marp "
                            f"maps constant weights only")
    bits, path = const
    w_shape = g.shape(w_name, node, "weight")
    x_shape = g.shape(node.input[xi], node, "input")
    y_shape = g.shape(node.output[0], node, "output")
    transposed = node.op_type == "ConvTranspose"
    onnx_checks.check_conv(node, w_shape, x_shape, _attrs(node), g.source)
    groups, kernel, strides, dilations, pads = _spatial_attrs(node, x_shape, y_shape,
                                                              w_shape, transposed)
    k = math.prod(kernel)
    if transposed:     # each input pixel (Cin/g values) feeds Cout/g * K outputs
        rows, cols = w_shape[0] // groups, w_shape[1] * k
        in_per_group = rows
        vectors_run = x_shape[0] * math.prod(x_shape[2:])
    else:
        rows, cols = w_shape[1] * k, w_shape[0] // groups
        in_per_group = w_shape[1]
        vectors_run = y_shape[0] * math.prod(y_shape[2:])
    vectors = _per_inference(vectors_run, batch_div)
    return {
        "name": node.name, "op": node.op_type, "kind": _conv_kind(groups, in_per_group, kernel),
        "groups": groups, "kernel": kernel, "strides": strides, "dilations": dilations,
        "pads": pads, "input_shape": x_shape, "output_shape": y_shape, "rows": rows,
        "cols": cols, "vectors": vectors, "macs": vectors * rows * cols * groups,
        "weights": math.prod(w_shape), "weight_bits": bits,
        "weight_path": f"{path}->{node.op_type}", "node_index": index,
    }


def _matmul_layer(g: _Graph, node, index, batch_div):
    """A weight layer (dict), or a DigitalOp when neither operand is constant."""
    ai, bi = MATMUL_OPS[node.op_type]
    if len(node.input) <= max(ai, bi):
        raise WorkloadError(f"{g.source}: {node.op_type} node {node.name!r}: needs two "
                            f"operands, got inputs {list(node.input)}")
    a_name, b_name = node.input[ai], node.input[bi]
    a_shape = g.shape(a_name, node, "input A")
    b_shape = g.shape(b_name, node, "input B")
    y_shape = g.shape(node.output[0], node, "output")
    attrs = _attrs(node) if node.op_type == "Gemm" else {}
    if attrs.get("transA", 0):
        a_shape = a_shape[:-2] + (a_shape[-1], a_shape[-2])
    if attrs.get("transB", 0):
        b_shape = b_shape[:-2] + (b_shape[-1], b_shape[-2])
    a_shape = (1,) + a_shape if len(a_shape) == 1 else a_shape     # vector operands
    b_shape = b_shape + (1,) if len(b_shape) == 1 else b_shape
    if a_shape[-1] != b_shape[-2] or min(a_shape + b_shape) <= 0:
        raise WorkloadError(f"{g.source}: {node.op_type} node {node.name!r}: operands of "
                            f"shapes {a_shape} and {b_shape} do not multiply (inner "
                            f"dimensions must agree and be positive)")
    b_const, a_const = g.constant(b_name), g.constant(a_name)
    if b_const is None and a_const is None:
        macs = math.prod(y_shape) * a_shape[-1]
        return DigitalOp(node.name, node.op_type, "act x act", _per_inference(macs, batch_div),
                         0, (a_shape, b_shape), y_shape)
    w_shape, const, act_lead = (b_shape, b_const, a_shape[:-1]) if b_const is not None \
        else (a_shape, a_const, None)
    if math.prod(w_shape[:-2]) != 1:
        return SkippedOp(node.name, node.op_type, f"constant operand of shape {w_shape} has "
                                                  f"batch dimensions; not mapped")
    if b_const is not None:            # y = x W: rows K, cols N, one vector per row of A
        rows, cols, vectors_run = w_shape[-2], w_shape[-1], math.prod(act_lead)
    else:                              # y = W x: rows K, cols M, one vector per column of B
        rows, cols = w_shape[-1], w_shape[-2]
        vectors_run = math.prod(b_shape[:-2]) * b_shape[-1]
    vectors = _per_inference(vectors_run, batch_div)
    bits, path = const
    return {
        "name": node.name, "op": node.op_type, "kind": "fc", "groups": 1, "kernel": (),
        "strides": (), "dilations": (), "pads": (),
        "input_shape": g.shape(node.input[ai if b_const is not None else bi], node, "input"),
        "output_shape": y_shape, "rows": rows, "cols": cols, "vectors": vectors,
        "macs": vectors * rows * cols, "weights": math.prod(w_shape[-2:]),
        "weight_bits": bits, "weight_path": f"{path}->{node.op_type}", "node_index": index,
    }


def _pool_op(g: _Graph, node, batch_div):
    x_shape = g.shape(node.input[0], node, "input")
    y_shape = g.shape(node.output[0], node, "output")
    window = math.prod(x_shape[2:]) if node.op_type.startswith("Global") else \
        math.prod(_attrs(node).get("kernel_shape", (1,)))
    return DigitalOp(node.name, node.op_type, "pooling", 0,
                     _per_inference(math.prod(y_shape) * window, batch_div), (x_shape,),
                     y_shape)


def _extract(g: _Graph, model, batch_div):
    """(weight layers, digital work, skipped operators) of the graph's nodes."""
    layers, digital, skipped = [], [], []
    for index, node in enumerate(model.graph.node):
        op = node.op_type
        if op in CONV_OPS:
            layers.append(_conv_layer(g, node, index, batch_div))
        elif op in MATMUL_OPS:
            item = _matmul_layer(g, node, index, batch_div)
            (layers.append if isinstance(item, dict) else
             digital.append if isinstance(item, DigitalOp) else skipped.append)(item)
        elif op in POOL_OPS:
            digital.append(_pool_op(g, node, batch_div))
        elif op in WEIGHTED_UNSUPPORTED:
            skipped.append(SkippedOp(node.name, op, "operator with weights that marp does "
                                                    "not map"))
        elif op not in NO_WEIGHT_OPS or node.domain not in ("", "ai.onnx"):
            skipped.append(SkippedOp(node.name, op, "operator not understood by marp; "
                                                    "nothing mapped for it"))
    return layers, digital, skipped


def load_onnx(path_or_model, *, batch: int = 1, input_shapes: dict | None = None,
              strict_inputs: bool = True) -> Workload:
    """Read an ONNX model (a path or an ``onnx.ModelProto``) into a :class:`Workload`.

    Vectors and MACs are per inference: per graph run divided by the leading dimension of
    the first graph input.

    Parameters
    ----------
    path_or_model : path or onnx.ModelProto
        The model (the caller's ModelProto is never modified).
    batch : int
        Size given to symbolic leading dimensions of the graph inputs.
    input_shapes : dict or None
        ``{input name: shape}`` for inputs whose other dimensions are symbolic.
    strict_inputs : bool
        False ignores names of ``input_shapes`` that this model does not have (one table
        given to several models, as ``marp.compile`` does).

    Returns
    -------
    Workload

    Raises
    ------
    WorkloadError
        A ValueError naming the file and the node or tensor, for models marp cannot read.
    FileNotFoundError
        For a missing file.
    """
    batch = positive_int("batch", batch)
    model, source = _read_model(path_or_model)
    folder = None if hasattr(path_or_model, "graph") else \
        os.path.dirname(os.path.abspath(os.fspath(path_or_model)))
    _check_model(model, source, folder)
    pinned = _pin_inputs(model, batch, input_shapes, source, strict_inputs)
    work, inferred, shapes, types = _infer(model, source)
    g = _Graph(inferred.graph, source, shapes, types)
    first = next(iter(pinned.values()), ())
    batch_div = first[0] if first else 1
    try:
        layers, digital, skipped = _extract(g, work, batch_div)
    except _UnknownShape as missing:
        g.shapes.update(_run_shapes(work, pinned, g, missing))
        try:
            layers, digital, skipped = _extract(g, work, batch_div)
        except _UnknownShape as still:
            raise WorkloadError(f"{still}: onnxruntime's run of the model did not report "
                                f"it either; {_PIN_HINT}") from None
    name = os.path.splitext(os.path.basename(source))[0] if os.sep in source or \
        source.endswith(".onnx") else source
    return Workload(name=name, source=source, layers=Layers.from_records(layers),
                    digital=tuple(digital), skipped=tuple(skipped), inputs=pinned,
                    batch=batch_div)
