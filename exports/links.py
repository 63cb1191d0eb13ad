"""Convert the link table to CSV, JSON and GeoJSON text (the callers write the files)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from strikemap.exports.arrow_csv import csv_blocks
from strikemap.geo.crs import lonlat_to_metric, require_crs, to_storage
from strikemap.geo.impact import LINK_COLUMNS
from strikemap.geo.search import asset_index

EXPORT_DECIMALS = 6
"""Coordinate decimals in GeoJSON output (about 0.1 m), as for the layers."""


def link_table(links: pd.DataFrame) -> pd.DataFrame:
    """Return the impact links as the one exported table: ``LINK_COLUMNS``, plain values.

    Distances in whole metres (nullable integers), text columns as text with ``""`` for
    missing values. Every link file (CSV, JSON, GeoJSON, XLSX, the app's downloads) is
    written from this table.
    """
    table = links.reindex(columns=list(LINK_COLUMNS)).reset_index(drop=True)
    distance = pd.to_numeric(table["distance_m"], errors="coerce").round(0)
    table["distance_m"] = distance.astype("Int64")
    text_columns = [c for c in LINK_COLUMNS if c != "distance_m"]
    table[text_columns] = table[text_columns].astype(object).where(table[text_columns].notna(), "")
    return table


def csv_table(links: pd.DataFrame) -> pd.DataFrame:
    """Return the columns of the CSV link table: ``link_table``'s, categoricals kept as such."""
    table = links.reindex(columns=list(LINK_COLUMNS)).reset_index(drop=True)
    distance = pd.to_numeric(table["distance_m"], errors="coerce").round(0)
    return table.assign(distance_m=distance.astype("Int64"))


def links_to_csv_blocks(table: pd.DataFrame, *, header: bool = True) -> Iterator[bytes]:
    """Yield the link table as UTF-8 CSV, a block of rows at a time (``exports.arrow_csv``).

    The columns and values of ``link_table``, spreadsheet formulas defused.
    """
    return csv_blocks(csv_table(table), header=header)


def links_to_csv(table: pd.DataFrame) -> str:
    """Return the link table as CSV text (``link_table``, spreadsheet formulas defused)."""
    return b"".join(links_to_csv_blocks(table)).decode("utf-8")


def links_to_json(table: pd.DataFrame) -> str:
    """Return the link table as a JSON array of objects, one per link."""
    records = link_table(table).astype(object).where(lambda t: t.notna(), None)
    return json.dumps(records.to_dict(orient="records"), ensure_ascii=False, indent=1) + "\n"


def links_to_frame(
    table: pd.DataFrame, strikes: gpd.GeoDataFrame, assets: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Return the links as geometries in EPSG:4326.

    Asset links become a LineString from the strike to the asset's point nearest to it; direct
    country links (``location``, ``border``) the strike's Point.
    """
    require_crs({"strikes": strikes, "assets": assets})
    strikes, assets = to_storage(strikes), to_storage(assets)
    plain = link_table(table)
    strike_at = pd.Index(strikes["id"]).get_indexer(plain["strike_id"])
    points = strikes.geometry.values[strike_at]
    lon, lat = shapely.get_x(points), shapely.get_y(points)
    asset_at = pd.Index(assets["id"]).get_indexer(plain["asset_id"])
    geometry = np.array(points, dtype=object)
    linked = np.flatnonzero(asset_at >= 0)
    if linked.size:
        index = asset_index(assets.geometry.values)
        x, y = lonlat_to_metric(lon[linked], lat[linked])
        qlon, qlat = index.nearest_lonlat(asset_at[linked], x, y)
        ends = np.stack(
            [np.column_stack([lon[linked], lat[linked]]), np.column_stack([qlon, qlat])], 1
        )
        geometry[linked] = shapely.linestrings(ends)
    geometry = shapely.transform(geometry, lambda xy: np.round(xy, EXPORT_DECIMALS))
    return gpd.GeoDataFrame(plain, geometry=geometry, crs="EPSG:4326")


def links_to_geojson(
    table: pd.DataFrame, strikes: gpd.GeoDataFrame, assets: gpd.GeoDataFrame
) -> str:
    """Return the links as an RFC 7946 FeatureCollection (see ``links_to_frame``)."""
    frame = links_to_frame(table, strikes, assets)
    features = [
        {"type": "Feature", "properties": record, "geometry": json.loads(geom)}
        for record, geom in zip(
            pd.DataFrame(frame.drop(columns="geometry")).to_dict(orient="records"),
            shapely.to_geojson(frame.geometry.values),
            strict=True,
        )
    ]
    collection = {"type": "FeatureCollection", "features": features}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n"
