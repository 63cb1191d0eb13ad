"""The ``strikemap`` command, run in-process: verbs, exit codes, reports, data folder choice."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from strikemap.cli import main
from strikemap.layers.catalog import CATALOG
from strikemap.layers.paths import DATA_DIR_ENV

N_FILES = len(CATALOG) + 1
"""Files `strikemap validate` checks: every layer and relations.csv."""

Features = dict[str, list[dict[str, object]]]


@pytest.fixture
def invalid_data_dir(make_data_dir: Callable[..., Path], minimal_features: Features) -> Path:
    minimal_features["strikes"][0]["properties"]["weapon"] = "bomb"
    return make_data_dir(strikes=minimal_features["strikes"])


def test_validate_good_data_exits_0_with_a_summary(
    valid_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", "--data-dir", str(valid_data_dir)]) == 0
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1] == f"0 errors, 0 warnings in {N_FILES} files"


def test_validate_bad_data_exits_1_with_a_readable_report(
    invalid_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", "--data-dir", str(invalid_data_dir)]) == 1
    captured = capsys.readouterr()
    assert str(invalid_data_dir / "strikes.geojson") in captured.out
    assert "feature 'strike-2025-08-06-orlivka' (#1), field 'weapon'" in captured.out
    assert "'bomb' is not in the vocabulary" in captured.out
    assert captured.out.strip().splitlines()[-1] == f"1 error, 0 warnings in {N_FILES} files"
    assert "Traceback" not in captured.out + captured.err


def test_validate_unreadable_file_exits_1_without_traceback(
    make_data_dir: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = make_data_dir(pipelines='{"type": "FeatureCollection", "features": [')
    assert main(["validate", "--data-dir", str(folder)]) == 1
    captured = capsys.readouterr()
    assert "pipelines.geojson" in captured.out
    assert "truncated" in captured.out
    assert "Traceback" not in captured.out + captured.err


def test_validate_json_format_for_machines(
    invalid_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", "--data-dir", str(invalid_data_dir), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    assert report["errors"] == 1
    [problem] = report["problems"]
    assert problem["feature"] == "strike-2025-08-06-orlivka"
    assert problem["field"] == "weapon"
    assert problem["file"].endswith("strikes.geojson")


def test_layers_lists_every_layer_with_its_count(
    make_data_dir: Callable[..., Path],
    minimal_features: Features,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = make_data_dir(power_lines=None)
    assert main(["layers", "--data-dir", str(folder)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["name", "file", "geometry", "features", "title"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert set(rows) == {spec.name for spec in CATALOG}
    assert rows["countries"][1:4] == ["countries.geojson", "Polygon/MultiPolygon", "4"]
    assert rows["strikes"][3] == "1"
    assert rows["power_lines"][3] == "missing"


def test_layers_unreadable_file_exits_1(
    make_data_dir: Callable[..., Path], capsys: pytest.CaptureFixture[str]
) -> None:
    folder = make_data_dir(strikes="not json at all")
    assert main(["layers", "--data-dir", str(folder)]) == 1
    rows = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()}
    assert rows["strikes"][3] == "unreadable"


def test_help_lists_every_verb_examples_and_exit_codes(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for verb in ("validate", "layers", "serve"):
        assert f"    {verb} " in out
    assert "examples:" in out
    assert "exit codes:" in out
    assert DATA_DIR_ENV in out


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["no-such-verb"],
        ["validate", "--no-such-option"],
        ["validate", "--format", "xml"],
    ],
    ids=["no-verb", "unknown-verb", "unknown-option", "bad-choice"],
)
def test_usage_errors_return_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "usage: strikemap" in capsys.readouterr().err


def test_missing_data_folder_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", "--data-dir", str(tmp_path / "nowhere")]) == 2
    assert "no such data folder" in capsys.readouterr().err


def test_data_dir_defaults_to_the_environment_variable(
    invalid_data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(invalid_data_dir))
    assert main(["validate"]) == 1
    assert str(invalid_data_dir / "strikes.geojson") in capsys.readouterr().out


def test_data_dir_option_wins_over_the_environment_variable(
    valid_data_dir: Path, invalid_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(invalid_data_dir))
    assert main(["validate", "--data-dir", str(valid_data_dir)]) == 0


def test_quiet_and_verbose_go_before_or_after_the_verb(valid_data_dir: Path) -> None:
    assert main(["-q", "validate", "--data-dir", str(valid_data_dir)]) == 0
    assert main(["validate", "-v", "--data-dir", str(valid_data_dir)]) == 0
    assert main(["-q", "-v", "validate"]) == 2


def test_serve_refuses_a_bad_port_before_starting(
    valid_data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--data-dir", str(valid_data_dir), "--port", "70000"]) == 2
    assert "not a port number" in capsys.readouterr().err


def test_serve_refuses_a_missing_data_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--data-dir", str(tmp_path / "nowhere")]) == 2
    assert "no such data folder" in capsys.readouterr().err
