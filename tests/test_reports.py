"""Country reports: PDF and HTML read back, numbers equal to the summary, CLI exits."""

from __future__ import annotations

import io
import re
from pathlib import Path

import html5lib
import pytest
from pypdf import PdfReader
from report_support import HOSTILE, synthetic_dataset

from strikemap.analysis import View, analyse, load_dataset
from strikemap.cli import main
from strikemap.maps.static.captions import source_publisher
from strikemap.reports import ReportError, build_report, report_bytes, save_report
from strikemap.reports import strikes as strike_section
from strikemap.reports.context import as_list

DATA = load_dataset()


def pdf_text(data: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(data))
    return reader, [page.extract_text() for page in reader.pages]


def flat(text: str) -> str:
    """Text with line breaks and runs of spaces as one space (PDF lines wrap anywhere)."""
    return re.sub(r"\s+", " ", text)


def summary_row(capsys, country: str, *options: str) -> dict[str, int]:
    """The country's strikes in `strikemap impact --summary`: affected, exposed only, in all."""
    assert main(["impact", "--summary", *options]) == 0
    counts = {"affected": 0, "exposed": 0}
    section = None
    for line in capsys.readouterr().out.splitlines():
        if line.startswith(("Affected", "Exposed only")):
            section = "affected" if line.startswith("Affected") else "exposed"
            continue
        cells = re.split(r"\s{2,}", line.strip())
        if section and cells[0] == country:
            counts[section] = int(cells[2])
    return {**counts, "strikes": counts["affected"] + counts["exposed"]}


def cover_numbers(first_page: str) -> dict[str, int]:
    text = flat(first_page)
    found = {
        "strikes": re.search(r"(\d+) strikes linked to", text),
        "affected": re.search(r"(\d+) affect it", text),
        "exposed": re.search(r"(\d+) only expose it", text),
        "assets": re.search(r"(\d+) assets through which", text),
    }
    assert all(found.values()), text
    return {k: int(m.group(1)) for k, m in found.items()}


@pytest.fixture(scope="module")
def aze_pdf(tmp_path_factory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("report") / "aze.pdf"
    analysis = analyse(DATA, View(countries=("AZE",)))
    save_report(analysis, out)
    return out, analysis


def test_pdf_names_every_strike_date_and_source_publisher_of_the_selection(aze_pdf):
    out, analysis = aze_pdf
    reader, pages = pdf_text(out.read_bytes())
    text = flat(" ".join(pages))
    assert len(analysis.strikes) == 7
    for record in analysis.strikes.to_dict("records"):
        assert record["id"] in text
        assert str(record["date"]) in text
        for source in as_list(record["sources"]):
            assert source_publisher(source) in text, source
    # cover, over time, strikes (several pages), assets, method
    assert len(reader.pages) >= 6
    assert (
        reader.metadata.title
        == "Azerbaijan: exposure to strikes on energy infrastructure around Odesa"
    )


def test_cover_numbers_equal_the_cli_summary(aze_pdf, capsys):
    out, analysis = aze_pdf
    _, pages = pdf_text(out.read_bytes())
    numbers = cover_numbers(pages[0])
    row = summary_row(capsys, "AZE")
    assert {k: numbers[k] for k in row} == row
    summary = analysis.country_summary.set_index("country")
    assert numbers["assets"] == summary.loc["AZE", "assets"]
    assert numbers["affected"] + numbers["exposed"] == numbers["strikes"]
    assert numbers["affected"] >= 1  # Orlivka 2025-08-06: the sources name the station


@pytest.mark.parametrize(
    ("country", "options"),
    [
        ("ROU", ["--from", "2025-01-01"]),
        ("MDA", ["--min-confidence", "medium"]),
        ("AZE", ["--weapon", "drone", "--hit-radius-m", "1000,5000,12000"]),
    ],
)
def test_cli_report_numbers_equal_the_summary_with_the_same_options(
    tmp_path, capsys, country, options
):
    out = tmp_path / "report.pdf"
    assert main(["report", "--country", country, "--out", str(out), *options]) == 0
    capsys.readouterr()
    _, pages = pdf_text(out.read_bytes())
    numbers = cover_numbers(pages[0])
    row = summary_row(capsys, country, "--country", country, *options)
    assert {k: numbers[k] for k in row} == row
    if options[0] == "--min-confidence":
        assert numbers["exposed"] == 0  # low links are filtered out of the view


def test_pdf_embeds_its_fonts_and_links_every_source(aze_pdf):
    out, analysis = aze_pdf
    reader = PdfReader(out)
    fonts = {}
    uris = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            fonts[font["/BaseFont"]] = descriptor is not None and (
                "/FontFile2" in descriptor.get_object()
            )
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            if "/URI" in action:
                uris.add(action["/URI"])
    assert fonts
    assert all(fonts.values()), fonts  # every font is an embedded TrueType subset
    assert all("DejaVu" in name for name in fonts)
    sources = {s for v in analysis.strikes["sources"] for s in as_list(v)}
    assert sources <= uris


def test_long_tables_break_across_pages_with_the_header_repeated(monkeypatch):
    monkeypatch.setattr(strike_section, "MAX_DETAILED_STRIKES", 3)
    analysis = analyse(synthetic_dataset(300), View(countries=("ROU",)))
    _, pages = pdf_text(report_bytes(analysis, fmt="pdf"))
    table_pages = [p for p in pages if re.search(r"strike-\d{5}\s+near the test", p)]
    assert len(table_pages) >= 3
    for page in table_pages:
        assert re.search(r"date\s+strike\s+place\s+weapon\s+tier\s+assets", page), page[:300]
    text = flat(" ".join(pages))
    assert "are described one by one below; the other" in text  # the cut is said, not silent
    for strike_id in analysis.strikes["id"]:
        assert strike_id in text


def test_html_is_valid_self_contained_and_escapes_data_text(tmp_path):
    dataset = synthetic_dataset(6)
    strikes = dataset.layers["strikes"]
    strikes.loc[:, "name"] = HOSTILE
    strikes.loc[:, "place"] = HOSTILE
    analysis = analyse(dataset, View(countries=("ROU",)))
    page = report_bytes(analysis, fmt="html").decode("utf-8")
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    tree = parser.parse(page)  # raises on any parse error
    assert not tree.findall(".//script")
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert all(img.get("src").startswith("data:image/png;base64,") for img in tree.iter("img"))
    assert all(a.get("href").startswith("https://") for a in tree.iter("a"))
    assert 'src="http' not in page
    assert "<link" not in page
    assert "Content-Security-Policy" in page
    pdf = report_bytes(analysis, fmt="pdf")
    _, pages = pdf_text(pdf)
    assert "<script>alert('x')</script>" in flat(" ".join(pages))  # shown as text, not markup


def test_an_empty_selection_gives_a_short_report_that_says_so(tmp_path, capsys):
    out = tmp_path / "empty.pdf"
    assert main(["report", "--country", "AZE", "--from", "2030-01-01", "--out", str(out)]) == 0
    reader, pages = pdf_text(out.read_bytes())
    assert len(reader.pages) <= 4
    text = flat(" ".join(pages))
    assert "No strike in this selection is linked to Azerbaijan" in text
    assert cover_numbers(pages[0]) == {"strikes": 0, "affected": 0, "exposed": 0, "assets": 0}
    assert "SOCAR" in text  # its assets are still listed


def test_assets_section_lists_assets_not_struck_in_the_window(aze_pdf):
    out, _ = aze_pdf
    _, pages = pdf_text(out.read_bytes())
    text = flat(" ".join(pages))
    assert "Interconnector Greece-Bulgaria (IGB)" in text  # AZE supply origin, never struck
    assert "Azerbaijani" in text or "Azeri" in text  # the relation's own note


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["report", "--country", "XYZ", "--out", "r.pdf"], "no such country.*AZE, BGR"),
        (["report", "--out", "r.pdf"], "exactly one --country"),
        (["report", "--country", "AZE,ROU", "--out", "r.pdf"], "exactly one --country"),
        (["report", "--country", "AZE", "--out", "r.docx"], "use .pdf or .html"),
        (["report", "--country", "AZE", "--out", "missing/r.pdf"], "does not exist"),
    ],
)
def test_cli_usage_errors_exit_2_with_a_message_and_write_nothing(
    tmp_path, monkeypatch, capsys, argv, message
):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert re.search(message, err), err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_html_from_the_cli_on_the_shipped_data(tmp_path, capsys):
    out = tmp_path / "rou.html"
    assert main(["report", "--country", "ROU", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert "<title>Romania: exposure" in page
    assert page.count('<img src="data:image/png;base64,') == 2  # cover map and timeline
    assert "wrote" in capsys.readouterr().err


def test_a_report_needs_one_country_in_the_view():
    with pytest.raises(ReportError, match="about one country"):
        build_report(analyse(DATA, View()))
    with pytest.raises(ReportError, match="AZE, ROU"):
        build_report(analyse(DATA, View(countries=("AZE", "ROU"))))


def test_the_apps_report_keeps_the_views_filters_and_narrows_its_country():
    from strikemap.webapp.panels import country_report, report_countries

    analysis = analyse(DATA, View(weapons=("drone",), min_confidence="medium"))
    assert report_countries(analysis) == list(analysis.country_summary["country"])
    _, pages = pdf_text(country_report(analysis, "ROU"))
    row = analysis.country_summary.set_index("country").loc["ROU"]
    numbers = cover_numbers(pages[0])
    assert numbers["strikes"] == row["strikes"]
    assert numbers["assets"] == row["assets"]
    assert numbers["exposed"] == 0
    assert "Filters: weapons: drone; links of medium confidence or more." in flat(pages[0])
