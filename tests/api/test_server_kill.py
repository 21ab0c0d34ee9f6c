"""Killing the server mid-write loses nothing it acknowledged and leaves nothing half-written."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from clients import bearer, make_users
from servers import free_port, wait_until_up
from sqlalchemy import func, select
from workspace_databases import backends, database_url

from vigil.workspace import audit
from vigil.workspace.assessments import Assessment, AssessmentRevision, IndicatorRating
from vigil.workspace.database import open_database
from vigil.workspace.framework import load_framework
from vigil.workspace.reports import Report, ReportBand

#: The API application alone under uvicorn (the web pages' start-up is not under test here).
SERVER = (
    "import sys, uvicorn; from vigil.api import create_app; from vigil.settings import Settings; "
    "uvicorn.run(create_app(Settings.from_env()), host='127.0.0.1', port=int(sys.argv[1]), "
    "log_level='warning')"
)


def _serve(home: Path, url: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "VIGIL_HOME": str(home), "VIGIL_DATABASE_URL": url}
    process = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(process, f"{base}/openapi.json")
    except RuntimeError as err:
        assert process.stderr is not None
        raise AssertionError(f"{err}: {process.stderr.read().decode()[-2000:]}") from err
    return process, base


def _writer(base: str, token: str, kind: str, stop: threading.Event, acked: list[int]) -> None:
    with httpx.Client(base_url=base, headers=bearer(token), timeout=30) as client:
        n = 0
        while not stop.is_set():
            n += 1
            if kind == "report":
                path = "/api/v1/reports?triage=false"
                body: dict[str, object] = {"text": f"crash test report {threading.get_ident()} {n}"}
            else:
                path = "/api/v1/assessments"
                body = {
                    "iso3": "MMR",
                    "assessed_on": "2025-01-01",
                    "summary": f"{n}",
                    "ratings": [{"indicator_id": "RF1.1", "rating": "present"}],
                }
            try:
                response = client.post(path, json=body)
            except httpx.TransportError:
                return
            if response.status_code == 201:
                acked.append(response.json()["id"])


@pytest.mark.slow
@pytest.mark.parametrize("backend", backends())
def test_a_killed_server_keeps_every_acknowledged_write_and_no_partial_one(
    backend: str, tmp_path: Path
) -> None:
    with database_url(backend, tmp_path) as url:
        token = make_users(url)[("analyst", "public")]
        process, base = _serve(tmp_path, url)
        stop = threading.Event()
        acked: dict[str, list[int]] = {"report": [], "assessment": []}
        threads = [
            threading.Thread(target=_writer, args=(base, token, kind, stop, acked[kind]))
            for kind in ("report", "assessment")
            for _ in range(3)
        ]
        for thread in threads:
            thread.start()
        while len(acked["report"]) < 30 or len(acked["assessment"]) < 10:
            assert process.poll() is None, process.stderr.read().decode()[-2000:]
            time.sleep(0.05)
        process.kill()
        process.wait()
        process.stderr.close()
        stop.set()
        for thread in threads:
            thread.join()
        _check_store(url, acked)


def _check_store(url: str, acked: dict[str, list[int]]) -> None:
    db = open_database(url)
    indicators = len(load_framework().indicators)
    with db.session(write=False) as session:
        reports = set(session.scalars(select(Report.id)))
        assessments = set(session.scalars(select(Assessment.id)))
        assert set(acked["report"]) <= reports and set(acked["assessment"]) <= assessments
        for report_id in reports:
            bands = session.scalar(select(func.count()).where(ReportBand.report_id == report_id))
            assert bands and bands > 0
        for assessment_id in assessments:
            ratings = session.scalar(
                select(func.count()).where(IndicatorRating.assessment_id == assessment_id)
            )
            revisions = session.scalar(
                select(func.count()).where(AssessmentRevision.assessment_id == assessment_id)
            )
            assert (ratings, revisions) == (indicators, 1)
        for entity, ids in (("report", reports), ("assessment", assessments)):
            logged = {
                int(e.entity_id)
                for e in session.scalars(
                    select(audit.AuditEntry).where(audit.AuditEntry.entity == entity)
                )
            }
            assert logged == ids
    db.dispose()
