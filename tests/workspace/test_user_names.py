"""User names: NFKC-normalised, and no control or format characters that let one name pass
for another on screen (zero-width joiners, right-to-left overrides, NUL)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigil.errors import ConflictError, UsageError
from vigil.workspace.database import Database
from vigil.workspace.users import add_user, authenticate, check_name, get_user, system_actor


@pytest.mark.parametrize(
    "name",
    ["ad\u200bmin", "\u202eadmin", "ad\x00min", "admin\u200d", "ad\u2060min", "ad\tmin",
     "ad min", "\ufeffadmin", "ad\u00admin", ""],
    ids=["zero-width-space", "rtl-override", "nul", "zero-width-joiner", "word-joiner", "tab",
         "space", "byte-order-mark", "soft-hyphen", "empty"],
)  # fmt: skip
def test_names_with_invisible_or_control_characters_are_refused(db: Database, name: str) -> None:
    with db.session() as session, pytest.raises(UsageError):
        add_user(session, system_actor, name)


def test_a_lookalike_in_compatibility_form_is_the_same_name(db: Database) -> None:
    with db.session() as session:
        add_user(session, system_actor, "admin", role="admin", password="admin password")
    with db.session() as session, pytest.raises(ConflictError):
        add_user(session, system_actor, "\uff41\uff44\uff4d\uff49\uff4e")  # full-width "admin"
    with db.session() as session:
        assert get_user(session, "\uff41dmin").name == "admin"
        assert authenticate(session, "\uff41dmin", "admin password").name == "admin"


def test_names_are_stored_in_nfkc(db: Database) -> None:
    with db.session() as session:
        user = add_user(session, system_actor, "\ufb01ona")  # the "fi" ligature
    assert user.name == "fiona"


@given(st.text(max_size=40))
def test_any_accepted_name_is_normalised_and_visible(text: str) -> None:
    try:
        name = check_name(text)
    except UsageError:
        return
    assert name == unicodedata.normalize("NFKC", name) and 1 <= len(name) <= 120
    assert all(unicodedata.category(c)[0] not in "CZ" for c in name)
