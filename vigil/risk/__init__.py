"""Structural risk: the country-year table, risk models, forecasts, backtests and explanations."""
