"""The Jinja2 environment of the pages and briefs, and the filters the templates use."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from vigil import __version__


def percent(value: float | None, digits: int = 1) -> str:
    """A probability as a percentage ('—' when missing)."""
    if value is None:
        return "—"
    return f"{value:.{digits}%}"


def change(value: float | None) -> Markup:
    """A change in probability with an arrow, coloured by direction."""
    if value is None:
        return Markup('<span class="muted">new</span>')
    points = value * 100
    if abs(points) < 0.05:
        return Markup('<span class="flat" title="unchanged">±0.0 pts</span>')
    kind, arrow, word = ("up", "▲", "up") if points > 0 else ("down", "▼", "down")
    return Markup(
        f'<span class="{kind}"><span aria-hidden="true">{arrow}</span> '
        f'<span class="sr-only">{word} </span>{abs(points):.1f} pts</span>'
    )


def number(value: float | None, digits: int = 2) -> str:
    """A model input value, compactly."""
    if value is None:
        return "—"
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.{digits}f}"


@cache
def environment() -> Environment:
    """The shared template environment (autoescaped, strict about missing names)."""
    env = Environment(
        loader=PackageLoader("vigil.web", "templates"),
        autoescape=select_autoescape(("html", "xml")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(percent=percent, change=change, number=number)
    env.globals.update(version=__version__)
    return env


def render(template: str, **context: Any) -> str:
    """Render one template with ``context``."""
    return environment().get_template(template).render(**context)
