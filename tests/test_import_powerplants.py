"""powerplantmatching plant lists and PyPSA-Eur refinery tables -> power_plants, facilities."""

from __future__ import annotations

from pathlib import Path

import pytest

from strikemap.layers.importers import ImportFileError, parse_powerplants, parse_refineries

FIXTURES = Path(__file__).parent / "fixtures" / "open_data"


@pytest.fixture(scope="module")
def plants():
    parsed = parse_powerplants(FIXTURES / "powerplants.csv", as_of=2024)
    return parsed.layers["power_plants"].set_index("name", drop=False)


def test_fuel_becomes_the_asset_type(plants):
    assert plants.loc["Kuchurgan Moldavskaya Moldova", "asset_type"] == "coal_power_plant"
    assert plants.loc["Kuchurgan", "asset_type"] == "gas_power_plant"
    assert plants.loc["Kuchurgan", "capacity_mw"] == 710


def test_provenance_keeps_the_most_stable_upstream_id(plants):
    assert plants.loc["Kuchurgan", "provenance"] == "ppm:GEM/L100000103032"
    assert plants.loc["Kuchurgan Moldavskaya Moldova", "provenance"] == "ppm:GEO/GEO-43028"
    assert plants.loc["Amintaio", "provenance"] == "ppm:ENTSOE/29WAISAMYNT-I--L"  # an EIC code


def test_closure_year_before_the_release_makes_a_plant_inactive(plants):
    assert plants.loc["Amintaio", "status"] == "inactive"
    assert plants.loc["Amintaio", "notes"] == "closed in 2020 (DateOut)"
    assert plants.loc["Kuchurgan", "status"] == "operating"


def test_plants_outside_the_region_and_small_plants_are_skipped_with_notes():
    parsed = parse_powerplants(FIXTURES / "powerplants.csv", min_capacity_mw=10, as_of=2024)
    names = set(parsed.layers["power_plants"]["name"])
    assert "Moldova Solar" not in names  # 1.5 MW
    assert "Odesa Oblast Solar" in names  # 30.2 MW
    assert "skipped 1 plants below 10 MW" in parsed.notes


def test_broken_rows_are_rejected_by_row_and_field():
    parsed = parse_powerplants(FIXTURES / "broken_powerplants.csv", as_of=2024)
    assert [str(r) for r in parsed.rejected] == [
        "row 3: lat: missing or not a number",
        "row 4: Name: empty",
    ]
    assert len(parsed.layers["power_plants"]) == 4


def test_a_csv_without_coordinates_is_refused(tmp_path):
    path = tmp_path / "plants.csv"
    path.write_text("Name,Fueltype,Capacity\nKuchurgan,Natural Gas,710\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"missing powerplantmatching column.*lat: one of"):
        parse_powerplants(path)


def test_refineries_become_facilities_citing_their_own_source():
    parsed = parse_refineries(FIXTURES / "refineries.csv")
    facilities = parsed.layers["facilities"]
    assert list(facilities["provenance"]) == ["pypsa-refinery:odesa-refinery-lukoil"]  # Fier: out
    odesa = facilities.iloc[0]
    assert odesa["asset_type"] == "refinery"
    assert odesa["sources"][0] == "https://en.wikipedia.org/wiki/List_of_oil_refineries"
    assert odesa["notes"] == "capacity 70,000 bbl/day"
