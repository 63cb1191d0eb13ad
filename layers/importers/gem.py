"""Global Energy Monitor pipeline exports (GeoJSON, or spreadsheet/CSV with WKT) -> pipelines.

Reads the tracker spreadsheets and shapefile exports (``PipelineName``, ``WKTFormat`` ...), the
GOIT-GGIT route GeoJSON (one route per ``ProjectID``) and extracts of it with lower-case columns
(``name``, ``kind``, ``status``). A route file without attributes takes them from an attribute
table joined by ``ProjectID`` (``attributes=``, the tracker's spreadsheet or a CSV of it).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from strikemap.layers.catalog import PIPELINES
from strikemap.layers.credits import GEM
from strikemap.layers.importers.common import (
    WHERE_COLUMN,
    ImportFileError,
    ParsedImport,
    Progress,
    Rejected,
    check_input_file,
    first_problem,
    geometries_from_wkt,
    incoming_frame,
    no_rows_error,
    read_csv_checked,
    rejections,
)
from strikemap.layers.importers.tables import (
    Bounds,
    bounds_note,
    clip_to_bounds,
    is_geojson,
    read_geojson_table,
)
from strikemap.layers.schema import slugify

log = logging.getLogger(__name__)

FORMAT = "GEM pipeline"
TRACKER_URLS = {
    "Global Gas Infrastructure Tracker": GEM.url,
    "Global Oil Infrastructure Tracker": (
        "https://globalenergymonitor.org/projects/global-oil-infrastructure-tracker/"
    ),
}
"""Tracker -> its page: the source of rows without a GEM wiki link."""
COLUMN_ALIASES = {
    "project_id": ("ProjectID", "Project ID", "ProjectId", "GEM ID", "id"),
    "name": ("PipelineName", "Pipeline Name", "PipeName", "Name", "ProjectName"),
    "segment": ("SegmentName", "Segment Name", "SegName", "Segment"),
    "status": ("Status",),
    "owner": ("Owner", "Owners", "Parent", "Operator"),
    "fuel": ("Fuel", "Fuel type", "Commodity", "kind"),
    "capacity": ("Capacity", "Capac", "CapacityBcm/y", "CapacityBOEd", "Capacity (bcm/y)"),
    "capacity_units": ("CapacityUnits", "Capacity units", "CapacUnits", "capacity_units"),
    "start_year": ("StartYear1", "StartYr1", "start_year", "StartYear"),
    "accuracy": ("RouteAccuracy", "Route accuracy", "Accuracy"),
    "wkt": ("WKTFormat", "WKT", "Route", "geometry_wkt", "wkt"),
    "url": ("Wiki", "WikiURL", "URL", "Url"),
    "country": ("Countries", "Country"),
}
"""Our name -> column names GEM has used for it across tracker releases."""
STATUS = {
    "operating": "operating",
    "construction": "under_construction",
    "proposed": "planned",
    "idle": "inactive",
    "mothballed": "inactive",
    "retired": "inactive",
    "shelved": None,
    "cancelled": None,
}
"""GEM status -> asset status; shelved and cancelled projects are not imported (never built)."""
ROUTE_ACCURACY = {"high": "exact", "medium": "approximate", "low": "schematic"}
PRECISION = {"exact": 0, "approximate": 2, "schematic": 3}
"""Route accuracy -> geo_precision: a route digitised from maps can lie kilometres away (2);
a schematic one is only known to join its end regions (3)."""
LOCATION_NOTES = {
    "approximate": "Route as Global Energy Monitor maps it (approximate: digitised from "
    "published maps; it can lie kilometres from the real line).",
    "schematic": "Route as Global Energy Monitor maps it (low accuracy: a schematic run "
    "between its end regions, not the real line).",
}
FUEL_TYPES = {
    "gas": "gas_transmission",
    "oil": "oil",
    "liquid": "oil",
    "ngl": "products",
    "products": "products",
}
"""Fuel (or the route file's ``kind``) -> pipeline type; GOIT's ``liquid`` routes are oil lines."""
LOST_DASH = re.compile(r"(?<=[a-z])\?(?=[A-Z])")
"""A '?' between a lower-case and a capital letter is an en dash lost in GEM's shapefiles
(``Odessa?Brody``, also in wiki links, where it is written back percent-encoded); other '?'
(lost letters, as in ``K?r?kkale``) are left alone."""


def parse_gem(
    path: str | Path,
    *,
    progress: Progress | None = None,
    attributes: str | Path | Sequence[str | Path] = (),
    bbox: Bounds | None = None,
) -> ParsedImport:
    """Read a GEM Gas/Oil Infrastructure Tracker pipeline export into pipeline rows.

    Parameters
    ----------
    path
        ``.geojson`` / ``.json`` (tracker export or GOIT-GGIT route file), or ``.csv`` /
        ``.xlsx`` with the route as WKT in a column (``WKTFormat`` in GEM's spreadsheets).
    progress
        Called with bytes read and total bytes.
    attributes
        GEM attribute tables (``.xlsx``, ``.csv`` or ``.geojson``) joined to the routes by
        ``ProjectID``, in order: each fills the values the route file and earlier tables lack.
    bbox
        West, south, east, north: routes outside are skipped, the others clipped to it
        (default: no clipping).

    Returns
    -------
    ParsedImport
        ``layers["pipelines"]``: status, owner (as operator), capacity and start year (in
        notes) and route accuracy (high/medium/low -> exact/approximate/schematic, approximate
        when not given) mapped; provenance ``gem:<ProjectID>`` (``/segment`` when given).

    Raises
    ------
    ImportFileError
        When the file is missing, empty, or lacks a project id, name or route.
    """
    path = check_input_file(path)
    table, geometry = _read(path, progress)
    if not len(table):
        raise no_rows_error(path, fmt=FORMAT)
    for attribute_path in [attributes] if isinstance(attributes, str | Path) else attributes:
        table = _join_attributes(table, check_input_file(attribute_path))
    columns = _resolve_columns(table, path, has_geometry=geometry is not None)
    if geometry is None:
        geometry = geometries_from_wkt(table[columns["wkt"]])
    rows_read, outside = len(table), 0
    if bbox is not None:
        geometry, inside = clip_to_bounds(geometry, bbox)
        outside = int((~inside & ~shapely.is_missing(geometry)).sum())
        table, geometry = table[inside].reset_index(drop=True), geometry[inside]
    frame, rejected, skipped = _map(table, columns, geometry)
    notes = [f"skipped {skipped} shelved or cancelled projects (never built)"] if skipped else []
    notes += bounds_note(outside, bbox) if bbox is not None else []
    return ParsedImport(
        "gem", path, {"pipelines": frame}, rejected=rejected, rows_read=rows_read, notes=notes
    )


def _read(path: Path, progress: Progress | None) -> tuple[pd.DataFrame, np.ndarray | None]:
    suffix = path.suffix.lower()
    if is_geojson(path):
        source = read_geojson_table(path, fmt=FORMAT)
        table = pd.DataFrame({c: source.text(c) for c in source.frame.columns})
        table["_row"] = source.where.str.removeprefix("feature ").astype(int)
        table["_where"] = source.where
        geometry = source.geometry
    elif suffix in (".xlsx", ".xls"):
        table = pd.read_excel(path, dtype=str).fillna("")
        table["_row"] = np.arange(2, len(table) + 2)
        geometry = None
    else:
        chunks = read_csv_checked(path, required=(), fmt=FORMAT, progress=progress, optional=())
        table = (
            pd.concat(list(chunks), ignore_index=True) if path.stat().st_size else pd.DataFrame()
        )
        geometry = None
    if progress is not None:
        progress(path.stat().st_size, path.stat().st_size)
    return table, geometry


def _join_attributes(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Fill the route rows' missing columns from an attribute table, by ``ProjectID``."""
    attrs, _ = _read(path, None)
    attrs = attrs.drop(columns=["_row", "_where"], errors="ignore")
    key = _resolve_columns(attrs, path, has_geometry=True, needed=("project_id",))["project_id"]
    route_key = _resolve_columns(table, path, has_geometry=True, needed=("project_id",))
    attrs = attrs.astype(str).replace({"nan": "", "None": ""})
    attrs = attrs.drop_duplicates(key).set_index(key)
    ids = table[route_key["project_id"]].astype(str).str.strip()
    joined = table.copy()
    for column in attrs.columns:
        values = ids.map(attrs[column]).fillna("")
        if column in joined.columns:
            current = joined[column].astype(str).replace({"nan": "", "None": ""})
            joined[column] = current.where(current.str.strip() != "", values)
        else:
            joined[column] = values
    return joined


def _resolve_columns(
    table: pd.DataFrame,
    path: Path,
    *,
    has_geometry: bool,
    needed: tuple[str, ...] = ("project_id", "name"),
) -> dict[str, str]:
    lower = {str(c).strip().lower(): c for c in table.columns}
    columns = {}
    for ours, names in COLUMN_ALIASES.items():
        found = next((lower[n.lower()] for n in names if n.lower() in lower), None)
        if found is not None:
            columns[ours] = found
    needed = (*needed, *(() if has_geometry else ("wkt",)))
    missing = [n for n in needed if n not in columns]
    if missing:
        wanted = "; ".join(f"{n}: one of {', '.join(COLUMN_ALIASES[n])}" for n in missing)
        found = ", ".join(map(str, table.columns[:20]))
        msg = f"{path}: missing GEM column(s) ({wanted}); found {found}"
        raise ImportFileError(msg)
    return columns


def _col(table: pd.DataFrame, columns: dict[str, str], name: str) -> pd.Series:
    """Our column ``name``: the first non-empty value among the file's alias columns."""
    if name not in columns:
        return pd.Series("", index=table.index, dtype=object)
    lower = {str(c).strip().lower(): c for c in table.columns}
    present = [lower[a.lower()] for a in COLUMN_ALIASES[name] if a.lower() in lower]
    values = pd.Series("", index=table.index, dtype=object)
    for column in present:
        raw = table[column].astype(object)
        text = raw.where(raw.notna(), "").astype(str).str.strip()
        values = values.where(values != "", text.replace({"nan": "", "None": ""}))
    return values


def _map(
    table: pd.DataFrame, columns: dict[str, str], geometry: np.ndarray
) -> tuple[gpd.GeoDataFrame, list, int]:
    table = table.reset_index(drop=True)
    project = _col(table, columns, "project_id")
    status_text = _col(table, columns, "status").str.lower()
    status = status_text.map(STATUS)
    never_built = status_text.isin([k for k, v in STATUS.items() if v is None])
    fuel = _col(table, columns, "fuel").str.lower()
    asset_type = fuel.map(lambda f: next((v for k, v in FUEL_TYPES.items() if k in f), None))
    is_line = np.isin(shapely.get_type_id(geometry), [1, 5])
    finite = np.isfinite(shapely.bounds(geometry)).all(axis=1)
    name = _col(table, columns, "name")
    problem = first_problem(
        [
            (project == "", "no project id"),
            (
                name == "",
                "name: empty (the route has no attribute row); pass the GEM attribute table "
                "with --attributes",
            ),
            (pd.Series(~is_line), "route is missing or not a (Multi)LineString WKT"),
            (pd.Series(~finite), "route has NaN or infinite coordinates"),
            (asset_type.isna(), "fuel " + fuel.map(repr) + " is not gas, oil or NGL"),
            (
                status.isna() & ~never_built & (status_text != ""),
                "unknown status " + status_text.map(repr),
            ),
        ],
        table.index,
    )
    bad = (problem != "") & ~never_built
    if "_where" in table.columns:
        rejected = [Rejected(w, p) for w, p in zip(table["_where"][bad], problem[bad], strict=True)]
    else:
        rejected = rejections(table.loc[bad, "_row"], problem[bad])
    keep = ~bad & ~never_built
    return (
        _rows(table[keep], columns, geometry[keep.to_numpy()], asset_type[keep], status[keep]),
        rejected,
        int(never_built.sum()),
    )


def _rows(
    table: pd.DataFrame,
    columns: dict[str, str],
    geometry: np.ndarray,
    asset_type: pd.Series,
    status: pd.Series,
) -> gpd.GeoDataFrame:
    project = _col(table, columns, "project_id")
    segment = _col(table, columns, "segment")
    name = _col(table, columns, "name").str.replace(LOST_DASH, "–", regex=True)
    segment = segment.str.replace(LOST_DASH, "–", regex=True)
    name = name.where(segment == "", name + " - " + segment)
    key = project.where(segment == "", project + "/" + segment)
    url = _col(table, columns, "url").str.replace(LOST_DASH, "%E2%80%93", regex=True)
    tracker = np.where(
        asset_type == "gas_transmission",
        "Global Gas Infrastructure Tracker",
        "Global Oil Infrastructure Tracker",
    )
    capacity = _col(table, columns, "capacity")
    units = _col(table, columns, "capacity_units")
    year = _col(table, columns, "start_year").str.replace(r"\.0$", "", regex=True)
    notes = pd.Series(
        np.where(capacity != "", "capacity " + capacity + " " + units, "")
        + np.where(year != "", "; start year " + year, ""),
        index=table.index,
    )
    notes = notes.str.strip().str.lstrip("; ").replace("", None)
    accuracy = (
        _col(table, columns, "accuracy").str.lower().map(ROUTE_ACCURACY).fillna("approximate")
    )
    records = pd.DataFrame(
        {
            "id": "pipe-gem-" + key.map(slugify),
            "name": name,
            "sources": [
                [u] if u.startswith("http") else [TRACKER_URLS[t]]
                for u, t in zip(url, tracker, strict=True)
            ],
            "geo_precision": accuracy.map(PRECISION),
            "location_note": accuracy.map(LOCATION_NOTES),
            "provenance": "gem:" + key,
            "asset_type": asset_type,
            "operator": _col(table, columns, "owner").replace("", None),
            "status": status.fillna("operating"),
            "flow_direction": "both",
            "route_accuracy": accuracy,
            "notes": notes,
            WHERE_COLUMN: table["_where"]
            if "_where" in table.columns
            else "row " + table["_row"].astype(str),
        }
    )
    return incoming_frame(records, geometry, PIPELINES)
