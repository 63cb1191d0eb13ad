"""ACLED CSV -> strikes: mapping, rejected rows and whole-file errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from strikemap.layers.importers import ImportFileError, parse_acled
from strikemap.layers.importers.acled import REQUIRED_COLUMNS, weapon_from_text
from strikemap.layers.importers.common import SNIFF_BYTES

FIXTURES = Path(__file__).parent / "fixtures" / "import"
ACLED = FIXTURES / "acled_odesa.csv"


@pytest.fixture(scope="module")
def parsed():
    return parse_acled(ACLED)


def strike(parsed, provenance):
    frame = parsed.layers["strikes"]
    return frame[frame["provenance"] == provenance].iloc[0]


def test_keeps_only_remote_violence_by_default(parsed):
    assert "acled:UKR200003" not in set(parsed.layers["strikes"]["provenance"])


def test_all_events_keeps_battles():
    strikes = parse_acled(ACLED, all_events=True).layers["strikes"]
    assert "acled:UKR200003" in set(strikes["provenance"])


def test_skipped_events_are_counted_in_notes(parsed):
    assert any("skipped 1 events" in note for note in parsed.notes)


def test_maps_sources_to_dataset_names(parsed):
    assert strike(parsed, "acled:UKR200001")["sources"] == ["dataset:ACLED (Ukrinform; Suspilne)"]


def test_time_precision_2_is_a_week(parsed):
    assert strike(parsed, "acled:UKR200006")["date_precision"] == "week"


def test_reads_long_form_dates(parsed):
    assert strike(parsed, "acled:UKR200006")["date"] == "2025-09-12"


def test_geo_precision_is_kept(parsed):
    assert strike(parsed, "acled:UKR200006")["geo_precision"] == 2


@pytest.mark.parametrize(
    ("provenance", "weapon"),
    [("acled:UKR200001", "drone"), ("acled:UKR200002", "missile"), ("acled:UKR200007", "drone")],
)
def test_weapon_from_notes(parsed, provenance, weapon):
    assert strike(parsed, provenance)["weapon"] == weapon


def test_id_from_date_and_place(parsed):
    assert strike(parsed, "acled:UKR200002")["id"] == "strike-2025-09-10-odesa"


def test_admin1_and_point(parsed):
    row = strike(parsed, "acled:UKR200002")
    assert (row["admin1"], row.geometry.x, row.geometry.y) == ("Odesa", 30.7326, 46.4775)


def test_bad_rows_are_rejected_with_row_number_and_reason(parsed):
    reasons = {r.where: r.reason for r in parsed.rejected}
    assert reasons == {
        "row 5": "event_date '31/13/2025' is not a date",
        "row 6": "latitude '46,4775' is not a number",
    }


def test_missing_required_column(tmp_path):
    path = tmp_path / "no_latitude.csv"
    text = ACLED.read_text(encoding="utf-8").replace("latitude", "lat", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"no_latitude.csv: missing required ACLED column"):
        parse_acled(path)


def test_semicolon_separated_file_says_how_to_fix(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text(";".join(REQUIRED_COLUMNS) + "\n" + ";" * 10 + "\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"semicolon-separated.*comma-separated UTF-8"):
        parse_acled(path)


def test_latin1_file_says_how_to_fix(tmp_path):
    path = tmp_path / "latin1.csv"
    text = ACLED.read_text(encoding="utf-8").replace("Novosilske", "Novosélske")
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(ImportFileError, match=r"line 2 is not UTF-8 .*Latin-1"):
        parse_acled(path)


def test_latin1_beyond_the_sniffed_start_is_caught(tmp_path):
    path = tmp_path / "late_latin1.csv"
    lines = ACLED.read_text(encoding="utf-8").splitlines()
    filler = [lines[2]] * (SNIFF_BYTES // len(lines[2]) + 10)
    text = "\n".join([lines[0], *filler, lines[1].replace("Novosilske", "Novosélske")]) + "\n"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(ImportFileError, match=r"not UTF-8 after row"):
        parse_acled(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(ImportFileError, match=r"empty.csv: the file is empty"):
        parse_acled(path)


def test_header_only_file(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text(",".join(REQUIRED_COLUMNS) + "\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"no data rows"):
        parse_acled(path)


def test_missing_file(tmp_path):
    with pytest.raises(ImportFileError, match=r"nowhere.csv: no such file"):
        parse_acled(tmp_path / "nowhere.csv")


def test_file_with_bom_reads(tmp_path):
    path = tmp_path / "bom.csv"
    shutil.copy(ACLED, path)
    path.write_bytes(b"\xef\xbb\xbf" + ACLED.read_bytes())
    assert len(parse_acled(path).layers["strikes"]) == 4


def test_streams_in_chunks_with_progress(tmp_path):
    calls = []
    parsed = parse_acled(ACLED, progress=lambda done, total: calls.append((done, total)))
    size = ACLED.stat().st_size
    assert (len(parsed.layers["strikes"]), calls[-1]) == (4, (size, size))


@pytest.mark.parametrize(
    ("notes", "weapon"),
    [
        ("Shahed drones and Kalibr missiles hit the port", "combined"),
        ("A KAB guided aerial bomb struck a warehouse", "glide_bomb"),
        ("Shelling with MLRS near the river", "artillery"),
        ("An explosion was reported", "unknown"),
    ],
)
def test_weapon_words(notes, weapon):
    assert list(weapon_from_text(pd.Series([notes]))) == [weapon]
