"""The workspace library stands alone: it never imports the API, the web pages or the CLI."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import vigil.workspace

#: Every module of the package, found rather than listed (migration scripts run under
#: Alembic only, so the migrations package is imported but not its scripts).
MODULES = tuple(m.name for m in pkgutil.iter_modules(vigil.workspace.__path__))


def test_workspace_modules_do_not_import_api_web_or_cli() -> None:
    assert {"alerts", "users", "database"} <= set(MODULES)
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
