"""Which country each strike lies in, and which foreign borders lie within a radius of it."""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import shapely

from strikemap.geo.crs import (
    SEARCH_MARGIN,
    cached_metric_geometry,
    geodesic_distance_m,
    metric_to_lonlat,
    search_margin,
)
from strikemap.geo.search import Segments, nearest_on_segments

GRID_CELL_M = 5_000.0
"""Cell size of the coarse grid that rules out points far from a boundary."""
_GRID_MAX_SIDE = 2_048
"""Cells per side of that grid at most (larger cells for points spread very far)."""


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

    Per country (a handful near the points), the boundary is cut into segments in an STRtree;
    a coarse grid over the points first drops the cells far from the boundary, then each
    remaining point outside that country asks for its nearest segment within the widened
    radius. The nearest point found in the metric CRS is measured on the ellipsoid.
    """
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    search = radius_m * float(search_margin(lon, lat).max(initial=SEARCH_MARGIN))
    polygons, codes = _near_in_degrees(np.asarray(polygons), np.asarray(codes), lon, lat, search)
    for polygon, code in zip(cached_metric_geometry(polygons), codes, strict=True):
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
        candidates = _near_cells(segments, x, y, candidates, search)
        if candidates.size == 0:
            continue
        tree = shapely.STRtree(_segment_lines(segments))
        points = shapely.points(x[candidates], y[candidates])
        hit, piece = tree.query_nearest(points, max_distance=search, all_matches=False)
        if hit.size == 0:
            continue
        which = candidates[hit]
        qx, qy = nearest_on_segments(segments.one_per_segment(), piece, x[which], y[which])
        qlon, qlat = metric_to_lonlat(qx, qy)
        distance = geodesic_distance_m(lon[which], lat[which], qlon, qlat)
        keep = distance <= radius_m
        found.append((which[keep], np.full(int(keep.sum()), code), distance[keep]))
    if not found:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    return tuple(np.concatenate(parts) for parts in zip(*found, strict=True))


def _near_in_degrees(
    polygons: np.ndarray, codes: np.ndarray, lon: np.ndarray, lat: np.ndarray, search: float
) -> tuple[np.ndarray, np.ndarray]:
    """Keep the non-empty polygons whose lon/lat box, widened by ``search``, meets the points.

    Saves projecting countries far from every strike; the widening in degrees is generous
    (a degree of longitude is shortest at the highest latitude involved).
    """
    keep = ~(shapely.is_missing(polygons) | shapely.is_empty(polygons))
    if not len(lon) or not keep.any():
        return polygons[:0], codes[:0]
    top = min(float(np.abs(lat).max()) + 1.0, 89.0)
    pad_lat = 1.5 * search / 110_000.0
    pad_lon = pad_lat / np.cos(np.radians(top))
    bounds = shapely.bounds(polygons)
    keep &= (bounds[:, 0] - pad_lon <= lon.max()) & (bounds[:, 2] + pad_lon >= lon.min())
    keep &= (bounds[:, 1] - pad_lat <= lat.max()) & (bounds[:, 3] + pad_lat >= lat.min())
    return polygons[keep], codes[keep]


def _segment_lines(segments: Segments) -> np.ndarray:
    starts = np.column_stack([segments.x0, segments.y0])
    ends = starts + np.column_stack([segments.dx, segments.dy])
    return shapely.linestrings(np.stack([starts, ends], axis=1))


def _near_cells(
    segments: Segments, x: np.ndarray, y: np.ndarray, candidates: np.ndarray, search: float
) -> np.ndarray:
    """Keep the candidates lying in grid cells that some boundary cell comes within ``search`` of.

    Numpy only: the cells touched by the boundary's segments are marked (a segment no longer
    than a cell touches the cells of its ends and, crossing diagonally, the two between), then
    spread to every cell whose nearest point lies within ``search`` of a marked one. No point
    within ``search`` of the boundary is dropped; those kept get the exact test.
    """
    px, py = x[candidates], y[candidates]
    left, bottom = px.min() - search, py.min() - search
    span = max(px.max() - left, py.max() - bottom) + search
    longest = float(np.sqrt((segments.dx**2 + segments.dy**2).max(initial=0.0)))
    cell = max(GRID_CELL_M, longest, span / _GRID_MAX_SIDE)
    width = int((px.max() + search - left) // cell) + 1
    height = int((py.max() + search - bottom) // cell) + 1
    sx = np.floor((segments.x0 - left) / cell).astype(np.int64)
    sy = np.floor((segments.y0 - bottom) / cell).astype(np.int64)
    ex = np.floor((segments.x0 + segments.dx - left) / cell).astype(np.int64)
    ey = np.floor((segments.y0 + segments.dy - bottom) / cell).astype(np.int64)
    marked = np.zeros((width, height), bool)
    for cx, cy in ((sx, sy), (ex, ey), (sx, ey), (ex, sy)):
        inside = (cx >= 0) & (cx < width) & (cy >= 0) & (cy < height)
        marked[cx[inside], cy[inside]] = True
    near = np.zeros_like(marked)
    reach = int(np.ceil(search / cell)) + 1
    for i in range(-reach, reach + 1):
        for j in range(-reach, reach + 1):
            gap = cell * np.hypot(max(abs(i) - 1, 0), max(abs(j) - 1, 0))
            if gap > search:
                continue
            near[max(i, 0) : width + min(i, 0), max(j, 0) : height + min(j, 0)] |= marked[
                max(-i, 0) : width - max(i, 0), max(-j, 0) : height - max(j, 0)
            ]
    cx = ((px - left) // cell).astype(np.int64)
    cy = ((py - bottom) // cell).astype(np.int64)
    return candidates[near[cx, cy]]
