"""The data page's logic (maps.data_page) and the page state (maps.session), without Streamlit."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest

from strikemap.analysis.dataset import load_dataset
from strikemap.analysis.view import View
from strikemap.webapp import data_page, session

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "import"
ACLED = FIXTURES / "acled_odesa.csv"
ORLIVKA = "strike-2025-08-06-orlivka"


def folder_hash(folder: Path) -> str:
    sha = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        sha.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            sha.update(path.read_bytes())
    return sha.hexdigest()


@pytest.fixture
def data_dir(tmp_path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(FIXTURES / "data", folder)
    return folder


def test_an_acled_preview_lists_the_diff_and_writes_nothing(data_dir):
    before = folder_hash(data_dir)
    preview = data_page.preview_import("acled", ACLED.name, ACLED.read_bytes(), data_dir=data_dir)
    assert folder_hash(data_dir) == before
    assert not list(data_dir.parent.glob("strikemap-upload-*"))
    assert f"acled import of {ACLED.name} into the data folder" in preview.summary
    assert str(data_dir) not in preview.summary  # no server path on the page
    assert "/tmp/strikemap-upload-" not in preview.summary
    assert len(preview.added) >= 1
    assert set(preview.added["layer"]) == {"strikes"}
    assert preview.added["date"].str.match(r"\d{4}-\d\d-\d\d").all()
    rejected = dict(zip(preview.rejected["where"], preview.rejected["reason"], strict=True))
    assert "31/13/2025" in rejected["row 5"]
    assert "46,4775" in rejected["row 6"]


def test_previewing_twice_gives_the_same_diff(data_dir):
    content = ACLED.read_bytes()
    first = data_page.preview_import("acled", "a.csv", content, data_dir=data_dir)
    again = data_page.preview_import("acled", "a.csv", content, data_dir=data_dir)
    assert first.added["id"].tolist() == again.added["id"].tolist()


def test_a_bad_import_file_is_an_upload_error_naming_the_upload(data_dir):
    with pytest.raises(data_page.UploadError, match=r"^.*export\.geojson.*not JSON") as caught:
        data_page.preview_import("osm", "export.geojson", b"<osm></osm>", data_dir=data_dir)
    assert "strikemap-upload-" not in str(caught.value)
    with pytest.raises(data_page.UploadError, match="empty"):
        data_page.preview_import("acled", "empty.csv", b"", data_dir=data_dir)
    with pytest.raises(data_page.UploadError, match="unknown import kind 'kml'"):
        data_page.preview_import("kml", "x.kml", b"x", data_dir=data_dir)


def test_a_valid_layer_upload_has_no_errors(data_dir):
    content = (data_dir / "strikes.geojson").read_bytes()
    check = data_page.check_layer_upload("strikes.geojson", content)
    assert check.layer == "strikes"
    assert check.report.ok
    assert check.problems().empty


def test_a_broken_layer_upload_lists_each_problem_with_file_feature_and_field(data_dir):
    collection = json.loads((data_dir / "strikes.geojson").read_text(encoding="utf-8"))
    feature = collection["features"][0]
    feature["properties"]["date"] = "2025-13-45"
    feature["properties"]["target_ids"] = ["fac-nowhere"]
    content = json.dumps(collection).encode()
    assets = set(load_dataset(data_dir).assets["id"])
    check = data_page.check_layer_upload("my-strikes.geojson", content, asset_ids=assets)
    table = check.problems()
    assert not check.report.ok
    assert list(table.columns) == list(data_page.PROBLEM_COLUMNS)
    assert set(table["file"]) == {"my-strikes.geojson"}
    assert {"date", "target_ids"} <= set(table["field"])
    assert set(table.loc[table["field"] == "date", "feature"]) == {feature["properties"]["id"]}


def test_layer_guessing_and_refusal():
    assert data_page.guess_layer("Power-Lines 2025.geojson") == "power_lines"
    assert data_page.guess_layer("fuel_stations.json") == "fuel_stations"
    assert data_page.guess_layer("export.geojson") is None
    with pytest.raises(data_page.UploadError, match="choose one of strikes"):
        data_page.check_layer_upload("export.geojson", b"{}")


def test_an_upload_name_cannot_leave_the_temporary_folder(tmp_path):
    path = data_page.save_upload("../../etc/evil.csv", b"a,b\n", tmp_path)
    assert path == tmp_path / "evil.csv"
    with pytest.raises(data_page.UploadError, match="no file name"):
        data_page.save_upload("..", b"x", tmp_path)


def test_a_url_becomes_widget_values_and_back(data_dir):
    data = load_dataset(data_dir)
    dates = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    params = {"weapons": "drone", "basemap": "Google", "date_from": "2024-01-01"}
    state = session.initial_state(params, data, dates)
    notices = " ".join(state["url_notices"])
    assert "basemap" in notices
    assert "clamped" in notices
    assert state["basemap"] == session.MAP_OPTIONS["basemap"][1]
    assert state["window"] == dates
    view = session.view_from_state(state)
    assert view.weapons == ("drone",)
    assert session.url_params(view, dates, state) == {"weapons": "drone"}
    state["strike_mode"] = "heatmap"
    assert session.url_params(View(), dates, state)["strike_mode"] == "heatmap"


def test_a_threat_radius_below_the_hit_radius_is_widened():
    radii = session.radii_from({1: 5_000.0}, {1: 1_000.0}, 20_000)
    assert radii == (((1, 5_000.0),), ((1, 5_000.0),), 20_000.0)
    rules = session.rules_from(radii)
    assert rules.threat_radius_m[1] == 5_000.0
    assert session.marker_radii(radii)[1] == 5_000.0


@pytest.mark.parametrize(
    ("kind", "name", "content", "phrase"),
    [
        (
            "osm",
            "deep.geojson",
            b'{"type": "FeatureCollection", "features": ' + b"[" * 5000 + b"]" * 5000 + b"}",
            "nest more than 32 levels",
        ),
        ("gem", "deep.geojson", b"[" * 100000 + b"]" * 100000, "nest more than 32 levels"),
        ("acled", "nul.csv", b"\x00\xff\xfe garbage", "not UTF-8"),
        ("firms", "firms.csv", b"a;b;c\n1;2;3\n", "semicolon-separated"),
    ],
)
def test_a_crafted_upload_gives_one_message_without_server_paths(
    data_dir, kind, name, content, phrase
):
    with pytest.raises(data_page.UploadError, match=phrase) as caught:
        data_page.preview_import(kind, name, content, data_dir=data_dir)
    message = str(caught.value)
    assert message.startswith(name)
    assert str(data_dir) not in message
    assert "/tmp/" not in message


def test_a_crafted_layer_upload_is_a_report_not_a_crash():
    content = b'{"type": "FeatureCollection", "features": [' + b"[" * 3000 + b"]" * 3000 + b"]}"
    check = data_page.check_layer_upload("strikes.geojson", content)
    assert not check.report.ok
    assert "nested too deeply" in check.report.errors[0].message


def test_an_upload_above_the_limit_is_refused(data_dir, monkeypatch):
    monkeypatch.setenv("STRIKEMAP_MAX_UPLOAD_MB", "0.001")
    with pytest.raises(data_page.UploadError, match=r"big.csv: 0.0 MB is more than the 0.001 MB"):
        data_page.preview_import("acled", "big.csv", b"x" * 2000, data_dir=data_dir)
