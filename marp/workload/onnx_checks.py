"""Checks of an ONNX model against the rules of the ONNX spec that marp relies on, before
anything is computed from it: each failure is a WorkloadError naming the file, the node or
tensor, and the rule (a malformed model must not load as if it were valid).

Graph: a supported opset, unique tensor names produced once, no cycle. Tensors holding
weights: a numeric type, positive dimensions below 2^31, at most 2^40 elements, data for
every element, external data only inside the model's folder. Weight operators: the inputs
the operator needs, a weight of the right rank, ``group >= 1`` dividing the output
channels, input channels equal to ``group`` x the weight's, ``kernel_shape`` equal to the
weight's spatial dimensions.
"""
from __future__ import annotations

import math
import os

from marp.workload.layers import WorkloadError

MIN_OPSET = 7
MAX_DIM = 2**31 - 1
MAX_ELEMENTS = 2**40
_NOT_NUMERIC = {0: "UNDEFINED", 8: "STRING"}          # TensorProto data types


def _fail(source, where, rule):
    raise WorkloadError(f"{source}: {where}: {rule}")


def check_opset(onnx, model, source) -> None:
    newest = onnx.defs.onnx_opset_version()
    for imp in model.opset_import:
        if imp.domain in ("", "ai.onnx") and not MIN_OPSET <= imp.version <= newest:
            _fail(source, "opset_import", f"opset {imp.version} of the default domain is not "
                                          f"supported (this onnx reads {MIN_OPSET}..{newest})")


def check_graph(graph, source) -> None:
    """Unique producers, no cycle (Kahn's algorithm over the tensors)."""
    made = {i.name for i in graph.input} | {t.name for t in graph.initializer}
    producer = {}
    for node in graph.node:
        for out in node.output:
            if not out:
                continue
            if out in producer or out in made:
                _fail(source, f"{node.op_type} node {node.name!r}",
                      f"output {out!r} is produced twice (tensor names must be unique)")
            producer[out] = node
    waiting = {id(n): sum(1 for i in set(n.input) if i in producer) for n in graph.node}
    users = {}
    for n in graph.node:
        for i in set(n.input):
            if i in producer:
                users.setdefault(i, []).append(n)
    ready = [n for n in graph.node if waiting[id(n)] == 0]
    seen = 0
    while ready:
        n = ready.pop()
        seen += 1
        for out in n.output:
            for user in users.get(out, []):
                waiting[id(user)] -= 1
                if waiting[id(user)] == 0:
                    ready.append(user)
    if seen != len(graph.node):
        stuck = next(n for n in graph.node if waiting[id(n)] > 0)
        _fail(source, f"{stuck.op_type} node {stuck.name!r}",
              "the graph has a cycle through this node (an ONNX graph is acyclic)")


def check_tensor(onnx, t, source, folder, what="initializer") -> None:
    """A tensor that may hold weights: type, dimensions, data present, data location."""
    where = f"{what} {t.name!r}"
    if t.data_type in _NOT_NUMERIC or t.data_type not in onnx.TensorProto.DataType.values():
        _fail(source, where, f"data type {_NOT_NUMERIC.get(t.data_type, t.data_type)} is "
                             f"not numeric")
    dims = list(t.dims)
    bad = [d for d in dims if not 0 < d <= MAX_DIM]
    if bad:
        _fail(source, where, f"dimension {bad[0]} of {dims} is not in 1..{MAX_DIM}")
    count = math.prod(dims)
    if count > MAX_ELEMENTS:
        _fail(source, where, f"{count} elements exceed {MAX_ELEMENTS} (2^40)")
    if t.data_location == onnx.TensorProto.EXTERNAL:
        _check_external(t, where, source, folder)
        return
    itemsize = onnx.helper.tensor_dtype_to_np_dtype(t.data_type).itemsize
    field = onnx.helper.tensor_dtype_to_field(t.data_type)
    have = len(t.raw_data) // max(1, itemsize) if t.raw_data else len(getattr(t, field))
    if t.data_type in (onnx.TensorProto.COMPLEX64, onnx.TensorProto.COMPLEX128) \
            and not t.raw_data:
        have //= 2
    packed = {getattr(onnx.TensorProto, n, -1) for n in ("INT4", "UINT4")}
    if t.data_type in packed:           # two values per byte
        have = len(t.raw_data) * 2 if t.raw_data else len(t.int32_data) * 2
    if have < count:
        _fail(source, where, f"holds data for {have} of its {count} elements")


def _check_external(t, where, source, folder) -> None:
    info = {e.key: e.value for e in t.external_data}
    location = info.get("location", "")
    if folder is None:
        _fail(source, where, "external data needs the model's file path to resolve")
    path = os.path.realpath(os.path.join(folder, location))
    if not location or os.path.isabs(location) or \
            os.path.commonpath([path, os.path.realpath(folder)]) != os.path.realpath(folder):
        _fail(source, where, f"external data location {location!r} is outside the model's "
                             f"folder")
    if not os.path.isfile(path):
        _fail(source, where, f"external data file {location!r} is missing")


def check_conv(node, w_shape, x_shape, attrs, source) -> None:
    """A Conv-like node against its weight and input shapes (see the module doc)."""
    where = f"{node.op_type} node {node.name!r}"
    if len(w_shape) < 3:
        _fail(source, where, f"weight of shape {w_shape} (expected [M, C/group, k...])")
    if any(d <= 0 for d in w_shape):
        _fail(source, where, f"weight dimensions {w_shape} must be positive")
    group = attrs.get("group", 1)
    if not isinstance(group, int) or group < 1:
        _fail(source, where, f"attribute group={group!r} must be an integer >= 1")
    out_ch = w_shape[1] * group if node.op_type == "ConvTranspose" else w_shape[0]
    if (w_shape[0] if node.op_type == "ConvTranspose" else out_ch) % group:
        _fail(source, where, f"group={group} does not divide the "
                             f"{w_shape[0]} channels of the weight")
    in_ch = w_shape[0] if node.op_type == "ConvTranspose" else w_shape[1] * group
    if len(x_shape) > 1 and x_shape[1] != in_ch:
        _fail(source, where, f"input has {x_shape[1]} channels but the weight and "
                             f"group={group} take {in_ch}")
    kernel = attrs.get("kernel_shape")
    if kernel is not None and tuple(kernel) != tuple(w_shape[2:]):
        _fail(source, where, f"kernel_shape={list(kernel)} disagrees with the weight's "
                             f"spatial dimensions {list(w_shape[2:])}")
