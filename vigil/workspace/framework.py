"""The UN Framework of Analysis for Atrocity Crimes as versioned reference data.

Fourteen risk factors (eight common, two each specific to genocide, crimes against humanity and
war crimes), each with numbered indicators, paraphrased in ``vigil/data/framework/framework.json``.
Assessments rate indicators and record the framework ``version`` they were made against, so the
file is validated strictly on load: a malformed edit fails loudly, naming the file and the field.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal, cast, get_args

from vigil.data import bundled
from vigil.errors import DataError, NotFoundError

Scope = Literal["common", "genocide", "crimes_against_humanity", "war_crimes"]
SCOPES: tuple[Scope, ...] = get_args(Scope)
FRAMEWORK_FILE = "framework/framework.json"

# How many factors each scope must hold in the 2014 framework.
_SCOPE_COUNTS: dict[str, int] = {
    "common": 8,
    "genocide": 2,
    "crimes_against_humanity": 2,
    "war_crimes": 2,
}
_FACTOR_ID = re.compile(r"^RF([1-9]|1[0-4])$")


@dataclass(frozen=True, slots=True)
class Indicator:
    """One indicator of a risk factor, such as ``RF7.6`` (communication shutdowns)."""

    id: str
    factor_id: str
    text: str


@dataclass(frozen=True, slots=True)
class RiskFactor:
    """One of the fourteen risk factors with its indicators."""

    id: str
    title: str
    description: str
    scope: Scope
    indicators: tuple[Indicator, ...]

    @property
    def number(self) -> int:
        """The factor's number: 7 for ``RF7``."""
        return int(self.id[2:])


@dataclass(frozen=True, slots=True)
class Framework:
    """The whole framework: version, risk factors in order, and lookups by id."""

    version: str
    source: str
    factors: tuple[RiskFactor, ...]
    sha256: str

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """Every indicator of every factor, in framework order."""
        return tuple(ind for factor in self.factors for ind in factor.indicators)

    @property
    def factor_ids(self) -> tuple[str, ...]:
        """``("RF1", ..., "RF14")``."""
        return tuple(factor.id for factor in self.factors)

    def factor(self, factor_id: str) -> RiskFactor:
        """The risk factor with this id; :class:`NotFoundError` when there is none."""
        for factor in self.factors:
            if factor.id == factor_id:
                return factor
        raise NotFoundError(
            f"unknown risk factor {factor_id!r}: expected one of RF1..RF14 "
            f"(framework version {self.version})"
        )

    def indicator(self, indicator_id: str) -> Indicator:
        """The indicator with this id (``RF7.6``); :class:`NotFoundError` when there is none."""
        factor_id = indicator_id.split(".", 1)[0]
        if _FACTOR_ID.match(factor_id):
            for ind in self.factor(factor_id).indicators:
                if ind.id == indicator_id:
                    return ind
        raise NotFoundError(
            f"unknown indicator {indicator_id!r}: expected an id like 'RF7.6' "
            f"(framework version {self.version})"
        )

    def in_scope(self, scope: Scope) -> tuple[RiskFactor, ...]:
        """The factors of one scope, e.g. the two specific to genocide."""
        return tuple(factor for factor in self.factors if factor.scope == scope)


def load_framework(path: Path | None = None) -> Framework:
    """Load and validate the framework file (the bundled one by default; cached per path)."""
    return _load(str(path or bundled(FRAMEWORK_FILE)))


@cache
def _load(path: str) -> Framework:
    try:
        raw = Path(path).read_bytes()
    except OSError as err:
        raise DataError(f"cannot read the framework file: {err.strerror}", path=path) from err
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise DataError(f"the framework file is not valid JSON: {err}", path=path) from err
    return parse_framework(data, path=path, sha256=hashlib.sha256(raw).hexdigest())


def parse_framework(data: Any, *, path: str = "<framework>", sha256: str = "") -> Framework:
    """Build a :class:`Framework` from parsed JSON, checking every field it relies on."""
    if not isinstance(data, Mapping):
        raise DataError("expected a JSON object at the top level", path=path)
    version = _text(data, "version", path)
    factors_raw = data.get("factors")
    if not isinstance(factors_raw, list):
        raise DataError("expected a list of risk factors", path=path, column="factors")
    factors = tuple(_factor(item, index, path) for index, item in enumerate(factors_raw, 1))
    _check_factor_set(factors, path)
    return Framework(
        version=version,
        source=str(data.get("source", "")),
        factors=factors,
        sha256=sha256,
    )


def _factor(item: Any, row: int, path: str) -> RiskFactor:
    if not isinstance(item, Mapping):
        raise DataError("expected a risk factor object", path=path, row=row)
    factor_id = _text(item, "id", path, row)
    if not _FACTOR_ID.match(factor_id):
        raise DataError(
            f"expected a factor id RF1..RF14, got {factor_id!r}", path=path, row=row, column="id"
        )
    scope = _text(item, "scope", path, row)
    if scope not in SCOPES:
        raise DataError(
            f"expected scope to be one of {', '.join(SCOPES)}, got {scope!r}",
            path=path,
            row=row,
            column="scope",
        )
    indicators_raw = item.get("indicators")
    if not isinstance(indicators_raw, list) or not indicators_raw:
        raise DataError(
            f"{factor_id} needs a non-empty list of indicators",
            path=path,
            row=row,
            column="indicators",
        )
    indicators = tuple(
        _indicator(ind, factor_id, number, path, row)
        for number, ind in enumerate(indicators_raw, 1)
    )
    return RiskFactor(
        id=factor_id,
        title=_text(item, "title", path, row),
        description=_text(item, "description", path, row),
        scope=cast(Scope, scope),
        indicators=indicators,
    )


def _indicator(item: Any, factor_id: str, number: int, path: str, row: int) -> Indicator:
    if not isinstance(item, Mapping):
        raise DataError(f"expected indicator {number} of {factor_id} to be an object", path=path)
    expected = f"{factor_id}.{number}"
    indicator_id = _text(item, "id", path, row)
    if indicator_id != expected:
        raise DataError(
            f"expected indicator id {expected!r} (numbered in order), got {indicator_id!r}",
            path=path,
            row=row,
            column="indicators.id",
        )
    return Indicator(id=indicator_id, factor_id=factor_id, text=_text(item, "text", path, row))


def _check_factor_set(factors: tuple[RiskFactor, ...], path: str) -> None:
    ids = [factor.id for factor in factors]
    expected = [f"RF{n}" for n in range(1, 15)]
    if ids != expected:
        raise DataError(
            f"expected the 14 factors RF1..RF14 in order, got {', '.join(ids) or 'none'}",
            path=path,
            column="factors",
        )
    for scope, count in _SCOPE_COUNTS.items():
        found = sum(factor.scope == scope for factor in factors)
        if found != count:
            raise DataError(
                f"expected {count} factors with scope {scope!r}, got {found}",
                path=path,
                column="scope",
            )


def _text(item: Mapping[str, Any], key: str, path: str, row: int | None = None) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"expected a non-empty text for {key!r}", path=path, row=row, column=key)
    return value.strip()
