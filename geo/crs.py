"""CRSs: storage in EPSG:4326, search in one metric CRS, distances on the WGS 84 ellipsoid.

Notes
-----
The metric CRS is a Lambert azimuthal equal-area projection centred on 35 E, 47 N (the middle of
the region 18-52 E, 36-58 N, WGS 84 ellipsoid). Over that whole box its scale factor in any
direction stays within 0.9895-1.0107 (about 1.1 %), against 0.958-1.044 for the Europe-wide
ETRS89-LAEA (EPSG:3035) centred on 10 E, 52 N. Planar distances are used only to *find*
candidates, with radii widened by ``SEARCH_MARGIN`` to cover that distortion; every distance that
is reported or compared with a radius is geodesic, on the WGS 84 ellipsoid.

Geodesic distances up to ``SHORT_LINE_M`` (50 km, beyond every default radius) use Bowring's
closed-form solution of the inverse problem for short lines (Survey Review 26(202), 1981: the
ellipsoid mapped conformally onto a sphere, solved there). Over 18-52 E, 36-58 N it agrees with
``pyproj.Geod.inv`` (Karney's algorithm) to 0.1 mm below 50 km (``SHORT_LINE_TOLERANCE_M``,
asserted by a test over the region) at a fifth of its cost; longer lines go to ``Geod.inv``.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from strikemap.geo.cache import digest_cache
from strikemap.geo.errors import CRSError

STORAGE_CRS = pyproj.CRS.from_epsg(4326)
METRIC_CRS = pyproj.CRS.from_proj4(
    "+proj=laea +lat_0=47 +lon_0=35 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs +type=crs"
)
METRIC_SCALE_RANGE = (0.9895, 1.0107)
"""Smallest and largest scale factor of ``METRIC_CRS`` over 18-52 E, 36-58 N (checked in tests)."""
SEARCH_MARGIN = 1.02
"""Planar search radii are widened by this factor so no geodesic match is missed."""
_CENTRE_LON, _CENTRE_LAT = 35.0, 47.0
_MAX_MARGIN = 1_000.0
"""Near the projection's antipode the scale grows without bound; searches widen this much at
most there (the what-if probe accepts any point on Earth)."""
GEOD = pyproj.Geod(ellps="WGS84")
SHORT_LINE_M = 50_000.0
"""Lines up to this long are measured with Bowring's short-line formula, longer ones by Geod.inv."""
SHORT_LINE_TOLERANCE_M = 0.001
"""Bound (tested) on the difference between the short-line formula and Geod.inv below 50 km."""
_A = GEOD.a
_EP2 = GEOD.es / (1.0 - GEOD.es)
"""Second eccentricity squared of WGS 84."""

_TO_METRIC = pyproj.Transformer.from_crs(STORAGE_CRS, METRIC_CRS, always_xy=True)
_TO_STORAGE = pyproj.Transformer.from_crs(METRIC_CRS, STORAGE_CRS, always_xy=True)
_PARALLEL_MIN = 200_000
"""Arrays shorter than this are processed in one call; longer ones in chunks on threads."""
WORKERS = max(1, min(4, os.cpu_count() or 1))


def require_crs(frames: dict[str, gpd.GeoDataFrame | gpd.GeoSeries]) -> pyproj.CRS:
    """Return the CRS the named frames share; refuse frames without one or with different ones.

    Parameters
    ----------
    frames
        ``{name used in messages: frame}``.

    Returns
    -------
    pyproj.CRS
        The shared CRS.

    Raises
    ------
    CRSError
        When a frame has no CRS (set one with ``frame.set_crs("EPSG:4326")``) or when two
        frames differ (reproject with ``frame.to_crs(...)`` first).
    """
    missing = [name for name, frame in frames.items() if frame.crs is None]
    if missing:
        msg = (
            f"{', '.join(missing)}: no CRS set; strikemap layers are in EPSG:4326, "
            "set it with frame.set_crs('EPSG:4326') if the coordinates are lon/lat"
        )
        raise CRSError(msg)
    named = list(frames.items())
    first_name, first = named[0]
    for name, frame in named[1:]:
        if not frame.crs.equals(first.crs):
            msg = (
                f"CRS mismatch: {first_name} is in {first.crs.to_string()} but {name} is in "
                f"{frame.crs.to_string()}; reproject with frame.to_crs('EPSG:4326') first"
            )
            raise CRSError(msg)
    return first.crs


def to_storage(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``frame`` in EPSG:4326 (the same object when it already is)."""
    if frame.crs is not None and frame.crs.equals(STORAGE_CRS):
        return frame
    return frame.to_crs(STORAGE_CRS)


def search_margin(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Return the factor by which planar radii around each point are widened for a search.

    ``SEARCH_MARGIN`` over the region; beyond it, times the scale factor of ``METRIC_CRS`` at
    the point (``sqrt(2 / (1 + cos c))`` for a point ``c`` radians from the centre, the largest
    stretch in any direction), so a probe far away (Chukotka, across the antimeridian) still
    finds every asset within its radius.
    """
    phi, phi0 = np.radians(lat), np.radians(_CENTRE_LAT)
    cos_c = np.sin(phi0) * np.sin(phi) + np.cos(phi0) * np.cos(phi) * np.cos(
        np.radians(np.asarray(lon, float) - _CENTRE_LON)
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.sqrt(2.0 / (1.0 + cos_c))
    scale = np.nan_to_num(scale, nan=_MAX_MARGIN, posinf=_MAX_MARGIN)
    return SEARCH_MARGIN * np.clip(scale / METRIC_SCALE_RANGE[1], 1.0, _MAX_MARGIN)


DENSIFY_DEGREES = 0.01
"""Lines are drawn straight in lon/lat; vertices this far apart (about 1 km) keep them so."""


def metric_geometry(geometry: np.ndarray) -> np.ndarray:
    """Project EPSG:4326 shapely geometries to ``METRIC_CRS`` (vectorised over coordinates).

    Segments longer than ``DENSIFY_DEGREES`` get extra vertices first, so that a straight edge
    in lon/lat (how GeoJSON draws it) stays within centimetres of its projected polyline.
    """
    dense = shapely.segmentize(np.asarray(geometry), DENSIFY_DEGREES)
    return shapely.transform(dense, _project_xy)


_METRIC_CACHE_SIZE = 8
_MULTIPART_OR_AREA = (3, 4, 5, 6, 7)
"""shapely type ids whose coordinates alone do not give the structure (polygons, multi-parts)."""


def geometry_fingerprint(geometry: np.ndarray) -> str:
    """Return a digest of shapely geometries: types, part and ring structure, coordinates.

    Cheaper than hashing WKB (no serialisation); equal digests mean equal geometries.
    """
    geometry = np.asarray(geometry)
    types = shapely.get_type_id(geometry)
    arrays = [types, shapely.get_num_coordinates(geometry)]
    if np.isin(types, _MULTIPART_OR_AREA).any():  # parts and rings give the structure
        parts, part_of = shapely.get_parts(geometry, return_index=True)
        rings, ring_of = shapely.get_rings(parts, return_index=True)
        arrays += [part_of, shapely.get_num_coordinates(parts), ring_of]
        arrays.append(shapely.get_num_coordinates(rings))
    arrays.append(shapely.get_coordinates(geometry))
    digest = hashlib.sha1(usedforsecurity=False)
    for array in arrays:
        digest.update(np.ascontiguousarray(array).tobytes())
        digest.update(b"|")
    return digest.hexdigest()


def cached_metric_geometry(geometry: np.ndarray, *, key: str | None = None) -> np.ndarray:
    """Return ``metric_geometry(geometry)``, cached per geometry set (``geometry_fingerprint``).

    The join, the pipeline network and the app's probes project the same assets and country
    boundaries again and again; the cached array must not be modified.
    """
    return _metric_by_digest(geometry_fingerprint(geometry) if key is None else key, geometry)


@digest_cache(maxsize=_METRIC_CACHE_SIZE)
def _metric_by_digest(geometry: np.ndarray) -> np.ndarray:
    return metric_geometry(geometry)


def _project_xy(xy: np.ndarray) -> np.ndarray:
    x, y = _TO_METRIC.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


def lonlat_to_metric(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Project lon/lat arrays (degrees) to ``METRIC_CRS`` x/y (metres)."""
    x, y = _TO_METRIC.transform(np.asarray(lon, float), np.asarray(lat, float))
    return np.asarray(x), np.asarray(y)


def metric_to_lonlat(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unproject ``METRIC_CRS`` x/y arrays (metres) to lon/lat (degrees)."""
    lon, lat = _TO_STORAGE.transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(lon), np.asarray(lat)


def geodesic_distance_m(
    lon1: np.ndarray,
    lat1: np.ndarray,
    lon2: np.ndarray,
    lat2: np.ndarray,
    *,
    parallel: bool = True,
) -> np.ndarray:
    """Return the WGS 84 geodesic distance in metres between paired lon/lat points.

    Lines up to ``SHORT_LINE_M`` use Bowring's short-line formula (within
    ``SHORT_LINE_TOLERANCE_M`` of ``pyproj.Geod.inv``), longer ones ``Geod.inv`` itself. With
    ``parallel``, long arrays are split across threads, with the same result as one call.
    """
    arrays = [np.ascontiguousarray(a, dtype=float) for a in (lon1, lat1, lon2, lat2)]
    if not parallel:
        return _geodesic_chunk(*arrays)
    return run_chunked(_geodesic_chunk, arrays, n=len(arrays[0]))


def _geodesic_chunk(
    lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray
) -> np.ndarray:
    distance = bowring_distance_m(lon1, lat1, lon2, lat2)
    long = np.flatnonzero(~(distance <= SHORT_LINE_M) & np.isfinite(distance))
    if long.size:
        distance[long] = _geod_chunk(lon1[long], lat1[long], lon2[long], lat2[long])
    return distance


def bowring_distance_m(
    lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray
) -> np.ndarray:
    """Return Bowring's (1981) short-line geodesic distance on WGS 84, in metres.

    Accurate to ``SHORT_LINE_TOLERANCE_M`` up to ``SHORT_LINE_M``; use
    ``geodesic_distance_m``, which switches to ``Geod.inv`` for longer lines.
    """
    phi1 = np.radians(lat1)
    dphi = np.radians(lat2) - phi1
    w = np.radians(lon2) - np.radians(lon1)
    w = np.remainder(w + np.pi, 2.0 * np.pi) - np.pi  # wrap at the antimeridian
    cos1, sin1 = np.cos(phi1), np.sin(phi1)
    b2 = _EP2 * cos1 * cos1
    a = np.sqrt(1.0 + b2 * cos1 * cos1)
    b2 += 1.0  # B**2
    b = np.sqrt(b2)
    w *= 0.5 * a
    d = np.sin(2.0 * phi1 + dphi * (2.0 / 3.0))
    d *= dphi * (0.75 * _EP2) / b2
    d += 1.0
    d *= dphi / (2.0 * b)
    sin_d = np.sin(d)
    e = sin_d * np.cos(w)
    f = b * cos1 * np.cos(d)
    f -= sin1 * sin_d
    f *= np.sin(w) / a
    e *= e
    f *= f
    e += f
    np.sqrt(e, out=e)
    np.arcsin(e, out=e)
    e *= 2.0 * _A * np.sqrt(1.0 + _EP2)
    e /= b2
    return e


def _geod_chunk(
    lon1: np.ndarray, lat1: np.ndarray, lon2: np.ndarray, lat2: np.ndarray
) -> np.ndarray:
    return np.asarray(GEOD.inv(lon1, lat1, lon2, lat2, return_back_azimuth=False)[2])


def run_chunked(
    func: Callable[..., np.ndarray], arrays: Sequence[np.ndarray], *, n: int
) -> np.ndarray:
    """Apply ``func`` to row chunks of ``arrays`` on ``WORKERS`` threads and concatenate.

    Only for functions that release the GIL (pyproj, shapely, large numpy operations) and whose
    result for a chunk depends on that chunk alone.
    """
    if n < _PARALLEL_MIN or WORKERS == 1:
        return func(*arrays)
    bounds = np.linspace(0, n, WORKERS + 1).astype(int)
    slices = [slice(a, b) for a, b in itertools.pairwise(bounds)]
    with ThreadPoolExecutor(WORKERS) as pool:
        parts = list(pool.map(lambda s: func(*(a[s] for a in arrays)), slices))
    return np.concatenate(parts)
