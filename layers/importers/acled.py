"""ACLED CSV exports -> strikes."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from strikemap.layers.catalog import STRIKES
from strikemap.layers.importers.common import (
    WHERE_COLUMN,
    ParsedImport,
    Progress,
    Rejected,
    date_problem,
    empty_incoming,
    first_problem,
    incoming_frame,
    no_rows_error,
    parse_dates,
    parse_numbers,
    read_csv_checked,
    rejections,
    text_or_none,
)
from strikemap.layers.merge import TARGET_PATTERNS
from strikemap.layers.schema import slugify

log = logging.getLogger(__name__)

FORMAT = "ACLED"
REQUIRED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "time_precision",
    "event_type",
    "sub_event_type",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "notes",
)
OPTIONAL_COLUMNS = ("admin1", "admin2", "actor1", "fatalities")
REMOTE_VIOLENCE = "Explosions/Remote violence"
DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y")
"""ACLED's API writes ISO dates; its older exports and Excel write ``06 August 2025``."""
TIME_PRECISION = {"1": "day", "2": "week", "3": "month"}
GEO_PRECISIONS = ("1", "2", "3")

WEAPON_PATTERNS = {
    "drone": r"drone|\bUAVs?\b|shahed|geran|loitering|kamikaze",
    "missile": r"missile|iskander|kalibr|\bkh-\d|ballistic|cruise",
    "glide_bomb": r"glide bomb|guided (?:aerial )?bomb|\bKAB|UMPK|aerial bomb",
    "artillery": r"shelling|artillery|\bMLRS\b|\bgrad\b|mortar|howitzer",
}
"""Regexes (case-insensitive) on the notes (ACLED sub-event types lump drones with aircraft and
missiles with artillery); the first kind found wins,
drone and missile together make ``combined``."""


def parse_acled(
    path: str | Path, *, all_events: bool = False, progress: Progress | None = None
) -> ParsedImport:
    """Read an ACLED CSV export into incoming strike rows.

    Parameters
    ----------
    path
        The CSV, comma-separated UTF-8, with ACLED's column names.
    all_events
        Keep every event type, not only ``Explosions/Remote violence``.
    progress
        Called with bytes read and total bytes while the file streams.

    Returns
    -------
    ParsedImport
        ``layers["strikes"]`` with one row per kept event; bad rows in ``rejected``.

    Raises
    ------
    ImportFileError
        When the file is missing, empty, not comma-separated UTF-8 or lacks ACLED columns.
    """
    chunks = read_csv_checked(
        path, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS, fmt=FORMAT, progress=progress
    )
    frames, rejected, rows_read, skipped = [], [], 0, 0
    for chunk in chunks:
        rows_read += len(chunk)
        if not all_events:
            keep = chunk["event_type"].str.strip() == REMOTE_VIOLENCE
            skipped += int((~keep).sum())
            chunk = chunk[keep]
        good, bad = _map_chunk(chunk)
        frames.append(good)
        rejected.extend(bad)
    if rows_read == 0:
        raise no_rows_error(Path(path), fmt=FORMAT)
    notes = [f"skipped {skipped} events that are not {REMOTE_VIOLENCE!r} (see --all-events)"]
    strikes = pd.concat(frames, ignore_index=True) if frames else empty_incoming(STRIKES)
    log.info(
        "%s: %d rows read, %d strikes, %d rejected", path, rows_read, len(strikes), len(rejected)
    )
    return ParsedImport(
        "acled",
        Path(path),
        {"strikes": strikes},
        rejected=rejected,
        rows_read=rows_read,
        notes=notes if skipped else [],
    )


def _map_chunk(chunk: pd.DataFrame) -> tuple[pd.DataFrame, list[Rejected]]:
    lat, lon = parse_numbers(chunk["latitude"]), parse_numbers(chunk["longitude"])
    date = parse_dates(chunk["event_date"], DATE_FORMATS)
    time_precision = chunk["time_precision"].str.strip()
    geo_precision = chunk["geo_precision"].str.strip()
    problem = first_problem(
        [
            (chunk["event_id_cnty"].str.strip() == "", "event_id_cnty is empty"),
            *date_problem("event_date", chunk["event_date"], date),
            (lat.isna(), "latitude " + chunk["latitude"].map(repr) + " is not a number"),
            (lon.isna(), "longitude " + chunk["longitude"].map(repr) + " is not a number"),
            (~lat.between(-90, 90) | ~lon.between(-180, 180), "coordinates out of range"),
            (
                ~time_precision.isin(list(TIME_PRECISION)),
                "time_precision " + time_precision.map(repr) + " is not 1, 2 or 3",
            ),
            (
                ~geo_precision.isin(GEO_PRECISIONS),
                "geo_precision " + geo_precision.map(repr) + " is not 1, 2 or 3",
            ),
        ],
        chunk.index,
    )
    bad = problem != ""
    rejected = rejections(chunk.loc[bad, "_row"], problem[bad])
    ok = chunk[~bad]
    return _strike_rows(ok, date[~bad], lat[~bad], lon[~bad]), rejected


def _strike_rows(
    rows: pd.DataFrame, date: pd.Series, lat: pd.Series, lon: pd.Series
) -> pd.DataFrame:
    text = rows["notes"]
    location = rows["location"].str.strip()
    slugs = location.map(slugify).replace("", "unknown-place")
    sources = rows["source"].str.strip().replace("", "no source named")
    records = pd.DataFrame(
        {
            "id": "strike-" + date + "-" + slugs,
            "name": rows["sub_event_type"].str.strip() + " at " + location,
            "sources": [[f"dataset:ACLED ({s})"] for s in sources],
            "geo_precision": rows["geo_precision"].str.strip().astype(int),
            "provenance": "acled:" + rows["event_id_cnty"].str.strip(),
            "date": date,
            "date_precision": rows["time_precision"].str.strip().map(TIME_PRECISION),
            "weapon": weapon_from_text(text),
            "weapon_detail": text_or_none(rows["sub_event_type"]),
            "target_type": target_type_from_text(rows["notes"]),
            "description": text_or_none(rows["notes"]),
            "admin1": text_or_none(rows["admin1"]),
            "place": text_or_none(rows["location"]),
            "status": "confirmed",
            "target_ids": [[] for _ in range(len(rows))],
            WHERE_COLUMN: "row " + rows["_row"].astype(str),
        }
    )
    return incoming_frame(records, shapely.points(lon.to_numpy(), lat.to_numpy()), STRIKES)


def weapon_from_text(text: pd.Series) -> np.ndarray:
    """Return the weapon vocabulary value per row from sub-event type and notes."""
    found = {
        weapon: text.str.contains(pattern, case=False, regex=True).to_numpy()
        for weapon, pattern in WEAPON_PATTERNS.items()
    }
    return np.select(
        [
            found["drone"] & found["missile"],
            found["drone"],
            found["missile"],
            found["glide_bomb"],
            found["artillery"],
        ],
        ["combined", "drone", "missile", "glide_bomb", "artillery"],
        default="unknown",
    ).astype(object)


def target_type_from_text(notes: pd.Series) -> np.ndarray:
    """Return ``energy``, ``port``, ``energy; port`` or None per row, from the notes."""
    energy, port = (
        notes.str.contains(TARGET_PATTERNS[kind], case=False, regex=True).to_numpy(dtype=bool)
        for kind in ("energy", "port")
    )
    kinds = np.select([energy & port, energy, port], ["energy; port", "energy", "port"], default="")
    kinds = kinds.astype(object)
    kinds[kinds == ""] = None
    return kinds
