"""How an event file is written: compression, text encoding, line ends and field delimiter.

Real files arrive as their provider wrote them or as a spreadsheet re-saved them: LF, CRLF or
CR line ends, UTF-8 with or without a byte-order mark, UTF-16, Latin-1 / Windows-1252, comma,
semicolon or tab delimiters, quoted or not. :func:`sniff` judges all of that from the first MiB;
DuckDB reads UTF-8 files with LF or CRLF line ends directly; :func:`transcode` streams the rest
(other encodings, CR line ends) into a temporary UTF-8 copy first, one block at a time.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from vigil.errors import DataError

GZIP_MAGIC = b"\x1f\x8b"
SAMPLE_BYTES = 1 << 20
BLOCK = 1 << 20
DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}
UTF8 = ("utf-8", "utf-8-sig")
_HIGH = re.compile(rb"[\x80-\xff]+")


def _latin1_fallback(err: UnicodeError) -> tuple[str, int]:
    """Decode the five bytes Windows-1252 leaves undefined as their Latin-1 characters."""
    assert isinstance(err, UnicodeDecodeError)
    return err.object[err.start : err.end].decode("latin-1"), err.end


codecs.register_error("vigil-latin1", _latin1_fallback)


def is_gzip(path: Path) -> bool:
    """True when the file starts with the gzip magic number, whatever its name."""
    with path.open("rb") as handle:
        return handle.read(2) == GZIP_MAGIC


def open_bytes(path: Path) -> IO[bytes]:
    """The file's bytes, decompressed when it is gzip."""
    if is_gzip(path):
        return gzip.GzipFile(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


@dataclass(frozen=True, slots=True)
class Dialect:
    """How a file is written; ``ascii_sample`` says the sniffed start held no byte above 127."""

    encoding: str
    newline: str
    delimiter: str
    gzip: bool
    ascii_sample: bool = False

    @property
    def needs_transcoding(self) -> bool:
        """True when DuckDB cannot read the bytes as they are: any encoding but UTF-8, and CR
        line ends (DuckDB's parser fails on a CR file whose quoted fields hold line feeds)."""
        return self.encoding not in UTF8 or self.newline == "cr"

    def describe(self) -> dict[str, str]:
        """The dialect as the ingest summary reports it."""
        return {
            "encoding": self.encoding,
            "newline": self.newline,
            "delimiter": DELIMITER_NAMES.get(self.delimiter, self.delimiter),
            "compression": "gzip" if self.gzip else "none",
        }


def _sample(path: Path) -> bytes:
    try:
        with open_bytes(path) as handle:
            return handle.read(SAMPLE_BYTES)
    except (OSError, EOFError) as err:
        raise DataError(f"cannot read the file: {err}", path=str(path)) from err


def encoding_of(sample: bytes) -> str:
    """The encoding of a file judged from its first bytes (see the module docstring)."""
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    head = sample[:4096]
    if len(head) >= 4 and head.count(b"\x00") * 3 >= len(head):
        return "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
    return "cp1252" if _HighRuns().add(sample).legacy else "utf-8"


class _HighRuns:
    """Tally of the runs of bytes above 127, to tell a single-byte legacy file from UTF-8.

    UTF-8 text writes every non-ASCII character as a run of 2–4 such bytes that decodes; Latin-1
    and Windows-1252 text writes one byte per accented letter, mostly between ASCII letters
    ("C\xf4te d'Ivoire"). A file none of whose runs decode, and whose runs are nearly all single
    bytes, is legacy; anything else is UTF-8 whose undecodable rows are quarantined.
    """

    def __init__(self) -> None:
        self.runs = self.valid = self.single = 0

    def add(self, data: bytes) -> _HighRuns:
        for run in _HIGH.findall(data):
            self.runs += 1
            self.single += len(run) == 1
            try:
                run.decode("utf-8")
                self.valid += 1
            except UnicodeDecodeError:
                pass
        return self

    @property
    def legacy(self) -> bool:
        return bool(self.runs) and not self.valid and self.single * 10 >= self.runs * 9


def is_legacy_file(path: Path) -> bool:
    """True when the whole file reads as Latin-1 / Windows-1252 rather than UTF-8."""
    tally = _HighRuns()
    try:
        with open_bytes(path) as handle:
            while block := handle.read(BLOCK):
                tally.add(block)
    except (OSError, EOFError):
        return False  # unreadable further on: staging reports that, in its own words
    return tally.legacy


def newline_of(text: str) -> str:
    """``lf``, ``crlf`` or ``cr``: the line end most lines of ``text`` use."""
    crlf = text.count("\r\n")
    lone_cr, lone_lf = text.count("\r") - crlf, text.count("\n") - crlf
    ranked = sorted([(crlf, "crlf"), (lone_lf, "lf"), (lone_cr, "cr")], reverse=True)
    return ranked[0][1] if ranked[0][0] else "lf"


def first_lines(text: str, count: int = 2) -> list[str]:
    """The first ``count`` lines of ``text`` (any line end)."""
    return re.split(r"\r\n|\r|\n", text, maxsplit=count)[:count]


def delimiter_of(line: str) -> str:
    """The delimiter that splits ``line`` into the most fields (quotes respected)."""
    counts = {d: len(next(csv.reader([line], delimiter=d), [])) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], -DELIMITERS.index(d)))
    return best if counts[best] > 1 else ","


def decode_sample(sample: bytes, encoding: str) -> str:
    """The sample as text (a character cut at its end is dropped)."""
    return sample.decode(_codec(encoding), errors="ignore" if encoding in UTF8 else "vigil-latin1")


def sniff(path: Path) -> Dialect:
    """The dialect of ``path``, from its first MiB (decompressed)."""
    sample = _sample(path)
    if not sample:
        raise DataError("empty file: expected event rows", path=str(path))
    encoding = encoding_of(sample)
    text = decode_sample(sample, encoding).lstrip("\ufeff")
    return Dialect(
        encoding=encoding,
        newline=newline_of(text),
        delimiter=delimiter_of(first_lines(text, 1)[0]),
        gzip=is_gzip(path),
        ascii_sample=sample.isascii(),
    )


def _codec(encoding: str) -> str:
    return "cp1252" if encoding in ("cp1252", "latin-1") else encoding


def _decoded_blocks(path: Path, encoding: str) -> Iterator[str]:
    decoder = codecs.getincrementaldecoder(_codec(encoding))(errors="vigil-latin1")
    with open_bytes(path) as handle:
        while block := handle.read(BLOCK):
            yield decoder.decode(block)
        yield decoder.decode(b"", final=True)


def _lf_blocks(blocks: Iterator[str]) -> Iterator[str]:
    """The blocks with every CR line end written as LF (a CR ending a block waits for the next
    block, in case a LF follows it)."""
    held = ""
    for block in blocks:
        text = held + block
        held = "\r" if text.endswith("\r") else ""
        yield (text[:-1] if held else text).replace("\r\n", "\n").replace("\r", "\n")
    if held:
        yield "\n"


def transcode(path: Path, dialect: Dialect, target: Path) -> Path:
    """Write ``path`` as UTF-8 (no byte-order mark) to ``target``, one block at a time.

    Delimiters and CRLF or LF line ends are kept (DuckDB reads both); CR line ends become LF.
    """
    first = True
    blocks = _decoded_blocks(path, dialect.encoding)
    try:
        with target.open("w", encoding="utf-8", newline="") as sink:
            for text in _lf_blocks(blocks) if dialect.newline == "cr" else blocks:
                sink.write(text.lstrip("\ufeff") if first else text)
                first = first and not text
    except (OSError, EOFError, UnicodeDecodeError) as err:
        raise DataError(f"cannot decode the file as {dialect.encoding}: {err}",
                        path=str(path)) from err  # fmt: skip
    return target
