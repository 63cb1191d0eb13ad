"""The running app in headless Chromium, with no internet: map, click, layer toggle, shared URL."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

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

from strikemap.webapp.data_page import DEFAULT_MAX_UPLOAD_MB

pytestmark = pytest.mark.browser

ORLIVKA = "strike-2025-08-06-orlivka"
WAIT_MS = 60_000

ONE_MAP_JS = f"() => document.querySelectorAll({MAP_FRAME!r}).length === 1"
FIND_STRIKE_JS = """
(id) => {
    const map = window.map;
    const layer = Object.values(map._layers).find(
        (l) => l.feature && l.feature.properties && l.feature.properties.id === id
    );
    if (!layer) { return null; }
    map.setView(layer.getLatLng(), 11, {animate: false});
    // lower left, clear of the expanded layer control (one row per catalogue layer) and legend
    map.panBy([120, -150], {animate: false});
    const point = map.latLngToContainerPoint(layer.getLatLng());
    return {x: point.x, y: point.y};
}
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


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    log = PageLog()
    watch_offline(context, log)
    page = context.new_page()
    watch_page(page, log)
    page.log = log
    yield page
    context.close()


def open_app(page, app, **params: str):
    page.goto(app.url + ("?" + urlencode(params) if params else ""))
    frame = page.frame_locator(MAP_FRAME)
    frame.locator("path.strikemap-strike").first.wait_for(state="attached", timeout=WAIT_MS)
    # the download buttons come last: when they are there, the script run has finished
    page.get_by_test_id("stDownloadButton").last.wait_for(timeout=WAIT_MS)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=WAIT_MS)
    return frame


def shown_strikes(page) -> int:
    label = page.get_by_test_id("stMetric").filter(has_text="Strikes shown")
    return int(label.get_by_test_id("stMetricValue").inner_text())


def test_map_paints_offline_with_every_strike_and_no_errors(page, app):
    frame = open_app(page, app)
    page.wait_for_timeout(500)
    assert frame.locator("path.strikemap-strike").count() == shown_strikes(page)
    assert frame.locator(".strikemap-legend").is_visible()
    assert any(url.endswith("/vendor/leaflet/leaflet.js") for url in page.log.local)
    assert not [u for u in page.log.blocked if "leaflet" in u or "jquery" in u]
    assert page.log.errors == []


def test_clicking_a_strike_shows_its_impact_chain(page, app):
    frame = open_app(page, app)
    map_frame = page.frame(url=re.compile("streamlit_folium"))
    point = map_frame.evaluate(FIND_STRIKE_JS, ORLIVKA)
    assert point is not None, "the Orlivka strike is not on the map"
    frame.locator("#map_div").click(position=point)
    page.get_by_text("Impact chain").wait_for(timeout=WAIT_MS)
    chain = page.locator(".impact-chain")
    chain.wait_for(timeout=WAIT_MS)
    assert "Azerbaijan" in chain.inner_text()
    assert page.locator(".impact-chain a[href^='https://']").count() > 0
    page.wait_for_url(re.compile(f"selected={ORLIVKA}"), timeout=WAIT_MS)
    frame.locator("path.strikemap-selected").wait_for(timeout=WAIT_MS)
    assert frame.locator("path.strikemap-link").count() > 0
    assert page.log.errors == []


def test_toggling_a_layer_hides_it(page, app):
    frame = open_app(page, app)
    pipelines = frame.locator("path.strikemap-pipelines")
    assert pipelines.count() > 0
    frame.locator(".leaflet-control-layers label", has_text="Pipelines").locator("input").uncheck()
    assert pipelines.count() == 0
    assert frame.locator("path.strikemap-strike").count() > 0
    assert page.log.errors == []


def test_a_shared_url_reopens_the_same_view(page, app):
    frame = open_app(page, app, selected=ORLIVKA, weapons="drone", color_by="age")
    frame.locator("path.strikemap-selected").wait_for(timeout=WAIT_MS)
    page.locator(".impact-chain").wait_for(timeout=WAIT_MS)
    assert "Orlivka" in page.locator(".impact-chain").inner_text()
    assert "Strikes by age" in frame.locator(".strikemap-legend").inner_text()
    drones = shown_strikes(page)
    assert frame.locator("path.strikemap-strike").count() == drones
    weapons = page.get_by_test_id("stMultiSelect").filter(has_text="Weapon")
    assert "drone" in weapons.inner_text()
    assert page.log.errors == []


def test_a_bad_url_shows_a_notice(page, app):
    open_app(page, app, weapons="laser", selected="no-such-strike")
    notices = page.get_by_test_id("stAlert")
    notices.first.wait_for(timeout=WAIT_MS)
    text = " ".join(notices.all_inner_texts())
    assert "weapons" in text
    assert "selected" in text
    assert page.log.errors == []


@pytest.mark.parametrize(
    ("mode", "selector"),
    [
        ("cluster", "path.strikemap-strike, .marker-cluster"),
        ("heatmap", "canvas.leaflet-heatmap-layer"),
    ],
)
def test_cluster_and_heatmap_modes_draw_without_errors(page, app, mode, selector):
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
    # the toggle changes st_folium's arguments, so a new map frame replaces the old one at the
    # end of the run; until then both are on the page
    page.wait_for_function(ONE_MAP_JS, timeout=WAIT_MS)
    latitude = page.get_by_label("Latitude")
    before = latitude.input_value()
    frame.locator("path.strikemap-selected").wait_for(state="attached", timeout=WAIT_MS)
    frame.locator("#map_div").click(position={"x": 260, "y": 420})
    page.wait_for_function(
        "([before]) => document.querySelector('input[aria-label=\"Latitude\"]').value !== before",
        arg=[before],
        timeout=WAIT_MS,
    )
    assert latitude.input_value() != before
    page.locator(".impact-chain, p:has-text('No linked assets')").first.wait_for(timeout=WAIT_MS)
    assert page.log.errors == []


HOSTILE = "<script>alert('x')</script> `tick` ${x} {{'map'}} \"q\" <img src=x onerror=alert(2)>"


def test_hostile_text_shows_as_text_and_runs_nothing(
    browser, make_data_dir, minimal_features, tmp_path
):
    strike = minimal_features["strikes"][0]["properties"]
    strike["description"] = HOSTILE
    strike["name"] = "Orlivka <b>bold?</b> {{'name'}}"
    with running_app(make_data_dir(**minimal_features), tmp_path) as server:
        context = browser.new_context(viewport={"width": 1500, "height": 1100})
        log = PageLog()
        watch_offline(context, log)
        page = context.new_page()
        watch_page(page, log)
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        frame = open_app(page, server, selected=ORLIVKA)
        page.locator(".impact-chain, p:has-text('No linked assets')").first.wait_for(
            timeout=WAIT_MS
        )
        assert "Orlivka <b>bold?</b> {{'name'}}" in page.locator("body").inner_text()
        map_frame = page.frame(url=re.compile("streamlit_folium"))
        point = map_frame.evaluate(FIND_STRIKE_JS, ORLIVKA)
        frame.locator("#map_div").click(position=point)  # through the selection overlays
        popup = frame.locator(".leaflet-popup-content")
        popup.wait_for(timeout=WAIT_MS)
        assert "<script>alert('x')</script> `tick` ${x} {{'map'}}" in popup.inner_text()
        assert "<img src=x onerror=alert(2)>" in popup.inner_text()
        page.wait_for_timeout(500)
        assert dialogs == []
        assert log.errors == []
        context.close()


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


def download(page, button: str) -> Path:
    """Click a download button and return the file; retried, since a rerun that lands between
    drawing the button and the click (st_folium reports its first value) voids its link."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(3):
        try:
            with page.expect_download(timeout=WAIT_MS / 3) as started:
                page.get_by_role("button", name=button, exact=True).click()
            return Path(started.value.path())
        except PlaywrightTimeout:
            page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=WAIT_MS)
    pytest.fail(f"no download from {button!r}")


def test_downloads_give_the_shown_links_and_a_briefing_map(page, app):
    open_app(page, app, weapons="missile")
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
    cells = [c.strip() for c in row.locator("th, td").all_inner_texts()]
    header = [
        c.strip() for c in page.get_by_test_id("stTable").locator("thead th").all_inner_texts()
    ]
    shown = dict(zip(header, cells, strict=False))
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
