"""Plain-language names of the model variables, for pages and briefs."""

from __future__ import annotations

LABELS: dict[str, str] = {
    "widetargeting": "Elite ideology targeting a wide group",
    "narrowtargeting": "Elite ideology targeting a narrow group",
    "v2csgender_binary": "Women's civil-society participation restricted",
    "v2mecenefm_binary": "Government censorship of the media",
    "partyban.new.0": "No party bans",
    "partyban.new.1": "Some parties banned",
    "partyban.new.2": "All but one party banned",
    "minorityrule": "Rule by an ethnic minority",
    "judicialreform": "Attacks on the judiciary",
    "religiousfreedom": "Freedom of religion",
    "pol_killing_approved": "Political killings approved by leaders",
    "freediscussion": "Freedom of discussion",
    "social_inequality": "Social-group inequality in civil liberties",
    "even_civilrights": "Even access to civil rights",
    "repress_civilsoc": "Repression of civil society",
    "social_power_dist": "Power distributed by social group",
    "ses_power_dist": "Power distributed by socio-economic position",
    "popsize.log2": "Population (log)",
    "gdppcgrowth": "GDP per capita growth",
    "un_imr_sqrt": "Infant mortality",
    "efindex": "Ethnic fractionalisation",
    "discrimpop": "Population in discriminated groups",
    "reg.na": "Region: North America",
    "reg.eap": "Region: East Asia & Pacific",
    "reg.sca": "Region: South & Central Asia",
    "reg.mna": "Region: Middle East & North Africa",
    "reg.eur": "Region: Europe",
    "ios.iccpr1": "ICCPR first optional protocol",
    "battledeaths.log2": "Battle deaths (log)",
    "coup.try.5yr": "Coup attempt in the last 5 years",
    "mk_ongoing_count_log2": "Ongoing mass killings (log count)",
    "mean_mk_onset_interaction": "Regional mass-killing onsets",
    "mk_onset_prev_year": "Mass-killing onset last year",
    "newcountry": "New state",
    "mk_ever": "Any mass killing since 1945",
    "year": "Calendar year (trend)",
    "year_sq": "Calendar year squared (trend)",
    "countryage.new.log2": "Age of the state (log)",
    "includesnonstate": "Includes non-state perpetrators",
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
_CHANGE = {"d1": "1-year", "d3": "3-year", "d5": "5-year"}


def label(variable: str) -> str:
    """A readable name for a model variable (the raw name if none is known)."""
    if variable in LABELS:
        return LABELS[variable]
    prefix, _, rest = variable.partition(".")
    if prefix in _CHANGE and rest in LABELS:
        return f"{LABELS[rest]}: {_CHANGE[prefix]} change"
    return variable
