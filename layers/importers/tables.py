"""Reading open-data tables (GeoJSON features or CSV rows) and clipping them to the map region.

The open-data importers (GridKit, powerplantmatching, World Port Index, GeoNames, UCDP, GEM
routes) read either the dataset's own format or a GeoJSON extract with the same column names.
Both become a ``SourceTable``: the raw values, one geometry per row (or none yet) and where each
row is in the file (``feature 3``, ``row 7``), so that a rejected row can be named.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from strikemap.layers.catalog import LayerSpec
from strikemap.layers.importers.common import (
    ImportFileError,
    ParsedImport,
    Progress,
    Rejected,
    check_input_file,
    feature_geometries,
    feature_properties,
    first_problem,
    incoming_frame,
    load_geojson,
    no_rows_error,
    require_columns,
    sniff_csv_header,
    stream_csv,
)

log = logging.getLogger(__name__)

Bounds = tuple[float, float, float, float]
"""West, south, east, north in degrees."""
GEOJSON_SUFFIXES = (".geojson", ".json")
LINE_TYPES = ("LineString", "MultiLineString")
AREA_TYPES = ("Polygon", "MultiPolygon")
ACCEPTED_CRS_ENDINGS = ("EPSG:4326", "EPSG::4326", "CRS84", "CRS:84")


@dataclass
class SourceTable:
    """Rows of an outside file before they are mapped to a layer.

    Parameters
    ----------
    path
        The file read.
    frame
        Raw property values, one row per feature or CSV row, columns as in the file.
    geometry
        One shapely geometry per row (``None`` where missing or unreadable), or ``None`` when
        the file has no geometry column and the importer builds points from coordinates.
    where
        Where each row is in the file: ``feature 3`` (GeoJSON, 1-based) or ``row 7`` (CSV,
        spreadsheet numbering with the header as row 1).
    """

    path: Path
    frame: pd.DataFrame
    geometry: np.ndarray | None
    where: pd.Series

    def __len__(self) -> int:
        return len(self.frame)

    def text(self, column: str | None) -> pd.Series:
        """Return ``column`` as stripped text, '' where missing (all '' for ``None``)."""
        if column is None or column not in self.frame.columns:
            return pd.Series("", index=self.frame.index, dtype=object)
        values = self.frame[column].astype(object)
        text = values.where(values.notna(), "").astype(str).str.strip()
        return text.mask(text.str.lower().isin(("nan", "none", "null")), "")

    def number(self, column: str | None) -> pd.Series:
        """Return ``column`` as floats (thousands separators dropped); NaN where not a number."""
        text = self.text(column).str.replace(",", "", regex=False)
        return pd.to_numeric(text, errors="coerce")

    def take(self, mask: pd.Series | np.ndarray) -> SourceTable:
        """Return the rows where ``mask`` is true."""
        keep = np.asarray(mask, dtype=bool)
        geometry = None if self.geometry is None else self.geometry[keep]
        return SourceTable(
            self.path,
            self.frame[keep].reset_index(drop=True),
            geometry,
            self.where[keep].reset_index(drop=True),
        )


def is_geojson(path: Path) -> bool:
    """Whether ``path`` is named like a GeoJSON file."""
    return path.suffix.lower() in GEOJSON_SUFFIXES


def read_geojson_table(path: str | Path, *, fmt: str) -> SourceTable:
    """Read a GeoJSON FeatureCollection into a SourceTable (geometries parsed one by one).

    Raises
    ------
    ImportFileError
        When the file is missing, empty, not UTF-8 JSON, not a FeatureCollection, or declares
        a ``crs`` other than longitude/latitude degrees.
    """
    path = check_input_file(path)
    data = load_geojson(path, fmt=fmt, hint=f"download the {fmt} file again")
    features = data["features"]
    _check_crs(data, path, fmt=fmt)
    records = [feature_properties(f) for f in features]
    parsed, _reasons = feature_geometries([f if isinstance(f, dict) else {} for f in features])
    frame = pd.DataFrame(records, index=range(len(records)))  # a feature may have no properties
    where = pd.Series([f"feature {i}" for i in range(1, len(features) + 1)], dtype=object)
    return SourceTable(path, frame, parsed, where)


def _check_crs(data: dict, path: Path, *, fmt: str) -> None:
    crs = data.get("crs")
    if crs is None:
        return
    name = str((crs.get("properties") or {}).get("name", "")) if isinstance(crs, dict) else ""
    if not name.upper().endswith(ACCEPTED_CRS_ENDINGS):
        msg = (
            f"{path}: declares the CRS {name or crs!r}; {fmt} GeoJSON must be in longitude/"
            "latitude degrees (EPSG:4326): reproject it, e.g. ogr2ogr -t_srs EPSG:4326 "
            "out.geojson in.geojson"
        )
        raise ImportFileError(msg)


def read_csv_table(
    path: str | Path,
    *,
    fmt: str,
    required: Sequence[str] = (),
    progress: Progress | None = None,
) -> SourceTable:
    """Read every column of a comma-separated UTF-8 CSV into a SourceTable without geometry.

    Raises
    ------
    ImportFileError
        When the file is missing, empty, not UTF-8, not comma-separated or lacks a column of
        ``required`` (the message lists the columns found).
    """
    path = check_input_file(path)
    columns = sniff_csv_header(path, fmt=fmt)
    require_columns(columns, required, path=path, fmt=fmt)
    chunks = list(stream_csv(path, usecols=(), fmt=fmt, progress=progress))
    frame = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame()
    rows = frame.pop("_row") if "_row" in frame.columns else pd.Series([], dtype=int)
    where = ("row " + rows.astype(str)).astype(object).reset_index(drop=True)
    return SourceTable(path, frame.reset_index(drop=True), None, where)


def resolve_columns(
    table: SourceTable,
    aliases: Mapping[str, Sequence[str]],
    *,
    required: Sequence[str],
    fmt: str,
) -> dict[str, str | None]:
    """Find each of our names among the file's columns (case-insensitive, by alias).

    Returns
    -------
    dict
        Our name -> the file's column, ``None`` where the file has none of the aliases.

    Raises
    ------
    ImportFileError
        Naming every required column that is missing, its aliases and the columns found.
    """
    lower = {str(c).strip().lower(): str(c) for c in table.frame.columns}
    found = {
        ours: next((lower[a.lower()] for a in names if a.lower() in lower), None)
        for ours, names in aliases.items()
    }
    missing = [name for name in required if found.get(name) is None]
    if missing:
        wanted = "; ".join(f"{n}: one of {', '.join(aliases[n])}" for n in missing)
        columns = ", ".join(map(str, list(table.frame.columns)[:25])) or "none"
        msg = (
            f"{table.path}: missing {fmt} column(s) ({wanted}); found {columns}. "
            f"Is this a {fmt} file?"
        )
        raise ImportFileError(msg)
    return found


def read_table(
    path: str | Path,
    *,
    fmt: str,
    aliases: Mapping[str, Sequence[str]],
    required: Sequence[str],
    csv_required: Sequence[str] = (),
    progress: Progress | None = None,
) -> tuple[SourceTable, dict[str, str | None]]:
    """Read a GeoJSON extract or the dataset's CSV and find our columns in it.

    Parameters
    ----------
    path
        ``.geojson`` / ``.json`` or a comma-separated UTF-8 CSV.
    fmt
        The format's name in messages.
    aliases, required
        Our column names -> the file's spellings; which of ours must be there.
    csv_required
        Columns a CSV must have under exactly these names (checked from its header, before
        the rows are read).

    Raises
    ------
    ImportFileError
        When the file is missing, unreadable, has no rows or lacks a required column.
    """
    path = check_input_file(path)
    if is_geojson(path):
        table = read_geojson_table(path, fmt=fmt)
    else:
        table = read_csv_table(path, fmt=fmt, required=csv_required, progress=progress)
    if not len(table):
        raise no_rows_error(path, fmt=fmt)
    return table, resolve_columns(table, aliases, required=required, fmt=fmt)


def point_import(
    kind: str,
    table: SourceTable,
    records: pd.DataFrame,
    lon: pd.Series,
    lat: pd.Series,
    *,
    bad: np.ndarray,
    rejected: list[Rejected],
    spec: LayerSpec,
    bounds: Bounds,
    skipped: Sequence[tuple[np.ndarray, str]] = (),
) -> ParsedImport:
    """Return the good rows as points in ``spec``'s layer, those outside ``bounds`` left out.

    ``skipped`` holds ``(mask, note)`` pairs of good rows left out on purpose; ``note`` is
    formatted with ``n``, the number of rows inside the bounds it leaves out.
    """
    geometry = points_from(lon, lat)
    _, inside = clip_to_bounds(geometry, bounds)
    keep = ~bad & inside
    notes = bounds_note(int((~bad & ~inside).sum()), bounds)
    for mask, note in skipped:
        if n := int((keep & mask).sum()):
            notes.append(note.format(n=n))
        keep &= ~mask
    frame = incoming_frame(records[keep].reset_index(drop=True), geometry[keep], spec)
    return ParsedImport(kind, table.path, {spec.name: frame}, rejected, len(table), notes)


def rejected_rows(table: SourceTable, checks: list) -> tuple[np.ndarray, list[Rejected]]:
    """Run ``first_problem`` checks; return the bad-row mask and one Rejected per bad row."""
    problem = first_problem(checks, table.frame.index)
    bad = (problem != "").to_numpy()
    rejected = [
        Rejected(str(w), str(p)) for w, p in zip(table.where[bad], problem[bad], strict=True)
    ]
    return bad, rejected


def as_int(values: pd.Series) -> pd.Series:
    """Return whole numbers as Python ints (rounded), None where missing."""
    number = pd.to_numeric(values, errors="coerce")
    ints = [None if pd.isna(v) else round(float(v)) for v in number]
    return pd.Series(ints, index=values.index, dtype=object)


def points_from(lon: pd.Series, lat: pd.Series) -> np.ndarray:
    """Return points from coordinate columns; None where a coordinate is missing."""
    ok = lon.notna() & lat.notna()
    points = np.full(len(lon), None, dtype=object)
    points[ok.to_numpy()] = shapely.points(lon[ok].to_numpy(float), lat[ok].to_numpy(float))
    return points


def coordinate_problems(
    lon: pd.Series, lat: pd.Series, *, lon_name: str | None, lat_name: str | None
) -> list:
    """Return ``first_problem`` checks: missing or out-of-range longitude and latitude."""
    lon_name, lat_name = lon_name or "longitude", lat_name or "latitude"
    return [
        (lat.isna(), f"{lat_name}: missing or not a number"),
        (lon.isna(), f"{lon_name}: missing or not a number"),
        (
            (lat.abs() > 90) | (lon.abs() > 180),
            f"{lat_name}/{lon_name}: out of range (latitude -90..90, longitude -180..180); "
            "are they swapped or in metres?",
        ),
    ]


TYPE_IDS = {
    "Point": 0,
    "LineString": 1,
    "Polygon": 3,
    "MultiPoint": 4,
    "MultiLineString": 5,
    "MultiPolygon": 6,
}
"""GeoJSON geometry type -> ``shapely.get_type_id``."""


def geometry_problems(geometry: np.ndarray, allowed: Sequence[str]) -> list:
    """Return ``first_problem`` checks: a missing, unreadable or wrongly typed geometry."""
    types = shapely.get_type_id(geometry)
    bad_type = pd.Series((types >= 0) & ~np.isin(types, [TYPE_IDS[a] for a in allowed]))
    return [
        (
            pd.Series(shapely.is_missing(geometry)),
            "geometry: missing or not a readable GeoJSON geometry",
        ),
        (bad_type, f"geometry: is not a {' or '.join(allowed)}"),
    ]


def clip_to_bounds(geometry: np.ndarray, bounds: Bounds) -> tuple[np.ndarray, np.ndarray]:
    """Clip geometries to a box; return the clipped geometries and which ones are kept.

    Points are kept when inside; lines and polygons are cut at the box edge and kept when some
    of their length or area lies inside (only the line or polygon parts of the cut remain).
    """
    box = shapely.box(*bounds)
    is_point = shapely.get_type_id(geometry) == shapely.GeometryType.POINT
    inside = np.asarray(shapely.intersects(geometry, box), dtype=bool) & ~shapely.is_missing(
        geometry
    )
    clipped = np.array(geometry, dtype=object)
    covered = shapely.covered_by(geometry, box)
    cut = inside & ~is_point & ~covered
    if cut.any():
        clipped[cut] = [
            _same_dimension(g, d)
            for g, d in zip(
                shapely.intersection(geometry[cut], box),
                shapely.get_dimensions(geometry[cut]),
                strict=True,
            )
        ]
    kept = inside & ~shapely.is_empty(
        np.where(shapely.is_missing(clipped), shapely.Point(), clipped)
    )
    return clipped, kept


def _same_dimension(geometry: shapely.Geometry, dimension: int) -> shapely.Geometry:
    """Keep the parts of an intersection with the dimension of the original (lines of a line)."""
    parts = [p for p in shapely.get_parts(geometry) if shapely.get_dimensions(p) == dimension]
    if not parts:
        return shapely.Point()
    if dimension == 1:
        merged = shapely.line_merge(shapely.multilinestrings(parts)) if len(parts) > 1 else parts[0]
        return merged
    return shapely.multipolygons(parts) if len(parts) > 1 else parts[0]


def bounds_note(skipped: int, bounds: Bounds) -> list[str]:
    """Return the note on rows left out because they lie outside the map region."""
    if not skipped:
        return []
    west, south, east, north = bounds
    return [
        f"skipped {skipped} features outside the map region (lon {west:g}..{east:g}, "
        f"lat {south:g}..{north:g}; --bbox to change)"
    ]
