"""Which country a strike lies in, on land or at sea, and which foreign land borders are near."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely

from strikemap.geo.cache import digest_cache
from strikemap.geo.crs import (
    SEARCH_MARGIN,
    cached_metric_geometry,
    geodesic_distance_m,
    geometry_fingerprint,
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


TERRITORIAL_SEA_M = 22_224.0
"""12 nautical miles (UNCLOS art. 3): a strike at sea this close to a coast lies in that state."""
SHARED_TOLERANCE_M = 100.0
"""A boundary segment whose middle lies this close to another country is a shared land border."""


@dataclass(frozen=True)
class CountryLines:
    """Per country (in ``codes`` order), its whole boundary and its land borders, as segments.

    A land border is the part of a country's boundary shared with another country (within
    ``SHARED_TOLERANCE_M``); the rest is coastline or the edge of the mapped region.
    """

    codes: np.ndarray
    boundary: list[Segments]
    land: list[Segments]


_NO_SEGMENTS = Segments.from_metric(np.empty(0, dtype=object))


def country_lines(
    polygons: np.ndarray, codes: np.ndarray, *, near: tuple[float, float, float, float]
) -> CountryLines:
    """Return the boundaries and land borders of country polygons within a metric box.

    Parameters
    ----------
    polygons, codes
        The countries (EPSG:4326) and their codes.
    near
        ``(xmin, ymin, xmax, ymax)`` in ``METRIC_CRS``: only segments meeting this box are
        kept (the strikes' extent widened by the largest search radius), so a probe or a
        region's strikes do not pay for the whole continent's borders.
    """
    boundary = _boundaries(np.asarray(polygons))
    xmin, ymin, xmax, ymax = near
    inside = [_in_box(b, (xmin, ymin, xmax, ymax)) for b in boundary]
    kept = [b.subset(keep) for b, keep in zip(boundary, inside, strict=True)]
    pad = SHARED_TOLERANCE_M
    wider = [
        b.subset(_in_box(b, (xmin - pad, ymin - pad, xmax + pad, ymax + pad))) for b in boundary
    ]
    return CountryLines(np.asarray(codes), kept, _land_borders(kept, wider))


def _boundaries(polygons: np.ndarray) -> list[Segments]:
    """Return every country's boundary as metric segments (cached per geometry set)."""
    return _boundaries_by_digest(geometry_fingerprint(polygons), polygons)


@digest_cache(maxsize=4)
def _boundaries_by_digest(polygons: np.ndarray) -> list[Segments]:
    present = ~(shapely.is_missing(polygons) | shapely.is_empty(polygons))
    boundary = [_NO_SEGMENTS] * len(polygons)
    if present.any():
        metric = cached_metric_geometry(polygons[present])
        for i, polygon in zip(np.flatnonzero(present).tolist(), metric, strict=True):
            boundary[i] = Segments.from_metric(np.array([shapely.boundary(polygon)]))
    return boundary


def _in_box(segments: Segments, box: tuple[float, float, float, float]) -> np.ndarray:
    """Whether each segment's bounding box meets ``box``."""
    xmin, ymin, xmax, ymax = box
    x1, y1 = segments.x0 + segments.dx, segments.y0 + segments.dy
    return (
        (np.maximum(segments.x0, x1) >= xmin)
        & (np.minimum(segments.x0, x1) <= xmax)
        & (np.maximum(segments.y0, y1) >= ymin)
        & (np.minimum(segments.y0, y1) <= ymax)
    )


def _land_borders(kept: list[Segments], others: list[Segments]) -> list[Segments]:
    """Return, per country, the kept segments whose middle lies near another country's segment.

    One STRtree of the other countries' segments; point-to-segment tests (a polygon's own
    ``dwithin`` is a hundred times slower on coastlines of thousands of vertices).
    """
    owner = np.repeat(np.arange(len(others)), [len(b.x0) for b in others])
    if not len(owner):
        return list(kept)
    x0, y0, dx, dy = (
        np.concatenate([getattr(b, f) for b in others]) for f in ("x0", "y0", "dx", "dy")
    )
    every = Segments(
        x0,
        y0,
        dx,
        dy,
        np.zeros(1, int),
        np.array([len(owner)]),
    )
    tree = shapely.STRtree(_segment_lines(every))
    land = []
    for i, segments in enumerate(kept):
        if not len(segments.x0):
            land.append(segments)
            continue
        middle = shapely.points(segments.x0 + segments.dx / 2, segments.y0 + segments.dy / 2)
        at, near = tree.query(middle, predicate="dwithin", distance=SHARED_TOLERANCE_M)
        shared = np.zeros(len(middle), bool)
        shared[at[owner[near] != i]] = True
        land.append(segments.subset(shared))
    return land


def territorial_sea(
    lon: np.ndarray,
    lat: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    located: np.ndarray,
    lines: CountryLines,
    *,
    radius_m: float = TERRITORIAL_SEA_M,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(point, country code, metres to its coast)`` for unlocated points at sea.

    A point in no country lies in the territorial sea of the nearest country whose coast is
    within ``radius_m`` (12 nautical miles); the nearest coast decides where two overlap.
    """
    at_sea = np.flatnonzero(located < 0)
    point, code, distance = near_lines(
        lon[at_sea],
        lat[at_sea],
        x[at_sea],
        y[at_sea],
        np.full(len(at_sea), -1),
        lines.boundary,
        lines.codes,
        radius_m=radius_m,
    )
    order = np.lexsort((distance, point))
    first = order[np.unique(point[order], return_index=True)[1]]
    return at_sea[point[first]], code[first], distance[first]


def near_borders(
    lon: np.ndarray,
    lat: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    located: np.ndarray,
    lines: CountryLines,
    *,
    radius_m: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(point, country code, geodesic metres)`` for foreign land borders within reach.

    Only land borders count (a coastline across the sea is no border), and never those of the
    country the point lies in.
    """
    return near_lines(lon, lat, x, y, located, lines.land, lines.codes, radius_m=radius_m)


def near_lines(
    lon: np.ndarray,
    lat: np.ndarray,
    x: np.ndarray,
    y: np.ndarray,
    exclude: np.ndarray,
    lines: list[Segments],
    codes: np.ndarray,
    *,
    radius_m: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(point, code, geodesic metres)`` for each country's segments within ``radius_m``.

    Per country whose segments come near the points, the segments go into an STRtree; a coarse
    grid over the points first drops the cells far from them, then each remaining point (whose
    ``exclude`` code is not the country's) asks for its nearest segment within the widened
    radius. The nearest point found in the metric CRS is measured on the ellipsoid.
    """
    empty = np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    if not len(lon):
        return empty
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    search = radius_m * float(search_margin(lon, lat).max(initial=SEARCH_MARGIN))
    for segments, code in zip(lines, codes, strict=True):
        if not len(segments.x0):
            continue
        ends_x = np.concatenate([segments.x0, segments.x0 + segments.dx])
        ends_y = np.concatenate([segments.y0, segments.y0 + segments.dy])
        candidates = np.flatnonzero(
            (exclude != code)
            & (x >= ends_x.min() - search)
            & (x <= ends_x.max() + search)
            & (y >= ends_y.min() - search)
            & (y <= ends_y.max() + search)
        )
        if candidates.size:
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
        return empty
    strike, country, distance = (np.concatenate(parts) for parts in zip(*found, strict=True))
    return strike, country, distance


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
