"""Fixtures of the web tests: one seeded data directory, and a real ``vigil serve`` on it.

Building the risk snapshot fits the default model once; the session shares it, so the server
(and the brief and page tests) start from the cached snapshot, as a second ``vigil serve`` would.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from servers import free_port

from vigil.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).parents[2] / "artifacts" / "screenshots"
PASSWORD = "correct horse battery"
STARTUP_SECONDS = 240
#: The ``vigil`` command of the interpreter running the tests.
VIGIL = (sys.executable, "-c", "from vigil.cli.main import run; run()")


@dataclass(frozen=True)
class Server:
    """A running ``vigil serve``: where it listens, its data directory, the admin password."""

    url: str
    home: Path
    admin_password: str
    process: subprocess.Popen[str]


def vigil(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the ``vigil`` command on ``home`` and return its result (failing loudly)."""
    env = {**os.environ, "VIGIL_HOME": str(home)}
    command = [*VIGIL, *args]
    done = subprocess.run(command, env=env, input=stdin, capture_output=True, text=True,
                          timeout=600, check=False)  # fmt: skip
    assert done.returncode == 0, f"vigil {' '.join(args)} failed: {done.stderr}"
    return done


@pytest.fixture(scope="session")
def site_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings of one data directory shared by the web tests."""
    return Settings(home=tmp_path_factory.mktemp("web-home"))


@pytest.fixture(scope="session")
def snapshot(site_settings: Settings):  # type: ignore[no-untyped-def]
    """The risk snapshot of the shared data directory (built once, then cached there)."""
    from vigil.web.snapshot import load_snapshot

    return load_snapshot(site_settings)


def _wait_until_up(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"vigil serve exited early: {process.stdout.read() if process.stdout else ''}"
            )
        try:
            if httpx.get(url + "/", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"vigil serve did not answer within {STARTUP_SECONDS} s")


@pytest.fixture(scope="session")
def server(
    site_settings: Settings, snapshot: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """``vigil serve`` on a fresh data directory and a free loopback port, plus two users.

    The shared directory's cached risk snapshot is copied in (as a second start would find
    it), so the server's first run seeds the workspace without refitting the model.
    """
    home = tmp_path_factory.mktemp("serve-home")
    (home / "web").mkdir()
    for cached in (site_settings.home / "web").glob("picture-*.json"):
        shutil.copy(cached, home / "web" / cached.name)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "VIGIL_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    log = (home / "serve.log").open("w+")
    process = subprocess.Popen(
        [*VIGIL, "serve", "--port", str(port)],
        env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        _wait_until_up(url, process)
        log.seek(0)
        found = re.search(r"one-time password: (\S+)", log.read())
        assert found, "the first run did not print the admin's one-time password"
        for name, role, clearance in (
            ("ana", "analyst", "confidential"),
            ("vic", "viewer", "public"),
        ):
            vigil(home, "users", "add", name, "--role", role, "--clearance",
                  clearance, "--password-stdin", stdin=PASSWORD + "\n")  # fmt: skip
        yield Server(url=url, home=home, admin_password=found.group(1),
                     process=process)  # fmt: skip
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def chromium_missing() -> bool:
    """Whether the Debian chromium the browser tests drive is absent."""
    return not CHROMIUM.exists()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    if chromium_missing():
        pytest.skip("browser tests need /usr/bin/chromium (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, server):  # type: ignore[no-untyped-def]
    """A fresh browser page that refuses any request off the loopback server."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside: list[str] = []

    def guard(route):  # type: ignore[no-untyped-def]
        if route.request.url.startswith(server.url):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    tab = context.new_page()
    tab.outside_requests = outside
    yield tab
    context.close()


def screenshot(tab, name: str) -> Path:  # type: ignore[no-untyped-def]
    """Save a full-page screenshot under artifacts/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    return path


def poppler_missing() -> bool:
    """Whether pdftoppm (poppler-utils) is absent."""
    return shutil.which("pdftoppm") is None


@pytest.fixture(scope="session")
def password() -> str:
    """The password of the test users 'ana' (analyst, confidential) and 'vic' (viewer)."""
    return PASSWORD


@pytest.fixture(scope="session")
def run_vigil():  # type: ignore[no-untyped-def]
    """The :func:`vigil` command runner."""
    return vigil


@pytest.fixture(scope="session")
def shoot():  # type: ignore[no-untyped-def]
    """The :func:`screenshot` saver."""
    return screenshot
