"""Data for the country report tests and benchmark: synthetic strikes around one station."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from strikemap.analysis import Dataset

STATION = (30.0, 46.0)
HOSTILE = "<script>alert('x')</script> & \"quoted\" {{ braces }} `tick`"


def synthetic_dataset(n: int, *, seed: int = 0, name: str = "strike") -> Dataset:
    """Return ``n`` confirmed strikes within about 4 km of one compressor station tied to ROU.

    Half lie within the 0.5 km hit radius (medium: affected), half only within the threat
    radius (low: exposed); one strike in twenty cites a second publisher.
    """
    rng = np.random.default_rng(seed)
    near = np.arange(n) % 2 == 0
    distance_deg = np.where(near, rng.uniform(0, 0.003, n), rng.uniform(0.012, 0.04, n))
    angle = rng.uniform(0, 2 * np.pi, n)
    lon = STATION[0] + distance_deg * np.cos(angle) * 1.44
    lat = STATION[1] + distance_deg * np.sin(angle)
    days = rng.integers(0, 400, n)
    dates = (pd.Timestamp("2024-06-01") + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d")
    sources = [
        [f"https://news{i % 3}.example.org/{name}/{i}"]
        + ([f"https://second.example.net/{i}"] if i % 20 == 0 else [])
        for i in range(n)
    ]
    strikes = gpd.GeoDataFrame(
        {
            "id": [f"{name}-{i:05d}" for i in range(n)],
            "name": [f"Synthetic {name} {i}" for i in range(n)],
            "date": dates,
            "date_precision": "day",
            "weapon": "drone",
            "geo_precision": 0,
            "status": "confirmed",
            "sources": sources,
            "target_ids": [[] for _ in range(n)],
            "place": "near the test station",
            "admin1": "Odesa",
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=4326,
    )
    facilities = gpd.GeoDataFrame(
        {
            "id": ["fac-test-station"],
            "name": ["Test compressor station"],
            "asset_type": ["compressor_station"],
            "geo_precision": [0],
            "status": ["operating"],
            "owner_country": ["UKR"],
            "sources": [["https://operator.example.com/station"]],
        },
        geometry=[shapely.Point(*STATION)],
        crs=4326,
    )
    countries = gpd.GeoDataFrame(
        {"id": ["country-ukr"], "iso3": ["UKR"], "name": ["Ukraine"]},
        geometry=[shapely.box(28.0, 44.0, 33.0, 48.0)],
        crs=4326,
    )
    relations = pd.DataFrame(
        {
            "asset_id": ["fac-test-station"],
            "country": ["ROU"],
            "relation": ["transit"],
            "valid_from": ["2024-09-01"],
            "valid_to": [""],
            "note": ["Gas for Romania crosses the station."],
            "source": ["https://relations.example.org/transit"],
        }
    )
    codes = pd.DataFrame({"iso3": ["UKR", "ROU"], "name": ["Ukraine", "Romania"]})
    return Dataset.from_frames(
        {"strikes": strikes, "facilities": facilities, "countries": countries},
        relations=relations,
        country_codes=codes,
    )
