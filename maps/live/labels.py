"""Place and country labels for the live map: which names, where, and from which zoom on.

Places come from the ``places`` layer when the data has one (GeoNames: ``name``,
``population``), else from the briefing map's key places; larger places show from lower zooms
and win where labels would overlap (the browser places them, ``runtime.js``).
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from strikemap.layers.catalog import BY_NAME
from strikemap.maps import popups
from strikemap.maps.live.config import COUNTRIES_LAYER, PLACES_LAYER
from strikemap.maps.static.places import KEY_PLACES

POPULATION_ZOOMS: tuple[tuple[int, int], ...] = (
    (1_000_000, 5),
    (300_000, 6),
    (100_000, 7),
    (30_000, 8),
    (10_000, 9),
    (3_000, 10),
    (0, 11),
)
"""``(population at least, first zoom showing the name)``, largest first."""
RANK_ZOOMS = {1: 5, 2: 7, 3: 9}
"""First zoom of the key places by rank (1 = capitals and Odesa) when there is no places layer."""
MAX_PLACES = 5_000
"""Labels sent at most (the most populous): more could never show at once."""
LABEL_DECIMALS = 4


def label_data(layers: Mapping[str, gpd.GeoDataFrame]) -> dict[str, object]:
    """Return ``{"places": [[lat, lon, min zoom, name], ...], "countries": [...], "attribution"}``.

    Places are ordered most important first; every name is escaped.
    """
    places = layers.get(PLACES_LAYER)
    if places is not None and not places.empty and "population" in places:
        spec = BY_NAME.get(PLACES_LAYER)
        rows, attribution = _layer_places(places), popups.text(spec.attribution if spec else "")
    else:
        rows, attribution = _key_places(), ""
    return {
        "places": rows,
        "countries": country_labels(layers.get(COUNTRIES_LAYER)),
        "attribution": attribution,
    }


def population_zoom(population: pd.Series) -> np.ndarray:
    """Return the first zoom at which a place of each population is labelled."""
    values = pd.to_numeric(population, errors="coerce").fillna(0).to_numpy()
    zooms = np.full(len(values), POPULATION_ZOOMS[-1][1])
    for floor, zoom in reversed(POPULATION_ZOOMS):
        zooms[values >= floor] = zoom
    return zooms


def _layer_places(places: gpd.GeoDataFrame) -> list[list[object]]:
    population = pd.to_numeric(places["population"], errors="coerce").fillna(0)
    order = np.argsort(-population.to_numpy(), kind="stable")[:MAX_PLACES]
    chosen = places.iloc[order]
    zooms = population_zoom(population.iloc[order])
    lat = np.round(shapely.get_y(chosen.geometry.values), LABEL_DECIMALS)
    lon = np.round(shapely.get_x(chosen.geometry.values), LABEL_DECIMALS)
    names = [popups.text(n) for n in chosen["name"]]
    return [
        [float(a), float(o), int(z), n]
        for a, o, z, n in zip(lat, lon, zooms, names, strict=True)
        if n
    ]


def _key_places() -> list[list[object]]:
    ordered = sorted(KEY_PLACES, key=lambda p: p.rank)
    return [[p.lat, p.lon, RANK_ZOOMS.get(p.rank, 9), popups.text(p.name)] for p in ordered]


def country_labels(countries: gpd.GeoDataFrame | None) -> list[list[object]]:
    """Return ``[[lat, lon, name], ...]``: a point inside each country's largest part."""
    if countries is None or countries.empty:
        return []
    points = label_points(countries.geometry.values)
    return [
        [round(float(p.y), 3), round(float(p.x), 3), popups.text(name)]
        for p, name in zip(points, countries["name"], strict=True)
        if not p.is_empty
    ]


def label_points(areas: np.ndarray) -> np.ndarray:
    """Return a point inside the largest part of each (multi)polygon (vectorised)."""
    parts, owner = shapely.get_parts(areas, return_index=True)
    if not len(parts):
        return np.array([shapely.Point() for _ in areas], dtype=object)
    area = shapely.area(parts)
    order = np.lexsort((-area, owner))
    first = order[np.r_[True, owner[order][1:] != owner[order][:-1]]]
    points = np.array([shapely.Point() for _ in areas], dtype=object)
    points[owner[first]] = shapely.point_on_surface(parts[first])
    return points
