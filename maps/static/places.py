"""Key places labelled on static maps (approximate town centres; for orientation only)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Place:
    """A town or port to label: name, position in degrees, and rank (1 = most important)."""

    name: str
    lon: float
    lat: float
    rank: int


KEY_PLACES: tuple[Place, ...] = (
    Place("Odesa", 30.733, 46.483, 1),
    Place("Chișinău", 28.864, 47.011, 1),
    Place("Kyiv", 30.523, 50.450, 1),
    Place("Bucharest", 26.103, 44.427, 1),
    Place("Izmail", 28.838, 45.350, 2),
    Place("Reni", 28.283, 45.457, 2),
    Place("Chornomorsk", 30.656, 46.301, 2),
    Place("Pivdenne", 31.101, 46.622, 2),
    Place("Mykolaiv", 31.995, 46.975, 2),
    Place("Kherson", 32.617, 46.636, 2),
    Place("Galați", 28.050, 45.435, 2),
    Place("Tulcea", 28.806, 45.180, 2),
    Place("Constanța", 28.634, 44.173, 2),
    Place("Tiraspol", 29.633, 46.841, 2),
    Place("Varna", 27.915, 43.214, 2),
    Place("Istanbul", 28.979, 41.015, 2),
    Place("Bilhorod-Dnistrovskyi", 30.350, 46.186, 3),
    Place("Ovidiopol", 30.444, 46.267, 3),
    Place("Artsyz", 29.420, 45.990, 3),
    Place("Kiliia", 29.264, 45.455, 3),
    Place("Vylkove", 29.592, 45.403, 3),
    Place("Orlivka", 28.451, 45.319, 3),
    Place("Isaccea", 28.460, 45.270, 3),
    Place("Vulcănești", 28.403, 45.684, 3),
    Place("Căușeni", 29.406, 46.637, 3),
    Place("Rozdilna", 30.078, 46.848, 3),
    Place("Podilsk", 29.535, 47.748, 3),
)
"""Ranked so that labels of the larger places win the greedy placement."""
