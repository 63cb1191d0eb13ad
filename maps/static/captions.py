"""Words on a briefing map: time window, filters, publishers, footer; and wrapping them."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Mapping
from urllib.parse import urlsplit

import geopandas as gpd
import pandas as pd

from strikemap.analysis.view import View
from strikemap.layers.schema import DATASET_SOURCE_PREFIX, REPORTED_STATUSES

MAX_FOOTER_PUBLISHERS = 80
"""Publishers named in the footer at most (the most cited); the rest are counted."""
CHAR_WIDTH_EM = 0.56
"""Average character width of DejaVu Sans, in ems, for wrapping text to a width in inches."""


def wrap_text(text: str, *, width_in: float, fontsize: float) -> list[str]:
    """Wrap ``text`` into lines that fit ``width_in`` inches at ``fontsize`` points."""
    chars = max(20, int(width_in * 72 / (fontsize * CHAR_WIDTH_EM)))
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += textwrap.wrap(paragraph, chars, break_on_hyphens=False) or [""]
    return lines


def day_text(value: dt.date | pd.Timestamp) -> str:
    """Return a date as ``6 Aug 2025``."""
    return f"{value.day} {value:%b %Y}"


def time_window_text(view: View, strikes: gpd.GeoDataFrame) -> str:
    """Return the time window in words, e.g. ``1 Aug 2025 – 31 Dec 2025``."""
    if view.date_from or view.date_to:
        start = day_text(view.date_from) if view.date_from else "start of data"
        end = day_text(view.date_to) if view.date_to else "data cut-off"
        return f"{start} – {end}"
    dates = pd.to_datetime(strikes["date"], errors="coerce").dropna()
    if dates.empty:
        return "All dates"
    return f"All dates ({day_text(dates.min())} – {day_text(dates.max())})"


def filters_text(view: View, *, country_names: Mapping[str, str] | None = None) -> list[str]:
    """Return the view's filters in words, one phrase per active filter."""
    names = country_names or {}
    words = []
    if view.weapons:
        words.append("weapons: " + ", ".join(w.replace("_", " ") for w in view.weapons))
    if view.precisions:
        words.append("location precision: " + ", ".join(map(str, sorted(view.precisions))))
    if view.countries:
        words.append("linked to " + ", ".join(names.get(c, c) for c in view.countries))
    if view.asset_types:
        words.append("asset types: " + ", ".join(t.replace("_", " ") for t in view.asset_types))
    if view.relations:
        words.append("relations: " + ", ".join(view.relations))
    if view.min_confidence != "low":
        words.append(f"links of {view.min_confidence} confidence or more")
    if not view.include_reported:
        words.append("unconfirmed and disputed strikes left out")
    if view.include_context:
        words.append("context events included")
    if view.include_candidates:
        words.append("unconfirmed candidates included")
    return words


def count_text(view: View, strikes: gpd.GeoDataFrame) -> str:
    """Return the number of strikes shown, with the unconfirmed and disputed ones counted apart.

    ``3 confirmed strikes`` when the view shows confirmed strikes only (or nothing else is
    shown), else e.g. ``4 strikes (1 unconfirmed)``.
    """
    count = len(strikes)
    noun = "strike" if count == 1 else "strikes"
    statuses = strikes["status"] if "status" in strikes.columns else pd.Series(dtype=object)
    marked = [
        f"{n} {status}" for status in REPORTED_STATUSES if (n := int(statuses.eq(status).sum()))
    ]
    only_confirmed = set(view.statuses) <= {"confirmed", *REPORTED_STATUSES}
    if only_confirmed and not marked:
        return f"{count} confirmed {noun}"
    return f"{count} {noun}" + (f" ({', '.join(marked)})" if marked else "")


def subtitle_text(view: View, strikes: gpd.GeoDataFrame, *, countries: gpd.GeoDataFrame) -> str:
    """Return the time window, counts and filters in one line of words."""
    names = {}
    if not countries.empty and "iso3" in countries.columns:
        names = dict(zip(countries["iso3"], countries["name"], strict=False))
    parts = [time_window_text(view, strikes), count_text(view, strikes)]
    parts += filters_text(view, country_names=names)
    parts.append(f"coloured by {view.color_by}")
    return " · ".join(parts)


def publishers(strikes: gpd.GeoDataFrame, *, limit: int | None = None) -> list[str]:
    """Distinct publishers of the strikes' sources: URL hostnames (no ``www.``), dataset names.

    Sorted alphabetically. With ``limit``, only the ``limit`` most cited publishers are kept.
    """
    if strikes.empty or "sources" not in strikes.columns:
        return []
    sources = strikes["sources"].explode().dropna().astype(str).str.strip()
    is_dataset = sources.str.startswith(DATASET_SOURCE_PREFIX)
    datasets = sources[is_dataset].str.slice(len(DATASET_SOURCE_PREFIX)).str.strip()
    urls = sources[~is_dataset]
    unique_urls = pd.unique(urls)
    hosts = dict(zip(unique_urls, (_hostname(url) for url in unique_urls), strict=True))
    names = pd.concat([urls.map(hosts).str.removeprefix("www."), datasets])
    counts = names[names.astype(bool)].value_counts()
    if limit is not None:
        counts = counts.sort_index(key=lambda i: i.str.lower()).sort_values(
            ascending=False, kind="stable"
        )[:limit]
    return sorted(counts.index, key=str.lower)


def source_publisher(source: str) -> str:
    """Return who published one source: a URL's host without ``www.``, or a dataset's name."""
    source = str(source).strip()
    if source.startswith(DATASET_SOURCE_PREFIX):
        return source[len(DATASET_SOURCE_PREFIX) :].strip()
    return _hostname(source).removeprefix("www.") or source


def _hostname(url: str) -> str:
    host = urlsplit(url).hostname or ""
    try:
        return host.encode("ascii").decode("idna")  # xn--... to Unicode
    except UnicodeError:
        return host


def footer_text(
    strikes: gpd.GeoDataFrame, *, cutoff: dt.date | None, basemap: str, tile_provider: str
) -> str:
    """Return the footer: data cut-off, publishers of ``strikes``, attributions, projection."""
    cutoff_text = day_text(cutoff) if cutoff else "no strikes in the data"
    shown = publishers(strikes, limit=MAX_FOOTER_PUBLISHERS)
    sources = ", ".join(shown) or "none (no strikes shown)"
    hidden = len(publishers(strikes)) - len(shown)
    if hidden:
        sources += f" and {hidden} more (all in the table export)"
    parts = [
        f"Data cut-off: {cutoff_text} (latest strike in the data).",
        f"Sources: {sources}.",
        "Boundaries: Natural Earth.",
    ]
    if basemap == "tiles":
        parts.append(f"Basemap tiles: {_tile_attribution(tile_provider)}.")
    parts.append(
        "Lambert azimuthal equal-area projection centred on the map; scale bar true at the "
        "centre. Strike positions are often town or region centroids (see location precision). "
        "Made with strikemap."
    )
    return " ".join(parts)


def _tile_attribution(provider_name: str) -> str:
    try:
        import xyzservices

        return xyzservices.providers.query_name(provider_name).get("attribution", provider_name)
    except (ImportError, ValueError):
        return provider_name
