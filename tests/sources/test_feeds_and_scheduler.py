"""Report feeds under the scheduler, the scheduler itself (due sources, the cross-process lock),
and the parsers that read provider listings and headers."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from providers import Gdelt

from vigil.events.store import EventStore
from vigil.settings import Settings
from vigil.sources import registry
from vigil.sources.client import retry_after_seconds
from vigil.sources.gdelt import parse_line
from vigil.sources.scheduler import Scheduler
from vigil.sources.sync import sync, sync_lock
from vigil.workspace.database import Database
from vigil.workspace.reports import Report

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Regional Monitor</title><link>http://example.org/</link>
<description>Daily situation updates</description>
<item><title>Clashes reported near Malakal, South Sudan</title><link>http://example.org/2026/11/malakal</link>
<guid isPermaLink="false">monitor-0411</guid><pubDate>Tue, 03 Nov 2026 08:30:00 GMT</pubDate>
<description>Fighting between two militias forced families to flee.</description></item>
<item><title>Market reopens</title><link>http://example.org/2026/11/market</link>
<pubDate>Wed, 04 Nov 2026 10:00:00 +0300</pubDate>
<description>Traders returned after a week of closures.</description></item>
</channel></rss>
"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def feed_url(tmp_path: Path) -> Iterator[str]:
    (tmp_path / "rss.xml").write_text(RSS, encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/rss.xml"
    finally:
        server.shutdown()
        server.server_close()


def test_a_feed_source_stores_new_entries_once(
    settings: Settings, store: EventStore, feed_url: str, db: Database
) -> None:
    workspace = db
    registry.add(store, registry.make_spec("monitor", "feed", url=feed_url))
    (first,) = sync(settings, ["monitor"], env={}, workspace=lambda: workspace)
    assert (first.status, first.fetched, first.ingested, first.through) == (
        "ok",
        2,
        2,
        "2026-11-04",
    )
    (again,) = sync(settings, ["monitor"], env={}, workspace=lambda: workspace)
    assert (again.status, again.ingested, again.unchanged) == ("ok", 0, 2)
    with workspace.session(write=False) as session:
        reports = {r.title: r for r in session.query(Report).all()}
        assert sorted(reports) == ["Clashes reported near Malakal, South Sudan", "Market reopens"]
        clashes = reports["Clashes reported near Malakal, South Sudan"]
        assert [c.iso3 for c in clashes.countries] == ["SSD"]  # triaged on arrival
        assert clashes.triage is not None and clashes.triage["factors"]


def test_the_scheduler_syncs_due_sources_in_the_background(
    settings: Settings, store: EventStore, gdelt: tuple[Gdelt, str]
) -> None:
    _, root = gdelt
    registry.add(store, registry.make_spec("gdelt", "gdelt2", url=root))
    scheduler = Scheduler(settings, {}, first_round=0.0)
    scheduler.start()
    try:
        deadline = time.monotonic() + 60
        while registry.states(store, read_only=True).get("gdelt") is None or (
            registry.states(store, read_only=True)["gdelt"].status != "ok"
        ):
            assert time.monotonic() < deadline
            time.sleep(0.2)
    finally:
        scheduler.stop()
    assert scheduler.run_once() == []  # synced a moment ago: not due


def test_a_round_is_skipped_while_another_process_holds_the_sync_lock(
    settings: Settings, store: EventStore, gdelt: tuple[Gdelt, str]
) -> None:
    provider, root = gdelt
    registry.add(store, registry.make_spec("gdelt", "gdelt2", url=root))
    with sync_lock(settings, wait=0):
        assert Scheduler(settings, {}).run_once() == []
    assert provider.requests == []


@given(st.text(max_size=300))
def test_a_listing_line_parses_or_is_skipped_never_raises(line: str) -> None:
    entry = parse_line(line)
    assert entry is None or (entry.name.endswith(".export.CSV.zip") and entry.size >= 0)


@given(
    st.integers(min_value=0, max_value=10**12),
    st.text(alphabet="0123456789abcdef", min_size=32, max_size=32),
    st.from_regex(r"\A[0-9]{14}\Z"),
)
def test_a_well_formed_export_line_round_trips(size: int, md5: str, stamp: str) -> None:
    entry = parse_line(f"{size} {md5} http://data.gdeltproject.org/gdeltv2/{stamp}.export.CSV.zip")
    assert entry is not None and (entry.size, entry.md5, entry.stamp) == (size, md5, stamp)


@given(st.text(max_size=60))
def test_retry_after_is_seconds_or_none_never_raises(value: str) -> None:
    seconds = retry_after_seconds(value)
    assert seconds is None or seconds >= 0


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after_seconds("120") == 120.0
    later = datetime.now(UTC) + timedelta(seconds=90)
    assert 80 < (retry_after_seconds(format_datetime(later, usegmt=True)) or 0) <= 90


def test_every_sync_setting_is_documented_in_the_readme() -> None:
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    names = [f"VIGIL_{name.upper()}" for name in Settings.model_fields if name.startswith("sync")]
    assert names and [name for name in names if f"`{name}`" not in readme] == []
