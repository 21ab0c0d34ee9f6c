"""GDELT 2.0 event feed: the 15-minute export files, checked by size and MD5, as GDELT batches.

``{root}/lastupdate.txt`` lists three lines ``SIZE MD5 URL`` (export, mentions and GKG zips) and
changes every 15 minutes; ``{root}/masterfilelist.txt`` lists every file ever published, oldest
first. A sync reads ``lastupdate.txt``; when files were missed since the watermark (or a first sync
starts at ``--since``), the master list is streamed line by line and only the export files in the
gap are kept, so a month's backfill (about 3,000 files) holds a few thousand short tuples, never the
list itself. Each zip is streamed to disk, its size and MD5 compared with the listing (a mismatch is
refused and nothing of its batch is ingested), and its one CSV extracted with a size cap.

Files are fetched as ``{root}/<file name>`` whatever host the listing names, so Vigil only talks to
the root the user configured. The watermark is the time stamp of the last file committed.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from vigil.errors import SourceError
from vigil.sources.batch import Batch
from vigil.sources.context import SyncContext
from vigil.sources.registry import SourceSpec, SourceState

EXPORT_SUFFIX = ".export.CSV.zip"
STEP = timedelta(minutes=15)
MAX_RATIO = 40
STAMP = "%Y%m%d%H%M%S"


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a GDELT listing: size in bytes, MD5, file name and its time stamp."""

    size: int
    md5: str
    name: str

    @property
    def stamp(self) -> str:
        """The 14-digit time stamp that starts the file name."""
        return self.name[:14]


def parse_line(line: str) -> Entry | None:
    """An export-file entry of a listing line, or None for other files and blank lines."""
    parts = line.split()
    if len(parts) != 3 or not parts[2].endswith(EXPORT_SUFFIX):
        return None
    name = parts[2].rsplit("/", 1)[-1]
    if not (parts[0].isdigit() and len(parts[1]) == 32 and name[:14].isdigit()):
        return None
    return Entry(int(parts[0]), parts[1].lower(), name)


def batches(spec: SourceSpec, state: SourceState, ctx: SyncContext) -> Iterator[Batch]:
    """Batches of export files newer than the watermark, oldest first."""
    latest = _latest(spec, ctx)
    after = state.watermark.get("last") or _before(spec.since)
    if after is None:
        entries = [latest]
    elif latest.stamp <= after:
        return
    else:
        step = (datetime.strptime(after, STAMP) + STEP).strftime(STAMP)
        entries = [latest] if latest.stamp == step else _listed(spec, ctx, after, latest.stamp)
    files: list[Path] = []
    lines = 0
    for done, entry in enumerate(entries, start=1):
        path, count = _fetch(spec, ctx, entry)
        files.append(path)
        lines += count
        ctx.tick(f"{spec.name} files", done, len(entries))
        if lines >= ctx.batch_rows or done == len(entries):
            yield Batch(
                tuple(files), "gdelt2", lines, {"last": entry.stamp}, through_of(entry.stamp)
            )
            files, lines = [], 0


def _before(since: date | None) -> str | None:
    """The stamp one step before ``since`` begins (files after it are wanted), or None."""
    if since is None:
        return None
    return (datetime.combine(since, datetime.min.time()) - STEP).strftime(STAMP)


def _latest(spec: SourceSpec, ctx: SyncContext) -> Entry:
    url = f"{spec.url}/lastupdate.txt"
    response = ctx.http.request("GET", url)
    if not response.is_success:
        raise SourceError(f"GET {url}: HTTP {response.status_code}")
    found = [e for e in map(parse_line, response.text.splitlines()) if e is not None]
    if not found:
        raise SourceError(f"GET {url}: no '{EXPORT_SUFFIX}' line (expected 'SIZE MD5 URL')")
    return found[0]


def _listed(spec: SourceSpec, ctx: SyncContext, after: str, until: str) -> list[Entry]:
    """Export files with ``after < stamp <= until`` from the streamed master file list."""
    url = f"{spec.url}/masterfilelist.txt"
    entries: list[Entry] = []
    with ctx.http.stream(url) as response:
        for line in response.iter_lines():
            entry = parse_line(line)
            if entry is not None and after < entry.stamp <= until:
                entries.append(entry)
            elif entry is not None and entry.stamp > until:
                break
    return entries


def _fetch(spec: SourceSpec, ctx: SyncContext, entry: Entry) -> tuple[Path, int]:
    """Download, check and unpack one export zip; return the CSV and its line count."""
    ctx.work.mkdir(parents=True, exist_ok=True)
    archive = ctx.work / entry.name
    url = f"{spec.url}/{entry.name}"
    try:
        md5 = ctx.http.download(url, archive, entry.size)
        if md5 != entry.md5:
            raise SourceError(f"GET {url}: MD5 {md5} differs from the listed {entry.md5}; refused")
        return _unpack(archive, entry)
    finally:
        archive.unlink(missing_ok=True)


def _unpack(archive: Path, entry: Entry) -> tuple[Path, int]:
    target = archive.with_suffix("")  # <stamp>.export.CSV
    limit = max(entry.size * MAX_RATIO, 1 << 20)
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = [m for m in bundle.infolist() if not m.is_dir()]
            if len(members) != 1:
                raise SourceError(f"{entry.name}: expected one CSV inside, found {len(members)}")
            lines = _copy(bundle, members[0], target, limit)
    except zipfile.BadZipFile as err:
        raise SourceError(f"{entry.name}: not a zip archive ({err})") from err
    return target, lines


def _copy(bundle: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, limit: int) -> int:
    written = lines = 0
    with bundle.open(member) as source, target.open("wb") as sink:
        while block := source.read(1 << 20):
            written += len(block)
            if written > limit:
                raise SourceError(f"{member.filename}: unpacks to more than {limit} bytes")
            lines += block.count(b"\n")
            sink.write(block)
    return lines


def through_of(stamp: str) -> date:
    """The day of a file's time stamp."""
    return datetime.strptime(stamp, STAMP).date()
