"""A folium map as the parts an embedding frontend loads: libraries, header, script.

streamlit-folium's frontend (the app's map component) takes a map as its library links, its
header (styles), its HTML and one script that creates ``map_div``. ``embed_parts`` renders the
map once into those parts, so the app can keep them and send them again unchanged; nothing here
imports Streamlit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import folium

from strikemap.maps.offline import walk_elements

MAP_ID = "div"
"""The base map's folium id: its variable and element are ``map_div``, as the frontend expects."""
_SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc=[\"'][^\"']*[\"'][^>]*>.*?</script\s*>", re.I | re.S)
_STYLESHEET = re.compile(r'<link rel="stylesheet" href="[^"]*"\s*/?>', re.I)
_MAP_DIV = re.compile(r'<div class="folium-map" id="map_div"\s*>\s*</div>')


@dataclass(frozen=True)
class EmbedParts:
    """A rendered map: what the frontend needs to show it (and nothing of the page around)."""

    script: str
    header: str
    html: str
    js_links: tuple[str, ...]
    css_links: tuple[str, ...]


def embed_parts(fmap: folium.Map) -> EmbedParts:
    """Render ``fmap`` once into the parts an embedding frontend loads.

    The map is renamed ``map_div`` first (``MAP_ID``), and its libraries (``default_js``,
    ``default_css`` of every element, as ``maps.offline.localise_assets`` left them) are listed
    apart instead of as tags in the header.
    """
    fmap._id = MAP_ID
    figure = fmap.get_root()
    figure.render()
    header = _SCRIPT_SRC.sub("", figure.header.render())
    header = _STYLESHEET.sub("", header)
    html = _MAP_DIV.sub("", figure.html.render()).strip()
    js_links: dict[str, None] = {}
    css_links: dict[str, None] = {}
    for element in walk_elements(fmap):
        js_links.update((url, None) for _, url in getattr(element, "default_js", []))
        css_links.update((url, None) for _, url in getattr(element, "default_css", []))
    return EmbedParts(
        script=figure.script.render(),
        header=header,
        html=html,
        js_links=tuple(js_links),
        css_links=tuple(css_links),
    )
