"""Planning and applying imports: dry runs, idempotence, strictness, writes never half-done."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from strikemap.geo.assets import combine_assets
from strikemap.geo.impact import link_strikes
from strikemap.layers import history, journal
from strikemap.layers.add_strike import add_strike
from strikemap.layers.catalog import ASSET_ROLES
from strikemap.layers.errors import LayerValidationError
from strikemap.layers.io import read_layers, read_relations
from strikemap.layers.lock import LOCK_NAME
from strikemap.layers.update import (
    ImportRejectedError,
    PlanOutdatedError,
    apply_plan,
    plan_import,
)
from strikemap.layers.validate import validate_data_dir

FIXTURES = Path(__file__).parent / "fixtures" / "import"
IMPORTS = [
    ("acled", "acled_odesa.csv"),
    ("osm", "osm_overpass.geojson"),
    ("firms", "firms_viirs.csv"),
    ("gem", "gem_pipelines.csv"),
]


@pytest.fixture
def data_dir(tmp_path):
    return Path(shutil.copytree(FIXTURES / "data", tmp_path / "data"))


def digest(folder: Path) -> str:
    """SHA-256 over every file below ``folder`` (names and bytes), history included.

    The lock file is left out: a writer creates it (empty) even when it then writes nothing.
    """
    sha = hashlib.sha256()
    files = (p for p in folder.rglob("*") if p.is_file() and p.name != LOCK_NAME)
    for path in sorted(files):
        sha.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


@pytest.mark.parametrize(("kind", "name"), IMPORTS)
def test_dry_run_writes_nothing(data_dir, kind, name):
    before = digest(data_dir)
    plan = plan_import(kind, FIXTURES / name, data_dir=data_dir)
    assert plan.added
    assert digest(data_dir) == before


@pytest.mark.parametrize(("kind", "name"), IMPORTS)
def test_import_then_reimport_changes_nothing(data_dir, kind, name):
    apply_plan(plan_import(kind, FIXTURES / name, data_dir=data_dir))
    after_first = digest(data_dir)
    again = plan_import(kind, FIXTURES / name, data_dir=data_dir)
    assert (again.added, again.updated, again.changed) == ([], {}, False)
    assert apply_plan(again) == []
    assert digest(data_dir) == after_first


@pytest.mark.parametrize(("kind", "name"), IMPORTS)
def test_imported_data_validates(data_dir, kind, name):
    apply_plan(plan_import(kind, FIXTURES / name, data_dir=data_dir))
    report = validate_data_dir(data_dir)
    assert report.ok, report.format()


def test_imported_strikes_reach_the_impact_table(data_dir):
    apply_plan(plan_import("acled", FIXTURES / "acled_odesa.csv", data_dir=data_dir))
    layers = read_layers(data_dir=data_dir)
    table = link_strikes(
        layers["strikes"],
        combine_assets(layers, layers=ASSET_ROLES),
        read_relations(data_dir=data_dir),
        layers["countries"],
    )
    assert "strike-2025-09-12-izmail" in set(table["strike_id"])


def test_summary_lists_ids_and_rejections(data_dir):
    text = plan_import("acled", FIXTURES / "acled_odesa.csv", data_dir=data_dir).summary()
    assert "added: 3: strike-2025-09-10-odesa, strike-2025-09-12-izmail" in text
    assert "updated: 1: strike-2025-08-06-orlivka (sources" in text
    assert "acled_odesa.csv row 5: event_date '31/13/2025' is not a date" in text


def test_strict_import_with_rejected_rows_writes_nothing(data_dir):
    before = digest(data_dir)
    plan = plan_import("acled", FIXTURES / "acled_odesa.csv", data_dir=data_dir, strict=True)
    with pytest.raises(ImportRejectedError, match=r"(?s)2 rows rejected.*row 5: event_date"):
        apply_plan(plan)
    assert digest(data_dir) == before


def test_without_strict_good_rows_import(data_dir):
    apply_plan(plan_import("acled", FIXTURES / "acled_odesa.csv", data_dir=data_dir))
    ids = set(read_layers(data_dir=data_dir)["strikes"]["id"])
    assert {"strike-2025-09-10-odesa", "strike-2025-09-12-izmail"} <= ids


def test_firms_candidates_stay_apart_from_confirmed_strikes(data_dir):
    apply_plan(plan_import("firms", FIXTURES / "firms_viirs.csv", data_dir=data_dir))
    strikes = read_layers(data_dir=data_dir)["strikes"].set_index("id")
    assert strikes.loc["strike-2025-08-06-orlivka", "status"] == "confirmed"
    assert strikes.loc["firms-2025-08-06-fac-orlivka-cs", "status"] == "candidate"


def test_disk_full_while_staging_leaves_data_identical_and_no_litter(data_dir, monkeypatch):
    before = digest(data_dir)
    plan = plan_import("osm", FIXTURES / "osm_overpass.geojson", data_dir=data_dir)
    real_write = journal._write_new
    calls = []

    def fail_on_second_layer(path, content, *, mode):
        calls.append(path.name)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_write(path, content, mode=mode)

    monkeypatch.setattr(journal, "_write_new", fail_on_second_layer)
    with pytest.raises(OSError, match=r"No space left"):
        apply_plan(plan)
    assert len(calls) == 2
    assert digest(data_dir) == before
    assert not (data_dir / journal.WRITE_DIR_NAME).exists()
    assert history.scan(data_dir=data_dir).versions == []


def test_invalid_result_is_not_written(data_dir):
    relations = data_dir / "relations.csv"
    relations.write_text(
        relations.read_text(encoding="utf-8").replace("fac-orlivka-cs", "fac-nowhere"),
        encoding="utf-8",
    )
    before = digest(data_dir)
    plan = plan_import("acled", FIXTURES / "acled_odesa.csv", data_dir=data_dir)
    with pytest.raises(
        LayerValidationError,
        match=r"(?s)would not validate.*nothing was written.*relations.csv.*fac-nowhere",
    ):
        apply_plan(plan)
    assert digest(data_dir) == before


def test_plan_outdated_by_another_write(data_dir):
    first = plan_import("acled", FIXTURES / "acled_odesa.csv", data_dir=data_dir)
    apply_plan(plan_import("firms", FIXTURES / "firms_viirs.csv", data_dir=data_dir))
    with pytest.raises(PlanOutdatedError, match=r"plan it again"):
        apply_plan(first)


def test_add_strike(data_dir):
    fid = add_strike(
        date="2025-09-20",
        lat=46.48,
        lon=30.73,
        precision=1,
        weapon="drone",
        sources=["https://example.org/report"],
        targets=["fac-odesa-depot"],
        place="Odesa",
        data_dir=data_dir,
    )
    strikes = read_layers(data_dir=data_dir)["strikes"].set_index("id")
    assert fid == "strike-2025-09-20-odesa"
    assert strikes.loc[fid, "target_ids"] == ["fac-odesa-depot"]


def test_add_strike_with_bad_weapon_is_refused(data_dir):
    before = digest(data_dir)
    with pytest.raises(ImportRejectedError, match=r"weapon"):
        add_strike(
            date="2025-09-20",
            lat=46.48,
            lon=30.73,
            precision=1,
            weapon="laser",
            sources=["https://example.org/x"],
            data_dir=data_dir,
        )
    assert digest(data_dir) == before


def test_add_strike_with_unknown_target_is_refused(data_dir):
    with pytest.raises(ImportRejectedError, match=r"fac-nowhere"):
        add_strike(
            date="2025-09-20",
            lat=46.48,
            lon=30.73,
            precision=1,
            weapon="drone",
            sources=["https://example.org/x"],
            targets=["fac-nowhere"],
            data_dir=data_dir,
        )


# --------------------------------------------------------------------------------------------
# Imports killed from outside

KILLED_READING = """
import sys, time
from strikemap.layers.update import plan_import, apply_plan
def progress(done, total):
    print("reading", done, flush=True)
    time.sleep(0.05)
plan = plan_import("firms", sys.argv[1], data_dir=sys.argv[2], progress=progress, chunksize=200)
apply_plan(plan)
print("finished", flush=True)
"""


def run_until(script: str, args: list[str], marker: str) -> None:
    """Run ``script`` in a subprocess and kill it (SIGKILL) once it prints ``marker``."""
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        for line in proc.stdout:
            if line.startswith(marker):
                break
    finally:
        proc.kill()
        proc.wait(timeout=30)
    assert line.startswith(marker)


def big_firms_file(path: Path, rows: int) -> Path:
    header, *body = (FIXTURES / "firms_viirs.csv").read_text(encoding="utf-8").splitlines()
    good = body[:5]
    lines = [header, *(good[i % len(good)] for i in range(rows))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_killed_while_reading_leaves_data_identical(data_dir, tmp_path):
    source = big_firms_file(tmp_path / "fires.csv", 20_000)
    before = digest(data_dir)
    run_until(KILLED_READING, [str(source), str(data_dir)], "reading")
    assert digest(data_dir) == before
