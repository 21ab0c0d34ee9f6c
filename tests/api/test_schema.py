"""Property-based checks of the whole API against its own OpenAPI spec (schemathesis).

Every operation is called with generated requests as an admin: no response may be a server
error, and every response must match the documented status codes, content types and schemas.
Forecast-computing routes and the feed poller (which would fetch generated URLs) are left out;
they have their own tests.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from clients import bearer, make_users
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from workspace_databases import backends, database_url

from vigil.api import create_app
from vigil.api.app import start
from vigil.settings import Settings

EXCLUDED = re.compile(r"forecasts|/alerts/evaluate|/poll$")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _labels() -> list[str]:
    """Every operation in the spec (built without a database), as ``METHOD /path``."""
    with tempfile.TemporaryDirectory() as home:
        spec = create_app(Settings(home=Path(home))).openapi()
    return [
        f"{method.upper()} {path}"
        for path, item in spec["paths"].items()
        for method in item
        if not EXCLUDED.search(path)
    ]


@dataclass
class Api:
    schema: Any
    token: str


@pytest.fixture(scope="module", params=backends())
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    home = tmp_path_factory.mktemp("schema")
    with database_url(request.param, home) as url:
        settings_ = Settings(home=home, database_url=url, triage_embeddings=False)
        app = create_app(settings_)
        start(app, settings_)
        token = make_users(url)[("admin", "confidential")]
        yield Api(schemathesis.openapi.from_asgi("/openapi.json", app), token)
        app.state.db.dispose()


@pytest.mark.parametrize("label", _labels())
def test_no_operation_errors_or_breaks_its_schema(api: Api, label: str) -> None:
    operation = api.schema.find_operation_by_label(label)

    @given(case=operation.as_strategy())
    @settings(
        max_examples=10,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=bearer(api.token), checks=CHECKS)

    call()
