"""NGA World Port Index -> facilities of type port."""

from __future__ import annotations

from pathlib import Path

import pytest

from strikemap.layers.importers import ImportFileError, parse_wpi

FIXTURES = Path(__file__).parent / "fixtures" / "open_data"


@pytest.fixture(scope="module")
def ports():
    return parse_wpi(FIXTURES / "wpi.csv").layers["facilities"].set_index("provenance")


def test_ports_keep_the_index_number(ports):
    assert ports.loc["wpi:43625", "name"] == "Port of Izmayil"
    assert ports.loc["wpi:43625", "id"] == "fac-port-izmayil-43625"
    assert set(ports["asset_type"]) == {"port"}


def test_port_details_go_to_the_notes(ports):
    assert ports.loc["wpi:43650", "notes"] == (
        "also called Odyessa; UN/LOCODE UA ODS; harbour size large; harbour type coastal "
        "(breakwater); oil terminal depth (m) 4.9"
    )


def test_positions_to_the_minute_are_near_not_exact(ports):
    assert set(ports["geo_precision"]) == {2}
    assert ports["location_note"].str.contains("nearest minute").all()


def test_ports_outside_the_region_are_skipped():
    parsed = parse_wpi(FIXTURES / "wpi.csv")
    assert "wpi:44870" not in set(parsed.layers["facilities"]["provenance"])  # Botas, 35.9 E
    assert parsed.notes[0].startswith("skipped 1 features outside the map region")


def test_broken_rows_are_rejected_and_the_rest_imports():
    parsed = parse_wpi(FIXTURES / "broken_wpi.csv")
    assert [str(r) for r in parsed.rejected] == [
        "row 3: Latitude/Longitude: out of range (latitude -90..90, longitude -180..180); are "
        "they swapped or in metres?",
        "row 5: World Port Index Number: repeats an earlier port",
    ]
    assert set(parsed.layers["facilities"]["provenance"]) == {"wpi:43625", "wpi:43650"}


def test_a_semicolon_separated_file_is_refused_with_the_fix(tmp_path):
    path = tmp_path / "wpi.csv"
    text = (FIXTURES / "wpi.csv").read_text(encoding="utf-8").replace(",", ";")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportFileError, match="semicolon-separated"):
        parse_wpi(path)
