"""OpenStreetMap GeoJSON -> pipelines, facilities, fuel stations."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely

from strikemap.layers.importers import ImportFileError, parse_osm

FIXTURES = Path(__file__).parent / "fixtures" / "import"


@pytest.fixture(scope="module")
def overpass():
    return parse_osm(FIXTURES / "osm_overpass.geojson")


def row(parsed, layer, provenance):
    frame = parsed.layers[layer]
    return frame[frame["provenance"] == provenance].iloc[0]


def test_gas_pipeline_is_transmission_with_osm_source(overpass):
    pipe = row(overpass, "pipelines", "osm:way/101")
    assert (pipe["asset_type"], pipe["sources"]) == (
        "gas_transmission",
        ["https://www.openstreetmap.org/way/101"],
    )


def test_water_pipeline_is_left_out(overpass):
    assert "osm:way/102" not in set(overpass.layers["pipelines"]["provenance"])


def test_compressor_area_becomes_a_point_inside_it(overpass):
    station = row(overpass, "facilities", "osm:way/201")
    area = shapely.box(29.150, 46.180, 29.156, 46.184)
    assert station["asset_type"] == "compressor_station"
    assert station.geometry.geom_type == "Point"
    assert area.contains(station.geometry)


def test_english_name_preferred(overpass):
    assert row(overpass, "facilities", "osm:way/201")["name"] == "Tarutyne compressor station"


def test_power_substation(overpass):
    assert row(overpass, "facilities", "osm:node/501")["asset_type"] == "substation"


def test_oil_tanks_close_together_become_one_depot(overpass):
    depots = overpass.layers["facilities"]
    depots = depots[depots["asset_type"] == "oil_depot"]
    assert list(depots["id"]) == ["fac-osm-tanks-way-401"]
    assert "3 tanks" in depots.iloc[0]["name"]


def test_brand_gives_owner_country(overpass):
    assert row(overpass, "fuel_stations", "osm:node/301")["owner_country"] == "AZE"


def test_cyrillic_brand_gives_owner_country(overpass):
    assert row(overpass, "fuel_stations", "osm:way/302")["owner_country"] == "UKR"


def test_every_row_is_precision_zero(overpass):
    precisions = {p for frame in overpass.layers.values() for p in frame["geo_precision"]}
    assert precisions == {0}


def test_feature_without_osm_id_is_rejected(overpass):
    assert [str(r) for r in overpass.rejected] == [
        "feature #12: no OSM id (expected @id or id like 'node/123')"
    ]


def test_osmium_export_with_type_and_numeric_id():
    parsed = parse_osm(FIXTURES / "osm_osmium.geojson")
    assert set(parsed.layers["fuel_stations"]["id"]) == {
        "fuel-osm-node-7001",
        "fuel-osm-node-7002",
    }
    assert list(parsed.layers["pipelines"]["asset_type"]) == ["oil"]


def test_osmium_brands(tmp_path):
    stations = parse_osm(FIXTURES / "osm_osmium.geojson").layers["fuel_stations"]
    assert sorted(stations["owner_country"]) == ["RUS", "UKR"]


def test_no_matching_features_is_an_error():
    with pytest.raises(ImportFileError, match=r"none of the 2 features .* highway=residential"):
        parse_osm(FIXTURES / "osm_no_matches.geojson")


def test_osm_xml_is_refused(tmp_path):
    path = tmp_path / "export.osm"
    path.write_text('<?xml version="1.0"?><osm></osm>', encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"not JSON .*export GeoJSON, not OSM XML"):
        parse_osm(path)


def test_missing_file(tmp_path):
    with pytest.raises(ImportFileError, match=r"no such file"):
        parse_osm(tmp_path / "nothing.geojson")
