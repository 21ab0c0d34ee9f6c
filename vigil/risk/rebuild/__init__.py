"""Rebuild the country-year modelling table from its raw sources, and compare two tables."""

from __future__ import annotations

from vigil.risk.rebuild.build import RebuiltTable, rebuild, write_table

__all__ = ["RebuiltTable", "rebuild", "write_table"]
