"""SVG charts: described for screen readers, honest about missing data."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from vigil.web.charts import history_chart, sparkline

probabilities = st.lists(st.floats(0, 1, allow_nan=False), min_size=2, max_size=40)


@given(probabilities)
def test_sparkline_is_a_labelled_image_whatever_the_values(values):
    svg = sparkline([(1993 + i, p) for i, p in enumerate(values)])
    assert svg.startswith("<svg") and 'role="img"' in svg and "aria-label=" in svg
    assert "nan" not in svg.lower()


@given(probabilities)
def test_history_chart_states_first_last_and_peak(values):
    points = [(1993 + i, p) for i, p in enumerate(values)]
    svg = history_chart(points, interval=(min(values), max(values)))
    assert f"{values[0]:.1%} in 1993" in svg
    assert f"highest {max(values):.1%}" in svg


def test_missing_history_says_so_instead_of_drawing_nothing():
    assert "No risk history" in history_chart([])
    assert "—" in sparkline([(2024, 0.1)])
