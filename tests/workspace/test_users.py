"""Users: argon2 passwords, hashed API tokens, disabling, and the audit trail of changes."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from vigil.errors import AuthenticationError, ConflictError, UsageError
from vigil.workspace import audit
from vigil.workspace.database import Database
from vigil.workspace.users import (
    ApiToken,
    User,
    add_user,
    authenticate,
    disable_user,
    issue_token,
    system_actor,
    token_owner,
    user_for_token,
)


def test_passwords_are_stored_as_argon2_hashes_and_checked(db: Database) -> None:
    with db.session() as session:
        add_user(session, system_actor, "ana", role="analyst", password="s3cret-words")
    with db.session() as session:
        user = session.scalar(select(User).where(User.name == "ana"))
        assert user is not None and user.password_hash is not None
        assert user.password_hash.startswith("$argon2id$")
        assert "s3cret-words" not in user.password_hash
        assert authenticate(session, "ana", "s3cret-words").name == "ana"
        with pytest.raises(AuthenticationError):
            authenticate(session, "ana", "wrong-words")
        with pytest.raises(AuthenticationError):
            authenticate(session, "nobody", "s3cret-words")


def test_only_the_hash_of_an_api_token_is_stored(db: Database) -> None:
    with db.session() as session:
        user = add_user(session, system_actor, "ana", role="analyst")
        token = issue_token(session, system_actor, user)
    with db.session() as session:
        stored = session.scalars(select(ApiToken.token_hash)).all()
        assert token not in stored and len(stored) == 1
        assert user_for_token(session, token).name == "ana"
        with pytest.raises(AuthenticationError):
            user_for_token(session, token + "x")
    with db.reading() as connection:
        assert token_owner(connection, token) == {
            "id": user.id, "name": "ana", "role": "analyst", "clearance": "public"
        }  # fmt: skip
        with pytest.raises(AuthenticationError):
            token_owner(connection, token + "x")


def test_a_disabled_user_can_no_longer_sign_in_or_use_tokens(db: Database) -> None:
    with db.session() as session:
        user = add_user(session, system_actor, "ana", password="s3cret-words")
        token = issue_token(session, system_actor, user)
    with db.session() as session:
        disable_user(session, system_actor, "ana")
    with db.session() as session:
        with pytest.raises(AuthenticationError):
            authenticate(session, "ana", "s3cret-words")
        with pytest.raises(AuthenticationError):
            user_for_token(session, token)
    with db.reading() as connection, pytest.raises(AuthenticationError):
        token_owner(connection, token)


@pytest.mark.parametrize(
    ("name", "role", "clearance", "password"),
    [
        ("a b", "viewer", "public", None),
        ("x", "king", "public", None),
        ("x", "viewer", "secret", None),
        ("x", "viewer", "public", "short"),
    ],
)
def test_bad_user_details_are_refused(
    db: Database, name: str, role: str, clearance: str, password: str | None
) -> None:
    with pytest.raises(UsageError), db.session() as session:
        add_user(session, system_actor, name, role=role, clearance=clearance, password=password)


def test_user_names_are_unique_and_changes_are_audited_without_secrets(db: Database) -> None:
    with db.session() as session:
        add_user(session, system_actor, "ana", password="s3cret-words")
    with pytest.raises(ConflictError), db.session() as session:
        add_user(session, system_actor, "ana")
    with db.session() as session:
        disable_user(session, system_actor, "ana")
    with db.session(write=False) as session:
        entries, _ = audit.entries(session, system_actor, entity="user")
    assert [e.action for e in entries] == ["update", "create"]
    assert entries[0].before["active"] is True and entries[0].after["active"] is False
    assert all("password_hash" not in (e.after or {}) for e in entries)
