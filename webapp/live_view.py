"""The app's live map without Streamlit: what the map component is sent for a view.

``app.py`` keeps the results in its caches and hands them to streamlit-folium's frontend: the
base map once per session (``map_script``), the strikes once per view (``strikes_drawing``) and
the overlay (``overlay_for``) whenever the view, the selection or the basemap change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import folium
import geopandas as gpd
import pandas as pd

from strikemap.analysis import Analysis, Dataset
from strikemap.maps import live
from strikemap.maps.html import selection_chain
from strikemap.maps.live.base import base_map, script_json, with_initial_view
from strikemap.maps.live.config import REGIONS_LAYER, SELECTED_ZOOM
from strikemap.maps.live.embed import EmbedParts, embed_parts
from strikemap.maps.live.overlay import overlay_script
from strikemap.maps.live.strikes import strikes_payload
from strikemap.maps.offline import localise_assets
from strikemap.webapp import session
from strikemap.webapp.map_events import Drawn

MAP_KEY = "strikemap-map-"
"""Prefix of the map component's key; the rest is a digest of the base map's script."""
Probe = tuple[gpd.GeoDataFrame, pd.DataFrame]
"""A hypothetical strike (one row) and its links."""
Focus = tuple[pd.Series | None, pd.DataFrame | None, bool]
"""What the overlay highlights: ``(strike, its links, whether it is the probe)``."""


def base_parts(data: Dataset, prepared: Mapping[str, dict], prefix: str | None) -> EmbedParts:
    """Return the base map (no strikes) rendered for the map component.

    ``prefix`` is where the app serves the map's libraries (None: public CDNs).
    """
    fmap = base_map(data.layers, prepared=prepared)
    if prefix is not None:
        localise_assets(fmap, prefix)
    return embed_parts(fmap)


def map_script(parts: EmbedParts, opening: Mapping[str, object]) -> tuple[str, str]:
    """Return the base map's script opening at ``opening``, and the component key it gets."""
    script = with_initial_view(parts.script, opening)
    return script, MAP_KEY + hashlib.sha1(script.encode()).hexdigest()[:16]


def strikes_drawing(data: Dataset, analysis: Analysis, mode: str) -> tuple[str, Drawn, bool]:
    """Return the strikes of a view as the map's JSON and what a click refers to.

    The third value says whether some strikes are drawn as region outlines. No popups: the
    sidebar shows the clicked strike's chain (popups would cover the map).
    """
    strikes = analysis.strikes
    drawn = strikes_payload(
        strikes, analysis.view, mode=mode, regions=data.layers.get(REGIONS_LAYER), popup_limit=0
    )
    ids = strikes["id"].astype(str).to_numpy()
    return script_json(drawn), Drawn(str(drawn["token"]), ids), bool(drawn["regions"])


def focus_of(analysis: Analysis, probe: Probe | None) -> Focus:
    """Return what the overlay highlights: the probe, else the selected strike (shown or not)."""
    if probe is not None:
        probe_frame, probe_links = probe
        return probe_frame.iloc[0], probe_links, True
    selected = analysis.view.selected
    strike = analysis.strike(selected) if selected else None
    if strike is None:
        return None, None, False
    return strike, analysis.strike_links(selected), False


def overlay_for(
    data: Dataset,
    analysis: Analysis,
    *,
    strikes_json: str,
    region_outlines: bool,
    focus: Focus,
    radii: session.Radii,
    basemap: str,
) -> str:
    """Return the overlay script of a view, its selection and basemap."""
    strike, links, is_probe = focus
    payload = live.view_overlay(
        data.layers,
        analysis.view,
        basemap=basemap,
        strikes_json=strikes_json,
        region_outlines=region_outlines,
        focus=strike,
        focus_links=links,
        probe=is_probe,
        radius_m=session.marker_radii(radii),
        country_names=data.country_names,
        assets=data.assets,
        snap_tolerance_m=analysis.rules.snap_tolerance_m,
    )
    return overlay_script(payload)


def opening_view(analysis: Analysis, map_view: session.MapView | None) -> dict[str, object]:
    """Return where the map opens: the URL's place and zoom, else the selection or the view."""
    if map_view is not None:
        lat, lon, zoom = map_view
        return {"center": [lat, lon], "zoom": zoom}
    selected = analysis.view.selected
    strike = analysis.strike(selected) if selected else None
    if strike is not None:
        return live.initial_view(analysis.view, analysis.strikes, strike) | {"zoom": SELECTED_ZOOM}
    return live.initial_view(analysis.view, analysis.strikes)


def probe_key(probe: Probe | None) -> tuple | None:
    """Return a hashable key of a probe: ``(lat, lon, precision)``."""
    if probe is None:
        return None
    frame = probe[0]
    point = frame.geometry.iloc[0]
    return (round(point.y, 5), round(point.x, 5), int(frame["geo_precision"].iloc[0]))


def standalone_map(
    analysis: Analysis,
    prepared: Mapping[str, dict],
    radii: session.Radii,
    probe: Probe | None,
    *,
    basemap: str,
    strike_mode: str,
) -> folium.Map:
    """Return the standalone map of a view (the HTML download): base map and overlay in one.

    No session state is read here, so a download button can call it after the script run.
    """
    probe_frame, probe_links = probe if probe is not None else (None, None)
    return live.build_map(
        analysis.layers,
        analysis.links,
        analysis.view,
        basemap=basemap,
        probe=probe_frame,
        probe_links=probe_links,
        strike_mode=strike_mode,  # type: ignore[arg-type]
        radius_m=session.marker_radii(radii),
        country_names=analysis.country_names,
        prepared=prepared,
        chain=selection_chain(analysis) if probe is None else None,
    )
