"""History: every write keeps the previous files; restore puts them back and can be undone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from strikemap.layers import history
from strikemap.layers.history import HistoryError, get_version, list_versions, recover_interrupted
from strikemap.layers.update import apply_plan, commit_files, plan_import, restore_version

FIXTURES = Path(__file__).parent / "fixtures" / "import"


@pytest.fixture
def data_dir(tmp_path):
    return Path(shutil.copytree(FIXTURES / "data", tmp_path / "data"))


@pytest.fixture
def imported(data_dir):
    """The tiny data folder after an ACLED import; returns the strikes file's bytes before it."""
    original = (data_dir / "strikes.geojson").read_bytes()
    apply_plan(plan_import("acled", FIXTURES / "acled_odesa.csv", data_dir=data_dir))
    return original


def test_no_history_before_any_write(data_dir):
    assert list_versions(data_dir=data_dir) == []


def test_import_keeps_the_previous_file(data_dir, imported):
    (version,) = list_versions(data_dir=data_dir)
    assert (version.path / "strikes.geojson").read_bytes() == imported


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
    commit_files({"notes.txt": b"hello\n"}, data_dir=data_dir, action="add notes", validate=False)
    restore_version("latest", data_dir=data_dir, validate=False)
    assert not (data_dir / "notes.txt").exists()


def test_interrupted_write_is_undone_by_recovery(data_dir):
    original = (data_dir / "strikes.geojson").read_bytes()
    history.save_previous(data_dir, ["strikes.geojson"], action="import that was killed")
    (data_dir / "strikes.geojson").write_bytes(b"half written")
    (recovered,) = recover_interrupted(data_dir=data_dir)
    assert recovered.action == "import that was killed"
    assert (data_dir / "strikes.geojson").read_bytes() == original


def test_interrupted_write_is_not_listed(data_dir):
    history.save_previous(data_dir, ["strikes.geojson"], action="killed")
    assert list_versions(data_dir=data_dir) == []


def test_next_write_recovers_first(data_dir):
    original = (data_dir / "strikes.geojson").read_bytes()
    history.save_previous(data_dir, ["strikes.geojson"], action="killed")
    (data_dir / "strikes.geojson").write_bytes(b"half written")
    commit_files({"notes.txt": b"x"}, data_dir=data_dir, action="notes", validate=False)
    assert (data_dir / "strikes.geojson").read_bytes() == original


def test_write_keeps_file_permissions(data_dir, imported):
    assert (data_dir / "strikes.geojson").stat().st_mode & 0o777 == (
        (data_dir / "facilities.geojson").stat().st_mode & 0o777
    )
