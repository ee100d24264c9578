"""Functional simulation through the array images (marp.compiler.simulate)."""
import dataclasses

import numpy as np
import pytest

import marp
from marp.compiler.simulate import bitserial_numba, bitserial_numpy, simulate
from layout_faults import swap_two_blocks

pytest.importorskip("onnxruntime", reason="the sim extra is not installed "
                    "(pip install 'marp[sim]'; .ci/run installs it)")
MODELS = marp.example_models("mlperf-tiny")


@pytest.mark.parametrize("arch", marp.available_archs())
def test_ideal_adcs_are_bit_exact_on_every_geometry(arch):
    """int8 MLPerf Tiny, every analog layer, real inputs from onnxruntime: the bit-serial
    run through the images equals the integer product (qracc: 8-bit DAC, 1152-row ops;
    zigzag_aimc: 2-bit DAC; ottavi_pcm: differential 4-bit weights; lrmp_rram: 9-row
    groups, 4-bit ADC ranges unused under ideal conversion)."""
    big = marp.load_arch(arch).with_values({"aimc.arrays": 100000})
    m = marp.compile(MODELS, big)
    checks = simulate(m, kernel="numpy")
    assert len(checks) == len(np.unique(m.blocks.layer)) == 41
    assert all(c.exact and c.max_abs_error == 0 for c in checks), \
        [(c.name, c.max_abs_error) for c in checks if not c.exact]


def test_diagonal_jobs_and_separate_slices_are_exact():
    m = marp.compile(MODELS[:2], "qracc", depthwise="diagonal", c_job=8,
                     slice_layout="separate")
    checks = simulate(m, kernel="numpy", inputs=2)
    assert checks and all(c.exact for c in checks)


def test_a_corrupted_layout_names_the_layers_that_broke():
    m = marp.compile(MODELS, marp.load_arch("qracc").with_values({"aimc.arrays": 1000}))
    images = m.images()
    lay = images.layout
    i, j = swap_two_blocks(lay)
    broken = {c.layer for c in simulate(m, kernel="numpy", images=images) if not c.exact}
    assert broken == {int(lay["layer"][i]), int(lay["layer"][j])}


def test_configured_adcs_lose_precision_but_keep_the_signal():
    m = marp.compile(MODELS[2:3], "qracc")                 # ResNet-8
    ideal = simulate(m, kernel="numpy")
    coarse = simulate(dataclasses.replace(m, arch=m.arch.with_values(
        {"aimc.adc_bits": 4})), adc="config", kernel="numpy")
    fine = simulate(dataclasses.replace(m, arch=m.arch.with_values(
        {"aimc.adc_bits": 12})), adc="config", kernel="numpy")
    assert all(c.exact for c in ideal)
    assert all(f.snr_db > c.snr_db for f, c in zip(fine, coarse))
    assert min(f.snr_db for f in fine) > 20


@pytest.mark.parametrize("seed", range(5))
def test_numba_kernel_equals_the_numpy_reference(seed):
    pytest.importorskip("numba")
    rng = np.random.default_rng(seed)
    K, V, h, w = rng.integers(1, 4), rng.integers(1, 20), rng.integers(1, 40), \
        rng.integers(1, 30)
    x = rng.integers(0, 4, (K, V, h))
    cells = rng.integers(0, 2, (h, w))
    for levels, full in ((0, 1.0), (16, 3.0 * h)):
        a = bitserial_numpy(x, cells, 7, levels, full)
        b = bitserial_numba(x, cells, 7, levels, full)
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-9)


def test_bad_arguments():
    m = marp.compile(MODELS[3:], "qracc")
    with pytest.raises(ValueError, match="adc='exact' is not known; valid names: ideal, "
                                         "config"):
        simulate(m, adc="exact")
    with pytest.raises(ValueError, match="kernel='c' is not known"):
        simulate(m, kernel="c")


def test_end_to_end_with_ideal_adcs_gives_the_models_outputs():
    from marp.compiler.end_to_end import end_to_end
    m = marp.compile(MODELS, "qracc")
    checks = end_to_end(m, inputs=2, kernel="numpy")
    assert [c.model for c in checks] == [w.name for w in m.workloads]
    assert all(c.relative_error == 0.0 for c in checks)
    assert [c.top1_agreement for c in checks] == [1.0, 1.0, 1.0, None]   # autoencoder: none
    coarse = end_to_end(dataclasses.replace(m, arch=m.arch.with_values(
        {"aimc.adc_bits": 4})), adc="config", inputs=2, kernel="numpy")
    assert all(c.relative_error > 0 for c in coarse)


def test_end_to_end_needs_a_quantized_model(tmp_path):
    import onnx
    from marp.compiler.end_to_end import end_to_end
    from onnx_factory import grouped_pair
    path = tmp_path / "float.onnx"
    onnx.save(grouped_pair(2), path)
    m = marp.compile([str(path)], "qracc")
    with pytest.raises(ValueError, match="not a quantized \\(QDQ\\) layer"):
        end_to_end(m, kernel="numpy")
