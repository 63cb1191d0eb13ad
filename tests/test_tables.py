"""Table exports: CSV, GeoJSON and XLSX of the shown strikes and their links."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import pandas as pd
import pytest
from openpyxl import load_workbook
from shapely.geometry import Point

from strikemap.exports.files import ExportFormatError, ExportWriteError
from strikemap.exports.tables import LINK_COLUMNS, STRIKE_COLUMNS, export_table, save_table
from strikemap.layers.catalog import STRIKES
from strikemap.layers.io import empty_layer, normalise_layer

URL_A = "https://kyivindependent.com/russian-drones-hit-gas-station-in-odesa-oblast/?utm=1&x=2"
URL_B = "https://babel.ua/en/news/120320-russia-struck-a-gas-station"


@pytest.fixture
def strikes() -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame(
        [
            {
                "id": "strike-2025-08-06-orlivka",
                "name": "Drone strike on Orlivka station",
                "date": "2025-08-06",
                "date_precision": "day",
                "weapon": "drone",
                "status": "confirmed",
                "geo_precision": 2,
                "sources": [URL_A, URL_B],
                "target_ids": ["fac-orlivka-cs"],
                "description": '=HYPERLINK("http://evil.example")',
                "geometry": Point(28.53, 45.39),
            },
            {
                "id": "strike-2025-08-08-odesa",
                "name": "Strike on SOCAR depot",
                "date": "2025-08-08",
                "date_precision": "day",
                "weapon": "drone",
                "status": "confirmed",
                "geo_precision": 3,
                "sources": ["dataset:ACLED (Ukrinform)"],
                "geometry": Point(30.7233, 46.4825),
            },
        ],
        geometry="geometry",
        crs=4326,
    )
    return normalise_layer(frame, STRIKES)


@pytest.fixture
def links() -> pd.DataFrame:
    return pd.DataFrame(
        [
            ("strike-2025-08-06-orlivka", "fac-orlivka-cs", "facilities", "UKR", "target", 0.4,
             "high", "named", "named by the sources"),
            ("strike-2025-08-06-orlivka", "fac-orlivka-cs", "facilities", "AZE", "supply_origin",
             0.4, "high", "named", "Azerbaijani gas on the Trans-Balkan route"),
            ("strike-other", "x", "facilities", "ROU", "nearby", 10.0, "low", "threat_radius",
             "not shown"),
        ],
        columns=list(LINK_COLUMNS),
    )  # fmt: skip


def test_csv_has_one_row_per_link_and_keeps_strikes_without_links(strikes, links):
    table = pd.read_csv(io.BytesIO(export_table(strikes, links, fmt="csv")), dtype=str)
    assert list(table.columns) == [*STRIKE_COLUMNS, *LINK_COLUMNS[1:]]
    assert table["id"].tolist() == [
        "strike-2025-08-06-orlivka",
        "strike-2025-08-06-orlivka",
        "strike-2025-08-08-odesa",
    ]
    assert table["country"].fillna("").tolist() == ["UKR", "AZE", ""]  # 'strike-other' dropped
    assert table["date"].tolist() == ["2025-08-06", "2025-08-06", "2025-08-08"]
    assert table.loc[0, "sources"] == f"{URL_A} ; {URL_B}"  # full URLs, query strings kept
    assert table.loc[0, "distance_m"] == "0"
    assert table.loc[0, "lon"] == "28.53"


def test_csv_defuses_text_that_spreadsheets_would_run_as_a_formula(strikes, links):
    table = pd.read_csv(io.BytesIO(export_table(strikes, links, fmt="csv", table="strikes")))
    assert table.loc[0, "description"] == '\'=HYPERLINK("http://evil.example")'


@pytest.mark.parametrize(("table", "rows"), [("strikes", 2), ("links", 2)])
def test_csv_can_hold_strikes_or_links_alone(strikes, links, table, rows):
    frame = pd.read_csv(io.BytesIO(export_table(strikes, links, fmt="csv", table=table)))
    assert len(frame) == rows
    expected = STRIKE_COLUMNS if table == "strikes" else LINK_COLUMNS
    assert list(frame.columns) == list(expected)


def test_geojson_is_points_with_their_links(strikes, links):
    collection = json.loads(export_table(strikes, links, fmt="geojson"))
    assert collection["type"] == "FeatureCollection"
    first, second = collection["features"]
    assert first["geometry"] == {"type": "Point", "coordinates": [28.53, 45.39]}
    assert first["properties"]["date"] == "2025-08-06"
    assert first["properties"]["sources"] == [URL_A, URL_B]
    assert [link["country"] for link in first["properties"]["links"]] == ["UKR", "AZE"]
    assert first["properties"]["links"][0]["distance_m"] == 0
    assert second["properties"]["links"] == []
    assert second["properties"]["weapon_detail"] is None
    assert gpd.read_file(io.BytesIO(export_table(strikes, links, fmt="geojson"))).shape[0] == 2


def test_xlsx_opens_with_two_sheets_and_text_stays_text(strikes, links):
    workbook = load_workbook(io.BytesIO(export_table(strikes, links, fmt="xlsx")))
    assert workbook.sheetnames == ["strikes", "links"]
    sheet = workbook["strikes"]
    header = [cell.value for cell in sheet[1]]
    assert header == list(STRIKE_COLUMNS)
    row = dict(zip(header, sheet[2], strict=True))
    assert row["date"].value == "2025-08-06"
    assert row["sources"].value == f"{URL_A} ; {URL_B}"
    assert row["description"].data_type == "s"  # stored as text, never as a formula
    assert workbook["links"].max_row == 3  # header + the two links of shown strikes


def test_empty_selection_exports_headers_only(links):
    empty = empty_layer(STRIKES)
    csv = pd.read_csv(io.BytesIO(export_table(empty, links, fmt="csv")))
    assert csv.empty
    assert list(csv.columns) == [*STRIKE_COLUMNS, *LINK_COLUMNS[1:]]
    assert json.loads(export_table(empty, links, fmt="geojson"))["features"] == []
    workbook = load_workbook(io.BytesIO(export_table(empty, pd.DataFrame(), fmt="xlsx")))
    assert workbook["strikes"].max_row == 1


def test_save_table_picks_the_format_from_the_suffix(strikes, links, tmp_path):
    path = save_table(strikes, links, tmp_path / "strikes.geojson")
    assert json.loads(path.read_text(encoding="utf-8"))["type"] == "FeatureCollection"
    assert save_table(strikes, links, tmp_path / "s.xlsx").read_bytes()[:2] == b"PK"


def test_bad_table_requests_raise_clear_errors(strikes, links, tmp_path):
    with pytest.raises(ExportFormatError, match="unknown table format 'parquet'"):
        export_table(strikes, links, fmt="parquet")
    with pytest.raises(ExportFormatError, match="unknown table 'assets'"):
        export_table(strikes, links, table="assets")
    with pytest.raises(ValueError, match="choose one of csv, geojson, xlsx"):
        save_table(strikes, links, tmp_path / "s.txt")
    with pytest.raises(ExportWriteError, match="does not exist"):
        save_table(strikes, links, tmp_path / "nope" / "s.csv")


@pytest.mark.parametrize("table", ["joined", "links"])
def test_csv_defuses_formulas_in_categorical_link_text(strikes, links, table):
    """The join gives categorical columns (detail among them): their text is defused too."""
    risky = links.assign(detail=pd.Categorical(['=HYPERLINK("http://evil.example")'] * len(links)))
    frame = pd.read_csv(io.BytesIO(export_table(strikes, risky, fmt="csv", table=table)))
    described = frame["detail"].dropna()  # the joined table has a strike without links
    assert (
        described.tolist() == ['\'=HYPERLINK("http://evil.example")'] * 2
    )  # 'strike-other' dropped


def test_csv_text_defuses_categorical_text_columns():
    from strikemap.exports.files import csv_text

    frame = pd.DataFrame({"name": pd.Categorical(["=1+1", "plain", "@SUM(A1)"])})
    assert csv_text(frame) == "name\n'=1+1\nplain\n'@SUM(A1)\n"
