"""Which country each strike lies in, and which foreign borders lie within a radius of it."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import shapely

from geo.crs import SEARCH_MARGIN, geodesic_distance_m, metric_geometry, metric_to_lonlat
from geo.search import Segments, nearest_on_segments


def country_name_map(
    countries: gpd.GeoDataFrame, country_names: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Return ``{ISO3: name}`` from the countries layer, then ``country_names`` for the rest."""
    names = dict(country_names or {})
    if len(countries) and "name" in countries.columns:
        for iso3, name in zip(countries["iso3"], countries["name"], strict=True):
            if isinstance(iso3, str) and isinstance(name, str) and name:
                names[iso3] = name
    return names


def locate(lon: np.ndarray, lat: np.ndarray, polygons: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """Return, per point, the code of the first polygon containing it (``-1`` when none).

    One prepared point-in-polygon test per country over the points inside its bounding box.
    """
    located = np.full(len(lon), -1, dtype=np.int64)
    if len(lon) == 0:
        return located
    for polygon, code in zip(polygons, codes, strict=True):
        if polygon is None or shapely.is_empty(polygon):
            continue
        west, south, east, north = shapely.bounds(polygon)
        candidates = np.flatnonzero(
            (located < 0) & (lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)
        )
        if candidates.size:
            shapely.prepare(polygon)
            inside = shapely.contains_xy(polygon, lon[candidates], lat[candidates])
            located[candidates[inside]] = code
    return located


def near_borders(
    lon: np.ndarray,
    lat: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    located: np.ndarray,
    polygons: np.ndarray,
    codes: np.ndarray,
    *,
    radius_m: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(point, country code, geodesic metres)`` for foreign boundaries within ``radius_m``.

    Per country (a handful), the boundary is cut into segments in an STRtree and every point
    outside that country asks for its nearest segment within the widened radius; the nearest
    point found in the metric CRS is then measured on the ellipsoid.
    """
    found_point, found_code, found_distance = [], [], []
    metric = metric_geometry(np.asarray(polygons))
    search = radius_m * SEARCH_MARGIN
    for polygon, code in zip(metric, codes, strict=True):
        if polygon is None or shapely.is_empty(polygon):
            continue
        west, south, east, north = shapely.bounds(polygon)
        candidates = np.flatnonzero(
            (located != code)
            & (x >= west - search)
            & (x <= east + search)
            & (y >= south - search)
            & (y <= north + search)
        )
        if candidates.size == 0:
            continue
        segments = Segments.from_metric(np.array([shapely.boundary(polygon)]))
        pieces = shapely.linestrings(
            np.stack(
                [
                    np.column_stack([segments.x0, segments.y0]),
                    np.column_stack([segments.x0 + segments.dx, segments.y0 + segments.dy]),
                ],
                axis=1,
            )
        )
        tree = shapely.STRtree(pieces)
        points = shapely.points(x[candidates], y[candidates])
        hit, piece = tree.query_nearest(points, max_distance=search, all_matches=False)
        if hit.size == 0:
            continue
        which = candidates[hit]
        qx, qy = nearest_on_segments(segments.one_per_segment(), piece, x[which], y[which])
        qlon, qlat = metric_to_lonlat(qx, qy)
        distance = geodesic_distance_m(lon[which], lat[which], qlon, qlat)
        keep = distance <= radius_m
        found_point.append(which[keep])
        found_code.append(np.full(int(keep.sum()), code))
        found_distance.append(distance[keep])
    if not found_point:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    return (
        np.concatenate(found_point),
        np.concatenate(found_code),
        np.concatenate(found_distance),
    )
