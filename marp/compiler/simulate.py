"""Proof that a mapping computes its model: each weight layer run through the array
images as the hardware would, against the exact integer result.

:func:`simulate` takes every analog layer's real input from onnxruntime running the
original model once (extra ``sim``: onnxruntime and numba), as integers (a quantized
model's activation less its zero point; a float activation quantized symmetrically to
``act_bits``), builds its input vectors (im2col for convolutions), and for every block of
the layer, on its image:

* inputs are split into positive and negative parts, each applied bit-serially,
  ``dac_bits`` per input cycle (least significant first);
* each array op sums one row group (``row_parallelism`` rows) of one input cycle into
  every column; the ADC converts the sum: ``"ideal"`` exactly, ``"config"`` with
  ``adc_bits`` levels over the full scale of the rows (``rows x (2^dac - 1) x
  (2^cell - 1)``), rounded half up and clipped;
* conversions are shifted and added over input cycles and weight slices (each slice's
  place value; with two's complement slices the weight's ``-2^b`` term is added digitally
  from the top slice's sign bits; with differential pairs the negative half subtracts),
  and partial sums of row tiles are accumulated.

The result per layer: the largest absolute error and the signal-to-noise ratio against
the exact integer product of the same inputs and weights (ideal ADCs are bit-exact).
The inner loop (bit-serial product with ADC conversion over many vectors) is a Numba
kernel (``cache=True``, imported only here) with a NumPy reference of the same
computation (:func:`bitserial_numpy`).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from marp.workload.onnx_loader import CONV_OPS, MATMUL_OPS
from marp.workload.onnx_weights import weight_matrices

ADC_MODES = ("ideal", "config")


@dataclass(frozen=True)
class LayerCheck:
    """One layer's simulation against its exact integer result."""

    layer: int
    name: str
    vectors: int
    max_abs_error: float
    snr_db: float
    exact: bool


def bitserial_numpy(x_chunks, cells, rp, levels, full_scale):
    """Column outputs (V x w, float64) of one block: ``x_chunks[k]`` (V x h) the input
    cycles (each < 2^dac), ``cells`` (h x w), row groups of ``rp`` rows, ADC of
    ``levels`` levels over ``full_scale`` (levels 0: ideal); cycle k weighs 2^(k dac),
    applied by the caller through ``x_chunks`` order (returned per cycle summed with
    weights 1; the caller scales)."""
    K, V, h = x_chunks.shape
    out = np.zeros((K, V, cells.shape[1]))
    c = cells.astype(np.float64)
    for k in range(K):
        xk = x_chunks[k].astype(np.float64)
        for r0 in range(0, h, rp):
            s = xk[:, r0:r0 + rp] @ c[r0:r0 + rp]
            if levels:
                step = full_scale / (levels - 1)
                s = np.clip(np.floor(s / step + 0.5), 0, levels - 1) * step   # half up
            out[k] += s
    return out


def _numba_kernel():
    import numba            # optional extra (marp[sim]), imported only to simulate

    @numba.njit(cache=True, nogil=True)
    def bitserial(x_chunks, cells, rp, levels, full_scale, out):
        K, V, h = x_chunks.shape
        w = cells.shape[1]
        step = full_scale / (levels - 1) if levels > 1 else 1.0
        for v in range(V):
            acc = np.zeros(w)
            for k in range(K):
                for r0 in range(0, h, rp):
                    acc[:] = 0.0
                    for r in range(r0, min(h, r0 + rp)):
                        xv = x_chunks[k, v, r]
                        if xv != 0.0:          # bit-serial inputs are mostly zero
                            for j in range(w):
                                acc[j] += xv * cells[r, j]
                    for j in range(w):
                        s = acc[j]
                        if levels > 1:
                            q = np.floor(s / step + 0.5)
                            s = min(max(q, 0.0), levels - 1.0) * step
                        out[k, v, j] += s
    return bitserial


_KERNEL = None


def bitserial_numba(x_chunks, cells, rp, levels, full_scale):
    """The Numba kernel of :func:`bitserial_numpy` (same arguments, same result)."""
    global _KERNEL
    if _KERNEL is None:
        _KERNEL = _numba_kernel()
    out = np.zeros((x_chunks.shape[0], x_chunks.shape[1], cells.shape[1]))
    _KERNEL(np.ascontiguousarray(x_chunks, dtype=np.float64),
            np.ascontiguousarray(cells, dtype=np.float64), int(rp), int(levels),
            float(full_scale), out)
    return out


def ort_session(model):
    """An onnxruntime session of ``model`` (a ModelProto) on the CPU, quiet."""
    import onnxruntime as ort      # optional extra (marp[sim]), imported only to simulate
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    return ort.InferenceSession(model.SerializeToString(), opts,
                                providers=["CPUExecutionProvider"])


def random_feeds(session, seed: int) -> dict:
    """Random inputs for every graph input of ``session``, drawn with ``seed``: normal
    floats, or uniform integers in [0, 127) for integer inputs."""
    rng = np.random.default_rng(seed)
    feeds = {}
    for i in session.get_inputs():
        shape = [d if isinstance(d, int) else 1 for d in i.shape]
        if "float" in i.type:
            feeds[i.name] = rng.standard_normal(shape).astype(np.float32)
        else:
            feeds[i.name] = rng.integers(0, 127, shape).astype(
                np.uint8 if "uint8" in i.type else np.int8)
    return feeds


def _integer_inputs(model_path, workload, act_bits: int, seeds) -> list:
    """Per seed, per layer name, its input activation as integers (see the module doc),
    from onnxruntime runs of the model on :func:`random_feeds` (the model is read and its
    session built once)."""
    import onnx

    model = onnx.load(str(model_path))
    producer = {o: n for n in model.graph.node for o in n.output}
    inits = {t.name: onnx.numpy_helper.to_array(t) for t in model.graph.initializer}
    how = {}
    for name in workload.layers.name:
        node = next(n for n in model.graph.node if n.name == name)
        ops = CONV_OPS if node.op_type in CONV_OPS else MATMUL_OPS
        x = node.input[ops[node.op_type][0]]
        dq = producer.get(x)
        if dq is not None and dq.op_type == "DequantizeLinear":
            zp = inits.get(dq.input[2]) if len(dq.input) > 2 else None
            how[name] = (dq.input[0], 0 if zp is None else np.asarray(zp).astype(np.int64))
        else:
            how[name] = (x, 0)
    names = list(dict.fromkeys(t for t, _ in how.values()))
    have = {o.name for o in model.graph.output}
    model.graph.output.extend(onnx.ValueInfoProto(name=t) for t in names if t not in have)
    sess = ort_session(model)
    top = (1 << (act_bits - 1)) - 1
    out = []
    for seed in seeds:
        got = dict(zip(names, sess.run(names, random_feeds(sess, seed))))
        run = {}
        for name, (t, zp) in how.items():
            x = got[t]
            if x.dtype.kind == "f":   # a float activation, quantized symmetrically
                peak = float(np.abs(x).max()) or 1.0
                run[name] = np.rint(x * top / peak).astype(np.int64)
            else:
                run[name] = x.astype(np.int64) - zp
        out.append(run)
    return out


def exact_product(xv, mats) -> np.ndarray:
    """The exact integer product (vectors x groups x cols, float64) of input vectors
    ``xv`` (vectors x groups x rows) with a layer's group matrices."""
    return np.stack([xv[:, g].astype(np.float64) @ mats[g].astype(np.float64)
                     for g in range(xv.shape[1])], axis=1)


def kernel_for(adc: str, kernel: str):
    """The bit-serial implementation named ``kernel``, after checking ``adc``."""
    if adc not in ADC_MODES:
        raise ValueError(f"adc={adc!r} is not known; valid names: {', '.join(ADC_MODES)}")
    run = {"numba": bitserial_numba, "numpy": bitserial_numpy}.get(kernel)
    if run is None:
        raise ValueError(f"kernel={kernel!r} is not known; valid names: numba, numpy")
    return run


def im2col(x, L, i) -> np.ndarray:
    """Input vectors of layer ``i`` (one row per output position, per group: vectors x
    groups x rows), the row order (channel, kernel row, kernel column) of the weights."""
    if not L.kernel[i]:                       # matrix product: the last axis
        k = int(L.rows[i])
        return x.reshape(-1, 1, k)
    g = int(L.groups[i])
    kh, kw = L.kernel[i][-2], L.kernel[i][-1]
    sh, sw = L.strides[i][-2], L.strides[i][-1]
    dh, dw = L.dilations[i][-2], L.dilations[i][-1]
    pads = L.pads[i]
    x = np.pad(x, ((0, 0), (0, 0), (pads[0], pads[2]), (pads[1], pads[3])))
    n, c, hh, ww = x.shape
    oh, ow = L.output_shape[i][-2], L.output_shape[i][-1]
    cols = np.empty((n, oh, ow, c, kh, kw), dtype=np.int64)
    for a in range(kh):
        for b in range(kw):
            patch = x[:, :, a * dh:a * dh + sh * (oh - 1) + 1:sh,
                      b * dw:b * dw + sw * (ow - 1) + 1:sw]
            cols[..., a, b] = patch.transpose(0, 2, 3, 1)
    cols = cols.reshape(n * oh * ow, g, (c // g) * kh * kw)
    return cols


def _place_values(mc, cols, S, n, cell_bits, differential, adjacent, slc):
    """(group within the job, weight column, place value, is top slice) per matrix
    column ``mc`` of a job matrix."""
    if adjacent:
        g, within = np.divmod(mc, cols * S)
        j, s = np.divmod(within, S)
    else:
        g, j = np.divmod(mc, cols)
        s = np.full(mc.shape, slc)
    if differential:
        half, ss = np.divmod(s, n)
        value = (1 << (ss * cell_bits)) * np.where(half == 1, -1, 1)
        return g, j, value.astype(np.float64), np.zeros(mc.shape, dtype=bool)
    return g, j, (1 << (s * cell_bits)).astype(np.float64), s == n - 1


def _block_output(xb, cells, a, act_bits, adc, kernel):
    """Column outputs (V x w) of one block for signed integer inputs ``xb``."""
    dac = a.dac_bits
    bits = max(act_bits, int(np.abs(xb).max()).bit_length() if xb.size else 1)
    K = -(-bits // dac)
    rp = a.row_parallelism
    levels = (1 << a.adc_bits) if adc == "config" else 0
    full = min(rp, cells.shape[0]) * ((1 << dac) - 1) * ((1 << a.cell_bits) - 1)
    total = np.zeros((xb.shape[0], cells.shape[1]))
    for sign, part in ((1.0, np.maximum(xb, 0)), (-1.0, np.maximum(-xb, 0))):
        if not part.any():
            continue
        chunks = np.stack([(part >> (k * dac)) & ((1 << dac) - 1) for k in range(K)])
        per_cycle = kernel(chunks, cells, rp, levels, full)
        scale = np.array([float(1 << (k * dac)) for k in range(K)])
        total += sign * np.tensordot(scale, per_cycle, axes=1)
    return total


def _simulate_layer(layer, x_vectors, mats, images, mapping, adc, kernel):
    """The simulated outputs (V x groups x cols) of one layer through its blocks."""
    a, b = mapping.arch.aimc, mapping.blocks
    lay = images.layout
    G, cols = x_vectors.shape[1], mats[0].shape[1]
    S, wbits = int(b.layer_slices[layer]), int(b.layer_weight_bits[layer])
    n = -(-wbits // a.cell_bits)
    act = int(b.layer_act_bits[layer]) if b.layer_act_bits is not None else a.act_bits
    per = G if mapping.options.c_job is None or G == 1 else min(G, mapping.options.c_job)
    out = np.zeros((x_vectors.shape[0], G, cols))
    for k in np.flatnonzero(lay["layer"] == layer):
        job, slc = int(lay["job"][k]), int(lay["slice"][k])
        g0, g1 = job * per, min(G, (job + 1) * per)
        xjob = x_vectors[:, g0:g1].reshape(x_vectors.shape[0], -1)
        r0, c0 = int(lay["matrix_row"][k]), int(lay["matrix_col"][k])
        h, w = int(lay["height"][k]), int(lay["width"][k])
        y, x, img = int(lay["y"][k]), int(lay["x"][k]), int(lay["image"][k])
        cells = images.cells[img, y:y + h, x:x + w]
        xb = xjob[:, r0:r0 + h]
        ycols = _block_output(xb, cells, a, act, adc, kernel)
        g, j, value, top = _place_values(np.arange(c0, c0 + w), cols, S, n, a.cell_bits,
                                         a.differential, images.slice_layout == "adjacent",
                                         slc)
        np.add.at(out, (slice(None), g0 + g, j), ycols * value)
        if top.any():            # two's complement: the weight's -2^b term, digitally
            m = wbits - (n - 1) * a.cell_bits
            sign = (cells[:, top] >> (m - 1)) & 1
            corr = xb.astype(np.float64) @ sign.astype(np.float64)
            np.add.at(out, (slice(None), g0 + g[top], j[top]), -float(1 << wbits) * corr)
    return out


def simulate(mapping, *, adc: str = "ideal", inputs: int = 1, models=None,
             kernel: str = "numba", images=None) -> list:
    """Every analog layer of ``mapping`` run through its array images (module doc).

    Parameters
    ----------
    mapping : Mapping
    adc : {"ideal", "config"}
        Exact conversions, or the arch's ``adc_bits`` over the full scale.
    inputs : int
        Random inputs the model is run on (seeds 0 .. inputs - 1); their vectors are
        simulated together.
    models : list of paths, optional
        The ONNX files of the workloads (default: the files they were read from).
    kernel : {"numba", "numpy"}
        The bit-serial product's implementation (the same result).
    images : ArrayImages, optional
        The images to run (default: ``mapping.images(models)``), e.g. to check a
        programming flow's own.

    Returns
    -------
    list of LayerCheck
        One per analog layer, in layer order.
    """
    run = kernel_for(adc, kernel)
    images = images if images is not None else mapping.images(models)
    inputs = int(inputs)
    if inputs < 1:
        raise ValueError(f"inputs must be >= 1, got {inputs}")
    sources = models or [w.source for w in mapping.workloads]
    b, checks, first = mapping.blocks, [], 0
    analog = set(np.unique(b.layer).tolist())
    for w, src in zip(mapping.workloads, sources):
        L = w.layers
        act = mapping.arch.aimc.act_bits
        runs = _integer_inputs(src, w, act, range(inputs))
        mats = weight_matrices(src, w, b.layer_weight_bits[first:first + len(L)])
        for i, name in enumerate(L.name):
            layer = first + i
            if layer not in analog:
                continue
            xv = np.concatenate([im2col(r[name], L, i) for r in runs])
            exact = exact_product(xv, mats[i])
            got = _simulate_layer(layer, xv, mats[i], images, mapping, adc, run)
            err = got - exact
            noise = float((err ** 2).sum())
            checks.append(LayerCheck(layer, name, xv.shape[0], float(np.abs(err).max()),
                                     math.inf if noise == 0 else
                                     10 * math.log10(float((exact ** 2).sum()) / noise),
                                     bool(noise == 0)))
        first += len(L)
    return checks
