"""Build the country-year modelling table from its raw sources, the public project's way.

:func:`rebuild` merges every source onto the base table, applies the country-code fixes and
transformations of the public build and derives the 39 predictors and the outcomes;
:func:`write_table` writes the table as the public project does (same columns, same number
format) beside a provenance file naming every source's hash and release.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from vigil.errors import DataError
from vigil.provenance import Provenance
from vigil.risk.measurement import UNMEASURED
from vigil.risk.rebuild import conflict, economy, history, society, vdem
from vigil.risk.rebuild.format import to_csv
from vigil.risk.rebuild.sources import SourceDir, SourceFile
from vigil.risk.variables import EWP_PREDICTORS

#: First year of the modelling table (earlier years feed the fills and the history only).
FIRST_YEAR = 1960

#: Output columns, in the public table's order.
COLUMNS = (
    "ewp_name", "year", *[p for p in EWP_PREDICTORS if p != "year"],
    "mk_onset_1or2", "mk_onset", "ccode", "mk_onset_1", "mk_onset_2",
)  # fmt: skip


@dataclass(frozen=True)
class RebuiltTable:
    """The rebuilt table (every column the build made) and the sources it read."""

    full: pd.DataFrame
    sources: tuple[SourceFile, ...]
    through: int
    ledger: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def frame(self) -> pd.DataFrame:
        """The modelling table: the public layout, from 1960, ordered by COW code and year."""
        rows = self.full[self.full["year"] >= FIRST_YEAR]
        return rows.sort_values(["ccode", "year"]).loc[:, list(COLUMNS)].reset_index(drop=True)

    def provenance(self, csv_sha256: str, out: str) -> dict[str, Any]:
        """What the table was built from, with the span of values that are coded, not measured."""
        record = Provenance(data_source=out, data_sha256=csv_sha256, model="rebuild",
                            parameters={"through": self.through})  # fmt: skip
        return {
            **record.to_dict(),
            "sources": [s.to_dict() for s in self.sources],
            "merges": self.ledger,
            "rows": len(self.frame),
            "unmeasured": {
                name: {"before": year, "coded_as": 0, "treat_as": "missing"}
                for name, year in UNMEASURED.items()
            },
        }


def rebuild(source_dir: str | Path, through: int | None = None) -> RebuiltTable:
    """Merge every source in ``source_dir`` and derive the predictors and outcomes."""
    sources = SourceDir(Path(source_dir))
    dat = history.load_base(sources, through)
    last = int(dat["year"].max())
    if through is not None and through != last:
        raise DataError(f"the base table ends in {last}, before --through {through}")
    dat = vdem.merge_vdem(dat, sources, last)
    dat = economy.merge_wdi(dat, sources)
    dat = economy.merge_maddison(dat, sources)
    dat = society.merge_efindex(dat, sources)
    dat = society.merge_discrimpop(dat, sources)
    dat = society.merge_regions(dat, sources)
    dat = society.merge_iccpr(dat, sources)
    dat = conflict.merge_battle_deaths(dat, sources)
    dat = conflict.merge_coups(dat, sources)
    dat = history.add_history(dat)
    dat = economy.merge_infant_mortality(dat, sources)
    dat = economy.combine(dat)
    return RebuiltTable(full=dat, sources=tuple(sources.read.values()), through=last,
                        ledger=sources.ledger)  # fmt: skip


def provenance_path(out: Path) -> Path:
    """Where the provenance of a table written to ``out`` goes."""
    return out.with_name(out.name + ".provenance.json")


def write_table(table: RebuiltTable, out: str | Path) -> dict[str, Any]:
    """Write the table (gzip when ``out`` ends in .gz) and its provenance, each atomically."""
    import gzip
    import hashlib

    out = Path(out)
    text = to_csv(table.frame).encode()
    record = table.provenance(hashlib.sha256(text).hexdigest(), str(out))
    payload = gzip.compress(text, mtime=0) if out.suffix == ".gz" else text
    _atomic_write(out, payload)
    _atomic_write(provenance_path(out), (json.dumps(record, indent=2) + "\n").encode())
    return record


def _atomic_write(path: Path, data: bytes) -> None:
    if not path.parent.is_dir():
        raise DataError("the output directory does not exist", path=str(path.parent))
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
