"""The risk library stands alone: it never imports the workspace, API, web pages or CLI."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import vigil.risk

OUTER = (["vigil", "workspace"], ["vigil", "api"], ["vigil", "web"], ["vigil", "cli"])


def test_every_risk_module_imports_no_outer_layer() -> None:
    modules = [m.name for m in pkgutil.walk_packages(vigil.risk.__path__, "vigil.risk.")]
    assert "vigil.risk.picture" in modules and "vigil.risk.variables" in modules
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[:2] in {OUTER!r} or m == 'fastapi')\n"
        "print(','.join(bad))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""
