"""The validator catches every failure of issue 2 and names file, feature, field and the fix.

Why one long module: one short test per failure of the list, all on the same fixture helpers;
splitting it would scatter the list a reviewer checks against.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from strikemap.layers.catalog import CATALOG, FACILITIES, STRIKES
from strikemap.layers.errors import LayerValidationError
from strikemap.layers.io import read_layer
from strikemap.layers.paths import SHIPPED_DATA_DIR
from strikemap.layers.report import Problem, ValidationReport
from strikemap.layers.validate import validate_data_dir, validate_frame, validate_layer_file

TODAY = date(2026, 1, 1)
STRIKE_ID = "strike-2025-08-06-orlivka"
FACILITY_ID = "fac-orlivka-cs"

Features = dict[str, list[dict[str, object]]]


def validate(folder: Path) -> ValidationReport:
    return validate_data_dir(folder, today=TODAY)


def only_problem(report: ValidationReport, code: str) -> Problem:
    found = [p for p in report.problems if p.code == code]
    assert len(found) == 1, f"expected one {code!r} problem, got:\n{report.format()}"
    return found[0]


def assert_names(problem: Problem, *, file: str, feature: str | None, field: str | None) -> None:
    assert Path(problem.file).name == file
    assert problem.feature == feature
    assert problem.field == field
    text = str(problem)
    assert file in text
    if feature is not None:
        assert repr(feature) in text


# --------------------------------------------------------------------------------------------
# The minimal data folder is valid


def test_minimal_data_folder_has_no_problem(valid_data_dir: Path) -> None:
    report = validate(valid_data_dir)
    assert report.problems == [], report.format()
    assert report.ok
    assert len(report.files) == len(CATALOG) + 1


# --------------------------------------------------------------------------------------------
# Files that cannot be read as a FeatureCollection


@pytest.mark.parametrize(
    ("content", "code", "phrase"),
    [
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature",, }]}',
            "not-json",
            "fix the JSON syntax",
        ),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", "prop',
            "not-json",
            "truncated",
        ),
        ("", "empty-file", "is empty"),
        ("  \n", "empty-file", "is empty"),
        ("[1, 2, 3]", "not-feature-collection", "not a GeoJSON FeatureCollection"),
        (
            '{"type": "Feature", "properties": {}, "geometry": null}',
            "not-feature-collection",
            "single Feature",
        ),
        ('{"type": "FeatureCollection"}', "not-feature-collection", "'features' list"),
    ],
    ids=["bad-syntax", "truncated", "empty", "blank", "array", "single-feature", "no-features"],
)
def test_unreadable_layer_file_is_one_error_naming_the_file(
    make_data_dir: Callable[..., Path], content: str, code: str, phrase: str
) -> None:
    report = validate(make_data_dir(strikes=content))
    problem = only_problem(report, code)
    assert problem.severity == "error"
    assert_names(problem, file="strikes.geojson", feature=None, field=None)
    assert phrase in problem.message
    assert not report.ok


def test_unreadable_asset_layer_does_not_flood_the_report_with_broken_references(
    make_data_dir: Callable[..., Path],
) -> None:
    # strikes and relations.csv name facilities; with facilities.geojson unreadable, the one
    # syntax error is reported, plus one warning that references were not checked
    report = validate(make_data_dir(facilities='{"type": "FeatureCollection", "features": ['))
    assert [p.code for p in report.errors] == ["not-json"]
    warning = only_problem(report, "references-not-checked")
    assert "facilities.geojson" in warning.message


def test_json_error_gives_line_and_column(make_data_dir: Callable[..., Path]) -> None:
    content = '{"type": "FeatureCollection",\n "features": [\n  {"type": "Feature",, }]}'
    problem = only_problem(validate(make_data_dir(strikes=content)), "not-json")
    assert "(line 3, column 22)" in problem.message


def test_file_not_utf8_gives_byte_offset(
    make_data_dir: Callable[..., Path], minimal_features: Features
) -> None:
    minimal_features["strikes"][0]["properties"]["place"] = "Izmaïl"
    raw = json.dumps(
        {"type": "FeatureCollection", "features": minimal_features["strikes"]}, ensure_ascii=False
    ).encode("latin-1")
    problem = only_problem(validate(make_data_dir(strikes=raw)), "not-utf8")
    assert_names(problem, file="strikes.geojson", feature=None, field=None)
    offset = raw.index("ï".encode("latin-1"))
    assert f"byte {offset} (line 1)" in problem.message
    assert "re-save the file as UTF-8" in problem.message


def test_relations_not_utf8_is_an_error(make_data_dir: Callable[..., Path]) -> None:
    raw = HEADER + "fac-orlivka-cs,UKR,owner,,,Ré,https://example.org\n"
    report = validate(make_data_dir(relations=raw.encode("latin-1")))
    problem = only_problem(report, "not-utf8")
    assert Path(problem.file).name == "relations.csv"


# --------------------------------------------------------------------------------------------
# Geometry


def break_strike(features: Features, geometry: object) -> list[dict[str, object]]:
    features["strikes"][0]["geometry"] = geometry
    return features["strikes"]


@pytest.mark.parametrize(
    ("geometry", "code", "phrase"),
    [
        (None, "missing-geometry", "has no geometry"),
        ({"type": "Point", "coordinates": None}, "null-coordinates", "null coordinates"),
        ({"type": "Point", "coordinates": [None, 45.39]}, "null-coordinates", "null coordinates"),
        ({"type": "Point", "coordinates": [float("nan"), 45.39]}, "nan-coordinates", "NaN"),
        ({"type": "Point", "coordinates": []}, "null-coordinates", "empty"),
        ({"type": "Point", "coordinates": ["28.5", "45.3"]}, "bad-geometry", "must be numbers"),
        (
            {"type": "Point", "coordinates": [328.53, 45.39]},
            "out-of-range",
            "longitude must be -180..180",
        ),
        ({"type": "Point", "coordinates": [28.53, 95.0]}, "out-of-range", "latitude -90..90"),
        (
            {"type": "Point", "coordinates": [45.39, 28.53]},
            "swapped-coordinates",
            "looks like latitude and longitude are swapped",
        ),
        (
            {"type": "Point", "coordinates": [-74.0, 40.7]},
            "outside-region",
            "far outside the region",
        ),
        (
            {"type": "LineString", "coordinates": [[28.5, 45.3], [28.6, 45.4]]},
            "geometry-type",
            "LineString is not allowed in the strikes layer; use Point",
        ),
        ({"type": "Circle", "coordinates": [28.5, 45.3]}, "bad-geometry", "unknown geometry type"),
    ],
    ids=[
        "no-geometry",
        "null-coords",
        "null-lon",
        "nan",
        "empty",
        "strings",
        "lon-range",
        "lat-range",
        "swapped",
        "far-away",
        "wrong-type",
        "unknown-type",
    ],
)
def test_bad_strike_geometry_names_file_and_feature(
    make_data_dir: Callable[..., Path],
    minimal_features: Features,
    geometry: object,
    code: str,
    phrase: str,
) -> None:
    report = validate(make_data_dir(strikes=break_strike(minimal_features, geometry)))
    problem = only_problem(report, code)
    assert problem.severity == "error"
    assert_names(problem, file="strikes.geojson", feature=STRIKE_ID, field=None)
    assert phrase in problem.message
    assert problem.row == 1


def test_swapped_point_is_not_also_reported_as_outside(
    make_data_dir: Callable[..., Path], minimal_features: Features
) -> None:
    geometry = {"type": "Point", "coordinates": [45.39, 28.53]}
    report = validate(make_data_dir(strikes=break_strike(minimal_features, geometry)))
    assert [p.code for p in report.errors] == ["swapped-coordinates"]
    assert "[28.53, 45.39] inside; write [lon, lat]" in report.errors[0].message


@pytest.mark.parametrize(
    ("ring", "code", "phrase"),
    [
        ([[28, 45], [29, 45], [29, 46], [28, 46]], "unclosed-ring", "is not closed"),
        (
            [[28, 45], [29, 46], [29, 45], [28, 46], [28, 45]],
            "invalid-geometry",
            "Self-intersection",
        ),
    ],
    ids=["unclosed", "bow-tie"],
)
def test_invalid_polygon_suggests_make_valid(
    make_data_dir: Callable[..., Path],
    minimal_features: Features,
    ring: list[list[float]],
    code: str,
    phrase: str,
) -> None:
    minimal_features["countries"][2]["geometry"] = {"type": "Polygon", "coordinates": [ring]}
    problem = only_problem(validate(make_data_dir(countries=minimal_features["countries"])), code)
    assert_names(problem, file="countries.geojson", feature="country-mda", field=None)
    assert phrase in problem.message
    assert "shapely.make_valid" in problem.message


def test_projected_crs_member_is_one_error_without_range_noise(
    make_data_dir: Callable[..., Path], minimal_features: Features
) -> None:
    strike = minimal_features["strikes"][0]
    strike["geometry"] = {"type": "Point", "coordinates": [3175900.0, 5684000.0]}
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
    report = validate(
        make_data_dir(strikes={**{"type": "FeatureCollection", "crs": crs}, "features": [strike]})
    )
    problem = only_problem(report, "projected-crs")
    assert_names(problem, file="strikes.geojson", feature=None, field="crs")
    assert "projected CRS" in problem.message
    assert "reproject the file to EPSG:4326" in problem.message
    assert [p.code for p in report.errors] == ["projected-crs"]


def test_crs_member_naming_crs84_is_a_warning(
    make_data_dir: Callable[..., Path], minimal_features: Features
) -> None:
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    data = {"type": "FeatureCollection", "crs": crs, "features": minimal_features["strikes"]}
    report = validate(make_data_dir(strikes=data))
    assert report.ok
    assert only_problem(report, "legacy-crs").severity == "warning"


# --------------------------------------------------------------------------------------------
# Ids


@pytest.mark.parametrize(
    ("value", "code", "phrase"),
    [
        (None, "missing-id", "has no id"),
        ("", "missing-id", "has no id"),
        ("Strike 2025/08/06 Orlivka", "bad-id", "write e.g. 'strike-2025-08-06-orlivka'"),
        ("strike--x", "bad-id", "not a lowercase slug"),
    ],
)
def test_missing_or_bad_id(
    make_data_dir: Callable[..., Path],
    minimal_features: Features,
    value: object,
    code: str,
    phrase: str,
) -> None:
    facility = minimal_features["facilities"][0]
    facility["properties"]["id"] = value
    minimal_features["strikes"][0]["properties"]["target_ids"] = []
    relations = "asset_id,country,relation,valid_from,valid_to,note,source\n"
    report = validate(
        make_data_dir(
            facilities=[facility], strikes=minimal_features["strikes"], relations=relations
        )
    )
    problem = only_problem(report, code)
    assert_names(problem, file="facilities.geojson", feature=value or None, field="id")
    assert phrase in problem.message
    assert "#1" in str(problem)


def test_id_outside_properties_says_where_to_move_it(
    make_data_dir: Callable[..., Path], minimal_features: Features
) -> None:
    strike = minimal_features["strikes"][0]
    strike["id"] = strike["properties"].pop("id")
    problem = only_problem(validate(make_data_dir(strikes=[strike])), "id-outside-properties")
    assert_names(problem, file="strikes.geojson", feature=STRIKE_ID, field="id")
    assert "move it to properties.id" in problem.message


def test_duplicate_id_within_a_layer_points_to_the_first(
    make_data_dir: Callable[..., Path], minimal_features: Features
) -> None:
    strikes = minimal_features["strikes"] * 2
    problem = only_problem(validate(make_data_dir(strikes=strikes)), "duplicate-id")
    assert_names(problem, file="strikes.geojson", feature=STRIKE_ID, field="id")
    assert problem.row == 2
    assert "first at feature #1" in problem.message


def test_duplicate_id_across_layers_names_both_files(
    make_data_dir: Callable[..., Path], minimal_features: Features
) -> None:
    station = minimal_features["fuel_stations"][0]
    station["properties"]["id"] = FACILITY_ID
    problem = only_problem(validate(make_data_dir(fuel_stations=[station])), "duplicate-id")
    assert_names(problem, file="fuel_stations.geojson", feature=FACILITY_ID, field="id")
    assert "facilities.geojson" in problem.message
    assert "unique across all layers" in problem.message


# --------------------------------------------------------------------------------------------
# Properties


@pytest.mark.parametrize(
    ("layer", "field", "value", "code", "phrase"),
    [
        ("strikes", "weapon", None, "missing-property", "required property 'weapon' is missing"),
        ("strikes", "name", "   ", "missing-property", "required property 'name'"),
        ("strikes", "weapon", "bomb", "bad-value", "use one of drone, missile"),
        (
            "strikes",
            "status",
            "maybe",
            "bad-value",
            "confirmed, unconfirmed, disputed, context, candidate",
        ),
        ("facilities", "asset_type", "castle", "bad-value", "compressor_station"),
        ("strikes", "geo_precision", 5, "bad-value", "one of the whole numbers 0, 1, 2, 3"),
        ("strikes", "geo_precision", "1", "bad-value", "(no quotes)"),
        ("strikes", "geo_precision", 1.5, "bad-value", "whole numbers"),
        ("power_lines", "voltage_kv", "400 kV", "bad-value", "a whole number"),
        ("strikes", "date", "2025-13-01", "bad-date", "YYYY-MM-DD"),
        ("strikes", "date", "06/08/2025", "bad-date", "YYYY-MM-DD"),
        ("strikes", "date", "2025-02-30", "bad-date", "YYYY-MM-DD"),
        (
            "strikes",
            "date",
            "2027-03-01",
            "future-date",
            "lies in the future (today is 2026-01-01)",
        ),
        ("strikes", "sources", [], "missing-property", "required property 'sources'"),
        ("strikes", "sources", ["Ukrinform, 7 Aug"], "bad-source", "not a URL"),
        # a raw IP hides the publisher: readers of the app and the exports cannot judge it
        ("strikes", "sources", ["http://15.188.152.128/?p=500071"], "raw-ip-source", "bare IP"),
        ("facilities", "sources", ["https://[2001:db8::1]/news"], "raw-ip-source", "original"),
        ("strikes", "sources", "https://example.org/a", "bad-type", "must be a list"),
        ("strikes", "target_ids", ["fac-nowhere"], "unknown-asset", "'fac-nowhere'"),
        ("strikes", "reported_countries", ["XYZ"], "unknown-country", "'XYZ'"),
        ("strikes", "reported_countries", ["Azerbaijan"], "bad-country", "alpha-3"),
        ("facilities", "owner_country", "USA", "unknown-country", "neither in the countries"),
        ("facilities", "owner_country", "ua", "bad-country", "three capital letters"),
        ("facilities", "name", 12, "bad-type", "must be text"),
    ],
)
def test_bad_property_names_file_feature_and_field(
    make_data_dir: Callable[..., Path],
    minimal_features: Features,
    layer: str,
    field: str,
    value: object,
    code: str,
    phrase: str,
) -> None:
    target = minimal_features[layer][0]
    if value is None:
        del target["properties"][field]
    else:
        target["properties"][field] = value
    report = validate(make_data_dir(**{layer: minimal_features[layer]}))
    problem = only_problem(report, code)
    assert problem.severity == "error"
    assert_names(problem, file=f"{layer}.geojson", feature=target["properties"]["id"], field=field)
    assert phrase in problem.message


def test_dataset_sources_are_accepted(
    make_data_dir: Callable[..., Path], minimal_features: Features
) -> None:
    minimal_features["strikes"][0]["properties"]["sources"] = ["dataset:ACLED (Ukrinform)"]
    assert validate(make_data_dir(strikes=minimal_features["strikes"])).ok


def test_country_codes_file_makes_more_codes_known(
    make_data_dir: Callable[..., Path], minimal_features: Features
) -> None:
    minimal_features["facilities"][0]["properties"]["owner_country"] = "USA"
    folder = make_data_dir(
        facilities=minimal_features["facilities"], country_codes="iso3,name\nUSA,United States\n"
    )
    assert validate(folder).problems == []


def test_every_problem_is_collected_not_only_the_first(
    make_data_dir: Callable[..., Path], minimal_features: Features
) -> None:
    strike = minimal_features["strikes"][0]["properties"]
    strike.update(weapon="bomb", date="yesterday", sources=[])
    report = validate(make_data_dir(strikes=minimal_features["strikes"], relations=""))
    codes = sorted(p.code for p in report.errors)
    assert codes == ["bad-date", "bad-value", "empty-file", "missing-property"]


# --------------------------------------------------------------------------------------------
# relations.csv

HEADER = "asset_id,country,relation,valid_from,valid_to,note,source\n"


@pytest.mark.parametrize(
    ("row", "field", "code", "phrase"),
    [
        (
            "fac-nowhere,AZE,owner,,,,https://example.org",
            "asset_id",
            "unknown-asset",
            "'fac-nowhere' is no asset",
        ),
        (
            "fac-orlivka-cs,AZE,friend,,,,https://example.org",
            "relation",
            "bad-value",
            "owner, supply_origin, serves, transit",
        ),
        (
            "fac-orlivka-cs,XYZ,owner,,,,https://example.org",
            "country",
            "unknown-country",
            "'XYZ' is neither in the countries layer",
        ),
        (
            "fac-orlivka-cs,Azerbaijan,owner,,,,https://example.org",
            "country",
            "bad-country",
            "alpha-3",
        ),
        (
            "fac-orlivka-cs,AZE,owner,28.07.2025,,,https://example.org",
            "valid_from",
            "bad-date",
            "YYYY-MM-DD",
        ),
        (
            "fac-orlivka-cs,AZE,owner,,2025-02-30,,https://example.org",
            "valid_to",
            "bad-date",
            "YYYY-MM-DD",
        ),
        (
            "fac-orlivka-cs,AZE,owner,2025-07-28,2024-01-01,,https://example.org",
            "valid_from",
            "bad-period",
            "is after valid_to",
        ),
        ("fac-orlivka-cs,AZE,owner,,,,", "source", "missing-value", "source is empty"),
        ("fac-orlivka-cs,AZE,owner,,,,a newspaper", "source", "bad-source", "not a URL"),
        (
            "fac-orlivka-cs,AZE,owner,,,,https://example.org/a ; http://3.127.128.221/?p=1",
            "source",
            "raw-ip-source",
            "'http://3.127.128.221/?p=1', a URL on a bare IP address",
        ),
        ("fac-orlivka-cs,AZE,owner", "source", "missing-value", "source is empty"),
    ],
)
def test_bad_relation_row_names_file_row_and_column(
    make_data_dir: Callable[..., Path], row: str, field: str, code: str, phrase: str
) -> None:
    report = validate(make_data_dir(relations=HEADER + row + "\n"))
    problem = only_problem(report, code)
    assert_names(problem, file="relations.csv", feature=None, field=field)
    assert problem.row == 2
    assert "row 2" in str(problem)
    assert phrase in problem.message


def test_relations_missing_column(make_data_dir: Callable[..., Path]) -> None:
    relations = "asset_id,relation,source\nfac-orlivka-cs,owner,https://example.org\n"
    report = validate(make_data_dir(relations=relations))
    missing = [p for p in report.errors if p.code == "missing-column"]
    assert [p.code for p in report.errors] == ["missing-column"]
    problem = missing[0]
    assert problem.field == "country"
    assert problem.severity == "error"
    assert "the header must be asset_id,country,relation" in problem.message
    optional = [p for p in report.warnings if p.code == "missing-column"]
    assert {p.field for p in optional} == {"valid_from", "valid_to", "note"}


def test_relations_sources_may_be_several_urls(make_data_dir: Callable[..., Path]) -> None:
    row = "fac-orlivka-cs,AZE,owner,,,,https://example.org/a ; https://example.org/b\n"
    assert validate(make_data_dir(relations=HEADER + row)).problems == []


# --------------------------------------------------------------------------------------------
# Accepted with a warning


def test_utf8_bom_is_accepted_with_a_warning(
    make_data_dir: Callable[..., Path], minimal_features: Features
) -> None:
    text = json.dumps({"type": "FeatureCollection", "features": minimal_features["strikes"]})
    report = validate(make_data_dir(strikes=b"\xef\xbb\xbf" + text.encode("utf-8")))
    assert report.ok
    problem = only_problem(report, "utf8-bom")
    assert problem.severity == "warning"
    assert_names(problem, file="strikes.geojson", feature=None, field=None)


def test_extra_property_is_accepted_with_a_hint(
    make_data_dir: Callable[..., Path], minimal_features: Features
) -> None:
    minimal_features["strikes"][0]["properties"]["wepon_note"] = "Shahed"
    minimal_features["strikes"][0]["properties"]["casualties"] = 0
    report = validate(make_data_dir(strikes=minimal_features["strikes"]))
    assert report.ok
    assert {p.field for p in report.warnings} == {"wepon_note", "casualties"}
    assert all(p.code == "extra-property" for p in report.warnings)


def test_3d_coordinates_are_accepted_with_a_warning(
    make_data_dir: Callable[..., Path], minimal_features: Features
) -> None:
    geometry = {"type": "Point", "coordinates": [28.53, 45.39, 12.0]}
    report = validate(make_data_dir(strikes=break_strike(minimal_features, geometry)))
    assert report.ok
    problem = only_problem(report, "3d-coordinates")
    assert problem.severity == "warning"
    assert STRIKE_ID in problem.message
    assert "dropped" in problem.message


def test_missing_layer_file_is_a_warning(make_data_dir: Callable[..., Path]) -> None:
    report = validate(make_data_dir(power_lines=None))
    assert report.ok
    assert only_problem(report, "missing-file").file.endswith("power_lines.geojson")


def test_missing_data_folder_is_an_error(tmp_path: Path) -> None:
    report = validate(tmp_path / "nowhere")
    assert only_problem(report, "no-data-dir").severity == "error"


# --------------------------------------------------------------------------------------------
# One file, one frame


def test_validate_layer_file_checks_references_only_when_given(valid_data_dir: Path) -> None:
    path = valid_data_dir / STRIKES.file
    assert validate_layer_file(path, STRIKES, today=TODAY).ok
    report = validate_layer_file(path, STRIKES, today=TODAY, asset_ids=set())
    assert only_problem(report, "unknown-asset").feature == STRIKE_ID


def test_validate_frame_accepts_a_layer_read_from_file(valid_data_dir: Path) -> None:
    frame = read_layer(FACILITIES, data_dir=valid_data_dir)
    report = validate_frame(frame, FACILITIES, today=TODAY, country_codes={"UKR"})
    assert report.problems == [], report.format()


def test_validate_frame_refuses_a_projected_frame(valid_data_dir: Path) -> None:
    frame = read_layer(FACILITIES, data_dir=valid_data_dir).to_crs("EPSG:3857")
    report = validate_frame(frame, FACILITIES, today=TODAY)
    assert [p.code for p in report.errors] == ["projected-crs"]
    assert "to_crs('EPSG:4326')" in report.errors[0].message


def test_validate_frame_catches_nan_and_bad_values() -> None:
    frame = gpd.GeoDataFrame(
        {
            "id": ["fac-a", "fac-b"],
            "name": ["A", "B"],
            "sources": [["https://example.org"], ["https://example.org"]],
            "geo_precision": [1, 7],
            "asset_type": ["port", "port"],
        },
        geometry=[shapely.Point(float("nan"), 46.0), shapely.Point(30.7, 46.5)],
        crs="EPSG:4326",
    )
    report = validate_frame(frame, FACILITIES, today=TODAY)
    assert sorted((p.feature, p.code) for p in report.errors) == [
        ("fac-a", "nan-coordinates"),
        ("fac-b", "bad-value"),
    ]


# --------------------------------------------------------------------------------------------
# The report


def test_report_groups_by_file_and_ends_with_a_summary(
    make_data_dir: Callable[..., Path], minimal_features: Features
) -> None:
    minimal_features["strikes"][0]["properties"]["weapon"] = "bomb"
    minimal_features["strikes"][0]["properties"]["extra"] = 1
    report = validate(make_data_dir(strikes=minimal_features["strikes"], relations=""))
    text = report.format()
    lines = text.splitlines()
    assert lines[-1] == f"2 errors, 1 warning in {len(CATALOG) + 1} files"
    strikes_at = next(i for i, ln in enumerate(lines) if ln.endswith("strikes.geojson"))
    assert lines[strikes_at + 1].startswith("  error   feature 'strike-2025-08-06-orlivka' (#1)")
    assert lines[strikes_at + 2].startswith("  warning field 'extra'")
    assert any(ln.endswith("relations.csv") for ln in lines)


def test_report_limits_problems_per_file(
    make_data_dir: Callable[..., Path], minimal_features: Features
) -> None:
    strike = minimal_features["strikes"][0]
    strikes = []
    for n in range(5):
        copy = json.loads(json.dumps(strike))
        copy["properties"].update(id=f"strike-{n}", weapon="bomb")
        strikes.append(copy)
    report = validate(make_data_dir(strikes=strikes))
    assert "... and 3 more in this file" in report.format(max_per_file=2)
    assert "more in this file" not in report.format(max_per_file=None)


def test_raise_if_invalid(make_data_dir: Callable[..., Path], minimal_features: Features) -> None:
    minimal_features["strikes"][0]["properties"]["weapon"] = "bomb"
    report = validate(make_data_dir(strikes=minimal_features["strikes"]))
    with pytest.raises(LayerValidationError, match=r"strikes\.geojson") as caught:
        report.raise_if_invalid()
    assert caught.value.report is report
    validate(make_data_dir()).raise_if_invalid()


# --------------------------------------------------------------------------------------------
# Data contract: the shipped data validates

SHIPPED_LAYERS = [spec.file for spec in CATALOG if (SHIPPED_DATA_DIR / spec.file).exists()]


@pytest.mark.skipif(not SHIPPED_LAYERS, reason="data/ holds no layer file yet")
def test_shipped_data_validates() -> None:
    report = validate_data_dir(SHIPPED_DATA_DIR)
    assert report.ok, report.format(max_per_file=None)


def test_report_lists_problems_feature_by_feature(
    make_data_dir: Callable[..., Path], minimal_features: Features
) -> None:
    strikes = []
    for n in range(2):
        strike = json.loads(json.dumps(minimal_features["strikes"][0]))
        strike["properties"].update(id=f"strike-{n}", weapon="bomb", date="soon")
        strikes.append(strike)
    lines = validate(make_data_dir(strikes=strikes)).format().splitlines()
    features = [ln.split("'")[1] for ln in lines if ln.startswith("  error")]
    assert features == ["strike-0", "strike-0", "strike-1", "strike-1"]


@pytest.mark.parametrize(
    "crs",
    [
        {"type": "name", "properties": {"name": "EPSG:4258"}},
        {"type": "name", "properties": None},
        "EPSG:3035",
    ],
    ids=["geographic-etrs89", "no-name", "not-an-object"],
)
def test_other_crs_members_are_errors(
    make_data_dir: Callable[..., Path], minimal_features: Features, crs: object
) -> None:
    data = {"type": "FeatureCollection", "crs": crs, "features": minimal_features["strikes"]}
    report = validate(make_data_dir(strikes=data))
    [problem] = report.errors
    assert problem.field == "crs"
    assert "reproject the file to EPSG:4326" in problem.message


# --------------------------------------------------------------------------------------------
# Scale: the checks are vectorised, so twenty thousand strikes take about a second


def test_twenty_thousand_strikes_validate_in_seconds(
    make_data_dir: Callable[..., Path], minimal_features: Features
) -> None:
    template = json.dumps(minimal_features["strikes"][0])
    strikes = []
    for n in range(20_000):
        strike = json.loads(template)
        strike["properties"]["id"] = f"strike-{n:05d}"
        strike["geometry"]["coordinates"] = [28.0 + n / 10_000, 45.0 + n / 20_000]
        strikes.append(strike)
    strikes[-1]["properties"]["weapon"] = "bomb"
    folder = make_data_dir(strikes=strikes)
    start = time.perf_counter()
    report = validate(folder)
    elapsed = time.perf_counter() - start
    assert [(p.feature, p.code) for p in report.problems] == [("strike-19999", "bad-value")]
    assert elapsed < 15, f"validating 20,000 strikes took {elapsed:.1f} s"
