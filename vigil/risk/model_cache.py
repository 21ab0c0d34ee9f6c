"""A cache of fitted forecasts and explanations under the data directory.

Fitting every model on every call costs seconds; a result depends only on the table's content,
the model, the horizon, the base year, the seed, the country (for explanations) and the code
that computed it. The key hashes all of these — the code as the source of :mod:`vigil.risk` —
so a change of any of them misses the cache and refits. The table's hash is computed from the
file's bytes without parsing it, so a cache hit needs no table load and no fit.

Entries are pickles written by Vigil itself into the user's own data directory (never from a
download); a damaged entry is deleted and recomputed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from vigil import __version__
from vigil.data import EWP_TABLE, bundled
from vigil.errors import DataError

T = TypeVar("T")
#: Folder of the cache, under the data directory.
FOLDER = Path("cache") / "models"


@cache
def code_version() -> str:
    """Hash of the risk engine's source and data files, plus Vigil's version."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).parent
    for path in sorted([*package.rglob("*.py"), *bundled("backtest").glob("*.json")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def table_sha256(path: str | Path | None) -> str:
    """The sha256 :func:`vigil.risk.table.load_table` records, from the bytes alone."""
    source = Path(path) if path is not None else bundled(EWP_TABLE)
    try:
        data = source.read_bytes()
        raw = gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise DataError(f"cannot read the table: {err}", path=str(source)) from err
    return hashlib.sha256(raw).hexdigest()


def cache_key(**parts: Any) -> str:
    """A file-safe key of the named parts and the code version."""
    text = json.dumps({**parts, "code": code_version()}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def cached(home: Path, key: str, compute: Callable[[], T]) -> T:
    """The stored result for ``key``, or ``compute()``'s, stored for next time."""
    path = home / FOLDER / f"{key}.pickle"
    if path.exists():
        try:
            with path.open("rb") as handle:
                result: T = pickle.load(handle)
                return result
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError):
            path.unlink(missing_ok=True)
    result = compute()
    _store(path, result)
    return result


def _store(path: Path, result: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            pickle.dump(result, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def clear(home: Path) -> int:
    """Delete every cached entry; return how many there were."""
    entries = list((home / FOLDER).glob("*.pickle"))
    for entry in entries:
        entry.unlink(missing_ok=True)
    return len(entries)
