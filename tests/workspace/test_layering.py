"""The workspace library stands alone: it never imports the API, the web pages or the CLI."""

from __future__ import annotations

import subprocess
import sys

MODULES = ("access", "alerts", "assessments", "audit", "backup", "database", "notes",
           "notifications", "reports", "responses", "schema", "users")  # fmt: skip


def test_workspace_modules_do_not_import_api_web_or_cli() -> None:
    code = (
        "import sys\n"
        + "".join(f"import vigil.workspace.{name}\n" for name in MODULES)
        + "bad = sorted(m for m in sys.modules if m.split('.')[:2] in "
        "(['vigil', 'api'], ['vigil', 'web'], ['vigil', 'cli']) or m == 'fastapi')\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
