"""The live map without a browser: payloads, labels, regions, selection, escaping, assets."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, box

from strikemap.analysis.view import View
from strikemap.layers.catalog import BY_NAME
from strikemap.layers.io import read_layers
from strikemap.maps import popups
from strikemap.maps.live import BASEMAPS, OFFLINE_BASEMAP, build_map, initial_view
from strikemap.maps.live.base import base_map, basemap_settings, script_json, with_initial_view
from strikemap.maps.live.config import NAMES_LIMIT
from strikemap.maps.live.embed import embed_parts
from strikemap.maps.live.labels import label_data, label_points, population_zoom
from strikemap.maps.live.legend import legend_sections
from strikemap.maps.live.overlay import OVERLAY_GROUP, overlay_json, overlay_script
from strikemap.maps.live.selection import country_tiers, selection_payload
from strikemap.maps.live.strikes import (
    REF_PATTERN,
    resolve_strike_mode,
    strike_ref,
    strikes_payload,
)
from strikemap.maps.offline import LOCAL_ASSETS, install_static_assets, localise_assets
from strikemap.webapp import panels

ORLIVKA = "strike-2025-08-06-orlivka"
HOSTILE = "<script>alert('x')</script> `tick` ${x} {{'map'}} \"quoted\" & <img src=x onerror=y>"
ODESA = (30.7326, 46.4775)
IZMAIL = (28.85, 45.35)
WGS84 = "EPSG:4326"


@pytest.fixture
def layers(make_data_dir, minimal_features) -> dict[str, gpd.GeoDataFrame]:
    strike = minimal_features["strikes"][0]
    strike["properties"].update(
        description=HOSTILE,
        consequences="fire; 2,500 without gas",
        place="Novosilske",
        sources=["https://example.org/a?b=1&c=2", "dataset:ACLED <x>", "javascript:alert(1)"],
    )
    minimal_features["facilities"][0]["properties"]["name"] = "Orlivka <b>CS</b>"
    return read_layers(data_dir=make_data_dir(**minimal_features))


@pytest.fixture
def links() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "strike_id": [ORLIVKA] * 4,
            "asset_id": ["fac-orlivka-cs", "fac-orlivka-cs", "", ""],
            "asset_layer": ["facilities", "facilities", "", ""],
            "country": ["UKR", "AZE", "UKR", "MDA"],
            "relation": ["target", "supply_origin", "location", "border"],
            "distance_m": [0.0, 0.0, None, 13_000.0],
            "confidence": ["high", "high", "high", "low"],
            "detail": ["named by sources <i>", "Azerbaijani gas", "in Ukraine", "13 km away"],
        }
    )


def render(fmap: folium.Map) -> str:
    return fmap.get_root().render()


def overlay_of(html: str) -> dict:
    """Return the overlay payload a standalone map passes to the runtime."""
    found = re.search(r"strikemap\.overlay\(map_\w+, (\{.*\})\)\s*\.addTo", html, re.S)
    assert found, "no overlay in the map"
    return json.loads(found.group(1))


def decode(text: str, dtype: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text), dtype=np.dtype(dtype).newbyteorder("<"))


def synthetic_strikes(n: int) -> gpd.GeoDataFrame:
    index = pd.RangeIndex(n)
    return gpd.GeoDataFrame(
        {
            "id": [f"strike-synth-{i}" for i in index],
            "name": [f"synthetic {i}" for i in index],
            "date": (pd.Timestamp("2024-01-01") + pd.to_timedelta(index % 600, unit="D"))
            .strftime("%Y-%m-%d")
            .tolist(),
            "weapon": ["drone"] * n,
            "geo_precision": [1] * n,
            "status": ["confirmed"] * n,
            "sources": [["https://example.org"]] * n,
        },
        geometry=shapely.points(28 + (index % 100) / 30, 45 + (index // 100 % 100) / 50),
        crs=WGS84,
    )


# ------------------------------------------------------------------------------------------
# base map


def test_every_catalogue_layer_is_a_toggle_crediting_its_source(layers, links):
    html = render(build_map(layers, links, View()))
    for name in ("countries", "pipelines", "power_lines", "facilities", "fuel_stations"):
        spec = BY_NAME[name]
        assert f'"{spec.title}"' in html, name
        assert f'"{name}":{json.dumps(popups.text(spec.attribution))}' in html, name
    assert "L.control.layers" in html
    assert '"collapsed": true' in html  # the control folds to its icon
    assert "addOverlay(strikemap.labels" in html  # place names toggle too


def test_the_base_map_does_not_depend_on_the_view(layers):
    first = embed_parts(base_map(layers)).script
    again = embed_parts(base_map(layers)).script

    def stable(script: str) -> str:
        return re.sub(r"_[0-9a-f]{32}", "_", script)  # folium's random element ids

    assert stable(first) == stable(again)
    assert (
        with_initial_view(first, {"center": [46.0, 30.0], "zoom": 9}).count(
            '"initialView":{"center":[46.0,30.0],"zoom":9}'
        )
        == 1
    )


def test_embed_parts_name_the_map_and_list_libraries_apart(layers):
    fmap = localise_assets(base_map(layers), "/app/static/vendor")
    parts = embed_parts(fmap)
    assert "var map_div = L.map(" in parts.script
    assert "strikemap.init(map_div" in parts.script
    assert "<script src" not in parts.header
    assert "strikemap-legend" in parts.header  # the runtime's stylesheet
    assert any(url.endswith("/leaflet/leaflet.js") for url in parts.js_links)
    assert any(url.endswith("leaflet.markercluster.js") for url in parts.js_links)
    assert all(url.startswith("/app/static/vendor/") for url in parts.js_links + parts.css_links)
    heat = re.search(r'"heatUrl":"([^"]+)"', parts.script)
    assert heat
    assert heat.group(1).startswith("/app/static/vendor/leaflet_heat/")


def test_offline_basemap_needs_no_tiles_and_online_ones_credit_the_provider(layers, links):
    offline = render(build_map(layers, links, View(), basemap=OFFLINE_BASEMAP))
    assert overlay_of(offline)["basemap"] == OFFLINE_BASEMAP
    assert "L.tileLayer(" not in offline.split("strikemap.init")[-1].split("strikemap.overlay")[0]
    settings = basemap_settings()
    assert settings[OFFLINE_BASEMAP] is None
    assert "tile.openstreetmap.org" in settings["OpenStreetMap"]["url"]
    assert "OpenStreetMap" in settings["OpenStreetMap"]["attribution"]
    with pytest.raises(ValueError, match="unknown basemap"):
        build_map(layers, links, View(), basemap="Google")
    assert set(BASEMAPS) >= {OFFLINE_BASEMAP, "OpenStreetMap"}


def test_localised_map_loads_nothing_from_the_internet(layers, links):
    for mode in ("markers", "cluster", "heatmap"):
        fmap = build_map(layers, links, View(), strike_mode=mode)
        html = render(localise_assets(fmap, "/app/static/vendor"))
        urls = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert urls, mode
        assert all(u.startswith("/app/static/vendor/") for u in urls), urls
        assert not [u for u in urls if "jquery" in u or "bootstrap" in u], urls
        if mode == "heatmap":  # a standalone file loads the heat library with the page
            assert "/app/static/vendor/leaflet_heat/leaflet_heat.min.js" in urls
    full = render(localise_assets(build_map(layers, links, View()), "/v", minimal=False))
    assert "/v/jquery/jquery.min.js" in full


def test_static_assets_are_copied_with_fonts_and_images(tmp_path: Path):
    vendor = install_static_assets(tmp_path)
    assert (vendor / "leaflet" / "leaflet.js").stat().st_size > 100_000
    assert (vendor / "leaflet" / "images" / "layers.png").exists()
    assert (vendor / "font_awesome" / "webfonts" / "fa-solid-900.woff2").exists()
    assert (vendor / "leaflet_heat" / "leaflet_heat.min.js").exists()
    used = {a.path for a in LOCAL_ASSETS.values() if a is not None}
    assert all(any(vendor.rglob(Path(p).name)) for p in used)


# ------------------------------------------------------------------------------------------
# escaping


def test_hostile_text_never_reaches_the_page_raw(layers, links):
    html = render(build_map(layers, links, View(selected=ORLIVKA)))
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "Orlivka <b>CS</b>" not in html
    assert "{{'map'}}" not in html
    # the escaped text is there, so the user reads it as text
    assert "&lt;script&gt;alert" in html.replace("\\u0026", "&")


def test_popup_links_sources_and_refuses_script_urls(layers):
    row = layers["strikes"].iloc[0].to_dict()
    body = popups.strike_popup(row)
    assert '<a href="https://example.org/a?b=1&amp;c=2" target="_blank"' in body
    assert "ACLED &lt;x&gt;" in body
    assert 'href="javascript' not in body
    assert "javascript:alert(1)" in body  # shown as text
    assert "Novosilske" in body
    assert "2,500 without gas" in body


def test_popup_marks_an_unconfirmed_strike_and_not_a_confirmed_one(layers):
    row = layers["strikes"].iloc[0].to_dict()
    assert "Status" not in popups.strike_popup({**row, "status": "confirmed"})
    body = popups.strike_popup({**row, "status": "unconfirmed"})
    assert "<th>Status</th><td>unconfirmed: reported, but not confirmed" in body
    assert "the sources contradict" in popups.strike_popup({**row, "status": "disputed"})


def test_script_json_cannot_close_a_script_element():
    text = script_json({"name": "</script><b>'x'</b>&"})
    assert "</" not in text
    assert "'" not in text
    assert "&" not in text
    assert json.loads(text) == {"name": "</script><b>'x'</b>&"}


# ------------------------------------------------------------------------------------------
# strikes


def test_strike_columns_travel_compactly_and_decode_to_the_data():
    strikes = synthetic_strikes(3_000)
    payload = strikes_payload(strikes, View(), mode="cluster")
    lat, lon = decode(payload["lat"], "float32"), decode(payload["lon"], "float32")
    np.testing.assert_allclose(lon, shapely.get_x(strikes.geometry.values), atol=1e-5)
    np.testing.assert_allclose(lat, shapely.get_y(strikes.geometry.values), atol=1e-5)
    days = decode(payload["day"], "uint16")
    assert payload["day0"] == "2024-01-01"
    assert days.tolist() == (np.arange(3_000) % 600).tolist()
    assert payload["palette"][decode(payload["cls"], "uint8")[0]] == "#d62728"  # drone
    assert payload["names"][17] == "synthetic 17"
    assert len(script_json(payload)) < 60 * 3_000  # names included; 100,000 would not be
    big = strikes_payload(synthetic_strikes(NAMES_LIMIT + 1), View(), mode="cluster")
    assert big["names"] is None
    assert len(script_json(big)) < 18 * (NAMES_LIMIT + 1) + 2_000  # about 16 bytes a strike


def test_a_clicked_strike_names_its_row_and_the_map_it_was_drawn_on():
    payload = strikes_payload(synthetic_strikes(5), View(), mode="markers")
    token = payload["token"]
    assert strike_ref(f"synthetic 3 2024-01-04 · drone [s:{token}:3]") == (token, 3)
    assert strike_ref("Orlivka compressor station") is None
    other = strikes_payload(synthetic_strikes(5), View(color_by="age"), mode="markers")
    assert other["token"] != token  # drawn differently: a click on the old map is not this one
    assert REF_PATTERN.pattern.startswith(r"\[s:")


def test_strikes_are_markers_until_the_limit():
    assert resolve_strike_mode("auto", 2_000) == "markers"
    assert resolve_strike_mode("auto", 2_001) == "cluster"
    with pytest.raises(ValueError, match="strike_mode"):
        resolve_strike_mode("dots", 10)


def test_age_colours_follow_the_view_end(layers):
    strikes = layers["strikes"]
    view = View(color_by="age", date_to=dt.date(2025, 8, 20))
    payload = strikes_payload(strikes, view, mode="markers")
    assert payload["classes"][decode(payload["cls"], "uint8")[0]] == "under 30 days"


def test_a_strike_located_only_to_a_region_is_drawn_as_its_outline():
    oblast = box(28.2, 45.2, 31.0, 47.8)  # test stand-in for Odesa oblast
    regions = gpd.GeoDataFrame(
        {"id": ["region-odesa"], "name": ["Odesa Oblast"], "iso3": ["UKR"]},
        geometry=[oblast],
        crs=WGS84,
    )
    strikes = synthetic_strikes(3).set_geometry([Point(*ODESA), Point(*ODESA), Point(*IZMAIL)])
    strikes["geo_precision"] = [3, 1, 3]
    payload = strikes_payload(strikes, View(), mode="markers", regions=regions)
    assert decode(payload["region"], "int32").tolist() == [0, -1, 0]
    (outline,) = payload["regions"]
    assert outline["name"] == "Odesa Oblast"
    assert outline["members"] == [0, 2]
    assert (
        shapely.geometry.shape(outline["geometry"])
        .normalize()
        .equals_exact(oblast.normalize(), 1e-4)
    )
    # without a regions layer, every strike is a point
    assert "region" not in strikes_payload(strikes, View(), mode="markers")


# ------------------------------------------------------------------------------------------
# selection


def test_selection_draws_links_ring_and_countries_by_tier(layers, links):
    strike = layers["strikes"].iloc[0]
    selection = selection_payload(
        strike, links, layers, country_names={"UKR": "Ukraine", "MDA": "Moldova"}
    )
    assert selection["point"] == [45.39, 28.53]
    assert selection["radius"] == 3_000.0  # precision 1: the hit radius
    (link,) = selection["links"]
    assert link["confidence"] == "high"
    assert "Orlivka &lt;b&gt;CS&lt;/b&gt;" in link["label"]
    tiers = {c["iso3"]: c["tier"] for c in selection["countries"]}
    assert tiers == {"UKR": "affected", "AZE": "affected", "MDA": "exposed"}
    assert country_tiers(links.iloc[[3]]) == {"MDA": "exposed"}  # low links only: exposed
    moldova = next(c for c in selection["countries"] if c["iso3"] == "MDA")
    assert moldova["name"] == "Moldova"
    label = Point(moldova["label"][1], moldova["label"][0])
    assert shapely.geometry.shape(moldova["geometry"]).buffer(1e-3).contains(label)
    assert label.distance(strike.geometry) <= 1.5  # placed near the strike, where one looks
    assert selection["label"].endswith("affected: AZE, Ukraine; exposed: Moldova")


def test_the_selection_has_no_fill_so_the_land_stays_readable(layers, links):
    html = render(build_map(layers, links, View(selected=ORLIVKA)))
    overlay = overlay_of(html)
    assert overlay["selection"]["countries"]
    assert "fillOpacity: 0.18" not in html
    runtime = (Path(popups.__file__).parent / "live" / "runtime.js").read_text()
    assert 'className: "strikemap-affected strikemap-" + c.tier' in runtime
    assert 'fill: false, className: "strikemap-affected' in runtime


def test_probe_is_drawn_with_its_links(layers, links):
    probe = panels.probe_strike(45.39, 28.53, precision=1, date=dt.date(2025, 8, 6))
    probe_links = links.assign(strike_id=probe["id"].iloc[0])
    html = render(build_map(layers, links, View(), probe=probe, probe_links=probe_links))
    selection = overlay_of(html)["selection"]
    assert selection["probe"] is True
    assert selection["label"].startswith("what-if probe")
    assert selection["links"]


def test_the_legend_explains_the_selection_only_when_there_is_one(layers, links):
    plain = legend_sections("age", layers)
    assert [s["title"] for s in plain] == ["Strikes by age", "Assets", "Map"]
    assert any(r["label"] == "strike, under 30 days" for r in plain[0]["rows"])
    selection = selection_payload(layers["strikes"].iloc[0], links, layers)
    chosen = legend_sections("weapon", layers, selection=selection)
    words = " ".join(r["label"] for s in chosen for r in s["rows"])
    for expected in ("selected strike", "uncertainty of its location", "link to an asset hit"):
        assert expected in words
    assert "country affected" in words
    assert "country exposed" in words
    assets = next(s for s in chosen if s["title"] == "Assets")
    assert {r["layer"] for r in assets["rows"]} >= {"pipelines", "facilities"}


def test_legend_text_is_escaped(layers):
    sections = legend_sections("weapon", {"facilities": layers["facilities"]})
    weird = {"title": popups.text("<b>x</b>"), "rows": []}
    text = script_json([*sections, weird])
    assert "<b>" not in text


# ------------------------------------------------------------------------------------------
# labels


def test_places_are_labelled_larger_first_from_the_places_layer():
    places = gpd.GeoDataFrame(
        {
            "id": ["place-izmail", "place-odesa", "place-tiny"],
            "name": ["Izmail", "Odesa", "Hamlet <i>"],
            "population": [70_000, 1_000_000, 200],  # test values
        },
        geometry=[Point(*IZMAIL), Point(*ODESA), Point(29.0, 45.5)],
        crs=WGS84,
    )
    labels = label_data({"places": places})
    names = [row[3] for row in labels["places"]]
    assert names == ["Odesa", "Izmail", "Hamlet &lt;i&gt;"]
    zooms = {row[3]: row[2] for row in labels["places"]}
    assert zooms["Odesa"] < zooms["Izmail"] < zooms["Hamlet &lt;i&gt;"]
    assert labels["places"][0][:2] == [46.4775, 30.7326]
    spec = BY_NAME.get("places")
    assert labels["attribution"] == popups.text(spec.attribution if spec else "")
    assert population_zoom(pd.Series([5_000_000, 0])).tolist() == [5, 11]


def test_without_a_places_layer_the_key_places_are_labelled(layers):
    labels = label_data({name: frame for name, frame in layers.items() if name != "places"})
    names = [row[3] for row in labels["places"]]
    assert names[0] in {"Odesa", "Chișinău", "Kyiv", "Bucharest"}
    assert "Izmail" in names
    countries = {row[2]: (row[0], row[1]) for row in labels["countries"]}
    assert set(countries) == {"Ukraine", "Romania", "Moldova", "Azerbaijan"}
    frame = layers["countries"].set_index("name")
    for name, (lat, lon) in countries.items():
        assert frame.geometry[name].contains(Point(lon, lat)), name


def test_label_points_lie_in_the_largest_part():
    small, large = box(0, 0, 1, 1), box(10, 10, 20, 20)
    points = label_points(np.array([shapely.MultiPolygon([small, large]), small]))
    assert large.contains(points[0])
    assert small.contains(points[1])


# ------------------------------------------------------------------------------------------
# overlay and opening view


def test_the_overlay_script_replaces_the_feature_group_the_page_keeps(layers, links):
    strikes_json = script_json(strikes_payload(layers["strikes"], View(), mode="markers"))
    payload = overlay_json(basemap=OFFLINE_BASEMAP, strikes_json=strikes_json, legend=[])
    assert json.loads(payload)["strikes"]["n"] == 1
    script = overlay_script(payload)
    assert f"var {OVERLAY_GROUP} = strikemap.overlay(map_div," in script
    assert f"window.feature_group.push({OVERLAY_GROUP})" in script
    with pytest.raises(ValueError, match="unknown basemap"):
        overlay_json(basemap="Google", strikes_json=strikes_json, legend=[])


def test_the_map_opens_on_the_selection_else_the_extent(layers):
    strikes = layers["strikes"]
    assert initial_view(View(), strikes, strikes.iloc[0]) == {"center": [45.39, 28.53], "zoom": 9}
    assert initial_view(View(bbox=(28.0, 45.0, 31.0, 47.0)), strikes) == {
        "bounds": [[45.0, 28.0], [47.0, 31.0]]
    }
    assert initial_view(View(), strikes.iloc[:0]) == {"center": None, "zoom": None}
