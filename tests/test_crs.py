"""The CRS helpers: one metric CRS with small distortion, geodesic distances, refusals."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import pytest
from shapely.geometry import LineString, Point

from strikemap.geo.crs import (
    GEOD,
    METRIC_CRS,
    METRIC_SCALE_RANGE,
    SEARCH_MARGIN,
    SHORT_LINE_M,
    SHORT_LINE_TOLERANCE_M,
    geodesic_distance_m,
    lonlat_to_metric,
    metric_to_lonlat,
    require_crs,
)
from strikemap.geo.errors import CRSError
from strikemap.layers.catalog import REGION_BOUNDS
from strikemap.maps.latlon import folium_location, folium_locations


def test_metric_crs_scale_stays_within_the_stated_range_over_the_region():
    west, south, east, north = REGION_BOUNDS
    lon, lat = np.meshgrid(np.linspace(west, east, 69), np.linspace(south, north, 45))
    factors = pyproj.Proj(METRIC_CRS).get_factors(lon.ravel(), lat.ravel())
    low, high = METRIC_SCALE_RANGE
    assert factors.tissot_semiminor.min() >= low
    assert factors.tissot_semimajor.max() <= high
    assert 1 / low <= SEARCH_MARGIN


def test_metric_round_trip_is_exact_to_a_millimetre():
    lon, lat = np.array([28.53, 30.72, 49.9]), np.array([45.39, 46.48, 40.4])
    back_lon, back_lat = metric_to_lonlat(*lonlat_to_metric(lon, lat))
    assert np.allclose(back_lon, lon, atol=1e-8)
    assert np.allclose(back_lat, lat, atol=1e-8)


def test_geodesic_distance_split_across_threads_equals_one_call():
    rng = np.random.default_rng(1)
    n = 250_000  # above the threading threshold
    lon1, lat1 = rng.uniform(28, 31, n), rng.uniform(45, 48, n)
    lon2, lat2 = lon1 + rng.uniform(-0.2, 0.2, n), lat1 + rng.uniform(-0.2, 0.2, n)
    np.testing.assert_array_equal(
        geodesic_distance_m(lon1, lat1, lon2, lat2),
        geodesic_distance_m(lon1, lat1, lon2, lat2, parallel=False),
    )


def test_short_lines_agree_with_geod_inv_within_the_tolerance_over_the_region():
    west, south, east, north = REGION_BOUNDS
    rng = np.random.default_rng(3)
    n = 200_000
    lon1, lat1 = rng.uniform(west, east, n), rng.uniform(south, north, n)
    length = np.concatenate([rng.uniform(0, SHORT_LINE_M, n - 4), [0, 1e-3, 1, SHORT_LINE_M]])
    lon2, lat2, _ = GEOD.fwd(lon1, lat1, rng.uniform(-180, 180, n), length)
    expected = GEOD.inv(lon1, lat1, lon2, lat2)[2]
    error = np.abs(geodesic_distance_m(lon1, lat1, lon2, lat2) - expected)
    assert error.max() <= SHORT_LINE_TOLERANCE_M <= 0.01


def test_lines_longer_than_fifty_km_are_measured_by_geod_inv():
    lon1, lat1 = np.array([30.0, 20.0]), np.array([46.0, 40.0])
    lon2, lat2 = np.array([31.0, 50.0]), np.array([46.5, 56.0])
    np.testing.assert_array_equal(
        geodesic_distance_m(lon1, lat1, lon2, lat2), GEOD.inv(lon1, lat1, lon2, lat2)[2]
    )


def test_one_degree_of_latitude_is_about_111_km():
    assert geodesic_distance_m(
        np.array([30.0]), np.array([46.0]), np.array([30.0]), np.array([47.0])
    )[0] == pytest.approx(111_170, abs=100)


def test_require_crs_names_the_frame_without_crs():
    frame = gpd.GeoDataFrame(geometry=[Point(0, 0)])
    with pytest.raises(CRSError, match="strikes: no CRS set"):
        require_crs({"strikes": frame})


def test_require_crs_names_both_frames_on_mismatch():
    a = gpd.GeoDataFrame(geometry=[Point(0, 0)], crs="EPSG:4326")
    b = a.to_crs("EPSG:3857")
    with pytest.raises(CRSError, match="assets is in EPSG:4326 but countries is in EPSG:3857"):
        require_crs({"assets": a, "countries": b})
    assert isinstance(CRSError("x"), ValueError)


def test_folium_helpers_swap_to_lat_lon():
    assert folium_location(Point(30.7, 46.5)) == [46.5, 30.7]
    assert folium_locations(LineString([(28.5, 45.3), (29.0, 46.0)])) == [
        [45.3, 28.5],
        [46.0, 29.0],
    ]


@pytest.mark.parametrize(
    ("lon1", "lon2"), [(179.99, -179.99), (-179.99, 179.99), (179.9, -179.95), (10.0, 370.0)]
)
def test_longitude_differences_wrap_at_the_antimeridian(lon1, lon2):
    lat = np.array([65.0])
    got = geodesic_distance_m(np.array([lon1]), lat, np.array([lon2]), lat)
    expected = GEOD.inv(lon1, 65.0, lon2, 65.0)[2]
    assert got == pytest.approx([expected], abs=SHORT_LINE_TOLERANCE_M)
