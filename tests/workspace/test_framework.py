"""The Framework of Analysis reference data: 14 factors, numbered indicators, strict validation."""

from __future__ import annotations

import copy
import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from vigil.data import bundled
from vigil.errors import DataError, NotFoundError
from vigil.workspace.framework import FRAMEWORK_FILE, SCOPES, load_framework, parse_framework


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return json.loads(bundled(FRAMEWORK_FILE).read_text(encoding="utf-8"))


def test_framework_has_fourteen_factors_in_order() -> None:
    framework = load_framework()
    assert framework.factor_ids == tuple(f"RF{n}" for n in range(1, 15))
    assert [factor.number for factor in framework.factors] == list(range(1, 15))


def test_scopes_split_eight_common_and_two_per_crime() -> None:
    framework = load_framework()
    counts = Counter(factor.scope for factor in framework.factors)
    assert counts == {"common": 8, "genocide": 2, "crimes_against_humanity": 2, "war_crimes": 2}
    assert [f.id for f in framework.in_scope("genocide")] == ["RF9", "RF10"]
    assert [f.id for f in framework.in_scope("crimes_against_humanity")] == ["RF11", "RF12"]
    assert [f.id for f in framework.in_scope("war_crimes")] == ["RF13", "RF14"]
    assert set(SCOPES) == set(counts)


def test_indicators_are_numbered_under_their_factor() -> None:
    framework = load_framework()
    for factor in framework.factors:
        assert [ind.id for ind in factor.indicators] == [
            f"{factor.id}.{n}" for n in range(1, len(factor.indicators) + 1)
        ]
        assert all(ind.factor_id == factor.id for ind in factor.indicators)
    assert len(framework.indicators) == sum(len(f.indicators) for f in framework.factors)


def test_every_text_is_present_and_no_indicator_repeats_another() -> None:
    framework = load_framework()
    texts = [ind.text for ind in framework.indicators]
    assert all(len(text) > 20 for text in texts)
    assert len(set(texts)) == len(texts)
    assert all(f.title and f.description for f in framework.factors)


def test_lookups_by_id() -> None:
    framework = load_framework()
    assert framework.factor("RF10").scope == "genocide"
    assert "communication" in framework.indicator("RF7.6").text
    assert framework.indicator("RF14.3").factor_id == "RF14"


@pytest.mark.parametrize("bad", ["RF15", "rf1", "RF0", ""])
def test_unknown_factor_is_not_found(bad: str) -> None:
    with pytest.raises(NotFoundError, match="unknown risk factor"):
        load_framework().factor(bad)


@pytest.mark.parametrize("bad", ["RF7.99", "RF7", "RF99.1", "nonsense"])
def test_unknown_indicator_is_not_found(bad: str) -> None:
    with pytest.raises(NotFoundError):
        load_framework().indicator(bad)


def test_version_and_hash_identify_the_file() -> None:
    framework = load_framework()
    assert framework.version == "2014.1"
    assert framework.sha256 == hashlib.sha256(bundled(FRAMEWORK_FILE).read_bytes()).hexdigest()


def _broken(raw: dict[str, Any], how: str) -> dict[str, Any]:
    data = copy.deepcopy(raw)
    factors = data["factors"]
    if how == "missing factor":
        del factors[13]
    elif how == "wrong scope":
        factors[0]["scope"] = "genocide"
    elif how == "unknown scope":
        factors[0]["scope"] = "ethnic cleansing"
    elif how == "misnumbered indicator":
        factors[6]["indicators"][2]["id"] = "RF7.9"
    elif how == "empty indicator text":
        factors[2]["indicators"][0]["text"] = "  "
    elif how == "no indicators":
        factors[4]["indicators"] = []
    elif how == "missing version":
        del data["version"]
    return data


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("missing factor", "14 factors"),
        ("wrong scope", "scope"),
        ("unknown scope", "scope"),
        ("misnumbered indicator", "RF7.3"),
        ("empty indicator text", "'text'"),
        ("no indicators", "indicators"),
        ("missing version", "'version'"),
    ],
)
def test_malformed_framework_is_refused_naming_the_problem(
    raw: dict[str, Any], how: str, message: str
) -> None:
    with pytest.raises(DataError, match=message) as caught:
        parse_framework(_broken(raw, how), path="framework.json")
    assert str(caught.value).startswith("framework.json: ")


def test_unreadable_framework_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "framework.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match=r"framework\.json: .*not valid JSON"):
        load_framework(path)
    with pytest.raises(DataError, match="cannot read"):
        load_framework(tmp_path / "absent.json")


def test_a_valid_copy_loads_from_another_path(tmp_path: Path, raw: dict[str, Any]) -> None:
    path = tmp_path / "copy.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    assert load_framework(path).factor_ids == load_framework().factor_ids
