"""Syncing against local servers that play UCDP, ACLED and GDELT: incremental, atomic, resumable."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from providers import ENV, TOKEN, Acled, Fault, Gdelt, Ucdp, page_is

from vigil.events.store import EventStore
from vigil.settings import Settings
from vigil.sources import registry
from vigil.sources.sync import SyncResult, sync

FINGERPRINT = "SELECT count(*) AS n, count(DISTINCT source_id) AS ids FROM events"


def add(store: EventStore, name: str, kind: str, url: str, **options: object) -> None:
    registry.add(store, registry.make_spec(name, kind, url=url, **options))  # type: ignore[arg-type]


def run(settings: Settings, *names: str) -> SyncResult:
    (result,) = sync(settings, names, env=ENV)
    return result


def events(store: EventStore) -> tuple[int, int]:
    row = store.query(FINGERPRINT).iloc[0]
    return int(row["n"]), int(row["ids"])


def test_ucdp_full_sync_then_repeat_fetches_only_the_next_release_probe(
    settings: Settings, store: EventStore, ucdp: tuple[Ucdp, str]
) -> None:
    provider, root = ucdp
    add(store, "ged", "ucdp-ged", root, token_env="UCDP_TOKEN")
    first = run(settings, "ged")
    assert (first.status, first.fetched, first.ingested, first.unchanged) == ("ok", 1000, 1000, 0)
    assert first.through == "2022-12-31" or first.through is not None
    assert events(store) == (1000, 1000)
    pages = [q["page"] for _, p, q in provider.requests if p.endswith("/25.1")]
    assert pages == ["0", "1", "2", "3"]
    again = run(settings, "ged")
    assert (again.status, again.fetched, again.ingested) == ("ok", 0, 0)
    assert provider.requests[-1][1].endswith("/26.1")  # one request: is the next release out?
    assert events(store) == (1000, 1000)


def test_a_500_on_a_middle_page_leaves_the_store_unchanged_and_the_next_sync_completes(
    settings: Settings, store: EventStore, ucdp: tuple[Ucdp, str]
) -> None:
    provider, root = ucdp
    add(store, "ged", "ucdp-ged", root, token_env="UCDP_TOKEN")
    provider.faults.append(Fault(page_is(2), status=500))
    failed = run(settings, "ged")
    assert failed.status == "failed" and "HTTP 500" in failed.error  # type: ignore[operator]
    assert events(store) == (0, 0)
    state = registry.states(store)["ged"]
    assert (state.status, state.watermark) == ("failed", {})
    provider.faults.clear()
    done = run(settings, "ged")
    assert (done.status, done.ingested) == ("ok", 1000)
    assert events(store) == (1000, 1000)


def test_a_failure_after_a_committed_batch_resumes_at_the_next_page(
    vigil_home: object, store: EventStore, ucdp: tuple[Ucdp, str]
) -> None:
    settings = Settings(
        home=vigil_home,  # type: ignore[arg-type]
        sync_retries=0,
        sync_batch_rows=250,
        sync_request_gap=0.0,
    )
    provider, root = ucdp
    add(store, "ged", "ucdp-ged", root, token_env="UCDP_TOKEN")
    provider.faults.append(Fault(page_is(2), drop=True))
    failed = run(settings, "ged")
    assert failed.status == "failed" and failed.ingested == 500
    assert events(store) == (500, 500)
    provider.faults.clear()
    provider.requests.clear()
    done = run(settings, "ged")
    assert [q["page"] for _, _, q in provider.requests][:2] == ["2", "3"]
    assert (done.ingested, done.unchanged) == (500, 0)
    assert events(store) == (1000, 1000)


def test_a_transient_503_is_retried_after_the_servers_retry_after(
    settings: Settings, store: EventStore, ucdp: tuple[Ucdp, str]
) -> None:
    provider, root = ucdp
    add(store, "ged", "ucdp-ged", root, token_env="UCDP_TOKEN")
    provider.faults.append(Fault(page_is(1), status=503, times=1, headers={"Retry-After": "1"}))
    began = time.monotonic()
    result = run(settings, "ged")
    assert (result.status, result.ingested) == ("ok", 1000)
    assert time.monotonic() - began >= 1.0
    assert [q["page"] for _, _, q in provider.requests].count("1") == 2


def test_a_slow_server_times_out_and_nothing_is_written(
    vigil_home: object, store: EventStore, ucdp: tuple[Ucdp, str]
) -> None:
    settings = Settings(
        home=vigil_home,  # type: ignore[arg-type]
        sync_retries=1,
        sync_backoff=0.0,
        sync_timeout=0.5,
        sync_request_gap=0.0,
    )
    provider, root = ucdp
    add(store, "ged", "ucdp-ged", root, token_env="UCDP_TOKEN")
    provider.faults.append(Fault(page_is(1), delay=3.0))
    began = time.monotonic()
    result = run(settings, "ged")
    assert result.status == "failed" and "timed out" in result.error  # type: ignore[operator]
    assert time.monotonic() - began < 5.0
    assert events(store) == (0, 0)


def test_a_refused_token_fails_and_the_token_is_never_recorded(
    settings: Settings, store: EventStore, ucdp: tuple[Ucdp, str]
) -> None:
    _, root = ucdp
    add(store, "ged", "ucdp-ged", root, token_env="WRONG_TOKEN")
    (result,) = sync(settings, ["ged"], env={"WRONG_TOKEN": "not-" + TOKEN})
    assert result.status == "failed" and "HTTP 401" in result.error  # type: ignore[operator]
    assert "$WRONG_TOKEN" in result.error  # type: ignore[operator]
    dump = store.query("SELECT * FROM source_runs").to_csv() + str(registry.states(store))
    assert TOKEN not in dump and "not-" not in dump


def test_an_unset_credential_variable_is_named(
    settings: Settings, store: EventStore, ucdp: tuple[Ucdp, str]
) -> None:
    _, root = ucdp
    add(store, "ged", "ucdp-ged", root, token_env="NOT_SET_HERE")
    (result,) = sync(settings, ["ged"], env={})
    assert result.status == "failed" and "$NOT_SET_HERE" in result.error  # type: ignore[operator]


def test_candidate_releases_are_followed_month_by_month(
    settings: Settings, store: EventStore, ucdp: tuple[Ucdp, str]
) -> None:
    provider, root = ucdp
    rows = provider.releases.pop("25.1")
    provider.releases |= {"25.0.11": rows[:300], "25.0.12": rows[300:500]}
    add(store, "cand", "ucdp-candidate", root, token_env="UCDP_TOKEN", release="25.0.11")
    first = run(settings, "cand")
    assert (first.status, first.ingested) == ("ok", 500)
    assert registry.states(store)["cand"].watermark["release"] == "25.0.12"
    provider.releases["26.0.1"] = rows[500:600]
    assert run(settings, "cand").ingested == 100
    assert provider.requests[-1][1].endswith("/26.0.2")


def test_a_country_filter_is_sent_as_gleditsch_ward_numbers(
    settings: Settings, store: EventStore, ucdp: tuple[Ucdp, str]
) -> None:
    provider, root = ucdp
    add(store, "syr", "ucdp-ged", root, token_env="UCDP_TOKEN", countries=["SYR"])
    result = run(settings, "syr")
    assert provider.requests[0][2]["Country"] == "652"
    assert set(store.query("SELECT DISTINCT iso3 FROM events")["iso3"]) == {"SYR"}
    assert result.ingested == sum(1 for r in provider.releases["25.1"] if r["country_id"] == 652)


def test_acled_full_sync_then_repeat_adds_nothing(
    settings: Settings, store: EventStore, acled: tuple[Acled, str]
) -> None:
    provider, root = acled
    add(store, "acled", "acled", root, user_env="ACLED_USER", password_env="ACLED_PASSWORD")
    first = run(settings, "acled")
    assert (first.status, first.fetched, first.ingested) == ("ok", 400, 400)
    reads = [q["page"] for _, p, q in provider.requests if p == "/api/acled/read"]
    assert reads == ["1", "2", "3", "4"]  # the empty fourth page ends the read
    again = run(settings, "acled")
    assert (again.status, again.ingested, again.updated) == ("ok", 0, 0)
    assert again.unchanged == again.fetched  # only the last day is read again
    assert events(store) == (400, 400)
    assert provider.logins == 2


def test_an_expired_acled_token_means_one_fresh_login(
    settings: Settings, store: EventStore, acled: tuple[Acled, str]
) -> None:
    provider, root = acled
    add(store, "acled", "acled", root, user_env="ACLED_USER", password_env="ACLED_PASSWORD")
    original = provider.answer

    def expire_before_page_2(method: str, path: str, query: dict[str, str], request: object):
        if query.get("page") == "2" and provider.logins == 1:
            provider.expire_tokens()
        return original(method, path, query, request)

    provider.answer = expire_before_page_2  # type: ignore[method-assign]
    result = run(settings, "acled")
    assert (result.status, result.ingested) == ("ok", 400)
    assert provider.logins == 2


def test_acled_refusing_the_fresh_token_too_fails_after_one_relogin(
    settings: Settings, store: EventStore, acled: tuple[Acled, str]
) -> None:
    provider, root = acled
    add(store, "acled", "acled", root, user_env="ACLED_USER", password_env="ACLED_PASSWORD")
    provider.faults.append(Fault(lambda p, q: p == "/api/acled/read", status=401))
    result = run(settings, "acled")
    assert result.status == "failed" and "again after a fresh login" in result.error  # type: ignore[operator]
    assert provider.logins == 2
    assert ENV["ACLED_PASSWORD"] not in str(result.as_dict())


def test_gdelt_first_sync_takes_the_latest_file_then_only_new_ones(
    settings: Settings, store: EventStore, gdelt: tuple[Gdelt, str]
) -> None:
    provider, root = gdelt
    provider.publish(2)
    add(store, "gdelt", "gdelt2", root)
    first = run(settings, "gdelt")
    assert (first.status, first.through) == ("ok", "2025-08-07")
    assert first.ingested + first.quarantined == first.fetched > 0  # every line accounted for
    assert run(settings, "gdelt").fetched == 0
    provider.publish(4)  # two more files: the gap is filled from the master list
    third = run(settings, "gdelt")
    assert third.status == "ok" and third.ingested + third.quarantined == third.fetched
    assert any(p.endswith("masterfilelist.txt") for _, p, _ in provider.requests)
    assert events(store)[0] == first.ingested + third.ingested
    assert registry.states(store)["gdelt"].watermark == {"last": "20250807224500"}


def test_gdelt_backfill_from_since_streams_the_master_list(
    settings: Settings, store: EventStore, gdelt: tuple[Gdelt, str]
) -> None:
    _, root = gdelt
    add(store, "gdelt", "gdelt2", root, since="2025-08-07")
    seen: list[tuple[str, int, int | None]] = []
    (result,) = sync(settings, ["gdelt"], env={}, progress=lambda *a: seen.append(a))
    assert (result.status, result.fetched, result.ingested + result.quarantined) == ("ok", 909, 909)
    assert events(store) == (result.ingested, result.ingested)
    assert [done for label, done, total in seen if label == "gdelt files"] == [1, 2, 3, 4]


def test_a_gdelt_file_with_the_wrong_md5_is_refused_and_nothing_is_ingested(
    settings: Settings, store: EventStore, gdelt: tuple[Gdelt, str]
) -> None:
    provider, root = gdelt
    provider.wrong_md5.add("20250807224500")
    add(store, "gdelt", "gdelt2", root)
    result = run(settings, "gdelt")
    assert result.status == "failed" and "MD5" in result.error  # type: ignore[operator]
    assert events(store) == (0, 0)
    assert registry.states(store)["gdelt"].watermark == {}


def test_sync_without_names_runs_only_due_sources(
    settings: Settings, store: EventStore, gdelt: tuple[Gdelt, str]
) -> None:
    _, root = gdelt
    add(store, "gdelt", "gdelt2", root, every="1h")
    assert [r.source for r in sync(settings, env={})] == ["gdelt"]
    assert sync(settings, env={}) == []


@pytest.mark.parametrize("name", ["", "has space", "a" * 65])
def test_a_bad_source_name_is_refused(name: str) -> None:
    from vigil.errors import UsageError

    with pytest.raises(UsageError, match="source name"):
        registry.make_spec(name, "gdelt2")


def test_a_gdelt_backfill_on_dask_ingests_what_the_local_engine_does(
    vigil_home: Path, gdelt: tuple[Gdelt, str], tmp_path: Path
) -> None:
    pytest.importorskip("distributed")
    from distributed import Client, LocalCluster

    _, root = gdelt
    results = {}
    for engine in ("local", "dask"):
        settings = Settings(home=tmp_path / engine, sync_request_gap=0.0)
        store = EventStore.from_settings(settings)
        add(store, "gdelt", "gdelt2", root, since="2025-08-07")
        if engine == "local":
            (results[engine],) = sync(settings, ["gdelt"], env={})
            continue
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        )
        with cluster, Client(cluster) as client:
            (results[engine],) = sync(settings, ["gdelt"], env={}, client=client)
    assert results["dask"].as_dict() == results["local"].as_dict()
    assert results["dask"].ingested == 884


def test_an_acled_token_about_to_expire_is_refreshed_not_reused(
    settings: Settings, store: EventStore, acled: tuple[Acled, str]
) -> None:
    provider, root = acled
    provider.expires_in = 30  # inside the refresh margin: refresh before every read
    add(store, "acled", "acled", root, user_env="ACLED_USER", password_env="ACLED_PASSWORD")
    result = run(settings, "acled")
    assert (result.status, result.ingested) == ("ok", 400)
    assert provider.grants[0] == "password"
    assert set(provider.grants[1:]) == {"refresh_token"} and len(provider.grants) == 5


def test_a_connection_dropped_during_a_gdelt_download_fails_cleanly_then_recovers(
    settings: Settings, store: EventStore, gdelt: tuple[Gdelt, str]
) -> None:
    provider, root = gdelt
    add(store, "gdelt", "gdelt2", root, since="2025-08-07")
    provider.faults.append(Fault(lambda path, q: path.endswith("224500.export.CSV.zip"), drop=True))
    failed = run(settings, "gdelt")
    assert failed.status == "failed" and events(store) == (0, 0)
    provider.faults.clear()
    done = run(settings, "gdelt")
    assert done.status == "ok" and done.ingested + done.quarantined == done.fetched == 909


def test_requests_to_one_source_keep_the_configured_gap(ucdp: tuple[Ucdp, str]) -> None:
    import httpx

    from vigil.sources.client import Http

    now = [100.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    _, root = ucdp
    with httpx.Client() as client:
        http = Http(client, gap=2.0, sleep=sleep, clock=lambda: now[0])
        for _ in range(3):
            http.request("GET", f"{root}/gedevents/25.1", headers={"x-ucdp-access-token": TOKEN})
            now[0] += 0.5  # the caller works half a second between requests
    assert waits == [1.5, 1.5]
