"""NASA FIRMS active-fire CSV (VIIRS or MODIS) -> candidate strikes near assets."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely

from strikemap.geo.crs import METRIC_CRS
from strikemap.layers.catalog import STRIKES
from strikemap.layers.importers.common import (
    CSV_CHUNK_ROWS,
    WHERE_COLUMN,
    ImportFileError,
    ParsedImport,
    Progress,
    Rejected,
    check_input_file,
    empty_incoming,
    incoming_frame,
    no_rows_error,
    parse_numbers,
    sniff_csv_header,
    stream_csv,
)
from strikemap.layers.io import STORAGE_CRS
from strikemap.layers.limits import DATE_RANGE_TEXT, date_in_range

log = logging.getLogger(__name__)

FORMAT = "NASA FIRMS"
VIIRS_MARKER, MODIS_MARKER = "bright_ti4", "brightness"
NEEDED_COLUMNS = ("latitude", "longitude", "acq_date", "acq_time", "satellite", "confidence", "frp")
VIIRS_COLUMNS = (
    "latitude, longitude, bright_ti4, scan, track, acq_date, acq_time, satellite, confidence, "
    "version, bright_ti5, frp, daynight"
)
MODIS_COLUMNS = (
    "latitude, longitude, brightness, scan, track, acq_date, acq_time, satellite, confidence, "
    "version, bright_t31, frp, daynight"
)
DEFAULT_RADIUS_M = 2_000
DEFAULT_WINDOW_DAYS = 1
DEFAULT_ASSET_LAYERS = ("facilities", "fuel_stations")
"""Point assets only by default: fires along long pipelines are mostly field burning."""
CONFIDENCE_RANK = {"low": 0, "nominal": 1, "high": 2}
VIIRS_CONFIDENCE = {"l": 0, "low": 0, "n": 1, "nominal": 1, "h": 2, "high": 2}
MODIS_CONFIDENCE_BINS = (30, 80)
"""MODIS confidence 0-100: below 30 low, 30-79 nominal, 80 and above high (FIRMS FAQ)."""
GEO_PRECISION = {"VIIRS": 0, "MODIS": 1}
"""VIIRS pixels are 375 m (the feature itself); MODIS pixels 1 km (near a place)."""


def parse_firms(
    path: str | Path,
    *,
    assets: Mapping[str, gpd.GeoDataFrame],
    radius_m: float = DEFAULT_RADIUS_M,
    window_days: float = DEFAULT_WINDOW_DAYS,
    asset_layers: Sequence[str] = DEFAULT_ASSET_LAYERS,
    min_confidence: str = "nominal",
    progress: Progress | None = None,
    chunksize: int = CSV_CHUNK_ROWS,
) -> ParsedImport:
    """Turn FIRMS fire detections near assets into candidate strikes, one per event.

    Parameters
    ----------
    path
        FIRMS CSV (VIIRS or MODIS columns, as FIRMS downloads and the FIRMS API give them).
    assets
        Asset layers by name (``facilities``, ``fuel_stations``, ...).
    radius_m
        Keep detections within this distance (metres) of an asset.
    window_days
        Detections of the same asset less than this many days apart form one event.
    asset_layers
        Which asset layers to look near.
    min_confidence
        ``low``, ``nominal`` or ``high``: lower-confidence detections are skipped.
    progress
        Called with bytes read and total bytes while the file streams.
    chunksize
        Rows per chunk; the file is never loaded whole.

    Returns
    -------
    ParsedImport
        ``layers["strikes"]``: rows with ``status`` ``candidate``, ``weapon`` ``unknown``,
        ``target_ids`` the nearest asset, at the mean position of the grouped detections.

    Raises
    ------
    ImportFileError
        When the file is missing, empty, not comma-separated UTF-8, or lacks FIRMS columns.
    """
    path = check_input_file(path)
    instrument = _instrument(path)
    index = _AssetIndex.build(assets, asset_layers)
    min_rank = CONFIDENCE_RANK[min_confidence]
    matched, rejected, rows_read, low = [], [], 0, 0
    chunks = stream_csv(
        path, usecols=NEEDED_COLUMNS, fmt=FORMAT, chunksize=chunksize, progress=progress
    )
    for chunk in chunks:
        rows_read += len(chunk)
        near, bad, n_low = _match_chunk(chunk, index, radius_m, instrument, min_rank)
        matched.append(near)
        rejected.extend(bad)
        low += n_low
    if rows_read == 0:
        raise no_rows_error(path, fmt=FORMAT)
    detections = pd.concat(matched, ignore_index=True)
    detections, bad_dates = _parse_times(detections)
    rejected.extend(bad_dates)
    candidates = _candidates(detections, index, instrument, window_days)
    notes = [
        f"{len(detections)} of {rows_read} detections lie within {radius_m:.0f} m of an asset "
        f"({', '.join(asset_layers)}); grouped into {len(candidates)} candidate strikes",
    ]
    if low:
        notes.append(f"skipped {low} detections below {min_confidence} confidence")
    return ParsedImport(
        "firms", path, {"strikes": candidates}, rejected=rejected, rows_read=rows_read, notes=notes
    )


def _instrument(path: Path) -> str:
    columns = sniff_csv_header(path, fmt=FORMAT)
    if VIIRS_MARKER in columns:
        instrument = "VIIRS"
    elif MODIS_MARKER in columns:
        instrument = "MODIS"
    else:
        msg = (
            f"{path}: unknown columns ({', '.join(columns[:15])}); not a FIRMS file. A VIIRS "
            f"file has {VIIRS_COLUMNS}; a MODIS file has {MODIS_COLUMNS}"
        )
        raise ImportFileError(msg)
    missing = [c for c in NEEDED_COLUMNS if c not in columns]
    if missing:
        msg = f"{path}: {instrument} file without column(s) {', '.join(missing)}; download it again"
        raise ImportFileError(msg)
    return instrument


class _AssetIndex:
    """Assets in metric coordinates with a spatial index, and their ids, names and types."""

    def __init__(self, table: pd.DataFrame, metric: np.ndarray) -> None:
        self.table = table.reset_index(drop=True)
        self.metric = metric
        self.tree = shapely.STRtree(metric)
        self.to_metric = pyproj.Transformer.from_crs(STORAGE_CRS, METRIC_CRS, always_xy=True)
        bounds = gpd.GeoSeries(table["geometry"], crs=STORAGE_CRS).total_bounds
        self.bounds = bounds if len(table) else np.array([0.0, 0.0, -1.0, -1.0])

    @classmethod
    def build(cls, assets: Mapping[str, gpd.GeoDataFrame], names: Sequence[str]) -> _AssetIndex:
        frames = []
        for name in names:
            frame = assets.get(name)
            if frame is None or not len(frame):
                continue
            kind = (
                frame["asset_type"] if "asset_type" in frame else pd.Series(name, index=frame.index)
            )
            frames.append(
                pd.DataFrame(
                    {
                        "id": frame["id"],
                        "name": frame["name"],
                        "kind": kind,
                        "geometry": frame.geometry.values,
                    }
                )
            )
        table = (
            pd.concat(frames, ignore_index=True)
            if frames
            else pd.DataFrame({"id": [], "name": [], "kind": [], "geometry": []})
        )
        table = table[table["geometry"].notna()]
        metric = gpd.GeoSeries(table["geometry"].to_numpy(), crs=STORAGE_CRS).to_crs(METRIC_CRS)
        return cls(table, np.asarray(metric.values, dtype=object))

    def near(
        self, lon: np.ndarray, lat: np.ndarray, radius_m: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (detection positions, nearest asset positions, distances in m) within radius."""
        margin_lat = radius_m / 110_000 * 1.5
        margin_lon = margin_lat / max(
            np.cos(np.radians(max(abs(self.bounds[1]), abs(self.bounds[3])))), 0.1
        )
        west, south, east, north = self.bounds
        inside = (
            (lon >= west - margin_lon)
            & (lon <= east + margin_lon)
            & (lat >= south - margin_lat)
            & (lat <= north + margin_lat)
        )
        candidates = np.flatnonzero(inside)
        if not len(candidates):
            empty = np.array([], dtype=np.int64)
            return empty, empty, np.array([])
        x, y = self.to_metric.transform(lon[candidates], lat[candidates])
        points = shapely.points(x, y)
        inp, asset = self.tree.query(points, predicate="dwithin", distance=radius_m)
        distance = shapely.distance(points[inp], self.metric[asset])
        pairs = pd.DataFrame({"inp": inp, "asset": asset, "distance": distance})
        nearest = pairs.sort_values(["inp", "distance", "asset"]).drop_duplicates("inp")
        return (
            candidates[nearest["inp"].to_numpy()],
            nearest["asset"].to_numpy(),
            nearest["distance"].to_numpy(),
        )


def _match_chunk(
    chunk: pd.DataFrame, index: _AssetIndex, radius_m: float, instrument: str, min_rank: int
) -> tuple[pd.DataFrame, list[Rejected], int]:
    lat, lon = parse_numbers(chunk["latitude"]), parse_numbers(chunk["longitude"])
    bad = lat.isna() | lon.isna() | ~lat.between(-90, 90) | ~lon.between(-180, 180)
    rejected = [
        Rejected(f"row {row}", f"latitude {la!r} / longitude {lo!r}: not valid coordinates")
        for row, la, lo in zip(
            chunk.loc[bad, "_row"],
            chunk.loc[bad, "latitude"],
            chunk.loc[bad, "longitude"],
            strict=True,
        )
    ]
    rank = _confidence_rank(chunk["confidence"], instrument)
    low = (rank < min_rank) & ~bad
    usable = ~bad & ~low
    positions = np.flatnonzero(usable.to_numpy())
    hit, asset, distance = index.near(
        lon.to_numpy()[positions], lat.to_numpy()[positions], radius_m
    )
    rows = positions[hit]
    near = pd.DataFrame(
        {
            "row": chunk["_row"].to_numpy()[rows],
            "acq_date": chunk["acq_date"].to_numpy()[rows],
            "acq_time": chunk["acq_time"].to_numpy()[rows],
            "satellite": chunk["satellite"].to_numpy()[rows],
            "frp": parse_numbers(chunk["frp"]).to_numpy()[rows],
            "lon": lon.to_numpy()[rows],
            "lat": lat.to_numpy()[rows],
            "asset": asset,
            "distance": distance,
        }
    )
    return near, rejected, int(low.sum())


def _confidence_rank(values: pd.Series, instrument: str) -> pd.Series:
    text = values.str.strip().str.lower()
    if instrument == "VIIRS":
        return text.map(VIIRS_CONFIDENCE).fillna(1)
    number = pd.to_numeric(text, errors="coerce")
    return pd.Series(np.digitize(number.fillna(50), MODIS_CONFIDENCE_BINS), index=values.index)


def _parse_times(detections: pd.DataFrame) -> tuple[pd.DataFrame, list[Rejected]]:
    """Add ``time`` (UTC) from ``acq_date`` and ``acq_time`` (HHMM); reject unparseable ones."""
    text = detections["acq_date"].astype(str).str.strip()
    date = pd.to_datetime(text.where(date_in_range(text)), format="%Y-%m-%d", errors="coerce")
    hhmm = detections["acq_time"].astype(str).str.strip().str.zfill(4)
    minutes = pd.to_numeric(hhmm.str[:2], errors="coerce") * 60 + pd.to_numeric(
        hhmm.str[2:], errors="coerce"
    )
    bad = date.isna() | minutes.isna()
    rejected = [
        Rejected(
            f"row {row}",
            f"acq_date {d!r} / acq_time {t!r}: not a date (YYYY-MM-DD, {DATE_RANGE_TEXT}) and "
            "time (HHMM)",
        )
        for row, d, t in zip(
            detections.loc[bad, "row"],
            detections.loc[bad, "acq_date"],
            detections.loc[bad, "acq_time"],
            strict=True,
        )
    ]
    good = detections[~bad].copy()
    good["time"] = date[~bad] + pd.to_timedelta(minutes[~bad], unit="min")
    return good, rejected


def _candidates(
    detections: pd.DataFrame, index: _AssetIndex, instrument: str, window_days: float
) -> gpd.GeoDataFrame:
    """Group detections per asset into events (gaps shorter than the window) -> candidate rows."""
    if not len(detections):
        return empty_incoming(STRIKES)
    ordered = detections.sort_values(["asset", "time", "row"])
    gap = ordered["time"].diff() > pd.Timedelta(days=window_days)
    new_asset = ordered["asset"].ne(ordered["asset"].shift())
    ordered["event"] = (gap | new_asset).cumsum()
    events = ordered.groupby("event").agg(
        asset=("asset", "first"),
        first=("time", "min"),
        last=("time", "max"),
        count=("row", "size"),
        first_row=("row", "min"),
        frp=("frp", "max"),
        lon=("lon", "mean"),
        lat=("lat", "mean"),
        distance=("distance", "min"),
        satellites=("satellite", lambda s: ", ".join(sorted(set(map(str, s))))),
    )
    return _candidate_rows(events, index.table, instrument)


def _candidate_rows(
    events: pd.DataFrame, assets: pd.DataFrame, instrument: str
) -> gpd.GeoDataFrame:
    asset = assets.iloc[events["asset"].to_numpy()].reset_index(drop=True)
    events = events.reset_index(drop=True)
    day = events["first"].dt.strftime("%Y-%m-%d")
    asset_id = asset["id"].astype(str)
    description = (
        events["count"].astype(str)
        + f" {instrument} fire detection(s) from "
        + events["first"].dt.strftime("%Y-%m-%d %H:%M")
        + " to "
        + events["last"].dt.strftime("%Y-%m-%d %H:%M")
        + " UTC, nearest "
        + events["distance"].round().astype(int).astype(str)
        + " m from "
        + asset["name"].astype(str)
        + ", max FRP "
        + events["frp"].round(1).astype(str)
        + " MW. A possible strike, not confirmed."
    )
    records = pd.DataFrame(
        {
            "id": "firms-" + day + "-" + asset_id,
            "name": "Fire detected near " + asset["name"].astype(str),
            "sources": [[f"dataset:NASA FIRMS ({instrument} {s})"] for s in events["satellites"]],
            "geo_precision": GEO_PRECISION[instrument],
            "provenance": "firms:" + asset_id + ":" + day,
            "date": day,
            "date_precision": "day",
            "weapon": "unknown",
            "target_type": asset["kind"].astype(str),
            "target_ids": [[a] for a in asset_id],
            "description": description,
            "status": "candidate",
            WHERE_COLUMN: "row " + events["first_row"].astype(str),
        }
    )
    points = shapely.points(events["lon"].to_numpy(), events["lat"].to_numpy())
    return incoming_frame(records, points, STRIKES)
