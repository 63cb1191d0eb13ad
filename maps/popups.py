"""Escaped HTML for popups, tooltips and the impact chain: text from data is never trusted.

Every value is passed through ``html.escape`` (quotes included); only ``http(s)`` sources become
links, with the URL escaped inside the attribute. The result is safe to hand to Leaflet's
``innerHTML`` and to ``st.markdown(..., unsafe_allow_html=True)``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from strikemap.geo.rules import ASSET_RELATIONS, RELATION_ORDER
from strikemap.layers.schema import (
    DATASET_SOURCE_PREFIX,
    GEO_PRECISION_LABELS,
    STRIKE_STATUS_LABELS,
    URL_PATTERN,
)

_TEMPLATE_CHARS = str.maketrans({"{": "&#123;", "}": "&#125;", "`": "&#96;"})
"""Braces and backticks as HTML entities: folium renders a map's scripts through Jinja twice, so
``{{`` in data would be read as a template, and backticks could end a JS template string."""


def text(value: object) -> str:
    """Return ``value`` as escaped text; missing values become an empty string.

    Besides ``& < > " '``, braces and backticks become entities; the browser shows them as the
    original characters.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(text(v) for v in value)
    return html.escape(str(value), quote=True).translate(_TEMPLATE_CHARS)


def source_link(source: str) -> str:
    """Return one source as an escaped link (URLs) or escaped text (``dataset:NAME`` and others)."""
    source = str(source).strip()
    if URL_PATTERN.match(source):
        href = text(source)
        label = text(_short_url(source))
        return f'<a href="{href}" target="_blank" rel="noopener noreferrer">{label}</a>'
    if source.startswith(DATASET_SOURCE_PREFIX):
        return text(source[len(DATASET_SOURCE_PREFIX) :].strip())
    return text(source)


def _short_url(url: str) -> str:
    host_and_path = url.split("://", 1)[-1]
    host = host_and_path.split("/", 1)[0]
    return host.removeprefix("www.")


def sources_html(sources: Iterable[str] | None) -> str:
    """Return the sources as a comma-separated run of links."""
    return ", ".join(source_link(s) for s in (sources or []) if str(s).strip())


def _rows(pairs: Sequence[tuple[str, object]]) -> str:
    cells = [
        f"<tr><th>{text(label)}</th><td>{value}</td></tr>"
        for label, value in pairs
        if value not in ("", None)
    ]
    return "<table class='strikemap-popup'>" + "".join(cells) + "</table>"


def strike_popup(row: Mapping[str, object]) -> str:
    """Return the popup HTML of one strike: date, place, target, consequences, sources."""
    precision = row.get("geo_precision")
    where = text(row.get("place") or row.get("admin1"))
    date = text(row.get("date"))
    if row.get("date_precision") not in (None, "day"):
        date += f" ({text(row.get('date_precision'))})"
    weapon = text(row.get("weapon"))
    if row.get("weapon_detail"):
        weapon += f": {text(row.get('weapon_detail'))}"
    pairs = [
        ("Status", _status_words(row.get("status"))),
        ("Date", date),
        ("Place", where),
        ("Location", text(GEO_PRECISION_LABELS.get(_as_int(precision), ""))),
        ("Target", text(row.get("target_type"))),
        ("Weapon", weapon),
        ("Consequences", text(row.get("consequences"))),
        ("Description", text(row.get("description"))),
        ("Sources", sources_html(_as_list(row.get("sources")))),
    ]
    return f"<b>{text(row.get('name'))}</b>{_rows(pairs)}"


def _status_words(status: object) -> str:
    """Say what a strike's status means, except for confirmed strikes (the usual case)."""
    if status is None or status == "confirmed" or (isinstance(status, float) and pd.isna(status)):
        return ""
    return text(STRIKE_STATUS_LABELS.get(str(status), status))


def asset_popup(row: Mapping[str, object]) -> str:
    """Return the popup HTML of one asset (pipeline, power line, facility, fuel station)."""
    pairs = [
        ("Type", text(str(row.get("asset_type") or "").replace("_", " "))),
        ("Brand", text(row.get("brand"))),
        ("Operator", text(row.get("operator"))),
        ("Owner country", text(row.get("owner_country"))),
        ("Status", text(row.get("status"))),
        ("Route", text(row.get("route_accuracy"))),
        ("Notes", text(row.get("notes"))),
        ("Sources", sources_html(_as_list(row.get("sources")))),
    ]
    return f"<b>{text(row.get('name'))}</b>{_rows(pairs)}"


def _as_int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _as_list(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]  # type: ignore[union-attr]


def escape_frame(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    """Return ``frame[columns]`` with every value as escaped text (for tooltips and tables)."""
    return pd.DataFrame({c: [text(v) for v in frame[c]] for c in columns}, index=frame.index)


# --------------------------------------------------------------------------------------------
# The impact chain


def _distance(value: object) -> str:
    if value is None or pd.isna(value):
        return ""
    metres = float(value)
    return f"{metres / 1000:.1f} km" if metres >= 1000 else f"{metres:.0f} m"


def _link_line(link: Mapping[str, object], *, what: str) -> str:
    parts = [f"<b>{what}</b>", f"<i>{text(link.get('relation'))}</i>"]
    distance = _distance(link.get("distance_m"))
    if distance:
        parts.append(distance)
    parts.append(f"confidence {text(link.get('confidence'))}")
    line = " · ".join(parts)
    if link.get("detail"):
        line += f"<br><span class='why'>{text(link.get('detail'))}</span>"
    return f"<li>{line}</li>"


def impact_chain_html(
    strike: Mapping[str, object],
    links: pd.DataFrame,
    *,
    asset_names: Mapping[str, str] | None = None,
    asset_sources: Mapping[str, Sequence[str]] | None = None,
    country_names: Mapping[str, str] | None = None,
) -> str:
    """Return the strike -> assets -> countries chain as an escaped, readable nested list.

    Parameters
    ----------
    strike
        The strike's properties (``name``, ``date``, ``place``, ``sources``, ...).
    links
        The strike's rows of the impact table.
    asset_names, asset_sources, country_names
        Lookups to show names and sources instead of bare ids and codes.
    """
    asset_names = asset_names or {}
    asset_sources = asset_sources or {}
    country_names = country_names or {}
    head = (
        f"<p><b>{text(strike.get('name'))}</b> · {text(strike.get('date'))}"
        f" · {text(strike.get('place') or strike.get('admin1'))}<br>"
        f"Sources: {sources_html(_as_list(strike.get('sources'))) or 'none'}</p>"
    )
    if links.empty:
        return head + "<p>No linked assets or countries under the current rules and filters.</p>"

    def country(code: object) -> str:
        name = country_names.get(str(code))
        return text(f"{name} ({code})" if name else code)

    asset_links = links[links["relation"].isin(ASSET_RELATIONS)]
    has_asset = links["asset_id"].fillna("").astype(str) != ""
    items = []
    for asset_id, group in asset_links.groupby("asset_id", sort=False):
        first = group.iloc[0].to_dict()
        label = text(asset_names.get(str(asset_id), asset_id))
        item = _link_line(first, what=label)
        sources = sources_html(asset_sources.get(str(asset_id), []))
        through = links[(links["asset_id"] == asset_id) & ~links["relation"].isin(ASSET_RELATIONS)]
        sub = [_link_line(r, what=country(r["country"])) for r in _ordered(through)]
        if sources:
            sub.append(f"<li>Asset sources: {sources}</li>")
        if sub:
            item = item[: -len("</li>")] + "<ul>" + "".join(sub) + "</ul></li>"
        items.append(item)
    direct = links[~has_asset.to_numpy()]
    items += [_link_line(r, what=country(r["country"])) for r in _ordered(direct)]
    return head + "<ul class='impact-chain'>" + "".join(items) + "</ul>"


def _ordered(links: pd.DataFrame) -> list[dict[str, object]]:
    rank = {r: i for i, r in enumerate(RELATION_ORDER)}
    keyed = links.assign(_rank=links["relation"].map(rank).fillna(len(rank)))
    return keyed.sort_values(["_rank", "country"], kind="stable").to_dict(orient="records")
