"""Array images (marp.compiler.images): reassembled through the layout table by an
independent checker, they give back every layer's weight matrix, every tile, slice and
sign; for every bundled model and every bundled geometry."""
import numpy as np
import onnx
import pytest
from onnx import numpy_helper

import marp
from marp.workload.onnx_weights import weight_matrices
from layout_faults import swap_two_blocks

MODELS = marp.example_models("mlperf-tiny")


def _decode(planes, bits, cell_bits, differential):
    """Integers from their slices (least significant first)."""
    n = -(-bits // cell_bits)
    value = lambda ps: sum(p.astype(np.int64) << (s * cell_bits)   # noqa: E731
                           for s, p in enumerate(ps))
    if differential:
        return value(planes[:n]) - value(planes[n:])
    u = value(planes)
    return np.where(u >= 1 << (bits - 1), u - (1 << bits), u)


def reassemble(images, m):
    """{layer: [group matrices]} from the images and the layout table alone."""
    lay, b = images.layout, m.blocks
    mats = {}
    for k in range(len(lay["image"])):
        key = (int(lay["layer"][k]), int(lay["job"][k]), int(lay["slice"][k]))
        y, x, h, w = (int(lay[f][k]) for f in ("y", "x", "height", "width"))
        r0, c0 = int(lay["matrix_row"][k]), int(lay["matrix_col"][k])
        region = images.cells[int(lay["image"][k]), y:y + h, x:x + w]
        big = mats.setdefault(key, {})
        big[(r0, c0)] = region
    whole = {}
    for key, tiles in mats.items():
        rows = max(r + t.shape[0] for (r, _), t in tiles.items())
        cols = max(c + t.shape[1] for (_, c), t in tiles.items())
        out = np.zeros((rows, cols), dtype=np.uint8)
        for (r, c), t in tiles.items():
            out[r:r + t.shape[0], c:c + t.shape[1]] = t
        whole[key] = out
    result = {}
    rows_of = np.concatenate([w.layers.rows for w in m.workloads])
    cols_of = np.concatenate([w.layers.cols for w in m.workloads])
    S_of, bits = b.layer_slices, b.layer_weight_bits
    for layer in sorted({k[0] for k in whole}):
        S, rows, cols = int(S_of[layer]), int(rows_of[layer]), int(cols_of[layer])
        jobs = sorted({k[1] for k in whole if k[0] == layer})
        groups = []
        for job in jobs:
            if images.slice_layout == "adjacent":
                mat = whole[(layer, job, -1)]
                n_g = mat.shape[0] // rows
                for g in range(n_g):
                    sub = mat[g * rows:(g + 1) * rows, g * cols * S:(g + 1) * cols * S]
                    groups.append([sub[:, s::S] for s in range(S)])
            else:
                copies = [whole[(layer, job, s)] for s in range(S)]
                n_g = copies[0].shape[0] // rows
                for g in range(n_g):
                    groups.append([c[g * rows:(g + 1) * rows, g * cols:(g + 1) * cols]
                                   for c in copies])
        result[layer] = [_decode(p, int(bits[layer]), images.cell_bits,
                                 images.differential) for p in groups]
    return result


def _expected(m):
    out = []
    first = np.cumsum([0] + [len(w) for w in m.workloads])
    for k, (w, path) in enumerate(zip(m.workloads, MODELS)):
        out += weight_matrices(path, w, m.blocks.layer_weight_bits[first[k]:first[k + 1]])
    return out


@pytest.mark.parametrize("arch", marp.available_archs())
@pytest.mark.parametrize("options", [{}, {"depthwise": "diagonal", "c_job": 8},
                                     {"slice_layout": "separate", "depthwise": "diagonal"}],
                         ids=["default", "diagonal-cjob8", "separate-diagonal"])
def test_images_reassemble_to_every_weight(arch, options):
    big = marp.load_arch(arch).with_values({"aimc.arrays": 100000})
    m = marp.compile(MODELS, big, **options)
    images = m.images()
    assert images.cells.shape == (m.packing.arrays_used, *m.arch.aimc.shape)
    assert images.cells.max() < 1 << images.cell_bits
    got, want = reassemble(images, m), _expected(m)
    analog = sorted(set(np.unique(m.blocks.layer).tolist()))
    assert sorted(got) == analog
    for layer in analog:
        assert len(got[layer]) == len(want[layer]), layer
        for g, (a, e) in enumerate(zip(got[layer], want[layer])):
            np.testing.assert_array_equal(a, e, err_msg=f"layer {layer} group {g}")
    # cells no block covers are zero
    covered = np.zeros(images.cells.shape, dtype=bool)
    lay = images.layout
    for k in range(len(lay["image"])):
        covered[lay["image"][k], lay["y"][k]:lay["y"][k] + lay["height"][k],
                lay["x"][k]:lay["x"][k] + lay["width"][k]] = True
    assert not images.cells[~covered].any()


def test_qdq_weights_are_the_int8_initializers():
    model = onnx.load(MODELS[2])                      # ResNet-8, int8 QDQ
    w = marp.load_onnx(MODELS[2])
    mats = weight_matrices(MODELS[2], w, 8)
    inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    node = next(n for n in model.graph.node if n.name == w.layers.name[0])
    dq = next(n for n in model.graph.node if node.input[1] in n.output)
    raw = inits[dq.input[0]].astype(np.int64)         # cout x cin x kh x kw, int8
    np.testing.assert_array_equal(mats[0][0], raw.reshape(raw.shape[0], -1).T)
    assert raw.min() < 0 < raw.max()                   # signs are exercised


def test_a_corrupted_placement_is_caught_by_the_checker():
    m = marp.compile(MODELS, marp.load_arch("qracc").with_values({"aimc.arrays": 1000}))
    images = m.images()
    lay = images.layout
    # two blocks of the same size but different content swapped in the layout table
    i, j = swap_two_blocks(lay)
    got, want = reassemble(images, m), _expected(m)
    broken = [layer for layer in got if any(not np.array_equal(a, e)
                                            for a, e in zip(got[layer], want[layer]))]
    assert set(broken) == {int(lay["layer"][i]), int(lay["layer"][j])}


def test_images_write_npz_and_layout(tmp_path):
    m = marp.compile(MODELS[:1])
    paths = m.images().write(tmp_path / "img")
    data = np.load(paths[0])
    assert data["cells"].shape[0] == m.packing.arrays_used and int(data["cell_bits"]) == 1
    lines = (tmp_path / "img" / "layout.csv").read_text().splitlines()
    assert lines[0].startswith("image,y,x,height,width,model,layer,name")
    assert len(lines) == 1 + len(m.blocks)
