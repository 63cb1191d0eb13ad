"""What the app's panels show, computed without Streamlit: headline, tables, timeline, clicks.

``app.py`` only wires widgets to these functions, so each can be tested on tiny frames.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import altair as alt
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from strikemap.analysis import Analysis, analyse
from strikemap.geo.summaries import country_summary
from strikemap.layers.catalog import CATALOG, STRIKES
from strikemap.layers.io import empty_layer
from strikemap.layers.paths import resolve_data_dir
from strikemap.layers.schema import RELATIONS_TABLE
from strikemap.maps.interactive import PROBE_ID
from strikemap.maps.static import render_static_map
from strikemap.reports import report_bytes

COUNTRY_CODES_FILE = "country_codes.csv"
NO_COUNTRY = "(none)"
"""Timeline label of strikes without any country link under the current filters."""
CLICK_TOLERANCE_DEG = 0.05
"""A click this close (degrees) to a strike selects it when its tooltip does not name it."""
PROBE_NAME = "What-if strike"
MAX_SELECT_OPTIONS = 2_000
"""Strikes offered in the picker (newest first); more would slow every rerun."""
TIMELINE_HEIGHT = 220
STATIC_DPI = 200


def data_fingerprint(data_dir: str | Path | None = None) -> tuple[tuple[str, float], ...]:
    """Return ``(file name, modification time)`` of every data file: the cache key of the app."""
    folder = resolve_data_dir(data_dir)
    names = [spec.file for spec in CATALOG] + [RELATIONS_TABLE.file, COUNTRY_CODES_FILE]
    return tuple(
        (name, (folder / name).stat().st_mtime if (folder / name).exists() else -1.0)
        for name in names
    )


def headline(strikes: pd.DataFrame, links: pd.DataFrame) -> dict[str, int]:
    """Return the headline numbers: strikes shown, assets hit or threatened, countries, links."""
    asset_ids = links["asset_id"].astype(object).fillna("").astype(str)
    return {
        "strikes": len(strikes),
        "assets": int(asset_ids[asset_ids != ""].nunique()),
        "countries": int(links["country"].astype(object).replace("", np.nan).dropna().nunique()),
        "links": len(links),
    }


def country_table(
    links: pd.DataFrame,
    strikes: pd.DataFrame,
    *,
    country_names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Return ``geo.summaries.country_summary`` for display: indexed by country, plain headers.

    One row per affected country, most-struck first: name, strikes, assets, strongest relation
    and confidence, first and last date.
    """
    summary = country_summary(links, strikes, country_names=country_names)
    summary.columns = [c.replace("_", " ") for c in summary.columns]
    return summary.set_index("country")


def _plain(links: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Return ``links[columns]`` as plain object columns (the join may hand back categoricals)."""
    return pd.DataFrame({c: links[c].astype(object).to_numpy() for c in columns}, index=links.index)


def weekly_timeline(strikes: pd.DataFrame, links: pd.DataFrame) -> pd.DataFrame:
    """Return strikes per week and affected country (``week``, ``country``, ``strikes``).

    A strike touching two countries counts once for each; a strike without a country link
    counts under ``NO_COUNTRY``.
    """
    if strikes.empty:
        return pd.DataFrame(
            {"week": pd.Series([], dtype="datetime64[ns]"), "country": [], "strikes": []}
        )
    links = _plain(links, ["strike_id", "country"])
    pairs = links.loc[links["country"].fillna("") != "", ["strike_id", "country"]].drop_duplicates()
    frame = pd.DataFrame(
        {"strike_id": strikes["id"].to_numpy(), "date": strikes["date"].to_numpy()}
    )
    frame = frame.merge(pairs, on="strike_id", how="left")
    frame["country"] = frame["country"].fillna(NO_COUNTRY)
    dates = pd.to_datetime(frame["date"], errors="coerce")
    frame["week"] = (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.normalize()
    counts = frame.groupby(["week", "country"])["strike_id"].nunique().rename("strikes")
    return counts.reset_index()


def strike_from_click(
    clicked: Mapping[str, object] | None,
    strikes: gpd.GeoDataFrame,
    *,
    tolerance_deg: float = CLICK_TOLERANCE_DEG,
) -> str | None:
    """Return the id of the strike a map click points at, or None.

    Parameters
    ----------
    clicked
        streamlit-folium's answer: ``last_object_clicked`` (``{"lat", "lng"}``) and
        ``last_object_clicked_tooltip`` (the tooltip text, which names the strike id).
    strikes
        The strikes on the map.
    """
    if not clicked or strikes.empty:
        return None
    tooltip = str(clicked.get("last_object_clicked_tooltip") or "")
    if tooltip:
        named = set(re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)+", tooltip))
        hits = strikes["id"][strikes["id"].isin(named).to_numpy()]
        if len(hits):
            return str(hits.iloc[0])
        return None  # a tooltip that names no strike: an asset or a country was clicked
    where = clicked.get("last_object_clicked")
    if not isinstance(where, Mapping) or where.get("lat") is None:
        return None
    point = shapely.Point(float(where["lng"]), float(where["lat"]))
    distances = shapely.distance(point, strikes.geometry.values)
    nearest = int(np.argmin(distances))
    return str(strikes["id"].iloc[nearest]) if distances[nearest] <= tolerance_deg else None


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


def timeline_chart(weekly: pd.DataFrame) -> alt.Chart:
    """Return the bar chart of ``weekly_timeline``: strikes per week, coloured by country."""
    return (
        alt.Chart(weekly)
        .mark_bar()
        .encode(
            x=alt.X("week:T", title="week"),
            y=alt.Y("sum(strikes):Q", title="strikes"),
            color=alt.Color("country:N", title="affected country"),
            tooltip=["week:T", "country:N", "strikes:Q"],
        )
        .properties(height=TIMELINE_HEIGHT)
    )


def briefing_map(
    analysis: Analysis, *, fmt: str = "png", page: str = "a4-landscape", dpi: int = STATIC_DPI
) -> bytes:
    """Return the analysed view as the static briefing map (title, legend, scale bar, sources)."""
    buffer = io.BytesIO()
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
