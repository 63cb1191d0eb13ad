"""The research build script: how research source cells become shipped source lists."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from strikemap.layers.schema import RAW_IP_URL_PATTERN

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "build_research_layers.py"


@pytest.fixture(scope="module")
def build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_research_layers", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_a_parenthesis_inside_a_url_is_kept(build: ModuleType) -> None:
    # the splitter used to cut https://kampuspedia.com/de/Nowosilske_(Ismajil) at "("
    cell = "https://de.wikipedia.org/wiki/Orliwka_(Ismajil) ; https://example.org/a"
    assert build.split_sources(cell) == [
        "https://de.wikipedia.org/wiki/Orliwka_(Ismajil)",
        "https://example.org/a",
    ]


def test_a_note_in_parentheses_after_a_url_is_dropped(build: ModuleType) -> None:
    cell = "https://example.org/wiki/Etulia (coords) ; https://example.org/b (mirror, 2024)"
    assert build.split_sources(cell) == [
        "https://example.org/wiki/Etulia",
        "https://example.org/b",
    ]


def test_copies_are_replaced_by_their_publisher_or_left_out(build: ModuleType) -> None:
    cell = (
        "https://kampuspedia.com/de/Nowosilske_(Ismajil) ; http://15.188.152.128/?p=500071 ; "
        "https://example.org/c"
    )
    assert build.split_sources(cell) == [
        "https://de.wikipedia.org/wiki/Nowosilske_(Ismajil)",
        "https://example.org/c",
    ]


def test_the_research_builds_without_raw_ip_sources(build: ModuleType) -> None:
    if not build.DEFAULT_RESEARCH_DIR.is_dir():
        pytest.skip(f"research folder {build.DEFAULT_RESEARCH_DIR} is not here")
    built = build.build_all(build.DEFAULT_RESEARCH_DIR)
    sources = [
        url
        for name, frame in built.items()
        if name != "relations"
        for urls in frame["sources"]
        for url in urls
    ]
    sources += [u.strip() for cell in built["relations"]["source"] for u in cell.split(";")]
    assert sources
    assert not [u for u in sources if RAW_IP_URL_PATTERN.match(u)]
    station = built["facilities"].set_index("id").loc["fac-orlivka-cs"]
    assert "https://de.wikipedia.org/wiki/Nowosilske_(Ismajil)" in station["sources"]
