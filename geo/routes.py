"""Supply routes: the way along the pipeline network behind a supply or transit link.

A ``supply_origin`` link says gas or oil from a country reaches an asset; a ``transit`` link says
it crosses a country on its way. ``relation_routes`` finds the pipelines that carry it: upstream
of the asset for a supply origin, upstream or downstream for a transit country. The route starts
at the network node in (or nearest to) the country; when the country lies beyond the mapped
network, at the network's furthest upstream point, and the route says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import ops

from strikemap.geo.crs import lonlat_to_metric, metric_geometry
from strikemap.geo.network import PipelineNetwork, collapse_repeats

ROUTE_RELATIONS: dict[str, tuple[str, ...]] = {
    "supply_origin": ("up",),
    "transit": ("up", "down"),
}
"""Relations drawn as routes, and which way along the flow each searches from the asset."""
NEAR_COUNTRY_M = 25_000.0
"""A network node this close to a country (metres) counts as where the route meets it."""
ON_BORDER_M = 1_000.0
"""Countries whose distances to a node differ by less than this (metres) both hold it: a
border crossing lies on the boundary."""

ROUTE_GRID_DEG = 1e-7
"""Routes are drawn on this grid (degrees, about a centimetre), so that their parts join."""

Step = tuple[int, int, str]
"""One edge of a route in flow order: ``(from node, to node, pipeline id)``."""


@dataclass(frozen=True)
class Route:
    """The pipelines behind one link, in flow order.

    Attributes
    ----------
    asset_id
        The asset the link goes through (where the route ends or starts).
    country
        ISO3 of the supplying or transit country.
    relation
        ``supply_origin`` or ``transit``.
    pipelines
        Pipeline ids along the route, in flow order, without repeats.
    geometry
        The route in EPSG:4326 (a LineString or MultiLineString along the pipelines).
    reaches_country
        Whether the route meets the country (a node within ``NEAR_COUNTRY_M``); when False the
        route is the mapped network's part only and the country lies beyond it.
    """

    asset_id: str
    country: str
    relation: str
    pipelines: tuple[str, ...]
    geometry: shapely.Geometry
    reaches_country: bool


def relation_routes(
    links: pd.DataFrame,
    network: PipelineNetwork,
    pipelines: gpd.GeoDataFrame,
    countries: gpd.GeoDataFrame,
    *,
    near_m: float = NEAR_COUNTRY_M,
) -> list[Route]:
    """Return the routes of the ``supply_origin`` and ``transit`` rows of ``links``.

    Parameters
    ----------
    links
        Impact-table rows (usually one strike's): ``asset_id``, ``country``, ``relation``.
    network
        The pipeline network of the assets the links were made with (``geo.network``).
    pipelines
        The pipelines layer (``id``, geometry in EPSG:4326): the routes follow its lines.
    countries
        The countries layer (``iso3``, polygons in EPSG:4326); a country without a polygon gets
        no route.
    near_m
        A node this close to a country meets it.

    Returns
    -------
    list of Route
        One per distinct (country, relation, pipelines), in the order of ``links``; a link whose
        asset is off the network, or whose route would be empty, gives none.
    """
    wanted = links[links["relation"].astype(object).isin(list(ROUTE_RELATIONS))]
    wanted = wanted[wanted["asset_id"].astype(object).fillna("").astype(str) != ""]
    if wanted.empty or not network.node_points:
        return []
    shapes = _country_shapes(countries)
    all_shapes = list(shapes.values())
    lines = dict(zip(pipelines["id"].astype(str), pipelines.geometry.values, strict=True))
    routes: dict[tuple[str, str, tuple[str, ...]], Route] = {}
    rows = wanted[["asset_id", "country", "relation"]].astype(str).drop_duplicates()
    for asset_id, country, relation in rows.itertuples(index=False):
        if country not in shapes:
            continue
        found = _route(
            network, asset_id, shapes[country], all_shapes, ROUTE_RELATIONS[relation], near_m
        )
        if found is None:
            continue
        steps, reaches = found
        ids = collapse_repeats(tuple(pipeline for _, _, pipeline in steps))
        key = (country, relation, ids)
        if ids and key not in routes:
            geometry = _route_geometry(steps, network.node_points, lines)
            routes[key] = Route(asset_id, country, relation, ids, geometry, reaches)
    return list(routes.values())


def _country_shapes(countries: gpd.GeoDataFrame) -> dict[str, shapely.Geometry]:
    """Return ``{ISO3: polygon in the metric CRS}``."""
    if countries.empty:
        return {}
    projected = metric_geometry(countries.geometry.values)
    return dict(zip(countries["iso3"].astype(str), projected, strict=True))


def _route(
    network: PipelineNetwork,
    asset_id: str,
    country: shapely.Geometry,
    others: list[shapely.Geometry],
    directions: Iterable[str],
    near_m: float,
) -> tuple[list[Step], bool] | None:
    """Return the steps from (or to) the node in ``country``, and whether it meets it.

    ``others`` are every country's shapes (metric CRS): a node near ``country`` but inside
    another one does not count as meeting it.
    """
    starts = _asset_nodes(network, asset_id)
    if not starts:
        return None
    trees = {way: network.search(starts, upstream=way == "up") for way in directions}
    candidates = [
        (node, way, hops) for way, tree in trees.items() for node, (hops, _, _) in tree.items()
    ]
    nodes = [node for node, _, _ in candidates]
    lon, lat = np.array([network.node_points.get(n, (np.nan, np.nan)) for n in nodes]).T
    x, y = lonlat_to_metric(lon, lat)
    points = shapely.points(x, y)
    distance = np.nan_to_num(shapely.distance(points, country), nan=np.inf)
    nearest = np.nan_to_num(
        shapely.distance(points[:, None], np.asarray(others)[None, :]), nan=np.inf
    ).min(axis=1, initial=np.inf)
    # a node belongs to the country when it is near it and no other country is clearly nearer
    # (border crossings lie on both sides; a terminal offshore belongs to its coast)
    near = (distance <= near_m) & (distance <= nearest + ON_BORDER_M)
    if near.any():
        # the node furthest along the route, so the route crosses the whole country
        chosen = max(np.flatnonzero(near).tolist(), key=lambda i: (candidates[i][2], -distance[i]))
    elif "up" in trees:
        # beyond the mapped network: from its furthest upstream point
        upstream = [i for i, c in enumerate(candidates) if c[1] == "up"]
        chosen = max(upstream, key=lambda i: (candidates[i][2], -distance[i]))
    else:
        return None
    node, way, _ = candidates[chosen]
    steps = _walk_back(trees[way], node)
    if way == "down":  # walked back against the flow: turn into flow order
        steps = [(v, u, pipeline) for u, v, pipeline in reversed(steps)]
    return steps, bool(near.any())


def _asset_nodes(network: PipelineNetwork, asset_id: str) -> list[int]:
    """Return the nodes of an asset: a facility's node, or every node of a pipeline's edges."""
    if asset_id in network.facility_nodes:
        node = network.facility_nodes[asset_id]
        return [node] if node in network.graph else []
    nodes = {n for u, v, a in network.graph.edges(data="asset") if a == asset_id for n in (u, v)}
    return sorted(nodes)


def _walk_back(tree: dict[int, tuple[int, int | None, str | None]], node: int) -> list[Step]:
    """Return the edges from ``node`` back to the tree's start, as ``(node, towards, pipeline)``.

    For an upstream tree that is flow order already; for a downstream one, its reverse.
    """
    steps: list[Step] = []
    while tree[node][1] is not None:
        _, previous, pipeline = tree[node]
        steps.append((node, int(previous), str(pipeline)))  # type: ignore[arg-type]
        node = int(previous)  # type: ignore[arg-type]
    return steps


def _route_geometry(
    steps: list[Step],
    points: Mapping[int, tuple[float, float]],
    lines: Mapping[str, shapely.Geometry],
) -> shapely.Geometry:
    """Return the parts of the pipelines between the route's nodes, as one (multi)line."""
    parts = []
    for u, v, pipeline in steps:
        line = lines.get(pipeline)
        if line is None or line.is_empty:
            continue
        parts.append(_between(line, shapely.Point(points[u]), shapely.Point(points[v])))
    if not parts:
        return shapely.LineString()
    # node places come back from the metric CRS: on a common grid, the parts' ends meet exactly
    joined = shapely.set_precision(shapely.multilinestrings(parts), ROUTE_GRID_DEG)
    return shapely.line_merge(joined)


def _between(line: shapely.Geometry, start: shapely.Point, end: shapely.Point) -> shapely.Geometry:
    """Return the part of ``line`` between the points nearest ``start`` and ``end``."""
    if line.geom_type == "MultiLineString":
        line = shapely.line_merge(line)
        if line.geom_type == "MultiLineString":  # disconnected parts: the longest one
            line = max(line.geoms, key=lambda part: part.length)
    a, b = line.project(start), line.project(end)
    part = ops.substring(line, min(a, b), max(a, b))
    if part.geom_type != "LineString" or part.length == 0:
        return shapely.LineString([start, end])
    return part if a <= b else part.reverse()
