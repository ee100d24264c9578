"""A cache of parsed models, so that a repeated ``marp`` run on the same files never
imports onnx (about 1 s of a cold start).

A model file's :class:`~marp.workload.layers.Workload` is kept as JSON under a key made
of the file's SHA-256, the loader's settings (``batch``, ``input_shapes``) and marp's
version with :data:`LOADER_SCHEMA` (bumped whenever the loader's output changes), in the
user's cache folder (``platformdirs.user_cache_dir("marp")``, or ``$MARP_CACHE_DIR``).
Entries are written atomically (a temporary file renamed), so concurrent runs may share
the folder: a reader sees a whole entry or none. An entry that cannot be read is ignored
and rewritten. The CLI uses it unless ``--no-cache``; library calls opt in with
``cache=True``. Only models given as paths are cached.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import os

from marp._version import __version__
from marp.io.files import write_atomic
from marp.workload.layers import Workload

LOADER_SCHEMA = 2       # the loader's output format: bump when a Workload would differ


def folder() -> str:
    """Where entries live: ``$MARP_CACHE_DIR``, else the user's cache folder for marp."""
    given = os.environ.get("MARP_CACHE_DIR")
    if given:
        return given
    import platformdirs          # imported on use: only the cache needs it
    return os.path.join(platformdirs.user_cache_dir("marp"), "workloads")


def key(path, batch: int, input_shapes) -> str:
    """The entry name of a model file loaded with these settings."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    settings = json.dumps({"batch": batch, "shapes": {k: list(v) for k, v in
                                                      sorted((input_shapes or {}).items())},
                           "marp": __version__, "schema": LOADER_SCHEMA}, sort_keys=True)
    digest.update(settings.encode())
    return digest.hexdigest()


def load(path, batch: int, input_shapes, read) -> Workload:
    """The cached workload of ``path``, or ``read(path)`` (then cached). The workload's
    ``source`` is the path given this time."""
    try:
        name = key(path, batch, input_shapes)
    except OSError:
        return read(path)                   # the loader says what is wrong with the file
    entry = os.path.join(folder(), name + ".json")
    try:
        with open(entry, encoding="utf-8") as f:
            w = Workload.from_dict(json.load(f))
        return _with_source(w, path)
    except (OSError, ValueError, KeyError, TypeError):
        pass                                 # missing or unreadable: load and rewrite
    w = read(path)
    try:
        os.makedirs(folder(), exist_ok=True)
        write_atomic(entry, json.dumps(w.to_dict()))
    except OSError:
        pass                                 # a read-only cache only costs speed
    return w


def _with_source(w: Workload, path) -> Workload:
    source = os.fspath(path)
    name = os.path.splitext(os.path.basename(source))[0]
    return dataclasses.replace(w, source=source, name=name)
