"""Structural-risk commands: forecast, backtest, models, explain."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the structural-risk commands to the top-level app."""
