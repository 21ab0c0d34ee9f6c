"""``vigil db``, ``vigil users`` and ``vigil response``: the workspace from the command line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from vigil.cli.main import app
from vigil.settings import Settings
from vigil.workspace.database import open_database
from vigil.workspace.users import user_for_token

runner = CliRunner()


def vigil(*args: str, stdin: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=stdin)
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_users_add_list_token_and_disable(vigil_home: Path) -> None:
    vigil(
        "users",
        "add",
        "ana",
        "--role",
        "analyst",
        "--clearance",
        "restricted",
        "--password-stdin",
        stdin="s3cret-words\n",
    )
    token = vigil("users", "token", "ana").strip()
    assert token.startswith("vgl_")
    listing = vigil("users", "list")
    assert "ana" in listing and "analyst" in listing and "restricted" in listing
    db = open_database(Settings(home=vigil_home))
    with db.session() as session:
        assert user_for_token(session, token).name == "ana"
    vigil("users", "disable", "ana")
    assert " no " in vigil("users", "list")


@pytest.mark.parametrize(
    "args",
    [
        ("users", "add", "ana", "--role", "emperor"),
        ("users", "token", "nobody"),
        ("users", "add", "ana", "--password-stdin"),
    ],
)
def test_bad_user_commands_fail_with_a_vigil_error(args: tuple[str, ...]) -> None:
    result = runner.invoke(app, list(args), input="")
    assert result.exit_code == 1 and "error" in result.output


def test_db_backup_and_restore_round_trip_from_the_command_line(
    vigil_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert re.search(r"database at revision \d{4} ", vigil("db", "upgrade"))
    vigil("users", "add", "ana", "--role", "admin")
    vigil("db", "backup", str(tmp_path / "ws.jsonl.gz"))
    fresh = tmp_path / "fresh"
    monkeypatch.setenv("VIGIL_HOME", str(fresh))
    assert "restored" in vigil("db", "restore", str(tmp_path / "ws.jsonl.gz"))
    assert "ana" in vigil("users", "list")
    refused = runner.invoke(app, ["db", "restore", str(tmp_path / "ws.jsonl.gz")])
    assert refused.exit_code != 0


def test_response_report_prints_tables_and_json() -> None:
    assert "Response by situation" in vigil("response", "report")
    data = json.loads(vigil("response", "report", "--json"))
    assert data["situations"] == [] and data["alerts_without_action"] == 0
