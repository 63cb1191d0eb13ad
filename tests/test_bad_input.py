"""Every bad input of issue 14, through the command line: one clear line, exit 1 or 2, no
traceback, and the data as it was (or changed only through the undoable write path)."""

from __future__ import annotations

import hashlib
import json
import shutil
import warnings
from pathlib import Path

import pytest
from conftest import run_cli

from strikemap.cli import main
from strikemap.layers import history
from strikemap.layers.limits import MAX_VERTICES_PER_FEATURE
from strikemap.layers.update import commit_files
from strikemap.webapp.serve import streamlit_command

FIXTURES = Path(__file__).parent / "fixtures" / "import"
ACLED = FIXTURES / "acled_odesa.csv"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / "data", tmp_path / "data"))


def run(*argv: object) -> tuple[int, str]:
    code, text = run_cli(*argv)
    assert "Traceback" not in text
    assert "internal error" not in text
    return code, text


def data_digest(folder: Path) -> str:
    sha = hashlib.sha256()
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        sha.update(path.name.encode() + path.read_bytes())
    return sha.hexdigest()


def error_line(text: str) -> str:
    (line,) = [ln for ln in text.splitlines() if ln.startswith("strikemap: ")]
    return line


# --------------------------------------------------------------------------------------------
# 1. Exports never write over the data


@pytest.mark.parametrize(
    "argv",
    [
        ["export-table", "--out", "{data}/strikes.geojson", "--from", "2025-09-01"],
        ["impact", "--format", "geojson", "--out", "{data}/facilities.geojson"],
        ["export-map", "--out", "{data}/map.png"],
        ["export-table", "--out", "{data}/strikes.geojson", "--force"],
        ["report", "--country", "AZE", "--out", "{data}/report.html"],
    ],
    ids=["export-table", "impact", "export-map", "force-is-not-enough", "report"],
)
def test_an_export_into_the_data_folder_is_refused(data_dir, argv):
    before = data_digest(data_dir)
    code, text = run(*(a.format(data=data_dir) for a in argv), "--data-dir", data_dir)
    assert code == 2
    assert "lies in the data folder" in error_line(text)
    assert data_digest(data_dir) == before
    assert history.list_versions(data_dir=data_dir) == []


def test_an_export_over_a_copied_layer_file_elsewhere_is_refused(data_dir, tmp_path):
    backup = tmp_path / "backup"
    backup.mkdir()
    shutil.copy(data_dir / "strikes.geojson", backup / "strikes.geojson")
    code, text = run("export-table", "--out", backup / "strikes.geojson", "--data-dir", data_dir)
    assert code == 2
    assert f"lies in the data folder {backup}" in error_line(text)


def test_an_existing_output_file_needs_force(data_dir, tmp_path):
    out = tmp_path / "links.csv"
    out.write_text("keep", encoding="utf-8")
    code, text = run("impact", "--out", out, "--data-dir", data_dir)
    assert code == 2
    assert "the file exists; add --force" in error_line(text)
    assert out.read_text(encoding="utf-8") == "keep"
    assert run("impact", "--out", out, "--force", "--data-dir", data_dir)[0] == 0
    assert out.read_text(encoding="utf-8").startswith("strike_id")


def test_into_data_writes_through_validation_and_history(data_dir):
    before = (data_dir / "strikes.geojson").read_bytes()
    code, text = run(
        "export-table", "--out", data_dir / "strikes.geojson", "--into-data", "--data-dir", data_dir
    )
    assert code == 0, text
    assert "previous file is kept" in text
    (version,) = history.list_versions(data_dir=data_dir)
    assert version.action == "export-table --out strikes.geojson --into-data"
    assert run("restore", "latest", "--data-dir", data_dir)[0] == 0
    assert (data_dir / "strikes.geojson").read_bytes() == before


def test_into_data_refuses_a_file_that_is_not_data(data_dir):
    code, text = run(
        "export-table", "--out", data_dir / "notes.csv", "--into-data", "--data-dir", data_dir
    )
    assert code == 2
    assert "must be a data file in a data folder" in error_line(text)


def test_into_data_that_would_not_validate_writes_nothing(data_dir):
    before = data_digest(data_dir)
    code, text = run(
        "impact", "--out", data_dir / "relations.csv", "--into-data", "--data-dir", data_dir
    )
    assert code == 1
    assert "would not validate after this change; nothing was written" in text
    assert data_digest(data_dir) == before


# --------------------------------------------------------------------------------------------
# 2. A validated import never makes the data unreadable


def test_an_osm_line_over_the_vertex_limit_is_rejected_and_the_data_still_loads(data_dir, tmp_path):
    n = MAX_VERTICES_PER_FEATURE + 1
    coordinates = [[28 + 2 * i / n, 45 + i / n] for i in range(n)]
    feature = {
        "type": "Feature",
        "id": "way/77",
        "properties": {"man_made": "pipeline", "substance": "gas", "name": "Huge"},
        "geometry": {"type": "LineString", "coordinates": coordinates},
    }
    path = tmp_path / "huge.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), "utf-8")
    code, text = run("import", "osm", path, "--data-dir", data_dir)
    assert code == 1
    assert f"way/77: geometry has {n:,} vertices, more than the" in text
    for verb in (["validate"], ["layers"], ["impact", "--summary"]):
        assert run(*verb, "--data-dir", data_dir)[0] == 0


# --------------------------------------------------------------------------------------------
# 6. No tracebacks


DEEP = b'{"type": "FeatureCollection", "features": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


@pytest.mark.parametrize("kind", ["osm", "gem"])
def test_deeply_nested_json_import_is_one_line(data_dir, tmp_path, kind):
    path = tmp_path / "deep.geojson"
    path.write_bytes(DEEP)
    code, text = run("import", kind, path, "--data-dir", data_dir)
    assert code == 1
    assert "nest more than 32 levels deep" in error_line(text)


def test_deeply_nested_layer_is_a_validation_error(data_dir):
    (data_dir / "strikes.geojson").write_bytes(DEEP)
    code, text = run("validate", "--data-dir", data_dir)
    assert code == 1
    assert "is nested too deeply" in text
    code, text = run("layers", "--data-dir", data_dir)
    assert code == 1
    assert "strikes.geojson: cannot be read" in text


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31"])
def test_an_acled_row_with_an_absurd_date_is_rejected_alone(data_dir, tmp_path, date):
    header, first, *rest = ACLED.read_text(encoding="utf-8").splitlines()
    event_date = first.split(",")[1]
    path = tmp_path / "acled.csv"
    path.write_text("\n".join([header, first.replace(event_date, date, 1), *rest]) + "\n")
    code, text = run("import", "acled", path, "--data-dir", data_dir)
    assert code == 1
    assert f"row 2: event_date '{date}' lies outside 1900-01-01..2100-12-31" in text
    assert "added: 3" in text  # the other good rows are imported
    assert "rejected: 3" in text


def test_add_strike_in_year_1_is_refused(data_dir):
    before = data_digest(data_dir)
    code, text = run(
        "add-strike", "--date", "0001-01-01", "--lat", "46.4", "--lon", "30.7", "--precision",
        "1", "--weapon", "drone", "--source", "https://example.org/x", "--data-dir", data_dir,
    )  # fmt: skip
    assert code == 1
    assert "date 0001-01-01 lies outside 1900-01-01..2100-12-31" in text
    assert data_digest(data_dir) == before


def test_a_firms_row_in_year_1_is_rejected(data_dir, tmp_path):
    header, first, *_ = (FIXTURES / "firms_viirs.csv").read_text(encoding="utf-8").splitlines()
    acq_date = first.split(",")[header.split(",").index("acq_date")]
    path = tmp_path / "firms.csv"
    path.write_text(f"{header}\n{first.replace(acq_date, '0001-01-01')}\n", encoding="utf-8")
    code, text = run("import", "firms", path, "--data-dir", data_dir)
    assert code == 1
    assert "row 2: acq_date '0001-01-01'" in text
    assert "1900-01-01..2100-12-31" in text


@pytest.mark.parametrize(
    ("out", "phrase"),
    [
        ("{tmp}", "is a folder; give a file name"),
        ("/proc/strikemap-test/links.csv", "folder /proc/strikemap-test does not exist"),
        ("/proc/links.csv", "cannot write the export"),
    ],
    ids=["a-folder", "missing-folder", "unwritable"],
)
def test_out_to_a_folder_or_an_unwritable_path_is_a_usage_error(data_dir, tmp_path, out, phrase):
    code, text = run("impact", "--out", out.format(tmp=tmp_path), "--data-dir", data_dir)
    assert code == 2
    assert phrase in error_line(text)


def test_html_export_refuses_a_missing_folder_like_the_others(data_dir, tmp_path):
    for suffix in ("html", "png"):
        out = tmp_path / "missing" / f"map.{suffix}"
        code, text = run("export-map", "--out", out, "--data-dir", data_dir)
        assert code == 2
        assert "does not exist; create it first" in error_line(text)
    assert not (tmp_path / "missing").exists()


def test_truncated_manifest_is_reported_and_writes_go_on(data_dir, tmp_path):
    assert run("import", "acled", ACLED, "--data-dir", data_dir)[0] == 1  # 2 rows rejected
    (version,) = history.list_versions(data_dir=data_dir)
    manifest = version.path / "manifest.json"
    manifest.write_text(manifest.read_text(encoding="utf-8")[:40], encoding="utf-8")
    code, text = run("history", "--data-dir", data_dir)
    assert code == 0
    assert "manifest.json is damaged" in text
    assert "no previous versions kept yet" in text
    code, text = run(
        "add-strike", "--date", "2025-09-20", "--lat", "46.48", "--lon", "30.73", "--precision",
        "1", "--weapon", "drone", "--source", "https://example.org/a", "--data-dir", data_dir,
    )  # fmt: skip
    assert code == 0, text
    assert run("restore", "latest", "--data-dir", data_dir)[0] == 0


def test_restore_of_a_version_missing_a_file_is_one_line(data_dir):
    assert run("import", "acled", ACLED, "--data-dir", data_dir)[0] == 1
    before = data_digest(data_dir)
    shutil.rmtree(history.objects_dir(data_dir))
    code, text = run("restore", "latest", "--data-dir", data_dir)
    assert code == 1
    assert "is incomplete" in error_line(text)
    assert data_digest(data_dir) == before


def test_nan_and_infinite_osm_coordinates_are_named_as_such(data_dir, tmp_path):
    features = [
        {
            "type": "Feature",
            "id": f"node/{n}",
            "properties": {"amenity": "fuel", "brand": "OKKO"},
            "geometry": {"type": "Point", "coordinates": coordinates},
        }
        for n, coordinates in enumerate(([float("nan"), 46.4], [30.7, float("inf")], [30.7, 46.4]))
    ]
    path = tmp_path / "fuel.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no shapely "invalid value" warnings either
        code, text = run("import", "osm", path, "--data-dir", data_dir)
    assert code == 1
    assert "node/0: coordinates are NaN or infinite" in text
    assert "node/1: coordinates are NaN or infinite" in text
    assert "[0, 0]" not in text
    assert "added: 1" in text


# --------------------------------------------------------------------------------------------
# 5 and 8: serve and history say what they do


def test_serve_listens_on_this_machine_with_a_small_upload_limit():
    command = streamlit_command(app_path=Path("app.py"))
    options = dict(zip(command[5::2], command[6::2], strict=False))
    assert options["--server.address"] == "127.0.0.1"
    assert options["--server.maxUploadSize"] == "25"
    assert options["--client.showErrorDetails"] == "none"
    assert streamlit_command(app_path=Path("app.py"), max_upload_mb=2.5)[-1] == "3"


def test_history_help_is_true_to_the_listing(data_dir, capsys):
    assert main(["history", "--help"]) == 0
    help_text = " ".join(capsys.readouterr().out.split())
    assert "newest first" in help_text
    assert "newest last" not in help_text
    codes = data_dir / "country_codes.csv"
    for n in range(3):
        content = codes.read_bytes() + f"X{n}X,Test {n}\n".encode()
        commit_files({codes.name: content}, data_dir=data_dir, action=f"write {n}")
    code, text = run("history", "--data-dir", data_dir)
    assert code == 0
    actions = [line.split("  ")[1] for line in text.splitlines()]
    assert actions == ["write 2", "write 1", "write 0"]


def test_history_prune_keeps_what_it_is_told(data_dir):
    codes = data_dir / "country_codes.csv"
    for n in range(4):
        content = codes.read_bytes() + f"X{n}X,Test {n}\n".encode()
        commit_files({codes.name: content}, data_dir=data_dir, action=f"write {n}")
    code, text = run(
        "history", "--prune", "--keep", "1", "--keep-days", "0", "--data-dir", data_dir
    )
    assert code == 0, text
    assert "removed 3 versions" in text
    assert [v.action for v in history.list_versions(data_dir=data_dir)] == ["write 3"]
    code, text = run("history", "--keep", "1", "--data-dir", data_dir)
    assert code == 2
    assert "--keep and --keep-days go with --prune" in error_line(text)
