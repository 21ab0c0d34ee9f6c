"""The built wheel is what users install: it must carry every file the package reads and run.

The wheel is built from the files git tracks (as a clean clone would have them), installed
without its dependencies into a folder of its own, and run from outside the checkout, so nothing
of the working tree can stand in for a file the wheel lacks.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from servers import free_port

REPO = Path(__file__).resolve().parents[1]
SAMPLE = "vigil/data/events/ged231-sample-1000.csv.gz"


def _tracked_files() -> list[str]:
    """Paths (relative to the repository) of the files a clean clone would have."""
    if not (REPO / ".git").exists() or shutil.which("git") is None:
        pytest.skip("not a git checkout: the tracked files are unknown")
    listing = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True,
                             check=True)  # fmt: skip
    return [name for name in listing.stdout.decode().split("\0") if name]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built, as a user's `pip install .` would, from a copy of the tracked files."""
    source = tmp_path_factory.mktemp("clean-clone")
    for name in _tracked_files():
        if (REPO / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, source / name)
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
               "-w", str(out), str(source)]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    (built,) = out.glob("vigil-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel unpacked by pip into a folder of its own (its dependencies come from here)."""
    target = tmp_path_factory.mktemp("site")
    command = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-compile",
               "--target", str(target), str(wheel)]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True, timeout=600)
    return target


def _run(installed: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the installed `vigil` from outside the checkout, on data directory ``home``."""
    env = {**os.environ, "PYTHONPATH": str(installed), "VIGIL_HOME": str(home)}
    command = [sys.executable, "-c", "from vigil.cli.main import run; run()", *args]
    return subprocess.run(command, env=env, cwd=home, capture_output=True, text=True,
                          timeout=600, check=False)  # fmt: skip


def test_wheel_carries_every_tracked_file_of_the_package(wheel: Path) -> None:
    shipped = set(zipfile.ZipFile(wheel).namelist())
    package_files = [n for n in _tracked_files() if n.startswith("vigil/")]
    missing = [name for name in package_files if name not in shipped]
    assert not missing, f"the wheel lacks {missing}: add their kind to package-data"


def test_installed_wheel_imports_from_its_own_folder(installed: Path, tmp_path: Path) -> None:
    done = _run(installed, tmp_path, "--help")
    assert done.returncode == 0, done.stderr
    env = {**os.environ, "PYTHONPATH": str(installed)}
    command = [sys.executable, "-c", "import vigil; print(vigil.__file__)"]
    where = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True,
                           check=True)  # fmt: skip
    assert Path(where.stdout.strip()).is_relative_to(installed)


def test_installed_wheel_forecasts_on_its_bundled_table(installed: Path, tmp_path: Path) -> None:
    done = _run(installed, tmp_path, "forecast", "--format", "csv")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[0] == "country,ccode,iso3,base_year,model,probability,rank"
    assert len(lines) > 160
    assert lines[1].endswith(",1")


def test_installed_wheel_ingests_its_bundled_sample(installed: Path, tmp_path: Path) -> None:
    sample = installed / SAMPLE
    done = _run(installed, tmp_path, "events", "ingest", str(sample), "--format", "ucdp-ged",
                "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary, _ = json.JSONDecoder().raw_decode(done.stdout.lstrip())
    assert summary["read"] == 1000
    assert summary["ingested"] > 900


@pytest.fixture
def served(installed: Path, tmp_path: Path) -> Iterator[str]:
    """`vigil serve` from the installed wheel on a free loopback port."""
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(installed), "VIGIL_HOME": str(tmp_path)}
    log = (tmp_path / "serve.log").open("w+")
    process = subprocess.Popen(
        [sys.executable, "-c", "from vigil.cli.main import run; run()", "serve", "--port",
         str(port)], env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_installed_wheel_serves_the_dashboard(served: str, tmp_path: Path) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            page = httpx.get(served + "/", timeout=5)
        except httpx.HTTPError:
            time.sleep(0.5)
            continue
        assert page.status_code == 200
        assert "Vigil" in page.text
        for route in ("/watchlist", "/countries/MMR", "/static/vigil.css"):
            assert httpx.get(served + route, timeout=30).status_code == 200, route
        return
    pytest.fail(f"serve did not answer: {(tmp_path / 'serve.log').read_text()[-2000:]}")


# Literals that look like data files but are not files the package reads from itself: routes,
# files it writes, and files of other packages.
NOT_READ_FROM_THE_PACKAGE = {
    "/openapi.json": "an API route",
    "/watchlist.csv": "a dashboard route",
    "geo/world_110m.json": "the URL plotly.js asks the dashboard for",
    "plotly.min.js": "plotly's own file, served from the plotly package",
    "package_data/plotly.min.js": "plotly's own file",
    "index.html": "the backtest report's page, written",
    "events.parquet": "the Dask engine's export, written beside the store",
    "web/seeded.json": "the marker the dashboard writes in the data directory",
    ".utf8.csv": "suffix of a transcoded event file, written",
    ".staged.parquet": "suffix of a staged event file, written",
    ".rejects.parquet": "suffix of a staged event file's rejects, written",
    ".provenance.json": "suffix of a rebuilt table's provenance, written beside it",
    ".csv.gz": "suffix of a compressed raw source, read from the sources folder",
    ".Rdata.gz": "suffix of a compressed raw source, read from the sources folder",
    "data.Rdata": "name of a raw source in the sources folder",
    "sources.json": "the live sources' state the sync writes in the data directory",
    ".export.CSV.zip": "suffix of a GDELT export file, downloaded",
    "/lastupdate.txt": "a GDELT feed address",
    "/masterfilelist.txt": "a GDELT feed address",
}
DATA_LITERAL = re.compile(
    r"^[\w./-]+\.(csv|tsv|gz|zip|parquet|txt|md|json|jsonl|yaml|toml|ini|mako|html|css|js|svg"
    r"|png|ico|woff2|xlsx|xls|ics|R|Rmd|Rdata|rds|dta)$"
)


def _data_literals() -> dict[str, str]:
    """Every string literal in the package's code that names a data file, with where it is."""
    found = {}
    for module in sorted((REPO / "vigil").rglob("*.py")):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            value = node.value if isinstance(node, ast.Constant) else None
            if isinstance(value, str) and DATA_LITERAL.match(value):
                found[value] = f"{module.relative_to(REPO)}:{getattr(node, 'lineno', 0)}"
    return found


def test_every_data_file_the_code_names_is_in_the_wheel(wheel: Path) -> None:
    shipped = zipfile.ZipFile(wheel).namelist()
    missing = [
        f"{name} ({where})"
        for name, where in _data_literals().items()
        if name not in NOT_READ_FROM_THE_PACKAGE
        and not any(entry.endswith("/" + name) for entry in shipped)
    ]
    assert not missing, f"the code names files the wheel lacks: {missing}"
