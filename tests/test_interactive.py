"""The folium map, its escaping, its offline assets and the panels' helpers (no Streamlit)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import folium
import geopandas as gpd
import pandas as pd
import pytest
import shapely

from strikemap.analysis.view import View
from strikemap.layers.io import read_layers
from strikemap.maps import popups
from strikemap.maps.interactive import (
    BASEMAPS,
    OFFLINE_BASEMAP,
    STRIKE_CLASS,
    build_map,
    legend_html,
    resolve_strike_mode,
)
from strikemap.maps.offline import LOCAL_ASSETS, install_static_assets, localise_assets
from strikemap.maps.style import strike_legend
from strikemap.webapp import panels

ORLIVKA = "strike-2025-08-06-orlivka"
HOSTILE = "<script>alert('x')</script> `tick` ${x} {{'map'}} \"quoted\" & <img src=x onerror=y>"


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
            "strike_id": [ORLIVKA] * 3,
            "asset_id": ["fac-orlivka-cs", "fac-orlivka-cs", ""],
            "asset_layer": ["facilities", "facilities", ""],
            "country": ["UKR", "AZE", "UKR"],
            "relation": ["target", "supply_origin", "location"],
            "distance_m": [0.0, 0.0, None],
            "confidence": ["high", "high", "high"],
            "detail": ["named by sources <i>", "Azerbaijani gas since 2025-07-28", "in Ukraine"],
        }
    )


def render(fmap: folium.Map) -> str:
    return fmap.get_root().render()


def test_every_catalogue_layer_is_a_toggle(layers, links):
    html = render(build_map(layers, links, View()))
    for title in ("Countries", "Pipelines", "Power lines", "Energy facilities", "Fuel stations"):
        assert f'"{title}"' in html, title
    assert '"Strikes"' in html
    assert "L.control.layers" in html


def test_legend_lists_the_strike_colours(layers, links):
    html = render(build_map(layers, links, View(color_by="age")))
    assert "strikemap-legend" in html
    assert "under 30 days" in html
    assert "Strikes by age" in html


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


def test_strikes_are_markers_with_a_class_until_the_limit(layers, links):
    html = render(build_map(layers, links, View(), strike_mode="markers"))
    assert STRIKE_CLASS in html
    assert resolve_strike_mode("auto", 2_000) == "markers"
    assert resolve_strike_mode("auto", 2_001) == "cluster"


def test_many_strikes_are_clustered_and_send_no_popups(links):
    many = synthetic_strikes(3_000)
    html = render(build_map({"strikes": many}, links.iloc[:0], View()))
    assert "markerClusterGroup" in html
    assert '"strike-synth-17"]' in html  # the tooltip, which also drives selection
    assert "strikemap-popup" not in html
    assert len(html) < 100_000 + 3_000 * 60


def test_heatmap_mode_draws_a_heat_layer(layers, links):
    html = render(build_map(layers, links, View(), strike_mode="heatmap"))
    assert "L.heatLayer" in html


def test_selection_draws_links_circle_and_affected_countries(layers, links):
    html = render(build_map(layers, links, View(selected=ORLIVKA)))
    assert "strikemap-link" in html
    assert "strikemap-selected" in html
    assert "#ffd700" in html  # affected countries highlighted
    assert "L.circle(" in html
    assert "strikemap-link" not in render(build_map(layers, links, View()))


def test_probe_is_drawn_with_its_links(layers, links):
    probe = panels.probe_strike(45.39, 28.53, precision=1, date=dt.date(2025, 8, 6))
    probe_links = links.assign(strike_id=probe["id"].iloc[0])
    html = render(build_map(layers, links, View(), probe=probe, probe_links=probe_links))
    assert "What-if probe" in html
    assert "strikemap-link" in html


def test_offline_basemap_needs_no_tiles_and_online_ones_credit_the_provider(layers, links):
    offline = render(build_map(layers, links, View(), basemap=OFFLINE_BASEMAP))
    assert "L.tileLayer" not in offline
    osm = render(build_map(layers, links, View(), basemap="OpenStreetMap"))
    assert "tile.openstreetmap.org" in osm
    assert "OpenStreetMap" in osm
    with pytest.raises(ValueError, match="unknown basemap"):
        build_map(layers, links, View(), basemap="Google")
    assert set(BASEMAPS) >= {OFFLINE_BASEMAP, "OpenStreetMap"}


def test_localised_map_loads_nothing_from_the_internet(layers, links, tmp_path):
    for mode in ("markers", "cluster", "heatmap"):
        fmap = build_map(layers, links, View(), strike_mode=mode)
        html = render(localise_assets(fmap, "/app/static/vendor"))
        urls = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert urls, mode
        assert all(u.startswith("/app/static/vendor/") for u in urls), urls
        assert not [u for u in urls if "jquery" in u or "bootstrap" in u], urls
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


def test_legend_text_is_escaped():
    html = legend_html(strike_legend("weapon"), title="<b>x</b>")
    assert "&lt;b&gt;x&lt;/b&gt;" in html


# ------------------------------------------------------------------------------------------
# panels


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
        crs="EPSG:4326",
    )


def test_click_on_a_tooltip_naming_a_strike_selects_it(layers):
    strikes = layers["strikes"]
    tooltip = f"name\tDrone strike\nid\t{ORLIVKA}"
    assert panels.strike_from_click({"last_object_clicked_tooltip": tooltip}, strikes) == ORLIVKA
    asset = {"last_object_clicked_tooltip": "name\tOrlivka compressor station"}
    assert panels.strike_from_click(asset, strikes) is None


def test_click_near_a_strike_without_tooltip_selects_the_nearest(layers):
    strikes = layers["strikes"]
    near = {"last_object_clicked": {"lat": 45.391, "lng": 28.531}}
    far = {"last_object_clicked": {"lat": 47.0, "lng": 31.0}}
    assert panels.strike_from_click(near, strikes) == ORLIVKA
    assert panels.strike_from_click(far, strikes) is None


def test_country_table_and_timeline(layers, links):
    table = panels.country_table(links, layers["strikes"], country_names={"UKR": "Ukraine"})
    assert set(table.index) == {"AZE", "UKR"}
    ukr = table.loc["UKR"]
    assert ukr["name"] == "Ukraine"
    assert ukr["strongest relation"] == "target"
    assert ukr["first date"] == layers["strikes"]["date"].iloc[0]
    assert table.loc["AZE", "name"] == "AZE"  # no name known: the code
    weekly = panels.weekly_timeline(layers["strikes"], links)
    assert set(weekly["country"]) == {"UKR", "AZE"}
    assert weekly["week"].dt.day_of_week.eq(0).all()
    unlinked = panels.weekly_timeline(layers["strikes"], links.iloc[:0])
    assert unlinked["country"].tolist() == [panels.NO_COUNTRY]


def test_impact_chain_is_readable_and_escaped(layers, links):
    strike = layers["strikes"].iloc[0].to_dict()
    body = popups.impact_chain_html(
        strike,
        links,
        asset_names={"fac-orlivka-cs": "Orlivka <b>CS</b>"},
        country_names={"AZE": "Azerbaijan"},
    )
    assert "Orlivka &lt;b&gt;CS&lt;/b&gt;" in body
    assert "Azerbaijan (AZE)" in body
    assert body.index("target") < body.index("supply_origin") < body.index("location")
    assert "named by sources &lt;i&gt;" in body
    assert '<a href="https://example.org/a?b=1&amp;c=2"' in body


def test_the_strike_picker_keeps_a_hidden_selection_and_caps_its_length(layers):
    strikes = layers["strikes"]
    options = panels.strike_options(strikes.iloc[:0], ORLIVKA)
    assert options == ["", ORLIVKA]
    many = pd.concat([strikes] * 5, ignore_index=True)
    many["id"] = [f"strike-{i}" for i in range(len(many))]
    many["date"] = [f"2025-01-{i + 1:02d}" for i in range(len(many))]
    newest = panels.strike_options(many, limit=3)
    assert newest == ["", many["id"].iloc[-1], many["id"].iloc[-2], many["id"].iloc[-3]]
    assert panels.strike_options(many, "strike-0", limit=3)[-1] == "strike-0"
