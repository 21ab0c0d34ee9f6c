"""The plan for ingesting one file, made before any transaction opens.

Planning a file judges its dialect, recognises its format and layout (checking it against
``--format`` when one was given), works out its release, and — when DuckDB cannot read the bytes
as they are — transcodes it to a temporary UTF-8 copy. A file that cannot be read, or is not
event rows of a format Vigil reads, is refused here with one line saying what it looks like.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from vigil.errors import DataError, UsageError
from vigil.events.detect import FORMATS, KNOWN, Detected, NotEventFile, detect
from vigil.events.dialect import Dialect, sniff, transcode
from vigil.events.reader import Scan
from vigil.events.release import Release, release_from_name
from vigil.events.staging import Stage


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, read in 4 MiB blocks (runs beside DuckDB in a thread)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True, slots=True)
class FilePlan:
    """One file to ingest: where it is, how it is written, what it is, and how to stage it."""

    path: Path
    dialect: Dialect
    detected: Detected
    release: Release | None
    stage: Stage
    sha256: Future[str]

    def with_encoding(self, encoding: str, workdir: Path) -> FilePlan:
        """The same plan for the file read in another encoding (transcoded into ``workdir``)."""
        dialect = replace(self.dialect, encoding=encoding)
        scan = _scan(self.path, dialect, self.detected, workdir)
        return replace(self, dialect=dialect, stage=replace(self.stage, scan=scan))


def check_format(fmt: str | None) -> None:
    """Raise UsageError unless ``fmt`` is None or a format Vigil reads."""
    if fmt is not None and fmt not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise UsageError(f"unknown event format {fmt!r}: expected one of {known}")


def plan_file(
    path: Path,
    fmt: str | None,
    release: Release | None,
    *,
    workdir: Path,
    pool: ThreadPoolExecutor,
    today: date,
) -> FilePlan:
    """Plan the ingest of ``path`` (DataError when it cannot be read or is not event rows)."""
    if not path.is_file():
        raise DataError("no such file: expected a readable event file", path=str(path))
    dialect = sniff(path)
    detected = _recognise(path, dialect, fmt)
    if release is None and detected.format == "ucdp-ged":
        release = release_from_name(path.name)
    stage = Stage(
        source=detected.format,
        scan=_scan(path, dialect, detected, workdir),
        layout=detected.layout,
        release=release.label if release else None,
        version=(release.stamp if release else 0) if detected.format == "ucdp-ged" else None,
        today=today,
    )
    return FilePlan(
        path=path.resolve(),
        dialect=dialect,
        detected=detected,
        release=release,
        stage=stage,
        sha256=pool.submit(sha256_of, path),
    )


def _recognise(path: Path, dialect: Dialect, fmt: str | None) -> Detected:
    try:
        detected = detect(path, dialect)
    except NotEventFile as err:
        what = f"not a {fmt} file" if fmt else "not an event file Vigil reads"
        raise DataError(
            f"{what}: it looks like {err}; Vigil reads {KNOWN}", path=str(path)
        ) from None
    if fmt is not None and detected.format != fmt:
        raise DataError(
            f"not a {fmt} file: it looks like {FORMATS[detected.format]} "
            f"({detected.layout}); give --format {detected.format}, or no --format",
            path=str(path),
        )
    return detected


def _scan(path: Path, dialect: Dialect, detected: Detected, workdir: Path) -> Scan:
    source, compressed, newline = path, dialect.gzip, dialect.newline
    if dialect.needs_transcoding:
        source = transcode(path, dialect, workdir / f"{len(list(workdir.iterdir()))}.utf8.csv")
        compressed, newline = False, "lf" if newline == "cr" else newline
    return Scan(
        path=str(source.resolve()),
        columns=detected.columns,
        header=detected.header,
        delimiter=dialect.delimiter,
        newline=newline,
        gzip=compressed,
        quote="" if detected.format.startswith("gdelt") else '"',
    )
