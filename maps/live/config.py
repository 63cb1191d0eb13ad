"""Constants of the live map: basemaps, strike modes and limits, zooms, panes, layer roles."""

from __future__ import annotations

from typing import Literal

StrikeMode = Literal["auto", "markers", "cluster", "heatmap"]
STRIKE_MODES: tuple[str, ...] = ("auto", "markers", "cluster", "heatmap")
MARKER_LIMIT = 2_000
"""Above this many strikes, ``auto`` mode clusters them (markers spread over a wider radius)."""
NAMES_LIMIT = 5_000
"""Up to this many strikes, tooltips name each strike (above it, date, weapon and precision:
the names alone would be megabytes)."""
POPUP_LIMIT = 1_000
"""Up to this many strikes, each carries its popup (date, place, sources); the impact chain in
the app shows the same for the selected strike."""

OFFLINE_BASEMAP = "Offline (countries)"
BASEMAPS: dict[str, str | None] = {
    OFFLINE_BASEMAP: None,
    "OpenStreetMap": "OpenStreetMap.Mapnik",
    "Esri World Gray Canvas": "Esri.WorldGrayCanvas",
    "OpenTopoMap": "OpenTopoMap",
}
"""Basemap label -> xyzservices provider (``None``: drawn from the countries layer, no network)."""

UNCERTAINTY_RADIUS_M: dict[int, float] = {0: 500.0, 1: 3_000.0, 2: 10_000.0, 3: 25_000.0}
"""Radius of the uncertainty circle by ``geo_precision`` (the impact rules' hit radii; a
precision-3 strike has no hit radius, so its circle shows the region scale instead)."""

COORD_GRID_DEG = 1e-5
"""Coordinates of catalogue layers sent to the browser are snapped to this grid (about 1 m)."""
COUNTRY_SIMPLIFY_DEG = 0.005
COUNTRY_GRID_DEG = 1e-3
"""Country and region outlines are simplified to about 500 m and snapped to about 100 m: enough
at the region's scale (a pixel is 1 km at zoom 7, 75 m at zoom 11), and about a sixth of Natural
Earth's bytes."""

DEFAULT_CENTER = (46.3, 30.0)
DEFAULT_ZOOM = 7
MIN_ZOOM = 4
MAX_ZOOM = 18
"""Zoom limits; the cluster group of strikes needs a maxZoom, which the offline basemap lacks."""
SELECTED_ZOOM = 9
"""Zoom of a map opened on a selected strike (without a view in the URL)."""

LAND_PANE = "basemap"
LAND_PANE_Z = 200
STRIKE_PANE = "strikes"
STRIKE_PANE_Z = 450
"""Strikes sit above the other overlays (400), including the selection's lines and outlines, so a
click on a strike always reaches it; labels (430) sit under them, popups and tooltips above."""

PROBE_ID = "probe-what-if"
"""Id of the hypothetical strike placed by the what-if probe."""
STRIKE_CLASS = "strikemap-strike"
"""CSS class of every strike marker (browser tests and styling find strikes by it)."""

COUNTRIES_LAYER = "countries"
PLACES_LAYER = "places"
REGIONS_LAYER = "regions"
PIPELINES_LAYER = "pipelines"
"""Layers with a role on the map: countries are the offline basemap and the selection's
outlines, places become labels, regions are where precision-3 strikes are drawn, pipelines carry
supply routes. Any other catalogue layer is drawn from its LayerSpec alone."""

LIVE_WIDTH_SCALE = 1.9
"""Line widths on screen: the catalogue's (briefing map) widths times this."""
LIVE_RADIUS_SCALE = 0.8
"""Point radius on screen (pixels): the catalogue's marker size times this."""
