import numpy as np
import pytest

import marp
from marp.workload.layers import Layers, Workload
from onnx_factory import mobilenet_v2_bottlenecks, resnet18


def workload(*layers):
    """A workload from (rows, cols, groups, bits) tuples."""
    records = []
    for i, (rows, cols, groups, bits) in enumerate(layers):
        kind = "fc" if groups == 1 else ("depthwise" if rows == 9 and cols == 1 else "grouped")
        records.append(dict(name=f"l{i}", op="Conv", kind=kind, groups=groups, kernel=(3, 3),
                            strides=(1, 1), dilations=(1, 1), pads=(1, 1, 1, 1),
                            input_shape=(), output_shape=(), rows=rows, cols=cols,
                            vectors=1, macs=rows * cols * groups, weights=rows * cols * groups,
                            weight_bits=bits, weight_path="init->Conv", node_index=i))
    return Workload("t", "t", Layers.from_records(records))


@pytest.fixture(scope="module")
def mobilenet():
    return marp.load_onnx(mobilenet_v2_bottlenecks())


@pytest.fixture(scope="module")
def resnet():
    return marp.load_onnx(resnet18())


def test_tiling_exact():
    b = marp.lower(workload((300, 70, 1, 1)), array=(128, 64))
    assert list(zip(b.row_tile.tolist(), b.col_tile.tolist())) == \
        [(0, 0), (0, 1), (1, 0), (1, 1), (2, 0), (2, 1)]
    assert b.height.tolist() == [128, 128, 128, 128, 44, 44]
    assert b.width.tolist() == [64, 6, 64, 6, 64, 6]
    assert b.cells == 300 * 70 == b.useful


def test_bit_slices_adjacent_and_separate():
    w = workload((10, 3, 1, 8))
    adj = marp.lower(w, array=(64, 64), cell_bits=2, differential=True)
    assert adj.layer_slices.tolist() == [8] and len(adj) == 1 and adj.width[0] == 24
    sep = marp.lower(w, array=(64, 64), cell_bits=2, differential=True,
                     slice_layout="separate")
    assert len(sep) == 8 and sep.slice.tolist() == list(range(8)) and set(sep.width) == {3}
    assert adj.cells == sep.cells == 10 * 3 * 8


def test_weight_bits_override():
    w = workload((10, 3, 1, 32))
    assert marp.lower(w, array=(64, 256)).width[0] == 96
    assert marp.lower(w, array=(64, 256), weight_bits=4).width[0] == 12


def test_depthwise_digital_leaves_no_blocks():
    w = workload((9, 1, 64, 8), (64, 64, 1, 8))
    b = marp.lower(w, array=(256, 256))
    assert b.digital_layers.tolist() == [0] and set(b.layer.tolist()) == {1}


def test_diagonal_jobs_and_useful_cells():
    # 10 channels, c_job 4: jobs of 4, 4 and 2 channels, each 9*c rows x c*slices cols
    b = marp.lower(workload((9, 1, 10, 1)), array=(256, 256),
                   depthwise="diagonal", c_job=4)
    assert b.job.tolist() == [0, 1, 2]
    assert list(zip(b.height.tolist(), b.width.tolist())) == [(36, 4), (36, 4), (18, 2)]
    assert b.useful_cells.tolist() == [36, 36, 18]          # only the diagonal holds weights


def test_diagonal_tiled_useful_cells_add_up():
    # full diagonal of 100 channels on 64x64 arrays, 2-bit slices: tiles cut the diagonal
    b = marp.lower(workload((9, 1, 100, 2)), array=(64, 64),
                   depthwise="diagonal")
    assert b.cells == 900 * 200
    assert b.useful == 9 * 100 * 2
    brute = 0
    for r0, c0, h, w in zip(b.row_tile * 64, b.col_tile * 64, b.height, b.width):
        mask = np.zeros((900, 200), dtype=bool)
        for t in range(100):
            mask[9 * t:9 * t + 9, 2 * t:2 * t + 2] = True
        brute += mask[r0:r0 + h, c0:c0 + w].sum()
    assert b.useful == brute


def test_grouped_conv_diagonal():
    # 4 groups of (18 rows x 3 cols), 2 per job
    b = marp.lower(workload((18, 3, 4, 1)), array=(256, 256),
                   depthwise="diagonal", c_job=2)
    assert list(zip(b.height.tolist(), b.width.tolist())) == [(36, 6), (36, 6)]
    assert b.useful_cells.tolist() == [108, 108]


@pytest.mark.parametrize("kw,match", [
    ({"depthwise": "analog"}, "depthwise='analog' is not known; valid names: digital, diagonal"),
    ({"slice_layout": "mixed"}, "slice_layout='mixed'"),
    ({"cell_bits": 0}, "cell_bits must be"),
    ({"c_job": 0}, "c_job must be"),
    ({"weight_bits": -8}, "weight_bits must be"),
    ({"array": (0, 64)}, "array rows must be"),
])
def test_bad_options(kw, match):
    args = {"array": (64, 64), **kw}
    with pytest.raises(ValueError, match=match):
        marp.lower(workload((9, 1, 4, 8)), **args)


def test_deprecated_array_rows_cols_keywords_warn_and_agree():
    with pytest.warns(DeprecationWarning, match=r"array=\(rows, cols\)"):
        old = marp.lower(workload((300, 70, 1, 1)), array_rows=128, array_cols=64)
    new = marp.lower(workload((300, 70, 1, 1)), array=(128, 64))
    assert old.shape == new.shape == (128, 64)
    assert old.height.tolist() == new.height.tolist()


# ---------------------------------------------------------------- the papers' figures

def test_mobilenet_v2_diagonal_overheads(mobilenet):
    """Ottavi et al.: c_job 8 and 16 add about 25% and 54% devices; the full diagonal
    needs about 23.8x the weights (1-bit weights so that cells = devices)."""
    weights = mobilenet.totals()["weights"]
    kw = dict(array=(1024, 1024), weight_bits=1, depthwise="diagonal")
    extra8 = marp.lower(mobilenet, c_job=8, **kw).cells / weights - 1
    extra16 = marp.lower(mobilenet, c_job=16, **kw).cells / weights - 1
    full = marp.lower(mobilenet, **kw).cells / weights
    assert extra8 == pytest.approx(0.25, abs=0.01)
    assert extra16 == pytest.approx(0.54, abs=0.01)
    assert full == pytest.approx(23.8, abs=0.1)


def test_resnet18_tiles_lrmp(resnet):
    """LRMP: ResNet-18 at 8-bit weights, 1-bit cells, 256x256 tiles needs about 1,600."""
    kw = dict(array=(256, 256), weight_bits=8, cell_bits=1)
    assert len(marp.lower(resnet, slice_layout="separate", **kw)) == 1608
    assert len(marp.lower(resnet, **kw)) == 1454
    assert len(resnet) == 21 and resnet.totals()["weights"] == 11_678_912


def test_lowering_is_vectorised_to_many_blocks():
    # 100,000+ blocks: one layer of 512 x 8000 at 32 bits on 16x16 arrays
    b = marp.lower(workload((512, 8000, 1, 32)), array=(16, 160))
    assert len(b) == 32 * 1600 and b.cells == 512 * 8000 * 32
    b = marp.lower(workload((9, 1, 20000, 8)), array=(16, 16),
                   depthwise="diagonal", c_job=2)
    assert len(b) == 20000 and b.useful == 9 * 20000 * 8
