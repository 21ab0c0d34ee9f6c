"""The event library stands alone: it never imports the CLI, API, web or workspace layers."""

from __future__ import annotations

import subprocess
import sys


def test_vigil_events_imports_no_outer_layer() -> None:
    code = (
        "import sys, vigil.events, vigil.events.signals, vigil.events.engine, vigil.events.bundled;"
        "bad = [m for m in sys.modules if m.split('.')[:2] in "
        "(['vigil', 'cli'], ['vigil', 'api'], ['vigil', 'web'], ['vigil', 'workspace'])];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
