"""The data-team verbs of the command line, in-process, on a copy of a tiny data folder."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from strikemap.cli import main
from strikemap.layers.catalog import STRIKES
from strikemap.layers.io import read_layer
from strikemap.layers.lock import LOCK_NAME

FIXTURES = Path(__file__).parent / "fixtures" / "import"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "data", tmp_path / "data"))


def digest(folder: Path) -> str:
    """Names and bytes of every file, history included; not the (empty) lock file."""
    sha = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != LOCK_NAME:
            sha.update(str(path.relative_to(folder)).encode())
            sha.update(path.read_bytes())
    return sha.hexdigest()


def test_dry_run_prints_the_diff_and_writes_nothing(data_dir, capsys):
    before = digest(data_dir)
    code = main(
        [
            "import",
            "osm",
            str(FIXTURES / "osm_osmium.geojson"),
            "--data-dir",
            str(data_dir),
            "--dry-run",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "added:" in out
    assert "dry run: nothing written" in out
    assert digest(data_dir) == before


def test_import_writes_then_restore_latest_puts_the_data_back(data_dir, capsys):
    before = read_layer(STRIKES, data_dir=data_dir)
    assert (
        main(["import", "acled", str(FIXTURES / "acled_odesa.csv"), "--data-dir", str(data_dir)])
        == 1
    )  # some rows rejected, the good ones imported
    out = capsys.readouterr().out
    assert "rejected: 2" in out
    after = read_layer(STRIKES, data_dir=data_dir)
    assert len(after) > len(before)

    assert main(["history", "--data-dir", str(data_dir)]) == 0
    assert "acled" in capsys.readouterr().out
    assert main(["restore", "latest", "--data-dir", str(data_dir)]) == 0
    assert set(read_layer(STRIKES, data_dir=data_dir)["id"]) == set(before["id"])


def test_strict_import_with_rejected_rows_writes_nothing(data_dir, capsys):
    before = digest(data_dir)
    code = main(
        [
            "import",
            "acled",
            str(FIXTURES / "acled_odesa.csv"),
            "--data-dir",
            str(data_dir),
            "--strict",
        ]
    )
    assert code == 1
    assert "nothing written" in capsys.readouterr().out
    assert digest(data_dir) == before


def test_missing_import_file_exits_1_with_its_name(data_dir, capsys):
    before = digest(data_dir)
    assert main(["import", "firms", str(data_dir / "nope.csv"), "--data-dir", str(data_dir)]) == 1
    assert "nope.csv" in capsys.readouterr().err
    assert digest(data_dir) == before


def test_unknown_import_kind_is_a_usage_error(data_dir, capsys):
    assert main(["import", "kml", "x.kml", "--data-dir", str(data_dir)]) == 2
    assert "invalid choice" in capsys.readouterr().err


def add_strike_args(data_dir: Path, lat: str, lon: str) -> list[str]:
    return [
        "add-strike",
        "--data-dir",
        str(data_dir),
        "--date",
        "2025-09-01",
        "--lat",
        lat,
        "--lon",
        lon,
        "--precision",
        "1",
        "--weapon",
        "drone",
        "--place",
        "Izmail",
        "--source",
        "https://example.org/report",
    ]


def test_add_strike_adds_one_strike(data_dir, capsys):
    assert main(add_strike_args(data_dir, "45.35", "28.84")) == 0
    strikes = read_layer(STRIKES, data_dir=data_dir)
    added = strikes[strikes["id"] == "strike-2025-09-01-izmail"]
    assert len(added) == 1
    assert added.iloc[0]["sources"] == ["https://example.org/report"]


def test_add_strike_can_mark_a_strike_unconfirmed(data_dir, capsys):
    args = [*add_strike_args(data_dir, "45.35", "28.84"), "--status", "unconfirmed"]
    assert main(args) == 0
    strikes = read_layer(STRIKES, data_dir=data_dir).set_index("id")
    assert strikes.loc["strike-2025-09-01-izmail", "status"] == "unconfirmed"


def test_add_strike_with_swapped_coordinates_is_refused(data_dir, capsys):
    before = digest(data_dir)
    assert main(add_strike_args(data_dir, "28.84", "45.35")) == 1
    assert "swapped" in capsys.readouterr().out
    assert digest(data_dir) == before


def test_restore_unknown_version_is_a_usage_error(data_dir, capsys):
    assert main(["restore", "19990101T000000Z", "--data-dir", str(data_dir)]) == 2
    assert "strikemap: error" in capsys.readouterr().err
