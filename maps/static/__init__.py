"""Static briefing maps (PNG, PDF, SVG) with matplotlib, from the same view and styles as the app.

The entry point is :func:`render_static_map`. The map is drawn in a Lambert azimuthal equal-area
projection centred on the extent, on an offline basemap drawn from the ``countries`` layer (or
online tiles when asked and available), with a title, a subtitle that states the time window and
filters in words, a legend and a locator inset beside the map (never over the strikes), a scale
bar, a north arrow, non-overlapping place labels and a footer with the data cut-off date, the
publishers of the strikes shown and the sources' attribution.

One module per drawing step: ``options`` (formats, pages, fonts), ``render`` (the entry point),
``layout`` (page boxes, extent, projection), ``basemap``, ``data`` (assets, links, strikes),
``annotate`` (labels placed by ``labels``), ``furniture`` (scale bar, north arrow, titles,
footer), ``legend``, ``locator`` and ``captions`` (the texts).
"""

from strikemap.maps.static.layout import map_projection, page_boxes
from strikemap.maps.static.options import (
    BASEMAPS,
    DEFAULT_TITLE,
    FORMATS,
    PAGES,
    RC_PARAMS,
    ExportResult,
    Page,
    check_options,
)
from strikemap.maps.static.render import build_figure, figure_bytes, render_static_map
from strikemap.maps.static.selection import select_view

__all__ = [
    "BASEMAPS",
    "DEFAULT_TITLE",
    "FORMATS",
    "PAGES",
    "RC_PARAMS",
    "ExportResult",
    "Page",
    "build_figure",
    "check_options",
    "figure_bytes",
    "map_projection",
    "page_boxes",
    "render_static_map",
    "select_view",
]
