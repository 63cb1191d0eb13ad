"""Benchmark the running app in headless Chromium on synthetic layers of growing size.

For each size the shipped assets, countries and relations are copied next to N synthetic strikes,
``streamlit run app.py`` starts on that folder, and Chromium (no internet) measures:

- cold first map: first visit, the impact join still to run (empty caches);
- first map: later visits in fresh browsers, with the data and join cached (the number the
  issue's target is about); medians of three visits, as are the other columns;
- rerun: time from a filter change (the weapon filter) until the map shows the new strikes (the
  map frame stays: only its overlay changes);
- click to chain: time from a click on one strike (zoomed in so it stands alone) until the
  sidebar shows its impact chain;
- MB received: everything the browser received on that visit (HTTP bodies as sent, plus
  websocket frames), including Streamlit's own frontend (about 5.5 MB) and the map libraries
  (about 0.9 MB) that a browser caches after the first visit;
- MB app data: the websocket frames alone, i.e. what this app sends (map script, tables, chart);
- with ``--reference``, the bare reference page in the same run (a cached FastMarkerCluster in
  ``st_folium`` and nothing else) and the ratio of the app's first map to it;
- with ``--dense``, synthetic assets added to the data (3,000 power lines, 600 pipelines, 3,000
  facilities), the open-data layers' size.

Usage::

    python benchmarks/app.py                     # 1e3, 1e4, 1e5 strikes
    python benchmarks/app.py --sizes 10000 --reference
    python benchmarks/app.py --screenshot docs/img/app-orlivka.png   # shipped data, Orlivka

``STRIKEMAP_BENCH_TIMEOUT_MS`` (default 300000) bounds each wait, so a stuck step fails early.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT, ROOT / "tests"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import geopandas as gpd  # noqa: E402
from browser_support import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    MAP_FRAME,
    PageLog,
    running_app,
    watch_offline,
    watch_page,
)
from playwright.sync_api import sync_playwright  # noqa: E402

from strikemap.layers.catalog import BY_NAME, STRIKES  # noqa: E402
from strikemap.layers.io import read_layers, write_layer  # noqa: E402
from strikemap.layers.paths import SHIPPED_DATA_DIR  # noqa: E402
from strikemap.maps.offline import install_static_assets  # noqa: E402

SIZES = (1_000, 10_000, 100_000)
REGION = (28.3, 45.2, 31.5, 47.6)
"""Odesa oblast and the Danube area: west, south, east, north."""
TIMEOUT_MS = int(os.environ.get("STRIKEMAP_BENCH_TIMEOUT_MS", "300000"))
"""How long to wait for the page (ms); a smaller value makes a stuck step fail early."""
ORLIVKA = "strike-2025-08-06-orlivka"
STRIKE_SELECTOR = "path.strikemap-strike, .marker-cluster, canvas.leaflet-heatmap-layer"


def synthetic_strikes(n: int, *, seed: int = 42) -> gpd.GeoDataFrame:
    """Return ``n`` confirmed strikes scattered over the region, drones and missiles."""
    rng = np.random.default_rng(seed)
    west, south, east, north = REGION
    dates = pd.Timestamp("2022-03-01") + pd.to_timedelta(rng.integers(0, 1_400, n), unit="D")
    ids = [f"strike-synth-{i}" for i in range(n)]
    return gpd.GeoDataFrame(
        {
            "id": ids,
            "name": [f"synthetic strike {i}" for i in range(n)],
            "sources": [["https://example.org/synthetic"]] * n,
            "geo_precision": rng.integers(0, 4, n),
            "date": dates.strftime("%Y-%m-%d"),
            "date_precision": "day",
            "weapon": rng.choice(["drone", "missile"], n, p=[0.7, 0.3]),
            "status": "confirmed",
            "target_ids": [[] for _ in range(n)],
        },
        geometry=shapely.points(rng.uniform(west, east, n), rng.uniform(south, north, n)),
        crs="EPSG:4326",
    )


def make_data_dir(n: int, root: Path, *, dense: bool = False) -> Path:
    """Copy the shipped layers and replace the strikes with ``n`` synthetic ones."""
    folder = root / f"data-{n}{'-dense' if dense else ''}"
    shutil.copytree(SHIPPED_DATA_DIR, folder)
    strikes = synthetic_strikes(n)
    for spec_field in STRIKES.field_names:
        if spec_field not in strikes:
            strikes[spec_field] = None
    write_layer(strikes, STRIKES, data_dir=folder)
    if dense:
        add_dense_assets(folder)
    return folder


DENSE = {"power_lines": 3_000, "pipelines": 600, "facilities": 3_000}
"""Synthetic assets added with ``--dense``: about the open-data layers' size (issue 10)."""


def add_dense_assets(folder: Path, *, seed: int = 7) -> None:
    """Append seeded synthetic lines and points to the asset layers (marked ``synth``)."""
    rng = np.random.default_rng(seed)
    west, south, east, north = REGION
    shipped = read_layers(data_dir=folder)
    for name, count in DENSE.items():
        spec = BY_NAME[name]
        x0, y0 = rng.uniform(west, east, count), rng.uniform(south, north, count)
        if "Point" in spec.geometry_types:
            geometry = shapely.points(x0, y0)
        else:
            steps = rng.normal(0, 0.02, (count, 6, 2)).cumsum(axis=1)
            coords = steps + np.stack([x0, y0], axis=1)[:, None, :]
            geometry = shapely.linestrings(coords)
        extra = gpd.GeoDataFrame(
            {
                "id": [f"{name.replace('_', '-')}-synth-{i}" for i in range(count)],
                "name": [f"synthetic {spec.title.lower()} {i}" for i in range(count)],
                "sources": [["https://example.org/synthetic"]] * count,
                "geo_precision": 0,
            },
            geometry=geometry,
            crs="EPSG:4326",
        )
        for field in spec.fields:
            if field.name not in extra:
                vocabulary = field.vocabulary or ()
                extra[field.name] = vocabulary[0] if field.required and vocabulary else None
        frame = pd.concat([shipped[name], extra[list(shipped[name].columns)]], ignore_index=True)
        write_layer(gpd.GeoDataFrame(frame, crs="EPSG:4326"), spec, data_dir=folder)


def visit(browser, url: str, *, selector: str = STRIKE_SELECTOR) -> tuple[float, PageLog, object]:
    """Open ``url`` in a fresh offline context; return seconds to the first strike drawn."""
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    log = PageLog()
    watch_offline(context, log)
    page = context.new_page()
    watch_page(page, log)
    start = time.perf_counter()
    page.goto(url)
    page.frame_locator(MAP_FRAME).locator(selector).first.wait_for(
        state="attached", timeout=TIMEOUT_MS
    )
    return time.perf_counter() - start, log, page


TOKEN_JS = """() => {
    const frame = document.querySelector(MAP);
    const runtime = frame && frame.contentWindow.strikemap;
    return runtime && runtime.strikes ? runtime.strikes.token : null;
}""".replace("MAP", repr(MAP_FRAME))
REDRAWN_JS = """(old) => {
    const frame = document.querySelector(MAP);
    const runtime = frame && frame.contentWindow.strikemap;
    return Boolean(runtime && runtime.strikes && runtime.strikes.token !== old
        && frame.contentDocument.querySelector(STRIKES));
}""".replace("MAP", repr(MAP_FRAME)).replace("STRIKES", repr(STRIKE_SELECTOR))


def rerun_after_filter(page) -> float:
    """Pick 'missile' in the weapon filter; seconds until the map shows the new strikes.

    The map frame stays (only its overlay changes), so the clock stops when the strikes it
    draws are new ones (another token).
    """
    frame = page.frame(url=re.compile("streamlit_folium"))
    frame.evaluate("() => map.setView([46.4, 29.9], 7, {animate: false})")  # every strike in view
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=TIMEOUT_MS)
    old = page.evaluate(TOKEN_JS)
    box = page.get_by_test_id("stMultiSelect").filter(has_text="Weapon")
    box.scroll_into_view_if_needed()
    box.click()
    start = time.perf_counter()
    page.get_by_role("option", name="missile").click()
    page.wait_for_function(REDRAWN_JS, arg=old, timeout=TIMEOUT_MS, polling=50)
    seconds = time.perf_counter() - start
    page.keyboard.press("Escape")
    return seconds


ZOOM_TO_STRIKE_JS = """(i) => {
    const st = strikemap.strikes;
    map.setView([st.lat[i], st.lon[i]], 16, {animate: false});
}"""
MARKED_STRIKE_JS = """(i) => {
    // the first strike from i on drawn as a marker (one located only to a region is drawn as
    // the region's outline)
    const st = strikemap.strikes;
    for (let k = 0; k < st.markers.length; k++) {
        const j = (i + k) % st.markers.length;
        if (st.markers[j]) { return j; }
    }
    return null;
}"""
STRIKE_POINT_JS = """(i) => {
    const st = strikemap.strikes;
    const marker = st.markers[i];
    if (!marker || !marker._path || !document.body.contains(marker._path)) { return null; }
    const p = map.latLngToContainerPoint([st.lat[i], st.lon[i]]);
    return {x: p.x, y: p.y};
}"""


CHAIN_SHOWN_JS = """(before) => {
    // another strike selected, and the sidebar's chain names it ("synthetic strike K")
    const id = new URLSearchParams(location.search).get("selected");
    if (!id || id === before) { return false; }
    const name = "synthetic strike " + id.split("-").pop();
    return [...document.querySelectorAll("[data-testid=stSidebar] b")]
        .some((b) => b.textContent === name);
}"""


def click_to_chain(page, index: int) -> float:
    """Click strike ``index`` (or the next marker); seconds until the sidebar shows its chain."""
    frame = page.frame(url=re.compile("streamlit_folium"))
    index = frame.evaluate(MARKED_STRIKE_JS, index)
    frame.evaluate(ZOOM_TO_STRIKE_JS, index)
    frame.wait_for_function(f"() => ({STRIKE_POINT_JS})({index}) !== null", timeout=TIMEOUT_MS)
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=TIMEOUT_MS)
    point = frame.evaluate(STRIKE_POINT_JS, index)
    before = page.evaluate("() => new URLSearchParams(location.search).get('selected')")
    start = time.perf_counter()
    page.frame_locator(MAP_FRAME).locator("#map_div").click(position=point)
    page.wait_for_function(CHAIN_SHOWN_JS, arg=before, timeout=TIMEOUT_MS, polling=20)
    return time.perf_counter() - start


REFERENCE_PAGE = """
import numpy as np, folium, folium.plugins, streamlit as st
from streamlit_folium import st_folium
from strikemap.maps.offline import localise_assets

@st.cache_data
def points(n):
    rng = np.random.default_rng(42)
    return np.column_stack([rng.uniform(45.2, 47.6, n), rng.uniform(28.3, 31.5, n)]).tolist()

fmap = folium.Map(location=(46.3, 30.0), zoom_start=7, tiles=None, **{"maxZoom": 18})
callback = "function (row) { return L.circleMarker(new L.LatLng(row[0], row[1])); }"
n = int(st.query_params.get("n", 1000))
folium.plugins.FastMarkerCluster(points(n), callback=callback).add_to(fmap)
localise_assets(fmap, "/app/static/vendor")
st_folium(fmap, height=620, returned_objects=["last_object_clicked"])
"""
"""The bare reference: a cached FastMarkerCluster in st_folium and nothing else, with the same
locally served libraries and no tiles, timed to its first cluster icon."""


def measure_reference(n: int, browser, workdir: Path) -> dict[str, object]:
    """First map of the bare reference page with ``n`` cached points."""
    page_path = workdir / "reference_page.py"
    page_path.write_text(REFERENCE_PAGE, encoding="utf-8")
    install_static_assets(workdir / "static")
    with running_app(None, workdir, app_path=page_path) as server:
        url = f"{server.url}?n={n}"
        _, _, page = visit(browser, url, selector=".marker-cluster")
        page.context.close()
        times = []
        for _ in range(3):
            seconds, _, page = visit(browser, url, selector=".marker-cluster")
            times.append(seconds)
            page.context.close()
    return {"strikes": n, "reference first map s": round(statistics.median(times), 2)}


def measure(
    n: int, browser, workdir: Path, *, repeats: int = 3, dense: bool = False
) -> dict[str, object]:
    """Start the app on ``n`` synthetic strikes; medians of ``repeats`` warm visits."""
    data_dir = make_data_dir(n, workdir, dense=dense)
    first, rerun, chain, received, app_data, errors = [], [], [], [], [], 0
    with running_app(data_dir, workdir) as server:
        cold, _, page = visit(browser, server.url)
        page.context.close()
        for k in range(repeats):
            seconds, log, page = visit(browser, server.url)
            page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=TIMEOUT_MS)
            page.wait_for_timeout(1_000)
            first.append(seconds)
            received.append(log.bytes_received)
            app_data.append(log.websocket_bytes)
            chain.append(click_to_chain(page, (k * 7_919 + 11) % n))
            rerun.append(rerun_after_filter(page))
            errors += len(log.errors)
            page.context.close()
    return {
        "strikes": n,
        "cold first map s": round(cold, 2),
        "first map s": round(statistics.median(first), 2),
        "rerun s": round(statistics.median(rerun), 2),
        "click to chain s": round(statistics.median(chain), 2),
        "MB received": round(statistics.median(received) / 1e6, 2),
        "MB app data": round(statistics.median(app_data) / 1e6, 2),
        "console errors": errors,
    }


def screenshot(browser, path: Path, workdir: Path) -> None:
    """Save the app on the shipped data with the Orlivka strike selected (1600 x 1000)."""
    with running_app(None, workdir) as server:
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        watch_offline(context, PageLog())
        page = context.new_page()
        page.goto(f"{server.url}?selected={ORLIVKA}")
        frame = page.frame_locator(MAP_FRAME)
        frame.locator("path.strikemap-selected").wait_for(state="attached", timeout=TIMEOUT_MS)
        page.locator(".impact-chain").wait_for(timeout=TIMEOUT_MS)
        page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=TIMEOUT_MS)
        frame.locator(".strikemap-legend-toggle").click()
        page.wait_for_timeout(1_500)
        path.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(path))
        context.close()


def markdown_table(rows: list[dict[str, object]]) -> str:
    """Return ``rows`` as a Markdown table (for benchmarks/README.md)."""
    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + " ---: |" * len(header)]
    lines += [
        "| "
        + " | ".join(f"{r[h]:,}" if isinstance(r[h], int) else str(r[h]) for h in header)
        + " |"
        for r in rows
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark (or take the README screenshot) and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--screenshot", type=Path, help="save the Orlivka screenshot and stop")
    parser.add_argument(
        "--reference", action="store_true", help="also time a bare st_folium cluster page"
    )
    parser.add_argument(
        "--dense",
        action="store_true",
        help="add 3,000 power lines, 600 pipelines, 3,000 facilities",
    )
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="strikemap-bench-") as tmp,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        if args.screenshot:
            screenshot(browser, args.screenshot, Path(tmp))
            print(f"saved {args.screenshot}")
            return 0
        rows = []
        for n in args.sizes:
            row = measure(n, browser, Path(tmp), dense=args.dense)
            if args.reference:
                row |= measure_reference(n, browser, Path(tmp))
                row["first map / reference"] = round(
                    row["first map s"] / row["reference first map s"], 2
                )
            rows.append(row)
            print(pd.DataFrame(rows).to_string(index=False), flush=True)
        browser.close()
    print()
    print(markdown_table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
