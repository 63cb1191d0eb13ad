"""Writes are all or nothing: killed at each step of the write phase, the next command of any
kind finishes or rolls back the write and says which; two writers never lose a feature."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
from pathlib import Path

import pytest
from conftest import run_cli

from strikemap.analysis.dataset import load_dataset
from strikemap.layers import history, journal
from strikemap.layers.catalog import PIPELINES, STRIKES
from strikemap.layers.io import read_layer
from strikemap.layers.lock import (
    LOCK_NAME,
    Holder,
    LockError,
    current_holder,
    read_lock,
    write_lock,
)
from strikemap.layers.update import apply_plan, plan_import

FIXTURES = Path(__file__).parent / "fixtures" / "import"
OSM = FIXTURES / "osm_overpass.geojson"
MULTI_FILE = ("facilities.geojson", "fuel_stations.geojson", "pipelines.geojson")
"""The files an OSM import of the fixture replaces: a write of three files."""
BEFORE_JOURNAL = ("begin", "staged", "kept")
AFTER_JOURNAL = (
    "journal",
    "replaced facilities.geojson",
    "replaced fuel_stations.geojson",
    "complete",
)

KILL_AT_STEP = """
import os, signal, sys
from strikemap.layers.update import apply_plan, plan_import

def hook(step):
    if step == sys.argv[3]:
        os.kill(os.getpid(), signal.SIGKILL)

apply_plan(plan_import("osm", sys.argv[1], data_dir=sys.argv[2]), hook=hook)
print("finished")
"""


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "data", tmp_path / "data"))


@pytest.fixture(scope="module")
def imported_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The data files after an uninterrupted OSM import of the fixture."""
    folder = Path(shutil.copytree(FIXTURES / "data", tmp_path_factory.mktemp("x") / "data"))
    apply_plan(plan_import("osm", OSM, data_dir=folder))
    return data_files(folder)


def data_files(folder: Path) -> dict[str, bytes]:
    files = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
    return {p.name: p.read_bytes() for p in files}


def kill_at(step: str, data_dir: Path) -> None:
    """Run the import in a real process and SIGKILL it when it reaches ``step``."""
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(KILL_AT_STEP), str(OSM), str(data_dir), step],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "finished" not in proc.stdout


def assert_no_litter(data_dir: Path) -> None:
    assert not (data_dir / journal.WRITE_DIR_NAME).exists()
    assert not list(data_dir.glob(".*.tmp"))
    result = history.scan(data_dir=data_dir)
    assert result.orphans == []
    assert result.damaged == []
    assert all(v.status != history.PENDING for v in result.versions)
    assert (data_dir / LOCK_NAME).read_text(encoding="utf-8") == ""


NEXT_COMMANDS = {
    "validate": lambda d: run_cli("validate", "--data-dir", str(d)),
    "history": lambda d: run_cli("history", "--data-dir", str(d)),
    "layers": lambda d: run_cli("layers", "--data-dir", str(d)),
}


@pytest.mark.parametrize("step", BEFORE_JOURNAL)
@pytest.mark.parametrize("command", sorted(NEXT_COMMANDS))
def test_killed_before_the_journal_the_next_command_rolls_back(data_dir, step, command):
    before = data_files(data_dir)
    kill_at(step, data_dir)
    code, output = NEXT_COMMANDS[command](data_dir)
    assert code == 0, output
    assert "interrupted before it replaced any file; rolled back" in output
    assert data_files(data_dir) == before
    assert_no_litter(data_dir)
    (version,) = history.list_versions(data_dir=data_dir)
    assert not version.restorable
    assert "rolled back" in version.describe()


@pytest.mark.parametrize("step", AFTER_JOURNAL)
@pytest.mark.parametrize("command", sorted(NEXT_COMMANDS))
def test_killed_after_the_journal_the_next_command_finishes(
    data_dir, imported_files, step, command
):
    before = data_files(data_dir)
    kill_at(step, data_dir)
    code, output = NEXT_COMMANDS[command](data_dir)
    assert code == 0, output
    assert "was interrupted; finished it now" in output
    assert data_files(data_dir) == imported_files
    assert_no_litter(data_dir)
    (version,) = history.list_versions(data_dir=data_dir)
    assert version.restorable
    assert "finished" in version.describe()
    restored = history.previous_contents(version)
    assert {n: before[n] for n in MULTI_FILE} == restored


def test_the_app_loading_finishes_an_interrupted_write(data_dir, imported_files):
    kill_at("replaced facilities.geojson", data_dir)
    dataset = load_dataset(data_dir)
    assert data_files(data_dir) == imported_files
    assert len(dataset.layers["pipelines"]) == len(read_layer(PIPELINES, data_dir=data_dir))
    assert "finished it now" in dataset.recovery.notes[0]
    assert_no_litter(data_dir)


def test_killed_write_then_next_write_keeps_both(data_dir, imported_files):
    kill_at("replaced fuel_stations.geojson", data_dir)
    code, output = run_cli(
        "add-strike",
        "--date",
        "2025-09-20",
        "--lat",
        "46.48",
        "--lon",
        "30.73",
        "--precision",
        "1",
        "--weapon",
        "drone",
        "--source",
        "https://example.org/a",
        "--place",
        "Odesa",
        "--data-dir",
        str(data_dir),
    )
    assert code == 0, output
    assert "finished it now" in output
    for name in MULTI_FILE:
        assert (data_dir / name).read_bytes() == imported_files[name]
    assert "strike-2025-09-20-odesa" in set(read_layer(STRIKES, data_dir=data_dir)["id"])
    assert [v.restorable for v in history.list_versions(data_dir=data_dir)] == [True, True]


def test_temp_files_and_history_folders_left_by_kills_are_removed(data_dir):
    (data_dir / ".strikes.geojson.abc123.tmp").write_bytes(b"half")
    orphan = history.history_dir(data_dir) / "2020-01-01T000000.000000Z"
    orphan.mkdir(parents=True)
    (orphan / "strikes.geojson").write_bytes(b"copy without a manifest")
    code, output = run_cli("validate", "--data-dir", str(data_dir))
    assert code == 0, output
    assert "removed 1 temporary files and 1 history folders without a manifest" in output
    assert_no_litter(data_dir)


def test_old_stage_folders_in_the_temp_folder_are_removed(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    old, new = tmp_path / "strikemap-stage-old", tmp_path / "strikemap-stage-new"
    old.mkdir()
    new.mkdir()
    os.utime(old, (0, 0))
    assert journal.clean_temp_folder() == 1
    assert not old.exists()
    assert new.exists()


# --------------------------------------------------------------------------------------------
# The lock


CONCURRENT_WRITER = """
import sys
from strikemap.cli import main
folder, first_day = sys.argv[1], int(sys.argv[2])
for n in range(4):
    day = first_day + n
    code = main([
        "add-strike", "--date", f"2025-0{1 + day % 9}-{10 + day}", "--lat", f"{45.5 + day / 20}",
        "--lon", f"{29.0 + day / 10}", "--precision", "1", "--weapon", "drone",
        "--source", f"https://example.org/{day}", "--place", f"Place {day}",
        "--data-dir", folder,
    ])
    if code != 0:
        sys.exit(code)
"""


def test_two_writers_with_different_temp_folders_lose_nothing(data_dir, tmp_path):
    before = set(read_layer(STRIKES, data_dir=data_dir)["id"])
    procs = []
    for n, first_day in enumerate((0, 10)):
        tmp = tmp_path / f"tmp{n}"
        tmp.mkdir()
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", CONCURRENT_WRITER, str(data_dir), str(first_day)],
                env={**os.environ, "TMPDIR": str(tmp)},
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    added = set(read_layer(STRIKES, data_dir=data_dir)["id"]) - before
    assert len(added) == 8, added
    assert len(history.list_versions(data_dir=data_dir)) == 8


def write_holder(data_dir: Path, holder: Holder) -> None:
    (data_dir / LOCK_NAME).write_text(json.dumps(dataclasses.asdict(holder)), encoding="utf-8")


def test_stale_lock_of_a_dead_writer_is_reported_and_taken_over(data_dir, caplog):
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    holder = Holder(int(dead.stdout), socket.gethostname(), "2026-01-01T00:00:00+00:00", "import x")
    write_holder(data_dir, holder)
    with write_lock(data_dir, action="test") as stale:
        assert stale == holder
        assert current_holder(data_dir).action == "test"
    assert "stale lock" in caplog.text
    assert "import x" in caplog.text
    assert current_holder(data_dir) is None


def test_a_lock_naming_another_machine_is_not_taken_over(data_dir):
    holder = Holder(4242, "other-machine", dt.datetime.now(dt.UTC).isoformat(), "import osm x")
    write_holder(data_dir, holder)
    with (
        pytest.raises(LockError, match=r"held by pid 4242 on host other-machine"),
        write_lock(data_dir),
    ):
        pass
    code, output = run_cli("history", "--prune", "--data-dir", str(data_dir))
    assert code == 1
    assert "cannot write" in output
    assert "other-machine" in output
    assert "Traceback" not in output


def test_a_writer_waits_then_gives_up_naming_the_holder(data_dir):
    script = (
        "import sys, time\nfrom strikemap.layers.lock import write_lock\n"
        "with write_lock(sys.argv[1], action='slow import'):\n"
        "    print('locked', flush=True)\n    time.sleep(30)\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(data_dir)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout.readline().strip() == "locked"
        with (
            pytest.raises(LockError, match=rf"being written by pid {proc.pid} .*slow import"),
            write_lock(data_dir, wait=0.3),
        ):
            pass
    finally:
        proc.kill()
        proc.wait()


def test_lock_file_is_in_the_data_folder_not_the_temp_folder(data_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path / "elsewhere"))
    with write_lock(data_dir, action="x"):
        assert current_holder(data_dir).pid == os.getpid()
        assert not (tmp_path / "elsewhere").exists()
    assert (data_dir / LOCK_NAME).read_text(encoding="utf-8") == ""  # kept, emptied


def test_a_reader_in_another_thread_keeps_a_writer_out(data_dir):
    with write_lock(data_dir):  # a writer has been here: the lock file exists
        pass
    errors: list[Exception] = []

    def write() -> None:
        try:
            with write_lock(data_dir, wait=0.2):
                pass
        except LockError as exc:
            errors.append(exc)

    with read_lock(data_dir):
        writer = threading.Thread(target=write)
        writer.start()
        writer.join()
    (error,) = errors
    assert "in use by another strikemap process" in str(error)
    write()  # once the reader is done, the writer gets in
    assert len(errors) == 1
