"""Serve the map's JavaScript and CSS from installed packages instead of public CDNs.

folium lists the libraries a map needs in each element's ``default_js`` / ``default_css``
(name, CDN URL); the live map's runtime lists those it loads on first use in ``lazy_js``.
``localise_assets`` rewrites those lists to URLs under a local prefix, and
``install_static_assets`` copies the files from the installed ``xstatic`` packages (and folium's
own bundled Leaflet.heat) into a folder that the app serves (Streamlit's ``static/`` folder).
Copies are made at run time into a folder outside the source tree; no library is committed.
"""

from __future__ import annotations

import importlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import folium
from branca.element import Element

log = logging.getLogger(__name__)

VENDOR_DIR = "vendor"
"""Sub-folder of the static folder that holds the copied libraries."""


@dataclass(frozen=True)
class Asset:
    """One file a map may load: where it comes from and where it is served.

    Parameters
    ----------
    package
        Import path of the package whose folder holds the file (an xstatic package or folium).
    folder
        Folder inside the package (``data`` for xstatic packages).
    path
        File path inside ``folder``; it is served at ``<prefix>/<package key>/<path>``.
    key
        Short folder name under the served prefix.
    extra
        Folders inside ``folder`` that the file refers to (fonts, images), copied along.
    """

    package: str
    folder: str
    path: str
    key: str
    extra: tuple[str, ...] = ()


LEAFLET_JS = Asset("xstatic.pkg.leaflet", "data", "leaflet.js", "leaflet")
LEAFLET_CSS = Asset("xstatic.pkg.leaflet", "data", "leaflet.css", "leaflet", ("images",))
JQUERY_JS = Asset("xstatic.pkg.jquery", "data", "jquery.min.js", "jquery")
BOOTSTRAP_JS = Asset("xstatic.pkg.bootstrap", "data", "js/bootstrap.bundle.min.js", "bootstrap")
BOOTSTRAP_CSS = Asset("xstatic.pkg.bootstrap", "data", "css/bootstrap.min.css", "bootstrap")
FONT_AWESOME_CSS = Asset(
    "xstatic.pkg.font_awesome", "data", "css/all.min.css", "font_awesome", ("webfonts",)
)
MARKERCLUSTER_JS = Asset(
    "xstatic.pkg.leaflet_markercluster", "data", "leaflet.markercluster.js", "markercluster"
)
MARKERCLUSTER_CSS = Asset(
    "xstatic.pkg.leaflet_markercluster", "data", "MarkerCluster.css", "markercluster"
)
MARKERCLUSTER_DEFAULT_CSS = Asset(
    "xstatic.pkg.leaflet_markercluster", "data", "MarkerCluster.Default.css", "markercluster"
)
LEAFLET_HEAT_JS = Asset("folium", "templates", "leaflet_heat.min.js", "leaflet_heat")

LOCAL_ASSETS: dict[str, Asset | None] = {
    # folium.Map
    "leaflet": LEAFLET_JS,
    "jquery": JQUERY_JS,
    "bootstrap": BOOTSTRAP_JS,
    "awesome_markers": None,
    "leaflet_css": LEAFLET_CSS,
    "bootstrap_css": BOOTSTRAP_CSS,
    "glyphicons_css": None,
    "awesome_markers_font_css": FONT_AWESOME_CSS,
    "awesome_markers_css": None,
    "awesome_rotate_css": None,
    # plugins.MarkerCluster / FastMarkerCluster
    "markerclusterjs": MARKERCLUSTER_JS,
    "markerclustercss": MARKERCLUSTER_CSS,
    "markerclusterdefaultcss": MARKERCLUSTER_DEFAULT_CSS,
    # plugins.HeatMap
    "leaflet-heat.js": LEAFLET_HEAT_JS,
}
"""folium resource name -> local asset; ``None`` drops a resource strikemap maps never use
(Leaflet.awesome-markers and glyphicons: the maps draw circle markers only)."""

UNUSED_BY_STRIKEMAP = frozenset(
    {"jquery", "bootstrap", "bootstrap_css", "awesome_markers_font_css"}
)
"""Libraries folium lists for every map that strikemap's maps do not call: no jQuery AJAX
(GeoJSON is embedded), no Bootstrap widgets, no icon fonts (circle markers only). Leaving them
out saves four sequential requests before the map can draw."""


def asset_source(asset: Asset) -> Path:
    """Return the installed file behind ``asset``."""
    module = importlib.import_module(asset.package)
    return Path(module.__file__).resolve().parent / asset.folder / asset.path


def asset_url(asset: Asset, prefix: str) -> str:
    """Return the URL of ``asset`` under ``prefix`` (no trailing slash needed)."""
    return f"{prefix.rstrip('/')}/{asset.key}/{asset.path}"


def walk_elements(root: Element) -> Iterator[Element]:
    """Yield ``root`` and every element below it, depth first in drawing order."""
    yield root
    for child in getattr(root, "_children", {}).values():
        yield from walk_elements(child)


def localise_assets(fmap: folium.Map, prefix: str, *, minimal: bool = True) -> folium.Map:
    """Point every library the map loads at ``prefix`` instead of a CDN.

    Parameters
    ----------
    fmap
        The map; changed in place (instance attributes, folium's classes stay untouched).
    prefix
        URL prefix the files are served under, e.g. ``app/static/vendor`` in Streamlit.
    minimal
        Leave out ``UNUSED_BY_STRIKEMAP`` (pass ``False`` for maps with Bootstrap popups or
        Font Awesome icons).

    Returns
    -------
    folium.Map
        The same map, for chaining.

    Notes
    -----
    A resource folium adds in a future version and this module does not know stays on its CDN
    URL and is logged as a warning, so a missing offline file is visible rather than silent.
    """
    for element in walk_elements(fmap):
        for attribute in ("default_js", "default_css", "lazy_js"):
            resources = getattr(element, attribute, None)
            if resources:
                setattr(element, attribute, _localised(resources, prefix, minimal=minimal))
    return fmap


def _localised(
    resources: list[tuple[str, str]], prefix: str, *, minimal: bool
) -> list[tuple[str, str]]:
    out = []
    for name, url in resources:
        if minimal and name in UNUSED_BY_STRIKEMAP:
            continue
        if name not in LOCAL_ASSETS:
            log.warning("no local copy of %s (%s); it loads from the CDN", name, url)
            out.append((name, url))
        elif (asset := LOCAL_ASSETS[name]) is not None:
            out.append((name, asset_url(asset, prefix)))
    return out


def _files_to_copy() -> dict[Path, Path]:
    """Map ``source file -> destination relative to the vendor folder`` for every asset."""
    files: dict[Path, Path] = {}
    for asset in {a for a in LOCAL_ASSETS.values() if a is not None}:
        source = asset_source(asset)
        files[source] = Path(asset.key, asset.path)
        root = source.parents[len(Path(asset.path).parts) - 1]
        for folder in asset.extra:
            for extra_file in sorted((root / folder).glob("*")):
                files[extra_file] = Path(asset.key, folder, extra_file.name)
    return files


def install_static_assets(static_dir: Path) -> Path:
    """Copy the map libraries into ``static_dir/vendor`` (only files that changed).

    Parameters
    ----------
    static_dir
        The folder the web server serves (Streamlit: ``static/`` beside ``app.py``).

    Returns
    -------
    Path
        The vendor folder.

    Notes
    -----
    Each file is written to a temporary name and renamed, so two app sessions starting at once
    never serve a half-written file.
    """
    vendor = static_dir / VENDOR_DIR
    for source, relative in _files_to_copy().items():
        target = vendor / relative
        if target.exists() and target.stat().st_size == source.stat().st_size:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        os.close(fd)
        shutil.copyfile(source, tmp)
        Path(tmp).replace(target)
        log.info("copied %s -> %s", source, target)
    return vendor
