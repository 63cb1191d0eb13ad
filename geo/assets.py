"""Combine the asset layers into the one frame the impact join searches."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from strikemap.geo.crs import STORAGE_CRS, require_crs, to_storage
from strikemap.geo.errors import ImpactInputError

log = logging.getLogger(__name__)

NETWORK_LINE = "line"
"""``network`` role of assets that carry the flow: the edges of the pipeline network."""
NETWORK_NODE = "node"
"""``network`` role of assets that sit on the network where a line passes (stations, terminals)."""
NETWORK_ROLES = ("", NETWORK_LINE, NETWORK_NODE)


@dataclass(frozen=True)
class AssetLayer:
    """How the impact join treats one asset layer; the layer catalogue says, geo only obeys.

    Parameters
    ----------
    name
        The layer's name (the key of its frame).
    network
        ``"line"`` when its features are the pipeline network's edges, ``"node"`` when they sit
        on it, ``""`` when the network ignores them.
    asset_type
        ``asset_type`` given to features without one (a layer with no such property).
    """

    name: str
    network: str = ""
    asset_type: str | None = None

    def __post_init__(self) -> None:
        if self.network not in NETWORK_ROLES:
            msg = (
                f"asset layer {self.name!r}: network {self.network!r} is not one of {NETWORK_ROLES}"
            )
            raise ValueError(msg)


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
    "network",
)
"""Columns of the combined asset frame (plus ``geometry``)."""


def combine_assets(
    frames: Mapping[str, gpd.GeoDataFrame], *, layers: Sequence[AssetLayer]
) -> gpd.GeoDataFrame:
    """Stack the asset layers of ``frames`` into one frame with an ``asset_layer`` column.

    Parameters
    ----------
    frames
        ``{layer name: frame}`` as returned by ``layers.io.read_layers()``; frames not named in
        ``layers`` are ignored, layers without a frame count as empty.
    layers
        The asset layers and their roles (``layers.catalog.ASSET_ROLES``).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``ASSET_COLUMNS`` and ``geometry``, EPSG:4326, sorted by ``id``; ``network`` is
        each asset's role in the pipeline network (``AssetLayer.network``).

    Raises
    ------
    CRSError
        When the asset frames lack a CRS or differ in CRS.
    ImpactInputError
        When an id occurs twice (ids must be unique across layers).
    """
    present = {layer: frames[layer.name] for layer in layers if layer.name in frames}
    if present:
        require_crs({layer.name: frame for layer, frame in present.items()})
    parts = [_asset_part(to_storage(frame), layer) for layer, frame in present.items()]
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


def _asset_part(frame: gpd.GeoDataFrame, layer: AssetLayer) -> pd.DataFrame:
    part = pd.DataFrame(index=frame.index)
    for column in ASSET_COLUMNS:
        if column == "asset_layer":
            part[column] = layer.name
        elif column == "network":
            part[column] = layer.network
        elif column in frame.columns:
            part[column] = frame[column].astype(object)
        else:
            part[column] = None
    if layer.asset_type is not None:
        part["asset_type"] = part["asset_type"].fillna(layer.asset_type)
    part["geometry"] = frame.geometry.values
    return part.reset_index(drop=True)
