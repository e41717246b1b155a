"""Atomic file writes: write to a temporary sibling, then rename over the target.

Temporaries are named ``.<name>.<pid>.<random>.tmp`` after the process that writes them,
so a clean-up removes only those whose writer is gone (never the build of a save running
in another process). Directory stores (zarr) are swapped in under an exclusive lock on
their parent folder, and read under a shared one (`reading_dir`), so no reader sees a
store half-swapped.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = ["atomic_write", "atomic_write_dir", "atomic_write_text", "clean_stale",
           "owner_alive", "reading_dir", "recover_dir", "temporary"]


def temporary(path: Path, directory: bool = False) -> Path:
    """A new temporary beside `path`, named after this process."""
    prefix = f".{path.name}.{os.getpid()}."
    if directory:
        tmp = Path(tempfile.mkdtemp(prefix=prefix, suffix=".tmp", dir=path.parent))
        shutil.rmtree(tmp)
        return tmp
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    os.close(fd)
    return Path(name)


def owner_alive(tmp: Path) -> bool:
    """Whether the process that named `tmp` (``.<name>.<pid>.<random>.tmp``) still runs.

    A temporary without a pid in its name (an older form) has no owner on record and
    counts as stale.
    """
    parts = Path(tmp).name[1:-len(".tmp")].split(".")
    if len(parts) < 3 or not parts[-2].isdigit():
        return False
    pid = int(parts[-2])
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def clean_stale(path: Path) -> list[Path]:
    """Remove the temporaries of killed writes of `path` (their writer is gone)."""
    path = Path(path)
    removed = []
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        if owner_alive(stale):
            continue
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
        else:
            stale.unlink(missing_ok=True)
        removed.append(stale)
    return removed


@contextlib.contextmanager
def _folder_lock(folder: Path, exclusive: bool) -> Iterator[None]:
    """An advisory lock on `folder` (flock on its descriptor; none where unsupported)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no locking
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it to ``path``.

    If ``write`` fails, ``path`` keeps its old content and the temporary file is removed;
    temporaries left by killed writes of ``path`` are removed first.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    clean_stale(path)
    tmp = temporary(path)
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


def _recover_dir_locked(path: Path) -> None:
    old = path.with_name(f".{path.name}.old")
    if old.exists() and not path.exists():
        os.replace(old, path)
    elif old.exists():
        shutil.rmtree(old, ignore_errors=True)
    clean_stale(path)


def recover_dir(path: Path) -> None:
    """Undo a directory swap that was killed half-way, and clean stale temporaries.

    `atomic_write_dir` moves the old store to ``.<name>.old`` before moving the new one in;
    killed between the two, only the old copy remains: it is moved back. Builds of
    killed saves are removed; those of saves still running are left alone.
    """
    path = Path(path)
    if not path.parent.is_dir():
        return
    with _folder_lock(path.parent, exclusive=True):
        _recover_dir_locked(path)


@contextlib.contextmanager
def reading_dir(path: Path) -> Iterator[None]:
    """Hold off directory swaps of `path` while it is read (and recover a killed one)."""
    path = Path(path)
    if not path.parent.is_dir():
        yield
        return
    recover_dir(path)
    with _folder_lock(path.parent, exclusive=False):
        yield


def atomic_write_dir(path: Path, write: Callable[[Path], None]) -> None:
    """Like `atomic_write` for a directory store (zarr): build beside, then swap in.

    The build runs unlocked; only the swap holds the parent folder's exclusive lock. A
    save killed at any point leaves the previous store readable under its name (after
    `recover_dir`, which every save and load calls first) or the new one complete.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    recover_dir(path)
    tmp = temporary(path, directory=True)
    old = path.with_name(f".{path.name}.old")
    try:
        write(tmp)
        with _folder_lock(path.parent, exclusive=True):
            if path.exists():
                os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    atomic_write(Path(path), lambda tmp: tmp.write_text(text))


def check_file_destination(path: Path, overwrite: bool, writer: str) -> None:
    """A file may replace an existing one only when asked, never a folder."""
    from navdecode._validation import check_bool

    check_bool(overwrite, "overwrite")
    if path.is_dir():
        msg = f"path {str(path)!r} is a folder; {writer} writes a file"
        raise ValueError(msg)
    if path.exists() and not overwrite:
        msg = f"{str(path)!r} exists; pass overwrite=True to replace it"
        raise ValueError(msg)
