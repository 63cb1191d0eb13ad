"""Frame checks of geometry: missing, empty, NaN, 3D, types, validity, ranges and region."""

from __future__ import annotations

import numpy as np
import shapely

from strikemap.layers.catalog import REGION_BOUNDS
from strikemap.layers.limits import MAX_VERTICES_PER_FEATURE
from strikemap.layers.report import Problem
from strikemap.layers.validate.table import Table, listed

GEOMETRY_TYPE_NAMES = np.array(
    [
        "Point",
        "LineString",
        "LinearRing",
        "Polygon",
        "MultiPoint",
        "MultiLineString",
        "MultiPolygon",
        "GeometryCollection",
    ]
)
"""Geometry type names indexed by ``shapely.get_type_id``."""


def check_geometry(table: Table) -> list[Problem]:
    """Check every geometry: present, readable, finite, 2D, allowed type, valid, in range."""
    geometry = table.geometry
    broken = table.broken if table.broken is not None else np.zeros(len(table), dtype=bool)
    missing = shapely.is_missing(geometry) & ~broken
    empty = ~missing & ~broken & shapely.is_empty(geometry)
    bounds = shapely.bounds(geometry)
    nan = ~missing & ~broken & ~empty & np.isnan(bounds).any(axis=1)
    usable = ~missing & ~broken & ~empty & ~nan
    problems = [
        *table.flag(
            missing,
            field=None,
            code="missing-geometry",
            message="feature has no geometry; give it one, or remove the feature",
        ),
        *table.flag(
            empty,
            field=None,
            code="null-coordinates",
            message="geometry is empty (no coordinates); give positions as [lon, lat]",
        ),
        *table.flag(
            nan,
            field=None,
            code="nan-coordinates",
            message="geometry has NaN coordinates; give real [lon, lat] numbers",
        ),
        *_check_size(table, usable),
        *_check_3d(table, usable),
        *_check_geometry_types(table, usable),
        *_check_validity(table, usable),
    ]
    if table.degrees:
        problems += _check_ranges(table, usable, bounds)
    return problems


def _check_size(table: Table, usable: np.ndarray) -> list[Problem]:
    counts = shapely.get_num_coordinates(table.geometry)
    large = usable & (counts > MAX_VERTICES_PER_FEATURE)
    return table.flag(
        large,
        field=None,
        code="too-many-vertices",
        message=lambda i: (
            f"geometry has {counts[i]:,} vertices, more than the {MAX_VERTICES_PER_FEATURE:,} "
            "strikemap reads per feature; simplify it (e.g. shapely.simplify with a tolerance "
            "of 0.0001 degrees, about 10 m) or split it into parts"
        ),
    )


def _check_3d(table: Table, usable: np.ndarray) -> list[Problem]:
    has_z = usable & shapely.has_z(table.geometry)
    if not has_z.any():
        return []
    msg = (
        f"{int(has_z.sum())} features have 3D coordinates ({listed(table, has_z)}); accepted, "
        "but the third value (height) is dropped when strikemap writes the layer"
    )
    return [Problem("warning", table.file, msg, code="3d-coordinates")]


def _check_geometry_types(table: Table, usable: np.ndarray) -> list[Problem]:
    names = GEOMETRY_TYPE_NAMES[np.maximum(shapely.get_type_id(table.geometry), 0)]
    allowed = table.spec.geometry_types
    wrong = usable & ~np.isin(names, allowed)
    return table.flag(
        wrong,
        field=None,
        code="geometry-type",
        message=lambda i: (
            f"geometry type {names[i]} is not allowed in the {table.spec.name} layer;"
            f" use {' or '.join(allowed)}"
        ),
    )


def _check_validity(table: Table, usable: np.ndarray) -> list[Problem]:
    reasons = np.full(len(table), "Valid Geometry", dtype=object)
    if usable.any():
        reasons[usable] = shapely.is_valid_reason(table.geometry[usable])
    invalid = usable & (reasons != "Valid Geometry")
    return table.flag(
        invalid,
        field=None,
        code="invalid-geometry",
        message=lambda i: (
            f"invalid geometry: {reasons[i]}; a ring must be closed and must not cross itself,"
            " repair it e.g. with shapely.make_valid"
        ),
    )


def _check_ranges(table: Table, usable: np.ndarray, bounds: np.ndarray) -> list[Problem]:
    xmin, ymin, xmax, ymax = bounds.T
    out = usable & ((xmin < -180) | (xmax > 180) | (ymin < -90) | (ymax > 90))
    west, south, east, north = REGION_BOUNDS
    touches = (xmax >= west) & (xmin <= east) & (ymax >= south) & (ymin <= north)
    swapped_inside = (ymin >= west) & (ymax <= east) & (xmin >= south) & (xmax <= north)
    outside = usable & ~out & ~touches
    swapped = outside & swapped_inside
    outside &= ~swapped

    def where(i: int) -> str:
        if xmin[i] == xmax[i] and ymin[i] == ymax[i]:
            return f"[{xmin[i]:g}, {ymin[i]:g}]"
        return f"lon {xmin[i]:g}..{xmax[i]:g}, lat {ymin[i]:g}..{ymax[i]:g}"

    def swapped_where(i: int) -> str:
        return where(i) if xmin[i] != xmax[i] else f"[{ymin[i]:g}, {xmin[i]:g}]"

    region = f"lon {west:g}..{east:g}, lat {south:g}..{north:g}"
    return [
        *table.flag(
            out,
            field=None,
            code="out-of-range",
            message=lambda i: (
                f"coordinates out of range ({where(i)}): longitude must be -180..180 and latitude "
                "-90..90; projected metres? reproject to EPSG:4326"
            ),
        ),
        *table.flag(
            swapped,
            field=None,
            code="swapped-coordinates",
            message=lambda i: (
                f"looks like latitude and longitude are swapped: {where(i)} lies outside the "
                f"region but {swapped_where(i)} inside; write [lon, lat] as GeoJSON requires"
            ),
        ),
        *table.flag(
            outside,
            field=None,
            code="outside-region",
            message=lambda i: (
                f"lies far outside the region the layers cover ({region}): {where(i)}; "
                "check the coordinates, GeoJSON order is [lon, lat]"
            ),
        ),
    ]
