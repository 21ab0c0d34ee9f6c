"""The raw source files of the country-year table: where they are, what release, which hash.

A source directory holds one file per source (plain or gzip-compressed, ``name.csv`` or
``name.csv.gz``). Every file read is hashed (sha256 of the uncompressed bytes, so a compressed
copy hashes like the original) and named with its release: a known hash names the release the
public 2025 edition used; a file of another release records its own label (the UCDP file carries
its version in a column) or ``unlisted release`` beside its hash.
"""

from __future__ import annotations

import gzip
import hashlib
import io
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from vigil.errors import DataError

#: File stem of each source, with what it is and the release the 2025 edition used.
SOURCES: dict[str, tuple[str, str]] = {
    "basedata2025_4august2025": ("EWP country-years and mass-killing coding", "EWP 2025-08-04"),
    "vdem": ("V-Dem regime and civil-liberty measures (formatted)", "V-Dem v15 (vdemdata 2025)"),
    "vdem11": ("V-Dem v11.1 GDP per capita and growth", "V-Dem v11.1"),
    "wdi": ("World Bank WDI (population, GDP growth)", "WDI API pull 2025-08"),
    "maddison": ("Maddison Project GDP per capita and population", "Maddison Project 2023"),
    "un_imr_clean": ("UN WPP infant mortality", "UN WPP 2024"),
    "hief_clean": ("Historical Index of Ethnic Fractionalization (cleaned)", "HIEF 2019"),
    "HIEF_data": ("Historical Index of Ethnic Fractionalization (raw)", "HIEF 2019"),
    "epr-clean": ("Ethnic Power Relations discriminated population (cleaned)", "EPR 2021"),
    "reg-data": ("State Department regions (EWP coding)", "EWP 2023"),
    "iccpr-data": ("ICCPR ratification (EWP coding)", "EWP 2023"),
    "battledeaths": ("UCDP battle deaths by country-year (cleaned)", "UCDP BRD v25.1"),
    "BattleDeaths": ("UCDP battle-related deaths, dyadic (raw)", "UCDP BRD"),
    "all-coups": ("Coup attempts: Monty 1945-49 and Powell & Thyne", "Powell & Thyne 2025"),
}

#: sha256 of the files the 2025 edition used (uncompressed), by file stem.
KNOWN_HASHES: dict[str, str] = {
    "basedata2025_4august2025": "917721d5c44e3956ddccba2266c51279fadf817b57bd0ced4f34aa343ba3097d",
    "vdem": "243a059d48078c647f2e76f97c9d04623d75fa73edd64337f018a0da627fb150",
    "vdem11": "4abed2a1a37e56e1e582b0442e36ece1cac8079b6964c8bd6e7339c36fb16304",
    "wdi": "8d1d45fef7b86caab5dfc5c27e54228f0f3a06ed7ef6011cb3feb46e487e101c",
    "maddison": "5ad8c42ed32e880cf8c5c516772c232ff2d6b9ecc806b90b085a89ad51d2d8d9",
    "un_imr_clean": "e0c57d8ab198ba73e0b64c6d9560a1d3bfb7d14c68da072c8328dfd874924eda",
    "HIEF_data": "1be0834fb5c40df6d74517d316a9251683d099e48f7f127f8c5fad035f1a9382",
    "hief_clean": "8efb93c7d1e8cad66c19917a104785784db5c9df383fef8f347b9060220fbb9b",
    "epr-clean": "2449c48697c9b0069f38182219fbf87eb45d11e0f7c534eb2370258675af17f1",
    "reg-data": "7ffe8e4060fd23dfa9b844564141c803daefe3ee05340296978329bde7f472b4",
    "iccpr-data": "9ed1cde8f2994fbe242ef5ff15c3a932e09c257edfb52b7b4633ceaaf2bc453d",
    "BattleDeaths": "656b3d5290ea12a61c1d80a8ed7f9805e3776952cc31dd3af93e4fbcbf7be87c",
    "battledeaths": "fae6733786109f8dcb79603358b5837c63a51bbd244f32ced578ce2b4e6bd443",
    "all-coups": "4322398931ed79ce663cce4c98b8b2a149bb5bcfe38609771a1ffdd46b342d17",
}


@dataclass(frozen=True)
class SourceFile:
    """One source file as read: name, path, hash, release and how many data rows it held."""

    key: str
    path: str
    sha256: str
    release: str
    rows: int
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SourceDir:
    """A directory of source files; remembers every file it has read, for the provenance."""

    root: Path
    read: dict[str, SourceFile] = field(default_factory=dict)
    #: Per merge: the source's rows, how many matched a country-year, examples of the rest.
    ledger: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.root.is_dir():
            raise DataError("not a directory of source files", path=str(self.root))

    def find(self, stem: str) -> Path | None:
        """The file for ``stem`` (``.csv``, ``.csv.gz``, ``.Rdata``), or None when absent."""
        for suffix in (".csv", ".csv.gz", ".Rdata", ".Rdata.gz"):
            path = self.root / f"{stem}{suffix}"
            if path.is_file():
                return path
        return None

    def find_glob(self, pattern: str) -> Path | None:
        """The newest-named file matching ``pattern`` (e.g. ``BattleDeaths_v*.csv*``)."""
        matches = sorted(self.root.glob(pattern))
        return matches[-1] if matches else None

    def require(self, stem: str) -> Path:
        path = self.find(stem)
        if path is None:
            raise DataError(f"source file {stem}.csv (or .csv.gz) is missing", path=str(self.root))
        return path

    def csv(self, stem: str, path: Path | None = None, release: str | None = None) -> pd.DataFrame:
        """Read a CSV source, record its hash and release, refuse an empty file."""
        path = path or self.require(stem)
        raw = read_bytes(path)
        try:
            frame = pd.read_csv(
                io.BytesIO(raw),
                keep_default_na=False,
                na_values=["", "NA"],
                float_precision="round_trip",
            )
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
            raise DataError(f"not a readable CSV file: {err}", path=str(path)) from err
        if frame.empty:
            raise DataError("the file holds no data rows", path=str(path))
        self.record(stem, path, raw, len(frame), release)
        return frame.drop(columns=[c for c in ("", "V1", "Unnamed: 0") if c in frame.columns])

    def record(self, stem: str, path: Path, raw: bytes, rows: int, release: str | None) -> None:
        """Note a file as read, with its hash and its release."""
        digest = hashlib.sha256(raw).hexdigest()
        description, known_release = SOURCES.get(stem, ("", ""))
        if release is None:
            release = known_release if KNOWN_HASHES.get(stem) == digest else "unlisted release"
        self.read[stem] = SourceFile(stem, str(path), digest, release, rows, description)


def read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when it is gzip."""
    try:
        data = path.read_bytes()
        return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data
    except (OSError, EOFError, gzip.BadGzipFile) as err:
        raise DataError(f"cannot read the file: {err}", path=str(path)) from err


def require_columns(frame: pd.DataFrame, columns: tuple[str, ...], path: str) -> None:
    """Refuse a source without the columns the build reads, naming the first one missing."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"missing column(s) {', '.join(missing)}", path=path, row=1, column=missing[0]
        )
