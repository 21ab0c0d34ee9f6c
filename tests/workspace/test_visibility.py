"""What the workspace derives from stored material stays within the material's classification:
an alert's previous rating, triage's learned corrections, the editor's unshown evidence, links.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigil.errors import UsageError
from vigil.spreadsheet import FORMULA_STARTS, csv_text, neutralise
from vigil.workspace import alerts, assessments
from vigil.workspace import reports as store
from vigil.workspace.access import Clearance
from vigil.workspace.database import Database
from vigil.workspace.users import User


def _submitted(db: Database, user: User, day: int, level: str, rating: str) -> int:
    with db.session() as session:
        made = assessments.create_assessment(
            session,
            user,
            "MMR",
            date(2025, 1, day),
            confidentiality=level,
            ratings=[assessments.RatingInput("RF1.1", rating)],
        )
        assessments.transition(session, user, made, "submitted", expected_version=1)
        return made.id


def test_a_public_alert_never_quotes_a_confidential_previous_rating(
    db: Database, people: dict[str, User]
) -> None:
    with db.session() as session:
        alerts.add_rule(
            session, people["admin"], "factor", "assessment_factor", {"level": "present"}
        )
    analyst = people["analyst"]
    _submitted(db, analyst, 1, "confidential", "strongly_present")
    public = _submitted(db, analyst, 2, "public", "present")
    with db.session() as session:
        made = assessments.get_assessment(session, analyst, public)
        [raised] = alerts.check_assessment(session, analyst, made)
        assert raised.confidentiality == "public"
        assert raised.detail["previous"] is None
        earlier = assessments.previous_assessment(session, made)
        assert earlier is None


def test_a_confidential_alert_may_quote_a_public_previous_rating(
    db: Database, people: dict[str, User]
) -> None:
    analyst = people["analyst"]
    first = _submitted(db, analyst, 1, "public", "absent")
    later = _submitted(db, analyst, 2, "confidential", "present")
    with db.session() as session:
        made = assessments.get_assessment(session, analyst, later)
        earlier = assessments.previous_assessment(session, made)
        assert earlier is not None and earlier.id == first


def test_triage_learns_only_from_reports_within_the_clearance(
    db: Database, people: dict[str, User]
) -> None:
    analyst = people["analyst"]
    with db.session() as session:
        for level in ("public", "confidential"):
            stored = store.store_report(
                session,
                analyst,
                store.ReportInput(title=level, text=f"{level} story of forced displacement"),
            )
            stored.report.confidentiality = level
            session.flush()
            store.label(session, analyst, stored.report, "RF9", "confirmed")
        for clearance, expected in (("public", 1), ("restricted", 1), ("confidential", 2)):
            examples = store.training_examples(session, Clearance(clearance))
            assert len(examples) == expected
            assert all("confidential" not in t for t, _ in examples) or expected == 2


def test_an_unchanged_editor_submit_keeps_the_evidence_it_does_not_show(
    db: Database, people: dict[str, User]
) -> None:
    analyst = people["analyst"]
    evidence = ({"kind": "url", "ref": "https://example.org/witness", "note": "w"},)
    with db.session() as session:
        made = assessments.create_assessment(
            session,
            analyst,
            "SDN",
            date(2025, 1, 1),
            ratings=[assessments.RatingInput("RF1.1", "present", note="n", evidence=evidence)],
        )
        as_the_form_sends_it = assessments.RatingInput(
            "RF1.1", "present", "medium", note="n", evidence=None
        )
        assessments.update_assessment(
            session, analyst, made, expected_version=1, ratings=[as_the_form_sends_it]
        )
        [kept] = [r for r in made.ratings if r.indicator_id == "RF1.1"]
        assert kept.evidence == [dict(evidence[0])]


@pytest.mark.parametrize(
    ("field", "size"),
    [("note", assessments.MAX_NOTE + 1), ("summary", assessments.MAX_SUMMARY + 1)],
)
def test_an_over_long_note_or_summary_is_refused_not_cut(
    db: Database, people: dict[str, User], field: str, size: int
) -> None:
    analyst = people["analyst"]
    with db.session() as session:
        made = assessments.create_assessment(session, analyst, "SDN", date(2025, 1, 1))
        made_id = made.id
    long_text = "x" * size
    with pytest.raises(UsageError, match="the limit is"), db.session() as session:
        found = assessments.get_assessment(session, analyst, made_id)
        if field == "note":
            ratings = [assessments.RatingInput("RF1.1", "present", note=long_text)]
            assessments.update_assessment(session, analyst, found, expected_version=1,
                                          ratings=ratings)  # fmt: skip
        else:
            assessments.update_assessment(session, analyst, found, expected_version=1,
                                          summary=long_text)  # fmt: skip
    with db.session(write=False) as session:
        found = assessments.get_assessment(session, analyst, made_id)
        assert found.version == 1 and found.summary == ""


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.domain)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "//evil.example/x",
        "/relative/path",
        "http://",
        "https:evil.example",
        "http://exa mple.org/",
    ],
)
def test_reports_accept_only_http_and_https_links(
    db: Database, people: dict[str, User], url: str
) -> None:
    with db.session() as session, pytest.raises(UsageError, match="only http"):
        store.store_report(
            session, people["analyst"], store.ReportInput(title="t", text=f"story {url}", url=url)
        )
    with db.session() as session:
        kept = store.store_report(
            session,
            people["analyst"],
            store.ReportInput(title="t", text="a story", url="https://example.org/a?b=c"),
        )
        assert kept.report.url == "https://example.org/a?b=c"


def _number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


@given(st.text(max_size=30))
def test_no_csv_cell_starts_like_a_formula(value: str) -> None:
    cell = neutralise(value)
    if value.startswith(FORMULA_STARTS):
        assert cell == "'" + value or (cell == value and _number(value))
    else:
        assert cell == value


def test_csv_keeps_numbers_and_neutralises_formulas() -> None:
    text = csv_text(["a", "b"], [['=HYPERLINK("http://x")', "-0.0125"], ["@SUM(A1)", "+3"]])
    assert text.splitlines() == ["a,b", '"\'=HYPERLINK(""http://x"")",-0.0125', "'@SUM(A1),+3"]


SCRIPTED_FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>t</title>
<item><title>one</title><link>javascript:alert(document.domain)</link><description>a</description></item>
<item><title>two</title><link>https://example.org/two</link><description>b</description></item>
</channel></rss>"""


def test_a_feed_item_keeps_only_a_web_link() -> None:
    from vigil.workspace.intake import read_feed

    first, second = read_feed(SCRIPTED_FEED)
    assert first.link is None and first.title == "one"
    assert second.link == "https://example.org/two"


@given(st.text(max_size=60))
def test_only_http_and_https_addresses_pass_as_links(value: str) -> None:
    from vigil.workspace.links import is_web_url

    if is_web_url(value):
        assert value.lower().startswith(("http://", "https://"))
        assert not any(c.isspace() or ord(c) < 32 for c in value)
