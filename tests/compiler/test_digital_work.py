"""Work that leaves the arrays is visible: rows, reasons, the summary line."""
import pytest

import marp
from onnx_factory import attention_block, grouped_pair

PARTS = ("dac", "adc", "array", "digital", "act", "write", "fetch", "leakage")


def _rows_add_up(m):
    s = m.summary
    for part in PARTS:
        got = sum(r[f"e_{part}_pj"] for r in s["layers"])
        assert got == pytest.approx(s["energy_pj"][part], rel=1e-9, abs=1e-9), part
    assert sum(r["macs"] for r in s["layers"]) == m.report.totals["macs"]


def test_attention_products_have_rows():
    m = marp.compile(attention_block(16, 64), "qracc")
    rows = m.summary["layers"]
    # four 64x64 projections on the arrays, then the two act x act products
    assert [(r["kind"], r["engine"]) for r in rows] == [("fc", "aimc")] * 4 + \
        [("act x act", "digital")] * 2
    # QK^T: 16 x 16 outputs of 64-long dot products; AV: 16 x 64 outputs of 16
    assert [r["macs"] for r in rows[4:]] == [16 * 16 * 64, 16 * 64 * 16]
    assert all(r["digital_reason"] == "no weights (act x act)" for r in rows[4:])
    assert all(r["time_ns"] > 0 and r["e_digital_pj"] > 0 for r in rows[4:])
    _rows_add_up(m)
    share = 2 * 16384 / (2 * 16384 + 4 * 16 * 64 * 64)
    assert m.summary["digital_work"]["share_of_macs"] == pytest.approx(share)
    assert m.digital_line() == f"on the digital engine: 2 act x act products: " \
                               f"{100 * share:.1f}% of the MACs"


def test_grouped_conv_policies():
    w = marp.load_onnx(grouped_pair(2))
    diag = marp.lower(w, array=(256, 256), weight_bits=1)          # grouped="diagonal"
    # the grouped layer: one job of 2 groups, (2 x 8*9) rows x (2 x 16) cols, half useful
    assert diag.height.tolist() == [27, 144] and diag.width.tolist() == [16, 32]
    assert diag.useful_cells.tolist() == [27 * 16, 2 * 72 * 16]
    digital = marp.lower(w, array=(256, 256), weight_bits=1, grouped="digital")
    assert len(digital) == 1 and digital.digital_layers.tolist() == [1]
    # depthwise="diagonal" does not move grouped layers, nor the reverse
    assert len(marp.lower(w, array=(256, 256), weight_bits=1, depthwise="diagonal",
                          grouped="digital")) == 1

    on_arrays = marp.compile([w], "qracc")
    off = marp.compile([w], "qracc", grouped="digital")
    assert on_arrays.digital_line() is None
    macs = w.layers.macs
    assert off.digital_line() == f"on the digital engine: 1 layers (grouped='digital'): " \
                                 f"{100 * macs[1] / macs.sum():.1f}% of the MACs"
    assert off.summary["layers"][1]["digital_reason"] == "grouped='digital'"
    assert off.report.totals["energy_uj"] > on_arrays.report.totals["energy_uj"]
    _rows_add_up(off)
    _rows_add_up(on_arrays)


def test_old_mappings_keep_their_grouped_policy():
    m = marp.compile([marp.load_onnx(grouped_pair(2))], "qracc", grouped="digital")
    doc = m.to_dict()
    del doc["options"]["grouped"], doc["options"]["slice_layout"], doc["blocks"]["grouped"]
    doc["options"]["depthwise"] = doc["blocks"]["depthwise"] = "digital"
    back = type(m).from_dict(doc)
    assert back.blocks.grouped == "digital" and back.options.grouped == "digital"
