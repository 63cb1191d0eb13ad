"""GEM pipeline exports (CSV with WKT, GeoJSON) -> pipelines."""

from __future__ import annotations

from pathlib import Path

import pytest

from strikemap.layers.importers import ImportFileError, parse_gem

FIXTURES = Path(__file__).parent / "fixtures" / "import"


@pytest.fixture(scope="module")
def from_csv():
    return parse_gem(FIXTURES / "gem_pipelines.csv")


def pipe(parsed, provenance):
    frame = parsed.layers["pipelines"]
    return frame[frame["provenance"] == provenance].iloc[0]


def test_segment_is_part_of_id_and_name(from_csv):
    row = pipe(from_csv, "gem:P0101/Isaccea-Orlivka")
    assert (row["id"], row["name"]) == (
        "pipe-gem-p0101-isaccea-orlivka",
        "Trans-Balkan Gas Pipeline - Isaccea-Orlivka",
    )


def test_status_mapping(from_csv):
    assert pipe(from_csv, "gem:P0102")["status"] == "under_construction"


@pytest.mark.parametrize(
    ("provenance", "accuracy"),
    [
        ("gem:P0101/Isaccea-Orlivka", "approximate"),
        ("gem:P0102", "schematic"),
        ("gem:P0103", "exact"),
    ],
)
def test_route_accuracy_mapping(from_csv, provenance, accuracy):
    assert pipe(from_csv, provenance)["route_accuracy"] == accuracy


def test_oil_pipeline_type_owner_and_capacity(from_csv):
    row = pipe(from_csv, "gem:P0103")
    assert (row["asset_type"], row["operator"], row["notes"]) == (
        "oil",
        "Ukrtransnafta [100%]",
        "capacity 14.5 Mt/y",
    )


def test_wiki_url_is_the_source(from_csv):
    assert pipe(from_csv, "gem:P0103")["sources"] == [
        "https://www.gem.wiki/Odesa-Brody_Oil_Pipeline"
    ]


def test_multilinestring_route(from_csv):
    assert pipe(from_csv, "gem:P0102").geometry.geom_type == "MultiLineString"


def test_cancelled_projects_are_skipped_not_rejected(from_csv):
    assert "gem:P0104" not in set(from_csv.layers["pipelines"]["provenance"])
    assert from_csv.notes == ["skipped 1 shelved or cancelled projects (never built)"]


def test_bad_rows_rejected_with_reason(from_csv):
    assert [str(r) for r in from_csv.rejected] == [
        "row 6: route is missing or not a (Multi)LineString WKT",
        "row 7: fuel 'hydrogen' is not gas, oil or NGL",
    ]


def test_geojson_export():
    parsed = parse_gem(FIXTURES / "gem_pipelines.geojson")
    assert dict(
        zip(parsed.layers["pipelines"]["id"], parsed.layers["pipelines"]["status"], strict=True)
    ) == {
        "pipe-gem-p0201": "operating",
        "pipe-gem-p0202": "inactive",
    }


def test_missing_route_column(tmp_path):
    path = tmp_path / "no_route.csv"
    path.write_text("ProjectID,PipelineName,Fuel\nP1,Line,Gas\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"missing GEM column.*wkt: one of WKTFormat"):
        parse_gem(path)


OPEN_DATA = Path(__file__).parent / "fixtures" / "open_data"


@pytest.fixture(scope="module")
def routes():
    return parse_gem(OPEN_DATA / "gem_routes.geojson")


def test_route_file_rows_map_kind_status_and_capacity(routes):
    frame = routes.layers["pipelines"].set_index("provenance")
    ati = frame.loc["gem:P0786"]
    assert (ati["asset_type"], ati["status"], ati["notes"]) == (
        "gas_transmission",
        "operating",
        "capacity 23.7 bcm/y; start year 1968",
    )
    assert frame.loc["gem:P5235", "asset_type"] == "oil"  # kind 'liquid'
    assert ati["sources"] == [
        "https://globalenergymonitor.org/projects/global-gas-infrastructure-tracker/"
    ]


def test_en_dashes_lost_as_question_marks_are_restored(routes):
    names = routes.layers["pipelines"].set_index("provenance")["name"]
    assert names["gem:P5235"] == "Snigurivka–Odesa Oil Pipeline"


def test_approximate_routes_are_near_not_exact(routes):
    frame = routes.layers["pipelines"]
    assert set(frame["route_accuracy"]) == {"approximate"}
    assert set(frame["geo_precision"]) == {2}
    assert frame["location_note"].str.contains("kilometres").all()


def test_routes_without_attributes_are_rejected_naming_the_feature(routes):
    assert [str(r) for r in routes.rejected] == [
        "feature 6: name: empty (the route has no attribute row); pass the GEM attribute "
        "table with --attributes",
        "feature 7: name: empty (the route has no attribute row); pass the GEM attribute "
        "table with --attributes",
    ]
    assert routes.notes == ["skipped 1 shelved or cancelled projects (never built)"]


def test_bare_routes_take_their_attributes_from_the_table():
    parsed = parse_gem(
        OPEN_DATA / "gem_routes_bare.geojson", attributes=[OPEN_DATA / "gem_attributes.csv"]
    )
    frame = parsed.layers["pipelines"].set_index("provenance")
    assert not parsed.rejected
    assert frame.loc["gem:P0787", "name"] == "Rozdilna-Izmail Gas Pipeline"
    assert frame.loc["gem:P0787", "sources"] == [
        "https://www.gem.wiki/Rozdilna-Izmail_Gas_Pipeline"
    ]
    assert frame.loc["gem:P2907", "name"] == "Kardam–Negru Voda Gas Pipeline"
    assert frame.loc["gem:P2907", "sources"] == [
        "https://gem.wiki/Kardam%E2%80%93Negru_Voda_Gas_Pipeline"
    ]


def test_bbox_clips_routes_and_counts_those_left_out():
    parsed = parse_gem(OPEN_DATA / "gem_routes.geojson", bbox=(28.0, 45.0, 29.0, 46.0))
    frame = parsed.layers["pipelines"].set_index("provenance")
    assert frame.loc["gem:P0786"].geometry.bounds[2] <= 29.0 + 1e-9
    assert "gem:P5235" not in frame.index  # Snihurivka-Odesa lies east of 30 E
    assert parsed.notes == [
        "skipped 4 features outside the map region (lon 28..29, lat 45..46; --bbox to change)"
    ]
