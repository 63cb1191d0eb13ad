"""Standalone HTML maps: the interactive map as one file that opens without the app or internet."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd

from strikemap.analysis.view import View, apply_view
from strikemap.exports.files import check_writable, write_output
from strikemap.maps.interactive import build_map
from strikemap.maps.offline import LOCAL_ASSETS, asset_source, asset_url, localise_assets

INLINE_PREFIX = "strikemap-inline:"
"""Placeholder URL prefix of the libraries while they are swapped for their contents."""
_SCRIPT = re.compile(r'<script src="(strikemap-inline:[^"]+)"></script>')
_STYLESHEET = re.compile(r'<link rel="stylesheet" href="(strikemap-inline:[^"]+)"/>')


def standalone_html(fmap: folium.Map, *, offline: bool = True) -> str:
    """Return the map as one HTML document.

    Parameters
    ----------
    fmap
        A map from ``maps.interactive.build_map`` (changed in place when ``offline``).
    offline
        Put Leaflet and the plugins the map uses inside the file, taken from the installed
        packages, so it opens with no internet; ``False`` leaves folium's CDN links.
    """
    if not offline:
        return fmap.get_root().render()
    localise_assets(fmap, prefix=INLINE_PREFIX)
    html = fmap.get_root().render()
    sources = {
        asset_url(asset, INLINE_PREFIX): asset_source(asset)
        for asset in LOCAL_ASSETS.values()
        if asset is not None
    }
    html = _SCRIPT.sub(lambda m: _inline("script", sources[m.group(1)]), html)
    return _STYLESHEET.sub(lambda m: _inline("style", sources[m.group(1)]), html)


def _inline(tag: str, path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    # a library's text must not close the element it sits in
    text = re.sub(rf"</({tag})", r"<\\/\1", text, flags=re.IGNORECASE)
    return f"<{tag}>\n{text}\n</{tag}>"


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
    """Write the interactive map of a view as one standalone HTML file.

    Parameters
    ----------
    layers
        ``{layer name: frame}`` with every strike; the view is applied here.
    links
        The impact table of those strikes.
    view
        Filters, extent, colouring and the selected strike.
    out
        The ``.html`` file to write (replaced atomically); its folder must exist.
    offline
        Inline the map's libraries so the file opens with no internet (see ``standalone_html``).
    asset_types
        ``{asset id: asset_type}`` for the view's asset-type filter.
    country_names
        ISO3 -> name, for the affected-countries tooltip.

    Returns
    -------
    Path
        The written file.
    """
    check_writable(out)  # a missing folder is refused, as for every other export
    strikes, shown_links = apply_view(layers["strikes"], links, view, asset_types=asset_types)
    fmap = build_map({**layers, "strikes": strikes}, shown_links, view, country_names=country_names)
    write_output(standalone_html(fmap, offline=offline).encode("utf-8"), out)
    return Path(out)
