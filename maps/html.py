"""Standalone HTML maps: the interactive map as one file that opens without the app or internet."""

from __future__ import annotations

import re
from pathlib import Path

import folium

from strikemap.analysis import Analysis
from strikemap.exports.files import check_writable, write_output
from strikemap.maps.live import build_map
from strikemap.maps.offline import LOCAL_ASSETS, asset_source, asset_url, localise_assets
from strikemap.maps.popups import impact_chain_html

INLINE_PREFIX = "strikemap-inline:"
"""Placeholder URL prefix of the libraries while they are swapped for their contents."""
_SCRIPT = re.compile(r'<script src="(strikemap-inline:[^"]+)"></script>')
_STYLESHEET = re.compile(r'<link rel="stylesheet" href="(strikemap-inline:[^"]+)"/>')


def standalone_html(fmap: folium.Map, *, offline: bool = True) -> str:
    """Return the map as one HTML document.

    Parameters
    ----------
    fmap
        A map from ``maps.live.build_map`` (changed in place when ``offline``).
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


def selection_chain(analysis: Analysis) -> str | None:
    """Return the selected strike's impact chain as escaped HTML, or None without a selection."""
    selected = analysis.view.selected
    strike = analysis.strike(selected) if selected else None
    if strike is None:
        return None
    sources = dict(
        zip(analysis.dataset.assets["id"], analysis.dataset.assets["sources"], strict=True)
    )
    return impact_chain_html(
        strike.to_dict(),
        analysis.strike_links(selected),
        analysis.dataset.explainer(analysis.rules),
        asset_sources=sources,
    )


def save_html_map(analysis: Analysis, out: str | Path, *, offline: bool = True) -> Path:
    """Write the interactive map of an analysed view as one standalone HTML file.

    Parameters
    ----------
    analysis
        The analysed view (``strikemap.analysis.analyse``): its strikes, links, colouring and
        selected strike.
    out
        The ``.html`` file to write (replaced atomically); its folder must exist.
    offline
        Inline the map's libraries so the file opens with no internet (see ``standalone_html``).

    Returns
    -------
    Path
        The written file.
    """
    check_writable(out)  # a missing folder is refused, as for every other export
    fmap = build_map(
        analysis.layers,
        analysis.links,
        analysis.view,
        country_names=analysis.country_names,
        chain=selection_chain(analysis),
    )
    write_output(standalone_html(fmap, offline=offline).encode("utf-8"), out)
    return Path(out)
