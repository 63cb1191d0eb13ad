"""Routes for research lines from open-data pieces: chain the pieces, cut between two ends, join.

Used by ``build_open_data.py``. Distances are measured in the project's metric CRS; the result
is in EPSG:4326, and a junction point is inserted with its exact coordinates so that two
segments meeting there share the very same vertex (the pipeline network joins them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
import shapely.ops
from pyproj import Geod, Transformer
from shapely.geometry import LineString, Point

from strikemap.geo.crs import METRIC_CRS

TO_METRIC = Transformer.from_crs("EPSG:4326", METRIC_CRS, always_xy=True)
TO_DEGREES = Transformer.from_crs(METRIC_CRS, "EPSG:4326", always_xy=True)
GEOD = Geod(ellps="WGS84")
SAME_POINT_M = 1.0
"""Closer than this, a junction and the route's end are the same point (no connector)."""


@dataclass(frozen=True)
class Route:
    """A route built from open-data pieces.

    Attributes
    ----------
    line
        The route in EPSG:4326, from the start end to the end end.
    connectors_m
        Lengths (m) of the straight connectors to the start and end junctions (0 when none).
    gaps_m
        Lengths (m) of the straight bridges between consecutive pieces.
    offsets_m
        Distances (m) from the start and end points asked for to where the route begins and
        ends (before any connector).
    """

    line: LineString
    connectors_m: tuple[float, float]
    gaps_m: tuple[float, ...]
    offsets_m: tuple[float, float] = (0.0, 0.0)

    @property
    def length_m(self) -> float:
        """Geodesic length of the route in metres."""
        return float(GEOD.geometry_length(self.line))


def _metric(geometry: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(
        geometry, lambda xy: np.column_stack(TO_METRIC.transform(xy[:, 0], xy[:, 1]))
    )


def _degrees(geometry: shapely.Geometry) -> shapely.Geometry:
    return shapely.transform(
        geometry, lambda xy: np.column_stack(TO_DEGREES.transform(xy[:, 0], xy[:, 1]))
    )


def distance_m(a: Point, b: Point) -> float:
    """Geodesic distance between two lon/lat points in metres."""
    return float(GEOD.inv(a.x, a.y, b.x, b.y)[2])


def chain(
    pieces: Sequence[LineString], *, goal: Point | None = None
) -> tuple[LineString, tuple[float, ...]]:
    """Join lines (metric CRS) in the given order, each continuing from the previous one's end.

    A piece that the previous end meets in its middle (a T-junction) is cut there, and the
    half leading on (towards the next piece, or ``goal`` for the last one) is kept. Returns the
    joined line and the straight gaps (m) it bridges between pieces.
    """
    lines = [_metric(p) for p in pieces]
    goal = None if goal is None else _metric(goal)
    if len(lines) > 1:
        first, second = lines[0], lines[1]
        if Point(first.coords[0]).distance(second) < Point(first.coords[-1]).distance(second):
            lines[0] = first.reverse()
    coords = list(lines[0].coords)
    gaps = []
    for k, line in enumerate(lines[1:], start=1):
        tail = Point(coords[-1])
        ahead = lines[k + 1] if k + 1 < len(lines) else goal
        line = _continue(line, tail, ahead)
        gaps.append(Point(line.coords[0]).distance(tail))
        coords.extend(line.coords[1:] if gaps[-1] < SAME_POINT_M else line.coords)
    return LineString(coords), tuple(gaps)


def _continue(line: LineString, tail: Point, ahead: shapely.Geometry | None) -> LineString:
    """Turn or cut ``line`` so that it starts where ``tail`` meets it and leads on."""
    nearest_end = min(Point(line.coords[0]).distance(tail), Point(line.coords[-1]).distance(tail))
    at = line.project(tail)
    if nearest_end <= line.distance(tail) + SAME_POINT_M or ahead is None:
        if Point(line.coords[-1]).distance(tail) < Point(line.coords[0]).distance(tail):
            return line.reverse()
        return line
    before = shapely.ops.substring(line, at, 0)
    after = shapely.ops.substring(line, at, line.length)
    return (
        before
        if Point(before.coords[-1]).distance(ahead) < Point(after.coords[-1]).distance(ahead)
        else after
    )


def build_route(
    pieces: Sequence[LineString],
    *,
    towards: tuple[Point, Point],
    start: Point | None,
    end: Point | None,
    join_start: bool,
    join_end: bool,
) -> Route:
    """Cut the chained pieces between two ends and join them to junctions.

    Parameters
    ----------
    pieces
        Lines (EPSG:4326) in route order.
    towards
        Reference start and end points: the route is turned to run from the first to the second.
    start, end
        Where to cut: the route begins and ends at the points nearest these (``None``: the
        chain's own end).
    join_start, join_end
        Add a straight connector from the cut to ``start`` / ``end`` (a junction with another
        research segment or facility), inserted with its exact coordinates.
    """
    line, gaps = chain(pieces, goal=towards[1])
    first, last = _metric(towards[0]), _metric(towards[1])
    if Point(line.coords[0]).distance(first) + Point(line.coords[-1]).distance(last) > Point(
        line.coords[-1]
    ).distance(first) + Point(line.coords[0]).distance(last):
        line = line.reverse()
    a = 0.0 if start is None else line.project(_metric(start))
    b = line.length if end is None else line.project(_metric(end))
    if b < a:
        a, b = b, a
    part = _degrees(shapely.ops.substring(line, a, b))
    coords = list(part.coords)
    offsets = (
        0.0 if start is None else distance_m(start, Point(coords[0])),
        0.0 if end is None else distance_m(end, Point(coords[-1])),
    )
    connectors = [0.0, 0.0]
    if join_start and start is not None:
        connectors[0] = distance_m(start, Point(coords[0]))
        coords = [(start.x, start.y)] + (coords[1:] if connectors[0] < SAME_POINT_M else coords)
    if join_end and end is not None:
        connectors[1] = distance_m(end, Point(coords[-1]))
        coords = (coords[:-1] if connectors[1] < SAME_POINT_M else coords) + [(end.x, end.y)]
    return Route(LineString(coords), (connectors[0], connectors[1]), gaps, offsets)
