"""The registry of structural risk models and the rule that picks the default."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vigil.errors import UsageError
from vigil.risk.ewp import EWPModel


@dataclass(frozen=True)
class ModelSpec:
    """A named model: what it is and how to build a fresh, unfitted estimator."""

    name: str
    description: str
    make: Callable[[int], Any]


MODELS: dict[str, ModelSpec] = {
    "ewp": ModelSpec(
        name="ewp",
        description="Early Warning Project public model: elastic-net logit, λ by 10-fold CV",
        make=lambda seed: EWPModel(random_state=seed),
    ),
}


def get_model(name: str) -> ModelSpec:
    """The model called ``name``, or a UsageError listing the known ones."""
    try:
        return MODELS[name]
    except KeyError:
        raise UsageError(
            f"unknown model {name!r}; choose one of: {', '.join(sorted(MODELS))}"
        ) from None


def default_model() -> str:
    """The model used when none is named."""
    return "ewp"
