"""The live map: a base map drawn once per data version, and the view drawn over it.

- ``base``: basemaps, catalogue layers, place labels, controls and the browser runtime;
- ``strikes``: the view's strikes as a compact payload (stacks, regions, playback);
- ``selection``: the selected strike or probe, its links, routes and touched countries;
- ``legend``: what the symbols on screen mean;
- ``overlay``: the view as one payload on the base map;
- ``embed``: a rendered map as the parts the app's map component loads;
- ``runtime.js`` / ``runtime.css``: the browser side.

``build_map`` puts both together into one standalone map (HTML export, tests); the app keeps the
base map and sends only the overlay when the view changes. Text from data reaches the browser
only escaped (``maps.popups``).
"""

from __future__ import annotations

from collections.abc import Mapping

import folium
import geopandas as gpd
import pandas as pd

from strikemap.analysis.view import View
from strikemap.geo.rules import SNAP_TOLERANCE_M
from strikemap.maps.latlon import folium_location
from strikemap.maps.live.base import base_map, script_json
from strikemap.maps.live.config import (
    BASEMAPS,
    MARKER_LIMIT,
    OFFLINE_BASEMAP,
    PROBE_ID,
    REGIONS_LAYER,
    SELECTED_ZOOM,
    STRIKE_CLASS,
    STRIKE_MODES,
    UNCERTAINTY_RADIUS_M,
    StrikeMode,
)
from strikemap.maps.live.layers import BACKGROUND_LAYERS, layer_features
from strikemap.maps.live.legend import legend_sections
from strikemap.maps.live.overlay import Overlay, overlay_json
from strikemap.maps.live.selection import selection_payload
from strikemap.maps.live.strikes import resolve_strike_mode, strikes_payload

__all__ = [
    "BACKGROUND_LAYERS",
    "BASEMAPS",
    "OFFLINE_BASEMAP",
    "PROBE_ID",
    "STRIKE_CLASS",
    "STRIKE_MODES",
    "UNCERTAINTY_RADIUS_M",
    "build_map",
    "initial_view",
    "layer_features",
    "resolve_strike_mode",
    "view_overlay",
]


def build_map(
    layers: Mapping[str, gpd.GeoDataFrame],
    links: pd.DataFrame,
    view: View,
    *,
    basemap: str = OFFLINE_BASEMAP,
    selected: str | None = None,
    probe: gpd.GeoDataFrame | None = None,
    probe_links: pd.DataFrame | None = None,
    strike_mode: StrikeMode = "auto",
    marker_limit: int = MARKER_LIMIT,
    radius_m: Mapping[int, float] = UNCERTAINTY_RADIUS_M,
    country_names: Mapping[str, str] | None = None,
    prepared: Mapping[str, dict] | None = None,
    chain: str | None = None,
) -> folium.Map:
    """Return one standalone map of the layers, the view's strikes and a selection.

    Parameters
    ----------
    layers
        ``{layer name: frame}``, with ``strikes`` already narrowed by the view and ordered by
        date (``Analysis.layers``). Missing layers are skipped.
    links
        The impact table rows of the shown strikes.
    view
        Colouring (``color_by``), the time window, the extent and ``selected``.
    basemap
        A key of ``BASEMAPS``; the offline basemap needs no network.
    selected
        Strike id to highlight; defaults to ``view.selected``.
    probe, probe_links
        A one-row hypothetical strike and its links, drawn and selected instead.
    strike_mode
        ``markers`` (circle markers, stacked ones counted), ``cluster``, ``heatmap``, or
        ``auto`` (markers up to ``marker_limit`` strikes).
    radius_m
        Uncertainty circle radius by ``geo_precision`` (the hit radii of the impact rules).
    country_names
        ISO3 -> name, for the selection's labels.
    prepared
        ``{layer name: layer_features(frame, spec)}`` computed earlier.
    chain
        The selected strike's impact chain as escaped HTML (``popups.impact_chain_html``),
        opened by a click on the selection ring.

    Returns
    -------
    folium.Map
        A new map.
    """
    if basemap not in BASEMAPS:
        msg = f"unknown basemap {basemap!r}; choose one of {', '.join(BASEMAPS)}"
        raise ValueError(msg)
    strikes = layers.get("strikes", gpd.GeoDataFrame({"id": []}, geometry=[], crs="EPSG:4326"))
    focus, focus_links, is_probe = _focus(strikes, links, view, selected, probe, probe_links)
    mode = resolve_strike_mode(strike_mode, len(strikes), marker_limit=marker_limit)
    start = initial_view(view, strikes, focus)
    fmap = base_map(layers, prepared=prepared, initial_view=start, eager_heat=mode == "heatmap")
    drawn = strikes_payload(strikes, view, mode=mode, regions=layers.get(REGIONS_LAYER))
    payload = view_overlay(
        layers,
        view,
        basemap=basemap,
        strikes_json=script_json(drawn),
        region_outlines=bool(drawn["regions"]),
        focus=focus,
        focus_links=focus_links,
        probe=is_probe,
        radius_m=radius_m,
        country_names=country_names,
        chain=chain,
    )
    fmap.add_child(Overlay(payload))
    return fmap


def view_overlay(
    layers: Mapping[str, gpd.GeoDataFrame],
    view: View,
    *,
    basemap: str,
    strikes_json: str,
    region_outlines: bool = False,
    focus: pd.Series | None = None,
    focus_links: pd.DataFrame | None = None,
    probe: bool = False,
    radius_m: Mapping[int, float] = UNCERTAINTY_RADIUS_M,
    country_names: Mapping[str, str] | None = None,
    assets: gpd.GeoDataFrame | None = None,
    snap_tolerance_m: float = SNAP_TOLERANCE_M,
    chain: str | None = None,
) -> str:
    """Return the overlay payload (JSON) of a view: basemap, strikes, legend, selection.

    ``strikes_json`` is ``script_json(strikes_payload(...))``, and ``region_outlines`` whether it
    draws some strikes as region outlines; ``focus`` is the selected strike (or the probe) and
    ``focus_links`` its links; ``chain``, escaped HTML, is the ring's popup.
    """
    selection = None
    if focus is not None:
        selection = selection_payload(
            focus,
            focus_links,
            layers,
            radius_m=radius_m,
            country_names=country_names,
            probe=probe,
            assets=assets,
            snap_tolerance_m=snap_tolerance_m,
        )
        selection["chain"] = chain
    legend = legend_sections(
        view.color_by, layers, selection=selection, region_outlines=region_outlines
    )
    return overlay_json(
        basemap=basemap, strikes_json=strikes_json, legend=legend, selection=selection
    )


def initial_view(
    view: View, strikes: gpd.GeoDataFrame, focus: pd.Series | None = None
) -> dict[str, object]:
    """Return where a map opens: on the selection, else the view's extent, else the strikes."""
    if focus is not None:
        return {"center": folium_location(focus.geometry), "zoom": SELECTED_ZOOM}
    if view.bbox is not None:
        west, south, east, north = view.bbox
    elif not strikes.empty:
        west, south, east, north = (float(v) for v in strikes.total_bounds)
    else:
        return {"center": None, "zoom": None}
    return {"bounds": [[south, west], [north, east]]}


def _focus(
    strikes: gpd.GeoDataFrame,
    links: pd.DataFrame,
    view: View,
    selected: str | None,
    probe: gpd.GeoDataFrame | None,
    probe_links: pd.DataFrame | None,
) -> tuple[pd.Series | None, pd.DataFrame | None, bool]:
    """Return the strike to highlight (the probe wins over a selection) and its links."""
    if probe is not None and not probe.empty:
        return probe.iloc[0], probe_links, True
    chosen = selected if selected is not None else view.selected
    if not chosen or strikes.empty:
        return None, None, False
    match = strikes[(strikes["id"] == chosen).to_numpy()]
    return (match.iloc[0], links, False) if not match.empty else (None, None, False)
