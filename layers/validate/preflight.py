"""Pre-flight: raw bytes and JSON, read with the standard library before any frame is built.

It catches what GDAL would hide: encoding, truncated JSON, a legacy ``crs`` member, null or NaN
coordinates, unclosed rings.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from strikemap.layers.catalog import LayerSpec
from strikemap.layers.errors import LayerReadError
from strikemap.layers.io import parse_csv_text, read_data_text
from strikemap.layers.limits import JsonDepthError, load_json
from strikemap.layers.report import Problem
from strikemap.layers.validate.table import Table, is_number

ACCEPTED_CRS_NAMES = ("EPSG:4326", "EPSG::4326", "CRS84", "CRS:84")
"""Endings of legacy ``crs`` names that mean plain longitude/latitude degrees."""
GEOMETRY_DEPTH = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}
"""How deeply positions nest inside ``coordinates`` for each GeoJSON geometry type."""


def read_text(path: Path) -> tuple[str | None, list[Problem]]:
    """Read a data file with the loader's reader (``layers.io.read_data_text``).

    A BOM is accepted with a warning; a file the reader refuses (too large, not UTF-8, empty)
    gives one error and ``None``.
    """
    file = str(path)
    try:
        text, bom = read_data_text(path)
    except LayerReadError as exc:
        return None, [Problem("error", file, exc.reason, code=exc.code)]
    if not bom:
        return text, []
    msg = "starts with a UTF-8 byte order mark (BOM); accepted, but re-save without it"
    return text, [Problem("warning", file, msg, code="utf8-bom")]


def parse_json(file: str, text: str) -> tuple[object, list[Problem]]:
    """Parse JSON text; a syntax error or too deep a nesting becomes one problem."""
    try:
        return load_json(text), []
    except JsonDepthError as exc:
        return None, [Problem("error", file, f"is nested too deeply: {exc}", code="too-deep")]
    except json.JSONDecodeError as exc:
        truncated = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        if truncated:
            hint = "the file ends too early, it looks truncated; restore it from git or a backup"
        else:
            hint = "fix the JSON syntax there (a missing comma, quote or bracket?)"
        msg = f"is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}); {hint}"
        return None, [Problem("error", file, msg, code="not-json")]


def feature_list(file: str, data: object) -> tuple[list[object] | None, list[Problem]]:
    """Return the ``features`` list of a FeatureCollection, or the problem that prevents it."""
    if data is None:
        return None, []
    wrap = '{"type": "FeatureCollection", "features": [...]}'
    kind = data.get("type") if isinstance(data, dict) else None
    if not isinstance(data, dict):
        msg = f"is JSON but not a GeoJSON FeatureCollection (a {type(data).__name__}); write {wrap}"
    elif kind == "Feature":
        msg = f"holds a single Feature, not a FeatureCollection; wrap it: {wrap}"
    elif kind != "FeatureCollection":
        msg = f"is JSON but not a GeoJSON FeatureCollection (type is {kind!r}); write {wrap}"
    elif not isinstance(data.get("features"), list):
        msg = f"is a FeatureCollection without a 'features' list; write {wrap}"
    else:
        return data["features"], []
    return None, [Problem("error", file, msg, code="not-feature-collection")]


def check_crs_member(file: str, data: dict[str, object]) -> tuple[list[Problem], bool]:
    """Check a legacy ``crs`` member; return problems and whether coordinates are degrees."""
    if "crs" not in data or data["crs"] is None:
        return [], True
    crs = data["crs"]
    properties = crs.get("properties") if isinstance(crs, dict) else None
    name = properties.get("name") if isinstance(properties, dict) else None
    name = name if isinstance(name, str) else str(crs)
    if name.upper().replace("URN:OGC:DEF:CRS:", "").endswith(ACCEPTED_CRS_NAMES):
        msg = f"has a legacy 'crs' member ({name}); RFC 7946 GeoJSON is always EPSG:4326, remove it"
        return [Problem("warning", file, msg, field="crs", code="legacy-crs")], True
    try:
        projected = pyproj.CRS.from_user_input(name).is_projected
    except pyproj.exceptions.CRSError:
        projected = False
    kind = "a projected CRS" if projected else "a CRS other than EPSG:4326"
    msg = (
        f"declares {kind} ({name}) in a legacy 'crs' member; reproject the file to EPSG:4326 "
        "(e.g. `ogr2ogr -t_srs EPSG:4326 out.geojson in.geojson` or GeoDataFrame.to_crs(4326)) "
        "and remove the member"
    )
    code = "projected-crs" if projected else "other-crs"
    return [Problem("error", file, msg, field="crs", code=code)], not projected


def check_frame_crs(frame: gpd.GeoDataFrame, file: str) -> tuple[list[Problem], bool]:
    """Check an in-memory frame is EPSG:4326; return problems and whether it is in degrees."""
    if frame.crs is not None and frame.crs.equals("EPSG:4326"):
        return [], True
    msg = f"the frame's CRS is {frame.crs}; set or reproject it with .to_crs('EPSG:4326')"
    projected = frame.crs is not None and frame.crs.is_projected
    code = "projected-crs" if projected else "other-crs"
    return [Problem("error", file, msg, field="crs", code=code)], not projected


def table_from_features(
    file: str, spec: LayerSpec, features: list[object], *, degrees: bool
) -> tuple[Table, list[Problem]]:
    """Build the table from parsed features (one pass), reporting entries that are no Feature."""
    problems: list[Problem] = []
    records: list[dict[str, object]] = []
    geometries: list[object] = []
    rows: list[int] = []
    for position, feature in enumerate(features, start=1):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            msg = (
                "is not a GeoJSON Feature; write "
                '{"type": "Feature", "properties": {...}, "geometry": {...}}'
            )
            problems.append(Problem("error", file, msg, row=position, code="not-a-feature"))
            continue
        properties = feature.get("properties")
        properties = dict(properties) if isinstance(properties, dict) else {}
        if "id" not in properties and "id" in feature:
            properties["id"] = feature["id"]
            msg = (
                "the id is a member of the Feature, not of its properties; move it to properties.id"
            )
            problems.append(
                Problem(
                    "error",
                    file,
                    msg,
                    feature=str(feature["id"]),
                    row=position,
                    field="id",
                    code="id-outside-properties",
                )
            )
        records.append(properties)
        geometries.append(feature.get("geometry"))
        rows.append(position)
    props = pd.DataFrame(records, index=range(len(records)))  # a feature may have no properties
    geometry, broken = _parse_geometries(geometries)
    table = Table(file, spec, props, geometry, np.asarray(rows, dtype=int), degrees, broken)
    problems += _diagnose_broken(table, geometries)
    return table, problems


def _parse_geometries(geometries: list[object]) -> tuple[np.ndarray, np.ndarray]:
    """Return shapely geometries (``None`` when missing or unreadable) and the unreadable mask."""
    texts = np.array([None if g is None else json.dumps(g) for g in geometries], dtype=object)
    parsed = shapely.from_geojson(texts, on_invalid="ignore") if len(texts) else texts
    present = np.array([g is not None for g in geometries], dtype=bool)
    return np.asarray(parsed, dtype=object), present & shapely.is_missing(parsed)


def _diagnose_broken(table: Table, geometries: list[object]) -> list[Problem]:
    """Say why each unreadable geometry failed (only those are walked in Python)."""
    problems = []
    if table.broken is None:
        return []
    for i in np.flatnonzero(table.broken).tolist():
        code, reason = _diagnose_geometry(geometries[i])
        problems.append(table.problem(i, field=None, code=code, message=reason))
    return problems


def _diagnose_geometry(geometry: Any) -> tuple[str, str]:
    """Return ``(code, message)`` explaining why a GeoJSON geometry cannot be read."""
    if not isinstance(geometry, dict):
        return (
            "bad-geometry",
            "geometry is not a GeoJSON geometry object; write {type, coordinates}",
        )
    kind = geometry.get("type")
    if kind == "GeometryCollection":
        parts = geometry.get("geometries")
        for part in parts if isinstance(parts, list) else [None]:
            found = _diagnose_geometry(part)
            if found[0] != "bad-geometry" or part is None:
                return found
        return "bad-geometry", "geometry collection cannot be read; check its parts"
    if kind not in GEOMETRY_DEPTH:
        known = ", ".join(GEOMETRY_DEPTH)
        return "bad-geometry", f"unknown geometry type {kind!r}; use one of {known}"
    coordinates = geometry.get("coordinates")
    if coordinates is None:
        return "null-coordinates", "geometry has null coordinates; give positions as [lon, lat]"
    positions = list(_positions(coordinates, GEOMETRY_DEPTH[kind]))
    if any(p is None for p in positions):
        return "bad-geometry", f"coordinates are not nested as a {kind} needs; check the brackets"
    values = [v for p in positions for v in p]
    if any(v is None for v in values):
        return (
            "null-coordinates",
            "geometry has null coordinates; give every position as [lon, lat]",
        )
    if any(not is_number(v) for v in values):
        bad = next(v for v in values if not is_number(v))
        return "bad-geometry", f"coordinates must be numbers, found {bad!r}; remove the quotes"
    if any(not math.isfinite(v) for v in values):
        return "nan-coordinates", "geometry has NaN or infinite coordinates; give real [lon, lat]"
    if any(len(p) < 2 for p in positions):
        return "bad-geometry", "a position has fewer than 2 numbers; write [lon, lat]"
    return _diagnose_shape(kind, coordinates)


def _diagnose_shape(kind: str, coordinates: Any) -> tuple[str, str]:
    rings = {"Polygon": coordinates, "MultiPolygon": [r for p in coordinates for r in p]}
    for number, ring in enumerate(rings.get(kind, []), start=1):
        if len(ring) < 4:
            return "invalid-geometry", f"ring {number} has {len(ring)} positions, a ring needs 4+"
        if list(ring[0][:2]) != list(ring[-1][:2]):
            return "unclosed-ring", (
                f"ring {number} is not closed (its last position differs from its first); "
                "repeat the first position at the end, or repair it with shapely.make_valid"
            )
    lines = {"LineString": [coordinates], "MultiLineString": coordinates}
    if any(len(line) < 2 for line in lines.get(kind, [])):
        return "invalid-geometry", "a line has fewer than 2 positions; add positions or remove it"
    return "bad-geometry", f"the {kind} geometry cannot be read; check its coordinates"


def _positions(coordinates: Any, depth: int) -> Iterator[Any]:
    """Yield the positions of ``coordinates`` nested ``depth`` deep (``None`` for bad nesting)."""
    if not isinstance(coordinates, list):
        yield None
    elif depth == 0:
        yield coordinates
    else:
        for item in coordinates:
            yield from _positions(item, depth - 1)


def parse_csv(file: str, text: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Parse CSV text with the loader's parser; a malformed file becomes one problem."""
    try:
        return parse_csv_text(text, file=file), []
    except LayerReadError as exc:
        return None, [Problem("error", file, exc.reason, code=exc.code)]
