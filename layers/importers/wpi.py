"""NGA World Port Index (Pub. 150) -> facilities of type port."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from strikemap.layers.catalog import FACILITIES, OPEN_DATA_BOUNDS
from strikemap.layers.credits import WPI
from strikemap.layers.importers.common import (
    WHERE_COLUMN,
    ParsedImport,
    Progress,
)
from strikemap.layers.importers.tables import (
    Bounds,
    SourceTable,
    coordinate_problems,
    point_import,
    read_table,
    rejected_rows,
)
from strikemap.layers.schema import slugify

log = logging.getLogger(__name__)

FORMAT = "World Port Index"
COLUMN_ALIASES = {
    "number": ("World Port Index Number", "INDEX_NO", "Index Number"),
    "name": ("Main Port Name", "PORT_NAME", "Port Name"),
    "alternate": ("Alternate Port Name", "ALT_NAME"),
    "locode": ("UN/LOCODE", "UNLOCODE"),
    "country": ("Country Code", "COUNTRY"),
    "size": ("Harbor Size", "HARBORSIZE"),
    "kind": ("Harbor Type", "HARBORTYPE"),
    "oil_depth": ("Oil Terminal Depth (m)",),
    "lat": ("Latitude", "LATITUDE"),
    "lon": ("Longitude", "LONGITUDE"),
}
REQUIRED = ("number", "name", "lat", "lon")
PRECISION = 2
LOCATION_NOTE = (
    "World Port Index reference position of the port, given to the nearest minute (about "
    "1.8 km); the port's quays and terminals spread around it."
)


def parse_wpi(
    path: str | Path, *, progress: Progress | None = None, bbox: Bounds = OPEN_DATA_BOUNDS
) -> ParsedImport:
    """Read the World Port Index into ``facilities`` rows of type ``port``.

    Parameters
    ----------
    path
        NGA's ``UpdatedPub150.csv`` / ``WPI.csv`` (comma-separated UTF-8) or a GeoJSON extract
        with its columns (``World Port Index Number``, ``Main Port Name``, ``Latitude`` ...).
    progress
        Called with bytes read and total bytes.
    bbox
        West, south, east, north: ports outside are skipped.

    Returns
    -------
    ParsedImport
        Provenance ``wpi:<World Port Index Number>``; harbour size, type, UN/LOCODE and oil
        terminal depth in the notes.

    Raises
    ------
    ImportFileError
        When the file is missing, unreadable or lacks the index number, name or position.
    """
    table, columns = read_table(
        path, fmt=FORMAT, aliases=COLUMN_ALIASES, required=REQUIRED, progress=progress
    )
    return _map(table, columns, bbox)


def _map(table: SourceTable, columns: dict[str, str | None], bbox: Bounds) -> ParsedImport:
    lon, lat = table.number(columns["lon"]), table.number(columns["lat"])
    number = table.number(columns["number"])
    name = table.text(columns["name"])
    bad, rejected = rejected_rows(
        table,
        [
            (number.isna(), f"{columns['number']}: missing or not a number"),
            (number.duplicated() & number.notna(), f"{columns['number']}: repeats an earlier port"),
            (name == "", f"{columns['name']}: empty"),
            *coordinate_problems(lon, lat, lon_name=columns["lon"], lat_name=columns["lat"]),
        ],
    )
    records = _records(table, columns, number, name)
    return point_import(
        "wpi", table, records, lon, lat, bad=bad, rejected=rejected, spec=FACILITIES, bounds=bbox
    )


def _records(
    table: SourceTable, columns: dict[str, str | None], number: pd.Series, name: pd.Series
) -> pd.DataFrame:
    index = number.map(lambda n: f"{n:.0f}" if pd.notna(n) else "")
    alternate = table.text(columns["alternate"])
    parts = {
        "also called ": alternate,
        "UN/LOCODE ": table.text(columns["locode"]),
        "harbour size ": table.text(columns["size"]).str.lower(),
        "harbour type ": table.text(columns["kind"]).str.lower(),
        "oil terminal depth (m) ": table.text(columns["oil_depth"]).where(
            table.number(columns["oil_depth"]).fillna(0) > 0, ""
        ),
    }
    notes = pd.Series("", index=table.frame.index, dtype=object)
    for label, values in parts.items():
        notes += np.where(values != "", "; " + label + values, "")
    return pd.DataFrame(
        {
            "id": "fac-port-" + name.map(slugify) + "-" + index,
            "name": "Port of " + name,
            "sources": [[WPI.url]] * len(table),
            "geo_precision": PRECISION,
            "location_note": LOCATION_NOTE,
            "provenance": "wpi:" + index,
            "asset_type": "port",
            "notes": notes.str.lstrip("; ").replace("", None),
            WHERE_COLUMN: table.where,
        }
    )
