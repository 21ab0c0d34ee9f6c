"""The risk picture the pages show, loaded for this data directory and seed.

The picture itself (forecast, interval, history, change and drivers of every country) is built
and cached by :mod:`vigil.risk.picture`; this is the web's edge, where the settings are read.
"""

from __future__ import annotations

from vigil.provenance import utc_now
from vigil.risk.picture import RiskPicture, load_picture
from vigil.settings import Settings


def load_snapshot(settings: Settings, *, quick: bool = False) -> RiskPicture:
    """The cached picture of the default model for the bundled table, built if missing."""
    from vigil.risk.table import load_table

    return load_picture(load_table(), settings.ensure_home(), seed=settings.seed, quick=quick)


def stamp() -> str:
    """The time a page or brief was produced (UTC, ISO 8601)."""
    return utc_now()
