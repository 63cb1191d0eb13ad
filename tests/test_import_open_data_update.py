"""Open-data imports through plan -> validate -> apply: dry runs, re-imports, updates, merges."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from strikemap.cli import main
from strikemap.layers.catalog import FACILITIES, PLACES
from strikemap.layers.io import read_layer
from strikemap.layers.update import apply_plan, plan_import
from strikemap.layers.validate import validate_data_dir

FIXTURES = Path(__file__).parent / "fixtures"
OPEN_DATA = FIXTURES / "open_data"
IMPORTS = [
    ("gem", "gem_routes_bare.geojson", {"attributes": [OPEN_DATA / "gem_attributes.csv"]}),
    ("gridkit", "gridkit_lines.geojson", {}),
    ("gridkit", "gridkit_buses.geojson", {}),
    ("gridkit", "gridkit_links.csv", {}),
    ("powerplants", "powerplants.csv", {}),
    ("refineries", "refineries.csv", {}),
    ("wpi", "wpi.csv", {}),
    ("geonames", "geonames_dump.txt", {}),
    ("ucdp", "ucdp_ged.csv", {}),
]
IDS = [f"{kind}-{name}" for kind, name, _ in IMPORTS]


@pytest.fixture
def data_dir(tmp_path):
    return Path(shutil.copytree(FIXTURES / "import" / "data", tmp_path / "data"))


def digest(folder: Path) -> str:
    sha = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        sha.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


@pytest.mark.parametrize(("kind", "name", "options"), IMPORTS, ids=IDS)
def test_dry_run_shows_additions_and_writes_nothing(data_dir, kind, name, options):
    before = digest(data_dir)
    plan = plan_import(kind, OPEN_DATA / name, data_dir=data_dir, **options)
    assert plan.added
    assert f"added: {len(plan.added)}" in plan.summary()
    assert digest(data_dir) == before


@pytest.mark.parametrize(("kind", "name", "options"), IMPORTS, ids=IDS)
def test_importing_twice_changes_nothing(data_dir, kind, name, options):
    apply_plan(plan_import(kind, OPEN_DATA / name, data_dir=data_dir, **options))
    assert validate_data_dir(data_dir).ok
    after_first = digest(data_dir)
    again = plan_import(kind, OPEN_DATA / name, data_dir=data_dir, **options)
    assert (again.added, again.updated, again.changed) == ([], {}, False)
    assert apply_plan(again) == []
    assert digest(data_dir) == after_first


def test_a_changed_row_updates_the_feature_it_made(data_dir, tmp_path):
    apply_plan(plan_import("geonames", OPEN_DATA / "geonames_dump.txt", data_dir=data_dir))
    changed = tmp_path / "cities.txt"
    text = (OPEN_DATA / "geonames_dump.txt").read_text(encoding="utf-8")
    changed.write_text(text.replace("\t3047\t", "\t3100\t"), encoding="utf-8")  # Orlivka
    plan = plan_import("geonames", changed, data_dir=data_dir)
    assert (plan.added, plan.updated) == ([], {"place-orlivka-698379": ["population"]})
    apply_plan(plan)
    places = read_layer(PLACES, data_dir=data_dir).set_index("id")
    assert places.loc["place-orlivka-698379", "population"] == 3100
    assert len(places) == 6


def test_a_research_asset_merged_with_a_record_keeps_its_values(data_dir):
    """The tiny data's research Izmail port lists WPI 43625 as merged: no duplicate port."""
    path = data_dir / FACILITIES.file
    collection = json.loads(path.read_text(encoding="utf-8"))
    port = next(f for f in collection["features"] if f["properties"]["id"] == "fac-izmail-port")
    port["properties"]["provenance"] = "research:B-A05; wpi:43625"
    path.write_text(json.dumps(collection), encoding="utf-8")
    plan = plan_import("wpi", OPEN_DATA / "wpi.csv", data_dir=data_dir)
    assert "fac-izmail-port" in plan.updated  # only its sources grow
    assert plan.updated["fac-izmail-port"] == ["sources"]
    apply_plan(plan)
    facilities = read_layer(FACILITIES, data_dir=data_dir).set_index("id")
    izmail = facilities.loc["fac-izmail-port"]
    assert (izmail["name"], izmail["geo_precision"]) == ("Izmail port", 1)
    assert izmail["sources"] == [
        "https://example.org/source",
        "https://msi.nga.mil/Publications/WPI",
    ]
    assert "fac-port-izmayil-43625" not in facilities.index
    again = plan_import("wpi", OPEN_DATA / "wpi.csv", data_dir=data_dir)
    assert not again.changed


def test_cli_imports_the_good_rows_and_names_the_bad_ones(data_dir, capsys):
    code = main(["import", "wpi", str(OPEN_DATA / "broken_wpi.csv"), "--data-dir", str(data_dir)])
    out = capsys.readouterr().out
    assert code == 1
    assert "broken_wpi.csv row 3: Latitude/Longitude: out of range" in out
    assert "broken_wpi.csv row 5: World Port Index Number: repeats an earlier port" in out
    ports = set(read_layer(FACILITIES, data_dir=data_dir)["provenance"])
    assert {"wpi:43625", "wpi:43650"} <= ports


def test_cli_bbox_and_population_cut(data_dir, capsys):
    argv = ["import", "geonames", str(OPEN_DATA / "geonames_dump.txt"), "--dry-run"]
    argv += ["--data-dir", str(data_dir), "--bbox", "28,45,29,46", "--min-population", "4000"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "added: 2: place-isaccea-675495, place-reni-12129128" in out
    assert "skipped 2 features outside the map region (lon 28..29, lat 45..46" in out


def test_cli_refuses_an_option_the_importer_does_not_take(data_dir, capsys):
    argv = ["import", "wpi", str(OPEN_DATA / "wpi.csv"), "--min-population", "10"]
    assert main([*argv, "--data-dir", str(data_dir)]) == 2
    assert "--min-population: not an option of `strikemap import wpi`" in capsys.readouterr().err
