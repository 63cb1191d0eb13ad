"""Validate layer files, in-memory layers and ``relations.csv``: collect every problem, report once.

The checks run in two passes. A pre-flight pass reads the raw bytes with the standard library and
catches what GDAL would hide (encoding, truncated JSON, a legacy ``crs`` member, null or NaN
coordinates, unclosed rings). A frame pass then checks every feature at once with pandas and
shapely 2 (ranges, region, swapped coordinates, geometry types, validity, ids, properties,
vocabularies, dates, sources) and, for a whole data folder, the references between layers.
"""

from __future__ import annotations

import difflib
import io
import json
import logging
import math
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from strikemap.layers.catalog import CATALOG, REGION_BOUNDS, LayerSpec
from strikemap.layers.io import COUNTRY_CODES_FILE
from strikemap.layers.paths import resolve_data_dir
from strikemap.layers.report import Problem, Severity, ValidationReport
from strikemap.layers.schema import (
    DATASET_SOURCE_PREFIX,
    ID_PATTERN,
    ISO3_PATTERN,
    RAW_IP_URL_PATTERN,
    RELATIONS_CSV_KINDS,
    RELATIONS_TABLE,
    URL_PATTERN,
    FieldSpec,
    slugify,
)

log = logging.getLogger(__name__)

COUNTRY_CODE_FIELDS = ("owner_country", "reported_countries", "iso3")
"""Properties that hold ISO3 codes."""
ASSET_REFERENCE_FIELDS = ("target_ids",)
"""Properties that name asset ids."""
UTF8_BOM = b"\xef\xbb\xbf"
ISO_DATE = r"\d{4}-\d{2}-\d{2}"
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
MAX_LISTED = 5
"""Feature ids listed in a file-level message before it says 'and N more'."""


# --------------------------------------------------------------------------------------------
# Public API


def validate_data_dir(
    data_dir: str | Path | None = None,
    *,
    today: date | None = None,
    specs: Iterable[LayerSpec] = CATALOG,
) -> ValidationReport:
    """Validate every layer of a data folder, ``relations.csv`` and the links between them.

    Parameters
    ----------
    data_dir
        Data folder; defaults to ``$STRIKEMAP_DATA_DIR`` or the shipped ``data/``.
    today
        Dates after this day are errors; defaults to ``date.today()``.
    specs
        Layers to check; defaults to the whole catalogue.

    Returns
    -------
    ValidationReport
        Every problem found; ``report.ok`` is true when there are no errors.
    """
    folder = resolve_data_dir(data_dir)
    report = ValidationReport()
    if not folder.is_dir():
        msg = "no such data folder; pass --data-dir DIR or set STRIKEMAP_DATA_DIR"
        report.add([Problem("error", str(folder), msg, code="no-data-dir")], file=str(folder))
        return report
    tables: list[_Table] = []
    unreadable_assets: list[str] = []
    for spec in specs:
        path = folder / spec.file
        problems, table = _check_layer_path(path, spec, today=today, required=True)
        report.add(problems, file=str(path))
        if table is not None:
            tables.append(table)
        elif spec.is_asset and path.exists():
            unreadable_assets.append(spec.file)
    asset_ids: set[str] | None = _ids_of(t for t in tables if t.spec.is_asset)
    if unreadable_assets:  # every reference would look broken: say so once instead
        asset_ids = None
        files = ", ".join(unreadable_assets)
        msg = (
            f"references to asset ids (target_ids, relations.csv) were not checked because "
            f"{files} could not be read; fix that file and validate again"
        )
        report.add([Problem("warning", str(folder), msg, code="references-not-checked")])
    country_codes, code_problems = _known_country_codes(folder, tables)
    report.add(code_problems)
    for table in tables:
        report.add(_check_references(table, asset_ids=asset_ids, country_codes=country_codes))
    report.add(_check_ids_across_layers(tables))
    relations_path = folder / RELATIONS_TABLE.file
    relations = validate_relations_file(
        relations_path, asset_ids=asset_ids, country_codes=country_codes, required=True
    )
    report.merge(relations)
    return report


def validate_layer_file(
    path: str | Path,
    spec: LayerSpec,
    *,
    today: date | None = None,
    asset_ids: Collection[str] | None = None,
    country_codes: Collection[str] | None = None,
) -> ValidationReport:
    """Validate one layer file on its own (for importers and the upload page).

    Parameters
    ----------
    path
        The GeoJSON file.
    spec
        The layer it should hold.
    today
        Dates after this day are errors; defaults to ``date.today()``.
    asset_ids
        Known asset ids; when given, ``target_ids`` must name one of them.
    country_codes
        Known ISO3 codes; when given, country properties must use one of them.

    Returns
    -------
    ValidationReport
        Every problem found in the file.
    """
    problems, table = _check_layer_path(Path(path), spec, today=today, required=True)
    report = ValidationReport()
    report.add(problems, file=str(path))
    if table is not None:
        report.add(_check_references(table, asset_ids=asset_ids, country_codes=country_codes))
    return report


def validate_frame(
    frame: gpd.GeoDataFrame,
    spec: LayerSpec,
    *,
    file: str | None = None,
    today: date | None = None,
    asset_ids: Collection[str] | None = None,
    country_codes: Collection[str] | None = None,
) -> ValidationReport:
    """Validate an in-memory layer (for importers, before they write it).

    Parameters
    ----------
    frame
        The layer, in the in-memory form of ``layers.io`` (EPSG:4326, lists as lists).
    spec
        The layer it should be.
    file
        Name used in the report; defaults to the layer's file name.
    today, asset_ids, country_codes
        As for ``validate_layer_file``.

    Returns
    -------
    ValidationReport
        Every problem found in the frame.
    """
    label = file or spec.file
    problems, degrees = _check_frame_crs(frame, label)
    props = pd.DataFrame(frame.drop(columns=frame.geometry.name)).reset_index(drop=True)
    geometry = np.asarray(frame.geometry.array, dtype=object)
    rows = np.arange(1, len(frame) + 1)
    table = _Table(label, spec, props, geometry, rows, degrees=degrees)
    problems += _check_table(table, today=today)
    problems += _check_references(table, asset_ids=asset_ids, country_codes=country_codes)
    report = ValidationReport()
    report.add(problems, file=label)
    return report


def validate_relations_file(
    path: str | Path,
    *,
    asset_ids: Collection[str] | None = None,
    country_codes: Collection[str] | None = None,
    required: bool = False,
) -> ValidationReport:
    """Validate ``relations.csv``: columns, relation kinds, asset ids, ISO3 codes and dates.

    Parameters
    ----------
    path
        The CSV file.
    asset_ids
        Known asset ids; when given, ``asset_id`` must be one of them.
    country_codes
        Known ISO3 codes; when given, ``country`` must be one of them.
    required
        Report a missing file as a warning (otherwise a missing file is silently fine).

    Returns
    -------
    ValidationReport
        Every problem found in the table.
    """
    path = Path(path)
    file = str(path)
    report = ValidationReport()
    if not path.exists():
        if required:
            msg = "no relations table; no asset is linked to a country (create it with the header)"
            report.add([Problem("warning", file, msg, code="missing-file")], file=file)
        return report
    text, problems = _read_text(path)
    table = None
    if text is not None:
        table, more = _parse_csv(file, text)
        problems += more
    if table is not None:
        problems += _check_relations(file, table, asset_ids=asset_ids, country_codes=country_codes)
    report.add(problems, file=file)
    return report


# --------------------------------------------------------------------------------------------
# The frame every check works on


@dataclass
class _Table:
    """A layer as the checks see it: raw properties, shapely geometries, positions in the file."""

    file: str
    spec: LayerSpec
    props: pd.DataFrame
    geometry: np.ndarray
    rows: np.ndarray
    degrees: bool = True
    broken: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> pd.Series:
        """Return property ``name`` as objects (all ``None`` when no feature has it)."""
        if name in self.props.columns:
            return self.props[name].astype(object)
        return pd.Series([None] * len(self), index=self.props.index, dtype=object)

    def labels(self) -> list[str | None]:
        """Return each feature's id when it is a non-empty string, else ``None``."""
        return [v if isinstance(v, str) and v.strip() else None for v in self.column("id")]

    def problem(
        self,
        i: int,
        *,
        field: str | None,
        code: str,
        message: str,
        severity: Severity = "error",
    ) -> Problem:
        """Return a problem about the feature at position ``i``."""
        fid = self.props["id"].iloc[i] if "id" in self.props.columns else None
        label = fid if isinstance(fid, str) and fid.strip() else None
        row = int(self.rows[i])
        return Problem(severity, self.file, message, feature=label, row=row, field=field, code=code)

    def flag(
        self,
        mask: np.ndarray | pd.Series,
        *,
        field: str | None,
        code: str,
        message: str | Callable[[int], str],
        severity: Severity = "error",
    ) -> list[Problem]:
        """Return one problem per feature where ``mask`` is true; ``message(i)`` may vary."""
        positions = np.flatnonzero(np.asarray(mask, dtype=bool))
        if not len(positions):
            return []
        labels = self.labels()
        return [
            Problem(
                severity,
                self.file,
                message(i) if callable(message) else message,
                feature=labels[i],
                row=int(self.rows[i]),
                field=field,
                code=code,
            )
            for i in positions
        ]


# --------------------------------------------------------------------------------------------
# Pre-flight: raw bytes and JSON


def _check_layer_path(
    path: Path, spec: LayerSpec, *, today: date | None, required: bool
) -> tuple[list[Problem], _Table | None]:
    file = str(path)
    if not path.exists():
        if not required:
            return [], None
        msg = (
            f"no {spec.name} layer file; the layer is empty. Create it, an empty FeatureCollection"
            ' {"type": "FeatureCollection", "features": []} is fine'
        )
        return [Problem("warning", file, msg, code="missing-file")], None
    text, problems = _read_text(path)
    if text is None:
        return problems, None
    data, more = _parse_json(file, text)
    problems += more
    features, more = _feature_list(file, data)
    problems += more
    if features is None:
        return problems, None
    more, degrees = _check_crs_member(file, data)
    problems += more
    table, more = _table_from_features(file, spec, features, degrees=degrees)
    problems += more
    problems += _check_table(table, today=today)
    return problems, table


def _read_text(path: Path) -> tuple[str | None, list[Problem]]:
    """Decode a file as UTF-8 (a BOM is accepted with a warning); ``None`` when it cannot be."""
    file = str(path)
    raw = path.read_bytes()
    problems = []
    offset = 0
    if raw.startswith(UTF8_BOM):
        msg = "starts with a UTF-8 byte order mark (BOM); accepted, but re-save without it"
        problems.append(Problem("warning", file, msg, code="utf8-bom"))
        offset = len(UTF8_BOM)
    try:
        text = raw[offset:].decode("utf-8")
    except UnicodeDecodeError as exc:
        at = exc.start + offset
        line = raw.count(b"\n", 0, at) + 1
        msg = (
            f"is not UTF-8: byte {at} (line {line}) is {raw[at : at + 1]!r}; "
            "re-save the file as UTF-8"
        )
        return None, [*problems, Problem("error", file, msg, code="not-utf8")]
    if not text.strip():
        msg = 'is empty; write at least {"type": "FeatureCollection", "features": []}'
        if path.suffix.lower() == ".csv":
            msg = f"is empty; write at least the header line: {','.join(RELATIONS_TABLE.columns)}"
        return None, [*problems, Problem("error", file, msg, code="empty-file")]
    return text, problems


def _parse_json(file: str, text: str) -> tuple[object, list[Problem]]:
    try:
        return json.loads(text), []
    except json.JSONDecodeError as exc:
        truncated = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        if truncated:
            hint = "the file ends too early, it looks truncated; restore it from git or a backup"
        else:
            hint = "fix the JSON syntax there (a missing comma, quote or bracket?)"
        msg = f"is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno}); {hint}"
        return None, [Problem("error", file, msg, code="not-json")]


def _feature_list(file: str, data: object) -> tuple[list[object] | None, list[Problem]]:
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


def _check_crs_member(file: str, data: dict[str, object]) -> tuple[list[Problem], bool]:
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


def _check_frame_crs(frame: gpd.GeoDataFrame, file: str) -> tuple[list[Problem], bool]:
    if frame.crs is not None and frame.crs.equals("EPSG:4326"):
        return [], True
    msg = f"the frame's CRS is {frame.crs}; set or reproject it with .to_crs('EPSG:4326')"
    projected = frame.crs is not None and frame.crs.is_projected
    code = "projected-crs" if projected else "other-crs"
    return [Problem("error", file, msg, field="crs", code=code)], not projected


def _table_from_features(
    file: str, spec: LayerSpec, features: list[object], *, degrees: bool
) -> tuple[_Table, list[Problem]]:
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
    props = pd.DataFrame.from_records(records) if records else pd.DataFrame(index=range(0))
    geometry, broken = _parse_geometries(geometries)
    table = _Table(file, spec, props, geometry, np.asarray(rows, dtype=int), degrees, broken)
    problems += _diagnose_broken(table, geometries)
    return table, problems


def _parse_geometries(geometries: list[object]) -> tuple[np.ndarray, np.ndarray]:
    """Return shapely geometries (``None`` when missing or unreadable) and the unreadable mask."""
    texts = np.array([None if g is None else json.dumps(g) for g in geometries], dtype=object)
    parsed = shapely.from_geojson(texts, on_invalid="ignore") if len(texts) else texts
    present = np.array([g is not None for g in geometries], dtype=bool)
    return np.asarray(parsed, dtype=object), present & shapely.is_missing(parsed)


def _diagnose_broken(table: _Table, geometries: list[object]) -> list[Problem]:
    """Say why each unreadable geometry failed (only those are walked in Python)."""
    problems = []
    for i in np.flatnonzero(table.broken):
        code, reason = _diagnose_geometry(geometries[i])
        problems.append(table.problem(i, field=None, code=code, message=reason))
    return problems


def _diagnose_geometry(geometry: object) -> tuple[str, str]:
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
    if any(not _is_number(v) for v in values):
        bad = next(v for v in values if not _is_number(v))
        return "bad-geometry", f"coordinates must be numbers, found {bad!r}; remove the quotes"
    if any(not math.isfinite(v) for v in values):
        return "nan-coordinates", "geometry has NaN or infinite coordinates; give real [lon, lat]"
    if any(len(p) < 2 for p in positions):
        return "bad-geometry", "a position has fewer than 2 numbers; write [lon, lat]"
    return _diagnose_shape(kind, coordinates)


def _diagnose_shape(kind: str, coordinates: list[object]) -> tuple[str, str]:
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


def _positions(coordinates: object, depth: int) -> Iterator[list[object] | None]:
    """Yield the positions of ``coordinates`` nested ``depth`` deep (``None`` for bad nesting)."""
    if not isinstance(coordinates, list):
        yield None
    elif depth == 0:
        yield coordinates
    else:
        for item in coordinates:
            yield from _positions(item, depth - 1)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


# --------------------------------------------------------------------------------------------
# Frame checks: geometry


def _check_table(table: _Table, *, today: date | None) -> list[Problem]:
    today = today or date.today()
    return [
        *_check_geometry(table),
        *_check_ids(table),
        *_check_properties(table, today=today),
        *_check_extra_properties(table),
    ]


def _check_geometry(table: _Table) -> list[Problem]:
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
        *_check_3d(table, usable),
        *_check_geometry_types(table, usable),
        *_check_validity(table, usable),
    ]
    if table.degrees:
        problems += _check_ranges(table, usable, bounds)
    return problems


def _check_3d(table: _Table, usable: np.ndarray) -> list[Problem]:
    has_z = usable & shapely.has_z(table.geometry)
    if not has_z.any():
        return []
    msg = (
        f"{int(has_z.sum())} features have 3D coordinates ({_listed(table, has_z)}); accepted, "
        "but the third value (height) is dropped when strikemap writes the layer"
    )
    return [Problem("warning", table.file, msg, code="3d-coordinates")]


def _check_geometry_types(table: _Table, usable: np.ndarray) -> list[Problem]:
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


def _check_validity(table: _Table, usable: np.ndarray) -> list[Problem]:
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


def _check_ranges(table: _Table, usable: np.ndarray, bounds: np.ndarray) -> list[Problem]:
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


# --------------------------------------------------------------------------------------------
# Frame checks: ids and properties


def _check_ids(table: _Table) -> list[Problem]:
    ids = table.column("id")
    present = ~_is_missing(ids)
    text = ids.map(lambda v: v if isinstance(v, str) else None)
    slug = text.map(lambda v: v is not None and ID_PATTERN.fullmatch(v) is not None)
    duplicate = present & ids.astype(str).duplicated(keep="first")
    first_row = dict(zip(ids.astype(str)[::-1], table.rows[::-1], strict=True))
    return [
        *table.flag(
            ~present,
            field="id",
            code="missing-id",
            message=(
                "feature has no id; give it a unique lowercase slug such as "
                "'strike-2025-08-06-orlivka'"
            ),
        ),
        *table.flag(
            present & ~slug,
            field="id",
            code="bad-id",
            message=lambda i: (
                f"id {ids.iloc[i]!r} is not a lowercase slug (a-z, 0-9 and single hyphens); "
                f"write e.g. {slugify(str(ids.iloc[i])) or 'feature-1'!r}"
            ),
        ),
        *table.flag(
            duplicate,
            field="id",
            code="duplicate-id",
            message=lambda i: (
                f"id {ids.iloc[i]!r} is used twice in this file (first at feature "
                f"#{first_row[str(ids.iloc[i])]}); ids must be unique across all layers"
            ),
        ),
    ]


def _check_properties(table: _Table, *, today: date) -> list[Problem]:
    problems = []
    for spec in table.spec.fields:
        if spec.name == "id":
            continue
        values = table.column(spec.name)
        missing = _is_missing(values)
        if spec.required:
            problems += table.flag(
                missing, field=spec.name, code="missing-property", message=_missing_message(spec)
            )
        problems += _CHECKS_BY_KIND[spec.kind](table, spec, values, ~missing, today)
        if spec.name in COUNTRY_CODE_FIELDS:
            problems += _check_iso3_form(table, spec, values, ~missing)
    if "sources" in table.spec.field_names:
        problems += _check_sources(table)
    return problems


def _missing_message(spec: FieldSpec) -> str:
    if spec.vocabulary:
        hint = f" (one of: {', '.join(map(str, spec.vocabulary))})"
    elif spec.description:
        hint = f" ({spec.description})"
    else:
        hint = ""
    return f"required property {spec.name!r} is missing or empty; add it{hint}"


def _check_text(
    table: _Table, spec: FieldSpec, values: pd.Series, present: pd.Series, today: date
) -> list[Problem]:
    wrong = present & ~values.map(lambda v: isinstance(v, str))
    return table.flag(
        wrong,
        field=spec.name,
        code="bad-type",
        message=lambda i: f"{spec.name} must be text, found {values.iloc[i]!r}; write it in quotes",
    )


def _check_int(
    table: _Table, spec: FieldSpec, values: pd.Series, present: pd.Series, today: date
) -> list[Problem]:
    number = values.map(_is_number)
    numeric = pd.to_numeric(values.where(number), errors="coerce")
    whole = number & (numeric % 1 == 0)
    allowed = whole & numeric.isin(spec.vocabulary) if spec.vocabulary else whole
    choices = ", ".join(map(str, spec.vocabulary))
    expected = f"one of the whole numbers {choices}" if spec.vocabulary else "a whole number"
    return table.flag(
        present & ~allowed,
        field=spec.name,
        code="bad-value",
        message=lambda i: (
            f"{spec.name} {values.iloc[i]!r} is not allowed; use {expected} (no quotes)"
        ),
    )


def _check_enum(
    table: _Table, spec: FieldSpec, values: pd.Series, present: pd.Series, today: date
) -> list[Problem]:
    vocabulary = set(spec.vocabulary)
    allowed = values.map(lambda v: isinstance(v, str) and v in vocabulary)
    return table.flag(
        present & ~allowed,
        field=spec.name,
        code="bad-value",
        message=lambda i: (
            f"{spec.name} {values.iloc[i]!r} is not in the vocabulary; use one of "
            f"{', '.join(map(str, spec.vocabulary))}"
        ),
    )


def _check_bool(
    table: _Table, spec: FieldSpec, values: pd.Series, present: pd.Series, today: date
) -> list[Problem]:
    wrong = present & ~values.map(lambda v: isinstance(v, bool | np.bool_))
    return table.flag(
        wrong,
        field=spec.name,
        code="bad-type",
        message=lambda i: f"{spec.name} must be true or false, found {values.iloc[i]!r}",
    )


def _check_date(
    table: _Table, spec: FieldSpec, values: pd.Series, present: pd.Series, today: date
) -> list[Problem]:
    parsed = _parse_dates(values)
    bad = present & parsed.isna()
    future = present & (parsed > pd.Timestamp(today))
    return [
        *table.flag(
            bad,
            field=spec.name,
            code="bad-date",
            message=lambda i: (
                f"{spec.name} {values.iloc[i]!r} is not a date in the form YYYY-MM-DD; "
                "write e.g. 2025-08-06"
            ),
        ),
        *table.flag(
            future,
            field=spec.name,
            code="future-date",
            message=lambda i: (
                f"{spec.name} {values.iloc[i]} lies in the future (today is {today}); "
                "check the year and the month"
            ),
        ),
    ]


def _check_list(
    table: _Table, spec: FieldSpec, values: pd.Series, present: pd.Series, today: date
) -> list[Problem]:
    is_list = values.map(lambda v: isinstance(v, list | tuple | np.ndarray))
    problems = table.flag(
        present & ~is_list,
        field=spec.name,
        code="bad-type",
        message=lambda i: f'{spec.name} must be a list, found {values.iloc[i]!r}; write ["..."]',
    )
    elements = _elements(values.where(present & is_list))
    if spec.kind == "list_enum":
        vocabulary = set(spec.vocabulary)
        ok = elements.map(lambda v: isinstance(v, str) and v in vocabulary)
        hint = f"use {', '.join(map(str, spec.vocabulary))}"
    else:
        ok = elements.map(lambda v: isinstance(v, str) and bool(v.strip()))
        hint = "each item must be non-empty text"
    bad = _bad_items(elements, ok, len(table))
    problems += table.flag(
        bad.notna(),
        field=spec.name,
        code="bad-value",
        message=lambda i: f"{spec.name} holds {bad.iloc[i]}; {hint}",
    )
    return problems


_CHECKS_BY_KIND: dict[str, Callable[..., list[Problem]]] = {
    "str": _check_text,
    "int": _check_int,
    "enum": _check_enum,
    "bool": _check_bool,
    "date": _check_date,
    "list": _check_list,
    "list_enum": _check_list,
}


def _check_iso3_form(
    table: _Table, spec: FieldSpec, values: pd.Series, present: pd.Series
) -> list[Problem]:
    elements = _elements(values.where(present))
    ok = elements.map(lambda v: not isinstance(v, str) or ISO3_PATTERN.fullmatch(v) is not None)
    bad = _bad_items(elements, ok, len(table))
    return table.flag(
        bad.notna(),
        field=spec.name,
        code="bad-country",
        message=lambda i: (
            f"{spec.name} holds {bad.iloc[i]}, not an ISO 3166 alpha-3 code; write three capital "
            "letters such as 'UKR', 'ROU', 'AZE'"
        ),
    )


def _check_sources(table: _Table) -> list[Problem]:
    values = table.column("sources")
    elements = _elements(
        values.where(values.map(lambda v: isinstance(v, list | tuple | np.ndarray)))
    )
    text = elements.map(lambda v: v.strip() if isinstance(v, str) else "").astype(object)
    ok = text.str.match(URL_PATTERN) | text.str.startswith(DATASET_SOURCE_PREFIX)
    ok |= text == ""  # blank items are reported by the list check
    bad = _bad_items(elements, ok, len(table))
    problems = table.flag(
        bad.notna(),
        field="sources",
        code="bad-source",
        message=lambda i: (
            f"sources holds {bad.iloc[i]}, not a URL; give http(s) links to the source, or "
            f"'{DATASET_SOURCE_PREFIX}NAME' for rows imported from a dataset"
        ),
    )
    raw_ip = _bad_items(elements, ~text.str.match(RAW_IP_URL_PATTERN), len(table))
    return problems + table.flag(
        raw_ip.notna(),
        field="sources",
        code="raw-ip-source",
        message=lambda i: _raw_ip("sources", raw_ip, i),
    )


def _raw_ip(field: str, items: pd.Series, i: int) -> str:
    return (
        f"{field} holds {items.iloc[i]}, a URL on a bare IP address that hides its publisher "
        "(usually a copy); cite the original publisher's URL instead, or drop it when another "
        "source carries the same facts"
    )


def _check_extra_properties(table: _Table) -> list[Problem]:
    known = table.spec.field_names
    problems = []
    for name in (c for c in table.props.columns if c not in known):
        close = difflib.get_close_matches(str(name), known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        msg = f"property {name!r} is not in the {table.spec.name} schema; it is kept as is{hint}"
        problems.append(Problem("warning", table.file, msg, field=str(name), code="extra-property"))
    return problems


# --------------------------------------------------------------------------------------------
# References between layers


def _check_references(
    table: _Table,
    *,
    asset_ids: Collection[str] | None,
    country_codes: Collection[str] | None,
) -> list[Problem]:
    problems = []
    names = table.spec.field_names
    if asset_ids is not None:
        known_assets = set(asset_ids)
        for name in (n for n in ASSET_REFERENCE_FIELDS if n in names):
            problems += _check_known(
                table,
                name,
                known_assets,
                code="unknown-asset",
                hint=(
                    "which is no asset id in pipelines, power_lines, facilities or fuel_stations; "
                    "fix the id or add the asset first"
                ),
            )
    if country_codes is not None:
        known_codes = set(country_codes)
        for name in (n for n in COUNTRY_CODE_FIELDS if n in names and n != "iso3"):
            problems += _check_known(
                table,
                name,
                known_codes,
                code="unknown-country",
                hint=(
                    f"which is neither in the countries layer nor in {COUNTRY_CODES_FILE}; "
                    "use a known ISO3 code or add the country"
                ),
            )
    return problems


def _check_known(
    table: _Table, name: str, known: set[str], *, code: str, hint: str
) -> list[Problem]:
    values = table.column(name)
    elements = _elements(values.where(~_is_missing(values)))
    well_formed = elements.map(lambda v: isinstance(v, str) and v.strip() != "")
    if name in COUNTRY_CODE_FIELDS:  # badly formed codes were reported already
        well_formed &= elements.map(lambda v: ISO3_PATTERN.fullmatch(str(v)) is not None)
    ok = ~well_formed | elements.isin(known)
    bad = _bad_items(elements, ok, len(table))
    return table.flag(
        bad.notna(), field=name, code=code, message=lambda i: f"{name} names {bad.iloc[i]}, {hint}"
    )


def _ids_of(tables: Iterable[_Table]) -> set[str]:
    return {v for t in tables for v in t.column("id") if isinstance(v, str) and v}


def _check_ids_across_layers(tables: list[_Table]) -> list[Problem]:
    """Report an id used in two layers, on the later file, naming the earlier one."""
    frames = [
        pd.DataFrame(
            {
                "id": t.column("id").map(lambda v: v if isinstance(v, str) else None),
                "table": n,
                "position": np.arange(len(t)),
            }
        )
        for n, t in enumerate(tables)
    ]
    if not frames:
        return []
    ids = pd.concat(frames, ignore_index=True).dropna(subset=["id"])
    ids = ids[ids["id"] != ""].drop_duplicates(["id", "table"])
    first = ids.drop_duplicates("id").set_index("id")
    repeated = ids[ids["id"].duplicated(keep="first")]
    problems = []
    for fid, n, position in repeated.itertuples(index=False):
        table = tables[n]
        other = tables[int(first.loc[fid, "table"])]
        other_row = other.rows[int(first.loc[fid, "position"])]
        msg = (
            f"id {fid!r} is also used in {other.file} (feature #{other_row}); ids must be "
            "unique across all layers, rename one of them"
        )
        problems.append(table.problem(position, field="id", code="duplicate-id", message=msg))
    return problems


def _known_country_codes(
    folder: Path, tables: list[_Table]
) -> tuple[set[str] | None, list[Problem]]:
    """ISO3 codes of the countries layer plus ``country_codes.csv``; ``None`` when neither."""
    codes: set[str] = set()
    found = False
    for table in (t for t in tables if "iso3" in t.spec.field_names):
        codes |= {v for v in table.column("iso3") if isinstance(v, str) and v}
        found = True
    path = folder / COUNTRY_CODES_FILE
    problems: list[Problem] = []
    if path.exists():
        listed, problems = _read_country_codes(path)
        codes |= listed
        found = True
    if not found:
        log.info(
            "%s: no countries layer nor %s; ISO3 codes checked for form only",
            folder,
            COUNTRY_CODES_FILE,
        )
        return None, problems
    return codes, problems


def _read_country_codes(path: Path) -> tuple[set[str], list[Problem]]:
    text, problems = _read_text(path)
    if text is None:
        return set(), problems
    table, more = _parse_csv(str(path), text)
    problems += more
    if table is None or table.empty:
        return set(), problems
    lowered = {str(c).strip().lower(): c for c in table.columns}
    column = next(
        (lowered[c] for c in ("iso3", "alpha3", "alpha_3", "code") if c in lowered),
        table.columns[0],
    )
    values = table[column].str.strip()
    bad = ~values.str.fullmatch(ISO3_PATTERN)
    for line in np.flatnonzero(bad.to_numpy()) + 2:
        msg = f"{values.iloc[line - 2]!r} is not an ISO 3166 alpha-3 code; write three capitals"
        problems.append(
            Problem("warning", str(path), msg, row=int(line), field=str(column), code="bad-country")
        )
    return set(values[~bad]), problems


# --------------------------------------------------------------------------------------------
# relations.csv


def _parse_csv(file: str, text: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False).fillna("")
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        msg = f"cannot be read as CSV ({exc}); check quotes and the number of commas per line"
        return None, [Problem("error", file, msg, code="not-csv")]
    return table, []


def _check_relations(
    file: str,
    table: pd.DataFrame,
    *,
    asset_ids: Collection[str] | None,
    country_codes: Collection[str] | None,
) -> list[Problem]:
    problems = _check_relation_columns(file, table)
    given = set(table.columns)
    table = table.reindex(columns=list(RELATIONS_TABLE.columns), fill_value="")
    table = table.apply(lambda column: column.str.strip())
    rows = np.arange(len(table)) + 2
    rel = _Table(file, _RELATIONS_SPEC, table, np.full(len(table), None), rows)

    def flag(mask: pd.Series, column: str, code: str, message: Callable[[int], str]) -> None:
        problems.extend(rel.flag(mask, field=column, code=code, message=message))

    for column in (c for c in RELATIONS_TABLE.required if c in given):
        flag(
            table[column] == "",
            column,
            "missing-value",
            lambda i, c=column: f"{c} is empty; every link needs a value in column {c!r}",
        )
    kinds = table["relation"]
    flag(
        (kinds != "") & ~kinds.isin(RELATIONS_CSV_KINDS),
        "relation",
        "bad-value",
        lambda i: (
            f"relation {kinds.iloc[i]!r} is not a known kind; use one of "
            f"{', '.join(RELATIONS_CSV_KINDS)}"
        ),
    )
    if asset_ids is not None:
        assets = table["asset_id"]
        flag(
            (assets != "") & ~assets.isin(set(asset_ids)),
            "asset_id",
            "unknown-asset",
            lambda i: (
                f"asset_id {assets.iloc[i]!r} is no asset in pipelines, power_lines, facilities or "
                "fuel_stations; fix the id or add the asset first"
            ),
        )
    problems += _check_relation_countries(rel, table["country"], country_codes)
    problems += _check_relation_dates(rel, table)
    problems += _check_relation_sources(rel, table["source"])
    return problems


def _check_relation_columns(file: str, table: pd.DataFrame) -> list[Problem]:
    problems = []
    for column in RELATIONS_TABLE.columns:
        if column in table.columns:
            continue
        required = column in RELATIONS_TABLE.required
        msg = (
            f"column {column!r} is missing; the header must be {','.join(RELATIONS_TABLE.columns)}"
            + ("" if required else " (the column may be empty)")
        )
        severity: Severity = "error" if required else "warning"
        problems.append(Problem(severity, file, msg, field=column, code="missing-column"))
    return problems


def _check_relation_countries(
    rel: _Table, countries: pd.Series, country_codes: Collection[str] | None
) -> list[Problem]:
    given = countries != ""
    form = countries.str.fullmatch(ISO3_PATTERN)
    problems = rel.flag(
        given & ~form,
        field="country",
        code="bad-country",
        message=lambda i: (
            f"country {countries.iloc[i]!r} is not an ISO 3166 alpha-3 code; write e.g. 'AZE'"
        ),
    )
    if country_codes is not None:
        unknown = given & form & ~countries.isin(set(country_codes))
        problems += rel.flag(
            unknown,
            field="country",
            code="unknown-country",
            message=lambda i: (
                f"country {countries.iloc[i]!r} is neither in the countries layer nor in "
                f"{COUNTRY_CODES_FILE}; use a known ISO3 code or add the country"
            ),
        )
    return problems


def _check_relation_dates(rel: _Table, table: pd.DataFrame) -> list[Problem]:
    problems = []
    parsed = {}
    for column in ("valid_from", "valid_to"):
        values = table[column]
        parsed[column] = _parse_dates(values)
        bad = (values != "") & parsed[column].isna()
        problems += rel.flag(
            bad,
            field=column,
            code="bad-date",
            message=lambda i, v=values, c=column: (
                f"{c} {v.iloc[i]!r} is not a date in the form YYYY-MM-DD; write e.g. 2025-07-28, "
                "or leave it empty for an open end"
            ),
        )
    reversed_ = parsed["valid_from"] > parsed["valid_to"]
    problems += rel.flag(
        reversed_,
        field="valid_from",
        code="bad-period",
        message=lambda i: (
            f"valid_from {table['valid_from'].iloc[i]} is after valid_to "
            f"{table['valid_to'].iloc[i]}; swap them or fix the dates"
        ),
    )
    return problems


def _check_relation_sources(rel: _Table, sources: pd.Series) -> list[Problem]:
    items = sources.str.split(";").explode().str.strip()
    ok = (items == "") | items.str.match(URL_PATTERN) | items.str.startswith(DATASET_SOURCE_PREFIX)
    bad = _bad_items(items, ok, len(sources))
    problems = rel.flag(
        bad.notna(),
        field="source",
        code="bad-source",
        message=lambda i: (
            f"source holds {bad.iloc[i]}, not a URL; give http(s) links separated by ';', or "
            f"'{DATASET_SOURCE_PREFIX}NAME'"
        ),
    )
    raw_ip = _bad_items(items, ~items.str.match(RAW_IP_URL_PATTERN), len(sources))
    return problems + rel.flag(
        raw_ip.notna(),
        field="source",
        code="raw-ip-source",
        message=lambda i: _raw_ip("source", raw_ip, i),
    )


_RELATIONS_SPEC = LayerSpec(
    name="relations",
    file=RELATIONS_TABLE.file,
    title="Relations",
    geometry_types=(),
    fields=(),
    tooltip_fields=(),
)
"""Lets relation rows reuse the table helpers; it holds no ``id`` so rows are named by line."""


# --------------------------------------------------------------------------------------------
# Small vectorised helpers


def _is_missing(values: pd.Series) -> pd.Series:
    """``None``, NaN, blank text and empty lists are missing."""
    missing = values.isna()
    present = values[~missing]
    if len(present):
        missing[~missing] = present.map(_is_blank).astype(bool)
    return missing


def _is_blank(value: object) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple | np.ndarray) and len(value) == 0


def _elements(values: pd.Series) -> pd.Series:
    """One row per list item (scalars count as one item), indexed by feature position."""
    return values.explode().dropna()


def _bad_items(elements: pd.Series, ok: pd.Series, size: int) -> pd.Series:
    """Per feature position, the offending items in words (``NaN`` where none)."""
    bad = elements[~ok.astype(bool)]
    words = bad.map(repr).groupby(level=0).agg(", ".join)
    return words.reindex(range(size))


def _parse_dates(values: pd.Series) -> pd.Series:
    """Parse ``YYYY-MM-DD`` text (or date objects) to timestamps; anything else gives NaT."""
    text = values.map(_date_text)
    shaped = text.str.fullmatch(ISO_DATE).fillna(False).astype(bool)
    return pd.to_datetime(text.where(shaped), format="%Y-%m-%d", errors="coerce")


def _date_text(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, date):
        return value.isoformat()[:10]
    return None


def _listed(table: _Table, mask: np.ndarray) -> str:
    labels = table.labels()
    names = [labels[i] or f"#{table.rows[i]}" for i in np.flatnonzero(mask)]
    more = f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else ""
    return ", ".join(repr(n) for n in names[:MAX_LISTED]) + more
