"""Every way a real file gets written yields the same events: encodings, line ends, delimiters,
quoting and compression, generated from real sample rows (GED 23.1, GDELT 2.0, ACLED's layout)."""

from __future__ import annotations

import codecs
import csv
import gzip
import io
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vigil.events import EventStore, ingest_files
from vigil.events.dialect import encoding_of, is_legacy_file

FIXTURES = Path(__file__).parent.parent / "fixtures" / "events"
GED_SAMPLE = FIXTURES / "ged231-sample-1000.csv.gz"
GDELT = FIXTURES / "20250807220000.export.CSV.gz"
ACLED = FIXTURES / "acled" / "acled-current.csv.gz"
ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "cp1252")
NEWLINES = {"lf": "\n", "crlf": "\r\n", "cr": "\r"}
COMPARED = "* EXCLUDE (file, ingested_at)"


@cache
def sample_rows(name: str) -> tuple[tuple[str, ...], ...]:
    """Real rows (header first, when the format has one) that every tested encoding can write."""
    path, limit = {"ged": (GED_SAMPLE, 80), "acled": (ACLED, 24), "gdelt": (GDELT, 80)}[name]
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        if name == "gdelt":
            rows = [tuple(line.rstrip("\n").split("\t")) for line in handle]
        else:
            rows = [tuple(row) for row in csv.reader(handle)]
    fits = [row for row in rows if _encodable("".join(row))]
    return tuple(fits[: limit + 1])


def _encodable(text: str) -> bool:
    try:
        text.encode("cp1252")
    except UnicodeEncodeError:
        return False
    return True


def write(name: str, path: Path, *, encoding: str, newline: str, delimiter: str,
          quote_all: bool, compress: bool) -> Path:  # fmt: skip
    """The sample ``name`` written in one dialect."""
    rows = sample_rows(name)
    end = NEWLINES[newline]
    if name == "gdelt":  # tab-separated, never quoted, whatever else changes
        text = "".join("\t".join(row) + end for row in rows)
    else:
        # Written with CRLF, so that a field holding a line feed is quoted whatever the line
        # end (Python's writer quotes only the characters of its own terminator); the samples
        # hold no CR, so every CRLF is a record's end.
        buffer = io.StringIO()
        quoting: Any = csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n", quoting=quoting)
        writer.writerows(rows)
        text = buffer.getvalue().replace("\r\n", end)
    data = text.encode(encoding)
    path.write_bytes(gzip.compress(data) if compress else data)
    return path


def events_of(store: EventStore) -> pd.DataFrame:
    """The stored events, in a fixed order, without the columns that name the file."""
    return store.query(f"SELECT {COMPARED} FROM events ORDER BY source, source_id")


@cache
def baseline(name: str, folder: Path) -> pd.DataFrame:
    """The events of the sample written as its provider writes it."""
    path = write(name, folder / f"{name}.csv", encoding="utf-8", newline="lf", delimiter=",",
                 quote_all=False, compress=False)  # fmt: skip
    store = EventStore(folder / f"{name}.duckdb")
    ingest_files(store, [path])
    return events_of(store)


DIALECT = st.fixed_dictionaries(
    {
        "encoding": st.sampled_from(ENCODINGS),
        "newline": st.sampled_from(tuple(NEWLINES)),
        "delimiter": st.sampled_from((",", ";", "\t")),
        "quote_all": st.booleans(),
        "compress": st.booleans(),
    }
)


@settings(max_examples=48, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(("ged", "acled", "gdelt")), dialect=DIALECT)
def test_every_dialect_of_a_real_sample_yields_the_same_events(
    tmp_path_factory: pytest.TempPathFactory, name: str, dialect: dict[str, object]
) -> None:
    folder = tmp_path_factory.mktemp("dialect")
    path = write(name, folder / "sample.csv", **dialect)  # type: ignore[arg-type]
    store = EventStore(folder / "events.duckdb")
    (summary,) = ingest_files(store, [path])
    expected = baseline(name, tmp_path_factory.getbasetemp())
    rows = len(sample_rows(name)) - (0 if name == "gdelt" else 1)
    assert summary.read == rows == summary.accounted
    assert summary.dialect["newline"] == dialect["newline"]
    assert summary.dialect["compression"] == ("gzip" if dialect["compress"] else "none")
    if name != "gdelt":
        named = {",": "comma", ";": "semicolon", "\t": "tab"}[str(dialect["delimiter"])]
        assert summary.dialect["delimiter"] == named
    pd.testing.assert_frame_equal(events_of(store), expected)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"id,name\n1,Caf\xc3\xa9\n", "utf-8"),
        (codecs.BOM_UTF8 + b"id\n1\n", "utf-8-sig"),
        ("id\n1\n".encode("utf-16"), "utf-16"),
        ("id\n1\n".encode("utf-16-le"), "utf-16-le"),
        (b"id,name\n1,C\xf4te d'Ivoire\n2,S\xe9gou\n", "cp1252"),
        # a UTF-8 file with one undecodable row stays UTF-8 (the row is quarantined)
        (b"id,name\n1,Caf\xc3\xa9\n2,G\xff\xfe\n", "utf-8"),
        (b"id,name\n1,G\xff\xfeov\n", "utf-8"),
    ],
)
def test_the_encoding_is_judged_from_the_bytes(data: bytes, expected: str) -> None:
    assert encoding_of(data) == expected


def test_a_latin1_file_whose_first_mib_is_ascii_is_read_as_latin1_throughout(
    store: EventStore, tmp_path: Path
) -> None:
    rows = list(sample_rows("acled"))
    header, body = rows[0], [row for row in rows[1:] if "Côte" not in "".join(row)]
    filler = [body[i % len(body)] for i in range(20_000)]  # well past the sniffed first MiB
    lines = [header] + [(f"PAD{i}", *row[1:]) for i, row in enumerate(filler)]
    lines += [row for row in rows[1:] if "Côte" in "".join(row)]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(lines)
    path = tmp_path / "late-latin1.csv"
    path.write_bytes(buffer.getvalue().encode("latin-1"))
    assert is_legacy_file(path)
    (summary,) = ingest_files(store, [path])
    assert (summary.read, summary.quarantined) == (len(lines) - 1, 0)
    assert summary.dialect["encoding"] == "cp1252"
    names = store.query("SELECT DISTINCT country FROM events WHERE iso3 = 'CIV'")["country"]
    assert names.tolist() == ["Côte d'Ivoire"]
