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
)
from strikemap.layers.importers.tables import (
    Bounds,
    SourceTable,
    coordinate_problems,
    point_import,
    read_table,
    rejected_rows,
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
    table, columns = read_table(
        path,
        fmt=FORMAT,
        aliases=COLUMN_ALIASES,
        required=REQUIRED,
        csv_required=("Site", "Latitude", "Longitude"),
        progress=progress,
    )
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
    records = _records(table, columns, site, slug)
    return point_import(
        "refineries",
        table,
        records,
        lon,
        lat,
        bad=bad,
        rejected=rejected,
        spec=FACILITIES,
        bounds=bbox,
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
