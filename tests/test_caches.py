"""The join's module caches under Streamlit's threads, and no process-wide gc.freeze in the join."""

from __future__ import annotations

import gc
import sys
import threading

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, box

from strikemap.geo.assets import combine_assets
from strikemap.geo.crs import cached_metric_geometry, metric_geometry
from strikemap.geo.impact import link_strikes
from strikemap.geo.network import network_for
from strikemap.geo.search import asset_index
from strikemap.layers.catalog import ASSET_ROLES

WGS84 = "EPSG:4326"


def geometry_sets(n: int) -> list[np.ndarray]:
    """``n`` distinct little point sets: more than any cache keeps, so entries are evicted."""
    return [shapely.points(np.full(3, 30.0 + k * 0.01), np.full(3, 46.0)) for k in range(n)]


def network_assets(k: int) -> gpd.GeoDataFrame:
    pipes = gpd.GeoDataFrame(
        {"id": ["p1", "p2"], "name": ["P1", "P2"], "flow_direction": ["forward", "forward"]},
        geometry=[
            LineString([(30.0 + k * 0.01, 46.0), (30.2, 46.0)]),
            LineString([(30.2, 46.0), (30.4, 46.0)]),
        ],
        crs=WGS84,
    )
    return combine_assets({"pipelines": pipes}, layers=ASSET_ROLES)


@pytest.fixture
def fast_thread_switches():
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads interleave between almost every bytecode
    yield
    sys.setswitchinterval(interval)


def test_caches_hold_under_many_threads(fast_thread_switches):
    sets = geometry_sets(12)
    networks = [network_assets(k) for k in range(12)]
    expected = [metric_geometry(g) for g in sets]
    errors: list[str] = []
    wrong: list[int] = []

    def work(seed: int) -> None:
        rng = np.random.default_rng(seed)
        try:
            for _ in range(600):
                k = int(rng.integers(len(sets)))
                if not shapely.equals_exact(cached_metric_geometry(sets[k]), expected[k]).all():
                    wrong.append(k)
                asset_index(sets[k])
                network = network_for(networks[k], snap_tolerance_m=100)
                network.downstream("p1")
        except Exception as exc:
            errors.append(repr(exc))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert wrong == []


@pytest.mark.parametrize("cached", [cached_metric_geometry, asset_index, network_for])
def test_module_caches_are_functools_caches(cached):
    # functools' bookkeeping is safe under threads; hand-written OrderedDict LRUs were not
    module = sys.modules[cached.__module__]
    caches = [v for v in vars(module).values() if hasattr(v, "cache_info")]
    assert caches, f"{cached.__module__}.{cached.__name__} keeps no functools cache"


def test_the_join_does_not_freeze_the_garbage_collector():
    # gc.freeze() is process-wide: inside the server it would freeze every session's objects
    strikes = gpd.GeoDataFrame(
        {"id": ["s1"], "date": ["2025-08-06"], "geo_precision": [1], "target_ids": [[]]},
        geometry=[Point(30.5, 46.5)],
        crs=WGS84,
    )
    countries = gpd.GeoDataFrame(
        {"iso3": ["UKR"], "name": ["Ukraine"]}, geometry=[box(29, 45, 32, 48)], crs=WGS84
    )
    frozen: list[int] = []

    def watch(phase: str, _info: dict) -> None:
        if phase == "start":
            frozen.append(gc.get_freeze_count())

    threshold = gc.get_threshold()
    gc.callbacks.append(watch)
    gc.set_threshold(50)  # collect often, so the watcher sees the join's whole run
    try:
        link_strikes(strikes, combine_assets({}, layers=ASSET_ROLES), _no_relations(), countries)
    finally:
        gc.callbacks.remove(watch)
        gc.set_threshold(*threshold)
    assert frozen, "no collection ran during the join; lower the threshold"
    assert max(frozen) == 0


def _no_relations():
    import pandas as pd

    return pd.DataFrame(columns=["asset_id", "country", "relation", "valid_from", "valid_to"])
