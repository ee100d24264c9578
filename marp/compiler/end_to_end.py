"""The model run with every mapped layer replaced by its simulated version.

For a quantized (QDQ) model, each analog layer's output tensor becomes an input of a
copy of the graph that onnxruntime runs; layers are visited in graph order: a run gives
the layer's integer input (its quantized activation less the zero point) and its exact
float output under the inputs simulated so far; the layer's bit-serial simulation
(:mod:`marp.compiler.simulate`) changes that output by ``(simulated - exact integer
product) x input scale x weight scale`` (the bias and everything after the layer stay as
the model has them), and the result is fed to the following layers. The final outputs
are compared with the original model's on the same input: top-1 agreement for a
classifier (a model with a Softmax and more than one class) and, for every model, the
relative error of its output.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from marp.compiler.simulate import (_simulate_layer, exact_product, im2col, kernel_for,
                                    ort_session, random_feeds)
from marp.workload.onnx_loader import CONV_OPS, MATMUL_OPS
from marp.workload.onnx_weights import weight_matrices


@dataclass(frozen=True)
class ModelCheck:
    """One model's outputs with simulated layers against the original model's."""

    model: str
    inputs: int
    top1_agreement: float | None
    relative_error: float


class _Graph:
    """The QDQ facts of one model: per mapped layer, its quantized input tensor, input
    and weight scales, output tensor and shape."""

    def __init__(self, onnx, model, workload, analog_names):
        self.onnx, self.model = onnx, model
        producer = {o: n for n in model.graph.node for o in n.output}
        inits = {t.name: onnx.numpy_helper.to_array(t) for t in model.graph.initializer}
        self.layers = {}
        for i, name in enumerate(workload.layers.name):
            if name not in analog_names:
                continue
            node = next(n for n in model.graph.node if n.name == name)
            ops = CONV_OPS if node.op_type in CONV_OPS else MATMUL_OPS
            x_dq = producer.get(node.input[ops[node.op_type][0]])
            w_dq = producer.get(node.input[ops[node.op_type][1]])
            if x_dq is None or w_dq is None or "DequantizeLinear" not in (
                    x_dq.op_type, w_dq.op_type) or x_dq.op_type != w_dq.op_type:
                raise ValueError(f"{workload.source}: layer {name!r} is not a quantized "
                                 f"(QDQ) layer; end-to-end simulation needs QDQ models")
            zp = inits.get(x_dq.input[2]) if len(x_dq.input) > 2 else None
            self.layers[name] = dict(index=i, xq=x_dq.input[0],
                                     zp=0 if zp is None else np.asarray(zp).astype(np.int64),
                                     s_x=float(inits[x_dq.input[1]]),
                                     s_w=np.asarray(inits[w_dq.input[1]], dtype=np.float64),
                                     out=node.output[0],
                                     shape=tuple(workload.layers.output_shape[i]))

    def probe(self):
        """A copy where each layer's output is an input (fed) and its exact value and
        integer input are outputs (read)."""
        onnx = self.onnx
        m = onnx.ModelProto()
        m.CopyFrom(self.model)
        renamed = {d["out"]: d["out"] + "__marp_exact" for d in self.layers.values()}
        for node in m.graph.node:
            for k, o in enumerate(node.output):
                if o in renamed:
                    node.output[k] = renamed[o]
        float_t = onnx.TensorProto.FLOAT
        # a graph output that is a layer's output is read from what is fed instead
        keep = [o for o in m.graph.output if o.name not in renamed]
        del m.graph.output[:]
        m.graph.output.extend(keep)
        for d in self.layers.values():
            m.graph.input.append(onnx.helper.make_tensor_value_info(d["out"], float_t,
                                                                    list(d["shape"])))
            m.graph.output.append(onnx.ValueInfoProto(name=renamed[d["out"]]))
            m.graph.output.append(onnx.ValueInfoProto(name=d["xq"]))
        return m


def _delta(d, xq_int, L, layer, mats, images, mapping, adc, run):
    """The change of the layer's float output that its simulation makes."""
    i = d["index"]
    xv = im2col(xq_int, L, i)
    exact = exact_product(xv, mats[i])
    got = _simulate_layer(layer, xv, mats[i], images, mapping, adc, run)
    diff = (got - exact).reshape(xv.shape[0], -1)              # vectors x channels
    shape = d["shape"]
    if L.kernel[i]:                                            # NCHW
        n, c = shape[0], shape[1]
        diff = diff.reshape(n, *shape[2:], c) * d["s_w"] * d["s_x"]
        return np.moveaxis(diff, -1, 1).astype(np.float32)
    return (diff * d["s_w"] * d["s_x"]).reshape(shape).astype(np.float32)


def _one_model(mapping, k, src, images, adc, run, inputs):
    import onnx
    w = mapping.workloads[k]
    first = int(np.flatnonzero(mapping.layer_model == k)[0]) if len(w) else 0
    analog = {w.layers.name[layer - first] for layer in np.unique(mapping.blocks.layer)
              if mapping.layer_model[layer] == k}
    model = onnx.load(str(src))
    g = _Graph(onnx, model, w, analog)
    probe, orig = ort_session(g.probe()), ort_session(model)
    mats = weight_matrices(src, w, mapping.blocks.layer_weight_bits[first:first + len(w)])
    outputs = [o.name for o in model.graph.output]
    agree, err2, ref2, classes = 0, 0.0, 0.0, None
    for seed in range(inputs):
        feeds = random_feeds(orig, seed)
        want = orig.run(outputs, feeds)
        inject = {d["out"]: np.zeros(d["shape"], np.float32) for d in g.layers.values()}
        for name, d in sorted(g.layers.items(), key=lambda kv: kv[1]["index"]):
            exact_f, xq = probe.run([d["out"] + "__marp_exact", d["xq"]],
                                    {**feeds, **inject})
            xq_int = xq.astype(np.int64) - d["zp"]
            inject[d["out"]] = exact_f + _delta(d, xq_int, w.layers, first + d["index"],
                                                mats, images, mapping, adc, run)
        read = [o for o in outputs if o not in inject]
        got = dict(zip(read, probe.run(read, {**feeds, **inject})) if read else {})
        y = np.asarray(inject.get(outputs[0], got.get(outputs[0])), np.float64)
        y0 = np.asarray(want[0], np.float64)
        classes = y0.shape[-1]
        agree += int(np.argmax(y.reshape(-1, classes), axis=1)[0] ==
                     np.argmax(y0.reshape(-1, classes), axis=1)[0])
        err2 += float(((y - y0) ** 2).sum())
        ref2 += float((y0 ** 2).sum())
    classifier = any(n.op_type == "Softmax" for n in model.graph.node)
    top1 = agree / inputs if classifier and classes and classes > 1 else None
    return ModelCheck(w.name, inputs, top1, math.sqrt(err2 / ref2) if ref2 else 0.0)


def end_to_end(mapping, *, adc: str = "ideal", inputs: int = 1, models=None,
               kernel: str = "numba") -> list:
    """Every model of ``mapping`` run with its mapped layers simulated (module doc);
    one :class:`ModelCheck` per model. Arguments as for :func:`marp.simulate`."""
    run = kernel_for(adc, kernel)
    images = mapping.images(models)
    sources = models or [w.source for w in mapping.workloads]
    return [_one_model(mapping, k, src, images, adc, run, int(inputs))
            for k, src in enumerate(sources)]

