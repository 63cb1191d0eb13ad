"""Global Energy Monitor pipeline exports (GeoJSON, or spreadsheet/CSV with WKT) -> pipelines."""

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from strikemap.layers.catalog import PIPELINES
from strikemap.layers.importers.common import (
    WHERE_COLUMN,
    ImportFileError,
    ParsedImport,
    Progress,
    check_input_file,
    feature_geometries,
    first_problem,
    incoming_frame,
    no_rows_error,
    read_csv_checked,
    read_geojson_features,
    rejections,
)
from strikemap.layers.schema import slugify

log = logging.getLogger(__name__)

FORMAT = "GEM pipeline"
GEM_SOURCE = "dataset:Global Energy Monitor, {tracker}"
COLUMN_ALIASES = {
    "project_id": ("ProjectID", "Project ID", "ProjectId", "GEM ID", "id"),
    "name": ("PipelineName", "Pipeline Name", "Name", "ProjectName"),
    "segment": ("SegmentName", "Segment Name", "Segment"),
    "status": ("Status",),
    "owner": ("Owner", "Owners", "Parent", "Operator"),
    "fuel": ("Fuel", "Fuel type", "Commodity"),
    "capacity": ("Capacity", "CapacityBcm/y", "CapacityBOEd", "Capacity (bcm/y)"),
    "capacity_units": ("CapacityUnits", "Capacity units"),
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
GEOMETRY_PROBLEM = "_geometry_problem"
"""Column of a GeoJSON table saying why a feature's route could not be read."""
FUEL_TYPES = {"gas": "gas_transmission", "oil": "oil", "ngl": "products", "products": "products"}


def parse_gem(path: str | Path, *, progress: Progress | None = None) -> ParsedImport:
    """Read a GEM Gas/Oil Infrastructure Tracker pipeline export into pipeline rows.

    Parameters
    ----------
    path
        ``.geojson`` / ``.json``, or ``.csv`` / ``.xlsx`` with the route as WKT in a column
        (``WKTFormat`` in GEM's spreadsheets).
    progress
        Called with bytes read and total bytes.

    Returns
    -------
    ParsedImport
        ``layers["pipelines"]``: status, owner (as operator), capacity (in notes) and route
        accuracy (high/medium/low -> exact/approximate/schematic) mapped; provenance
        ``gem:<ProjectID>``.

    Raises
    ------
    ImportFileError
        When the file is missing, empty, or lacks a project id, name or route.
    """
    path = check_input_file(path)
    table, geometry = _read(path, progress)
    if not len(table):
        raise no_rows_error(path, fmt=FORMAT)
    columns = _resolve_columns(table, path, has_geometry=geometry is not None)
    if geometry is None:
        geometry = _from_wkt(table[columns["wkt"]])
    frame, rejected, skipped = _map(table, columns, geometry)
    notes = [f"skipped {skipped} shelved or cancelled projects (never built)"] if skipped else []
    return ParsedImport(
        "gem", path, {"pipelines": frame}, rejected=rejected, rows_read=len(table), notes=notes
    )


def _read(path: Path, progress: Progress | None) -> tuple[pd.DataFrame, np.ndarray | None]:
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        properties, geometry, reasons = _read_geojson(path)
        table = properties.astype(object).where(properties.notna(), "").astype(str)
        table = table.replace({"None": "", "nan": ""})
        table["_row"] = np.arange(1, len(table) + 1)
        table[GEOMETRY_PROBLEM] = reasons
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


def _read_geojson(path: Path) -> tuple[pd.DataFrame, np.ndarray, list[str]]:
    """Return the properties, the geometries and per feature why its geometry is unreadable."""
    features = read_geojson_features(path, fmt=FORMAT, hint="download the GeoJSON again")
    properties = [
        f.get("properties") if isinstance(f.get("properties"), dict) else {} for f in features
    ]
    geometry, reasons = feature_geometries(features)
    return pd.DataFrame(properties, index=range(len(features))), geometry, reasons


def _resolve_columns(table: pd.DataFrame, path: Path, *, has_geometry: bool) -> dict[str, str]:
    lower = {str(c).strip().lower(): c for c in table.columns}
    columns = {}
    for ours, names in COLUMN_ALIASES.items():
        found = next((lower[n.lower()] for n in names if n.lower() in lower), None)
        if found is not None:
            columns[ours] = found
    needed = ["project_id", "name"] + ([] if has_geometry else ["wkt"])
    missing = [n for n in needed if n not in columns]
    if missing:
        wanted = "; ".join(f"{n}: one of {', '.join(COLUMN_ALIASES[n])}" for n in missing)
        found = ", ".join(map(str, table.columns[:20]))
        msg = f"{path}: missing GEM column(s) ({wanted}); found {found}"
        raise ImportFileError(msg)
    return columns


def _from_wkt(values: pd.Series) -> np.ndarray:
    text = values.astype(str).str.strip()
    geometry = shapely.from_wkt(text.where(text != "", None).to_numpy(), on_invalid="ignore")
    return np.asarray(geometry, dtype=object)


def _col(table: pd.DataFrame, columns: dict[str, str], name: str) -> pd.Series:
    if name not in columns:
        return pd.Series("", index=table.index, dtype=object)
    values = table[columns[name]].astype(object)
    text = values.where(values.notna(), "").astype(str).str.strip()
    return text.replace({"nan": "", "None": ""}).astype(object)


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
    unreadable = table.get(GEOMETRY_PROBLEM, pd.Series("", index=table.index))
    problem = first_problem(
        [
            (project == "", "no project id"),
            (unreadable != "", "route: " + unreadable),
            (pd.Series(is_line & ~finite), "route has NaN or infinite coordinates"),
            (pd.Series(~is_line), "route is missing or not a (Multi)LineString WKT"),
            (asset_type.isna(), "fuel " + fuel.map(repr) + " is not gas, oil or NGL"),
            (
                status.isna() & ~never_built & (status_text != ""),
                "unknown status " + status_text.map(repr),
            ),
        ],
        table.index,
    )
    bad = (problem != "") & ~never_built
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
    name = _col(table, columns, "name")
    name = name.where(segment == "", name + " - " + segment)
    key = project.where(segment == "", project + "/" + segment)
    url = _col(table, columns, "url")
    tracker = np.where(
        asset_type == "gas_transmission",
        "Global Gas Infrastructure Tracker",
        "Global Oil Infrastructure Tracker",
    )
    capacity = _col(table, columns, "capacity")
    units = _col(table, columns, "capacity_units")
    notes = ("capacity " + capacity + " " + units).str.strip().where(capacity != "", None)
    accuracy = (
        _col(table, columns, "accuracy").str.lower().map(ROUTE_ACCURACY).fillna("approximate")
    )
    records = pd.DataFrame(
        {
            "id": "pipe-gem-" + key.map(slugify),
            "name": name,
            "sources": [
                [u] if u.startswith("http") else [GEM_SOURCE.format(tracker=t)]
                for u, t in zip(url, tracker, strict=True)
            ],
            "geo_precision": np.where(accuracy == "exact", 0, 1),
            "provenance": "gem:" + key,
            "asset_type": asset_type,
            "operator": _col(table, columns, "owner").replace("", None),
            "status": status.fillna("operating"),
            "flow_direction": "both",
            "route_accuracy": accuracy,
            "notes": notes,
            WHERE_COLUMN: "row " + table["_row"].astype(str),
        }
    )
    return incoming_frame(records, geometry, PIPELINES)
