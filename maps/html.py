"""Standalone HTML maps: the interactive map saved as a file that opens without the app."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from layers.io import atomic_write_text
from maps.interactive import build_map
from maps.offline import install_static_assets, localise_assets
from maps.view import View, apply_view

ASSETS_SUFFIX = "_files"
"""The libraries of ``map.html`` go to ``map_files/`` beside it (as browsers save pages)."""


def save_html_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    links: pd.DataFrame,
    view: View,
    out: str | Path,
    *,
    offline: bool = True,
    asset_types: Mapping[str, str] | None = None,
    country_names: Mapping[str, str] | None = None,
) -> Path:
    """Write the interactive map of a view as a standalone HTML file.

    Parameters
    ----------
    layers
        ``{layer name: frame}`` with every strike; the view is applied here.
    links
        The impact table of those strikes.
    view
        Filters, extent, colouring and the selected strike.
    out
        The ``.html`` file to write (replaced atomically).
    offline
        Copy Leaflet and the other libraries into ``<name>_files/`` beside the file and load
        them from there, so the map opens with no internet; ``False`` loads them from CDNs.
    asset_types
        ``{asset id: asset_type}`` for the view's asset-type filter.
    country_names
        ISO3 -> name, for the affected-countries tooltip.

    Returns
    -------
    Path
        The written file.
    """
    out = Path(out)
    strikes, shown_links = apply_view(layers["strikes"], links, view, asset_types=asset_types)
    fmap = build_map({**layers, "strikes": strikes}, shown_links, view, country_names=country_names)
    if offline:
        folder = out.parent / f"{out.stem}{ASSETS_SUFFIX}"
        install_static_assets(folder)
        localise_assets(fmap, prefix=f"{folder.name}/vendor")
    atomic_write_text(out, fmap.get_root().render())
    return out
