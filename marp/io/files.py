"""Writing result files: whole or not at all."""
from __future__ import annotations

import os
import shutil
import tempfile


def _open_for(fd_or_path, data):
    """A file object for writing ``data`` (bytes: binary; text: UTF-8, no newline mapping)."""
    if isinstance(data, (bytes, bytearray)):
        return open(fd_or_path, "wb")
    return open(fd_or_path, "w", encoding="utf-8", newline="")


def write_atomic(path: str, text) -> None:
    """Write text (or bytes) to path through a temporary file in the same folder, then
    rename."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".marp-", dir=folder)
    try:
        with _open_for(fd, text) as f:
            f.write(text)
        os.chmod(tmp, 0o644)        # mkstemp makes 0600; results are ordinary files
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_set(folder: str, texts: dict, owned: tuple) -> None:
    """Write the files ``texts`` ({name: text}) into ``folder`` as one set: a reader sees
    the old set, the new set or (for an instant) no folder, never a mix. The set is
    written into a temporary folder beside ``folder`` and swapped in by renames. When
    ``folder`` holds files other than ``owned`` names (a user's), they are kept: each file
    is then replaced atomically on its own instead."""
    folder = os.path.abspath(folder)
    if os.path.isdir(folder) and set(os.listdir(folder)) - set(owned):
        for name, text in texts.items():
            write_atomic(os.path.join(folder, name), text)
        return
    parent = os.path.dirname(folder)
    os.makedirs(parent, exist_ok=True)
    _remove_stale(parent, os.path.basename(folder))
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(folder)}.marp-{os.getpid()}-",
                           dir=parent)
    old = None
    try:
        for name, text in texts.items():           # text or bytes
            with _open_for(os.path.join(tmp, name), text) as f:
                f.write(text)
            os.chmod(os.path.join(tmp, name), 0o644)
        os.chmod(tmp, 0o755)
        if os.path.isdir(folder):
            old = tempfile.mkdtemp(prefix=f".{os.path.basename(folder)}.marp-{os.getpid()}-",
                                   dir=parent)
            os.rmdir(old)
            os.replace(folder, old)
        os.replace(tmp, folder)
    except BaseException:
        if old is not None and not os.path.exists(folder):
            os.replace(old, folder)          # put the old set back
            old = None
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _remove_stale(parent: str, name: str) -> None:
    """Remove temporary folders of earlier runs that were killed (SIGKILL leaves no chance
    to clean up): ``.NAME.marp-PID-*`` whose process is gone."""
    prefix = f".{name}.marp-"
    for entry in os.listdir(parent):
        if not entry.startswith(prefix):
            continue
        pid = entry[len(prefix):].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(os.path.join(parent, entry), ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
