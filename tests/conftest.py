"""Shared fixtures: a minimal valid data folder built in code, and ways to break it."""

from __future__ import annotations

import contextlib
import copy
import io
import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from strikemap.geo.assets import combine_assets
from strikemap.geo.impact import link_strikes
from strikemap.layers.catalog import ASSET_ROLES, CATALOG
from strikemap.layers.io import read_layers, read_relations
from strikemap.layers.paths import SHIPPED_DATA_DIR
from strikemap.layers.schema import RELATIONS_TABLE

TODAY = date(2026, 1, 1)
"""The 'today' tests pass to the validator, so that date checks do not drift."""

SOURCE = "https://example.org/report"


def point(lon: float, lat: float) -> dict[str, object]:
    """Return a GeoJSON Point geometry."""
    return {"type": "Point", "coordinates": [lon, lat]}


def line(*positions: tuple[float, float]) -> dict[str, object]:
    """Return a GeoJSON LineString geometry."""
    return {"type": "LineString", "coordinates": [list(p) for p in positions]}


def box(west: float, south: float, east: float, north: float) -> dict[str, object]:
    """Return a counter-clockwise rectangular GeoJSON Polygon."""
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(geometry: dict[str, object] | None, **properties: object) -> dict[str, object]:
    """Return a GeoJSON Feature with the common properties filled in."""
    common = {"sources": [SOURCE], "geo_precision": 1}
    return {"type": "Feature", "properties": {**common, **properties}, "geometry": geometry}


def collection(features: list[dict[str, object]], **members: object) -> dict[str, object]:
    """Return a GeoJSON FeatureCollection (``members`` adds e.g. a legacy ``crs``)."""
    return {"type": "FeatureCollection", **members, "features": features}


MINIMAL_FEATURES: dict[str, list[dict[str, object]]] = {
    "strikes": [
        feature(
            point(28.53, 45.39),
            id="strike-2025-08-06-orlivka",
            name="Drone strike on Orlivka station",
            date="2025-08-06",
            date_precision="day",
            weapon="drone",
            status="confirmed",
            target_ids=["fac-orlivka-cs"],
            reported_countries=["AZE"],
        )
    ],
    "pipelines": [
        feature(
            line((28.45, 45.32), (28.9, 46.0), (30.7, 46.5)),
            id="pipe-trans-balkan-odesa",
            name="Trans-Balkan pipeline, Odesa oblast",
            asset_type="gas_transmission",
            flow_direction="forward",
            route_accuracy="schematic",
            owner_country="UKR",
        )
    ],
    "power_lines": [
        feature(
            line((28.27, 45.17), (28.4, 45.68)),
            id="pl-isaccea-vulcanesti",
            name="Isaccea-Vulcanesti 400 kV",
            asset_type="power_transmission",
            route_accuracy="schematic",
            voltage_kv=400,
        )
    ],
    "facilities": [
        feature(
            point(28.53, 45.39),
            id="fac-orlivka-cs",
            name="Orlivka compressor station",
            asset_type="compressor_station",
            owner_country="UKR",
        )
    ],
    "fuel_stations": [
        feature(
            point(30.72, 46.47),
            id="fuel-socar-odesa-1",
            name="SOCAR station, Odesa",
            brand="SOCAR",
            owner_country="AZE",
        )
    ],
    "substations": [
        feature(
            point(29.47, 45.98),
            id="sub-gridkit-3817",
            name="Substation 330 kV (GridKit 3817)",
            asset_type="substation",
            location_note="ENTSO-E map station, placed for clarity",
            voltage_kv=330,
        )
    ],
    "power_plants": [
        feature(
            point(29.94, 46.63),
            id="plant-kuchurgan",
            name="Kuchurgan",
            asset_type="gas_power_plant",
            location_note="Location as powerplantmatching gives it",
            capacity_mw=710,
        )
    ],
    "regions": [
        feature(
            box(28.2, 45.2, 30.8, 47.8),
            id="region-ukr-odessa",
            name="Odessa",
            geo_precision=0,
            iso3="UKR",
        )
    ],
    "places": [
        feature(
            point(28.44, 45.32),
            id="place-orlivka-698379",
            name="Orlivka",
            location_note="GeoNames point of the settlement",
            population=3047,
        )
    ],
    "conflict_events": [
        feature(
            point(30.73, 46.48),
            id="event-ucdp-153030",
            name="Clashes in Odesa",
            location_note="UCDP locates it to the named place itself",
            date="2014-05-02",
            date_precision="day",
            violence_type="non_state",
        )
    ],
    "countries": [
        feature(box(22.1, 44.4, 40.2, 52.4), id="country-ukr", name="Ukraine", iso3="UKR"),
        feature(box(20.2, 43.6, 29.7, 48.3), id="country-rou", name="Romania", iso3="ROU"),
        feature(box(26.6, 45.4, 30.2, 48.5), id="country-mda", name="Moldova", iso3="MDA"),
        feature(box(44.7, 38.3, 50.4, 41.9), id="country-aze", name="Azerbaijan", iso3="AZE"),
    ],
}
"""One valid feature per layer (four countries), linked to each other; deep-copy before use."""

MINIMAL_RELATIONS = (
    ",".join(RELATIONS_TABLE.columns)
    + "\n"
    + f"fac-orlivka-cs,AZE,supply_origin,2025-07-28,,Trans-Balkan route,{SOURCE}\n"
    + f"fac-orlivka-cs,UKR,owner,,,,{SOURCE}\n"
)

FileContent = list[dict[str, object]] | dict[str, object] | str | bytes | None


def run_cli(*argv: object) -> tuple[int, str]:
    """Run ``strikemap ARGV`` in-process; return the exit code and stdout + stderr."""
    from strikemap.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue() + err.getvalue()


@pytest.fixture
def minimal_features() -> dict[str, list[dict[str, object]]]:
    """A fresh deep copy of ``MINIMAL_FEATURES`` that a test may change."""
    return copy.deepcopy(MINIMAL_FEATURES)


@pytest.fixture
def make_data_dir(tmp_path: Path) -> Callable[..., Path]:
    """Return ``make(**files) -> Path`` writing the minimal valid data folder with overrides.

    Keys are layer names, ``relations`` or ``country_codes``; a value is a list of features, a
    whole GeoJSON object, raw text or bytes written as is, or ``None`` to leave the file out.
    """
    counter = iter(range(1_000_000))

    def make(**files: FileContent) -> Path:
        unknown = set(files) - {s.name for s in CATALOG} - {"relations", "country_codes"}
        assert not unknown, f"unknown files {unknown}"
        folder = tmp_path / f"data{next(counter)}"
        folder.mkdir()
        for spec in CATALOG:
            content = files.get(spec.name, copy.deepcopy(MINIMAL_FEATURES[spec.name]))
            _write(folder / spec.file, content)
        _write(folder / RELATIONS_TABLE.file, files.get("relations", MINIMAL_RELATIONS))
        _write(folder / "country_codes.csv", files.get("country_codes"))
        return folder

    return make


@pytest.fixture
def valid_data_dir(make_data_dir: Callable[..., Path]) -> Path:
    """The minimal valid data folder, unchanged."""
    return make_data_dir()


def _write(path: Path, content: FileContent) -> None:
    if content is None:
        return
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        data = collection(content) if isinstance(content, list) else content
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.fixture(scope="session")
def shipped():
    """The shipped layers and their impact table (default rules, ids and codes as text)."""
    frames = read_layers(data_dir=SHIPPED_DATA_DIR)
    names_path = SHIPPED_DATA_DIR / "country_codes.csv"
    names = dict(pd.read_csv(names_path, dtype=str, keep_default_na=False).values)
    table = link_strikes(
        frames["strikes"],
        combine_assets(frames, layers=ASSET_ROLES),
        read_relations(data_dir=SHIPPED_DATA_DIR),
        frames["countries"],
        country_names=names,
    )
    return frames, table.astype(
        dict.fromkeys(("strike_id", "asset_id", "country", "relation", "confidence"), str)
    )
