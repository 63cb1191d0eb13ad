"""strikemap: the Streamlit front. Widgets -> package calls -> st_folium; no logic of its own.

Run with ``strikemap serve`` (which serves the map's libraries from a run folder, so the map
works offline) or ``streamlit run app.py`` (libraries from public CDNs); the data folder comes
from ``STRIKEMAP_DATA_DIR`` (default: the shipped data).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from strikemap.analysis import Analysis, analyse
from strikemap.analysis.dataset import Dataset, load_dataset
from strikemap.analysis.view import CONFIDENCE_LEVELS, View
from strikemap.exports.files import MIME_TYPES
from strikemap.exports.links import links_to_csv
from strikemap.exports.tables import TABLE_FORMATS, export_table
from strikemap.geo.rules import BORDER_RADIUS_M, HIT_RADIUS_M, THREAT_RADIUS_M, ImpactRules
from strikemap.layers.catalog import BY_NAME, get_layer
from strikemap.layers.paths import resolve_data_dir
from strikemap.layers.schema import GEO_PRECISION_CODES, WEAPONS
from strikemap.maps import html as html_export
from strikemap.maps import popups
from strikemap.maps.interactive import (
    BACKGROUND_LAYERS,
    BASEMAPS,
    STRIKE_MODES,
    build_map,
    layer_features,
    resolve_strike_mode,
)
from strikemap.maps.offline import VENDOR_DIR, localise_assets
from strikemap.maps.static import FORMATS, PAGES
from strikemap.reports import REPORT_FORMATS
from strikemap.webapp import data_page, panels, session

STATIC_URL = "app/static"
"""Where Streamlit serves the ``static/`` folder beside the script it runs."""
MAP_HEIGHT = 620


# ------------------------------------------------------------------------------------------
# Cached data: keyed on the data folder, file modification times and the rules' radii


@st.cache_resource(show_spinner="Reading layers ...", max_entries=2)
def load_data(data_dir: str, fingerprint: tuple) -> Dataset:
    """Read the data folder once per version of its files (shared, never changed in place).

    A resource cache rather than a data cache: 100,000 strikes would be copied on every rerun.
    """
    return load_dataset(data_dir)


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
        name: layer_features(data.layers[name], get_layer(name))
        for name in BACKGROUND_LAYERS
        if not data.layers[name].empty
    }


# ------------------------------------------------------------------------------------------
# URL <-> session state (the rules live in maps.session)


def init_state(data: Dataset, dates: tuple[dt.date, dt.date]) -> None:
    """On a session's first run, fill the widgets from the URL; bad values give notices."""
    if st.session_state.get("_initialised"):
        return
    st.session_state.update(session.initial_state(st.query_params.to_dict(), data, dates))
    st.session_state["_initialised"] = True


def sync_url(view: View, dates: tuple[dt.date, dt.date]) -> None:
    """Mirror the view (minus the default time window) and the map options in the URL."""
    params = session.url_params(view, dates, st.session_state)
    if st.query_params.to_dict() != params:
        st.query_params.from_dict(params)


def apply_pending_selection() -> None:
    """Move a selection made by a map click into the selectbox's state before it is drawn."""
    pending = st.session_state.pop("_pending_selected", None)
    if pending is not None:
        st.session_state["selected"] = pending
    pending_probe = st.session_state.pop("_pending_probe", None)
    if pending_probe is not None:
        st.session_state["probe_lat"], st.session_state["probe_lon"] = pending_probe


# ------------------------------------------------------------------------------------------
# Sidebar


def sidebar(data: Dataset, dates: tuple[dt.date, dt.date]) -> tuple:
    """Draw the filters, map options, rules and probe; return the rules' radii and probe."""
    bar = st.sidebar
    bar.header("Filters")
    first, last = dates
    bar.slider("Time window", min_value=first, max_value=last, key="window")
    options = session.filter_options(data)
    names = data.country_names
    bar.multiselect(
        "Affected country",
        options["countries"],
        key="countries",
        format_func=lambda code: f"{names.get(code, code)} ({code})",
    )
    bar.multiselect("Asset type", options["asset_types"], key="asset_types")
    bar.multiselect("Weapon", list(WEAPONS), key="weapons")
    bar.multiselect("Location precision", list(GEO_PRECISION_CODES), key="precisions")
    bar.multiselect("Relation", options["relations"], key="relations")
    bar.select_slider("Minimum confidence", list(CONFIDENCE_LEVELS), key="min_confidence")
    bar.checkbox("Include unconfirmed and disputed strikes (marked)", key="include_reported")
    bar.checkbox("Include context events (outside the region, spill-over)", key="include_context")
    bar.checkbox("Include candidate strikes (remote sensing)", key="include_candidates")
    bar.header("Map")
    bar.radio("Colour strikes by", ["weapon", "age"], key="color_by", horizontal=True)
    bar.selectbox("Basemap", list(BASEMAPS), key="basemap")
    bar.selectbox("Draw strikes as", list(STRIKE_MODES), key="strike_mode")
    radii = rules_widgets(bar)
    probe = probe_widgets(bar, last)
    return radii, probe


def rules_widgets(bar) -> session.Radii:
    """Draw the radii of the impact rules, in km, per location precision."""
    radii: dict[str, dict[int, float]] = {"hit": {}, "threat": {}}
    defaults = {"hit": HIT_RADIUS_M, "threat": THREAT_RADIUS_M}
    with bar.expander("Impact rules (radii, km)"):
        for precision in sorted(HIT_RADIUS_M):
            for column, kind in zip(st.columns(2), radii, strict=True):
                radii[kind][precision] = 1000 * column.number_input(
                    f"{kind}, precision {precision}",
                    min_value=0.0,
                    value=defaults[kind][precision] / 1000,
                    step=0.5,
                    key=f"{kind}_{precision}",
                )
        border = 1000 * st.number_input(
            "border radius", min_value=0.0, value=BORDER_RADIUS_M / 1000, step=1.0, key="border"
        )
    return session.radii_from(radii["hit"], radii["threat"], border)


def probe_widgets(bar, last: dt.date) -> tuple | None:
    """Draw the what-if probe: a hypothetical strike placed by a click or coordinates."""
    bar.header("What-if probe")
    on = bar.toggle("Place a hypothetical strike (click the map)", key="probe_on")
    if not on:
        return None
    st.session_state.setdefault("probe_lat", 45.39)
    st.session_state.setdefault("probe_lon", 28.53)
    lat = bar.number_input("Latitude", -90.0, 90.0, key="probe_lat", format="%.4f")
    lon = bar.number_input("Longitude", -180.0, 180.0, key="probe_lon", format="%.4f")
    precision = bar.selectbox("Precision of the location", list(GEO_PRECISION_CODES), index=1)
    return (float(lat), float(lon), int(precision), last)


# ------------------------------------------------------------------------------------------
# Panels


def headline_row(strikes: pd.DataFrame, links: pd.DataFrame, summary: pd.DataFrame) -> None:
    """Show the headline numbers: countries affected apart from those only exposed."""
    numbers = panels.headline(strikes, links, summary)
    cols = st.columns(5)
    cols[0].metric("Strikes shown", numbers["strikes"])
    cols[1].metric("Assets hit or threatened", numbers["assets"])
    cols[2].metric(
        "Countries affected",
        numbers["countries_affected"],
        help="reached by some strike at high or medium confidence: an asset named by the "
        "sources, an exactly located asset within the hit radius, or the strike's location",
    )
    cols[3].metric(
        "Countries exposed only",
        numbers["countries_exposed"],
        help="reached only at low confidence: assets merely nearby or drawn at a town's "
        "coordinates, land borders within the border radius",
    )
    cols[4].metric("Links", numbers["links"])


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


def timeline(strikes: pd.DataFrame, links: pd.DataFrame) -> None:
    """Chart strikes per week, coloured by affected country."""
    weekly = panels.weekly_timeline(strikes, links)
    if weekly.empty:
        st.caption("No strikes in the time window.")
        return
    chart = panels.timeline_chart(weekly)
    st.altair_chart(chart, width="stretch")


def downloads(
    links_csv: Callable[[], str],
    table: Callable[[str], bytes],
    map_html: Callable[[], str],
    briefing: Callable[[str, str], bytes],
) -> None:
    """Offer the links, a table of strikes and links, and the maps; each is built on click."""
    st.subheader("Downloads")
    choice = st.columns(3)
    table_fmt = choice[0].selectbox("Table format", TABLE_FORMATS, key="table_format")
    map_fmt = choice[1].selectbox("Briefing map format", FORMATS, key="map_format")
    page = choice[2].selectbox("Page", list(PAGES), key="map_page")
    cols = st.columns(4)
    cols[0].download_button("Links (CSV)", links_csv, "strikemap-links.csv", "text/csv")
    cols[1].download_button(
        f"Strikes and links ({table_fmt.upper()})",
        lambda: table(table_fmt),
        f"strikemap-strikes.{table_fmt}",
        MIME_TYPES[table_fmt],
    )
    cols[2].download_button("Map (HTML)", map_html, "strikemap-map.html", MIME_TYPES["html"])
    cols[3].download_button(
        f"Briefing map ({map_fmt.upper()})",
        lambda: briefing(map_fmt, page),
        f"strikemap-map.{map_fmt}",
        MIME_TYPES[map_fmt],
    )


def report_download(analysis: Analysis) -> None:
    """Offer the country report of the view for one of its countries; built on click."""
    countries = panels.report_countries(analysis)
    if not countries:
        st.caption("No country is linked to the strikes shown, so there is no country report.")
        return
    names = analysis.country_names
    cols = st.columns([2, 1, 2])
    country = cols[0].selectbox(
        "Country report for", countries, format_func=lambda c: f"{names.get(c, c)} ({c})"
    )
    fmt = cols[1].selectbox("Report format", REPORT_FORMATS)
    cols[2].download_button(
        f"Country report ({fmt.upper()})",
        lambda: panels.country_report(analysis, country, fmt=fmt),
        f"strikemap-report-{country.lower()}.{fmt}",
        MIME_TYPES[fmt],
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
    st.set_page_config(page_title="strikemap", layout="wide")
    data_dir = str(resolve_data_dir())
    fingerprint = panels.data_fingerprint(data_dir)
    data = load_data(data_dir, fingerprint)
    dates = panels.date_range(data.strikes)
    init_state(data, dates)
    apply_pending_selection()

    st.title("strikemap")
    st.caption(
        "Strikes on energy infrastructure around Odesa: which assets each strike hit or "
        "threatened, and which countries that touches, with reasons and sources."
    )
    for notice in st.session_state.get("url_notices", []):
        st.warning(notice)
    for note in data.recovery.notes:  # an interrupted write, finished or rolled back on loading
        st.warning(note.replace(data_dir, "the data folder"))
    radii, probe = sidebar(data, dates)
    map_tab, data_tab = st.tabs(["Map", "Data"])
    with map_tab:
        map_view(data, data_dir, fingerprint, dates, radii, probe, static_dir)
    with data_tab:
        data_view(data, data_dir, fingerprint)


def map_view(
    data: Dataset,
    data_dir: str,
    fingerprint: tuple,
    dates: tuple[dt.date, dt.date],
    radii: session.Radii,
    probe: tuple | None,
    static_dir: Path | None,
) -> None:
    """Draw the headline, the map, the impact chain, the tables and the downloads."""
    view = session.view_from_state(st.session_state)
    sync_url(view, dates)
    with st.spinner("Linking strikes to assets and countries ..."):
        analysis = analyse(data, view, session.rules_from(radii))
    strikes, shown_links = analysis.strikes, analysis.links
    probe_frame = probe_links = None
    if probe is not None:
        probe_frame, probe_links = compute_probe(data_dir, fingerprint, radii, probe)

    headline_row(strikes, shown_links, analysis.country_summary)
    map_col, side_col = st.columns([3, 2])
    with map_col:
        prepared = background_features(data_dir, fingerprint)
        # widget values are read now: download callables run outside the script run
        style = (st.session_state["basemap"], st.session_state["strike_mode"])
        map_args = (analysis, prepared, radii, probe_frame, probe_links, style)
        draw_map(make_map(*map_args), strikes, asset_url_prefix(static_dir))
    with side_col:
        selection_box(strikes, data.strikes)
        if probe_frame is not None:
            st.subheader("What-if strike")
            chain_panel(probe_frame.iloc[0], probe_links, data, session.rules_from(radii))
        elif view.selected:
            chosen = analysis.strike(view.selected)
            st.subheader("Impact chain")
            if view.selected not in set(strikes["id"]):
                st.info("The selected strike is hidden by the current filters.")
            chain_panel(chosen, analysis.strike_links(view.selected), data, analysis.rules)
        else:
            st.caption("Click a strike on the map, or pick one above, to see its impact chain.")
    st.subheader("Countries: affected and exposed")
    st.caption(
        "Strikes per country. Affected: reached at high or medium confidence (named by sources, "
        "an exactly located asset within the hit radius, the strike's location). Exposed: "
        "reached only at low confidence (nearby or town-centroid assets, borders). Each strike "
        "counts once, in its strongest tier."
    )
    summary = panels.country_table(
        shown_links, strikes, country_names=data.country_names, summary=analysis.country_summary
    )
    # a static table: the interactive dataframe widget costs about a second of first paint
    st.table(summary, border="horizontal")
    st.subheader("Strikes per week")
    timeline(strikes, shown_links)
    downloads(
        lambda: links_to_csv(analysis.explain()),
        lambda fmt: export_table(strikes, analysis.explain(), fmt=fmt),
        lambda: html_export.standalone_html(make_map(*map_args)),
        lambda fmt, page: panels.briefing_map(analysis, fmt=fmt, page=page),
    )
    report_download(analysis)


# ------------------------------------------------------------------------------------------
# Data tab: checks an upload against the data, never writes (maps.data_page does the work)


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


# ------------------------------------------------------------------------------------------
# The map


def make_map(
    analysis: Analysis, prepared: dict, radii, probe_frame, probe_links, style
) -> folium.Map:
    """Build the folium map of the current view (a new one each time: never cached).

    ``style`` is ``(basemap, strike mode)``; no session state is read here, so download
    buttons can call this after the script run.
    """
    basemap, strike_mode = style
    layers = {name: analysis.dataset.layers[name] for name in BACKGROUND_LAYERS}
    layers["strikes"] = analysis.strikes
    mode = resolve_strike_mode(strike_mode, len(analysis.strikes))
    return build_map(
        layers,
        analysis.links,
        analysis.view,
        basemap=basemap,
        probe=probe_frame,
        probe_links=probe_links,
        strike_mode=mode,
        radius_m=session.marker_radii(radii),
        country_names=analysis.country_names,
        prepared=prepared,
        chain=html_export.selection_chain(analysis),
    )


def draw_map(fmap: folium.Map, strikes: gpd.GeoDataFrame, prefix: str | None) -> None:
    """Point the map at the locally served libraries, hand it to st_folium, handle clicks."""
    probe_on = st.session_state.get("probe_on", False)
    if prefix is None:
        st.caption(
            "The map's libraries load from public CDNs (start the app with `strikemap serve` "
            "to serve them locally and work offline)."
        )
    else:
        localise_assets(fmap, prefix)
    returned = ["last_object_clicked", "last_object_clicked_tooltip"]
    if probe_on:
        returned.append("last_clicked")
    result = st_folium(
        fmap, key="map", height=MAP_HEIGHT, use_container_width=True, returned_objects=returned
    )
    handle_click(result, strikes, probe_on=probe_on)


def handle_click(result: dict | None, strikes: gpd.GeoDataFrame, *, probe_on: bool) -> None:
    """Select a clicked strike, or move the probe to a clicked spot; rerun once."""
    if not result:
        return
    signature = json.dumps(result, sort_keys=True, default=str)
    if signature == st.session_state.get("_last_click"):
        return
    st.session_state["_last_click"] = signature
    if probe_on and result.get("last_clicked"):
        where = result["last_clicked"]
        st.session_state["_pending_probe"] = (float(where["lat"]), float(where["lng"]))
        st.rerun()
    chosen = panels.strike_from_click(result, strikes)
    if chosen and chosen != st.session_state.get("selected"):
        st.session_state["_pending_selected"] = chosen
        st.rerun()


if __name__ == "__main__":  # `streamlit run app.py`; strikemap serve's launcher calls main()
    main()
