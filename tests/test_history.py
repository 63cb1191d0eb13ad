"""History: every write keeps the previous files; restore puts them back, checked and contained."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from strikemap.layers import history, journal
from strikemap.layers.history import HistoryError, get_version, list_versions, scan
from strikemap.layers.retention import Retention, prune
from strikemap.layers.update import apply_plan, commit_files, plan_import, restore_version

FIXTURES = Path(__file__).parent / "fixtures" / "import"
CODES = "country_codes.csv"


@pytest.fixture
def data_dir(tmp_path):
    return Path(shutil.copytree(FIXTURES / "data", tmp_path / "data"))


@pytest.fixture
def imported(data_dir):
    """The tiny data folder after an ACLED import; returns the strikes file's bytes before it."""
    original = (data_dir / "strikes.geojson").read_bytes()
    apply_plan(plan_import("acled", FIXTURES / "acled_odesa.csv", data_dir=data_dir))
    return original


def add_code(data_dir: Path, line: str) -> None:
    """One small write through the journal: a line added to country_codes.csv."""
    text = (data_dir / CODES).read_text(encoding="utf-8") + line + "\n"
    commit_files({CODES: text.encode()}, data_dir=data_dir, action=f"add {line}", validate=False)


def test_no_history_before_any_write(data_dir):
    assert list_versions(data_dir=data_dir) == []


def test_import_keeps_the_previous_file(data_dir, imported):
    (version,) = list_versions(data_dir=data_dir)
    assert history.previous_contents(version) == {"strikes.geojson": imported}


def test_versions_are_stored_compressed_not_as_copies(data_dir, imported):
    (version,) = list_versions(data_dir=data_dir)
    assert not (version.path / "strikes.geojson").exists()
    chunks = list(history.objects_dir(data_dir).rglob("*.gz"))
    assert chunks
    assert sum(p.stat().st_size for p in chunks) < len(imported)


def test_version_says_what_replaced_it(data_dir, imported):
    (version,) = list_versions(data_dir=data_dir)
    assert version.describe().endswith(
        "acled acled_odesa.csv: 3 added, 1 updated  (kept: strikes.geojson)"
    )


def test_restore_puts_the_bytes_back(data_dir, imported):
    restore_version("latest", data_dir=data_dir)
    assert (data_dir / "strikes.geojson").read_bytes() == imported


def test_restore_can_be_undone(data_dir, imported):
    after_import = (data_dir / "strikes.geojson").read_bytes()
    restore_version("latest", data_dir=data_dir)
    restore_version("latest", data_dir=data_dir)
    assert (data_dir / "strikes.geojson").read_bytes() == after_import


def test_restore_by_id(data_dir, imported):
    (version,) = list_versions(data_dir=data_dir)
    restore_version(version.id, data_dir=data_dir)
    assert list_versions(data_dir=data_dir)[0].action == f"restore {version.id}"


def test_unknown_version_lists_known_ones(data_dir, imported):
    (version,) = list_versions(data_dir=data_dir)
    with pytest.raises(HistoryError, match=rf"no version 'nope'.*newest: {version.id}"):
        get_version("nope", data_dir=data_dir)


def test_restore_removes_a_file_the_write_created(data_dir):
    (data_dir / CODES).unlink()
    commit_files({CODES: b"iso3,name\nAZE,Azerbaijan\n"}, data_dir=data_dir, action="codes")
    restore_version("latest", data_dir=data_dir, validate=False)
    assert not (data_dir / CODES).exists()


def test_a_write_may_only_name_data_files(data_dir, tmp_path):
    with pytest.raises(ValueError, match=r"'notes.txt' is not a data file of the catalogue"):
        commit_files({"notes.txt": b"x"}, data_dir=data_dir, action="notes", validate=False)
    with pytest.raises(ValueError, match=r"is not a data file"):
        commit_files({"../outside.csv": b"x"}, data_dir=data_dir, action="x", validate=False)
    assert not (tmp_path / "outside.csv").exists()


def test_legacy_interrupted_write_is_put_back_by_recovery(data_dir):
    original = (data_dir / "strikes.geojson").read_bytes()
    history.save_previous(data_dir, ["strikes.geojson"], action="import that was killed")
    (data_dir / "strikes.geojson").write_bytes(b"half written")
    recovery = journal.recover(data_dir)
    assert "'import that was killed' was interrupted" in recovery.notes[0]
    assert (data_dir / "strikes.geojson").read_bytes() == original
    (version,) = list_versions(data_dir=data_dir)
    assert not version.restorable
    assert "put back" in version.describe()


def test_pending_version_is_not_restorable(data_dir):
    history.save_previous(data_dir, ["strikes.geojson"], action="killed")
    assert list_versions(data_dir=data_dir) == []
    with pytest.raises(HistoryError, match=r"none yet"):
        get_version("latest", data_dir=data_dir)


def test_write_keeps_file_permissions(data_dir, imported):
    assert (data_dir / "strikes.geojson").stat().st_mode & 0o777 == (
        (data_dir / "facilities.geojson").stat().st_mode & 0o777
    )


# --------------------------------------------------------------------------------------------
# Manifests are checked, never trusted


def test_restore_ignores_a_manifest_naming_a_file_outside_the_data_folder(data_dir, tmp_path):
    add_code(data_dir, "USA,United States")
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    (version,) = list_versions(data_dir=data_dir)
    manifest = json.loads((version.path / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"] = {"../victim.txt": {"existed": False, "sha256": None, "chunks": None}}
    (version.path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(HistoryError, match=r"no version 'latest' to restore"):
        restore_version("latest", data_dir=data_dir)
    assert victim.read_text(encoding="utf-8") == "keep me"
    (damaged,) = scan(data_dir=data_dir).damaged
    assert "'../victim.txt' is not a data file of the catalogue" in damaged.describe()


def test_truncated_manifest_is_reported_and_skipped_not_fatal(data_dir):
    add_code(data_dir, "USA,United States")
    add_code(data_dir, "CAN,Canada")
    newest, older = list_versions(data_dir=data_dir)
    text = (newest.path / "manifest.json").read_text(encoding="utf-8")
    (newest.path / "manifest.json").write_text(text[: len(text) // 2], encoding="utf-8")
    result = scan(data_dir=data_dir)
    assert [v.id for v in result.versions] == [older.id]
    assert "manifest.json is damaged" in result.damaged[0].describe()
    add_code(data_dir, "MEX,Mexico")  # later writes are not blocked
    assert restore_version(older.id, data_dir=data_dir, validate=False)


def test_restore_refuses_a_version_missing_a_kept_file(data_dir):
    add_code(data_dir, "USA,United States")
    before_restore = (data_dir / CODES).read_bytes()
    shutil.rmtree(history.objects_dir(data_dir))
    with pytest.raises(HistoryError, match=r"version .* is incomplete .*missing"):
        restore_version("latest", data_dir=data_dir, validate=False)
    assert (data_dir / CODES).read_bytes() == before_restore


def test_restore_refuses_a_version_whose_file_does_not_match_its_hash(data_dir):
    add_code(data_dir, "USA,United States")
    (version,) = list_versions(data_dir=data_dir)
    manifest = json.loads((version.path / "manifest.json").read_text(encoding="utf-8"))
    manifest["files"][CODES]["sha256"] = "0" * 64
    (version.path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(HistoryError, match=r"does not match its hash"):
        restore_version("latest", data_dir=data_dir, validate=False)


# --------------------------------------------------------------------------------------------
# Retention


def test_prune_keeps_the_newest_n_and_the_young(data_dir):
    for n in range(5):
        add_code(data_dir, f"X{n}X,Test {n}")
    versions = list_versions(data_dir=data_dir)
    assert len(versions) == 5
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=10)
    assert prune(data_dir=data_dir, retention=Retention(2, 30), now=later).removed == []
    result = prune(data_dir=data_dir, retention=Retention(2, 5), now=later)
    assert [v.id for v in result.removed] == [v.id for v in versions[2:]]
    assert [v.id for v in list_versions(data_dir=data_dir)] == [v.id for v in versions[:2]]
    assert result.chunks_removed > 0
    for version in list_versions(data_dir=data_dir):  # what is kept is still complete
        history.previous_contents(version)


def test_prune_deletes_no_chunk_while_a_manifest_is_damaged(data_dir):
    for n in range(3):
        add_code(data_dir, f"X{n}X,Test {n}")
    newest = list_versions(data_dir=data_dir)[0]
    (newest.path / "manifest.json").write_text("{", encoding="utf-8")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=10)
    result = prune(data_dir=data_dir, retention=Retention(0, 1), now=later)
    assert result.chunks_removed == 0
    assert "no stored chunk was deleted" in result.skipped_gc


def test_retention_from_the_environment(monkeypatch):
    monkeypatch.setenv("STRIKEMAP_HISTORY_KEEP", "3")
    monkeypatch.setenv("STRIKEMAP_HISTORY_KEEP_DAYS", "0.5")
    assert Retention.from_env() == Retention(3, 0.5)
    monkeypatch.setenv("STRIKEMAP_HISTORY_KEEP", "many")
    with pytest.raises(ValueError, match=r"STRIKEMAP_HISTORY_KEEP='many' is not a non-negative"):
        Retention.from_env()
