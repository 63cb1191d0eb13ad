"""ENTSO-E map grid via GridKit (PyPSA-Eur ``entsoegridkit``): lines, links and buses.

Lines and HVDC links become ``power_lines``; buses grouped by station become ``substations``
(line joints and generator connection points are left out). Two forms are read: the PyPSA-Eur
CSVs (``tags`` as an hstore text, ``geometry`` as WKT, quoted with ``'``) and GeoJSON extracts
that spread the tags over ``tag_*`` columns.
"""

from __future__ import annotations

import csv
import logging
import re
from pathlib import Path

import numpy as np
import pandas as pd

from strikemap.layers.catalog import OPEN_DATA_BOUNDS, POWER_LINES, SUBSTATIONS
from strikemap.layers.credits import GRIDKIT
from strikemap.layers.importers.common import (
    WHERE_COLUMN,
    ImportFileError,
    ParsedImport,
    Progress,
    Rejected,
    check_input_file,
    empty_incoming,
    geometries_from_wkt,
    incoming_frame,
    no_rows_error,
)
from strikemap.layers.importers.countries import iso3_from_iso2
from strikemap.layers.importers.tables import (
    LINE_TYPES,
    Bounds,
    SourceTable,
    as_int,
    bounds_note,
    clip_to_bounds,
    geometry_problems,
    is_geojson,
    points_from,
    read_geojson_table,
    rejected_rows,
)
from strikemap.layers.schema import slugify

log = logging.getLogger(__name__)

FORMAT = "GridKit"
VOLTAGE_CLASSES: dict[int, tuple[int | None, str]] = {
    132: (None, "110-150 kV"),
    220: (220, "220 kV"),
    300: (330, "330 kV"),
    380: (400, "380-400 kV"),
    500: (500, "500 kV"),
    750: (750, "750 kV"),
}
"""GridKit voltage (the lower bound of the ENTSO-E map's class) -> (nominal kV, class text).
The 110-150 kV class has no single nominal voltage, so ``voltage_kv`` stays empty."""
SUBSTATION_SYMBOLS = {
    "substation": "substation",
    "substations + power plants": "substation",
    "converter station": "converter_station",
    "converter station back-to-back": "converter_station",
}
"""Bus ``symbol`` -> substation type; other symbols are line joints or generators."""
LINE_NOTE = (
    "ENTSO-E map line via GridKit (March 2022 extract): the map draws lines for topological "
    "clarity between real substations, so the route between them is schematic and may lie "
    "kilometres from the real one."
)
STATION_NOTE = (
    "ENTSO-E map station via GridKit (March 2022 extract): the map places stations for clarity, "
    "so the point may lie a kilometre or more from the real substation; no name in the source."
)
LINE_PRECISION = 2
STATION_PRECISION = 2
HSTORE_PAIR = re.compile(r'"((?:[^"\\]|\\.)*)"=>"((?:[^"\\]|\\.)*)"')


def parse_gridkit(
    path: str | Path,
    *,
    progress: Progress | None = None,
    bbox: Bounds = OPEN_DATA_BOUNDS,
) -> ParsedImport:
    """Read GridKit lines, links or buses into ``power_lines`` or ``substations`` rows.

    Parameters
    ----------
    path
        ``lines``, ``links`` or ``buses`` of the ENTSO-E GridKit extract, as PyPSA-Eur's CSV or
        as GeoJSON with ``tag_*`` columns; which one it is, is told by its columns.
    progress
        Called with bytes read and total bytes.
    bbox
        West, south, east, north: rows outside are skipped, lines are clipped to it.

    Returns
    -------
    ParsedImport
        Provenance ``gridkit:line/<line_id>``, ``gridkit:link/<link_id>`` or
        ``gridkit:station/<station_id>``; precision 2 and ``route_accuracy`` schematic.

    Raises
    ------
    ImportFileError
        When the file is missing, unreadable or has no GridKit id column.
    """
    table = _read(check_input_file(path))
    if progress is not None:
        size = table.path.stat().st_size
        progress(size, size)
    if not len(table):
        raise no_rows_error(table.path, fmt=FORMAT)
    columns = set(table.frame.columns)
    if "line_id" in columns or "link_id" in columns:
        return _parse_lines(table, bbox, link="link_id" in columns)
    if "bus_id" in columns:
        return _parse_buses(table, bbox)
    found = ", ".join(map(str, list(table.frame.columns)[:20]))
    msg = (
        f"{table.path}: no line_id, link_id or bus_id column; found {found}. Is this a GridKit "
        "lines, links or buses file (PyPSA-Eur data/entsoegridkit)?"
    )
    raise ImportFileError(msg)


# --------------------------------------------------------------------------------------------
# Reading


def _read(path: Path) -> SourceTable:
    if is_geojson(path):
        return read_geojson_table(path, fmt=FORMAT)
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, quotechar="'", encoding="utf-8-sig"
        )
    except UnicodeDecodeError as exc:
        msg = f"{path}: not UTF-8; save the {FORMAT} CSV as UTF-8"
        raise ImportFileError(msg) from exc
    except (pd.errors.ParserError, csv.Error) as exc:
        msg = f"{path}: not a well-formed {FORMAT} CSV ({exc}); PyPSA-Eur quotes fields with '"
        raise ImportFileError(msg) from exc
    except pd.errors.EmptyDataError as exc:
        raise no_rows_error(path, fmt=FORMAT) from exc
    if "tags" in frame.columns:
        frame = pd.concat([frame.drop(columns="tags"), _tags(frame["tags"])], axis=1)
    where = pd.Series([f"row {i}" for i in range(2, len(frame) + 2)], dtype=object)
    geometry = None
    if "geometry" in frame.columns:
        geometry = geometries_from_wkt(frame.pop("geometry"))
    return SourceTable(path, frame, geometry, where)


def _tags(values: pd.Series) -> pd.DataFrame:
    """Spread hstore texts (``"TSO"=>"None", "country"=>"UA"``) over ``tag_*`` columns."""
    records = [
        {f"tag_{k}": (None if v == "None" else v) for k, v in HSTORE_PAIR.findall(text or "")}
        for text in values
    ]
    return pd.DataFrame.from_records(records, index=values.index)


def _flag(values: pd.Series) -> pd.Series:
    """Booleans written as t/f, True/False or 1/0."""
    return values.str.lower().isin(("t", "true", "1"))


def _voltage(table: SourceTable) -> tuple[pd.Series, pd.Series, pd.Series]:
    raw = table.number("voltage")
    known = raw.round().astype("Int64").map(VOLTAGE_CLASSES)
    nominal = known.map(lambda v: v[0] if isinstance(v, tuple) else None)
    label = known.map(lambda v: v[1] if isinstance(v, tuple) else None)
    other = label.isna() & raw.notna()
    label = label.mask(other, raw.map(lambda v: f"{v:g} kV"))
    nominal = nominal.mask(other, raw.round())
    return raw, as_int(nominal), label.astype(object)


# --------------------------------------------------------------------------------------------
# Lines and links


def _parse_lines(table: SourceTable, bbox: Bounds, *, link: bool) -> ParsedImport:
    key = "link_id" if link else "line_id"
    ident = table.text(key)
    geometry = table.geometry if table.geometry is not None else np.full(len(table), None)
    raw, nominal, label = _voltage(table)
    checks = [
        (ident == "", f"{key}: missing"),
        (ident.duplicated() & (ident != ""), f"{key}: repeats an earlier row"),
        *geometry_problems(geometry, LINE_TYPES),
    ]
    if not link:
        checks.append((raw.isna(), "voltage: missing or not a number"))
    bad, rejected = rejected_rows(table, checks)
    clipped, inside = clip_to_bounds(geometry, bbox)
    keep = ~bad & inside
    rows = _line_records(table, ident, nominal, label, link=link)
    frame = incoming_frame(rows[keep].reset_index(drop=True), clipped[keep], POWER_LINES)
    return _result(table, "power_lines", frame, rejected, int((~bad & ~inside).sum()), bbox)


def _line_records(
    table: SourceTable, ident: pd.Series, nominal: pd.Series, label: pd.Series, *, link: bool
) -> pd.DataFrame:
    kind = "link" if link else "line"
    eic = table.text("tag_EIC_code")
    text = table.text("tag_text_")
    under = _flag(table.text("under_construction"))
    circuits = table.number("circuits")
    length_km = (table.number("length") / 1000).round(1)
    label = label.fillna("")
    base = (label + (" HVDC link" if link else " line")).str.strip()
    named = np.where(text.str.len() > 2, " " + text, "")
    name = base + named + " (GridKit " + ident + ")"
    notes = (
        np.where(length_km.notna(), "length " + length_km.astype(str) + " km", "")
        + np.where(eic != "", "; EIC " + eic, "")
        + np.where(_flag(table.text("underground")), "; underground cable", "")
    )
    return pd.DataFrame(
        {
            "id": f"power-gridkit-{kind}-" + ident.map(slugify),
            "name": name,
            "sources": [[GRIDKIT.url]] * len(table),
            "geo_precision": LINE_PRECISION,
            "location_note": LINE_NOTE,
            "provenance": f"gridkit:{kind}/" + ident,
            "asset_type": "power_transmission",
            "operator": table.text("tag_TSO").replace("", None),
            "owner_country": iso3_from_iso2(table.text("tag_country")),
            "status": np.where(under, "under_construction", "operating"),
            "notes": pd.Series(notes, dtype=object).str.lstrip("; ").replace("", None),
            "voltage_kv": nominal,
            "route_accuracy": "schematic",
            "voltage_class": label.replace("", None),
            "circuits": as_int(circuits),
            WHERE_COLUMN: table.where,
        }
    )


# --------------------------------------------------------------------------------------------
# Buses -> substations


def _parse_buses(table: SourceTable, bbox: Bounds) -> ParsedImport:
    if table.geometry is None or "x" in table.frame.columns:
        geometry = points_from(table.number("x"), table.number("y"))
    else:
        geometry = table.geometry
    symbol = table.text("symbol").str.lower()
    kind = symbol.map(SUBSTATION_SYMBOLS)
    station = table.text("station_id").where(table.text("station_id") != "", table.text("bus_id"))
    _, nominal, label = _voltage(table)
    bad, rejected = rejected_rows(
        table,
        [
            (table.text("bus_id") == "", "bus_id: missing"),
            (station == "", "station_id: missing"),
            *geometry_problems(geometry, ("Point",)),
        ],
    )
    other = ~bad & kind.isna().to_numpy()
    _, inside = clip_to_bounds(geometry, bbox)
    keep = ~bad & ~other & inside
    buses = pd.DataFrame(
        {
            "station": station,
            "kind": kind,
            "nominal": pd.to_numeric(nominal, errors="coerce"),
            "label": label,
            "under": _flag(table.text("under_construction")),
            "tso": table.text("tag_TSO"),
            "country": table.text("tag_country"),
            "where": table.where,
            "geometry": geometry,
        }
    )[keep]
    frame = _stations(buses) if len(buses) else empty_incoming(SUBSTATIONS)
    outside = int((~bad & ~other & ~inside).sum())
    parsed = _result(table, "substations", frame, rejected, outside, bbox)
    if int(other.sum()):
        parsed.notes.append(
            f"skipped {int(other.sum())} buses that are line joints or generator connections, "
            "not substations"
        )
    return parsed


def _stations(buses: pd.DataFrame) -> pd.DataFrame:
    """One substation per GridKit station: highest voltage, every voltage class, first point."""
    ordered = buses.sort_values(["station", "nominal"], ascending=[True, False], kind="stable")
    grouped = ordered.groupby("station", sort=True)
    first = grouped.first()
    classes = grouped["label"].agg(
        lambda s: "/".join(dict.fromkeys(v for v in s if isinstance(v, str) and v))
    )
    all_under = grouped["under"].all()
    ident = first.index.to_series()
    label = classes.replace("", None)
    name = (
        np.where(first["kind"] == "converter_station", "Converter station", "Substation")
        + np.where(label.notna(), " " + label.fillna(""), "")
        + " (GridKit "
        + ident
        + ")"
    )
    records = pd.DataFrame(
        {
            "id": "sub-gridkit-" + ident.map(slugify),
            "name": name,
            "sources": [[GRIDKIT.url]] * len(first),
            "geo_precision": STATION_PRECISION,
            "location_note": STATION_NOTE,
            "provenance": "gridkit:station/" + ident,
            "asset_type": first["kind"],
            "operator": first["tso"].replace("", None),
            "owner_country": iso3_from_iso2(first["country"]),
            "status": np.where(all_under, "under_construction", "operating"),
            "voltage_kv": as_int(first["nominal"]),
            "voltage_class": label,
            WHERE_COLUMN: grouped["where"].agg(", ".join),
        }
    ).reset_index(drop=True)
    return incoming_frame(records, first["geometry"].to_numpy(), SUBSTATIONS)


def _result(
    table: SourceTable,
    layer: str,
    frame: pd.DataFrame,
    rejected: list[Rejected],
    outside: int,
    bbox: Bounds,
) -> ParsedImport:
    return ParsedImport(
        "gridkit",
        table.path,
        {layer: frame},
        rejected=rejected,
        rows_read=len(table),
        notes=bounds_note(outside, bbox),
    )
