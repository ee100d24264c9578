"""Compiling onto macros with depth (zigzag_wp_aimc: 256x64 x depth 28): the golden
figures beside ZigZag-IMC's weight-packing flow, the slot policies, the schedule when the
slots are too few, the mapping file and the CLI."""
import json

import pytest

import marp
from marp.cli import main
from marp.compiler.options import example_models

RESNET8 = [p for p in example_models("mlperf-tiny") if p.name.startswith("ic_resnet8")][0]
AUTOENCODER = [p for p in example_models("mlperf-tiny") if p.name.startswith("ad01")][0]


@pytest.fixture(scope="module")
def resnet8():
    return marp.load_onnx(RESNET8)


def test_resnet8_beside_the_flow(resnet8):
    """The flow on this macro: ideal latency 291 us, macro energy 0.50 uJ (within 15%)."""
    m = marp.compile([resnet8], "zigzag_wp_aimc")
    t, e = m.report.totals, m.report.totals["energy_pj"]
    assert (t["arrays_used"], t["macros_used"], t["bank_slots"]) == (20, 1, 28)
    ideal_us = float(m.report.layers["time_ns"].sum()) / 1e3
    macro_uj = (e["dac"] + e["adc"] + e["array"]) * 1e-6
    assert ideal_us == pytest.approx(260.8, abs=0.1)
    assert macro_uj == pytest.approx(0.486, abs=0.001)
    assert abs(ideal_us / 291.0 - 1) <= 0.15 and abs(macro_uj / 0.50 - 1) <= 0.15
    assert t["cells_written_per_inference"] == 0 and m.slots.macros_used == 1


def test_spread_runs_tiles_in_parallel_and_stack_uses_fewest_macros(resnet8):
    arch = marp.load_arch("zigzag_wp_aimc", {"aimc.arrays": 4})
    stack = marp.compile([resnet8], arch, slot_policy="stack")
    spread = marp.compile([resnet8], arch, slot_policy="spread")
    assert stack.report.totals["macros_used"] == 1
    assert spread.report.totals["macros_used"] == 4
    assert spread.report.totals["latency_us"] < 0.75 * stack.report.totals["latency_us"]
    # the same images and cells: only time changes
    assert spread.report.totals["energy_uj"] == pytest.approx(stack.report.totals["energy_uj"])


def test_a_model_larger_than_the_macro_is_tiled_and_scheduled():
    """The flow rejected the autoencoder; here its 65 images rotate through 28 slots."""
    m = marp.compile([AUTOENCODER], "zigzag_wp_aimc")
    t = m.report.totals
    assert t["arrays_used"] > t["bank_slots"] == 28
    assert t["cells_written_per_inference"] > 0 and t["energy_pj"]["fetch"] > 0
    assert m.slots is None and "bank has 28 slots" in m.capacity_line()


def test_the_mapping_file_keeps_the_slots(resnet8, tmp_path):
    arch = marp.load_arch("zigzag_wp_aimc", {"aimc.arrays": 3})
    m = marp.compile([resnet8], arch, slot_policy="spread")
    back = marp.Mapping.from_json(m.to_json())
    assert back.slots == m.slots and back.options.slot_policy == "spread"
    again = marp.cost(back, back.workloads[0], back.arch, baseline=False)
    assert again.totals["latency_us"] == pytest.approx(m.report.totals["latency_us"])


def test_latency_searches_are_refused_on_macros_with_depth(resnet8):
    with pytest.raises(ValueError, match="aimc.depth 28"):
        marp.compile([resnet8], "zigzag_wp_aimc", objective="latency")


def test_cli_slot_policy_and_macro_line(capsys):
    assert main(["compile", str(RESNET8), "--arch", "zigzag_wp_aimc", "--set",
                 "aimc.arrays=2", "--slot-policy", "spread"]) == 0
    out = capsys.readouterr().out
    assert "macros of depth 28: 20 array images in 2 of 2 macros (56 slots, slots " \
           "spread)" in out
    assert main(["compile", str(RESNET8), "--arch", "zigzag_wp_aimc", "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    assert (s["depth"], s["macros_used"], s["bank_slots"]) == (28, 1, 28)
    assert main(["compile", str(RESNET8), "--arch", "zigzag_wp_aimc", "--slot-policy",
                 "pile"]) == 2


def test_depth_and_slot_policy_are_sweep_axes(resnet8):
    """Each point equals its own compile; depth 28 on one macro holds the model (no
    writes), depth 1 on one macro rewrites it every inference."""
    space = {"bank": [1, 2], "depth": [1, 28], "slot_policy": ["stack", "spread"]}
    r = marp.sweep([resnet8], "zigzag_wp_aimc", space, workers=1)
    assert not r.failed and len(r.rows) == 8
    for row in r.rows:
        arch = marp.load_arch("zigzag_wp_aimc", {"aimc.arrays": row["bank"],
                                                 "aimc.depth": row["depth"]})
        m = marp.compile([resnet8], arch, slot_policy=row["slot_policy"])
        assert row["latency_us"] == pytest.approx(m.report.totals["latency_us"])
        assert row["macros_used"] == m.report.totals["macros_used"]
    by = {(p["bank"], p["depth"], p["slot_policy"]): p for p in r.rows}
    assert by[1, 28, "stack"]["cells_written_per_inference"] == 0
    assert by[1, 1, "stack"]["cells_written_per_inference"] > 0
    assert by[2, 28, "spread"]["latency_us"] < by[2, 28, "stack"]["latency_us"]


def test_the_report_names_each_images_macro_and_slot(resnet8):
    from marp.io.report import report_html
    m = marp.compile([resnet8], marp.load_arch("zigzag_wp_aimc", {"aimc.arrays": 2}),
                     slot_policy="spread")
    page = report_html(m)
    a = 0
    assert f"array {a} (macro {m.slots.macro[a]}, slot {m.slots.slot[a]})" in page
    assert "the bank has 2 macros of 28 slots (2 holding images" in page


def test_the_layout_says_where_each_image_sits(resnet8):
    m = marp.compile([RESNET8], marp.load_arch("zigzag_wp_aimc", {"aimc.arrays": 2}),
                     slot_policy="spread")
    lay = m.images().layout
    assert (lay["macro"] == m.slots.macro[lay["image"]]).all()
    assert (lay["slot"] == m.slots.slot[lay["image"]]).all()
    assert "macro,slot" in m.images().layout_csv().splitlines()[0]
