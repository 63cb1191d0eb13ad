"""Escaped HTML for popups, tooltips and the impact chain: text from data is never trusted.

Every value is passed through ``html.escape`` (quotes included); only ``http(s)`` sources become
links, with the URL escaped inside the attribute. The result is safe to hand to Leaflet's
``innerHTML`` and to ``st.markdown(..., unsafe_allow_html=True)``.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from strikemap.geo.chain import ChainAsset, ChainCountry, StrikeChain, place_name, strike_chain
from strikemap.geo.detail import LinkExplainer
from strikemap.geo.wording import format_distance
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
    where = text(place_name(row))
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

MAX_OPEN_ASSETS = 3
"""Asset lines shown open; the nearby ones beyond them fold into a ``<details>`` element."""


def impact_chain_html(
    strike: Mapping[str, object],
    links: pd.DataFrame,
    explainer: LinkExplainer,
    *,
    asset_sources: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """Return a strike's impact chain (``geo.chain.strike_chain``) as escaped HTML.

    Parameters
    ----------
    strike
        The strike's properties (``name``, ``date``, ``place``, ``sources``, ...).
    links
        The strike's rows of the impact table.
    explainer
        The ``LinkExplainer`` of the rules the links were made with.
    asset_sources
        ``{asset id: sources}`` to cite under each asset.
    """
    chain = strike_chain(strike, links, explainer)
    return chain_html(chain, sources=_as_list(strike.get("sources")), asset_sources=asset_sources)


def chain_html(
    chain: StrikeChain,
    *,
    sources: Sequence[str] = (),
    asset_sources: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """Return the chain as an analyst's note: one line per asset, then its countries together.

    Targets come first and stay open; when more than ``MAX_OPEN_ASSETS`` assets are linked,
    the nearby ones fold into a ``<details>`` element. Every text is escaped.
    """
    asset_sources = asset_sources or {}
    where = ", ".join(p for p in (text(chain.place), text(chain.known_to)) if p)
    head = (
        f"<p><b>{text(chain.name)}</b> · {text(chain.date)}<br>{where}<br>"
        f"Sources: {sources_html(sources) or 'none'}</p>"
    )
    if not chain.assets and not chain.direct:
        return head + "<p>No linked assets or countries under the current rules and filters.</p>"
    lines = [_asset_html(a, asset_sources.get(a.asset_id, ())) for a in chain.assets]
    open_count = max(len(chain.targets), min(len(lines), MAX_OPEN_ASSETS))
    if len(lines) > open_count:
        folded = lines[open_count:]
        lines = lines[:open_count]
        summary = (
            f"{len(folded)} more asset{'s' if len(folded) > 1 else ''} nearby (low confidence)"
        )
        lines.append(
            f"<li><details><summary>{text(summary)}</summary>"
            f"<ul class='impact-chain-more'>{''.join(folded)}</ul></details></li>"
        )
    lines += [_country_html(c) for c in chain.direct]
    return head + "<ul class='impact-chain'>" + "".join(lines) + "</ul>"


def _facts(relation: str, distance_m: float, confidence: str) -> str:
    parts = [f"<i>{text(relation)}</i>"]
    if relation != "location" or distance_m > 0:
        parts.append(text(format_distance(distance_m)))
    parts.append(f"confidence {text(confidence)}")
    return " · ".join(parts)


def _asset_html(asset: ChainAsset, sources: Sequence[str]) -> str:
    line = (
        f"<b>{text(asset.name)}</b> · {_facts(asset.relation, asset.distance_m, asset.confidence)}"
        f"<br><span class='why'>{text(asset.why)}</span>"
    )
    countries = [f"<li>{text(group.text)}</li>" for group in asset.countries]
    cited = sources_html(_as_list(list(sources)))
    if cited:
        countries.append(f"<li class='sources'>Asset sources: {cited}</li>")
    if countries:
        line += "<ul>" + "".join(countries) + "</ul>"
    return f"<li>{line}</li>"


def _country_html(country: ChainCountry) -> str:
    facts = _facts(country.relation, country.distance_m, country.confidence)
    return (
        f"<li><b>{text(country.name)}</b> · {facts}"
        f"<br><span class='why'>{text(country.why)}</span></li>"
    )
