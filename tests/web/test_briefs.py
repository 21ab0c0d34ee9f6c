"""Briefs from ``vigil brief``: two pages each, not blank, footer naming data hash and model."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from typer.testing import CliRunner

from vigil.cli.main import app
from vigil.settings import Settings

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="needs pdftoppm (apt-get install -y poppler-utils)"
)


@pytest.fixture(scope="module")
def briefs(
    site_settings: Settings, snapshot: object, run_vigil, tmp_path_factory
) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("briefs")
    made = {
        "country.pdf": ("brief", "MMR", "--format", "pdf"),
        "country.html": ("brief", "Burma/Myanmar", "--format", "html"),
        "watchlist.pdf": ("brief", "--watchlist", "--format", "pdf"),
    }
    for name, args in made.items():
        run_vigil(site_settings.home, *args, "--output", str(out / name))
    return {name: out / name for name in made}


@pytest.mark.parametrize("name", ["country.pdf", "watchlist.pdf"])
def test_each_brief_is_two_pages_with_hash_and_model_in_every_footer(briefs, snapshot, name):
    pages = PdfReader(briefs[name]).pages
    assert len(pages) == 2
    for page in pages:
        text = " ".join(page.extract_text().split())
        assert snapshot.data_sha256 in text.replace(" ", "")
        assert f"model {snapshot.model}" in text


@needs_poppler
@pytest.mark.parametrize("name", ["country.pdf", "watchlist.pdf"])
def test_every_pdf_page_renders_to_a_picture_that_is_not_blank(briefs, name, tmp_path):
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(briefs[name]), str(tmp_path / "page")],
                   check=True, timeout=120)  # fmt: skip
    pictures = sorted(tmp_path.glob("page*.png"))
    assert len(pictures) == 2
    for picture in pictures:
        grey = Image.open(picture).convert("L")
        inked = sum(grey.histogram()[:200])
        assert inked / (grey.width * grey.height) > 0.01, f"{picture.name} is blank"
    keep = Path(__file__).parents[2] / "artifacts" / "screenshots"
    keep.mkdir(parents=True, exist_ok=True)
    for picture in pictures:
        shutil.copy(picture, keep / f"brief-{name.replace('.pdf', '')}-{picture.name}")


def test_html_brief_names_the_country_the_model_and_the_data(briefs, snapshot):
    html = briefs["country.html"].read_text(encoding="utf-8")
    assert "<h1>Burma/Myanmar</h1>" in html
    assert snapshot.data_sha256 in html
    assert f"model {snapshot.model}" in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("brief",), "either a COUNTRY"),
        (("brief", "MMR", "--watchlist"), "either a COUNTRY"),
        (("brief", "Atlantis"), "no forecast for country 'Atlantis'"),
    ],
)
def test_brief_refuses_bad_requests_with_one_clear_line(
    site_settings, snapshot, monkeypatch, args, message
):
    monkeypatch.setenv("VIGIL_HOME", str(site_settings.home))
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 1
    assert message in result.output
