import dataclasses
import re

import pytest
import yaml

import marp
from marp.hardware import config_files
from marp.hardware.arch import ArchError, load_arch


def test_bundled_configs_load():
    assert set(marp.available_archs()) >= {"qracc", "lrmp_rram", "ottavi_pcm", "zigzag_aimc"}
    for name in marp.available_archs():
        arch = load_arch(name)
        assert arch.name == name and arch.aimc.array_rows > 0


def test_every_number_in_a_bundled_config_names_its_source():
    for name in marp.available_archs():
        text = (config_files.CONFIG_DIR / f"{name}.yaml").read_text()
        for line in text.splitlines():
            m = re.match(r"^\s+[a-z_]+:\s*([^#\s][^#]*?)\s*(#.*)?$", line)
            if m and m.group(1)[0].isdigit():
                assert m.group(2) and m.group(2)[1:].strip(), f"{name}: {line}"


def test_qracc_defaults():
    a = load_arch("qracc")
    assert (a.aimc.array_rows, a.aimc.array_cols, a.aimc.arrays) == (1152, 256, 16)
    assert (a.digital.pe_rows, a.digital.pe_cols, a.digital.f_mhz) == (16, 16, 260.0)


def test_lrmp_table_one():
    a = load_arch("lrmp_rram").aimc
    assert (a.array_rows, a.cell_bits, a.row_parallelism, a.dac_bits, a.adcs_per_array,
            a.adc_bits, a.arrays) == (256, 1, 9, 1, 8, 4, 5682)


@pytest.mark.parametrize("size,ops", [(100, 285.7e9), (1000, 28.57e12)])
def test_pcm_peak(size, ops):
    """Ottavi et al.: a 100x100 array at 70 ns per op peaks at 286 GOPS; 1000x1000 at
    28.6 TOPS (the array counts weights; each is a differential pair of devices)."""
    a = load_arch("ottavi_pcm").with_values({
        "aimc.array_rows": size, "aimc.array_cols": 2 * size, "aimc.adcs_per_array": size,
        "aimc.row_parallelism": size})
    assert a.peak_ops_per_s() == pytest.approx(ops, rel=1e-3)


def test_zigzag_adc_model():
    a = load_arch("zigzag_aimc").aimc
    assert a.e_adc_conversion_pj == pytest.approx((100 * 8 + 0.001 * 4 ** 8) * 0.81 / 1000)


def config(tmp_path, mutate):
    doc = yaml.safe_load((config_files.CONFIG_DIR / "qracc.yaml").read_text())
    mutate(doc)
    path = tmp_path / "arch.yaml"
    path.write_text(yaml.safe_dump(doc))
    return path


@pytest.mark.parametrize("mutate,message", [
    (lambda d: d["aimc"].update(e_adc_pj=-1.0), r"aimc.e_adc_pj: -1.0 out of range \(expected >= 0"),
    (lambda d: d["aimc"].update(array_rows=0), r"aimc.array_rows: 0 out of range \(expected >= 1"),
    (lambda d: d["aimc"].update(e_adc_fj=1.0), r"aimc.e_adc_fj: unknown key"),
    (lambda d: d["digital"].update(pe_rows="16"), r"digital.pe_rows: expected int .* got str '16'"),
    (lambda d: d["aimc"].pop("t_array_op_ns"), r"aimc.t_array_op_ns: missing \(float"),
    (lambda d: d.pop("schedule"), r"schedule: missing section"),
    (lambda d: d.update(gpu=1), r"gpu: unknown key"),
    (lambda d: d["aimc"].update(adc_energy_model="sar"), r"adc_energy_model: 'sar' is not known"),
    (lambda d: d["aimc"].update(t_array_op_ns=0.0), r"aimc.t_array_op_ns: 0.0 out of range \(expected > 0"),
])
def test_config_errors_name_key_path_and_range(tmp_path, mutate, message):
    with pytest.raises(ArchError, match=message):
        load_arch(config(tmp_path, mutate))


def test_all_problems_reported_at_once(tmp_path):
    def many(d):
        d["aimc"]["e_adc_pj"] = -1.0
        d["aimc"]["array_rows"] = 0
        d["digital"]["bogus"] = 1
    with pytest.raises(ArchError) as e:
        load_arch(config(tmp_path, many))
    assert len(e.value.problems) == 3 and isinstance(e.value, ValueError)


def test_unknown_name_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match=r"arch='qrac' is not a bundled config; bundled: "):
        load_arch("qrac")
    with pytest.raises(FileNotFoundError, match="nope.yaml: cannot read"):
        load_arch(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("aimc: [1, 2\n")
    with pytest.raises(ArchError, match="not valid YAML"):
        load_arch(bad)


def test_arch_is_frozen_and_with_values_validates():
    a = load_arch("qracc")
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.aimc.array_rows = 3
    with pytest.raises(ArchError, match="aimc.arrays: -2 out of range"):
        a.with_values({"aimc.arrays": -2})
    assert a.with_values({"aimc.arrays": 4}).aimc.arrays == 4 and a.aimc.arrays == 16


def test_geometry_values_cap_parallelism_and_adcs():
    a = load_arch("qracc")
    assert a.geometry_values(64, 128) == {"aimc.array_rows": 64, "aimc.row_parallelism": 64,
                                          "aimc.array_cols": 128, "aimc.adcs_per_array": 128}
    assert a.geometry_values(cols=512) == {"aimc.array_cols": 512, "aimc.adcs_per_array": 256}
    assert a.geometry_values() == {}


def test_top_level_configs_are_the_bundled_ones():
    """configs/ at the top of the repository (the design card's place for them) holds the
    same files as the package's bundled configs."""
    from pathlib import Path
    top = Path(__file__).resolve().parents[2] / "configs"
    if not top.is_dir():
        pytest.skip("not a source checkout")
    names = sorted(p.name for p in top.glob("*.yaml"))
    assert names == sorted(p.name for p in config_files.CONFIG_DIR.glob("*.yaml"))
    for name in names:
        assert (top / name).read_text() == (config_files.CONFIG_DIR / name).read_text(), name


def test_depth_is_optional_and_checked(tmp_path):
    """aimc.depth (ZigZag-IMC's cell-group depth) defaults to 1: configs written before
    it load unchanged; the bank then holds arrays x depth images."""
    assert "  depth:" not in (config_files.CONFIG_DIR / "qracc.yaml").read_text()
    a = load_arch("qracc").aimc
    assert (a.depth, a.macros, a.slots) == (1, 16, 16)
    wp = load_arch("zigzag_wp_aimc").aimc
    assert (wp.array_rows, wp.array_cols, wp.depth, wp.arrays, wp.slots) == (256, 64, 28, 1, 28)
    assert (wp.e_adc_conversion_pj, wp.t_array_op_ns, wp.act_bits, wp.dac_bits,
            wp.weight_bits) == (0.188, 9.793, 4, 1, 4)
    assert wp.macros_for(29) == 2
    with pytest.raises(ArchError, match=r"aimc.depth: 0 out of range \(expected >= 1"):
        load_arch(config(tmp_path, lambda d: d["aimc"].update(depth=0)))


def test_macros_is_another_name_for_arrays(tmp_path):
    """ZigZag-IMC's word: aimc.macros sets aimc.arrays (one key, two names)."""
    wp = load_arch("zigzag_wp_aimc", {"aimc.macros": 3}).aimc
    assert (wp.arrays, wp.macros, wp.slots) == (3, 3, 84)

    def rename(d):
        d["aimc"]["macros"] = d["aimc"].pop("arrays")
    assert load_arch(config(tmp_path, rename)).aimc.arrays == 16
    with pytest.raises(ArchError, match="aimc.macros: 4 differs from aimc.arrays 16"):
        load_arch(config(tmp_path, lambda d: d["aimc"].update(macros=4)))
