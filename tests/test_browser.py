"""The running app in headless Chromium, with no internet: layout, map, clicks, view, time,
downloads, offline notice, shared URL.

Why one long module: every test drives the same running app (one server per module, the
``app`` fixture), so they share its start-up; the sections follow what a user does on the page.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    MAP_FRAME,
    PageLog,
    chromium_missing_reason,
    in_ci,
    running_app,
    watch_offline,
    watch_page,
)
from playwright.sync_api import expect

from strikemap.webapp.data_page import DEFAULT_MAX_UPLOAD_MB

pytestmark = pytest.mark.browser

ORLIVKA = "strike-2025-08-06-orlivka"
ORLIVKA_NAME = "Drone strike on Orlivka gas compressor station"
WAIT_MS = 60_000
SIZES = [(1280, 800), (1600, 1000)]

STATE_JS = "() => strikemap.state()"
FIND_STRIKE_JS = """
(name) => {
    const st = strikemap.strikes;
    const i = typeof name === "number" ? name : st.names.indexOf(name);
    if (i < 0) { return null; }
    const where = [st.lat[i], st.lon[i]];
    map.setView(where, 11, {animate: false});
    const point = map.latLngToContainerPoint(where);
    return {x: point.x, y: point.y};
}
"""
STRIKE_BOXES_JS = """
() => {
    // every strike drawn now: single markers and stack counts, as page rectangles
    const boxes = [];
    document.querySelectorAll('path.strikemap-strike, .strikemap-stack').forEach((el) => {
        const r = el.getBoundingClientRect();
        if (r.width > 0) { boxes.push([r.left, r.top, r.right, r.bottom]); }
    });
    return boxes;
}
"""
CONTROL_BOXES_JS = """
() => Array.from(document.querySelectorAll('.leaflet-control')).map((el) => {
    const r = el.getBoundingClientRect();
    return [el.className, r.left, r.top, r.right, r.bottom];
})
"""


@pytest.fixture(scope="module")
def browser():
    reason = chromium_missing_reason()
    if reason:
        if in_ci():
            pytest.fail(f"browser tests must run in CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def app(browser, tmp_path_factory):
    with running_app(None, tmp_path_factory.mktemp("app")) as server:
        yield server


def new_page(browser, width: int = 1500, height: int = 1000):
    context = browser.new_context(viewport={"width": width, "height": height})
    log = PageLog()
    watch_offline(context, log)
    page = context.new_page()
    watch_page(page, log)
    page.log = log
    return page


@pytest.fixture
def page(browser):
    page = new_page(browser)
    yield page
    page.context.close()


def open_app(page, app, **params: str):
    """Open the app and wait until the map shows its strikes and the run has finished."""
    page.goto(app.url + ("?" + urlencode(params) if params else ""))
    frame = page.frame_locator(MAP_FRAME)
    frame.locator("path.strikemap-strike, .strikemap-stack").first.wait_for(
        state="attached", timeout=WAIT_MS
    )
    # the controls come once the map has drawn (its first report reruns the page); the Data
    # tab's form is the last thing that run draws
    page.get_by_role("heading", name="Filters").wait_for(timeout=WAIT_MS)
    page.get_by_text("The file is").wait_for(state="attached", timeout=WAIT_MS)
    idle(page)
    return frame


def idle(page) -> None:
    """Wait until the app's script run (and the one the map's first report starts) is over."""
    page.wait_for_timeout(400)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=WAIT_MS)


def map_frame(page):
    return page.frame(url=re.compile("streamlit_folium"))


def shown_strikes(page) -> int:
    label = page.get_by_test_id("stMetric").filter(has_text="Strikes shown")
    return int(label.get_by_test_id("stMetricValue").inner_text().replace(",", ""))


def query(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def show_panel(page, name: str) -> None:
    """Open one of the panels under the map."""
    page.get_by_test_id("stButtonGroup").get_by_role("radio", name=name).click()
    idle(page)


def pick_weapon(page, weapon: str) -> None:
    box = page.get_by_test_id("stMultiSelect").filter(has_text="Weapon")
    box.scroll_into_view_if_needed()
    box.click()
    page.get_by_role("option", name=weapon).click()
    page.keyboard.press("Escape")


# ------------------------------------------------------------------------------------------
# layout


@pytest.mark.parametrize(("width", "height"), SIZES, ids=lambda v: str(v))
def test_the_map_is_the_page_and_every_strike_can_be_clicked(browser, app, width, height):
    page = new_page(browser, width, height)
    frame = open_app(page, app)
    box = page.locator(MAP_FRAME).bounding_box()
    assert box["width"] >= 2 / 3 * width
    assert box["height"] >= 0.6 * height
    assert box["y"] + box["height"] <= height + 1  # all of it above the fold
    # controls fold away: the layer list to its icon, the legend to a button
    assert frame.locator(".leaflet-control-layers-expanded").count() == 0
    assert frame.locator(".strikemap-legend.folded").count() == 1
    # no strike under a control (the first view leaves room for them)
    controls = map_frame(page).evaluate(CONTROL_BOXES_JS)
    strikes = map_frame(page).evaluate(STRIKE_BOXES_JS)
    assert len(strikes) >= 5
    for s in strikes:
        centre = ((s[0] + s[2]) / 2, (s[1] + s[3]) / 2)
        for name, left, top, right, bottom in controls:
            inside = left <= centre[0] <= right and top <= centre[1] <= bottom
            assert not inside, f"a strike at {centre} lies under {name}"
    # every strike is on the map: the single markers and the counts of the stacks
    state = map_frame(page).evaluate(STATE_JS)
    assert state["total"] == state["shown"] == shown_strikes(page)
    assert page.log.errors == []
    page.context.close()


def test_the_legend_unfolds_and_explains_the_selection(page, app):
    frame = open_app(page, app, selected=ORLIVKA)
    legend = frame.locator(".strikemap-legend")
    assert not frame.locator(".strikemap-legend-body").is_visible()
    frame.locator(".strikemap-legend-toggle").click()
    body = frame.locator(".strikemap-legend-body")
    body.wait_for()
    text = body.inner_text()
    for words in (
        "selected strike",
        "uncertainty of its location",
        "link to an asset hit",
        "supply or transit route",
        "country affected",
        "stacked strikes",
        "place names",
    ):
        assert words in text, words
    assert "drone" in text
    assert "artillery" not in text  # no artillery strike on the map: no row for it
    legend.locator(".strikemap-legend-toggle").click()
    assert not body.is_visible()
    assert page.log.errors == []


# ------------------------------------------------------------------------------------------
# readable


def test_place_labels_follow_the_zoom_larger_places_first(page, app):
    open_app(page, app)
    names_at = """(z) => { map.setView([46.0, 29.8], z, {animate: false});
        return new Promise((done) => setTimeout(() => done(strikemap.labelNames()), 200)); }"""
    frame = map_frame(page)
    wide = frame.evaluate(names_at, 6)
    close = frame.evaluate(names_at, 9)
    assert "Odesa" in wide
    assert "Artsyz" not in wide  # a small town: only closer in
    assert "Artsyz" in close
    assert len(close) > len(wide)
    assert page.log.errors == []


def test_stacked_strikes_show_their_count_and_spread_out_on_click(page, app):
    frame = open_app(page, app)
    # six strikes on Izmail's port (Odesa's precision-3 strikes are drawn as their region)
    stack = frame.locator(".strikemap-stack", has_text="6")
    stack.wait_for()
    before = frame.locator("path.strikemap-strike").count()
    stack.click()
    map_frame(page).wait_for_function(
        "(n) => document.querySelectorAll('path.strikemap-strike').length >= n + 6",
        arg=before,
        timeout=WAIT_MS,
    )
    assert page.log.errors == []


def test_clicking_a_strike_shows_its_chain_and_outlines_the_countries(page, app):
    frame = open_app(page, app)
    point = map_frame(page).evaluate(FIND_STRIKE_JS, ORLIVKA_NAME)
    assert point is not None, "the Orlivka strike is not on the map"
    frame.locator("#map_div").click(position=point)
    chain = page.locator(".impact-chain")
    chain.wait_for(timeout=WAIT_MS)
    assert "Azerbaijan" in chain.inner_text()
    assert page.locator(".impact-chain a[href^='https://']").count() > 0
    page.wait_for_url(re.compile(f"selected={ORLIVKA}"), timeout=WAIT_MS)
    frame.locator("path.strikemap-selected").wait_for(timeout=WAIT_MS)
    assert frame.locator("path.strikemap-link").count() > 0
    assert frame.locator("path.strikemap-route").count() > 0  # the supply route, drawn
    affected = frame.locator("path.strikemap-affected")
    assert affected.count() >= 3
    assert all(p.get_attribute("fill") == "none" for p in affected.all())  # outlined, not filled
    labels = frame.locator(".strikemap-affected-label").all_inner_texts()
    assert "Moldova · affected" in labels
    assert page.log.errors == []


# ------------------------------------------------------------------------------------------
# stable view


def test_a_filter_change_keeps_the_view_and_never_redraws_the_map(page, app):
    frame = open_app(page, app)
    map_js = map_frame(page)
    map_js.evaluate("() => { window.__kept = true; map.setView([45.35, 28.85], 10); }")
    page.wait_for_url(re.compile(r"zoom=10"), timeout=WAIT_MS)
    idle(page)
    before = map_js.evaluate(STATE_JS)
    pick_weapon(page, "missile")
    page.wait_for_function(
        "(old) => { const f = document.querySelector(FRAME); const s = f && "
        "f.contentWindow.strikemap && f.contentWindow.strikemap.state(); "
        "return s && s.token !== old; }".replace("FRAME", repr(MAP_FRAME)),
        arg=before["token"],
        timeout=WAIT_MS,
    )
    idle(page)
    assert map_frame(page) is map_js  # the same frame: the base map was not rebuilt
    assert map_js.evaluate("() => window.__kept") is True
    centre = map_js.evaluate("() => [map.getCenter().lat, map.getCenter().lng, map.getZoom()]")
    assert centre == pytest.approx([45.35, 28.85, 10], abs=1e-3)
    after = map_js.evaluate(STATE_JS)
    assert after["total"] == shown_strikes(page) < before["total"]
    assert query(page)["weapons"] == "missile"
    assert query(page)["zoom"] == "10"
    assert frame.locator("path.strikemap-countries").count() > 0
    assert page.log.errors == []


def test_a_shared_url_reopens_the_view_radii_and_probe(browser, app):
    params = {
        "center": "45.4000,28.6000",
        "zoom": "10",
        "hit": "0.5,4,10",
        "threat": "5,12,25",
        "probe": "45.3900,28.5300,1",
        "color_by": "age",
        "weapons": "drone",
    }
    page = new_page(browser)
    frame = open_app(page, app, **params)
    page.get_by_role("heading", name="What-if strike").wait_for(timeout=WAIT_MS)
    centre = map_frame(page).evaluate(
        "() => [map.getCenter().lat, map.getCenter().lng, map.getZoom()]"
    )
    assert centre == pytest.approx([45.4, 28.6, 10], abs=1e-3)
    frame.locator("path.strikemap-selected").wait_for(state="attached", timeout=WAIT_MS)
    # the number input shows its minimum for a moment before the value it was given
    expect(page.get_by_label("Latitude")).to_have_value("45.3900", timeout=WAIT_MS)
    page.get_by_text("Impact rules (radii, km)").click()
    assert page.get_by_label("hit, precision 1").input_value() == "4.00"
    assert page.get_by_label("threat, precision 1").input_value() == "12.00"
    idle(page)
    assert {k: query(page).get(k) for k in params} == params  # the URL still says so
    frame.locator(".strikemap-legend-toggle").click()
    assert "Strikes by age" in frame.locator(".strikemap-legend").inner_text()
    assert page.log.errors == []
    page.context.close()


def test_a_bad_url_shows_a_notice(page, app):
    open_app(page, app, weapons="laser", selected="no-such-strike", zoom="99", center="x")
    notices = page.get_by_test_id("stAlert")
    notices.first.wait_for(timeout=WAIT_MS)
    text = " ".join(notices.all_inner_texts())
    assert "weapons" in text
    assert "selected" in text
    assert "center" in text
    assert page.log.errors == []


# ------------------------------------------------------------------------------------------
# time


def test_the_play_control_animates_the_strikes_through_the_window(page, app):
    frame = open_app(page, app)
    total = map_frame(page).evaluate(STATE_JS)["total"]
    frame.locator(".strikemap-play-speed").select_option("8")
    frame.locator(".strikemap-play-button").click()
    seen: list[tuple[str, int]] = []
    map_js = map_frame(page)
    map_js.wait_for_function(
        "() => strikemap.state().playing && strikemap.state().shown > 0", timeout=WAIT_MS
    )
    for _ in range(3):
        state = map_js.evaluate(STATE_JS)
        seen.append((state["date"], state["shown"]))
        map_js.wait_for_function(
            "(date) => strikemap.state().date !== date", arg=state["date"], timeout=WAIT_MS
        )
    dates = [date for date, _ in seen]
    assert all(d.startswith("until ") for d in dates)
    assert dates == sorted(dates)  # the date moves forward
    assert seen[0][1] < total  # early in the window, not every strike yet
    assert seen[-1][1] >= seen[0][1]
    frame.locator(".strikemap-play-button").click()  # pause
    assert map_js.evaluate(STATE_JS)["playing"] is False
    assert page.log.errors == []


def test_the_date_entry_and_the_timeline(page, app):
    open_app(page, app)
    for end, day in (("start", "20250801"), ("end", "20250831")):  # typed, field by field
        page.get_by_role("spinbutton", name=f"year, Dates {end} date").click()
        page.keyboard.type(day)
    page.keyboard.press("Escape")  # close the calendar; leaving the field enters the dates
    page.get_by_role("heading", name="Time window").click()
    page.wait_for_url(re.compile("date_from=2025-08-01"), timeout=WAIT_MS)
    idle(page)
    assert query(page)["date_to"] == "2025-08-31"
    assert 0 < shown_strikes(page) < 10
    show_panel(page, "Strikes over time")
    # a month's window is charted by day
    page.get_by_text("Strikes per day; each strike counted once").wait_for(timeout=WAIT_MS)
    page.get_by_text("affected country", exact=True).click()
    page.get_by_test_id("stVegaLiteChart").first.wait_for(timeout=WAIT_MS)
    assert page.log.errors == []


# ------------------------------------------------------------------------------------------
# basemaps and attribution


def test_online_tiles_that_fail_offer_the_offline_basemap(page, app):
    frame = open_app(page, app, basemap="OpenStreetMap")
    notice = frame.locator(".strikemap-notice")
    notice.wait_for(timeout=WAIT_MS)  # every tile request is blocked: no internet
    assert "do not load" in notice.inner_text()
    frame.get_by_role("button", name="Use the offline basemap").click()
    page.wait_for_function(
        "() => !new URLSearchParams(location.search).has('basemap')", timeout=WAIT_MS
    )
    idle(page)
    assert map_frame(page).evaluate(STATE_JS)["basemap"] == "Offline (countries)"
    assert not notice.is_visible()
    # the only errors: the tiles the test's browser may not fetch
    assert set(page.log.errors) <= {"console: Failed to load resource: net::ERR_FAILED"}
    assert page.log.blocked
    assert all("tile.openstreetmap.org" in url for url in page.log.blocked)


def test_the_attribution_credits_the_layers_shown(page, app):
    frame = open_app(page, app)
    attribution = frame.locator(".leaflet-control-attribution")
    assert "Natural Earth" in attribution.inner_text()
    assert "strikemap research" in attribution.inner_text()
    frame.locator(".leaflet-control-layers").hover()
    frame.locator(".leaflet-control-layers label", has_text="Countries").locator("input").uncheck()
    assert "Natural Earth" not in attribution.inner_text()
    assert frame.locator("path.strikemap-countries").count() == 0
    assert page.log.errors == []


def test_cluster_and_heatmap_modes_draw_without_errors(page, app):
    for mode, selector in (
        ("cluster", ".strikemap-stack, path.strikemap-strike"),
        ("heatmap", "canvas.leaflet-heatmap-layer"),
    ):
        page.goto(app.url + "?" + urlencode({"strike_mode": mode}))
        page.frame_locator(MAP_FRAME).locator(selector).first.wait_for(
            state="attached", timeout=WAIT_MS
        )
        page.wait_for_timeout(500)
    assert page.log.errors == []


def test_the_probe_follows_a_click_on_the_map(page, app):
    frame = open_app(page, app)
    page.get_by_text("Place a hypothetical strike").click()
    page.get_by_role("heading", name="What-if strike").wait_for(timeout=WAIT_MS)
    latitude = page.get_by_label("Latitude")
    before = latitude.input_value()
    frame.locator("path.strikemap-selected").wait_for(state="attached", timeout=WAIT_MS)
    frame.locator("#map_div").click(position={"x": 300, "y": 300})
    page.wait_for_function(
        "([before]) => document.querySelector('input[aria-label=\"Latitude\"]').value !== before",
        arg=[before],
        timeout=WAIT_MS,
    )
    assert latitude.input_value() != before
    assert query(page)["probe"].startswith(latitude.input_value())
    page.locator(".impact-chain, p:has-text('No linked assets')").first.wait_for(timeout=WAIT_MS)
    assert page.log.errors == []


# ------------------------------------------------------------------------------------------
# downloads


def download(page, button: str) -> Path:
    with page.expect_download(timeout=WAIT_MS) as started:
        page.get_by_role("button", name=button, exact=True).click()
    return Path(started.value.path())


def open_downloads(page) -> None:
    show_panel(page, "Downloads")
    page.get_by_test_id("stDownloadButton").first.wait_for(timeout=WAIT_MS)


def test_downloads_give_the_shown_links_and_a_briefing_map(page, app):
    open_app(page, app, weapons="missile")
    open_downloads(page)
    table = download(page, "Links (CSV)").read_text(encoding="utf-8")
    header, *rows = table.splitlines()
    assert header.startswith("strike_id,asset_id")
    assert rows
    assert all(row.split(",")[-1] for row in rows)  # every link explains itself in `detail`
    png = download(page, "Briefing map (PNG)").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    html = download(page, "Map (HTML)").read_text(encoding="utf-8")
    assert "L.map(" in html
    assert 'src="http' not in html  # Leaflet inlined: the file opens offline
    joined = download(page, "Strikes and links (CSV)").read_text(encoding="utf-8")
    assert "weapon" in joined.splitlines()[0]
    assert "missile" in joined
    assert page.log.errors == []


def test_quick_downloads_in_any_order_all_arrive(page, app):
    open_app(page, app)
    open_downloads(page)
    names = ["Map (HTML)", "Links (CSV)", "Briefing map (PNG)", "Links (CSV)"]
    arrived = []
    for name in names:  # clicked one after the other, each before the last one has arrived
        with page.expect_download(timeout=WAIT_MS) as started:
            page.get_by_role("button", name=name, exact=True).click()
        arrived.append(started)
    files = [Path(a.value.path()) for a in arrived]
    assert len(re.findall(r"strikemap\.overlay\(map_\w+,", files[0].read_text("utf-8"))) == 1
    assert files[1].read_bytes() == files[3].read_bytes()
    assert files[2].read_bytes()[:4] == b"\x89PNG"
    assert page.get_by_test_id("stDownloadButtonError").count() == 0
    assert page.log.errors == []


HOSTILE = "<script>alert('x')</script> `tick` ${x} {{'map'}} \"q\" <img src=x onerror=alert(2)>"


def test_hostile_text_shows_as_text_and_runs_nothing(
    browser, make_data_dir, minimal_features, tmp_path
):
    strike = minimal_features["strikes"][0]["properties"]
    strike["description"] = HOSTILE
    strike["name"] = "Orlivka <b>bold?</b> {{'name'}}"
    with running_app(make_data_dir(**minimal_features), tmp_path) as server:
        page = new_page(browser)
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        frame = open_app(page, server, selected=ORLIVKA)
        page.locator(".impact-chain, p:has-text('No linked assets')").first.wait_for(
            timeout=WAIT_MS
        )
        assert "Orlivka <b>bold?</b> {{'name'}}" in page.locator("body").inner_text()
        point = map_frame(page).evaluate(FIND_STRIKE_JS, 0)  # the data's only strike
        frame.locator("#map_div").hover(position=point)
        tooltip = frame.locator(".leaflet-tooltip")
        tooltip.wait_for(timeout=WAIT_MS)
        assert "Orlivka <b>bold?</b> {{'name'}}" in tooltip.inner_text()
        # the standalone map carries the description in its popup
        open_downloads(page)
        html_file = download(page, "Map (HTML)")
        standalone = page.context.new_page()
        standalone.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        standalone.set_content(html_file.read_text(encoding="utf-8"))
        standalone.locator("path.strikemap-strike").first.click()
        popup = standalone.locator(".leaflet-popup-content")
        popup.wait_for(timeout=WAIT_MS)
        assert "<script>alert('x')</script> `tick` ${x} {{'map'}}" in popup.inner_text()
        assert "<img src=x onerror=alert(2)>" in popup.inner_text()
        page.wait_for_timeout(500)
        assert dialogs == []
        assert page.log.errors == []
        page.context.close()


@pytest.mark.slow
def test_the_app_benchmark_runs_at_a_small_size(browser):
    script = Path(__file__).resolve().parent.parent / "benchmarks" / "app.py"
    done = subprocess.run(
        [sys.executable, str(script), "--sizes", "300"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    last = done.stdout.strip().splitlines()[-1]
    cells = [c.strip() for c in last.strip("|").split("|")]
    assert cells[0] == "300"
    assert float(cells[2]) > 0  # first map, seconds
    assert cells[-1] == "0"  # console errors


ACLED_UPLOAD = Path(__file__).resolve().parent / "fixtures" / "import" / "acled_odesa.csv"


def upload_on_data_tab(page, app, kind: str, path: Path) -> None:
    """Open the app's Data tab, choose an import kind and upload ``path``."""
    open_app(page, app)
    page.get_by_role("tab", name="Data").click()
    page.get_by_test_id("stRadio").get_by_text(f"{kind} import").click()
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=WAIT_MS)
    page.locator("input[type='file']").set_input_files(str(path))


def test_the_data_tab_previews_an_acled_import_without_writing(page, app):
    data_dir = Path(__file__).resolve().parent.parent / "data"

    def snapshot() -> dict[str, str]:
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in data_dir.iterdir()}

    before = snapshot()
    upload_on_data_tab(page, app, "acled", ACLED_UPLOAD)
    summary = page.get_by_test_id("stCode").filter(has_text="acled import of acled_odesa.csv")
    summary.wait_for(timeout=WAIT_MS)
    text = summary.inner_text()
    assert "rows read" in text
    assert "rejected: 2" in text
    assert "strikemap-upload-" not in text
    page.get_by_text("Rejected: 2", exact=True).wait_for(timeout=WAIT_MS)
    assert snapshot() == before
    assert page.log.errors == []


def test_a_wrong_file_on_the_data_tab_is_an_error_message_not_a_traceback(page, app):
    upload_on_data_tab(page, app, "osm", ACLED_UPLOAD)
    alert = page.get_by_test_id("stAlertContentError").filter(has_text="acled_odesa.csv")
    alert.wait_for(timeout=WAIT_MS)
    assert page.get_by_test_id("stException").count() == 0
    assert "strikemap-upload-" not in alert.inner_text()


def test_a_crafted_upload_is_a_message_without_server_paths(page, app, tmp_path):
    crafted = tmp_path / "crafted.geojson"
    crafted.write_bytes(
        b'{"type": "FeatureCollection", "features": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    )
    upload_on_data_tab(page, app, "osm", crafted)
    alert = page.get_by_test_id("stAlertContentError").filter(has_text="crafted.geojson")
    alert.wait_for(timeout=WAIT_MS)
    text = alert.inner_text()
    assert "nest more than 32 levels" in text
    assert page.get_by_test_id("stException").count() == 0
    assert str(tmp_path) not in text
    assert "/data" not in text


def test_an_upload_above_the_limit_is_refused_by_the_server(page, app, tmp_path):
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * ((DEFAULT_MAX_UPLOAD_MB + 1) * 2**20))
    upload_on_data_tab(page, app, "acled", big)
    page.get_by_text(f"File must be {DEFAULT_MAX_UPLOAD_MB}.0MB or smaller").wait_for(
        timeout=WAIT_MS
    )
    assert page.get_by_test_id("stCode").count() == 0


IMAGES_LOADED_JS = "() => [...document.images].map((img) => img.complete && img.naturalWidth > 0)"


def test_the_country_report_download_matches_the_country_table(page, app, tmp_path):
    import io

    from pypdf import PdfReader

    open_app(page, app, countries="AZE")
    row = page.get_by_test_id("stTable").locator("tr", has_text="Azerbaijan").first
    row.wait_for(timeout=WAIT_MS)
    cells = [c.strip() for c in row.locator("th, td").all_inner_texts()]
    header = [
        c.strip() for c in page.get_by_test_id("stTable").locator("thead th").all_inner_texts()
    ]
    shown = dict(zip(header, cells, strict=False))
    open_downloads(page)
    pdf = download(page, "Country report (PDF)").read_bytes()
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.metadata.title.startswith("Azerbaijan: exposure")
    cover = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    assert f"{shown['strikes']} strikes linked to Azerbaijan" in cover
    assert f"{shown['affected']} affect it" in cover
    assert f"{shown['exposed']} only expose it" in cover
    assert f"{shown['assets']} assets through which" in cover
    page.get_by_test_id("stSelectbox").filter(has_text="Report format").click()
    page.get_by_role("option", name="html").click()
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=WAIT_MS)
    html = download(page, "Country report (HTML)").read_text(encoding="utf-8")
    assert "<title>Azerbaijan: exposure" in html
    assert page.log.errors == []


def test_the_html_report_opens_offline_without_console_errors(page, tmp_path):
    from strikemap.cli import main

    out = tmp_path / "aze.html"
    assert main(["report", "--country", "AZE", "--out", str(out)]) == 0
    page.goto(out.as_uri())
    page.wait_for_load_state("load")
    assert page.title().startswith("Azerbaijan: exposure")
    assert page.evaluate(IMAGES_LOADED_JS) == [True, True]  # cover map and timeline, inline
    assert page.locator("a[href^='https://']").count() > 10
    page.wait_for_timeout(300)
    assert page.log.errors == []
    assert page.log.blocked == []
