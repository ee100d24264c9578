"""The cache of parsed models (marp.compiler.model_cache)."""
import json
import os
import shutil
import subprocess
import sys

import pytest

import marp
from marp.compiler import model_cache
from marp.compiler.driver import load_all


@pytest.fixture()
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MARP_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_cached_model_equals_the_parsed_one_and_is_not_parsed_again(cache_dir, tmp_path):
    path = tmp_path / "m.onnx"
    shutil.copy(marp.example_models("mlperf-tiny")[1], path)
    calls = []

    def read(p):
        calls.append(p)
        return marp.load_onnx(p)

    first = model_cache.load(path, 1, None, read)
    again = model_cache.load(path, 1, None, read)
    assert len(calls) == 1 and again == first
    assert len(list(cache_dir.glob("*.json"))) == 1
    # other loader settings are another entry; a changed file is another entry
    model_cache.load(path, 2, None, read)
    assert len(calls) == 2
    path.write_bytes(path.read_bytes() + b"")          # same bytes: same entry
    model_cache.load(path, 1, None, read)
    assert len(calls) == 2
    copy = tmp_path / "other.onnx"
    shutil.copy(path, copy)                              # same bytes, another name
    w = model_cache.load(copy, 1, None, read)
    assert len(calls) == 2 and w.name == "other" and w.source == str(copy)


def test_a_broken_entry_is_rewritten(cache_dir, tmp_path):
    path = marp.example_models("mlperf-tiny")[3]
    model_cache.load(path, 1, None, marp.load_onnx)
    (entry,) = cache_dir.glob("*.json")
    entry.write_text("{not json")
    w = model_cache.load(path, 1, None, marp.load_onnx)
    assert w == marp.load_onnx(path)
    assert json.loads(entry.read_text())["name"] == w.name


def test_a_repeated_cli_run_never_imports_onnx(cache_dir):
    env = dict(os.environ, MARP_CACHE_DIR=str(cache_dir))
    code = ("import sys, runpy; sys.argv = ['marp', 'compile', '--example', 'mlperf-tiny', "
            "'--quiet']; from marp.cli import main; rc = main(); "
            "print('onnx' in sys.modules, rc)")
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, check=True).stdout.split()[-2:]
    again = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                           text=True, check=True).stdout.split()[-2:]
    assert first == ["True", "0"] and again == ["False", "0"]
    nocache = subprocess.run([sys.executable, "-c", code.replace("'--quiet'", "'--quiet', "
                                                                 "'--no-cache'")],
                             env=env, capture_output=True, text=True, check=True)
    assert nocache.stdout.split()[-2:] == ["True", "0"]


def test_library_calls_do_not_cache_unless_asked(cache_dir):
    load_all(marp.example_models("mlperf-tiny")[:1])
    assert not cache_dir.exists()
    load_all(marp.example_models("mlperf-tiny")[:1], cache=True)
    assert len(list(cache_dir.glob("*.json"))) == 1
