"""Importers: outside formats (ACLED, OpenStreetMap, NASA FIRMS, GEM) -> incoming layer rows."""

from __future__ import annotations

from collections.abc import Callable

from strikemap.layers.importers.acled import parse_acled
from strikemap.layers.importers.common import ImportFileError, ParsedImport, Progress, Rejected
from strikemap.layers.importers.firms import parse_firms
from strikemap.layers.importers.gem import parse_gem
from strikemap.layers.importers.osm import parse_osm

IMPORTERS: dict[str, Callable[..., ParsedImport]] = {
    "acled": parse_acled,
    "osm": parse_osm,
    "firms": parse_firms,
    "gem": parse_gem,
}
"""Import kind (the CLI's ``strikemap import KIND``) -> parser."""

__all__ = [
    "IMPORTERS",
    "ImportFileError",
    "ParsedImport",
    "Progress",
    "Rejected",
    "parse_acled",
    "parse_firms",
    "parse_gem",
    "parse_osm",
]
