"""OpenStreetMap GeoJSON (Overpass via osmtogeojson, or osmium export) -> asset layers."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from strikemap.geo.crs import METRIC_CRS
from strikemap.layers.catalog import FACILITIES, FUEL_STATIONS, PIPELINES, LayerSpec
from strikemap.layers.importers.common import (
    WHERE_COLUMN,
    ImportFileError,
    ParsedImport,
    Progress,
    Rejected,
    check_input_file,
    feature_geometries,
    feature_properties,
    incoming_frame,
    read_geojson_features,
)
from strikemap.layers.io import STORAGE_CRS
from strikemap.layers.schema import slugify

log = logging.getLogger(__name__)

FORMAT = "OpenStreetMap GeoJSON"
OSM_URL = "https://www.openstreetmap.org/{ref}"
TANK_GROUP_DISTANCE_M = 200
"""Oil storage tanks closer than this form one depot."""
OIL_CONTENTS = r"oil|fuel|diesel|petrol|gasoline|kerosene|mazut|naphtha|bitumen"
GAS_SUBSTANCES = ("gas", "natural_gas", "lng", "cng")
PRODUCT_SUBSTANCES = ("fuel", "diesel", "petrol", "gasoline", "kerosene", "jet_fuel", "products")
OIL_SUBSTANCES = ("oil", "crude_oil", "crude")
GAS_SUBSTATION_TYPES = {
    "compression": "compressor_station",
    "measurement": "metering_station",
    "distribution": "gas_distribution_station",
}
"""OSM ``substation=*`` on ``pipeline=substation`` -> facility asset type (others: distribution)."""
BRAND_COUNTRY = {
    "socar": "AZE",
    "okko": "UKR",
    "wog": "UKR",
    "upg": "UKR",
    "ukrnafta": "UKR",
    "brsm": "UKR",
    "brsm-nafta": "UKR",
    "klo": "UKR",
    "avias": "UKR",
    "motto": "UKR",
    "amic": "AUT",
    "omv": "AUT",
    "petrom": "AUT",
    "mol": "HUN",
    "orlen": "POL",
    "rompetrol": "KAZ",
    "lukoil": "RUS",
    "lukoyl": "RUS",
    "tatneft": "RUS",
    "rosneft": "RUS",
    "gazprom": "RUS",
    "gazpromneft": "RUS",
    "shell": "GBR",
    "bp": "GBR",
}
"""Fuel brand (slug) -> ISO3 of the country the brand's owner is based in."""
OSM_REF = re.compile(r"^(node|way|relation)/(\d+)$")
SHORT_REF = re.compile(r"^([nwr])(\d+)$")
SHORT_TYPES = {"n": "node", "w": "way", "r": "relation"}


def parse_osm(path: str | Path, *, progress: Progress | None = None) -> ParsedImport:
    """Read an OpenStreetMap GeoJSON export into pipelines, facilities and fuel stations.

    Parameters
    ----------
    path
        GeoJSON FeatureCollection from Overpass (osmtogeojson, ``@id`` or ``id`` like
        ``way/123``, tags flat or under ``tags``) or ``osmium export`` (``@type`` + ``@id``
        or ids like ``w123``).
    progress
        Called once the file is read (OSM exports are read whole).

    Returns
    -------
    ParsedImport
        Rows for ``pipelines``, ``facilities`` and ``fuel_stations``, ``geo_precision`` 0,
        ``provenance`` ``osm:way/123``, the OSM object URL as source.

    Raises
    ------
    ImportFileError
        When the file is missing, not a FeatureCollection, or has no matching features.
    """
    path = check_input_file(path)
    features = _read_features(path)
    if progress is not None:
        size = path.stat().st_size
        progress(size, size)
    tags, refs, geometry, reasons = _tables(features)
    rejected = [
        Rejected(f"feature #{i + 1}", "no OSM id (expected @id or id like 'node/123')")
        for i in np.flatnonzero(refs.isna().to_numpy())
    ]
    broken = np.array([bool(r) for r in reasons], dtype=bool) & refs.notna().to_numpy()
    rejected += [Rejected(refs.iloc[i], reasons[i]) for i in np.flatnonzero(broken)]
    keep = refs.notna().to_numpy() & ~broken
    tags, refs, geometry = (
        tags[keep].reset_index(drop=True),
        refs[keep].reset_index(drop=True),
        geometry[keep],
    )
    layers = {
        "pipelines": _pipelines(tags, refs, geometry),
        "facilities": _facilities(tags, refs, geometry),
        "fuel_stations": _fuel_stations(tags, refs, geometry),
    }
    if not any(len(frame) for frame in layers.values()):
        raise _no_matches_error(path, tags)
    layers = {name: frame for name, frame in layers.items() if len(frame)}
    return ParsedImport("osm", path, layers, rejected=rejected, rows_read=len(features))


def _read_features(path: Path) -> list[dict]:
    features = read_geojson_features(
        path, fmt=FORMAT, hint="export GeoJSON, not OSM XML (osmtogeojson, osmium export)"
    )
    if not features:
        msg = f"{path}: the FeatureCollection has no features; is the Overpass query empty?"
        raise ImportFileError(msg)
    return features


def _tables(features: list[dict]) -> tuple[pd.DataFrame, pd.Series, np.ndarray, list[str]]:
    """Return tags (one column per key), OSM refs (``way/123`` or None) and geometries.

    The fourth item says, per feature, why its geometry could not be read ('' when it could).
    """
    tags = pd.DataFrame([_flat_tags(feature_properties(f)) for f in features]).astype(object)
    tags = tags.where(tags.notna(), None)
    refs = pd.Series([osm_ref(f) for f in features], dtype=object)
    geometry, reasons = feature_geometries(features)
    return tags, refs, geometry, reasons


def _flat_tags(properties: dict) -> dict:
    nested = properties.get("tags")
    tags = dict(nested) if isinstance(nested, dict) else {}
    tags.update({k: v for k, v in properties.items() if not k.startswith("@") and k != "tags"})
    return tags


def osm_ref(feature: dict) -> str | None:
    """Return ``node/123``, ``way/123`` or ``relation/123`` for a feature in any export style."""
    props = feature_properties(feature)
    candidates = [props.get("@id"), feature.get("id"), props.get("id")]
    if props.get("@type") and props.get("@id") is not None:
        candidates.insert(0, f"{props['@type']}/{props['@id']}")
    if props.get("type") in SHORT_TYPES.values() and props.get("id") is not None:
        candidates.append(f"{props['type']}/{props['id']}")
    for value in candidates:
        text = str(value) if value is not None else ""
        if OSM_REF.match(text):
            return text
        short = SHORT_REF.match(text)
        if short:
            return f"{SHORT_TYPES[short.group(1)]}/{short.group(2)}"
    return None


def _tag(tags: pd.DataFrame, key: str) -> pd.Series:
    if key not in tags.columns:
        return pd.Series("", index=tags.index, dtype=object)
    return tags[key].fillna("").astype(str).str.strip()


def _name(tags: pd.DataFrame, fallback: pd.Series) -> pd.Series:
    name = _tag(tags, "name:en").where(_tag(tags, "name:en") != "", _tag(tags, "name"))
    return name.where(name != "", fallback)


def _common(tags: pd.DataFrame, refs: pd.Series, prefix: str) -> dict[str, object]:
    return {
        "id": prefix + "-osm-" + refs.str.replace("/", "-"),
        "sources": [[OSM_URL.format(ref=r)] for r in refs],
        "geo_precision": 0,
        "provenance": "osm:" + refs,
        "operator": _tag(tags, "operator").replace("", None),
        "status": np.where(
            (_tag(tags, "disused") == "yes") | (_tag(tags, "abandoned") == "yes"),
            "inactive",
            "operating",
        ),
        WHERE_COLUMN: refs,
    }


def _pipelines(tags: pd.DataFrame, refs: pd.Series, geometry: np.ndarray) -> gpd.GeoDataFrame:
    substance = _tag(tags, "substance").str.lower()
    usage = _tag(tags, "usage").str.lower()
    asset_type = pd.Series(
        np.select(
            [
                substance.isin(GAS_SUBSTANCES) & (usage == "distribution"),
                substance.isin(GAS_SUBSTANCES),
                substance.isin(OIL_SUBSTANCES),
                substance.isin(PRODUCT_SUBSTANCES),
            ],
            ["gas_distribution", "gas_transmission", "oil", "products"],
            default="",
        ),
        index=tags.index,
    )
    is_line = np.isin(shapely.get_type_id(geometry), [1, 5])
    keep = ((_tag(tags, "man_made") == "pipeline") & (asset_type != "")).to_numpy() & is_line
    fallback = asset_type.str.replace("_", " ").str.capitalize() + " pipeline (OSM " + refs + ")"
    records = pd.DataFrame(
        {
            **_common(tags, refs, "pipe"),
            "name": _name(tags, fallback),
            "asset_type": asset_type,
            "flow_direction": "both",
            "route_accuracy": "exact",
            "notes": "flow direction not mapped in OpenStreetMap",
        }
    )
    return _subset(records, geometry, keep, PIPELINES)


def _facilities(tags: pd.DataFrame, refs: pd.Series, geometry: np.ndarray) -> gpd.GeoDataFrame:
    substation = _tag(tags, "substation").str.lower()
    gas_station = _tag(tags, "pipeline") == "substation"
    depot = _tag(tags, "industrial") == "oil_storage"
    power = _tag(tags, "power") == "substation"
    asset_type = pd.Series(
        np.select(
            [gas_station, depot, power],
            [
                substation.map(GAS_SUBSTATION_TYPES).fillna("gas_distribution_station"),
                "oil_depot",
                "substation",
            ],
            default="",
        ),
        index=tags.index,
    )
    keep = (asset_type != "").to_numpy() & (geometry != None)  # noqa: E711
    fallback = asset_type.str.replace("_", " ").str.capitalize() + " (OSM " + refs + ")"
    records = pd.DataFrame(
        {**_common(tags, refs, "fac"), "name": _name(tags, fallback), "asset_type": asset_type}
    )
    points = _points(geometry)
    singles = _subset(records, points, keep, FACILITIES)
    tanks = _tank_depots(tags, refs, geometry, depot_areas=geometry[depot.to_numpy()])
    return pd.concat([singles, tanks], ignore_index=True) if len(tanks) else singles


def _tank_depots(
    tags: pd.DataFrame, refs: pd.Series, geometry: np.ndarray, *, depot_areas: np.ndarray
) -> gpd.GeoDataFrame:
    """Group oil storage tanks lying close together into one ``oil_depot`` per group.

    Groups inside (or within the grouping distance of) a mapped ``industrial=oil_storage``
    area are left out: that area is the depot already.
    """
    content = _tag(tags, "content").str.cat(_tag(tags, "substance"), sep=" ")
    is_tank = (_tag(tags, "man_made") == "storage_tank") & content.str.contains(
        OIL_CONTENTS, case=False, regex=True
    )
    mask = is_tank.to_numpy() & (geometry != None)  # noqa: E711
    if not mask.any():
        return _subset(pd.DataFrame({"id": []}), np.array([]), np.array([], dtype=bool), FACILITIES)
    metric = _to_metric(_points(geometry[mask]))
    groups = _group_labels(metric, TANK_GROUP_DISTANCE_M)
    areas = _to_metric(depot_areas)
    in_area = np.zeros(len(metric), dtype=bool)
    if len(areas):
        hit, _ = shapely.STRtree(areas).query(
            metric, predicate="dwithin", distance=TANK_GROUP_DISTANCE_M
        )
        in_area[hit] = True
    table = pd.DataFrame(
        {
            "group": groups,
            "ref": refs[mask].to_numpy(),
            "in_area": in_area,
            "x": shapely.get_x(metric),
            "y": shapely.get_y(metric),
            "operator": _tag(tags, "operator")[mask].to_numpy(),
        }
    )
    table = table[~table.groupby("group")["in_area"].transform("any")]
    return _depot_rows(table)


def _depot_rows(table: pd.DataFrame) -> gpd.GeoDataFrame:
    grouped = table.sort_values("ref").groupby("group")
    first = grouped["ref"].first()
    records = pd.DataFrame(
        {
            "id": "fac-osm-tanks-" + first.str.replace("/", "-"),
            "name": "Oil storage tanks ("
            + grouped.size().astype(str)
            + " tanks, OSM "
            + first
            + ")",
            "sources": grouped["ref"].agg(lambda r: [OSM_URL.format(ref=x) for x in list(r)[:10]]),
            "geo_precision": 0,
            "provenance": "osm:" + first,
            "asset_type": "oil_depot",
            "operator": grouped["operator"].agg(lambda v: next((x for x in v if x), None)),
            "status": "operating",
            "notes": "grouped from mapped oil storage tanks",
            WHERE_COLUMN: first,
        }
    )
    centre = gpd.GeoSeries(
        shapely.points(grouped["x"].mean().to_numpy(), grouped["y"].mean().to_numpy()),
        crs=METRIC_CRS,
    ).to_crs(STORAGE_CRS)
    return incoming_frame(records, centre.values, FACILITIES)


def _group_labels(points: np.ndarray, distance: float) -> np.ndarray:
    """Label points so that points closer than ``distance`` (chained) share a label."""
    blobs = shapely.get_parts(shapely.union_all(shapely.buffer(points, distance / 2)))
    inp, blob = shapely.STRtree(blobs).query(points, predicate="intersects")
    labels = np.full(len(points), -1, dtype=np.int64)
    labels[inp] = blob
    return labels


def _fuel_stations(tags: pd.DataFrame, refs: pd.Series, geometry: np.ndarray) -> gpd.GeoDataFrame:
    brand = _tag(tags, "brand")
    brand = brand.where(brand != "", _tag(tags, "operator")).replace("", "unbranded")
    keep = (_tag(tags, "amenity") == "fuel").to_numpy() & (geometry != None)  # noqa: E711
    records = pd.DataFrame(
        {
            **_common(tags, refs, "fuel"),
            "name": _name(tags, brand + " fuel station"),
            "brand": brand,
            "owner_country": brand.map(lambda b: BRAND_COUNTRY.get(slugify(b))),
        }
    )
    return _subset(records, _points(geometry), keep, FUEL_STATIONS)


def _subset(
    records: pd.DataFrame, geometry: np.ndarray, keep: np.ndarray, spec: LayerSpec
) -> gpd.GeoDataFrame:
    return incoming_frame(records[keep], np.asarray(geometry, dtype=object)[keep], spec)


def _points(geometry: np.ndarray) -> np.ndarray:
    """Points stand for areas and lines in point layers: a point surely inside the shape."""
    return np.asarray(shapely.point_on_surface(geometry), dtype=object)


def _to_metric(geometry: np.ndarray) -> np.ndarray:
    series = gpd.GeoSeries(np.asarray(geometry, dtype=object), crs=STORAGE_CRS)
    return np.asarray(series.to_crs(METRIC_CRS).values, dtype=object)


def _no_matches_error(path: Path, tags: pd.DataFrame) -> ImportFileError:
    keys = [
        k
        for k in ("man_made", "amenity", "power", "pipeline", "industrial", "highway", "building")
        if k in tags.columns
    ]
    seen = ", ".join(
        f"{k}={v}" for k in keys for v in tags[k].dropna().astype(str).value_counts().index[:3]
    )
    msg = (
        f"{path}: none of the {len(tags)} features is a pipeline (man_made=pipeline with a "
        "gas/oil/fuel substance), facility (pipeline=substation, industrial=oil_storage, "
        "man_made=storage_tank with oil content, power=substation) or fuel station "
        f"(amenity=fuel); tags seen: {seen or 'none of those keys'}"
    )
    return ImportFileError(msg)
