"""Combine the asset layers into the one frame the impact join searches."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import geopandas as gpd
import pandas as pd

from strikemap.geo.crs import STORAGE_CRS, require_crs, to_storage
from strikemap.geo.errors import ImpactInputError
from strikemap.layers.catalog import ASSET_LAYERS

log = logging.getLogger(__name__)

ASSET_COLUMNS: tuple[str, ...] = (
    "id",
    "name",
    "asset_layer",
    "asset_type",
    "operator",
    "owner_country",
    "status",
    "flow_direction",
    "geo_precision",
    "sources",
)
"""Columns of the combined asset frame (plus ``geometry``)."""
FUEL_STATION_TYPE = "fuel_station"
"""``asset_type`` given to fuel stations, whose layer has no such property."""


def combine_assets(frames: Mapping[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    """Stack the asset layers of ``frames`` into one frame with an ``asset_layer`` column.

    Parameters
    ----------
    frames
        ``{layer name: frame}`` as returned by ``layers.io.read_layers()``; layers that are not
        assets (``layers.catalog.ASSET_LAYERS``) are ignored, missing ones count as empty.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``ASSET_COLUMNS`` and ``geometry``, EPSG:4326, sorted by ``id``.

    Raises
    ------
    CRSError
        When the asset frames lack a CRS or differ in CRS.
    ImpactInputError
        When an id occurs twice (ids must be unique across layers).
    """
    present = {spec.name: frames[spec.name] for spec in ASSET_LAYERS if spec.name in frames}
    if present:
        require_crs(present)
    parts = [_asset_part(to_storage(frame), name) for name, frame in present.items()]
    parts = [part for part in parts if len(part)]
    if not parts:
        return empty_assets()
    combined = pd.concat(parts, ignore_index=True)
    duplicated = combined.loc[combined["id"].duplicated(keep=False), ["id", "asset_layer"]]
    if len(duplicated):
        where = ", ".join(f"{i} ({layer})" for i, layer in duplicated.itertuples(index=False))
        msg = f"asset ids must be unique across layers; found twice: {where}; rename one of them"
        raise ImpactInputError(msg)
    combined = combined.sort_values("id", kind="stable", ignore_index=True)
    return gpd.GeoDataFrame(combined, geometry="geometry", crs=STORAGE_CRS)


def asset_type_map(assets: gpd.GeoDataFrame) -> dict[str, str]:
    """Return ``{asset id: asset_type}`` of a combined asset frame (for asset-type filters)."""
    return dict(zip(assets["id"].astype(str), assets["asset_type"], strict=True))


def empty_assets() -> gpd.GeoDataFrame:
    """Return an empty combined asset frame with the columns and EPSG:4326."""
    columns = {name: pd.Series([], dtype=object) for name in ASSET_COLUMNS}
    return gpd.GeoDataFrame(columns, geometry=gpd.GeoSeries([], crs=STORAGE_CRS), crs=STORAGE_CRS)


def _asset_part(frame: gpd.GeoDataFrame, layer: str) -> pd.DataFrame:
    part = pd.DataFrame(index=frame.index)
    for column in ASSET_COLUMNS:
        if column == "asset_layer":
            part[column] = layer
        elif column in frame.columns:
            part[column] = frame[column].astype(object)
        else:
            part[column] = None
    if layer == "fuel_stations":
        part["asset_type"] = part["asset_type"].fillna(FUEL_STATION_TYPE)
    part["geometry"] = frame.geometry.values
    return part.reset_index(drop=True)
