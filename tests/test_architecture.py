"""The layout of the package (docs/architecture.md): every module imports, imports point
down the layers only, imports sit at the top of modules, functions stay short."""
import ast
import importlib
from pathlib import Path

import pytest

import marp

ROOT = Path(marp.__file__).resolve().parent
# bottom up; a module may import its own layer and the layers before it
LAYERS = ["base", "packing", "workload", "hardware", "costmodel", "io", "compiler", "cli",
          "top"]
BASE = {"marp._validate", "marp._compare", "marp._version", "marp._registry", "marp._kernels", "marp.data"}
# imported inside functions on purpose: optional extras, or slow to import (onnx ~1 s;
# PyYAML and multiprocessing ~20 ms each, kept out of "import marp")
LAZY_OK = {"onnx", "google.protobuf.message", "distributed", "matplotlib",
           "matplotlib.pyplot", "yaml", "concurrent.futures", "onnxruntime", "tqdm", "platformdirs", "numba",
           "ortools.sat.python"}
MAX_LINES = 60           # code lines of a function, its docstring not counted
MAX_PARAMS = 8
# keyword forms that build their options objects, or take one keyword per named policy
WIDE_OK = {"compile", "pack", "lower"}


def modules():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT.parent).with_suffix("")
        name = ".".join(rel.parts).removesuffix(".__init__")
        yield name, path


def layer(name: str) -> int:
    if name in ("marp", "marp.__main__"):
        return LAYERS.index("top")
    if any(name == b or name.startswith(b + ".") for b in BASE):
        return LAYERS.index("base")
    part = name.split(".")[1]
    return LAYERS.index(part)


def marp_imports(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "marp":          # "from marp import x": x is a module or name
                for alias in node.names:
                    yield node, f"marp.{alias.name}" if alias.name.startswith("_") else "marp"
            elif node.module.startswith("marp."):
                yield node, node.module
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("marp"):
                    yield node, alias.name


@pytest.mark.parametrize("name,path", list(modules()), ids=lambda v: str(v))
def test_module_imports_and_points_down(name, path):
    if not name.endswith("__main__"):          # running it is the CLI's test
        importlib.import_module(name)
    tree = ast.parse(path.read_text())
    mine = layer(name)
    for node, target in marp_imports(tree):
        if target == "marp" and mine < LAYERS.index("top"):
            assert name.startswith("marp.cli"), f"{name}:{node.lineno} imports the marp package"
            continue
        assert layer(target) <= mine, (
            f"{name}:{node.lineno} imports {target}, a layer above "
            f"({LAYERS[layer(target)]} > {LAYERS[mine]})")


@pytest.mark.parametrize("name,path", list(modules()), ids=lambda v: str(v))
def test_imports_at_module_top_except_lazy_extras(name, path):
    tree = ast.parse(path.read_text())
    for fn in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef,
                                                            ast.AsyncFunctionDef))]:
        for node in ast.walk(fn):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module]
            else:
                continue
            assert set(names) <= LAZY_OK, f"{name}:{node.lineno} imports {names} in {fn.name}"


def _code_lines(fn) -> int:
    body = fn.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None),
                                                              ast.Constant):
        doc = body[0].end_lineno - body[0].lineno + 1
    else:
        doc = 0
    return fn.end_lineno - fn.lineno + 1 - doc


@pytest.mark.parametrize("name,path", list(modules()), ids=lambda v: str(v))
def test_functions_short_and_narrow(name, path):
    tree = ast.parse(path.read_text())
    for fn in [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef,
                                                            ast.AsyncFunctionDef))]:
        assert _code_lines(fn) <= MAX_LINES, f"{name}.{fn.name}: {_code_lines(fn)} lines"
        a = fn.args
        params = [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs
                  if p.arg not in ("self", "cls")]
        if not fn.name.startswith("_") and fn.name not in WIDE_OK:
            assert len(params) <= MAX_PARAMS, f"{name}.{fn.name}: {len(params)} parameters"


def test_modules_stay_under_600_lines():
    long = {n: len(p.read_text().splitlines()) for n, p in modules()}
    assert max(long.values()) <= 600, {n: v for n, v in long.items() if v > 600}


def test_public_names_stay_importable_from_marp():
    for name in marp.__all__:
        assert getattr(marp, name) is not None, name
    assert callable(marp.compile) and callable(marp.pack) and callable(marp.cost)


def test_every_public_name_has_a_docstring():
    import marp
    missing = [n for n in marp.__all__ if n != "__version__" and not
               (getattr(getattr(marp, n), "__doc__", None) or "").strip()]
    assert not missing, missing


def test_the_api_reference_lists_every_public_name():
    from pathlib import Path
    import marp
    api = (Path(__file__).resolve().parents[1] / "docs" / "api.rst")
    if not api.exists():
        pytest.skip("not a source checkout")
    text = api.read_text()
    registries = {"ALGORITHMS", "BIN_SELECTIONS", "ORDERS", "__version__"}
    missing = [n for n in marp.__all__ if n not in registries and f"marp.{n}\n" not in text]
    assert not missing, missing
