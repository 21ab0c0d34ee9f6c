"""The bundled world outlines: every feature keyed by ISO3, forecasts findable on the map."""

from __future__ import annotations

from vigil.risk.picture import MAP_ALIASES
from vigil.web.geometry import plotly_topology, world_geojson

#: Table countries too small for Natural Earth's 1:110m outlines.
TOO_SMALL = {"BHR", "COM", "CPV", "MDV", "MLT", "MUS", "SGP"}


def test_every_feature_has_a_distinct_iso3_id_and_a_polygon():
    features = world_geojson()["features"]
    ids = [f["id"] for f in features]
    assert all(len(i) == 3 and i.isupper() for i in ids)
    assert len(ids) == len(set(ids)) + 2  # N. Cyprus → CYP and Somaliland → SOM join their states
    assert {f["geometry"]["type"] for f in features} == {"Polygon", "MultiPolygon"}


def test_rings_are_closed_and_within_the_globe():
    for feature in world_geojson()["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        for polygon in polygons:
            for ring in polygon:
                assert ring[0] == ring[-1]
                assert all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in ring)


def test_every_forecast_country_but_the_smallest_is_on_the_map(snapshot):
    on_map = {f["id"] for f in world_geojson()["features"]}
    missing = {
        c["iso3"] for c in snapshot.countries if MAP_ALIASES.get(c["iso3"], c["iso3"]) not in on_map
    }
    assert missing == TOO_SMALL


def test_plotly_gets_every_base_layer_it_asks_for():
    import json

    objects = json.loads(plotly_topology())["objects"]
    assert {"land", "countries", "coastlines", "ocean", "lakes", "rivers", "subunits"} <= set(
        objects
    )
