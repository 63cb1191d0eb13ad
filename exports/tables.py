"""Table exports of what a view shows: strikes and their impact links as CSV, GeoJSON or XLSX.

The app's tables and these files share :func:`strike_table` and :func:`link_table`, so a download
has the columns the screen shows. Dates are ISO strings, sources are full URLs (joined with
``" ; "`` in CSV and XLSX, a JSON list in GeoJSON).
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from strikemap.exports.files import (
    ExportFormatError,
    Output,
    csv_text,
    resolve_format,
    write_output,
)
from strikemap.exports.links import link_table
from strikemap.geo.impact import LINK_COLUMNS

TABLE_FORMATS: tuple[str, ...] = ("csv", "geojson", "xlsx")
CSV_TABLES: tuple[str, ...] = ("joined", "strikes", "links")
LIST_SEPARATOR = " ; "

STRIKE_COLUMNS: tuple[str, ...] = (
    "id",
    "date",
    "date_precision",
    "name",
    "place",
    "admin1",
    "weapon",
    "weapon_detail",
    "target_type",
    "target_ids",
    "status",
    "geo_precision",
    "lon",
    "lat",
    "description",
    "consequences",
    "reported_countries",
    "sources",
)
"""Strike columns of every table export, in order."""


LIST_COLUMNS: tuple[str, ...] = ("target_ids", "reported_countries", "sources")
XLSX_MAX_WIDTH = 60


def strike_table(strikes: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return the strikes as a plain table: ``STRIKE_COLUMNS``, lists kept as Python lists.

    Columns missing from ``strikes`` come out empty; ``lon``/``lat`` come from the geometry
    (EPSG:4326, 6 decimals); dates are ``YYYY-MM-DD`` strings.
    """
    table = pd.DataFrame(index=range(len(strikes)))
    for column in STRIKE_COLUMNS:
        if column in ("lon", "lat"):
            continue
        if column in strikes.columns:
            table[column] = strikes[column].to_numpy()
        else:
            table[column] = [[] for _ in range(len(strikes))] if column in LIST_COLUMNS else None
    geometry = strikes.geometry if len(strikes) else gpd.GeoSeries([], crs=4326)
    table["lon"] = np.round(geometry.x.to_numpy(), 6) if len(strikes) else []
    table["lat"] = np.round(geometry.y.to_numpy(), 6) if len(strikes) else []
    table["date"] = _iso_dates(table["date"])
    for column in LIST_COLUMNS:
        table[column] = table[column].map(_as_list)
    return table[list(STRIKE_COLUMNS)]


def joined_table(strikes: gpd.GeoDataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """One row per strike and link (strike columns first); strikes without links keep one row."""
    strike_rows = strike_table(strikes)
    link_rows = link_table(links).rename(columns={"strike_id": "id"})
    joined = strike_rows.merge(link_rows, on="id", how="left")
    return joined[[*STRIKE_COLUMNS, *LINK_COLUMNS[1:]]]


def export_table(
    strikes: gpd.GeoDataFrame,
    links: pd.DataFrame,
    *,
    fmt: str = "csv",
    table: str = "joined",
) -> bytes:
    """Return the shown strikes and their links as file contents.

    Parameters
    ----------
    strikes
        The strikes to export (already filtered, e.g. by ``analysis.view.apply_view``).
    links
        Their impact links (rows of other strikes are dropped).
    fmt
        ``csv``: one table, UTF-8; ``geojson``: strike points (RFC 7946) with their links as a
        ``links`` list property; ``xlsx``: sheets ``strikes`` and ``links``.
    table
        For CSV only: ``joined`` (one row per strike and link), ``strikes`` or ``links``.

    Raises
    ------
    ExportFormatError
        For an unknown ``fmt`` or ``table``.
    """
    if fmt not in TABLE_FORMATS:
        msg = f"unknown table format {fmt!r}; choose one of {', '.join(TABLE_FORMATS)}"
        raise ExportFormatError(msg)
    if table not in CSV_TABLES:
        msg = f"unknown table {table!r}; choose one of {', '.join(CSV_TABLES)}"
        raise ExportFormatError(msg)
    links = _with_link_columns(links)
    ids = strikes["id"] if "id" in strikes.columns else pd.Series([], dtype=object)
    links = links[links["strike_id"].isin(ids).to_numpy()]
    if fmt == "csv":
        return _csv_bytes(_csv_frame(strikes, links, table))
    if fmt == "geojson":
        return _geojson_bytes(strikes, links)
    return _xlsx_bytes({"strikes": strike_table(strikes), "links": link_table(links)})


def save_table(
    strikes: gpd.GeoDataFrame,
    links: pd.DataFrame,
    out: Output,
    *,
    fmt: str | None = None,
    table: str = "joined",
) -> Path | None:
    """Write :func:`export_table` output to ``out`` (format from its suffix unless ``fmt``).

    The file is replaced atomically. Returns the path, or None for a file-like ``out``.
    Raises ``ExportFormatError`` (ValueError) or ``ExportWriteError`` (OSError).
    """
    fmt = resolve_format(out, fmt, TABLE_FORMATS)
    return write_output(export_table(strikes, links, fmt=fmt, table=table), out)


# --------------------------------------------------------------------------------------------
# Formats


def _csv_frame(strikes: gpd.GeoDataFrame, links: pd.DataFrame, table: str) -> pd.DataFrame:
    if table == "strikes":
        return strike_table(strikes)
    if table == "links":
        return link_table(links)
    return joined_table(strikes, links)


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    return csv_text(_flatten_lists(frame)).encode("utf-8")


def _geojson_bytes(strikes: gpd.GeoDataFrame, links: pd.DataFrame) -> bytes:
    rows = strike_table(strikes)
    link_rows = link_table(links)
    grouped = {
        strike_id: [_clean_record(r) for r in group.drop(columns="strike_id").to_dict("records")]
        for strike_id, group in link_rows.groupby("strike_id", sort=False)
    }
    features = []
    for record in rows.to_dict("records"):
        lon, lat = record.pop("lon"), record.pop("lat")
        properties = _clean_record(record)
        properties["links"] = grouped.get(record["id"], [])
        geometry = None if _missing(lon) else {"type": "Point", "coordinates": [lon, lat]}
        features.append({"type": "Feature", "properties": properties, "geometry": geometry})
    collection = {"type": "FeatureCollection", "features": features}
    return (json.dumps(collection, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, frame in sheets.items():
        flat = _flatten_lists(frame)
        sheet = workbook.create_sheet(name)
        sheet.append(list(flat.columns))
        for row in flat.itertuples(index=False):
            sheet.append([None if _missing(v) else v for v in row])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        _keep_text_as_text(sheet)
        sheet.freeze_panes = "A2"
        _fit_widths(sheet, flat)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _keep_text_as_text(sheet) -> None:
    """Store text that looks like a formula as text: data never becomes a formula."""
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if cell.data_type == "f":
                cell.data_type = "s"


def _fit_widths(sheet, frame: pd.DataFrame) -> None:
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(frame.columns, start=1):
        values = frame[column].astype(str)
        longest = max([len(str(column)), *values.str.len().tolist()]) if len(values) else 10
        sheet.column_dimensions[get_column_letter(index)].width = min(XLSX_MAX_WIDTH, longest + 2)


# --------------------------------------------------------------------------------------------
# Values


def _with_link_columns(links: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in LINK_COLUMNS if c not in links.columns]
    return links.assign(**{c: pd.Series(dtype=object) for c in missing}) if missing else links


def _flatten_lists(frame: pd.DataFrame) -> pd.DataFrame:
    flat = frame.copy()
    for column in LIST_COLUMNS:
        if column in flat.columns:
            flat[column] = flat[column].map(lambda v: LIST_SEPARATOR.join(_as_list(v)))
    return flat


def _as_list(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, Sequence | np.ndarray):
        return [str(v) for v in value]
    return [str(value)]


def _iso_dates(values: pd.Series) -> pd.Series:
    parsed = pd.to_datetime(values, errors="coerce")
    iso = parsed.dt.strftime("%Y-%m-%d").astype(object)
    return iso.where(parsed.notna(), values.astype(object).where(values.notna(), None))


def _missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    return isinstance(value, float) and math.isnan(value)


def _clean_record(record: dict[str, object]) -> dict[str, object]:
    """Make a record JSON-ready: no NaN, numpy scalars as Python numbers."""
    clean = {}
    for key, value in record.items():
        if isinstance(value, list):
            clean[key] = value
        elif _missing(value):
            clean[key] = None
        elif isinstance(value, np.integer):
            clean[key] = int(value)
        elif isinstance(value, np.floating):
            clean[key] = float(value)
        else:
            clean[key] = value
    return clean
