"""First-run seeding of a fresh data directory, so ``vigil serve`` is useful at once.

On the first start the workspace gets an administrator (whose one-time password is returned
for printing, never stored in clear, and must be changed at the first sign-in), the Framework
of Analysis is checked, the bundled event samples are ingested, and two standing alert rules
are run over the current forecast.
A marker file records that this happened, so later starts (and other workers) skip it; a
file lock keeps two workers from seeding at once.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from filelock import FileLock
from sqlalchemy import func, select

from vigil.data import bundled
from vigil.files import private_file, write_private
from vigil.provenance import utc_now
from vigil.risk.picture import RiskPicture
from vigil.settings import Settings
from vigil.workspace.database import Database

log = logging.getLogger(__name__)
MARKER = "web/seeded.json"
ADMIN = "admin"
#: Standing rules created on the first run: (name, kind, parameters, severity).
RULES = (
    ("Top 10 of the structural forecast", "forecast_top_n", {"n": 10}, "high"),
    ("Forecast at or above 5 %", "forecast_threshold", {"threshold": 0.05}, "medium"),
)
#: Bundled event samples by file-name pattern and reader format.
EVENT_FORMATS = (("*ged*.csv*", "ucdp-ged"), ("*.export.CSV*", "gdelt2"), ("*acled*.csv*", "acled"))


@dataclass(frozen=True)
class SeedResult:
    """What the first run did; ``admin_password`` is set only when an admin was created."""

    seeded: bool
    admin_password: str | None = None
    events: int = 0
    alerts: int = 0


def _locked(home: Path) -> FileLock:
    """A lock file that keeps two workers from seeding the same data directory at once."""
    return FileLock(private_file(home / "web" / "seed.lock"))


def is_seeded(settings: Settings) -> bool:
    """Whether this data directory has been seeded before."""
    return (settings.home / MARKER).exists()


def ensure_seeded(db: Database, settings: Settings, snapshot: RiskPicture) -> SeedResult:
    """Seed the workspace and stores once; a no-op on every later start."""
    with _locked(settings.ensure_home()):
        if is_seeded(settings):
            return SeedResult(seeded=False)
        password = _admin(db)
        _check_framework()
        events = _ingest_events(settings)
        alerts = _alerts(db, settings, snapshot)
        marker = {
            "seeded_at": utc_now(),
            "events": events,
            "alerts": alerts,
            "model": snapshot.model,
            "base_year": snapshot.base_year,
        }
        write_private(settings.home / MARKER, json.dumps(marker, indent=2) + "\n")
        return SeedResult(seeded=True, admin_password=password, events=events, alerts=alerts)


def _admin(db: Database) -> str | None:
    """Create the administrator with a random password, unless any user exists."""
    from vigil.workspace.users import SystemActor, User, add_user

    with db.session() as session:
        if session.scalar(select(func.count()).select_from(User)):
            return None
        password = secrets.token_urlsafe(12)
        add_user(
            session,
            SystemActor(),
            ADMIN,
            role="admin",
            clearance="confidential",
            password=password,
            must_change_password=True,
        )
        return password


def _check_framework() -> None:
    """Load (and so validate) the bundled Framework of Analysis reference data."""
    from vigil.workspace.framework import load_framework

    load_framework()


def event_samples() -> list[tuple[Path, str]]:
    """Bundled event sample files with their reader format."""
    folder = bundled("events")
    if not folder.is_dir():
        return []
    found: list[tuple[Path, str]] = []
    for pattern, fmt in EVENT_FORMATS:
        found.extend((path, fmt) for path in sorted(folder.glob(pattern)))
    return found


def _ingest_events(settings: Settings) -> int:
    """Ingest every bundled sample into the event store; returns events added."""
    from vigil.events.ingest import ingest
    from vigil.events.store import EventStore

    store = EventStore.from_settings(settings)
    total = 0
    for path, fmt in event_samples():
        total += ingest(store, [path], fmt).ingested
    return total


def _alerts(db: Database, settings: Settings, snapshot: RiskPicture) -> int:
    """Create the standing rules (as the first administrator) and run the forecast rules."""
    from vigil.risk.forecast import forecast_pair
    from vigil.risk.table import load_table
    from vigil.workspace.alerts import add_rule, evaluate, list_rules
    from vigil.workspace.users import SystemActor, User

    if snapshot.complete:
        frames = snapshot.forecast_frames()
    else:
        table = load_table()
        frames = forecast_pair(table, snapshot.model, snapshot.base_year, seed=settings.seed).frames
    with db.session() as session:
        admin = session.scalar(
            select(User).where(User.role == "admin", User.active.is_(True)).order_by(User.id)
        )
        known = {rule.name for rule in list_rules(session)}
        for name, kind, params, severity in RULES:
            if admin is not None and name not in known:
                add_rule(session, admin, name, kind, params, severity=severity)
        return len(evaluate(session, SystemActor(), frames))
