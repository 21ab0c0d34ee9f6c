"""A user's choice among an enumeration's values: the member, or one usage error naming them."""

from __future__ import annotations

from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigil.choices import parse_choice
from vigil.errors import UsageError


class Colour(StrEnum):
    red = "red"
    green = "green"


def test_a_valid_value_gives_its_member() -> None:
    assert parse_choice(Colour, "green", "colour") is Colour.green


@given(st.text().filter(lambda s: s not in {"red", "green"}))
def test_anything_else_is_a_usage_error_listing_the_choices(value: str) -> None:
    with pytest.raises(UsageError, match=r"unknown colour .*: use one of red, green"):
        parse_choice(Colour, value, "colour")
