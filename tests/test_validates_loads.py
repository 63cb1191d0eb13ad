"""What validates, loads: a folder the validator passes is read by every command without error.

Hypothesis writes data folders from the minimal valid one with features and tables drawn from
valid and hostile values (years 1 and 9999, deep nesting, huge numbers, NaN, long text, odd
geometry, wrong headers). Whenever the validator finds no error, the loader, the impact join
and the CLI verbs that read everything must succeed.
"""

from __future__ import annotations

import copy
import json
import shutil
import tempfile
from datetime import date
from pathlib import Path

import pytest
from conftest import MINIMAL_FEATURES, MINIMAL_RELATIONS, run_cli
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from strikemap.analysis.dataset import load_dataset
from strikemap.layers.catalog import BY_NAME, CATALOG, LayerSpec
from strikemap.layers.limits import (
    DATE_MAX,
    DATE_MIN,
    MAX_JSON_DEPTH,
    MAX_TEXT_CHARS,
    MAX_VERTICES_PER_FEATURE,
)
from strikemap.layers.schema import RELATIONS_TABLE
from strikemap.layers.validate import validate_data_dir

HOSTILE_TEXT = st.sampled_from(
    ["", " ", "x" * (MAX_TEXT_CHARS + 1), "<script>alert(1)</script>", "=1+1", "\u202e", "\x00"]
)
HOSTILE_DATES = st.sampled_from(
    [
        "0001-01-01",
        "9999-12-31",
        "1899-12-31",
        "2101-01-01",
        "2262-04-12",
        "1677-09-21",
        "2025-02-30",
        "2025/08/06",
        "06 August 2025",
    ]
)
HOSTILE_NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([4, -1, 1.5, True]),
)


def deep(depth: int) -> object:
    value: object = "x"
    for _ in range(depth):
        value = [value]
    return value


HOSTILE = st.one_of(
    st.none(),
    HOSTILE_TEXT,
    HOSTILE_DATES,
    HOSTILE_NUMBERS,
    st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=6)),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
        max_leaves=5,
    ),
    st.sampled_from([deep(MAX_JSON_DEPTH + 5), deep(200), {"a": deep(40)}]),
)
"""Values a hand-edited or imported file may hold where a property should be."""

LON = st.floats(min_value=18, max_value=52, allow_nan=False)
LAT = st.floats(min_value=36, max_value=58, allow_nan=False)
HOSTILE_COORDINATE = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([1e300, -1e300, "30.7", None])
)
KNOWN_ISO3 = st.sampled_from(["UKR", "ROU", "MDA", "AZE"])
KNOWN_ASSETS = st.sampled_from(["pipe-trans-balkan-odesa", "fac-orlivka-cs", "fuel-socar-odesa-1"])
URLS = st.from_regex(r"https://[a-z]{1,8}\.org/[a-z0-9]{0,8}", fullmatch=True)
TODAY = date.today()
LONGEST_TEXT = st.just("y" * MAX_TEXT_CHARS)
SPECIAL_VALUES = {
    "sources": st.lists(URLS | st.just("dataset:ACLED"), min_size=1, max_size=3),
    "target_ids": st.lists(KNOWN_ASSETS, max_size=2),
    "reported_countries": st.lists(KNOWN_ISO3, max_size=2),
    "owner_country": KNOWN_ISO3,
}


def valid_values(spec: LayerSpec, field: str) -> st.SearchStrategy[object]:
    """Values the schema allows for ``field`` (boundary cases included)."""
    if field in SPECIAL_VALUES:
        return SPECIAL_VALUES[field]
    field_spec = spec.field(field)
    if field_spec.vocabulary:
        vocabulary = st.sampled_from(field_spec.vocabulary)
        return st.lists(vocabulary, max_size=2) if field_spec.kind == "list_enum" else vocabulary
    latest = TODAY if spec.name == "strikes" else DATE_MAX
    return {
        "date": st.dates(min_value=DATE_MIN, max_value=latest).map(lambda d: d.isoformat()),
        "int": st.integers(min_value=-(2**70), max_value=2**70),
        "bool": st.booleans(),
        "list": st.lists(st.text(min_size=1, max_size=8).filter(str.strip), max_size=3),
    }.get(field_spec.kind, st.text(min_size=1, max_size=20).filter(str.strip) | LONGEST_TEXT)


@st.composite
def valid_geometry(draw: st.DrawFn, spec: LayerSpec) -> dict[str, object]:
    """A geometry the layer allows, inside the region."""
    kind = draw(st.sampled_from(spec.geometry_types))
    if kind == "Point":
        return {"type": "Point", "coordinates": [draw(LON), draw(LAT)]}
    if kind in ("LineString", "MultiLineString"):
        line = draw(st.lists(st.tuples(LON, LAT).map(list), min_size=2, max_size=5))
        return {"type": kind, "coordinates": line if kind == "LineString" else [line]}
    west, south = draw(st.floats(20, 40)), draw(st.floats(40, 50))
    size = draw(st.floats(0.01, 5))
    ring = [[west, south], [west + size, south], [west + size, south + size], [west, south]]
    return {"type": kind, "coordinates": [ring] if kind == "Polygon" else [[ring]]}


@st.composite
def hostile_geometry(draw: st.DrawFn) -> object:
    """A geometry that may be wrong in any way a file can be."""
    kind = draw(st.sampled_from(["Point", "LineString", "Polygon", "GeometryCollection", None]))
    if kind is None:
        return draw(HOSTILE)
    positions = draw(
        st.lists(st.lists(HOSTILE_COORDINATE | LON, min_size=1, max_size=3), max_size=4)
    )
    coordinates = {"Point": positions[:1], "Polygon": [positions]}.get(kind, positions)
    return {"type": kind, "coordinates": draw(st.just(coordinates) | HOSTILE)}


@st.composite
def features(draw: st.DrawFn, layer: str) -> dict[str, object]:
    """A new feature of ``layer``: schema values, now and then one hostile value."""
    spec = BY_NAME[layer]
    base = copy.deepcopy(MINIMAL_FEATURES[layer][0])
    properties = base["properties"]
    properties["id"] = "x"  # made unique by data_folders
    if layer == "countries":
        properties["iso3"] = draw(st.from_regex(r"[A-Z]{3}", fullmatch=True))
    optional = [f.name for f in spec.fields if f.name not in ("id", "iso3")]
    for field in draw(st.lists(st.sampled_from(optional), max_size=5, unique=True)):
        properties[field] = draw(valid_values(spec, field))
    base["geometry"] = draw(valid_geometry(spec))
    hostile = draw(st.integers(0, 9)) == 9  # 0 is what hypothesis draws most
    if hostile:
        where = draw(st.sampled_from(["geometry", "extra", *spec.field_names]))
        if where == "geometry":
            base["geometry"] = draw(hostile_geometry())
        else:
            properties[draw(st.text(max_size=6)) if where == "extra" else where] = draw(HOSTILE)
    return base


@st.composite
def data_folders(draw: st.DrawFn) -> dict[str, object]:
    """File name -> content (JSON-ready object or text) of a whole data folder."""
    files: dict[str, object] = {
        spec.file: {"type": "FeatureCollection", "features": MINIMAL_FEATURES[spec.name]}
        for spec in CATALOG
    }
    for layer in draw(st.lists(st.sampled_from([s.name for s in CATALOG]), max_size=3)):
        extra = draw(st.lists(features(layer), min_size=1, max_size=3))
        for n, feature in enumerate(extra):
            if feature["properties"].get("id") == "x":
                feature["properties"]["id"] = f"x-{layer.replace('_', '-')}-{n}"
        files[BY_NAME[layer].file] = {
            "type": "FeatureCollection",
            "features": [*MINIMAL_FEATURES[layer], *extra],
        }
    files[RELATIONS_TABLE.file] = MINIMAL_RELATIONS + draw(
        st.sampled_from(
            [
                *[""] * 4,
                *["fac-orlivka-cs,UKR,owner,1900-01-01,2100-12-31,,https://example.org\n"] * 4,
                "fac-orlivka-cs,UKR,owner,0001-01-01,,,https://example.org\n",
                "fac-orlivka-cs,UKR,owner,,9999-12-31,,https://example.org\n",
                'fac-orlivka-cs,UKR,owner,,,"unclosed,https://example.org\n',
                "fac-orlivka-cs,UKR,owner,2025-01-01,2025-12-31,,https://e.org,extra\n",
            ]
        )
    )
    files["country_codes.csv"] = draw(
        st.sampled_from(
            [
                *[None] * 4,
                *["iso3,name\nUSA,United States\n"] * 4,
                "code,name\nUSA,United States\n",
                "iso3\nUSA\n",
            ]
        )
    )
    return files


def write_folder(folder: Path, files: dict[str, object]) -> None:
    for name, content in files.items():
        if content is None:
            continue
        text = content if isinstance(content, str) else _dumps(content)
        (folder / name).write_text(text, encoding="utf-8")


def _dumps(content: object) -> str:
    try:
        return json.dumps(content, ensure_ascii=False)
    except RecursionError:  # deeper than json.dumps can go: write it by hand
        return "[" * 5000 + "]" * 5000


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(files=data_folders())
def test_what_validates_loads(files: dict[str, object]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="strikemap-fuzz-"))
    try:
        write_folder(folder, files)
        report = validate_data_dir(folder)
        event("validates" if report.ok else "invalid")
        if not report.ok:
            return
        dataset = load_dataset(folder)
        assert len(dataset.strikes) >= 1
        dataset.link()
        for verb in (["layers"], ["impact", "--summary"], ["export-table", "--out"]):
            argv = [*verb, str(folder.parent / f"{folder.name}.csv")] if "--out" in verb else verb
            code, output = run_cli(*argv, "--data-dir", str(folder))
            assert code == 0, output
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        (folder.parent / f"{folder.name}.csv").unlink(missing_ok=True)


def test_a_feature_over_the_vertex_limit_does_not_validate(valid_data_dir: Path) -> None:
    n = MAX_VERTICES_PER_FEATURE + 1
    coordinates = [[28 + 2 * i / n, 45 + i / n] for i in range(n)]
    pipeline = copy.deepcopy(MINIMAL_FEATURES["pipelines"][0])
    pipeline["geometry"] = {"type": "LineString", "coordinates": coordinates}
    collection = {"type": "FeatureCollection", "features": [pipeline]}
    (valid_data_dir / "pipelines.geojson").write_text(json.dumps(collection), encoding="utf-8")
    report = validate_data_dir(valid_data_dir)
    (problem,) = report.errors
    assert problem.code == "too-many-vertices"
    assert f"{n:,} vertices" in problem.message


@pytest.mark.parametrize(
    ("date", "ok"),
    [("1900-01-01", True), ("2100-12-31", True), ("1899-12-31", False), ("0001-01-01", False)],
)
def test_relation_dates_outside_the_sane_range_do_not_validate(
    valid_data_dir: Path, date: str, ok: bool
) -> None:
    row = f"fac-orlivka-cs,UKR,owner,{date},,,https://example.org\n"
    (valid_data_dir / "relations.csv").write_text(MINIMAL_RELATIONS + row, encoding="utf-8")
    report = validate_data_dir(valid_data_dir)
    assert report.ok is ok, report.format()
    if not ok:
        assert "lies outside 1900-01-01..2100-12-31" in report.errors[0].message


def test_country_codes_headed_code_name_fails_validation_like_loading(
    valid_data_dir: Path,
) -> None:
    (valid_data_dir / "country_codes.csv").write_text("code,name\nUSA,United States\n")
    report = validate_data_dir(valid_data_dir)
    assert [p.code for p in report.errors] == ["missing-column"]
    assert "the header must be iso3,name" in report.errors[0].message
    code, output = run_cli("impact", "--summary", "--data-dir", str(valid_data_dir))
    assert code == 1
    assert "column 'iso3' is missing" in output
    assert "Traceback" not in output


def test_nan_coordinates_do_not_validate(valid_data_dir: Path) -> None:
    text = (valid_data_dir / "strikes.geojson").read_text(encoding="utf-8")
    (valid_data_dir / "strikes.geojson").write_text(text.replace("28.53", "NaN"), "utf-8")
    report = validate_data_dir(valid_data_dir)
    assert [p.code for p in report.errors] == ["nan-coordinates"]
