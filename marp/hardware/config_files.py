"""Architecture config files: YAML, inheritance with ``base:``, the source of every value.

A config may start from another and change a few keys::

    base: qracc              # a bundled name, or a path relative to this file
    name: qracc-8
    aimc:
      arrays: 8              # the only change

Sections are merged key by key (the child wins); ``name`` and ``description`` are the
child's when it gives them. Bases may chain; a cycle is an error. :func:`read` returns
the merged document and, for every ``section.key``, where its value came from: the file
and the comment on its line (the bundled configs name their sources there), or the
command line for ``--set`` values.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

CONFIG_DIR = Path(__file__).resolve().parents[1] / "configs"
_LINE = re.compile(r"^(?P<indent>\s*)(?P<key>[A-Za-z_][\w]*)\s*:(?P<rest>.*)$")


class ArchError(ValueError):
    """An invalid architecture config; ``problems`` lists each one with its key path."""

    def __init__(self, source: str, problems: list[str]):
        super().__init__(f"{source}: invalid architecture config:\n  " + "\n  ".join(problems))
        self.problems = problems


def _yaml():
    """PyYAML, imported on first use on purpose: it adds ~20 ms to "import marp"."""
    import yaml
    return yaml


def available() -> tuple[str, ...]:
    """Names of the bundled configs."""
    return tuple(sorted(p.stem for p in CONFIG_DIR.glob("*.yaml")))


def locate(path_or_name, relative_to: Path | None = None) -> Path:
    """The file of a bundled name or a path (relative paths from ``relative_to``)."""
    text = os.fspath(path_or_name)
    if not Path(text).suffix and os.sep not in text:
        if text not in available():
            raise ValueError(f"arch={text!r} is not a bundled config; bundled: "
                             f"{', '.join(available())} (or give a .yaml path)")
        return CONFIG_DIR / f"{text}.yaml"
    path = Path(text)
    return path if path.is_absolute() or relative_to is None else relative_to / path


def _comments(raw: str) -> dict:
    """{(section, key): comment} from the lines of a config (two levels deep)."""
    out, section = {}, None
    for line in raw.splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        rest = m.group("rest")
        comment = rest.split(" #", 1)[1].strip() if " #" in rest else ""
        if not m.group("indent"):
            section = m.group("key")
        elif section is not None:
            out[(section, m.group("key"))] = comment
    return out


def _load(path: Path) -> tuple[dict, dict]:
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FileNotFoundError(f"{path}: cannot read the architecture config "
                                f"({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise ArchError(str(path), [f"not UTF-8 text (byte {exc.start}: {exc.reason})"]) \
            from None
    try:
        doc = _yaml().safe_load(raw)
    except _yaml().YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ArchError(str(path), [f"not valid YAML{where}: {what}"]) from None
    return doc, _comments(raw)


def read(path_or_name, _seen=()) -> tuple[dict, dict, str]:
    """(merged document, {"section.key": (file, comment)}, source) of a config."""
    path = locate(path_or_name) if not _seen else Path(path_or_name)
    if path.resolve() in _seen:
        chain = " -> ".join(str(p) for p in (*_seen, path.resolve()))
        raise ArchError(str(path), [f"base: configs inherit in a cycle ({chain})"])
    doc, comments = _load(path)
    if not isinstance(doc, dict) or "base" not in doc:
        origin = {f"{s}.{k}": (str(path), c) for (s, k), c in comments.items()}
        return doc, origin, str(path)
    doc = dict(doc)
    base = doc.pop("base")
    if not isinstance(base, str) or not base:
        raise ArchError(str(path), [f"base: expected a config name or path, got {base!r}"])
    parent_path = locate(base, path.parent)
    parent, origin, _ = read(parent_path, (*_seen, path.resolve()))
    merged = dict(parent) if isinstance(parent, dict) else {}
    for key, value in doc.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    for (s, k), c in comments.items():
        if isinstance(doc.get(s), dict) and k in doc[s]:
            origin[f"{s}.{k}"] = (str(path), c)
    return merged, origin, f"{path} (base {base})"


def parse_sets(items) -> dict:
    """``["aimc.arrays=8", ...]`` (``--set``) -> {"aimc.arrays": 8}: 8 is an int, 0.5 and
    1e2 floats, true a bool, other text a string."""
    out = {}
    for item in items or ():
        path, sep, text = item.partition("=")
        if not sep or "." not in path or not text.strip():
            raise ValueError(f"--set {item!r} is not SECTION.KEY=VALUE (e.g. "
                             f"aimc.arrays=8)")
        out[path.strip()] = _scalar(item, text.strip())
    return out


def _scalar(item: str, text: str):
    """A number when the text is one (YAML 1.1 would read 1e2 as a string), else the YAML
    scalar (true/false, text)."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    try:
        return _yaml().safe_load(text)
    except _yaml().YAMLError:
        raise ValueError(f"--set {item!r}: {text!r} is not a value") from None
