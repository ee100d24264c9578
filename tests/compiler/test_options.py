"""CompileOptions: every option on every search path takes effect or is refused by name.

A spy on the compiler's calls to ``pack`` and ``lower`` shows that an option reached the
stage that uses it; the Mapping shows the rest (blocks, packing, replicas, arrays).
"""
import dataclasses

import numpy as np
import pytest

import marp
from marp.compiler import driver
from marp.compiler.options import CompileOptions, example_models

MODELS = [m for m in example_models("mlperf-tiny") if m.name.startswith(("kws", "ad01"))]
TARGET_US = 60.0
SMALL_BANK = marp.load_arch("qracc").with_values({"aimc.arrays": 2})          # below the packed mapping's 70.6 us: the search has work to do
PATHS = {
    "plain": {},
    "latency_us": {"latency_us": TARGET_US},
    "geometries": {"latency_us": TARGET_US, "geometries": [(1152, 256), (512, 256)]},
    "objective=latency": {"objective": "latency"},
    "replicate": {"replicate": "throughput", "replicate_arrays": 200},
    "one_to_one": {"one_to_one": True},
}
OPTIONS = {
    "depthwise": ("diagonal", {}),
    "c_job": (8, {"depthwise": "diagonal"}),
    "packing": ("maxrects-baf", {}),
    "refine_seconds": (0.05, {}),
    "refine_iterations": (40, {}),
    "one_to_one": (True, {}),
    "latency_us": (TARGET_US, {}),
    "geometries": ([(1152, 256), (512, 256)], {"latency_us": TARGET_US}),
    "objective": ("latency", {}),
    "replicate": ("latency", {"replicate_arrays": 200}),
    "replicate_arrays": (150, {"replicate": "throughput"}),
    "spread_layer_tiles": (True, {}),
    "capacity": ("layerwise", {}),
    "jobs": (2, {}),
    "seed": (7, {}),
}


@pytest.fixture(scope="module")
def workloads():
    return driver.load_all(MODELS)


@pytest.fixture
def spy(monkeypatch):
    calls = {"pack": [], "lower": []}

    def wrap(name, fn):
        def recorder(*args, **kw):
            calls[name].append(kw)
            return fn(*args, **kw)
        monkeypatch.setattr(driver, name, recorder)

    wrap("pack", driver.pack)
    wrap("lower", driver.lower)
    return calls


def _effect(option, value, m, calls, base):
    """Assert that ``option`` had its effect on mapping ``m``."""
    packs, lowers = calls["pack"], calls["lower"]
    checks = {
        "depthwise": lambda: m.blocks.depthwise == value and all(
            kw["depthwise"] == value for kw in lowers),
        "c_job": lambda: all(kw["c_job"] == value for kw in lowers) and m.blocks.job.max() > 0,
        "packing": lambda: packs and all(kw["algorithm"] == value for kw in packs),
        "refine_seconds": lambda: packs and all(kw["refine_seconds"] == value for kw in packs),
        "refine_iterations": lambda: packs and all(kw["refine_iterations"] == value
                                                   for kw in packs),
        "one_to_one": lambda: m.packing.algorithm == "one-to-one" and not packs,
        "latency_us": lambda: m.report.totals["latency_us"] <= value
        and m.arch.aimc.arrays == m.packing.arrays_used,
        "geometries": lambda: tuple(m.arch.aimc.shape) in {tuple(g) for g in value},
        "objective": lambda: m.report.totals["latency_us"] < base.report.totals["latency_us"],
        "replicate": lambda: m.replicas is not None and m.replicas.max() > 1,
        "replicate_arrays": lambda: m.replicas is not None
        and m.options.replicate_arrays == value,
        "spread_layer_tiles": lambda: _no_array_holds_two_tiles_of_a_layer(m),
        "jobs": lambda: m.packing.array.tolist() == base.packing.array.tolist(),
        "capacity": lambda: m.residency.get("policy") == value
        and m.report.totals["cells_written_per_inference"] > 0,
        "seed": lambda: packs and all(kw["seed"] == value for kw in packs),
    }
    assert checks[option](), f"{option}={value!r} had no effect"


def _no_array_holds_two_tiles_of_a_layer(m):
    pairs = np.stack([m.blocks.layer, m.packing.array], axis=1)
    return len(np.unique(pairs, axis=0)) == len(pairs)


@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("path", PATHS)
def test_every_option_on_every_path_takes_effect_or_is_refused(path, option, workloads, spy):
    value, needs = OPTIONS[option]
    keywords = {**PATHS[path], **needs, option: value}
    models = MODELS if option == "jobs" else workloads        # jobs loads paths in processes
    arch = SMALL_BANK if option == "capacity" else "qracc"   # capacity acts on a small bank
    try:
        opts = CompileOptions(**keywords)
    except ValueError as exc:
        assert "not supported" in str(exc) and (option in str(exc) or
                                                 any(k in str(exc) for k in keywords)), exc
        with pytest.raises(ValueError, match="not supported"):
            marp.compile(models, arch, **keywords)
        return
    base = None
    if option == "objective":          # against the packed mapping
        base = marp.compile(workloads)
    elif option == "jobs":             # against the same options loaded in this process
        base = marp.compile(workloads, **{**PATHS[path], **needs})
    for calls in spy.values():
        calls.clear()
    m = marp.compile(models, arch, **keywords)
    assert m.options == opts
    stored = marp.Mapping.from_json(m.to_json()).options
    assert stored == dataclasses.replace(opts, jobs=1)       # jobs is a run setting
    _effect(option, value, m, spy, base)


@pytest.mark.parametrize("keywords,match", [
    ({"c_job": 4, "grouped": "digital"}, "c_job=4 with depthwise=.digital. and "
                                          "grouped=.digital. is not supported"),
    ({"replicate_arrays": 10}, "replicate_arrays without replicate is not supported"),
    ({"geometries": [(256, 256)]}, "geometries without latency_us is not supported"),
    ({"objective": "latency", "latency_us": 5.0}, "objective='latency' with latency_us"),
    ({"one_to_one": True, "spread_layer_tiles": True}, "one_to_one=True with "
                                                       "spread_layer_tiles"),
    ({"depthwise": "analog"}, "depthwise='analog' is not known; valid names: digital, "
                              "diagonal"),
    ({"objective": "speed"}, "objective='speed' is not known; valid names: arrays, latency"),
    ({"replicate": "more"}, "replicate='more' is not known; valid names: throughput"),
    ({"packing": "best"}, "algorithm='best' is not known"),
    ({"latency_us": -1}, "latency_us must be a finite number > 0"),
    ({"refine_seconds": float("nan")}, "refine_seconds must be a finite number >= 0"),
    ({"geometries": [(256,)]}, r"geometries\[0\] = \(256,\) is not a \(rows, cols\) pair"),
    ({"geometries": [(0, 256)]}, r"geometries\[0\] rows must be"),
    ({"jobs": 0}, "jobs must be"),
])
def test_bad_options_name_the_option(keywords, match):
    with pytest.raises(ValueError, match=match):
        CompileOptions(**keywords)


def test_unknown_keyword_lists_the_options(workloads):
    with pytest.raises(TypeError, match=r"unknown options \['bank'\]; options: "
                                        r"input_shapes, batch, precision"):
        marp.compile(workloads, bank=4)


def test_options_object_and_keywords_combine(workloads):
    opts = CompileOptions(depthwise="diagonal", c_job=8)
    m = marp.compile(workloads, options=opts, seed=3)
    assert m.options == opts.replace(seed=3)


def test_compile_documents_every_option():
    doc = marp.compile.__doc__
    for f in dataclasses.fields(CompileOptions):
        assert f"{f.name} :" in doc or f"{f.name}," in doc, f.name
