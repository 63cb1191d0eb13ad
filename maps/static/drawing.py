"""Shapely geometries to matplotlib paths, vectorised (no per-feature artists, no redraws).

GeoSeries.plot makes one artist per call and asks the canvas to redraw, which costs a full
figure draw per layer on an Agg canvas; these helpers build one path or collection per style.
"""

from __future__ import annotations

import numpy as np
import shapely
from matplotlib.path import Path

LINESTRING_TYPE_ID = 1
POLYGON_TYPE_ID = 3


def polygon_path(geometries: np.ndarray) -> Path:
    """Return one compound Path holding every polygon ring of ``geometries``.

    Exterior rings run counter-clockwise and holes clockwise, so holes stay empty under
    matplotlib's non-zero fill rule. Non-polygon parts (lines left by clipping) are dropped.
    """
    parts = shapely.get_parts(shapely.get_parts(np.asarray(geometries, dtype=object)))
    polygons = parts[shapely.get_type_id(parts) == POLYGON_TYPE_ID]
    polygons = shapely.orient_polygons(polygons, exterior_cw=False)
    rings = shapely.get_rings(polygons)
    coords, index = shapely.get_coordinates(rings, return_index=True)
    if not len(coords):
        return Path(np.empty((0, 2)))
    codes = np.full(len(coords), Path.LINETO, dtype=Path.code_type)
    starts = np.r_[0, np.flatnonzero(np.diff(index)) + 1]
    codes[starts] = Path.MOVETO
    codes[np.r_[starts[1:] - 1, len(coords) - 1]] = Path.CLOSEPOLY
    return Path(coords, codes)


def line_segments(geometries: np.ndarray) -> list[np.ndarray]:
    """Split (multi)lines into one coordinate array per part, for a LineCollection."""
    parts = shapely.get_parts(np.asarray(geometries, dtype=object))
    parts = parts[shapely.get_type_id(parts) == LINESTRING_TYPE_ID]
    coords, index = shapely.get_coordinates(parts, return_index=True)
    if not len(coords):
        return []
    return np.split(coords, np.flatnonzero(np.diff(index)) + 1)
