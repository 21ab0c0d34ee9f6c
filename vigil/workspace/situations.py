"""Situations are countries, named by ISO 3166 alpha-3 code throughout the workspace."""

from __future__ import annotations

from functools import cache

from vigil.countries import converter
from vigil.errors import UsageError


@cache
def known_iso3() -> frozenset[str]:
    """Every ISO3 code the country table knows."""
    return frozenset(str(code) for code in converter().data["ISO3"].dropna())


def check_iso3(value: str) -> str:
    """``value`` as an upper-case known ISO3 code, or a usage error with an example."""
    code = value.strip().upper()
    if code not in known_iso3():
        raise UsageError(f"country {value!r} is not a known ISO3 code (for example MMR or SDN)")
    return code
