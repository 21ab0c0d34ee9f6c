"""HTML report of a backtest: the comparison table and ROC, precision-recall, calibration
and recall-by-year plots. Works offline: ``plotly.min.js`` is written next to the page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from sklearn.metrics import precision_recall_curve, roc_curve

from vigil.risk import metrics

PAGE = "index.html"
SCRIPT = "plotly.min.js"


def roc_points(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """False- and true-positive rates at every distinct threshold, from (0, 0) to (1, 1)."""
    fpr, tpr, _ = roc_curve(y, p, drop_intermediate=False)
    return np.asarray(fpr), np.asarray(tpr)


def pr_points(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Recall and precision at every distinct threshold, from the highest threshold down."""
    precision, recall, _ = precision_recall_curve(y, p)
    return np.asarray(recall[-2::-1]), np.asarray(precision[-2::-1])


def _layout(figure: go.Figure, title: str, x: str, y: str) -> go.Figure:
    figure.update_layout(
        title=title, xaxis_title=x, yaxis_title=y, height=420, margin={"l": 50, "r": 20, "t": 50}
    )
    return figure


def figures(predictions: pd.DataFrame) -> list[go.Figure]:
    """ROC, precision-recall, calibration and top-30 recall by year, one trace per model."""
    roc, pr, calibration, recall = go.Figure(), go.Figure(), go.Figure(), go.Figure()
    bins = metrics.reliability(predictions)
    years = metrics.per_year(predictions)
    for name, group in predictions.groupby("model", sort=False):
        y = group["outcome"].to_numpy(dtype=float)
        p = group["probability"].to_numpy(dtype=float)
        fpr, tpr = roc_points(y, p)
        roc.add_trace(go.Scatter(x=fpr, y=tpr, name=str(name), mode="lines"))
        rec, prec = pr_points(y, p)
        pr.add_trace(go.Scatter(x=rec, y=prec, name=str(name), mode="lines"))
        own = bins[bins["model"] == name]
        calibration.add_trace(
            go.Scatter(x=own["mean_predicted"], y=own["observed"], name=str(name),
                       mode="lines+markers", text=own["n"].map(lambda n: f"n = {n}"))
        )  # fmt: skip
        mine = years[years["model"] == name]
        recall.add_trace(go.Scatter(x=mine["base_year"], y=mine["top30_recall"], name=str(name),
                                    mode="lines+markers"))  # fmt: skip
    roc.add_trace(go.Scatter(x=[0, 1], y=[0, 1], name="chance", line={"dash": "dot"}))
    top = float(bins["mean_predicted"].max()) if len(bins) else 1.0
    calibration.add_trace(go.Scatter(x=[0, top], y=[0, top], name="perfect", line={"dash": "dot"}))
    return [
        _layout(roc, "ROC curve (pooled)", "false-positive rate", "true-positive rate"),
        _layout(pr, "Precision-recall (pooled)", "recall", "precision"),
        _layout(calibration, "Calibration (reliability bins)", "mean predicted", "observed rate"),
        _layout(recall, "Top-30 recall by base year", "base year", "share of onsets in top 30"),
    ]


def render(
    table: pd.DataFrame,
    predictions: pd.DataFrame,
    design: Mapping[str, Any],
    provenance: Mapping[str, Any],
    descriptions: Mapping[str, str],
    default: str,
) -> str:
    """The report page as HTML text (nothing is written)."""
    environment = Environment(
        loader=PackageLoader("vigil.risk", "templates"), autoescape=select_autoescape()
    )
    rows = [
        {
            "name": name,
            "description": descriptions.get(str(name), ""),
            "cells": [metrics._cell(row, m, d) for _, m, d in metrics.COLUMNS]
            + [f"{row['mean_predicted']:.4f}", f"{row['observed']:.4f}"],
        }
        for name, row in table.iterrows()
    ]
    plots = [
        Markup(f.to_html(full_html=False, include_plotlyjs=False)) for f in figures(predictions)
    ]
    return environment.get_template("backtest.html").render(
        design=design, labels=[label for label, _, _ in metrics.COLUMNS], rows=rows,
        figures=plots, provenance=provenance, default=default,
    )  # fmt: skip
