"""UCDP Georeferenced Event Dataset (CSV, GeoJSON) -> conflict_events."""

from __future__ import annotations

from pathlib import Path

import pytest

from strikemap.layers.catalog import CONFLICT_EVENTS
from strikemap.layers.importers import ImportFileError, parse_ucdp

FIXTURES = Path(__file__).parent / "fixtures" / "open_data"


@pytest.fixture(scope="module")
def events():
    return parse_ucdp(FIXTURES / "ucdp_ged.csv").layers["conflict_events"].set_index("provenance")


def test_the_csv_and_the_geojson_give_the_same_events(events):
    from_geojson = parse_ucdp(FIXTURES / "ucdp_ged.geojson").layers["conflict_events"]
    columns = ["id", "date", "date_precision", "violence_type", "deaths_best", "geo_precision"]
    assert from_geojson.set_index("provenance")[columns].equals(events[columns])


def test_month_first_dates_of_spreadsheet_copies_are_read_as_such(events):
    assert events.loc["ucdp:153030", "date"] == "2014-05-02"  # '05/02/2014 00:00'
    assert events.loc["ucdp:448643", "date"] == "2022-09-23"  # '9/23/2022 12:00:00 AM'


def test_where_prec_becomes_geo_precision(events):
    assert events.loc["ucdp:153030", "geo_precision"] == 1  # a named town
    assert events.loc["ucdp:446721", "geo_precision"] == 3  # a raion
    assert "first-order administrative division" in events.loc["ucdp:446394", "location_note"]


def test_the_layer_is_context_hidden_by_default():
    assert CONFLICT_EVENTS.shown is False
    assert not CONFLICT_EVENTS.is_asset


def test_broken_rows_are_rejected_by_row_and_field():
    parsed = parse_ucdp(FIXTURES / "broken_ucdp_ged.csv")
    assert [str(r) for r in parsed.rejected] == [
        "row 3: date_start: not a date (YYYY-MM-DD)",
        "row 4: type_of_violence: not 1, 2 or 3",
    ]
    assert len(parsed.layers["conflict_events"]) == 4


def test_a_csv_missing_ged_columns_is_refused(tmp_path):
    path = tmp_path / "ged.csv"
    path.write_text("id,latitude,longitude\n1,46.4,30.7\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="missing required UCDP GED column"):
        parse_ucdp(path)
