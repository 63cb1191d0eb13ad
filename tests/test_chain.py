"""The impact chain as an analyst's note: grouped by asset, countries together, places not notes."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, box

from strikemap.analysis import View, analyse, load_dataset
from strikemap.geo.assets import combine_assets
from strikemap.geo.chain import place_name, strike_chain
from strikemap.geo.detail import LinkExplainer
from strikemap.geo.impact import link_strikes
from strikemap.layers.catalog import ASSET_ROLES
from strikemap.maps.html import save_html_map
from strikemap.maps.popups import MAX_OPEN_ASSETS, impact_chain_html

WGS84 = "EPSG:4326"
NOTE = (
    "Novosilske / Orlivka, Reni hromada (near RO border; opposite Isaccea); coords = approx. "
    "Novosilske, derived from de.wikipedia (11 km NE of Orlivka 45.3194N 28.4506E)"
)
STRIKE = {
    "id": "s1",
    "name": "Drone strike on the <b>station</b>",
    "date": "2025-08-06",
    "geo_precision": 2,
    "status": "confirmed",
    "target_ids": ["fac-station"],
    "place": NOTE,
    "admin1": "Odesa",
    "sources": ["https://example.org/report?a=1&b=2"],
}
COUNTRIES = gpd.GeoDataFrame(
    {"iso3": ["UKR"], "name": ["Ukraine"]}, geometry=[box(29.9, 45.0, 32.0, 48.0)], crs=WGS84
)
NAMES = {"AZE": "Azerbaijan", "BGR": "Bulgaria", "GRC": "Greece", "ROU": "Romania"}
RELATIONS = pd.DataFrame(
    [
        ("fac-station", "AZE", "supply_origin", "2025-07-28", ""),
        ("fac-station", "BGR", "transit", "", ""),
        ("fac-station", "ROU", "transit", "", ""),
        ("fac-station", "GRC", "transit", "2025-07-01", ""),
    ],
    columns=["asset_id", "country", "relation", "valid_from", "valid_to"],
).assign(note="", source="https://example.org")


def depot(fid: str, lon: float) -> dict:
    return {
        "id": fid,
        "name": f"Depot {fid[-1]}",
        "asset_type": "oil_depot",
        "geo_precision": 1,
        "geometry": Point(lon, 46.5),
    }


@pytest.fixture
def chain_inputs():
    strikes = gpd.GeoDataFrame([STRIKE], geometry=[Point(30.5, 46.5)], crs=WGS84)
    facilities = [
        {
            "id": "fac-station",
            "name": "Orlivka <station>",
            "asset_type": "compressor_station",
            "geo_precision": 2,
            "geometry": Point(30.5, 46.5),
        },
        *(depot(f"fac-depot-{k}", 30.6 + 0.02 * k) for k in range(4)),
    ]
    frame = gpd.GeoDataFrame(facilities, geometry="geometry", crs=WGS84)
    assets = combine_assets({"facilities": frame}, layers=ASSET_ROLES)
    table = link_strikes(strikes, assets, RELATIONS, COUNTRIES, country_names=NAMES)
    explainer = LinkExplainer(strikes, assets, RELATIONS, COUNTRIES, country_names=NAMES)
    return table, explainer


def test_the_chain_is_one_line_per_asset_with_its_countries_together(chain_inputs):
    table, explainer = chain_inputs
    chain = strike_chain(STRIKE, table, explainer)
    station = chain.assets[0]
    assert (station.name, station.relation, station.confidence) == (
        "Orlivka <station>",
        "target",
        "high",
    )
    assert [group.text for group in station.countries] == [
        "Azerbaijan: supply origin of its gas since 2025-07-28",
        "Bulgaria, Romania: transit",
        "Greece: transit since 2025-07-01",
    ]
    # the depots near the strike follow the target, nearest first, each once
    assert [a.asset_id for a in chain.nearby] == [f"fac-depot-{k}" for k in range(3)]
    assert [(c.name, c.relation) for c in chain.direct] == [("Ukraine", "location")]


def test_a_strikes_place_is_a_place_name_with_its_precision_in_words(chain_inputs):
    table, explainer = chain_inputs
    chain = strike_chain(STRIKE, table, explainer)
    assert chain.place == "Novosilske / Orlivka, Reni hromada (near RO border; opposite Isaccea)"
    assert chain.known_to == "location known to the area of a town or part of a district"


@pytest.mark.parametrize(
    ("place", "expected"),
    [
        ("Izmail city", "Izmail city"),
        ("Reni port, Izmail district (opposite Romania; borders Moldova)", None),
        ("coords = 45.3N 28.4E (wiki mirror)", "Odesa"),
        ("", "Odesa"),
        (None, "Odesa"),
    ],
)
def test_place_name_keeps_the_place_and_drops_notes(place, expected):
    got = place_name({"place": place, "admin1": "Odesa"})
    assert got == (expected or place)


def test_the_chain_html_reads_as_a_note_escapes_and_folds_long_chains(chain_inputs):
    table, explainer = chain_inputs
    body = impact_chain_html(STRIKE, table, explainer, asset_sources={"fac-station": ["x<y"]})
    assert "coords" not in body
    assert "wikipedia" not in body
    assert "Novosilske / Orlivka, Reni hromada (near RO border; opposite Isaccea)" in body
    assert "<li>Bulgaria, Romania: transit</li>" in body
    assert body.count("Azerbaijan") == 1  # one line per country, not one paragraph per link
    assert "Orlivka &lt;station&gt;" in body
    assert "<station>" not in body
    assert "Drone strike on the &lt;b&gt;station&lt;/b&gt;" in body
    assert '<a href="https://example.org/report?a=1&amp;b=2"' in body
    assert "Asset sources: x&lt;y" in body
    # 1 target + 3 nearby depots: beyond MAX_OPEN_ASSETS lines the nearby ones fold away
    opened, folded = body.split("<details>")
    assert opened.count("<b>Depot") == MAX_OPEN_ASSETS - 1
    assert folded.count("<b>Depot") == 1
    assert "<summary>1 more asset nearby (low confidence)</summary>" in folded
    assert body.index("<details>") < body.index("<b>Ukraine</b>")


def test_the_html_export_carries_the_selected_strikes_chain(tmp_path):
    dataset = load_dataset()
    analysis = analyse(dataset, View(selected="strike-2025-08-06-orlivka"))
    html = save_html_map(analysis, tmp_path / "map.html", offline=False).read_text()
    assert "Bulgaria, Romania: transit" in html
    assert "Azerbaijan: supply origin of its gas from 2025-07-28 to 2025-08-31" in html
    without = save_html_map(analyse(dataset, View()), tmp_path / "all.html", offline=False)
    assert "Bulgaria, Romania: transit" not in without.read_text()
