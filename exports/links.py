"""Convert the link table to CSV, JSON and GeoJSON text (the callers write the files)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely

from strikemap.exports.arrow_csv import blocks, csv_blocks
from strikemap.exports.arrow_json import geometry_texts, joined_blocks, record_texts
from strikemap.geo.crs import lonlat_to_metric, require_crs, to_storage
from strikemap.geo.impact import LINK_COLUMNS
from strikemap.geo.search import asset_index

EXPORT_DECIMALS = 6
"""Coordinate decimals in GeoJSON output (about 0.1 m), as for the layers."""


TEXT_OPENING = {"json": b"[\n", "geojson": b'{"type":"FeatureCollection","features":['}
TEXT_CLOSING = {"json": b"\n]\n", "geojson": b"]}\n"}
TEXT_EMPTY = {"json": b"[]\n", "geojson": TEXT_OPENING["geojson"] + TEXT_CLOSING["geojson"]}
TEXT_SEPARATORS = {"csv": b"", "json": b",\n", "geojson": b","}
"""What the JSON and GeoJSON link files write around and between their records (and the
fragments of a partitioned export, ``exports.link_text``, are joined with)."""


def link_table(links: pd.DataFrame) -> pd.DataFrame:
    """Return the impact links as the one exported table: ``LINK_COLUMNS``, plain values.

    Distances in whole metres (nullable integers), text columns as text with ``""`` for
    missing values. Every link file (CSV, JSON, GeoJSON, XLSX, the app's downloads) is
    written from this table (the CSV and JSON writers from ``csv_table``, its columns before
    the text is made plain).
    """
    table = csv_table(links)
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
    """Return the link table as a JSON array of objects, one per link (``json.dumps(indent=1)``)."""
    return b"".join(links_to_json_blocks(table)).decode("utf-8")


def links_to_json_blocks(table: pd.DataFrame) -> Iterator[bytes]:
    """Yield ``links_to_json``'s UTF-8 text a block of links at a time."""
    if table.empty:
        yield TEXT_EMPTY["json"]
        return
    yield TEXT_OPENING["json"]
    yield from links_json_records(table)
    yield TEXT_CLOSING["json"]


def links_json_records(table: pd.DataFrame) -> Iterator[bytes]:
    """Yield the JSON objects of ``links_to_json`` without the array's brackets."""
    records = (
        record_texts(block, start=" {\n  ", key_separator=": ", item_separator=",\n  ", end="\n }")
        for block in blocks(csv_table(table))
    )
    return joined_blocks(records, TEXT_SEPARATORS["json"].decode())


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
    return b"".join(links_to_geojson_blocks(table, strikes, assets)).decode("utf-8")


def links_to_geojson_blocks(
    table: pd.DataFrame, strikes: gpd.GeoDataFrame, assets: gpd.GeoDataFrame
) -> Iterator[bytes]:
    """Yield ``links_to_geojson``'s UTF-8 text a block of features at a time."""
    yield TEXT_OPENING["geojson"]
    yield from geojson_features(links_to_frame(table, strikes, assets))
    yield TEXT_CLOSING["geojson"]


def geojson_features(frame: gpd.GeoDataFrame) -> Iterator[bytes]:
    """Yield the compact GeoJSON Features of ``links_to_frame`` rows, comma-separated."""
    features = (_feature_texts(block) for block in blocks(frame))
    return joined_blocks(features, TEXT_SEPARATORS["geojson"].decode())


def _feature_texts(frame: gpd.GeoDataFrame) -> pa.Array:
    properties = record_texts(
        pd.DataFrame(frame.drop(columns="geometry")),
        start='{"type":"Feature","properties":{',
        key_separator=":",
        item_separator=",",
        end='},"geometry":',
    )
    geometry = geometry_texts(frame.geometry.values)
    if geometry is None:  # other shapes than points and two-point lines: json writes them
        shapes = [json.dumps(json.loads(g), separators=(",", ":")) for g in
                  shapely.to_geojson(frame.geometry.values)]  # fmt: skip
        geometry = pa.array(shapes, pa.large_string())
    end = pa.scalar("}", pa.large_string())
    return pc.binary_join_element_wise(properties, geometry, end, pa.scalar("", pa.large_string()))
