"""impact, export-map and export-table on the shipped data, in-process."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import openpyxl
import pytest

from strikemap.analysis import analyse, load_dataset
from strikemap.cli import main


def test_impact_csv_names_the_orlivka_chain(capsys):
    assert main(["impact", "--from", "2025-08-06", "--to", "2025-08-06"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    orlivka = [r for r in rows if r["strike_id"] == "strike-2025-08-06-orlivka"]
    relations = {(r["asset_id"], r["country"], r["relation"]) for r in orlivka}
    assert ("fac-orlivka-cs", "", "target") in relations
    assert ("fac-orlivka-cs", "AZE", "supply_origin") in relations
    assert ("", "UKR", "location") in relations
    assert all(r["detail"] for r in orlivka)


def test_impact_country_filter_keeps_only_strikes_touching_it(capsys):
    assert main(["impact", "--country", "AZE", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    strikes = {r["strike_id"] for r in rows}
    assert "strike-2025-08-08-odesa" in strikes
    assert all(any(r["country"] == "AZE" for r in rows if r["strike_id"] == s) for s in strikes)


def test_unconfirmed_strikes_are_shown_unless_confirmed_only(capsys):
    # the SOCAR filling station strike (17 Aug 2025) is reported only by Azerbaijani media
    unconfirmed = "strike-2025-08-17-odesa"
    assert main(["impact", "--country", "AZE", "--format", "json"]) == 0
    assert unconfirmed in {r["strike_id"] for r in json.loads(capsys.readouterr().out)}
    assert main(["impact", "--country", "AZE", "--format", "json", "--confirmed-only"]) == 0
    strikes = {r["strike_id"] for r in json.loads(capsys.readouterr().out)}
    assert unconfirmed not in strikes
    assert "strike-2025-08-18-odesa" in strikes


def summary_sections(out: str) -> dict[str, list[list[str]]]:
    """The --summary output as ``{section title: rows split on two or more spaces}``."""
    sections: dict[str, list[list[str]]] = {}
    title = ""
    for line in out.splitlines():
        if not line.strip():
            continue
        if not line.startswith(" ") and line.rstrip().endswith(":"):
            title = line.rstrip(":")
            sections[title] = []
        else:
            sections[title].append(re.split(r"\s{2,}", line.strip()))
    return sections


def test_impact_summary_shows_affected_first_and_exposed_apart(capsys):
    assert main(["impact", "--summary"]) == 0
    sections = summary_sections(capsys.readouterr().out)
    titles = list(sections)
    assert titles[0].startswith("Affected")
    assert titles[1].startswith("Exposed only")
    summary = analyse(load_dataset()).country_summary.set_index("country")
    affected, exposed = sections[titles[0]], sections[titles[1]]
    assert affected[0][:3] == ["country", "name", "strikes"]
    assert exposed[0][:3] == ["country", "name", "strikes"]
    shown_affected = {row[0]: int(row[2]) for row in affected[1:]}
    shown_exposed = {row[0]: int(row[2]) for row in exposed[1:]}
    assert shown_affected == {c: n for c, n in summary["affected"].items() if n}
    assert shown_exposed == {c: n for c, n in summary["exposed"].items() if n}
    # the Orlivka strike of 2025-08-06 names the station on Azerbaijan's supply route
    assert shown_affected["AZE"] >= 1


def test_impact_geojson_to_a_file(tmp_path: Path):
    out = tmp_path / "links.geojson"
    assert main(["impact", "--format", "geojson", "--out", str(out)]) == 0
    collection = json.loads(out.read_text())
    kinds = {f["geometry"]["type"] for f in collection["features"]}
    assert kinds == {"LineString", "Point"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["impact", "--from", "2025-13-01"], "not a date"),
        (["impact", "--from", "2025-09-01", "--to", "2025-08-01"], "after date_to"),
        (["impact", "--country", "XYZ"], "no such country"),
        (["impact", "--country", "AZERBAIJAN"], "alpha-3"),
        (["impact", "--bbox", "31,45,28,47"], "bbox"),
        (["impact", "--hit-radius-m", "1,2"], "three distances"),
        (["impact", "--hit-radius-m", "50000,50000,50000"], "threat_radius_m"),
        (["export-map", "--out", "brief.doc"], "unknown format"),
        (["export-table", "--out", "table.pdf"], "unknown format"),
    ],
)
def test_bad_options_exit_2_with_a_message(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_export_map_png_of_a_country_view(tmp_path: Path, capsys):
    out = tmp_path / "brief.png"
    assert main(["export-map", "--out", str(out), "--country", "AZE", "--dpi", "100"]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "strikes" in capsys.readouterr().err


def test_export_map_of_an_empty_selection_still_writes_a_map(tmp_path: Path, caplog):
    out = tmp_path / "empty.pdf"
    code = main(["export-map", "--out", str(out), "--from", "2020-01-01", "--to", "2020-01-02"])
    assert code == 0
    assert out.read_bytes()[:5] == b"%PDF-"
    assert "No strikes match" in caplog.text or "no strikes" in caplog.text.lower()


def test_export_map_html_opens_without_the_app(tmp_path: Path):
    out = tmp_path / "map.html"
    assert main(["export-map", "--out", str(out)]) == 0
    html = out.read_text()
    assert "L.map(" in html  # Leaflet's code is inside the file
    assert 'src="http' not in html
    assert '<link rel="stylesheet" href="http' not in html  # no stylesheet from the network
    assert list(tmp_path.iterdir()) == [out]  # one file to send


def test_export_map_into_a_missing_folder_exits_2(tmp_path: Path, capsys):
    assert main(["export-map", "--out", str(tmp_path / "nowhere" / "b.png")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_export_table_xlsx_has_strikes_and_links(tmp_path: Path):
    out = tmp_path / "table.xlsx"
    assert main(["export-table", "--out", str(out), "--country", "AZE"]) == 0
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == ["strikes", "links"]
    assert book["strikes"].max_row > 1


def test_impact_keeps_the_nearest_nearby_assets_per_layer_unless_asked_for_all(capsys):
    def nearby_per_strike_and_layer(argv: list[str]) -> dict[tuple[str, str], int]:
        assert main(["impact", *argv]) == 0
        rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
        counts: dict[tuple[str, str], int] = {}
        for r in rows:
            if r["relation"] == "nearby":
                key = (r["strike_id"], r["asset_layer"])
                counts[key] = counts.get(key, 0) + 1
        return counts

    every = nearby_per_strike_and_layer(["--nearby-per-layer", "all"])
    one = nearby_per_strike_and_layer(["--nearby-per-layer", "1"])
    assert max(every.values()) > 1  # some strike has several nearby facilities
    assert one == dict.fromkeys(every, 1)
    assert main(["impact", "--nearby-per-layer", "some"]) == 2


def test_export_map_html_opens_the_selected_strikes_chain(tmp_path: Path, capsys):
    out = tmp_path / "map.html"
    assert main(["export-map", "--out", str(out), "--select", "strike-2025-08-06-orlivka"]) == 0
    html = out.read_text()
    assert "Azerbaijan: supply origin of its gas from 2025-07-28 to 2025-08-31" in html
    other = tmp_path / "other.html"
    assert main(["export-map", "--out", str(other), "--select", "strike-never"]) == 2
    assert not other.exists()
    assert "no strike with that id" in capsys.readouterr().err
