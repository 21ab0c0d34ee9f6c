"""The registry of predictors: one record per model input, read by everything that needs one.

Each :class:`Variable` says what a column of the design frame is: its plain-language label (pages,
briefs, ``vigil explain``), its kind (what table validation accepts), its bounds, the direction in
which its effect on risk is established (the boosted model may only follow it) and whether it is a
calendar-time trend (which moves every year by construction, so it explains no yearly change).
Table validation, the model registry and the explanations all read this one table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from vigil.risk.features import CHANGING, FEATURES, HORIZONS

Kind = Literal["binary", "continuous", "trend", "feature"]


@dataclass(frozen=True)
class Variable:
    """One predictor: name, label, kind, inclusive bounds, monotone sign and trend flag."""

    name: str
    label: str
    kind: Kind = "continuous"
    bounds: tuple[float | None, float | None] | None = None
    monotone: Literal[-1, 0, 1] = 0

    @property
    def trend(self) -> bool:
        """Whether the variable is calendar time (a trend term)."""
        return self.kind == "trend"


def _binary(name: str, label: str, monotone: Literal[-1, 0, 1] = 0) -> Variable:
    return Variable(name, label, "binary", (0, 1), monotone)


#: The 39 predictors of the Early Warning Project's public model, in its order.
PUBLIC: tuple[Variable, ...] = (
    _binary("widetargeting", "Elite ideology targeting a wide group", 1),
    _binary("narrowtargeting", "Elite ideology targeting a narrow group", 1),
    _binary("v2csgender_binary", "Women's civil-society participation restricted"),
    _binary("v2mecenefm_binary", "Government censorship of the media"),
    _binary("partyban.new.0", "No party bans"),
    _binary("partyban.new.1", "Some parties banned"),
    _binary("partyban.new.2", "All but one party banned"),
    _binary("minorityrule", "Rule by an ethnic minority"),
    Variable("judicialreform", "Attacks on the judiciary", bounds=(0, 2)),
    Variable("religiousfreedom", "Freedom of religion", bounds=(0, 4)),
    _binary("pol_killing_approved", "Political killings approved by leaders", 1),
    Variable("freediscussion", "Freedom of discussion", bounds=(0, 1), monotone=-1),
    _binary("social_inequality", "Social-group inequality in civil liberties"),
    _binary("even_civilrights", "Even access to civil rights"),
    _binary("repress_civilsoc", "Repression of civil society"),
    _binary("social_power_dist", "Power distributed by social group"),
    Variable("ses_power_dist", "Power distributed by socio-economic position"),
    Variable("popsize.log2", "Population (log)", bounds=(0, None)),
    Variable("gdppcgrowth", "GDP per capita growth"),
    Variable("un_imr_sqrt", "Infant mortality", bounds=(0, None)),
    Variable("efindex", "Ethnic fractionalisation", bounds=(0, 1)),
    Variable("discrimpop", "Population in discriminated groups", bounds=(0, 1), monotone=1),
    _binary("reg.na", "Region: North America"),
    _binary("reg.eap", "Region: East Asia & Pacific"),
    _binary("reg.sca", "Region: South & Central Asia"),
    _binary("reg.mna", "Region: Middle East & North Africa"),
    _binary("reg.eur", "Region: Europe"),
    _binary("ios.iccpr1", "ICCPR first optional protocol"),
    Variable("battledeaths.log2", "Battle deaths (log)", bounds=(0, None), monotone=1),
    _binary("coup.try.5yr", "Coup attempt in the last 5 years", 1),
    Variable(
        "mk_ongoing_count_log2", "Ongoing mass killings (log count)", bounds=(0, None), monotone=1
    ),
    Variable("mean_mk_onset_interaction", "Regional mass-killing onsets", bounds=(0, None)),
    _binary("mk_onset_prev_year", "Mass-killing onset last year"),
    _binary("newcountry", "New state"),
    _binary("mk_ever", "Any mass killing since 1945"),
    Variable("year", "Calendar year (trend)", "trend", (1800, 2200)),
    Variable("year_sq", "Calendar year squared (trend)", "trend", (0, None)),
    Variable("countryage.new.log2", "Age of the state (log)", bounds=(0, None)),
    _binary("includesnonstate", "Includes non-state perpetrators"),
)

#: Labels of the engineered history features that are not yearly changes.
_HISTORY: dict[str, str] = {
    "years_since_onset": "Years since the last onset",
    "years_since_episode": "Years since the last episode",
    "onsets_10y": "Onsets in the last 10 years",
    "battle_max_5y": "Highest battle deaths, last 5 years",
    "battle_mean_5y": "Mean battle deaths, last 5 years",
    "region_onsets_5y": "Onsets in the region, last 5 years",
    "region_ongoing": "Ongoing mass killings in the region",
    "region_battle": "Battle deaths in the region",
    "subregion_onsets_5y": "Onsets in the sub-region, last 5 years",
    "subregion_ongoing": "Ongoing mass killings in the sub-region",
    "world_onsets_5y": "Onsets worldwide, last 5 years",
    "world_ongoing": "Ongoing mass killings worldwide",
}
_MONOTONE_FEATURES: dict[str, Literal[-1, 1]] = {"battle_max_5y": 1}


def _features() -> tuple[Variable, ...]:
    labels = {v.name: v.label for v in PUBLIC}
    changes = {f"d{k}.{c}": f"{labels[c]}: {k}-year change" for c in CHANGING for k in HORIZONS}
    named = {**changes, **_HISTORY}
    return tuple(
        Variable(name, named[name], "feature", monotone=_MONOTONE_FEATURES.get(name, 0))
        for name in FEATURES
    )


#: Every model input by name: the public predictors, then the engineered features.
VARIABLES: dict[str, Variable] = {v.name: v for v in (*PUBLIC, *_features())}
#: The public model's predictors, in its order.
EWP_PREDICTORS: tuple[str, ...] = tuple(v.name for v in PUBLIC)
#: Calendar-time terms.
TREND: frozenset[str] = frozenset(v.name for v in VARIABLES.values() if v.trend)
#: Established directions of effect, for monotone constraints.
MONOTONE: dict[str, int] = {v.name: v.monotone for v in VARIABLES.values() if v.monotone}


def label(name: str) -> str:
    """A readable name for a model variable (the raw name if it is not a registered one)."""
    found = VARIABLES.get(name)
    return name if found is None else found.label


def binary_predictors() -> tuple[str, ...]:
    """Public predictors that hold 0 or 1 wherever they are not missing."""
    return tuple(v.name for v in PUBLIC if v.kind == "binary")


def predictor_bounds() -> dict[str, tuple[float | None, float | None]]:
    """Inclusive ranges of the bounded public predictors that are not binary."""
    return {v.name: v.bounds for v in PUBLIC if v.bounds is not None and v.kind != "binary"}
