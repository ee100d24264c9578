"""Equality and one-line reprs of the public result types."""
import numpy as np
import pytest

import marp


@pytest.fixture(scope="module")
def mapping():
    return marp.compile(marp.example_models("mlperf-tiny"))


def test_a_mapping_equals_its_json_round_trip(mapping, tmp_path):
    back = marp.Mapping.from_json(mapping.to_json())
    assert back == mapping and not back != mapping
    for part in ("packing", "blocks", "report", "workloads", "options", "arch"):
        assert getattr(back, part) == getattr(mapping, part), part
    assert mapping != marp.compile(marp.example_models("mlperf-tiny"), seed=1)


def test_packings_compare_by_value():
    a = marp.pack([3, 2, 2], [2, 2, 1], array=(4, 4))
    b = marp.pack(np.array([3, 2, 2]), np.array([2, 2, 1]), array=(4, 4))
    assert a == b and a is not b
    assert a != marp.pack([3, 2, 2], [2, 2, 1], array=(4, 8))
    assert (a == "x") is False
    with pytest.raises(TypeError):
        hash(a)


@pytest.mark.parametrize("get,pattern", [
    (lambda m: m, r"^Mapping\(4 models, 126 blocks on 16 arrays of 1152x256 \(qracc, bank "
                  r"16\), [\d.]+ us, [\d.]+ uJ\)$"),
    (lambda m: m.packing, r"^Packing\(n=126, placed=126, arrays_used=16, array=1152x256 "),
    (lambda m: m.blocks, r"^Blocks\(126 blocks of 58 layers for 1152x256 arrays"),
    (lambda m: m.workloads[0], r"^Workload\('kws_dscnn_int8_qdq': 10 weight layers"),
    (lambda m: m.workloads[0].layers, r"^Layers\(10 weight layers, [\d,]+ weights"),
    (lambda m: m.report, r"^CostReport\(58 layers, [\d.]+ us"),
    (lambda m: marp.ALGORITHMS, r"^Registry\('algorithm': skyline-bl, "),
])
def test_reprs_are_one_line(mapping, get, pattern):
    import re
    text = repr(get(mapping))
    assert "\n" not in text and re.match(pattern, text), text
