"""The model cache: keyed by data, model, horizon, base year, seed and code; damage recomputes."""

from __future__ import annotations

import gzip
import pickle
import subprocess
from pathlib import Path

from typer.testing import CliRunner

from vigil.cli.main import app
from vigil.data import EWP_TABLE, bundled
from vigil.risk.model_cache import FOLDER, cache_key, cached, clear, code_version, table_sha256
from vigil.risk.table import load_table


def vigil(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    result = CliRunner().invoke(app, list(args), env={"VIGIL_HOME": str(home)})
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, result.stderr)


def test_table_hash_from_bytes_equals_the_loaded_tables(tmp_path: Path) -> None:
    assert table_sha256(None) == load_table().sha256
    plain = tmp_path / "table.csv"
    plain.write_bytes(gzip.decompress(bundled(EWP_TABLE).read_bytes()))
    assert table_sha256(plain) == table_sha256(None)


def test_key_changes_with_every_part() -> None:
    base = {"kind": "forecast", "data": "a", "model": "ewp", "horizon": 2, "base_year": None,
            "seed": 1}  # fmt: skip
    keys = {cache_key(**base)}
    for part, other in (("data", "b"), ("model", "logit"), ("horizon", 1), ("base_year", 2020),
                        ("seed", 2)):  # fmt: skip
        keys.add(cache_key(**{**base, part: other}))
    assert len(keys) == 6
    assert len(code_version()) == 64


def test_hit_returns_the_stored_result_and_damage_recomputes(tmp_path: Path) -> None:
    calls: list[int] = []

    def compute() -> dict[str, int]:
        calls.append(1)
        return {"value": len(calls)}

    assert cached(tmp_path, "k", compute) == {"value": 1}
    assert cached(tmp_path, "k", compute) == {"value": 1}
    (tmp_path / FOLDER / "k.pickle").write_bytes(b"not a pickle")
    assert cached(tmp_path, "k", compute) == {"value": 2}
    assert clear(tmp_path) == 1


def test_cached_forecast_is_read_back_by_the_cli(tmp_path: Path) -> None:
    first = vigil("forecast", "--model", "ewp", "--format", "csv", home=tmp_path)
    assert first.returncode == 0, first.stderr
    entries = list((tmp_path / FOLDER).glob("*.pickle"))
    assert len(entries) == 1
    stored = pickle.loads(entries[0].read_bytes())
    assert stored["csv"] == first.stdout
    stored["csv"] = "served from the cache\n"
    entries[0].write_bytes(pickle.dumps(stored))
    again = vigil("forecast", "--model", "ewp", "--format", "csv", home=tmp_path)
    assert again.stdout == "served from the cache\n"
    other = vigil("forecast", "--model", "ewp", "--format", "csv", "--horizon", "1", home=tmp_path)
    assert other.stdout.startswith("country,ccode,iso3,base_year,model,probability,rank")
    assert len(list((tmp_path / FOLDER).glob("*.pickle"))) == 2


def test_explain_prints_labels_raw_names_and_points(tmp_path: Path) -> None:
    result = vigil("explain", "MMR", "--model", "ewp", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "raw name" in result.stdout and " pts" in result.stdout
    assert "Battle deaths (log)" in result.stdout and "battledeaths.log2" in result.stdout
    again = vigil("explain", "mmr", "--model", "ewp", home=tmp_path)
    assert again.stdout == result.stdout
    assert len(list((tmp_path / FOLDER).glob("*.pickle"))) == 1
