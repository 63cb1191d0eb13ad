"""GridKit (ENTSO-E map) lines, links and buses -> power_lines and substations."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely

from strikemap.layers.importers import ImportFileError, parse_gridkit

FIXTURES = Path(__file__).parent / "fixtures" / "open_data"


@pytest.fixture(scope="module")
def lines():
    return parse_gridkit(FIXTURES / "gridkit_lines.geojson").layers["power_lines"]


def line(frame, line_id):
    return frame.set_index("provenance").loc[f"gridkit:line/{line_id}"]


def test_lines_keep_the_gridkit_id_and_map_the_voltage_class(lines):
    isaccea = line(lines, "14720")
    assert (isaccea["id"], isaccea["voltage_kv"], isaccea["voltage_class"]) == (
        "power-gridkit-line-14720",
        400,
        "380-400 kV",
    )
    assert line(lines, "3134")["voltage_kv"] == 330  # GridKit's 300 class is 330 kV here


def test_the_110_150_kv_class_has_no_single_voltage(lines):
    assert line(lines, "14546")["voltage_kv"] is None
    assert line(lines, "14546")["voltage_class"] == "110-150 kV"


def test_lines_are_schematic_not_exact(lines):
    assert set(lines["route_accuracy"]) == {"schematic"}
    assert set(lines["geo_precision"]) == {2}
    assert lines["location_note"].str.contains("schematic").all()


def test_under_construction_and_tso_country(lines):
    artsyz = line(lines, "3134")
    assert (artsyz["status"], artsyz["owner_country"]) == ("under_construction", "UKR")


def test_lines_outside_the_map_region_are_skipped_with_a_note():
    parsed = parse_gridkit(FIXTURES / "gridkit_lines.geojson")
    assert "gridkit:line/7388" not in set(parsed.layers["power_lines"]["provenance"])  # Syria
    assert parsed.notes[0].startswith("skipped 1 features outside the map region")


def test_a_line_crossing_the_region_edge_is_clipped_to_it():
    parsed = parse_gridkit(FIXTURES / "gridkit_lines.geojson", bbox=(28.0, 45.0, 28.45, 46.0))
    geometry = line(parsed.layers["power_lines"], "14720").geometry
    assert shapely.bounds(geometry)[2] <= 28.45 + 1e-9
    assert shapely.within(geometry, shapely.box(28.0, 45.0, 28.45, 46.0).buffer(1e-9))


def test_broken_rows_are_rejected_by_name_and_the_rest_imports():
    parsed = parse_gridkit(FIXTURES / "broken_gridkit_lines.geojson")
    assert [str(r) for r in parsed.rejected] == [
        "feature 2: geometry: missing or not a readable GeoJSON geometry",
        "feature 3: voltage: missing or not a number",
        "feature 4: line_id: repeats an earlier row",
    ]
    assert set(parsed.layers["power_lines"]["provenance"]) == {
        "gridkit:line/14720",
        "gridkit:line/14546",
    }


def test_buses_become_one_substation_per_station():
    parsed = parse_gridkit(FIXTURES / "gridkit_buses.geojson")
    stations = parsed.layers["substations"].set_index("provenance")
    isaccea = stations.loc["gridkit:station/3815"]  # buses 3155 (400 kV) and 3156 (750 kV)
    assert (isaccea["voltage_kv"], isaccea["voltage_class"]) == (750, "750 kV/380-400 kV")
    assert isaccea["owner_country"] == "ROU"
    assert "gridkit:station/3817" in stations.index  # Artsyz, 330 kV
    assert parsed.notes == [
        "skipped 2 buses that are line joints or generator connections, not substations"
    ]


def test_pypsa_eur_csv_with_hstore_tags_and_wkt():
    # rows of PyPSA-Eur's data/entsoegridkit/links.csv as committed there
    parsed = parse_gridkit(FIXTURES / "gridkit_links.csv")
    links = parsed.layers["power_lines"].set_index("provenance")
    assert set(links.index) == {"gridkit:link/5946", "gridkit:link/14811"}  # 5577: Saudi Arabia
    assert links.loc["gridkit:link/5946", "owner_country"] == "TUR"
    assert links.loc["gridkit:link/5946", "name"] == "HVDC link (GridKit 5946)"
    assert links.loc["gridkit:link/14811", "owner_country"] is None  # no tags in the source
    clipped = links.loc["gridkit:link/14811"].geometry  # Italy-Albania, cut at 20 E
    assert shapely.bounds(clipped)[0] >= 20.0 - 1e-9


def test_a_file_that_is_not_gridkit_is_refused(tmp_path):
    path = tmp_path / "ports.geojson"
    path.write_text((FIXTURES / "geonames.geojson").read_text(encoding="utf-8"))
    with pytest.raises(ImportFileError, match="no line_id, link_id or bus_id column"):
        parse_gridkit(path)
