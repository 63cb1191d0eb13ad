"""Build the open-data layers and merge them with the research layers.

Why one long module: about half of it is the curated matching tables (which open-data record
is which research asset, and why), which a reviewer reads beside the merge steps they drive.

Reads the openly licensed extracts in ``../shared/research/open-data`` (origins, commits and
licences in its ``README.txt``) through the project's importers, clipped to the map region
(``layers.catalog.OPEN_DATA_BOUNDS``), and merges them with the layers built from the research
(``build_research_layers.build_all``):

* a research asset that an open dataset also holds keeps its research id, values, sources and
  ``relations.csv`` rows, takes the dataset's geometry and lists the record in its
  ``provenance`` (``research:B-A14; wpi:43625``); the curated tables below say which record
  is which asset and why;
* a research line takes a route chained from open-data pieces, cut between its ends and joined
  by straight connectors to the junctions and facilities the pipeline network needs; its
  ``location_note`` says which pieces, how accurate and how long the connectors are;
* every other open-data record becomes a feature of its own (the importer's id and values).

Run through ``scripts/build_data.py``, which also writes and validates the result.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from open_data_routes import Route, build_route
from shapely.geometry import LineString, Point

from strikemap.layers import credits
from strikemap.layers.catalog import (
    BY_NAME,
    CATALOG,
    OPEN_DATA_BOUNDS,
    REGION_BOUNDS,
    REGIONS,
)
from strikemap.layers.importers import (
    ParsedImport,
    parse_gem,
    parse_geonames,
    parse_gridkit,
    parse_powerplants,
    parse_refineries,
    parse_ucdp,
    parse_wpi,
)
from strikemap.layers.importers.common import WHERE_COLUMN, empty_incoming, incoming_frame
from strikemap.layers.importers.countries import iso3_from_iso2
from strikemap.layers.io import STORAGE_CRS, empty_layer, normalise_layer
from strikemap.layers.merge import PROVENANCE_SEPARATOR, merge_layer
from strikemap.layers.schema import slugify

log = logging.getLogger("build_open_data")

REPO_DIR = Path(__file__).resolve().parents[1]
DEFAULT_OPEN_DATA_DIR = REPO_DIR.parent / "shared" / "research" / "open-data"

# ---------------------------------------------------------------------------------------------
# What is read, and the cuts applied

FILES = {
    "gem_routes": "pipelines_gem_routes_2026-04.geojson",
    "gem_gas_attributes": "pipelines_gas_gem_ggit_2023-12.geojson",
    "gem_oil_attributes": "pipelines_oil_gem_goit_2023-06.geojson",
    "scigrid": "pipelines_gas_scigrid_IGGINL_PipeSegments.geojson",
    "gridkit_lines": "grid_entsoe_gridkit_lines.geojson",
    "gridkit_links": "grid_entsoe_gridkit_links.geojson",
    "gridkit_buses": "grid_entsoe_gridkit_buses.geojson",
    "powerplants": "powerplants_powerplantmatching_v0.6.0.geojson",
    "refineries": "refineries_pypsa_noneu.geojson",
    "ports": "ports_nga_world_port_index.geojson",
    "places_15000": "places_geonames_cities15000.geojson",
    "places_1000": "places_geonames_cities1000_26-34E_43.5-48.5N.geojson",
    "admin1": "admin1_naturalearth_10m_v4.1_simplified.geojson",
    "events": "events_ucdp_ged_ukraine_2014-2022-09.geojson",
}
"""Open-data files read (names as in the open-data README)."""

MIN_PLANT_MW = 10.0
"""Power plants below 10 MW (mostly small solar farms) are left out: they add thousands of
points and nearby links without bearing on supply to the region."""
PLANTS_AS_OF = 2024
"""Year of the powerplantmatching release (v0.6.0, 2024-09): plants closed before are inactive."""
TOWN_POPULATION = 15_000
"""Across the map region, towns of at least this many people are places (GeoNames cities15000)."""
CORE_BOUNDS = (27.0, 44.5, 32.0, 48.5)
"""Odesa oblast, the Danube delta and Moldova, where strikes are placed by village."""
VILLAGE_POPULATION = 1_000
"""Inside ``CORE_BOUNDS`` every place of at least this many people is kept (Orlivka, Novosilske,
Isaccea, Giurgiulesti, Hrebenyky)."""

# ---------------------------------------------------------------------------------------------
# Research points that open datasets hold too: research id -> (layer, record provenance)


@dataclass(frozen=True)
class PointMerge:
    """A research point asset that is the same asset as one open-data record."""

    research_id: str
    layer: str
    record: str
    why: str


POINT_MERGES: tuple[PointMerge, ...] = (
    PointMerge(
        "fac-odesa-refinery",
        "facilities",
        "pypsa-refinery:odesa-refinery-lukoil",
        "PyPSA-Eur lists 'Odesa Refinery (LUKOIL)', the refinery the research names.",
    ),
    PointMerge(
        "fac-izmail-port", "facilities", "wpi:43625", "WPI 43625 'Izmayil' is the Port of Izmail."
    ),
    PointMerge("fac-reni-port", "facilities", "wpi:43925", "WPI 43925 'Reni' is the Port of Reni."),
    PointMerge(
        "fac-pivdennyi-port",
        "facilities",
        "wpi:43655",
        "WPI 43655 'Yuzhnyy' is the Port of Pivdennyi (Yuzhne).",
    ),
    PointMerge(
        "fac-odesa-oil-harbour",
        "facilities",
        "wpi:43650",
        "WPI 43650 'Odesa' is the Port of Odesa, of which the oil harbour is a part; the point "
        "locates the port, not the oil harbour within it.",
    ),
    PointMerge(
        "fac-chornomorsk-port",
        "facilities",
        "wpi:43645",
        "WPI 43645 'Illichivsk' is Chornomorsk's port under its former name.",
    ),
    PointMerge(
        "fac-artsyz-substation",
        "substations",
        "gridkit:station/3817",
        "GridKit station 3817 is the only substation on the ENTSO-E map within 10 km of Artsyz "
        "(330 kV, Ukraine, 2.9 km from the town centre).",
    ),
)

# ---------------------------------------------------------------------------------------------
# Research lines rebuilt from open-data routes

JUNCTION_LABELS = {
    "kulata": "Kulata (end of GEM's Kulata-Nea Missivria route)",
    "negru_voda": "the Negru Voda interconnection (SciGRID_gas node, also GEM's Kardam-Negru Voda "
    "end)",
    "isaccea": "Isaccea (SciGRID_gas node)",
    "orlivka_cs": "the Orlivka CS/GMS point (approx. Novosilske)",
    "pivdennyi_terminal": "the Pivdennyi oil terminal point (Pivdenne town centroid)",
}


@dataclass(frozen=True)
class RouteMerge:
    """A research line drawn along open-data routes.

    Parameters
    ----------
    research_id
        The research feature (``None`` for an open-data line trimmed to meet a junction).
    layer
        ``pipelines`` or ``power_lines``.
    pieces
        Open-data lines in route order: ``gem:P0674``, ``gem:P1337#0`` (a part of a
        multi-part route), ``scigrid:INET_PL_1088``, ``gridkit:line/14720``.
    absorbed
        Records used whole: listed in the feature's provenance, so a re-import of them adds
        only their sources; pieces used in part stay features of their own.
    start, end
        ``route`` (the chained route's own end: the open data locates the line's real end
        better than the research's town centroid), ``research`` (cut at the point nearest the
        research's end point and joined to it by a straight connector: the sources say the
        line ends there) or ``junction:NAME`` (the same, at a point several segments share).
    accuracy, precision
        ``route_accuracy`` and ``geo_precision`` of the result.
    why
        Why these pieces are this asset, in words.
    """

    research_id: str | None
    layer: str
    pieces: tuple[str, ...]
    absorbed: tuple[str, ...]
    start: str
    end: str
    accuracy: str
    precision: int
    why: str


SHOWN_M = 100.0
"""Connectors, offsets and gaps shorter than this go unmentioned."""
GEM_WORDS = (
    "Global Energy Monitor routes (approximate: digitised from published maps, they can lie "
    "kilometres from the real line)"
)
SCIGRID_WORDS = "SciGRID_gas (straight between real network nodes, schematic)"
GRIDKIT_WORDS = (
    "the ENTSO-E map via GridKit (drawn for clarity between real substations, schematic)"
)

ROUTE_MERGES: tuple[RouteMerge, ...] = (
    RouteMerge(
        "pipe-tb-gr-revithoussa-kulata",
        "pipelines",
        ("gem:P4364", "gem:P2797", "gem:P2761", "gem:P2908#0", "gem:P2908#1", "gem:P4045"),
        ("gem:P2797", "gem:P2761", "gem:P2908", "gem:P4045"),
        "research",
        "junction:kulata",
        "approximate",
        2,
        "The Greek trunk line from the Revithoussa landfall near Agioi Theodoroi north through "
        "Bralos, Ampelia and Nea Messimvria to Kulata/Sidirokastro; GEM records it in pieces.",
    ),
    RouteMerge(
        "pipe-tb-bg-kulata-negru-voda",
        "pipelines",
        ("gem:P2993", "gem:P2899", "gem:P1337#0", "gem:P2907"),
        ("gem:P2993", "gem:P2899", "gem:P2907"),
        "junction:kulata",
        "junction:negru_voda",
        "approximate",
        2,
        "Bulgaria's network from the Kulata border point via Dubnitsa and Ihtiman along the "
        "northern ring to Kardam and Negru Voda; which Bulgarian lines carry Route 1 is the "
        "research's assumption of the shortest path, not sourced.",
    ),
    RouteMerge(
        "pipe-tb-ro-negru-voda-isaccea",
        "pipelines",
        ("scigrid:INET_PL_1082",),
        ("scigrid:INET_PL_1082",),
        "junction:negru_voda",
        "junction:isaccea",
        "schematic",
        2,
        "SciGRID_gas 'Negru Voda-Isaccea' joins the two Trans-Balkan nodes straight (diameter "
        "998 mm, 49 mcm/d); GEM's Trans-Balkan route (pipe-gem-p3933) passes 17 km east of "
        "Negru Voda and ends 14 km short of Isaccea, so its nodes are the better fix here.",
    ),
    RouteMerge(
        "pipe-tb-isaccea-orlivka",
        "pipelines",
        ("scigrid:INET_PL_1088",),
        ("scigrid:INET_PL_1088",),
        "junction:isaccea",
        "junction:orlivka_cs",
        "schematic",
        2,
        "SciGRID_gas 'Isaccea-Orlovka' crosses the Danube between the Isaccea and Orlovka nodes "
        "(diameter 998 mm, 49 mcm/d, 77 bar); the last leg to the station is the research's.",
    ),
    RouteMerge(
        "pipe-igb-komotini-stara-zagora",
        "pipelines",
        ("gem:P0696",),
        ("gem:P0696",),
        "route",
        "route",
        "approximate",
        2,
        "GEM P0696 is the Gas Interconnector Greece-Bulgaria.",
    ),
    RouteMerge(
        "pipe-iasi-ungheni-chisinau",
        "pipelines",
        ("gem:P2278/Phase I", "gem:P2747/Phase II"),
        ("gem:P2278/Phase I", "gem:P2747/Phase II"),
        "route",
        "route",
        "approximate",
        2,
        "GEM's Romania-Moldova Gas Pipeline Phase I (Iasi-Ungheni) and Phase II "
        "(Ungheni-Chisinau).",
    ),
    RouteMerge(
        "pipe-odesa-brody",
        "pipelines",
        ("gem:P0674",),
        ("gem:P0674",),
        "junction:pivdennyi_terminal",
        "research",
        "approximate",
        2,
        "GEM P0674 is the Odesa-Brody oil pipeline; GEM's route turns west about 40 km south "
        "of Brody, so it is cut at its point nearest Brody, where the sources end the line.",
    ),
    RouteMerge(
        "pipe-odesa-kremenchuk",
        "pipelines",
        ("gem:P5235", "gem:P5231"),
        ("gem:P5235",),
        "junction:pivdennyi_terminal",
        "research",
        "approximate",
        2,
        "GEM's Snihurivka-Odesa and Kremenchuk-Kherson oil pipelines (north of Snihurivka) form "
        "the Prydniprovski trunk line between Odesa and Kremenchuk; GEM's Odesa end is Odesa "
        "port, so the connector from Pivdennyi stands for the unlocated link.",
    ),
    RouteMerge(
        "power-isaccea-vulcanesti-mgres",
        "power_lines",
        ("gridkit:line/14720", "gridkit:line/4568", "gridkit:line/4170"),
        ("gridkit:line/14720", "gridkit:line/4568", "gridkit:line/4170"),
        "route",
        "route",
        "schematic",
        2,
        "The ENTSO-E map's 400 kV lines Isaccea - (joint) - Vulcanesti - MGRES (GridKit lines "
        "14720, 4568, 4170; EIC of 14720 not given).",
    ),
    RouteMerge(
        "power-pivdennoukrainska-isaccea",
        "power_lines",
        (
            "gridkit:line/14799",
            "gridkit:line/14072",
            "gridkit:line/14073",
            "gridkit:line/14074",
            "gridkit:line/14075",
        ),
        ("gridkit:line/14799", "gridkit:line/14072", "gridkit:line/14073", "gridkit:line/14074"),
        "research",
        "route",
        "schematic",
        2,
        "The ENTSO-E map's only 750 kV line at Isaccea, north-east past MGRES towards the "
        "Pivdennoukrainska NPP; cut at the point nearest the research's approximate NPP point "
        "(the map has no station there; GridKit line 14075 continues north).",
    ),
)

TRIMMED_ROUTES: tuple[RouteMerge, ...] = (
    RouteMerge(
        None,
        "pipelines",
        ("gem:P3933",),
        (),
        "route",
        "junction:negru_voda",
        "approximate",
        2,
        "GEM's Trans-Balkan route from Turkey through Bulgaria, trimmed where it passes Negru "
        "Voda and joined to the Negru Voda node, where the research segment "
        "pipe-tb-ro-negru-voda-isaccea (SciGRID_gas) carries the line on to Isaccea, so the "
        "network joins them. Re-importing the GEM routes restores GEM's whole route.",
    ),
)
"""Open-data lines trimmed to meet a junction (their rest is a research segment)."""

KEPT_SCHEMATIC = {
    "pipe-tb-ua-orlivka-causeni": "GEM's Anan'iv-Tiraspol-Izmail route (pipe-gem-p0786) passes "
    "22 km east of the Causeni point the research puts on Route 1, and which transit line "
    "carries Route 1 is unresolved (facts.md section 4, item 11).",
    "pipe-tb-causeni-ananiv": "GEM's Anan'iv-Tiraspol-Izmail route (pipe-gem-p0786) passes "
    "22 km east of the Causeni point, and which transit line carries Route 1 is unresolved.",
    "power-vulcanesti-chisinau": "it was built in 2024-2025, after the ENTSO-E map extract "
    "(March 2022).",
}
"""Research lines left schematic, and why: added to their location notes."""


# ---------------------------------------------------------------------------------------------
# Reading the open data


def read_open_data(open_dir: Path) -> dict[str, list[ParsedImport]]:
    """Run the importers over the open-data files; returns parsed imports per target layer."""
    path = {key: open_dir / name for key, name in FILES.items()}
    bbox = OPEN_DATA_BOUNDS
    parsed = [
        parse_gem(
            path["gem_routes"],
            attributes=[path["gem_gas_attributes"], path["gem_oil_attributes"]],
            bbox=bbox,
        ),
        parse_gridkit(path["gridkit_lines"], bbox=bbox),
        parse_gridkit(path["gridkit_links"], bbox=bbox),
        parse_gridkit(path["gridkit_buses"], bbox=bbox),
        parse_powerplants(
            path["powerplants"], bbox=bbox, min_capacity_mw=MIN_PLANT_MW, as_of=PLANTS_AS_OF
        ),
        parse_refineries(path["refineries"], bbox=bbox),
        parse_wpi(path["ports"], bbox=bbox),
        parse_geonames(path["places_15000"], bbox=bbox, min_population=TOWN_POPULATION),
        parse_geonames(path["places_1000"], bbox=CORE_BOUNDS, min_population=VILLAGE_POPULATION),
        parse_ucdp(path["events"], bbox=bbox),
    ]
    by_layer: dict[str, list[ParsedImport]] = {}
    for item in parsed:
        for note in item.notes:
            log.info("%s: %s", item.source.name, note)
        for rejected in item.rejected:
            log.info("%s: rejected %s", item.source.name, rejected)
        for layer in item.layers:
            by_layer.setdefault(layer, []).append(item)
    return by_layer


def incoming_rows(parsed: Mapping[str, list[ParsedImport]], layer: str) -> gpd.GeoDataFrame:
    """All incoming rows for ``layer`` from every parsed file, in file order."""
    frames = [item.layers[layer] for item in parsed.get(layer, [])]
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_incoming(BY_NAME[layer])
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=STORAGE_CRS)


def scigrid_lines(open_dir: Path) -> dict[str, LineString]:
    """SciGRID_gas IGGINL segments by ``scigrid:<id>``."""
    frame = gpd.read_file(open_dir / FILES["scigrid"])
    return {f"scigrid:{i}": g for i, g in zip(frame["id"], frame.geometry, strict=True)}


# ---------------------------------------------------------------------------------------------
# Regions (Natural Earth admin-1; no importer: one file, built here)


CRIMEA_NOTE = (
    "De jure part of Ukraine. Natural Earth 4.1 lists it under Russia (de facto control since "
    "2014); the open-data extraction set admin_de_jure to Ukraine, and so does this layer."
)


def build_regions(open_dir: Path) -> gpd.GeoDataFrame:
    """Admin-1 regions touching the map region, whole, with their de jure country."""
    frame = gpd.read_file(open_dir / FILES["admin1"])
    frame = frame[frame.intersects(shapely.box(*OPEN_DATA_BOUNDS))].reset_index(drop=True)
    iso3 = iso3_from_iso2(frame["iso_a2_de_jure"])
    de_facto = frame["admin"].astype(str)
    disputed = frame["admin_de_jure"].astype(str) != de_facto
    name = frame["name"].fillna(frame["woe_name"]).astype(str)
    ids = "region-" + iso3.str.lower() + "-" + name.map(slugify)
    ids = ids + ids.groupby(ids).cumcount().map(lambda n: f"-{n + 1}" if n else "")
    records = pd.DataFrame(
        {
            "id": ids,
            "name": name,
            "sources": [[credits.NATURAL_EARTH.url]] * len(frame),
            "geo_precision": 0,
            "provenance": "naturalearth:admin1/" + frame["adm0_a3"] + "/" + name,
            "iso3": iso3,
            "country": frame["admin_de_jure"],
            "name_local": frame["gn_name"].where(frame["gn_name"].notna(), None),
            "notes": np.where(disputed, CRIMEA_NOTE, None),
            WHERE_COLUMN: ids,
        }
    )
    geometry = shapely.intersection(frame.geometry.values, shapely.box(*REGION_BOUNDS))
    return incoming_frame(records, geometry, REGIONS).drop(columns=WHERE_COLUMN)


# ---------------------------------------------------------------------------------------------
# Merging research assets with their open-data records


def merge_points(
    layers: dict[str, gpd.GeoDataFrame], incoming: Mapping[str, gpd.GeoDataFrame]
) -> None:
    """Give research points their open-data geometry, precision and provenance (in place)."""
    for merge in POINT_MERGES:
        record = _one(incoming[merge.layer], merge.record)
        source_layer = _layer_of(layers, merge.research_id)
        frame = layers[source_layer]
        row = frame.loc[frame["id"] == merge.research_id].iloc[0].to_dict()
        old_note = row.get("location_note") or ""
        row.update(
            geometry=record.geometry,
            geo_precision=int(record["geo_precision"]),
            location_note=f"{record['location_note']} {merge.why} Before: {old_note}".strip(),
            provenance=_with_record(row["provenance"], merge.record),
            sources=_union(row["sources"], record["sources"]),
        )
        layers[source_layer] = frame[frame["id"] != merge.research_id]
        target = layers.get(merge.layer, empty_layer(BY_NAME[merge.layer]))
        addition = gpd.GeoDataFrame([row], geometry="geometry", crs=STORAGE_CRS)
        layers[merge.layer] = _concat([target, addition], merge.layer)


def merge_routes(
    layers: dict[str, gpd.GeoDataFrame],
    incoming: Mapping[str, gpd.GeoDataFrame],
    scigrid: Mapping[str, LineString],
) -> gpd.GeoDataFrame:
    """Redraw research lines along open routes (in place); return the trimmed open lines."""
    pieces = {
        **scigrid,
        **_line_lookup(incoming["pipelines"]),
        **_line_lookup(incoming["power_lines"]),
    }
    junctions = _junctions(layers, pieces)
    for name in ("pipelines", "power_lines"):
        records = layers[name].to_dict(orient="records")
        by_id = {r["id"]: r for r in records}
        for line_id, why in KEPT_SCHEMATIC.items():
            if line_id in by_id:
                row = by_id[line_id]
                row["location_note"] = f"{row['location_note']} Not redrawn from open data: {why}"
        for merge in (m for m in ROUTE_MERGES if m.layer == name):
            row = by_id[merge.research_id]
            old = row["geometry"]
            towards = (Point(old.coords[0]), Point(old.coords[-1]))
            route = _route(merge, pieces, junctions, towards=towards)
            row.update(
                geometry=route.line,
                geo_precision=merge.precision,
                route_accuracy=merge.accuracy,
                location_note=route_note(merge, route),
                provenance=_with_record(row["provenance"], *merge.absorbed),
                sources=_union(row["sources"], [_dataset(p).url for p in merge.pieces]),
            )
            _fill_from_records(row, incoming[name], merge.absorbed)
        frame = gpd.GeoDataFrame(records, geometry="geometry", crs=STORAGE_CRS)
        layers[name] = normalise_layer(frame, BY_NAME[name])
    trimmed = []
    for merge in TRIMMED_ROUTES:
        record = _one(incoming[merge.layer], merge.pieces[0]).to_dict()
        line = pieces[merge.pieces[0]]
        towards = (Point(line.coords[0]), Point(line.coords[-1]))
        route = _route(merge, pieces, junctions, towards=towards)
        record.update(geometry=route.line, location_note=route_note(merge, route))
        trimmed.append(record)
    return gpd.GeoDataFrame(trimmed, geometry="geometry", crs=STORAGE_CRS)


def _route(
    merge: RouteMerge,
    pieces: Mapping[str, LineString],
    junctions: Mapping[str, Point],
    *,
    towards: tuple[Point, Point],
) -> Route:
    def end(spec: str, reference: Point) -> tuple[Point | None, bool]:
        if spec == "route":
            return None, False
        if spec == "research":
            return reference, True
        return junctions[spec.removeprefix("junction:")], True

    start, join_start = end(merge.start, towards[0])
    stop, join_end = end(merge.end, towards[1])
    return build_route(
        [pieces[p] for p in merge.pieces],
        towards=towards,
        start=start,
        end=stop,
        join_start=join_start,
        join_end=join_end,
    )


def route_note(merge: RouteMerge, route: Route) -> str:
    """Say where a route comes from, how accurate it is and what was drawn by hand."""
    names = ", ".join(
        p + ("" if _base(p) in merge.absorbed else " (in part)") for p in merge.pieces
    )
    words = {"gem": GEM_WORDS, "scigrid": SCIGRID_WORDS, "gridkit": GRIDKIT_WORDS}
    sources = "; ".join(dict.fromkeys(words[p.split(":")[0]] for p in merge.pieces))
    parts = [f"Route from {names}: {sources}. {merge.why}"]
    labels = {"junction:" + k: v for k, v in JUNCTION_LABELS.items()}
    for spec, length in zip((merge.start, merge.end), route.connectors_m, strict=True):
        if length >= SHOWN_M:
            target = labels.get(spec, "the research's end point")
            parts.append(f"A straight connector of {length / 1000:.1f} km joins {target}.")
    if bridged := [g for g in route.gaps_m if g >= SHOWN_M]:
        km = ", ".join(f"{g / 1000:.1f}" for g in bridged)
        parts.append(f"Gaps between the pieces ({km} km) are bridged straight.")
    return " ".join(parts)


def _junctions(
    layers: Mapping[str, gpd.GeoDataFrame], pieces: Mapping[str, LineString]
) -> dict[str, Point]:
    """Junction points, each taken from the dataset (or research line) that fixes it."""
    pipes = layers["pipelines"].set_index("id").geometry
    return {
        "kulata": Point(pieces["gem:P4045"].coords[0]),
        "negru_voda": Point(pieces["scigrid:INET_PL_1082"].coords[0]),
        "isaccea": Point(pieces["scigrid:INET_PL_1088"].coords[0]),
        "orlivka_cs": Point(pipes["pipe-tb-isaccea-orlivka"].coords[-1]),
        "pivdennyi_terminal": Point(pipes["pipe-odesa-brody"].coords[0]),
    }


def _line_lookup(frame: gpd.GeoDataFrame) -> dict[str, LineString]:
    """Lines by provenance; parts of multi-part routes as ``<provenance>#<part>``."""
    lookup: dict[str, LineString] = {}
    for provenance, geometry in zip(frame["provenance"], frame.geometry, strict=True):
        parts = list(shapely.get_parts(geometry))
        lookup[provenance] = parts[0] if len(parts) == 1 else shapely.line_merge(geometry)
        for i, part in enumerate(parts):
            lookup[f"{provenance}#{i}"] = part
    return lookup


def _fill_from_records(row: dict, incoming: gpd.GeoDataFrame, absorbed: tuple[str, ...]) -> None:
    """Copy voltage class and circuits of absorbed power lines where the research has none."""
    records = incoming[incoming["provenance"].isin(absorbed)]
    for column in ("voltage_class", "circuits"):
        if column in records.columns and pd.isna(row.get(column)):
            values = records[column].dropna()
            if len(values):
                row[column] = values.iloc[0]


def _base(piece: str) -> str:
    return piece.split("#")[0]


def _dataset(piece: str) -> credits.Credit:
    return credits.CREDITS[piece.split(":")[0]]


def _one(frame: gpd.GeoDataFrame, provenance: str) -> pd.Series:
    rows = frame[frame["provenance"] == provenance]
    if len(rows) != 1:
        msg = f"expected one open-data record {provenance!r}, found {len(rows)}; check the tables"
        raise KeyError(msg)
    return rows.iloc[0]


def _layer_of(layers: Mapping[str, gpd.GeoDataFrame], feature_id: str) -> str:
    for name, frame in layers.items():
        if "id" in frame.columns and (frame["id"] == feature_id).any():
            return name
    msg = f"no layer holds {feature_id!r}; the research build changed, update the tables"
    raise KeyError(msg)


def _with_record(provenance: str, *records: str) -> str:
    ids = [p for p in str(provenance).split(PROVENANCE_SEPARATOR.strip()) if p.strip()]
    ids = [p.strip() for p in ids]
    return PROVENANCE_SEPARATOR.join(dict.fromkeys([*ids, *records]))


def _union(old: object, new: object) -> list[str]:
    return list(dict.fromkeys([*list(old or []), *list(new or [])]))


def _concat(frames: list[gpd.GeoDataFrame], layer: str) -> gpd.GeoDataFrame:
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_layer(BY_NAME[layer])
    joined = pd.concat(frames, ignore_index=True)
    return normalise_layer(
        gpd.GeoDataFrame(joined, geometry="geometry", crs=STORAGE_CRS), BY_NAME[layer]
    )


# ---------------------------------------------------------------------------------------------
# The whole build


def build_open_layers(
    research: Mapping[str, gpd.GeoDataFrame], open_dir: Path = DEFAULT_OPEN_DATA_DIR
) -> dict[str, gpd.GeoDataFrame]:
    """Merge the open data into the research layers; returns every built layer by name.

    Parameters
    ----------
    research
        Layers from ``build_research_layers.build_all`` (strikes, facilities, fuel_stations,
        pipelines, power_lines).
    open_dir
        The open-data folder.
    """
    parsed = read_open_data(open_dir)
    incoming = {spec.name: incoming_rows(parsed, spec.name) for spec in CATALOG}
    layers = {
        spec.name: research[spec.name].copy() if spec.name in research else empty_layer(spec)
        for spec in CATALOG
        if spec.name != "countries"
    }
    merge_points(layers, incoming)
    trimmed = merge_routes(layers, incoming, scigrid_lines(open_dir))
    incoming["pipelines"] = _replace_records(incoming["pipelines"], trimmed)
    layers["regions"] = build_regions(open_dir)
    for spec in CATALOG:
        if spec.name in ("countries", "regions", "strikes") or not len(incoming[spec.name]):
            continue
        taken = {i for name, f in layers.items() if name != spec.name for i in f["id"]}
        diff = merge_layer(layers[spec.name], incoming[spec.name], spec, taken_ids=taken)
        log.info(
            "%s: %d research features, %d added from open data, %d merged",
            spec.name,
            len(layers[spec.name]),
            len(diff.added),
            len(diff.updated) + len(diff.unchanged),
        )
        layers[spec.name] = normalise_layer(diff.frame, spec)
    return layers


def _replace_records(incoming: gpd.GeoDataFrame, records: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Incoming rows with the rows of the same provenance replaced by ``records``."""
    if not len(records):
        return incoming
    kept = incoming[~incoming["provenance"].isin(records["provenance"])]
    joined = pd.concat([kept, records[incoming.columns]], ignore_index=True)
    return gpd.GeoDataFrame(joined, geometry="geometry", crs=STORAGE_CRS)
