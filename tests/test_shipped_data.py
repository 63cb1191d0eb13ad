"""Facts about the shipped data in data/ that a user relies on, read through layers.io."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from strikemap.layers.catalog import (
    ASSET_LAYERS,
    CATALOG,
    COUNTRIES,
    FACILITIES,
    FUEL_STATIONS,
    PIPELINES,
    STRIKES,
    LayerSpec,
)
from strikemap.layers.io import (
    read_layer,
    read_layers,
    read_relations,
    write_layer,
    write_relations,
)
from strikemap.layers.paths import SHIPPED_DATA_DIR
from strikemap.layers.schema import RELATIONS_TABLE

DATA = SHIPPED_DATA_DIR
TRANS_BALKAN = "Trans-Balkan / Vertical Gas Corridor Route 1"
CONTEXT_EVENTS = {"B-E02", "B-E03", "B-E09", "B-E21", "B-E23", "B-E25"}
"""Kyiv embassy incidents, Moldovan grid spill-overs and the drone in Romanian airspace."""
UNCONFIRMED_EVENTS = {"B-E17"}
"""The SOCAR filling station, reported only by Azerbaijani media and channels."""


@pytest.fixture(scope="module")
def layers() -> dict[str, gpd.GeoDataFrame]:
    return read_layers(data_dir=DATA)


@pytest.fixture(scope="module")
def strikes(layers: dict[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    return layers[STRIKES.name].set_index("id", drop=False)


@pytest.fixture(scope="module")
def asset_ids(layers: dict[str, gpd.GeoDataFrame]) -> set[str]:
    return {i for spec in ASSET_LAYERS for i in layers[spec.name]["id"]}


def test_orlivka_strike_is_a_drone_strike_near_novosilske_naming_the_station(
    strikes: gpd.GeoDataFrame,
) -> None:
    orlivka = strikes.loc["strike-2025-08-06-orlivka"]
    assert orlivka["date"] == "2025-08-06"
    assert orlivka["weapon"] == "drone"
    assert orlivka["geo_precision"] == 2
    assert "fac-orlivka-cs" in orlivka["target_ids"]
    assert orlivka["provenance"] == "research:B-E15"


def test_every_target_id_names_an_asset(strikes: gpd.GeoDataFrame, asset_ids: set[str]) -> None:
    named = {t for ids in strikes["target_ids"] for t in ids}
    assert named, "no strike names a target"
    assert named <= asset_ids, f"unknown target ids: {sorted(named - asset_ids)}"


def test_every_relation_names_an_asset(asset_ids: set[str]) -> None:
    relations = read_relations(data_dir=DATA)
    assert set(relations["asset_id"]) <= asset_ids


def test_no_strike_is_located_more_precisely_than_a_settlement(strikes: gpd.GeoDataFrame) -> None:
    too_exact = strikes.loc[strikes["geo_precision"] < 1, "id"].tolist()
    assert not too_exact


@pytest.mark.parametrize("spec", [s for s in CATALOG if s is not COUNTRIES], ids=lambda s: s.name)
def test_every_approximate_point_says_what_it_stands_for(
    layers: dict[str, gpd.GeoDataFrame], spec: LayerSpec
) -> None:
    frame = layers[spec.name]
    approximate = frame[frame["geo_precision"] >= 1]
    unexplained = approximate.loc[approximate["location_note"].fillna("").str.len() < 20, "id"]
    assert not unexplained.tolist()


@pytest.mark.parametrize("spec", CATALOG, ids=lambda s: s.name)
def test_every_feature_cites_a_web_source(
    layers: dict[str, gpd.GeoDataFrame], spec: LayerSpec
) -> None:
    frame = layers[spec.name]
    cited = frame["sources"].map(
        lambda urls: any(u.startswith(("http://", "https://")) for u in urls)
    )
    assert cited.all(), frame.loc[~cited, "id"].tolist()


def test_socar_assets_are_owned_by_azerbaijan(layers: dict[str, gpd.GeoDataFrame]) -> None:
    assets = pd.concat([layers[FACILITIES.name], layers[FUEL_STATIONS.name]])
    socar = assets[assets["operator"].fillna("").str.contains("SOCAR")]
    assert set(socar["id"]) == {"fac-socar-odesa-depot", "fuel-socar-odesa"}
    assert (socar["owner_country"] == "AZE").all()
    relations = read_relations(data_dir=DATA)
    owners = relations[(relations["relation"] == "owner") & (relations["country"] == "AZE")]
    assert set(socar["id"]) <= set(owners["asset_id"])


def research_ids(frame: gpd.GeoDataFrame) -> set[str]:
    return set(frame["provenance"].str.removeprefix("research:"))


def test_context_events_are_the_kyiv_moldova_and_airspace_ones(strikes: gpd.GeoDataFrame) -> None:
    context = strikes[strikes["status"] == "context"]
    assert research_ids(context) == CONTEXT_EVENTS
    assert set(context["admin1"]) <= {"Kyiv", "Gagauzia", "Chisinau", "Tulcea"}


def test_only_the_socar_filling_station_strike_is_unconfirmed(strikes: gpd.GeoDataFrame) -> None:
    unconfirmed = strikes[strikes["status"] == "unconfirmed"]
    assert research_ids(unconfirmed) == UNCONFIRMED_EVENTS
    assert unconfirmed["name"].str.contains("unconfirmed").all()
    others = strikes[~strikes["status"].isin(["context", "unconfirmed"])]
    assert (others["status"] == "confirmed").all()


def test_every_strike_in_odesa_oblast_lies_in_ukraine(
    strikes: gpd.GeoDataFrame, countries: gpd.GeoDataFrame
) -> None:
    # B-E10 sat at the Moldovan debris site and so read as "location: Moldova"
    odesa = strikes[strikes["admin1"] == "Odesa"]
    ukraine = countries.loc[countries["iso3"] == "UKR"].geometry.iat[0]
    outside = odesa.loc[~odesa.geometry.within(ukraine), "id"].tolist()
    assert not outside


def test_a_strike_named_for_two_places_is_split_by_place(strikes: gpd.GeoDataFrame) -> None:
    # B-E06 hit Reni and Izmail ports, 45 km apart: one strike per port, each naming its port
    split = strikes[strikes["provenance"] == "research:B-E06"].set_index("id")
    assert dict(split["target_ids"].map(tuple)) == {
        "strike-2023-09-13-reni": ("fac-reni-port",),
        "strike-2023-09-13-izmail": ("fac-izmail-port",),
    }
    assert (split["geo_precision"] == 1).all()


def test_azerbaijani_gas_links_the_route_only_from_the_first_purchase() -> None:
    relations = read_relations(data_dir=DATA)
    station = relations[
        (relations["asset_id"] == "fac-orlivka-cs")
        & (relations["country"] == "AZE")
        & (relations["relation"] == "supply_origin")
    ]
    assert station["valid_from"].tolist() == ["2025-07-28"]


@pytest.fixture(scope="module")
def countries(layers: dict[str, gpd.GeoDataFrame]) -> gpd.GeoDataFrame:
    return layers[COUNTRIES.name]


def test_countries_layer_has_valid_polygons_for_the_region(countries: gpd.GeoDataFrame) -> None:
    assert {"UKR", "ROU", "MDA", "BGR", "GRC", "TUR", "AZE"} <= set(countries["iso3"])
    assert set(countries.geom_type) <= {"Polygon", "MultiPolygon"}
    assert shapely.is_valid(countries.geometry.values).all()
    assert (countries["id"] == "country-" + countries["iso3"].str.lower()).all()


@pytest.mark.parametrize(
    ("lon", "lat", "iso3"),
    [
        (34.1, 44.95, "UKR"),  # Crimea (Simferopol area): Ukraine in the German point of view
        (29.63, 46.84, "MDA"),  # Tiraspol, Transnistria: Moldova
        (28.4506, 45.3194, "UKR"),  # Orlivka, on the Danube
        (28.46, 45.27, "ROU"),  # Isaccea, across the river
    ],
)
def test_points_fall_in_the_right_country(
    countries: gpd.GeoDataFrame, lon: float, lat: float, iso3: str
) -> None:
    holding = countries[countries.contains(shapely.Point(lon, lat))]
    assert holding["iso3"].tolist() == [iso3]


def test_country_codes_know_countries_outside_the_region() -> None:
    codes = pd.read_csv(DATA / "country_codes.csv", dtype=str, keep_default_na=False)
    assert {"USA", "FIN", "AZE", "FRA", "NOR"} <= set(codes["iso3"])
    assert codes["iso3"].is_unique


def test_trans_balkan_segments_connect_end_to_start(layers: dict[str, gpd.GeoDataFrame]) -> None:
    pipes = layers[PIPELINES.name]
    route = pipes[pipes["system"] == TRANS_BALKAN]
    starts = dict(zip(route["id"], shapely.get_point(route.geometry.values, 0), strict=True))
    ends = dict(zip(route["id"], shapely.get_point(route.geometry.values, -1), strict=True))
    chain = [next(i for i in starts if not any(starts[i].equals(e) for e in ends.values()))]
    while nxt := [i for i in starts if starts[i].equals(ends[chain[-1]])]:
        assert len(nxt) == 1
        chain.append(nxt[0])
    assert len(chain) == len(route) >= 6
    assert chain[0] == "pipe-tb-gr-revithoussa-kulata"
    station = layers[FACILITIES.name].set_index("id").geometry["fac-orlivka-cs"]
    assert any(station.equals(starts[i]) for i in chain), "Orlivka station is not on the route"


@pytest.mark.parametrize("spec", CATALOG, ids=lambda s: s.name)
def test_write_then_read_reproduces_each_layer_file(spec: LayerSpec, tmp_path: Path) -> None:
    written = write_layer(read_layer(spec, data_dir=DATA), spec, data_dir=tmp_path)
    assert written.read_bytes() == (DATA / spec.file).read_bytes()


def test_write_then_read_reproduces_relations(tmp_path: Path) -> None:
    written = write_relations(read_relations(data_dir=DATA), data_dir=tmp_path)
    assert written.read_bytes() == (DATA / RELATIONS_TABLE.file).read_bytes()
