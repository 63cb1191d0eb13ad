"""strikemap: the Streamlit front. Widgets -> package calls -> the map component; no logic.

Run with ``strikemap serve`` (which serves the map's libraries from a run folder, so the map
works offline) or ``streamlit run app.py`` (libraries from public CDNs); the data folder comes
from ``STRIKEMAP_DATA_DIR`` (default: the shipped data).

The map is drawn once per session (``maps.live.base``); every later run only sends the view over
it (strikes, selection, legend), so a filter change keeps the map's place and zoom and never
blanks it. Panning and zooming never rerun the page (the map keeps its place in the address);
what the map reports (a click on a strike, its own messages) is read first in each run, so a
click shows the strike's chain in the same run. A session's first run sends the map alone; the
controls follow when the map reports its strikes drawn.

This is the one module that imports Streamlit, so every widget of the page lives here (about
700 lines, in sections: caches, URL and map events, sidebar, panels, page, Data tab); the logic
behind them is in ``webapp/`` and ``maps/live/``, tested without Streamlit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from importlib import resources
from pathlib import Path

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import _component_func as map_component

from strikemap.analysis import Analysis, analyse
from strikemap.analysis.dataset import Dataset, load_dataset
from strikemap.analysis.view import CONFIDENCE_LEVELS, View
from strikemap.exports.files import MIME_TYPES
from strikemap.exports.links import links_to_csv
from strikemap.exports.tables import TABLE_FORMATS, export_table
from strikemap.geo.rules import HIT_RADIUS_M, ImpactRules
from strikemap.layers.catalog import BY_NAME, get_layer
from strikemap.layers.paths import resolve_data_dir
from strikemap.layers.schema import GEO_PRECISION_CODES, WEAPONS
from strikemap.maps import html as html_export
from strikemap.maps import live, popups
from strikemap.maps.live.embed import EmbedParts
from strikemap.maps.live.strikes import resolve_strike_mode
from strikemap.maps.offline import VENDOR_DIR
from strikemap.maps.static import FORMATS, PAGES
from strikemap.reports import REPORT_FORMATS
from strikemap.webapp import data_page, live_view, map_events, panels, session

STATIC_URL = "app/static"
"""Where Streamlit serves the ``static/`` folder beside the script it runs."""
MAP_HEIGHT = 640
"""The map's height before the page's style stretches it to the window (``webapp/page.css``)."""
PAGE_CSS = resources.files("strikemap.webapp").joinpath("page.css").read_text(encoding="utf-8")

# ------------------------------------------------------------------------------------------
# Cached data: keyed on the data folder, file modification times, the view and the radii


@st.cache_resource(show_spinner="Reading layers ...", max_entries=2)
def load_data(data_dir: str, fingerprint: tuple) -> Dataset:
    """Read the data folder once per version of its files (shared, never changed in place).

    A resource cache rather than a data cache: 100,000 strikes would be copied on every rerun.
    """
    return load_dataset(data_dir)


@st.cache_resource(show_spinner=False, max_entries=32)
def shown(data_dir: str, fingerprint: tuple, view_key: str, radii: tuple, _view: View) -> Analysis:
    """Return the analysis of a view (without its selection), shared by sessions and reruns."""
    data = load_data(data_dir, fingerprint)
    return analyse(data, _view, session.rules_from(radii))


@st.cache_data(show_spinner=False, max_entries=32)
def compute_probe(
    data_dir: str, fingerprint: tuple, radii: tuple, probe: tuple
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Return a hypothetical strike ``(lat, lon, precision, date)`` and its links."""
    lat, lon, precision, date = probe
    strike = panels.probe_strike(lat, lon, precision=precision, date=date)
    rules = session.rules_from(radii)
    return strike, load_data(data_dir, fingerprint).link(rules=rules, strikes=strike)


@st.cache_resource(show_spinner=False, max_entries=2)
def background_features(data_dir: str, fingerprint: tuple) -> dict[str, dict]:
    """Return the map's FeatureCollections of the layers under the strikes (read-only)."""
    data = load_data(data_dir, fingerprint)
    return {
        name: live.layer_features(data.layers[name], get_layer(name))
        for name in live.BACKGROUND_LAYERS
        if name in data.layers and not data.layers[name].empty
    }


@st.cache_resource(show_spinner="Drawing the map ...", max_entries=4)
def base_parts(data_dir: str, fingerprint: tuple, prefix: str | None) -> EmbedParts:
    """Return the base map (no strikes) rendered for the map component, once per data version."""
    data = load_data(data_dir, fingerprint)
    return live_view.base_parts(data, background_features(data_dir, fingerprint), prefix)


@st.cache_resource(show_spinner=False, max_entries=16)
def strikes_drawing(
    data_dir: str, fingerprint: tuple, view_key: str, radii: tuple, mode: str, _analysis: Analysis
) -> tuple[str, map_events.Drawn, bool]:
    """Return the strikes of a view for the map (``webapp.live_view.strikes_drawing``)."""
    return live_view.strikes_drawing(load_data(data_dir, fingerprint), _analysis, mode)


@st.cache_resource(show_spinner=False, max_entries=32)
def overlay(data_dir: str, fingerprint: tuple, key: tuple, _analysis: Analysis, _args: dict) -> str:
    """Return the map's overlay script for a view, selection and basemap (``key`` names them)."""
    return live_view.overlay_for(load_data(data_dir, fingerprint), _analysis, **_args)


# ------------------------------------------------------------------------------------------
# URL <-> session state (the rules live in webapp.session)


def init_state(data: Dataset, dates: tuple[dt.date, dt.date]) -> None:
    """On a session's first run, fill the widgets from the URL; bad values give notices."""
    if st.session_state.get("_initialised"):
        return
    st.session_state.update(session.initial_state(st.query_params.to_dict(), data, dates))
    st.session_state["_initialised"] = True


def sync_url(view: View, dates: tuple[dt.date, dt.date]) -> None:
    """Mirror the view (minus the default time window), the map's place and options in the URL."""
    params = session.url_params(view, dates, st.session_state)
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)


def read_map() -> None:
    """Apply what the map reported since the last run.

    That is a strike clicked, a basemap chosen on the map, or a click placing the probe. The
    map's place and zoom never come back here: the map writes them into the address itself.
    """
    state = st.session_state
    key = state.get("_map_key")
    value = state.get(key) if key else None
    events = map_events.read_map_value(
        value, drawn=state.get("_drawn"), last_clicks=state.get("_map_clicks", 0)
    )
    state["_map_clicks"] = events.clicks
    if value is not None:
        state["_map_reported"] = True
    pending = state.setdefault("_pending", {})
    if events.selected:
        pending["selected"] = events.selected
    if events.basemap in live.BASEMAPS:
        pending["basemap"] = events.basemap
    if events.probe_at is not None and state.get("probe_on"):
        pending["probe_lat"], pending["probe_lon"] = events.probe_at
        state["_probe"] = (*events.probe_at, state["_probe"][2])
    # widget values set by the map: applied again in each run until one finishes (a run that
    # another report interrupts would otherwise lose them to the widgets' old values)
    state.update(pending)


def controls_now() -> bool:
    """Whether to draw the sidebar and panels in this run.

    Not in a session's first run in a browser: they come with the rerun the map's first report
    causes. Without a browser (``streamlit.testing`` sends no HTTP headers) there is no report
    to wait for.
    """
    if not st.context.headers:  # no browser on the other end: no report will come
        return True
    return st.session_state.get("_map_reported", False)


def widgets_drawn() -> None:
    """Forget the map's pending widget values: a whole run has shown them."""
    st.session_state["_pending"] = {}


def sync_dates_from_slider() -> None:
    """Keep the date entry on the slider's window."""
    st.session_state["window_dates"] = st.session_state["window"]


def sync_slider_from_dates() -> None:
    """Move the slider to the dates entered (once both ends are picked)."""
    picked = st.session_state["window_dates"]
    if len(picked) == 2:
        st.session_state["window"] = (min(picked), max(picked))


# ------------------------------------------------------------------------------------------
# Sidebar: the selected strike's chain, then the filters, map options, rules and probe


def sidebar(data: Dataset, analysis: Analysis, dates: tuple[dt.date, dt.date], probe) -> None:
    """Draw the sidebar: chain of the selection or probe, filters, map options, rules, probe."""
    bar = st.sidebar
    with bar:
        chain_section(data, analysis, probe)
        time_window(dates)
        filters(data)
        with st.expander("Map"):
            st.radio("Colour strikes by", ["weapon", "age"], key="color_by", horizontal=True)
            st.selectbox("Basemap", list(live.BASEMAPS), key="basemap")
            st.selectbox("Draw strikes as", list(live.STRIKE_MODES), key="strike_mode")
        rules_widgets()
        probe_widgets()


def chain_section(data: Dataset, analysis: Analysis, probe) -> None:
    """Show the selected strike (picked here or clicked on the map) and its impact chain."""
    st.header("Strike")
    selection_box(analysis.strikes, data.strikes)
    selected = st.session_state.get("selected")
    if probe is None and not selected:
        st.caption("Click a strike on the map, or pick one above, to see its impact chain.")
        return
    with st.container(height=360, border=False):  # scrolls: the filters stay in reach
        if probe is not None:
            probe_frame, probe_links = probe
            st.subheader("What-if strike")
            chain_panel(probe_frame.iloc[0], probe_links, data, analysis.rules)
            return
        st.subheader("Impact chain")
        if selected not in set(analysis.strikes["id"]):
            st.info("The selected strike is hidden by the current filters.")
        chain_panel(
            analysis.strike(selected), analysis.strike_links(selected), data, analysis.rules
        )


def time_window(dates: tuple[dt.date, dt.date]) -> None:
    """Draw the time window: a date entry (from, to) and a slider, kept in step."""
    st.header("Time window")
    first, last = dates
    st.date_input(
        "Dates",
        min_value=first,
        max_value=last,
        key="window_dates",
        on_change=sync_slider_from_dates,
        format="YYYY-MM-DD",
    )
    st.slider(
        "Time window",
        min_value=first,
        max_value=last,
        key="window",
        on_change=sync_dates_from_slider,
        label_visibility="collapsed",
    )


def filters(data: Dataset) -> None:
    """Draw the filters of the view."""
    st.header("Filters")
    options = session.filter_options(data)
    names = data.country_names
    st.multiselect(
        "Affected country",
        options["countries"],
        key="countries",
        format_func=lambda code: f"{names.get(code, code)} ({code})",
    )
    st.multiselect("Asset type", options["asset_types"], key="asset_types")
    st.multiselect("Weapon", list(WEAPONS), key="weapons")
    st.multiselect("Location precision", list(GEO_PRECISION_CODES), key="precisions")
    st.multiselect("Relation", options["relations"], key="relations")
    st.select_slider("Minimum confidence", list(CONFIDENCE_LEVELS), key="min_confidence")
    st.checkbox("Include unconfirmed and disputed strikes (marked)", key="include_reported")
    st.checkbox("Include context events (outside the region, spill-over)", key="include_context")
    st.checkbox("Include candidate strikes (remote sensing)", key="include_candidates")


def rules_widgets() -> None:
    """Draw the radii of the impact rules, in km, per location precision."""
    with st.expander("Impact rules (radii, km)"):
        for precision in sorted(HIT_RADIUS_M):
            for column, kind in zip(st.columns(2), session.RADIUS_KINDS, strict=True):
                column.number_input(
                    f"{kind}, precision {precision}",
                    min_value=0.0,
                    step=0.5,
                    key=f"{kind}_{precision}",
                )
        st.number_input("border radius", min_value=0.0, step=1.0, key="border")


PROBE_KEYS = ("probe_lat", "probe_lon", "probe_precision")


def probe_widgets() -> None:
    """Draw the what-if probe: a hypothetical strike placed by a click or coordinates.

    Its place is also kept apart from the widgets (``_probe``), which refill them if a run that
    did not show them let Streamlit forget their values.
    """
    st.header("What-if probe")
    st.toggle("Place a hypothetical strike (click the map)", key="probe_on")
    if not st.session_state.get("probe_on"):
        return
    state = st.session_state
    for key, value in zip(PROBE_KEYS, state["_probe"], strict=True):
        state.setdefault(key, value)
    remember = keep_probe
    st.number_input("Latitude", -90.0, 90.0, key="probe_lat", format="%.4f", on_change=remember)
    st.number_input("Longitude", -180.0, 180.0, key="probe_lon", format="%.4f", on_change=remember)
    st.selectbox(
        "Precision of the location",
        list(GEO_PRECISION_CODES),
        key="probe_precision",
        on_change=remember,
    )


def keep_probe() -> None:
    """Remember the probe's place as the widgets now hold it."""
    state = st.session_state
    old = state["_probe"]
    state["_probe"] = tuple(state.get(key, k) for key, k in zip(PROBE_KEYS, old, strict=True))


def probe_of_state(last: dt.date) -> tuple | None:
    """Return the probe ``(lat, lon, precision, date)`` when it is on."""
    state = st.session_state
    if not state.get("probe_on"):
        return None
    lat, lon, precision = state["_probe"]
    return float(lat), float(lon), int(precision), last


# ------------------------------------------------------------------------------------------
# Panels


def headline(strikes: pd.DataFrame, links: pd.DataFrame, summary: pd.DataFrame) -> None:
    """Show the title and the headline numbers: countries affected apart from those only exposed."""
    numbers = panels.headline(strikes, links, summary)
    cols = st.columns([1.1, 1.1, 1.7, 1.5, 1.7, 0.8], vertical_alignment="center")
    cols[0].markdown("<span class='strikemap-title'>strikemap</span>", unsafe_allow_html=True)
    cols[1].metric("Strikes shown", numbers["strikes"])
    cols[2].metric("Assets hit or threatened", numbers["assets"])
    cols[3].metric(
        "Countries affected",
        numbers["countries_affected"],
        help="reached by some strike at high or medium confidence: an asset named by the "
        "sources, an exactly located asset within the hit radius, or the strike's location",
    )
    cols[4].metric(
        "Countries exposed only",
        numbers["countries_exposed"],
        help="reached only at low confidence: assets merely nearby or drawn at a town's "
        "coordinates, land borders within the border radius",
    )
    cols[5].metric("Links", numbers["links"])


def selection_box(strikes: gpd.GeoDataFrame, all_strikes: gpd.GeoDataFrame) -> None:
    """Show the selected strike, also set by clicking a marker."""
    options = panels.strike_options(strikes, st.session_state.get("selected", ""))
    names = panels.strike_labels(all_strikes)
    st.selectbox(
        "Selected strike",
        options,
        key="selected",
        format_func=lambda i: names.get(i, "(none: click a strike on the map)") if i else "(none)",
    )


def chain_panel(
    strike: pd.Series | dict, links: pd.DataFrame, data: Dataset, rules: ImpactRules
) -> None:
    """Show the strike's chain: one line per asset, then its countries (escaped HTML).

    ``rules`` are those the links were made with; a what-if strike is explained on its own.
    """
    strike = dict(strike)
    own = strike.get("id") in set(data.strikes["id"])
    frame = None if own else gpd.GeoDataFrame([strike], geometry="geometry", crs=data.strikes.crs)
    body = popups.impact_chain_html(
        strike,
        links,
        data.explainer(rules, strikes=frame),
        asset_sources=panels.asset_lookup(data.assets, "sources"),
    )
    st.markdown(body, unsafe_allow_html=True)


PANELS = ("Countries", "Strikes over time", "Downloads")
"""The panel under the map shows one of these, or nothing (folded)."""


def details_panel(data: Dataset, analysis: Analysis, map_file, briefing) -> None:
    """Under the map: the affected countries, the timeline or the downloads; folds away.

    Only the chosen one is drawn, so the page's first paint does not wait for a chart.
    """
    st.session_state.setdefault("panel", PANELS[0])
    choice = st.segmented_control(
        "Panel under the map (click the open one to fold it)",
        PANELS,
        key="panel",
        label_visibility="collapsed",
    )
    if choice == PANELS[0]:
        st.caption(
            "Strikes per country. Affected: reached at high or medium confidence (named by "
            "sources, an exactly located asset within the hit radius, the strike's location). "
            "Exposed: reached only at low confidence (nearby or town-centroid assets, borders). "
            "Each strike counts once, in its strongest tier."
        )
        summary = panels.country_table(
            analysis.links,
            analysis.strikes,
            country_names=data.country_names,
            summary=analysis.country_summary,
        )
        # a static table: the interactive dataframe widget costs about a second of first paint
        st.table(summary, border="horizontal")
    elif choice == PANELS[1]:
        timeline(data, analysis)
    elif choice == PANELS[2]:
        downloads(analysis, map_file, briefing)


def timeline(data: Dataset, analysis: Analysis) -> None:
    """Chart strikes per day or week, each counted once, coloured by weapon or country."""
    strikes, links = analysis.strikes, analysis.links
    if strikes.empty:
        st.caption("No strikes in the time window.")
        return
    cols = st.columns([2, 3])
    by = cols[0].radio("Colour by", panels.TIMELINE_BY, key="timeline_by", horizontal=True)
    country = None
    if by == "affected country":
        options = panels.timeline_countries(links, data.country_names)
        names = data.country_names
        country = cols[1].selectbox(
            "Country",
            options,
            key="timeline_country",
            format_func=lambda code: f"{names.get(code, code)} ({code})",
        )
    first, last = analysis.view.date_from, analysis.view.date_to
    step = panels.timeline_step(first, last) if first and last else "week"
    counts, categories, colors = panels.timeline_counts(
        strikes, links, by=by, country=country, country_names=data.country_names, step=step
    )
    title = "weapon" if by == "weapon" else "affected country"
    chart = panels.timeline_chart(counts, categories, colors, step=step, title=title)
    st.altair_chart(chart, width="stretch")
    st.caption(f"Strikes per {step}; each strike counted once.")


def downloads(analysis: Analysis, map_file, briefing) -> None:
    """Offer the links, a table of strikes and links, and the maps; each is built on click.

    The buttons do not rerun the page, so one download never voids another's link, and each
    file is made from this view whenever it is clicked (any number, in any order).
    """
    choice = st.columns(3)
    table_fmt = choice[0].selectbox("Table format", TABLE_FORMATS, key="table_format")
    map_fmt = choice[1].selectbox("Briefing map format", FORMATS, key="map_format")
    page = choice[2].selectbox("Page", list(PAGES), key="map_page")
    strikes = analysis.strikes
    cols = st.columns(4)
    buttons = {
        "links": ("Links (CSV)", lambda: links_to_csv(analysis.explain()), "strikemap-links.csv"),
        "table": (
            f"Strikes and links ({table_fmt.upper()})",
            lambda: export_table(strikes, analysis.explain(), fmt=table_fmt),
            f"strikemap-strikes.{table_fmt}",
        ),
        "html": ("Map (HTML)", map_file, "strikemap-map.html"),
        "briefing": (
            f"Briefing map ({map_fmt.upper()})",
            lambda: briefing(map_fmt, page),
            f"strikemap-map.{map_fmt}",
        ),
    }
    for col, (key, (label, make, name)) in zip(cols, buttons.items(), strict=True):
        mime = MIME_TYPES[name.rsplit(".", 1)[-1]]
        col.download_button(label, make, name, mime, key=f"download_{key}", on_click="ignore")
    report_download(analysis)


def report_download(analysis: Analysis) -> None:
    """Offer the country report of the view for one of its countries; built on click."""
    countries = panels.report_countries(analysis)
    if not countries:
        st.caption("No country is linked to the strikes shown, so there is no country report.")
        return
    names = analysis.country_names
    cols = st.columns([2, 1, 2])
    country = cols[0].selectbox(
        "Country report for",
        countries,
        key="report_country",
        format_func=lambda c: f"{names.get(c, c)} ({c})",
    )
    fmt = cols[1].selectbox("Report format", REPORT_FORMATS, key="report_format")
    cols[2].download_button(
        f"Country report ({fmt.upper()})",
        lambda: panels.country_report(analysis, country, fmt=fmt),
        f"strikemap-report-{country.lower()}.{fmt}",
        MIME_TYPES[fmt],
        key="download_report",
        on_click="ignore",
    )


def asset_url_prefix(static_dir: Path | None) -> str | None:
    """URL prefix of the locally served libraries, or None when they are not served.

    ``strikemap serve`` copies them into ``static_dir`` beside its launcher; the app itself
    writes nothing.
    """
    if static_dir is None or not st.get_option("server.enableStaticServing"):
        return None
    if not (static_dir / VENDOR_DIR).is_dir():
        return None
    base = st.get_option("server.baseUrlPath").strip("/")
    return "/" + "/".join(p for p in (base, STATIC_URL, VENDOR_DIR) if p)


# ------------------------------------------------------------------------------------------
# Page


def main(static_dir: Path | None = None) -> None:
    """Draw the page: the map and its panels in one tab, the data checks in another.

    Parameters
    ----------
    static_dir
        The ``static/`` folder Streamlit serves, holding the map's libraries
        (``strikemap.webapp.serve.prepare_app``); None loads them from public CDNs.
    """
    st.set_page_config(page_title="strikemap", layout="wide", initial_sidebar_state="expanded")
    st.markdown(f"<style>{PAGE_CSS}</style>", unsafe_allow_html=True)
    data_dir = str(resolve_data_dir())
    fingerprint = panels.data_fingerprint(data_dir)
    data = load_data(data_dir, fingerprint)
    dates = panels.date_range(data.strikes)
    init_state(data, dates)
    read_map()
    view = session.view_from_state(st.session_state)
    radii = session.radii_of(st.session_state)
    unselected = view.with_(selected=None)
    with st.spinner("Linking strikes to assets and countries ..."):
        analysis = shown(data_dir, fingerprint, repr(unselected), radii, unselected)
    analysis = dataclasses.replace(analysis, view=view)
    probe_args = probe_of_state(dates[1])
    probe = compute_probe(data_dir, fingerprint, radii, probe_args) if probe_args else None
    sync_url(view, dates)

    headline(analysis.strikes, analysis.links, analysis.country_summary)
    for notice in st.session_state.get("url_notices", []):
        st.warning(notice)
    for note in data.recovery.notes:  # an interrupted write, finished or rolled back on loading
        st.warning(note.replace(data_dir, "the data folder"))
    map_tab, data_tab = st.tabs(["Map", "Data"])
    prefix = asset_url_prefix(static_dir)
    with map_tab:
        draw_map(data, data_dir, fingerprint, analysis, radii, probe, prefix)
    if not controls_now():
        # the map first: the filters and panels follow when it has drawn (its first report
        # reruns the page), so they do not hold up the map's first paint
        st.sidebar.caption("Loading the filters ...")
        return
    sidebar(data, analysis, dates, probe)
    style = {"basemap": st.session_state["basemap"], "strike_mode": st.session_state["strike_mode"]}
    prepared = background_features(data_dir, fingerprint)

    def map_file() -> str:
        fmap = live_view.standalone_map(analysis, prepared, radii, probe, **style)
        return html_export.standalone_html(fmap)

    def briefing(fmt: str, page: str) -> bytes:
        return panels.briefing_map(analysis, fmt=fmt, page=page)

    with map_tab:
        details_panel(data, analysis, map_file, briefing)
    with data_tab:
        data_view(data, data_dir, fingerprint)
    widgets_drawn()


def draw_map(
    data: Dataset,
    data_dir: str,
    fingerprint: tuple,
    analysis: Analysis,
    radii: session.Radii,
    probe: live_view.Probe | None,
    prefix: str | None,
) -> None:
    """Send the map: the base map (unchanged within a session) and the view's overlay."""
    if prefix is None:
        st.caption(
            "The map's libraries load from public CDNs (start the app with `strikemap serve` "
            "to serve them locally and work offline)."
        )
    parts = base_parts(data_dir, fingerprint, prefix)
    state = st.session_state
    if state.get("_map_parts") is not parts:  # a new session, or new data: open the map anew
        opening = live_view.opening_view(analysis, state.get("map_view"))
        state["_map_script"], state["_map_key"] = live_view.map_script(parts, opening)
        state["_map_parts"] = parts
    mode = resolve_strike_mode(state["strike_mode"], len(analysis.strikes))
    view_key = repr(analysis.view.with_(selected=None))
    strikes_json, drawn, regions = strikes_drawing(
        data_dir, fingerprint, view_key, radii, mode, analysis
    )
    state["_drawn"] = drawn
    basemap = state["basemap"]
    key = (view_key, radii, mode, basemap, analysis.view.selected, live_view.probe_key(probe))
    args = {
        "strikes_json": strikes_json,
        "region_outlines": regions,
        "focus": live_view.focus_of(analysis, probe),
        "radii": radii,
        "basemap": basemap,
    }
    map_component(
        script=state["_map_script"],
        header=parts.header,
        html=parts.html,
        id="map_div",
        key=state["_map_key"],
        height=MAP_HEIGHT,
        width=None,
        returned_objects=list(map_events.RETURNED),
        default=map_events.DEFAULT_VALUE,
        zoom=None,
        center=None,
        feature_group=overlay(data_dir, fingerprint, key, analysis, args),
        return_on_hover=False,
        layer_control=None,
        pixelated=False,
        css_links=list(parts.css_links),
        js_links=list(parts.js_links),
        wrap_longitude=False,
        on_change=None,
    )


# ------------------------------------------------------------------------------------------
# Data tab: checks an upload against the data, never writes (webapp.data_page does the work)


@st.cache_data(show_spinner="Planning the import on a copy of the data ...", max_entries=8)
def preview_import(
    kind: str, name: str, content: bytes, data_dir: str, fingerprint: tuple
) -> data_page.ImportPreview:
    """Work out what importing the upload would change (on a temporary copy of the data)."""
    return data_page.preview_import(kind, name, content, data_dir=data_dir)


def data_view(data: Dataset, data_dir: str, fingerprint: tuple) -> None:
    """Draw the upload form and the validation report or import preview of the upload."""
    st.caption(
        "Check a layer file, or preview what an import file would change. Nothing is written "
        "from this page: apply an import with `strikemap import KIND FILE`."
    )
    kind = st.radio(
        "The file is",
        data_page.UPLOAD_KINDS,
        key="upload_kind",
        horizontal=True,
        format_func=lambda k: (
            "a layer file (GeoJSON)" if k == data_page.LAYER_KIND else f"{k} import"
        ),
    )
    layer = None
    if kind == data_page.LAYER_KIND:
        layer = st.selectbox(
            "Layer",
            ["", *BY_NAME],
            key="upload_layer",
            format_func=lambda name: name or "(guess from the file name)",
        )
    upload = st.file_uploader("File", type=list(data_page.UPLOAD_TYPES), key="upload_file")
    if upload is None:
        return
    try:
        if kind == data_page.LAYER_KIND:
            show_layer_check(data, upload.name, upload.getvalue(), layer or None)
        else:
            preview = preview_import(kind, upload.name, upload.getvalue(), data_dir, fingerprint)
            show_import_preview(preview)
    except (ValueError, OSError) as exc:
        st.error(f"{upload.name}: {exc}" if upload.name not in str(exc) else str(exc))


def show_layer_check(data: Dataset, name: str, content: bytes, layer: str | None) -> None:
    """Validate an uploaded layer file against the current assets and countries."""
    check = data_page.check_layer_upload(
        name,
        content,
        layer=layer,
        asset_ids=set(data.assets["id"]),
        country_codes=set(data.country_names),
    )
    message = f"{name} as layer '{check.layer}': {check.report.summary()}"
    (st.success if check.report.ok else st.error)(message)
    if check.report.problems:
        st.dataframe(check.problems(), hide_index=True)


def show_import_preview(preview: data_page.ImportPreview) -> None:
    """Show the diff an import would make: summary, then added, updated and rejected rows."""
    st.code(preview.summary, language=None)
    for title, table in (
        ("Added", preview.added),
        ("Updated", preview.updated),
        ("Rejected", preview.rejected),
    ):
        st.subheader(f"{title}: {len(table)}")
        if not table.empty:
            st.dataframe(table, hide_index=True)


if __name__ == "__main__":  # `streamlit run app.py`; strikemap serve's launcher calls main()
    main()
