"""PyPSA-Eur refinery tables (``refineries-noneu.csv``) -> facilities of type refinery."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from strikemap.layers.catalog import FACILITIES, OPEN_DATA_BOUNDS
from strikemap.layers.credits import REFINERIES
from strikemap.layers.importers.common import (
    WHERE_COLUMN,
    ParsedImport,
    Progress,
    check_input_file,
    incoming_frame,
    no_rows_error,
)
from strikemap.layers.importers.tables import (
    Bounds,
    SourceTable,
    bounds_note,
    clip_to_bounds,
    coordinate_problems,
    is_geojson,
    points_from,
    read_csv_table,
    read_geojson_table,
    rejected_rows,
    resolve_columns,
)
from strikemap.layers.schema import URL_PATTERN, slugify

log = logging.getLogger(__name__)

FORMAT = "PyPSA-Eur refineries"
COLUMN_ALIASES = {
    "site": ("Site",),
    "capacity": ("Capacity [bbl/day]", "Capacity"),
    "lat": ("Latitude", "lat"),
    "lon": ("Longitude", "lon"),
    "source": ("Source",),
    "comment": ("Comment",),
}
REQUIRED = ("site", "lat", "lon")
PRECISION = 2
LOCATION_NOTE = (
    "Point from PyPSA-Eur's refinery table (coordinates after the source it cites); not checked "
    "against imagery, so it may lie some distance from the plant."
)


def parse_refineries(
    path: str | Path, *, progress: Progress | None = None, bbox: Bounds = OPEN_DATA_BOUNDS
) -> ParsedImport:
    """Read a PyPSA-Eur refinery table into ``facilities`` rows of type ``refinery``.

    Parameters
    ----------
    path
        ``refineries-noneu.csv`` (comma-separated UTF-8) or a GeoJSON extract of it.
    progress
        Called with bytes read and total bytes.
    bbox
        West, south, east, north: refineries outside are skipped.

    Returns
    -------
    ParsedImport
        Provenance ``pypsa-refinery:<site slug>``; the row's own ``Source`` URL is cited.

    Raises
    ------
    ImportFileError
        When the file is missing, unreadable or lacks Site, Latitude or Longitude.
    """
    path = check_input_file(path)
    if is_geojson(path):
        table = read_geojson_table(path, fmt=FORMAT)
    else:
        table = read_csv_table(
            path,
            fmt=FORMAT,
            required=("Site", "Latitude", "Longitude"),
            progress=progress,
        )
    if not len(table):
        raise no_rows_error(path, fmt=FORMAT)
    columns = resolve_columns(table, COLUMN_ALIASES, required=REQUIRED, fmt=FORMAT)
    return _map(table, columns, bbox)


def _map(table: SourceTable, columns: dict[str, str | None], bbox: Bounds) -> ParsedImport:
    lon, lat = table.number(columns["lon"]), table.number(columns["lat"])
    site = table.text(columns["site"])
    slug = site.map(slugify)
    bad, rejected = rejected_rows(
        table,
        [
            (site == "", f"{columns['site']}: empty"),
            *coordinate_problems(lon, lat, lon_name=columns["lon"], lat_name=columns["lat"]),
            (slug.duplicated() & (slug != ""), f"{columns['site']}: repeats an earlier site"),
        ],
    )
    geometry = points_from(lon, lat)
    _, inside = clip_to_bounds(geometry, bbox)
    keep = ~bad & inside
    records = _records(table, columns, site, slug)
    frame = incoming_frame(records[keep].reset_index(drop=True), geometry[keep], FACILITIES)
    notes = bounds_note(int((~bad & ~inside).sum()), bbox)
    return ParsedImport(
        "refineries", table.path, {"facilities": frame}, rejected, len(table), notes
    )


def _records(
    table: SourceTable, columns: dict[str, str | None], site: pd.Series, slug: pd.Series
) -> pd.DataFrame:
    capacity = table.number(columns["capacity"])
    source = table.text(columns["source"])
    comment = table.text(columns["comment"])
    cited = source.str.match(URL_PATTERN)
    barrels = "capacity " + capacity.map(lambda c: f"{c:,.0f}") + " bbl/day"
    notes = pd.Series(np.where(capacity.notna(), barrels, ""), index=table.frame.index)
    notes += np.where(comment != "", "; " + comment, "")
    return pd.DataFrame(
        {
            "id": "fac-refinery-" + slug,
            "name": site,
            "sources": [
                [s, REFINERIES.url] if ok else [REFINERIES.url]
                for s, ok in zip(source, cited, strict=True)
            ],
            "geo_precision": PRECISION,
            "location_note": LOCATION_NOTE,
            "provenance": "pypsa-refinery:" + slug,
            "asset_type": "refinery",
            "owner_country": None,
            "notes": notes.str.lstrip("; ").replace("", None),
            WHERE_COLUMN: table.where,
        }
    )
