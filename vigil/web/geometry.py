"""Country outlines for the world map: Natural Earth (via world-atlas) TopoJSON → GeoJSON by ISO3.

The TopoJSON file is bundled (see ``static/geo/PROVENANCE.md``); decoding it here keeps the
browser free of any geometry library and lets Plotly match features to forecasts by ISO3.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from vigil.countries import converter

TOPOLOGY = "static/geo/countries-110m.json"
#: Features without a numeric ISO id in Natural Earth, mapped by name.
BY_NAME = {"Kosovo": "XKX", "N. Cyprus": "CYP", "Somaliland": "SOM"}

Ring = list[list[float]]


@cache
def world_geojson() -> dict[str, Any]:
    """A GeoJSON FeatureCollection of every country, ``id`` = ISO3, ``properties.name``."""
    topology = json.loads(files(__package__).joinpath(TOPOLOGY).read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    numeric = _iso3_by_numeric()
    features = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = geometry.get("properties", {}).get("name", "")
        raw = geometry.get("id")
        iso3 = numeric.get(int(raw)) if raw and str(raw).isdigit() else BY_NAME.get(name)
        if iso3 is None or geometry.get("type") is None:
            continue
        features.append(
            {
                "type": "Feature",
                "id": iso3,
                "properties": {"name": name},
                "geometry": _geometry(geometry, arcs),
            }
        )
    return {"type": "FeatureCollection", "features": features}


def _iso3_by_numeric() -> dict[int, str]:
    data = converter().data[["ISO3", "ISOnumeric"]].dropna()
    return {int(n): str(iso3) for iso3, n in zip(data["ISO3"], data["ISOnumeric"], strict=True)}


def _decode_arcs(topology: dict[str, Any]) -> list[Ring]:
    """Absolute lon/lat points of every arc (TopoJSON arcs are quantised and delta-encoded)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append([round(x * sx + tx, 4), round(y * sy + ty, 4)])
        decoded.append(points)
    return decoded


def _ring(indices: list[int], arcs: list[Ring]) -> Ring:
    """Join arcs into one ring; a negative index ~i means arc i reversed."""
    points: Ring = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def _geometry(geometry: dict[str, Any], arcs: list[Ring]) -> dict[str, Any]:
    if geometry["type"] == "Polygon":
        rings = [_ring(r, arcs) for r in geometry["arcs"]]
        return {"type": "Polygon", "coordinates": rings}
    polygons = [[_ring(r, arcs) for r in polygon] for polygon in geometry["arcs"]]
    return {"type": "MultiPolygon", "coordinates": polygons}


#: Layers plotly.js reads from its base-map topology; those Natural Earth lacks stay empty.
PLOTLY_LAYERS = ("coastlines", "land", "ocean", "lakes", "rivers", "countries", "subunits")


def plotly_topology() -> bytes:
    """The bundled topology in the shape plotly.js expects of ``world_110m.json``.

    plotly.js loads its base map even when every trace brings its own GeoJSON; serving the
    bundled outlines under that name keeps the browser from reaching for a CDN.
    """
    topology = json.loads(files(__package__).joinpath(TOPOLOGY).read_text(encoding="utf-8"))
    for layer in PLOTLY_LAYERS:
        topology["objects"].setdefault(layer, {"type": "GeometryCollection", "geometries": []})
    return json.dumps(topology, separators=(",", ":")).encode()
