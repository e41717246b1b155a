"""Atomic file writes: write to a temporary sibling, then rename over the target."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

__all__: list[str] = []


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it to ``path``.

    If ``write`` fails, ``path`` keeps its old content and the temporary file is removed.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600 files; use the usual mode
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def recover_dir(path: Path) -> None:
    """Undo a directory swap that was killed half-way, and clean stale temporaries.

    `atomic_write_dir` moves the old store to ``.<name>.old`` before moving the new one in;
    killed between the two, only the old copy remains: it is moved back. Leftover
    ``.<name>.*.tmp`` builds of killed saves are removed.
    """
    path = Path(path)
    old = path.with_name(f".{path.name}.old")
    if old.exists() and not path.exists():
        os.replace(old, path)
    elif old.exists():
        shutil.rmtree(old, ignore_errors=True)
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        shutil.rmtree(stale, ignore_errors=True)


def atomic_write_dir(path: Path, write: Callable[[Path], None]) -> None:
    """Like `atomic_write` for a directory store (zarr): build beside, then swap in.

    A save killed at any point leaves the previous store readable under its name (after
    `recover_dir`, which every save and load calls first) or the new one complete.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    recover_dir(path)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    shutil.rmtree(tmp)
    old = path.with_name(f".{path.name}.old")
    try:
        write(tmp)
        if path.exists():
            os.replace(path, old)
        os.replace(tmp, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    atomic_write(Path(path), lambda tmp: tmp.write_text(text))
