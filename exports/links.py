"""Convert the link table to CSV, JSON and GeoJSON text (the callers write the files)."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from strikemap.geo.crs import lonlat_to_metric, require_crs, to_storage
from strikemap.geo.impact import LINK_COLUMNS
from strikemap.geo.search import asset_index

EXPORT_DECIMALS = 6
"""Coordinate decimals in GeoJSON output (about 0.1 m), as for the layers."""
DISTANCE_DECIMALS = 1


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    plain = table[list(LINK_COLUMNS)].astype({c: object for c in LINK_COLUMNS if c != "distance_m"})
    plain["distance_m"] = plain["distance_m"].round(DISTANCE_DECIMALS)
    return plain.fillna({c: "" for c in LINK_COLUMNS if c != "distance_m"})


def links_to_csv(table: pd.DataFrame) -> str:
    """Return the link table as CSV text (``LINK_COLUMNS``, distances to 0.1 m)."""
    return _plain(table).to_csv(index=False, lineterminator="\n")


def links_to_json(table: pd.DataFrame) -> str:
    """Return the link table as a JSON array of objects, one per link."""
    records = _plain(table).to_dict(orient="records")
    return json.dumps(records, ensure_ascii=False, indent=1) + "\n"


def links_to_frame(
    table: pd.DataFrame, strikes: gpd.GeoDataFrame, assets: gpd.GeoDataFrame
) -> gpd.GeoDataFrame:
    """Return the links as geometries in EPSG:4326.

    Asset links become a LineString from the strike to the asset's point nearest to it; direct
    country links (``location``, ``border``) the strike's Point.
    """
    require_crs({"strikes": strikes, "assets": assets})
    strikes, assets = to_storage(strikes), to_storage(assets)
    plain = _plain(table).reset_index(drop=True)
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
