"""What the app's panels show, computed without Streamlit: headline, tables, timeline, clicks.

``app.py`` only wires widgets to these functions, so each can be tested on tiny frames.
"""

from __future__ import annotations

import datetime as dt
import io
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

import altair as alt
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from strikemap.analysis import Analysis, analyse
from strikemap.geo.rules import AFFECTED_CONFIDENCES
from strikemap.geo.summaries import COUNTRY_SUMMARY_COLUMNS, country_summary
from strikemap.layers.catalog import CATALOG, STRIKES
from strikemap.layers.io import empty_layer
from strikemap.layers.paths import resolve_data_dir
from strikemap.layers.schema import RELATIONS_TABLE
from strikemap.maps import style
from strikemap.maps.live import PROBE_ID
from strikemap.maps.static import render_static_map
from strikemap.reports import report_bytes

COUNTRY_CODES_FILE = "country_codes.csv"
PROBE_NAME = "What-if strike"
MAX_SELECT_OPTIONS = 2_000
"""Strikes offered in the picker (newest first); more would slow every rerun."""
STATIC_DPI = 200
_DRAWING = threading.Lock()


def data_fingerprint(data_dir: str | Path | None = None) -> tuple[tuple[str, float], ...]:
    """Return ``(file name, modification time)`` of every data file: the cache key of the app."""
    folder = resolve_data_dir(data_dir)
    names = [spec.file for spec in CATALOG] + [RELATIONS_TABLE.file, COUNTRY_CODES_FILE]
    return tuple(
        (name, (folder / name).stat().st_mtime if (folder / name).exists() else -1.0)
        for name in names
    )


def headline(
    strikes: pd.DataFrame, links: pd.DataFrame, summary: pd.DataFrame | None = None
) -> dict[str, int]:
    """Return the headline numbers: strikes, assets hit or threatened, countries, links.

    ``countries_affected`` counts the countries some strike reaches at high or medium
    confidence, ``countries_exposed`` those reached only at low confidence by every strike
    (``geo.rules.TIERS``); ``summary`` is ``geo.summaries.country_summary`` of the same links
    when the caller has it.
    """
    if summary is None:
        summary = country_summary(links, strikes)
    asset_ids = links["asset_id"].astype(object).fillna("").astype(str)
    affected = summary["affected"].astype(int) > 0
    return {
        "strikes": len(strikes),
        "assets": int(asset_ids[asset_ids != ""].nunique()),
        "countries_affected": int(affected.sum()),
        "countries_exposed": int((~affected & (summary["exposed"].astype(int) > 0)).sum()),
        "links": len(links),
    }


COUNTRY_TABLE_COLUMNS: tuple[str, ...] = tuple(c for c in COUNTRY_SUMMARY_COLUMNS if c != "country")
"""The summary columns the app's country table shows (the country is its index)."""


def country_table(
    links: pd.DataFrame,
    strikes: pd.DataFrame,
    *,
    country_names: Mapping[str, str] | None = None,
    summary: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Return ``geo.summaries.country_summary`` for display: indexed by country, plain headers.

    One row per country, affected ones first: strikes that affect it (high or medium
    confidence), strikes that only expose it (low), each strike counted once in its strongest
    tier, the relations behind each, first and last date.
    """
    if summary is None:
        summary = country_summary(links, strikes, country_names=country_names)
    table = summary.set_index("country")[list(COUNTRY_TABLE_COLUMNS)]
    table.columns = [c.replace("_", " ") for c in table.columns]
    return table


def _plain(links: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Return ``links[columns]`` as plain object columns (the join may hand back categoricals)."""
    return pd.DataFrame({c: links[c].astype(object).to_numpy() for c in columns}, index=links.index)


def probe_strike(
    lat: float, lon: float, *, precision: int, date: dt.date, weapon: str = "unknown"
) -> gpd.GeoDataFrame:
    """Return a one-row strikes frame for a hypothetical strike (never written anywhere)."""
    frame = empty_layer(STRIKES)
    row = dict.fromkeys(STRIKES.field_names)
    row.update(
        id=PROBE_ID,
        name=PROBE_NAME,
        sources=[],
        geo_precision=int(precision),
        date=date.isoformat(),
        date_precision="day",
        weapon=weapon,
        target_ids=[],
        reported_countries=[],
        status="confirmed",
        place=f"{lat:.4f} N, {lon:.4f} E",
    )
    probe = gpd.GeoDataFrame([row], geometry=[shapely.Point(lon, lat)], crs=frame.crs)
    return probe[list(frame.columns)]


def asset_lookup(assets: pd.DataFrame, column: str) -> dict[str, object]:
    """Return ``{asset id: value of column}`` (names, types, sources) for the panels."""
    if assets.empty:
        return {}
    return dict(zip(assets["id"].astype(str), assets[column], strict=True))


def strike_options(
    strikes: pd.DataFrame, current: str = "", *, limit: int = MAX_SELECT_OPTIONS
) -> list[str]:
    """Return the strike picker's ids: none, then the newest ``limit`` shown, then ``current``.

    The current selection stays an option when filters hide it or it is older than the limit.
    """
    ordered = strikes.sort_values("date", ascending=False, kind="stable")
    options = ["", *ordered["id"].astype(str).head(limit)]
    if current and current not in options:
        options.append(current)
    return options


def briefing_map(
    analysis: Analysis, *, fmt: str = "png", page: str = "a4-landscape", dpi: int = STATIC_DPI
) -> bytes:
    """Return the analysed view as the static briefing map (title, legend, scale bar, sources).

    Downloads run on the server's threads, several at once when a user clicks quickly: one
    drawing at a time (matplotlib's font and text caches are shared).
    """
    buffer = io.BytesIO()
    with _DRAWING:
        render_static_map(analysis, out=buffer, fmt=fmt, page=page, dpi=dpi)
    return buffer.getvalue()


def report_countries(analysis: Analysis) -> list[str]:
    """Return the countries a report is offered for: the view's, else those the links touch.

    Without a country filter, the countries of the per-country summary, most-struck first.
    """
    if analysis.view.countries:
        return list(analysis.view.countries)
    return list(analysis.country_summary["country"].astype(str))


def country_report(analysis: Analysis, country: str, *, fmt: str = "pdf") -> bytes:
    """Return the country report (PDF or HTML) of the current view for one country.

    The view keeps every filter and radius of the screen; only its countries become
    ``country``, so the report's numbers are those of the country table for that country.
    """
    view = analysis.view.with_(countries=(country,))
    return report_bytes(analyse(analysis.dataset, view, analysis.rules), fmt=fmt)


def strike_labels(strikes: pd.DataFrame) -> dict[str, str]:
    """Return ``{strike id: "date name"}`` for the strike picker."""
    labels = strikes["date"].astype(str) + " " + strikes["name"].astype(str)
    return dict(zip(strikes["id"].astype(str), labels, strict=True))


def date_range(strikes: pd.DataFrame) -> tuple[dt.date, dt.date]:
    """Return the first and last strike date, at least a day apart (a slider needs a span)."""
    dates = pd.to_datetime(strikes["date"], errors="coerce").dropna()
    first = dates.min().date() if not dates.empty else dt.date.today()
    last = dates.max().date() if not dates.empty else first
    return first, max(last, first + dt.timedelta(days=1))


def choices(values: Iterable[object]) -> list[str]:
    """Return the sorted distinct non-empty values as strings (for multiselect options)."""
    return sorted({str(v) for v in values if v is not None and str(v) not in ("", "nan")})


# ------------------------------------------------------------------------------------------
# Timeline: strikes per day or week, each strike counted once


TIMELINE_HEIGHT = 200
DAILY_UP_TO_DAYS = 92
"""Windows up to this many days are charted by day, longer ones by week."""
TIMELINE_BY = ("weapon", "affected country")
NOT_LINKED_COLOR = "#c8c8c8"
EXPOSED_COLOR = "#f0d58a"


def timeline_step(date_from: dt.date, date_to: dt.date) -> str:
    """Return ``"day"`` for short windows, else ``"week"``."""
    return "day" if (date_to - date_from).days <= DAILY_UP_TO_DAYS else "week"


def timeline_counts(
    strikes: pd.DataFrame,
    links: pd.DataFrame,
    *,
    by: str = "weapon",
    country: str | None = None,
    country_names: Mapping[str, str] | None = None,
    step: str = "week",
) -> tuple[pd.DataFrame, list[str], list[str]]:
    """Return strikes per period and category, each strike in exactly one category.

    Parameters
    ----------
    strikes, links
        The strikes shown and their links.
    by
        ``weapon``: one category per weapon. ``affected country``: whether each strike affects
        ``country`` (a high- or medium-confidence link), only exposes it (low only), or is not
        linked to it, so a strike touching several countries still counts once.
    country
        ISO3, with ``by="affected country"``.
    country_names
        ISO3 -> name, for the category labels.
    step
        ``day`` or ``week`` (weeks start on Monday).

    Returns
    -------
    tuple
        ``(period, category, strikes)`` rows; the categories and their colours, in stack order.
    """
    if by not in TIMELINE_BY:
        msg = f"timeline by must be one of {TIMELINE_BY}, got {by!r}"
        raise ValueError(msg)
    dates = pd.to_datetime(pd.Series(strikes["date"].to_numpy()), errors="coerce")
    period = dates.dt.normalize()
    if step == "week":
        period = period - pd.to_timedelta(dates.dt.day_of_week, unit="D")
    if by == "weapon":
        category = strikes["weapon"].astype(str).str.replace("_", " ").to_numpy()
        order = [w.replace("_", " ") for w in style.WEAPON_COLORS]
        colors = list(style.WEAPON_COLORS.values())
    else:
        category, order, colors = _country_categories(strikes, links, country, country_names or {})
    frame = pd.DataFrame({"period": period, "category": category}).dropna(subset=["period"])
    counts = frame.groupby(["period", "category"]).size().rename("strikes").reset_index()
    present = set(counts["category"])
    keep = [i for i, c in enumerate(order) if c in present]
    return counts, [order[i] for i in keep], [colors[i] for i in keep]


def _country_categories(
    strikes: pd.DataFrame, links: pd.DataFrame, country: str | None, names: Mapping[str, str]
) -> tuple[np.ndarray, list[str], list[str]]:
    name = names.get(country or "", country or "no country")
    order = [f"{name}: affected", f"{name}: exposed only", f"not linked to {name}"]
    rows = links[(links["country"].astype(object) == country).to_numpy()]
    strong = rows["confidence"].astype(object).isin(AFFECTED_CONFIDENCES).to_numpy()
    affected = set(rows.loc[strong, "strike_id"].astype(str))
    exposed = set(rows["strike_id"].astype(str)) - affected
    ids = strikes["id"].astype(str)
    category = np.where(
        ids.isin(affected), order[0], np.where(ids.isin(exposed), order[1], order[2])
    )
    return category, order, [style.AFFECTED_EDGE_COLOR, EXPOSED_COLOR, NOT_LINKED_COLOR]


def timeline_countries(links: pd.DataFrame, country_names: Mapping[str, str]) -> list[str]:
    """Return the countries the timeline can colour by: those linked, most links first.

    Without links, every known country (the chart then shows each strike as not linked).
    """
    counts = links["country"].astype(object).replace("", pd.NA).dropna().value_counts()
    return list(counts.index) or sorted(country_names)


def timeline_chart(
    counts: pd.DataFrame, categories: list[str], colors: list[str], *, step: str, title: str
) -> alt.Chart:
    """Return the stacked bar chart of ``timeline_counts``: strikes per day or week."""
    return (
        alt.Chart(counts)
        .mark_bar()
        .encode(
            x=alt.X("period:T", title=step),
            y=alt.Y("sum(strikes):Q", title="strikes"),
            color=alt.Color(
                "category:N",
                title=title,
                scale=alt.Scale(domain=categories, range=colors),
                sort=categories,
            ),
            order=alt.Order("category_order:Q"),
            tooltip=[
                alt.Tooltip("period:T", title=step),
                alt.Tooltip("category:N", title=title),
                alt.Tooltip("strikes:Q"),
            ],
        )
        .transform_calculate(category_order=f"indexof({categories!r}, datum.category)")
        .properties(height=TIMELINE_HEIGHT)
    )
