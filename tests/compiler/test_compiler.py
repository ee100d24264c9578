import json

import numpy as np
import pytest

import marp
from marp.compiler.driver import Mapping, example_models
from marp.io.report import report_html


@pytest.fixture(scope="module")
def tiny():
    return marp.compile(example_models("mlperf-tiny"))


def test_example_models_are_bundled():
    paths = example_models("mlperf-tiny")
    assert len(paths) == 4 and all(p.is_file() for p in paths)
    with pytest.raises(ValueError, match="example='x' is not known; valid names: mlperf-tiny"):
        example_models("x")


def test_models_share_arrays(tiny):
    s = tiny.summary
    assert s["arrays_used"] == 16 and s["arrays_one_to_one"] == 126
    assert s["utilization"] > 0.9
    assert [m["name"] for m in s["models"]] == ["kws_dscnn_int8_qdq",
                                                "vww_mobilenetv1_025_96_int8_qdq",
                                                "ic_resnet8_int8_qdq",
                                                "ad01_autoencoder_int8_qdq"]
    assert sum(m["blocks"] for m in s["models"]) == len(tiny.blocks)
    assert sum(m["macs"] for m in s["models"]) == tiny.report.totals["macs"]
    marp.verify(tiny.packing, tiny.blocks.width, tiny.blocks.height, array=(1152, 256))


def test_one_to_one_mapping():
    m = marp.compile(example_models("mlperf-tiny")[:1], one_to_one=True)
    assert m.summary["arrays_used"] == len(m.blocks) == m.summary["arrays_one_to_one"]


def test_diagonal_depthwise_maps_more_cells(tiny):
    d = marp.compile(example_models("mlperf-tiny"), depthwise="diagonal", c_job=8)
    assert len(d.blocks) > len(tiny.blocks) and d.summary["arrays_used"] >= 16


def test_json_round_trip_is_exact(tiny, tmp_path):
    path = tmp_path / "mapping.json"
    text = tiny.to_json(path)
    assert path.read_text() == text
    again = Mapping.from_json(path)
    assert again.to_json() == text
    assert np.array_equal(again.packing.x, tiny.packing.x)
    assert json.loads(text)["version"] == 1


def test_from_json_rejects_other_documents(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"schema": "other"}')
    with pytest.raises(ValueError, match="not a marp mapping"):
        Mapping.from_json(path)


def test_svg_draws_every_array_with_titles(tiny):
    svg = tiny.to_svg()
    assert svg.count('class="array"') == tiny.packing.arrays_used
    assert svg.count('class="block"') == len(tiny.blocks)
    assert "<title>kws_dscnn_int8_qdq / layer 0:" in svg


def test_report_page_is_self_contained(tiny):
    page = report_html(tiny)
    assert page.startswith("<!DOCTYPE html>") and "http" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', "")
    assert page.count('class="array"') == 16


def test_compile_errors(tmp_path):
    with pytest.raises(ValueError, match="models is empty"):
        marp.compile([])
    with pytest.raises(FileNotFoundError, match="nope.onnx"):
        marp.compile(tmp_path / "nope.onnx")
    with pytest.raises(ValueError, match="arch='nope' is not a bundled config"):
        marp.compile(example_models("mlperf-tiny")[:1], arch="nope")


@pytest.mark.parametrize("objective", ["throughput", "latency"])
def test_replication_under_budget(objective):
    ms = example_models("mlperf-tiny")
    base = marp.compile(ms)
    # a bank as large as the budget: copies beyond the bank would be rotated through it
    big = marp.load_arch("qracc").with_values({"aimc.arrays": 300})
    m = marp.compile(ms, big, replicate=objective, replicate_arrays=300)
    r = m.replicas
    sizes = np.bincount(base.blocks.layer, minlength=r.size)
    assert (r >= 1).all() and (r * sizes).sum() <= 300 and r.max() > 1
    assert len(m.blocks) == (r * sizes).sum()
    marp.verify(m.packing, m.blocks.width, m.blocks.height, array=(1152, 256))
    pairs = list(zip(m.blocks.layer.tolist(), m.packing.array.tolist()))
    assert len(pairs) == len(set(pairs))          # copies never share an array
    assert m.summary["latency_us"] < base.summary["latency_us"] / 4
    # each copy takes ceil(vectors / r) of the work
    vec0 = np.concatenate([w.layers.vectors for w in base.workloads])
    vec = np.concatenate([w.layers.vectors for w in m.workloads])
    assert (vec == -(-vec0 // r)).all()
    assert Mapping.from_json(m.to_json()).to_json() == m.to_json()


def test_replication_objectives_rank_as_optimised():
    ms = example_models("mlperf-tiny")
    big = marp.load_arch("qracc").with_values({"aimc.arrays": 300})    # no weight reload
    thr = marp.compile(ms, big, replicate="throughput").report.totals
    lat = marp.compile(ms, big, replicate="latency").report.totals
    assert thr["throughput_inf_per_s"] > lat["throughput_inf_per_s"]
    assert lat["latency_us"] < thr["latency_us"]


def test_replication_errors():
    ms = example_models("mlperf-tiny")
    with pytest.raises(ValueError, match="needs 126 arrays but the budget is 16"):
        marp.compile(ms, replicate="throughput")
    with pytest.raises(ValueError, match="replicate='fast' is not known"):
        marp.compile(ms, replicate="fast", replicate_arrays=500)


def test_objective_latency_reaches_the_lowest_latency(tiny):
    m = marp.compile(example_models("mlperf-tiny"), objective="latency")
    assert m.summary["latency_us"] < tiny.summary["latency_us"]
    assert m.summary["arrays_used"] > tiny.summary["arrays_used"]
    with pytest.raises(ValueError, match="objective='energy' is not known"):
        marp.compile(example_models("mlperf-tiny"), objective="energy")


def test_jobs_and_threads_give_the_same_mapping(tiny):
    from concurrent.futures import ThreadPoolExecutor
    ms = example_models("mlperf-tiny")
    assert marp.compile(ms, jobs=2).to_json() == tiny.to_json()
    with ThreadPoolExecutor(2) as pool:           # no global state: safe in threads
        texts = list(pool.map(lambda _: marp.compile(ms).to_json(), range(4)))
    assert all(t == tiny.to_json() for t in texts)


def test_spread_layer_tiles(tiny):
    m = marp.compile(example_models("mlperf-tiny"), spread_layer_tiles=True)
    marp.verify(m.packing, m.blocks.width, m.blocks.height, array=(1152, 256))
    pairs = set()
    for layer, array in zip(m.blocks.layer.tolist(), m.packing.array.tolist()):
        assert (layer, array) not in pairs
        pairs.add((layer, array))
    assert m.summary["arrays_used"] >= tiny.summary["arrays_used"]
    assert m.summary["latency_us"] <= tiny.summary["latency_us"]
    assert m.summary["arrays_used"] < m.summary["arrays_one_to_one"]


def test_a_mapping_on_a_small_bank_round_trips_with_its_residency():
    small = marp.load_arch("qracc").with_values({"aimc.arrays": 4})
    m = marp.compile(example_models("mlperf-tiny"), small)
    assert m.residency["policy"] == "marp" and len(m.residency["pinned"]) == 3
    text = m.to_json()
    back = marp.Mapping.from_json(text)
    assert back.to_json() == text
    assert back.residency == json.loads(text)["residency"]
    assert back.summary["cells_written_per_inference"] == \
        m.summary["cells_written_per_inference"] > 0


def test_interleaved_model_order_runs_one_layer_of_each_model_in_turn():
    from marp.compiler.capacity import execution_order
    order = execution_order(np.array([0, 0, 0, 1, 1, 2]), "interleaved")
    assert order.tolist() == [0, 3, 5, 1, 4, 2]
    assert execution_order(np.array([0, 0, 1]), "sequential").tolist() == [0, 1, 2]
    ms = example_models("mlperf-tiny")
    small = marp.load_arch("qracc").with_values({"aimc.arrays": 4})
    seq = marp.compile(ms, small)
    mixed = marp.compile(ms, small.with_values({"schedule.model_order": "interleaved"}))
    first = mixed.report.timeline[0]["layer"], mixed.report.timeline[1]["layer"]
    names = [w.layers.name[0] for w in mixed.workloads]
    assert first[0] == names[0] and first[1] in names[1:]          # models alternate
    assert mixed.residency["order"] != seq.residency["order"]
    # interleaving breaks the phases packed per model: more is rewritten
    assert mixed.report.totals["cells_written_per_inference"] >= \
        seq.report.totals["cells_written_per_inference"]


def test_slice_layout_reaches_compile(tmp_path, capsys):
    """LRMP's ResNet-18 baseline: 8-bit weights on 1-bit cells, each slice its own copy
    of the matrix, 1,608 tiles of 256x256 one-to-one ("about 1,600" in the paper)."""
    import onnx
    from onnx_factory import resnet18
    from marp.cli import main

    m = marp.compile([resnet18()], "lrmp_rram", slice_layout="separate")
    assert m.summary["arrays_one_to_one"] == 1608 and m.blocks.slice_layout == "separate"
    assert marp.compile([resnet18()], "lrmp_rram").summary["arrays_one_to_one"] == 1454
    path = tmp_path / "resnet18.onnx"
    onnx.save(resnet18(), path)
    assert main(["compile", str(path), "--arch", "lrmp_rram", "--slice-layout", "separate",
                 "--json", "--quiet"]) == 0
    assert json.loads(capsys.readouterr().out)["arrays_one_to_one"] == 1608
