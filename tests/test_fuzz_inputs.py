"""Fuzzing the readers and importers through the command line: whatever a file holds, every
verb exits 0, 1 or 2 with messages, never a traceback or an internal error."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from conftest import run_cli as run
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strikemap.layers.catalog import CATALOG
from strikemap.layers.importers import IMPORTERS

FIXTURES = Path(__file__).parent / "fixtures" / "import"
SETTINGS = settings(
    max_examples=int(os.environ.get("STRIKEMAP_FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

CELLS = st.one_of(
    st.sampled_from(
        [
            "",
            "0001-01-01",
            "9999-12-31",
            "2025-08-06",
            "06 August 2025",
            "31/13/2025",
            "NaN",
            "inf",
            "-1e308",
            "46,4775",
            "1e400",
            '"',
            '"unclosed',
            ";",
            "\t",
            "Explosions/Remote violence",
            "Air/drone strike",
            "LINESTRING (28 45, 29 46)",
            "LINESTRING (nan nan, 1 1)",
            "POINT EMPTY",
            "VIIRS",
            "MODIS",
            "h",
            "2",
            "=1+1",
        ]
    ),
    st.text(max_size=12),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
OPEN_DATA = FIXTURES.parent / "open_data"
HEADERS = {
    kind: path.read_text(encoding="utf-8").splitlines()[0].split(",")
    for kind, path in (
        ("acled", FIXTURES / "acled_odesa.csv"),
        ("firms", FIXTURES / "firms_viirs.csv"),
        ("gem", FIXTURES / "gem_pipelines.csv"),
        ("powerplants", OPEN_DATA / "powerplants.csv"),
        ("refineries", OPEN_DATA / "refineries.csv"),
        ("ucdp", OPEN_DATA / "ucdp_ged.csv"),
        ("wpi", OPEN_DATA / "wpi.csv"),
        ("gridkit", OPEN_DATA / "gridkit_links.csv"),
    )
}
"""The CSV importers and the columns their files have (from the test fixtures)."""
GEOJSON_KINDS = ("osm", "gem", "gridkit", "ucdp", "geonames")
"""Importers that read GeoJSON (their own exports or extracts with the same columns)."""


@st.composite
def csv_texts(draw: st.DrawFn, kind: str) -> bytes:
    """A CSV with the importer's header (columns may be dropped or shuffled) and wild cells."""
    header = draw(st.permutations(HEADERS[kind]))
    header = header[: draw(st.integers(len(header) // 2, len(header)))]
    rows = draw(st.lists(st.lists(CELLS, min_size=len(header), max_size=len(header)), max_size=5))
    quote = draw(st.booleans())

    def line(cells: list[str]) -> str:
        return ",".join(f'"{c}"' if quote and "," in c else c for c in cells)

    text = "\n".join([line(list(header)), *(line(r) for r in rows)]) + "\n"
    return text.encode(
        draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"])), "replace"
    )


JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["Feature", "FeatureCollection", "Point", "LineString", "Polygon", "way/1"]),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner),
    max_leaves=12,
)


@st.composite
def osm_geometries(draw: st.DrawFn) -> object:
    """Geometries close to GeoJSON: right kind, wild coordinates."""
    kind = draw(st.sampled_from(["Point", "LineString", "Polygon", "MultiPolygon", "Nope"]))
    number = st.one_of(
        st.floats(min_value=18, max_value=52), st.floats(allow_nan=True, allow_infinity=True)
    )
    position = st.lists(number, min_size=0, max_size=3)
    coordinates = {
        "Point": position,
        "LineString": st.lists(position, max_size=5),
        "Polygon": st.lists(st.lists(position, max_size=5), max_size=2),
    }.get(kind, JSON_VALUES)
    return {"type": kind, "coordinates": draw(coordinates | JSON_VALUES)}


@st.composite
def geojson_texts(draw: st.DrawFn) -> bytes:
    """A FeatureCollection of OSM/GEM-like features, each part possibly wrong."""
    tags = st.fixed_dictionaries(
        {},
        optional={
            "man_made": st.sampled_from(["pipeline", "storage_tank"]),
            "substance": st.sampled_from(["gas", "oil", "fuel", "water"]),
            "amenity": st.just("fuel"),
            "power": st.just("substation"),
            "pipeline": st.just("substation"),
            "industrial": st.just("oil_storage"),
            "content": st.just("oil"),
            "brand": st.text(max_size=8),
            "ProjectID": st.text(max_size=6),
            "PipelineName": st.text(max_size=8),
            "Fuel": st.sampled_from(["Gas", "Oil", "x"]),
            "Status": st.sampled_from(["operating", "cancelled", "weird"]),
            "@id": st.integers(0, 10**12),
            "@type": st.sampled_from(["node", "way", "relation"]),
            "tags": JSON_VALUES,
            "name": st.text(max_size=8),
            "voltage": st.sampled_from(["400000", "x", ""]),
            "date_start": st.sampled_from(["0001-01-01", "2024-02-30", "2024-02-01"]),
            "latitude": st.floats(allow_nan=True, allow_infinity=True),
            "longitude": st.floats(allow_nan=True, allow_infinity=True),
            "population": st.integers(-5, 10**10),
        },
    )
    feature = st.fixed_dictionaries(
        {"type": st.just("Feature")},
        optional={
            "id": st.one_of(st.from_regex(r"(node|way)/[0-9]{1,6}", fullmatch=True), JSON_VALUES),
            "properties": tags | JSON_VALUES,
            "geometry": osm_geometries() | JSON_VALUES,
        },
    )
    data = {
        "type": "FeatureCollection",
        "features": draw(st.lists(feature | JSON_VALUES, max_size=5)),
    }
    if draw(st.integers(0, 9)) == 9:
        data = draw(JSON_VALUES)
    text = json.dumps(data, allow_nan=True)
    if draw(st.integers(0, 9)) == 9:
        text = text[: draw(st.integers(0, len(text)))]
    return text.encode("utf-8")


def assert_clean(code: int, output: str) -> None:
    assert code in (0, 1, 2), output
    assert "Traceback" not in output, output
    assert "internal error" not in output, output


@contextlib.contextmanager
def scratch() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="strikemap-fuzz-"))
    try:
        shutil.copytree(FIXTURES / "data", folder / "data")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def import_file(kind: str, content: bytes, suffix: str, *, dry_run: bool) -> None:
    with scratch() as folder:
        path = folder / f"upload.{suffix}"
        path.write_bytes(content)
        extra = ["--dry-run"] if dry_run else []
        assert_clean(*run("import", kind, str(path), "--data-dir", str(folder / "data"), *extra))
        if not dry_run:  # what an import wrote must still load
            code, output = run("impact", "--summary", "--data-dir", str(folder / "data"))
            assert code == 0, output


@SETTINGS
@given(kind=st.sampled_from(sorted(HEADERS)), content=st.data(), dry_run=st.booleans())
def test_csv_importers_never_crash(kind, content, dry_run):
    import_file(kind, content.draw(csv_texts(kind)), "csv", dry_run=dry_run)


@SETTINGS
@given(kind=st.sampled_from(GEOJSON_KINDS), content=geojson_texts(), dry_run=st.booleans())
def test_geojson_importers_never_crash(kind, content, dry_run):
    import_file(kind, content, "geojson", dry_run=dry_run)


@SETTINGS
@given(
    kind=st.sampled_from(sorted(IMPORTERS)),
    content=st.binary(max_size=300),
    suffix=st.sampled_from(["csv", "geojson", "txt"]),
)
def test_importers_never_crash_on_random_bytes(kind, content, suffix):
    import_file(kind, content, suffix, dry_run=True)


@SETTINGS
@given(
    spec=st.sampled_from(list(CATALOG)),
    content=geojson_texts() | st.binary(max_size=200),
    table=st.sampled_from(["relations.csv", "country_codes.csv", None]),
    table_content=st.binary(max_size=120) | st.text(max_size=120).map(str.encode),
)
def test_readers_never_crash(spec, content, table, table_content):
    with scratch() as folder:
        data = folder / "data"
        (data / spec.file).write_bytes(content)
        if table is not None:
            (data / table).write_bytes(table_content)
        for verb in (["validate"], ["layers"], ["impact", "--summary"], ["history"]):
            assert_clean(*run(*verb, "--data-dir", str(data)))
