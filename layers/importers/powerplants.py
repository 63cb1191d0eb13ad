"""powerplantmatching (PyPSA) power plant lists -> power_plants.

Reads ``powerplants.csv`` of a powerplantmatching release (or a GeoJSON extract with the same
columns). A plant keeps the most stable upstream id it has as its provenance: an ENTSO-E EIC
code, else a Global Energy Monitor id, else the id of another matched database, else the
release's row id, so a later release updates the plant instead of adding it again.
"""

from __future__ import annotations

import logging
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from strikemap.layers.catalog import OPEN_DATA_BOUNDS, POWER_PLANTS
from strikemap.layers.credits import POWERPLANTMATCHING
from strikemap.layers.importers.common import (
    WHERE_COLUMN,
    ParsedImport,
    Progress,
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
from strikemap.layers.schema import slugify

log = logging.getLogger(__name__)

FORMAT = "powerplantmatching"
COLUMN_ALIASES = {
    "name": ("Name",),
    "fuel": ("Fueltype",),
    "technology": ("Technology",),
    "capacity": ("Capacity",),
    "date_in": ("DateIn",),
    "date_out": ("DateOut",),
    "lat": ("lat", "Latitude"),
    "lon": ("lon", "Longitude"),
    "eic": ("EIC",),
    "project_id": ("projectID",),
    "row_id": ("id",),
}
REQUIRED = ("name", "fuel", "lat", "lon")
PLANT_TYPES = {
    "nuclear": "nuclear_power_plant",
    "hard coal": "coal_power_plant",
    "lignite": "coal_power_plant",
    "natural gas": "gas_power_plant",
    "oil": "oil_power_plant",
    "hydro": "hydro_power_plant",
    "wind": "wind_farm",
    "solar": "solar_farm",
    "solid biomass": "bioenergy_power_plant",
    "biogas": "bioenergy_power_plant",
    "bioenergy": "bioenergy_power_plant",
}
"""``Fueltype`` (lower case) -> asset type; other fuels (waste, geothermal ...) are 'other'."""
ID_PRIORITY = ("ENTSOE", "GEM", "JRC", "OPSD", "GEO", "GPD", "BEYONDCOAL")
"""Matched databases whose ids serve as provenance, most stable first."""
PRECISION = 2
LOCATION_NOTE = (
    "Location as powerplantmatching gives it (matched from ENTSO-E, GEM, JRC and other plant "
    "databases); not checked against imagery, so it may lie some distance from the plant."
)
SOURCE_IDS = re.compile(r"'(\w+)':\s*\{([^}]*)\}")
QUOTED = re.compile(r"'([^']+)'")


def parse_powerplants(
    path: str | Path,
    *,
    progress: Progress | None = None,
    bbox: Bounds = OPEN_DATA_BOUNDS,
    min_capacity_mw: float = 0.0,
    as_of: int | None = None,
) -> ParsedImport:
    """Read a powerplantmatching plant list into ``power_plants`` rows.

    Parameters
    ----------
    path
        ``powerplants.csv`` (comma-separated UTF-8) or a GeoJSON extract with its columns.
    progress
        Called with bytes read and total bytes.
    bbox
        West, south, east, north: plants outside are skipped.
    min_capacity_mw
        Plants smaller than this are skipped (and counted in a note).
    as_of
        Plants whose ``DateOut`` is before this year are inactive; defaults to this year
        (the data build passes the release year, so it gives the same answer every year).

    Returns
    -------
    ParsedImport
        Fuel -> asset type, capacity (MW), first year, technology; provenance
        ``ppm:<database>/<id>`` (``ppm:ENTSOE/<EIC>``, ``ppm:GEM/<id>``, ... ``ppm:id/<row>``).

    Raises
    ------
    ImportFileError
        When the file is missing, unreadable or lacks Name, Fueltype, lat or lon.
    """
    table, columns = read_table(
        path,
        fmt=FORMAT,
        aliases=COLUMN_ALIASES,
        required=REQUIRED,
        csv_required=("Name", "Fueltype"),
        progress=progress,
    )
    year = date.today().year if as_of is None else as_of
    return _map(table, columns, bbox, min_capacity_mw, year)


def _map(
    table: SourceTable,
    columns: dict[str, str | None],
    bbox: Bounds,
    min_capacity_mw: float,
    as_of: int,
) -> ParsedImport:
    lon, lat = table.number(columns["lon"]), table.number(columns["lat"])
    capacity = table.number(columns["capacity"])
    provenance = _provenance(table, columns)
    name = table.text(columns["name"])
    bad, rejected = rejected_rows(
        table,
        [
            (name == "", f"{columns['name']}: empty"),
            *coordinate_problems(lon, lat, lon_name=columns["lon"], lat_name=columns["lat"]),
            (capacity < 0, f"{columns['capacity']}: negative capacity"),
            (
                provenance.duplicated() & (provenance != ""),
                "repeats the upstream id of an earlier plant ("
                + provenance.str.removeprefix("ppm:")
                + ")",
            ),
        ],
    )
    small = capacity.fillna(0).to_numpy() < min_capacity_mw
    return point_import(
        "powerplants",
        table,
        _records(table, columns, provenance, capacity, as_of),
        lon,
        lat,
        bad=bad,
        rejected=rejected,
        spec=POWER_PLANTS,
        bounds=bbox,
        skipped=[(small, f"skipped {{n}} plants below {min_capacity_mw:g} MW")],
    )


def _provenance(table: SourceTable, columns: dict[str, str | None]) -> pd.Series:
    """``ppm:<database>/<id>`` from the most stable matched id each plant has."""
    eic = table.text(columns["eic"]).map(lambda s: sorted(QUOTED.findall(s)))
    matched = table.text(columns["project_id"]).map(
        lambda s: {db: sorted(QUOTED.findall(ids)) for db, ids in SOURCE_IDS.findall(s)}
    )
    row_id = table.text(columns["row_id"]).str.replace(r"\.0$", "", regex=True)
    keys = []
    for codes, ids, row in zip(eic, matched, row_id, strict=True):
        if codes:
            keys.append(f"ppm:ENTSOE/{codes[0]}")
            continue
        known = [db for db in ID_PRIORITY if ids.get(db)]
        known += sorted(db for db in ids if ids[db] and db not in ID_PRIORITY)
        if known:
            keys.append(f"ppm:{known[0]}/{ids[known[0]][0]}")
        else:
            keys.append(f"ppm:id/{row}" if row else "")
    return pd.Series(keys, index=table.frame.index, dtype=object)


def _records(
    table: SourceTable,
    columns: dict[str, str | None],
    provenance: pd.Series,
    capacity: pd.Series,
    as_of: int,
) -> pd.DataFrame:
    fuel = table.text(columns["fuel"])
    kind = fuel.str.lower().map(PLANT_TYPES).fillna("other_power_plant")
    year_in = table.number(columns["date_in"])
    year_out = table.number(columns["date_out"])
    retired = year_out.notna() & (year_out < as_of)
    name = table.text(columns["name"])
    slug = name.map(slugify)
    ident = np.where(slug != "", slug + "-", "") + provenance.str.split("/").str[-1].map(slugify)
    out = year_out.map(lambda y: f"{y:.0f}")
    notes = np.where(
        retired,
        "closed in " + out + " (DateOut)",
        np.where(year_out.notna(), "closure planned for " + out + " (DateOut)", ""),
    )
    return pd.DataFrame(
        {
            "id": "plant-" + pd.Series(ident, index=table.frame.index),
            "name": name,
            "sources": [[POWERPLANTMATCHING.url]] * len(table),
            "geo_precision": PRECISION,
            "location_note": LOCATION_NOTE,
            "provenance": provenance.replace("", None),
            "asset_type": kind,
            "status": np.where(retired, "inactive", "operating"),
            "notes": pd.Series(notes, index=table.frame.index).replace("", None),
            "fuel": fuel.replace("", None),
            "technology": table.text(columns["technology"]).replace("", None),
            "capacity_mw": as_int(capacity),
            "year_opened": as_int(year_in),
            WHERE_COLUMN: table.where,
        }
    )
