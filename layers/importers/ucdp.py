"""UCDP Georeferenced Event Dataset (GED CSV or GeoJSON) -> conflict_events (context).

GED events are organised violence with at least one death, not strikes on energy
infrastructure: they import into their own context layer, never into ``strikes``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from strikemap.layers.catalog import CONFLICT_EVENTS, OPEN_DATA_BOUNDS
from strikemap.layers.credits import UCDP
from strikemap.layers.importers.common import (
    WHERE_COLUMN,
    ParsedImport,
    Progress,
    parse_dates,
)
from strikemap.layers.importers.tables import (
    Bounds,
    SourceTable,
    as_int,
    coordinate_problems,
    point_import,
    read_table,
    rejected_rows,
)

log = logging.getLogger(__name__)

FORMAT = "UCDP GED"
COLUMN_ALIASES = {
    "id": ("id",),
    "violence": ("type_of_violence",),
    "conflict": ("conflict_name",),
    "dyad": ("dyad_name",),
    "side_a": ("side_a",),
    "side_b": ("side_b",),
    "headline": ("source_headline",),
    "where_prec": ("where_prec",),
    "where_name": ("where_coordinates",),
    "where_text": ("where_description",),
    "adm_1": ("adm_1",),
    "lat": ("latitude",),
    "lon": ("longitude",),
    "date_prec": ("date_prec",),
    "date_start": ("date_start",),
    "date_end": ("date_end",),
    "civilians": ("deaths_civilians",),
    "best": ("best",),
}
REQUIRED = ("id", "violence", "lat", "lon", "date_start", "where_prec")
DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%m/%d/%Y %I:%M:%S %p",
    "%m/%d/%Y %H:%M",
)
"""GED writes ``2022-03-01 00:00:00.000``; copies saved by US spreadsheets write the month
first, ``3/1/2022 12:00:00 AM`` or ``05/02/2014 00:00``."""
VIOLENCE = {1: "state_based", 2: "non_state", 3: "one_sided"}
DATE_PRECISION = {1: "day", 2: "week", 3: "month", 4: "year", 5: "year"}
"""GED ``date_prec`` 1 exact day, 2 within 2-6 days, 3 within a month, 4 within a year, 5 more."""
PRECISION = {1: 1, 2: 2, 3: 3, 4: 3, 5: 3, 6: 3, 7: 3}
"""GED ``where_prec`` -> geo_precision: 1 exact place (a town or village) -> 1; 2 within about
25 km -> 2; 3-7 an administrative area, a linear feature, the country or open water -> 3."""
WHERE_MEANING = {
    1: "the named place itself",
    2: "within about 25 km of the named place",
    3: "a second-order administrative division",
    4: "a first-order administrative division (oblast)",
    5: "a linear feature or a larger area",
    6: "the country",
    7: "international waters or airspace",
}


def parse_ucdp(
    path: str | Path, *, progress: Progress | None = None, bbox: Bounds = OPEN_DATA_BOUNDS
) -> ParsedImport:
    """Read UCDP GED events into ``conflict_events`` rows (a context layer, hidden by default).

    Parameters
    ----------
    path
        GED CSV (comma-separated UTF-8, as downloaded from ucdp.uu.se) or a GeoJSON extract with
        the GED columns.
    progress
        Called with bytes read and total bytes.
    bbox
        West, south, east, north: events outside are skipped.

    Returns
    -------
    ParsedImport
        Provenance ``ucdp:<id>``; ``where_prec`` and ``date_prec`` mapped to geo_precision and
        date precision, deaths (best estimate, civilians), sides and headlines kept.

    Raises
    ------
    ImportFileError
        When the file is missing, unreadable or lacks a GED column the layer needs.
    """
    table, columns = read_table(
        path,
        fmt=FORMAT,
        aliases=COLUMN_ALIASES,
        required=REQUIRED,
        csv_required=[COLUMN_ALIASES[n][0] for n in REQUIRED],
        progress=progress,
    )
    return _map(table, columns, bbox)


def _map(table: SourceTable, columns: dict[str, str | None], bbox: Bounds) -> ParsedImport:
    lon, lat = table.number(columns["lon"]), table.number(columns["lat"])
    ident = table.text(columns["id"]).str.replace(r"\.0$", "", regex=True)
    violence = table.number(columns["violence"]).map(VIOLENCE)
    where_prec = table.number(columns["where_prec"])
    start = parse_dates(table.text(columns["date_start"]), DATE_FORMATS)
    end = parse_dates(table.text(columns["date_end"]), DATE_FORMATS)
    bad, rejected = rejected_rows(
        table,
        [
            (~ident.str.fullmatch(r"\d+"), f"{columns['id']}: not a UCDP event id"),
            (ident.duplicated(), f"{columns['id']}: repeats an earlier event"),
            (violence.isna(), f"{columns['violence']}: not 1, 2 or 3"),
            (start.isna(), f"{columns['date_start']}: not a date (YYYY-MM-DD)"),
            (
                end.notna() & start.notna() & (end < start),
                f"{columns['date_end']}: before the start",
            ),
            (~where_prec.isin(list(PRECISION)), f"{columns['where_prec']}: not 1 to 7"),
            *coordinate_problems(lon, lat, lon_name=columns["lon"], lat_name=columns["lat"]),
        ],
    )
    records = _records(table, columns, ident, violence, where_prec, start, end)
    return point_import(
        "ucdp",
        table,
        records,
        lon,
        lat,
        bad=bad,
        rejected=rejected,
        spec=CONFLICT_EVENTS,
        bounds=bbox,
    )


def _records(
    table: SourceTable,
    columns: dict[str, str | None],
    ident: pd.Series,
    violence: pd.Series,
    where_prec: pd.Series,
    start: pd.Series,
    end: pd.Series,
) -> pd.DataFrame:
    dyad = table.text(columns["dyad"])
    conflict = table.text(columns["conflict"])
    place = table.text(columns["where_name"])
    who = dyad.where(dyad != "", conflict)
    name = who + np.where(place != "", " (" + place + ")", "")
    text = table.text(columns["where_text"])
    meaning = where_prec.map(WHERE_MEANING).fillna("")
    note = "UCDP locates it to " + meaning + np.where(text != "", ": " + text, "") + "."
    return pd.DataFrame(
        {
            "id": "event-ucdp-" + ident,
            "name": name.where(name != "", "UCDP event " + ident),
            "sources": [[UCDP.url]] * len(table),
            "geo_precision": where_prec.map(PRECISION),
            "location_note": note,
            "provenance": "ucdp:" + ident,
            "date": start,
            "date_end": end,
            "date_precision": table.number(columns["date_prec"]).map(DATE_PRECISION).fillna("year"),
            "violence_type": violence,
            "conflict_name": conflict.replace("", None),
            "side_a": table.text(columns["side_a"]).replace("", None),
            "side_b": table.text(columns["side_b"]).replace("", None),
            "deaths_best": as_int(table.number(columns["best"])),
            "deaths_civilians": as_int(table.number(columns["civilians"])),
            "admin1": table.text(columns["adm_1"]).replace("", None),
            "where_description": text.replace("", None),
            "source_headline": table.text(columns["headline"]).replace("", None),
            WHERE_COLUMN: table.where,
        }
    )
