"""Private files: the data directory is 700 and every file Vigil writes into it is 600.

The workspace database, the event store and backups hold confidential reports and password
hashes, so nobody but the owner may read them — whatever the process umask. Each write path
calls one of these helpers when it creates a file, and :func:`tighten` repairs a data
directory made with looser modes (by an older version, or by a tool run with umask 022).
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` if needed and make it owner-only (700); missing parents are created
    700 too, existing ones are left as they are."""
    _make_dirs(path.parent)
    path.mkdir(exist_ok=True, mode=DIR_MODE)
    _chmod(path, DIR_MODE)
    return path


def _make_dirs(path: Path) -> None:
    """Create ``path`` and its missing parents, each owner-only (``mkdir(parents=True)``
    would give the parents the umask's mode)."""
    missing = []
    while not path.exists() and path != path.parent:
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(exist_ok=True, mode=DIR_MODE)
        _chmod(folder, DIR_MODE)


def private_file(path: Path) -> Path:
    """Create ``path`` empty if it does not exist, and make it owner-only (600).

    A missing parent is created 700; an existing one is left as it is (it may be a folder
    the user chose, such as the destination of a backup).
    """
    _make_dirs(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(fd)
    _chmod(path, FILE_MODE)
    return path


def make_dirs(path: Path) -> Path:
    """Create ``path`` and its missing parents owner-only; an existing one is left alone."""
    _make_dirs(path)
    return path


def make_private(*paths: Path) -> None:
    """Make each of ``paths`` that exists owner-only (600); missing ones are skipped."""
    for path in paths:
        _chmod(path, FILE_MODE)


def write_private(path: Path, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` atomically (a 600 temporary file renamed into place)."""
    _make_dirs(path.parent)
    raw = data.encode() if isinstance(data, str) else data
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(raw)
        _chmod(temporary, FILE_MODE)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return path


def tighten(root: Path) -> None:
    """Make ``root`` and every directory below it 700 and every regular file 600."""
    if not root.is_dir():
        return
    _chmod(root, DIR_MODE)
    for folder, dirs, files in os.walk(root):
        for name in dirs:
            _chmod(Path(folder, name), DIR_MODE)
        for name in files:
            _chmod(Path(folder, name), FILE_MODE)


def _chmod(path: Path, mode: int) -> None:
    """Set ``mode`` unless it is already set (symbolic links are left alone)."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode) or stat.S_IMODE(info.st_mode) == mode:
        return
    with contextlib.suppress(PermissionError):  # owned by someone else: not ours to change
        path.chmod(mode)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (owner-only; see :func:`write_private`):
    a reader sees the old file or the new one, and a failed write leaves no temporary file."""
    write_private(path, bytes(data))


def atomic_write_text(path: Path, text: str) -> None:
    """:func:`atomic_write` of ``text`` encoded as UTF-8."""
    write_private(path, text.encode("utf-8"))
