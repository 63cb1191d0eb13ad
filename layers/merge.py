"""Merge incoming rows into a layer: match existing features, keep ids stable, report the diff.

Matching rules, in order:

1. same ``provenance`` (the source's own id, e.g. ``acled:UKR123``, ``osm:node/1``): the
   incoming row is a new version of that feature; its non-empty values replace the old ones,
   list properties (``sources``, ``target_ids``) are merged. A provenance may list several ids
   separated by ``; `` (``research:B-A14; wpi:43625``: a research feature that took its geometry
   from a dataset record); an incoming row matching one of the later ids is that record again:
   it only adds its list values (sources), so the research values and geometry stay;
2. strikes only: same date +-1 day, within 2 km, same status class (candidates only match
   candidates) and the same target: the incoming row is another report of that strike; it only
   adds its sources and list values and fills properties that were empty.

An unmatched row is added under its proposed id, made unique across every layer with ``-2``,
``-3``, ... Re-importing the same rows therefore changes nothing.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from strikemap.geo.crs import METRIC_CRS
from strikemap.layers.catalog import LayerSpec
from strikemap.layers.io import STORAGE_CRS

log = logging.getLogger(__name__)


MATCH_DISTANCE_M = 2_000
MATCH_DAYS = 1
WHERE_COLUMN = "_where"
LIST_KINDS = ("list", "list_enum")
PROVENANCE_SEPARATOR = "; "
"""Separates the ids of a provenance that names several records (the first is the feature's
own, the others records it was merged with)."""

TARGET_PATTERNS = {
    "energy": r"energy|power|electric|substation|\bgas\b|\boil\b|fuel|pipeline|refiner|depot"
    r"|compressor|boiler|thermal|grid",
    "port": r"\bports?\b|terminal|harbou?r|grain|vessel|\bship",
}
"""Coarse target classes read from free text (``target_type``); used to tell targets apart."""


@dataclass
class LayerDiff:
    """The result of merging incoming rows into one layer.

    Parameters
    ----------
    layer
        Layer name.
    frame
        The whole layer after the merge.
    added, unchanged
        Feature ids.
    updated
        Feature id -> names of the properties that changed (``geometry`` included).
    outcomes
        ``(where, feature id, outcome)`` per incoming row, outcome one of added / updated /
        unchanged.
    """

    layer: str
    frame: gpd.GeoDataFrame
    added: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)
    unchanged: list[str] = field(default_factory=list)
    outcomes: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether the layer differs from before."""
        return bool(self.added or self.updated)


def merge_layer(
    existing: gpd.GeoDataFrame,
    incoming: gpd.GeoDataFrame,
    spec: LayerSpec,
    *,
    taken_ids: Collection[str] = (),
) -> LayerDiff:
    """Merge ``incoming`` rows into ``existing`` features of layer ``spec``.

    Parameters
    ----------
    existing
        The layer as read (``layers.io.read_layer``).
    incoming
        Rows in layer form with a proposed ``id`` and a ``_where`` column (row number or
        source id), as the importers return them.
    spec
        The layer.
    taken_ids
        Ids used in other layers; new ids avoid them too (ids are unique across layers).

    Returns
    -------
    LayerDiff
        The merged layer and what happened to each incoming row.
    """
    existing = existing.reset_index(drop=True)
    incoming = incoming.reset_index(drop=True)
    matches = match_rows(existing, incoming, spec)
    original = _incoming_records(existing)
    rows = [dict(r) for r in original]
    state = _MergeState(rows, spec, {*taken_ids, *(r["id"] for r in rows)})
    for position, record in enumerate(_incoming_records(incoming)):
        state.take(record, int(matches[position]))
    return state.diff(original, spec)


def _incoming_records(incoming: gpd.GeoDataFrame) -> list[dict]:
    records = incoming.drop(columns="geometry").to_dict(orient="records")
    return [dict(r, geometry=g) for r, g in zip(records, incoming.geometry, strict=True)]


class _MergeState:
    """Rows of a layer being merged into, with the bookkeeping of the diff."""

    def __init__(self, rows: list[dict], spec: LayerSpec, taken: set[str]) -> None:
        self.rows, self.spec, self.taken = rows, spec, taken
        self.n_existing = len(rows)
        self.by_provenance: dict[str, tuple[int, bool]] = {}
        for i, row in enumerate(rows):  # whole provenances first: they win over merged ids
            self._index(row.get("provenance"), i, merged_ids=False)
        for i, row in enumerate(rows):
            self._index(row.get("provenance"), i, merged_ids=True)
        self.outcomes: list[tuple[str, int]] = []

    def _index(self, provenance: object, index: int, *, merged_ids: bool) -> None:
        """Remember the feature at ``index`` under its whole provenance, or its later ids."""
        whole = _norm(provenance)
        if not isinstance(whole, str):
            return
        if not merged_ids:
            self.by_provenance.setdefault(whole, (index, True))
            return
        for token in provenance_ids(whole)[1:]:
            self.by_provenance.setdefault(token, (index, False))

    def take(self, record: dict, match: int) -> None:
        where = str(record.pop(WHERE_COLUMN, "") or record.get("id"))
        provenance = _norm(record.get("provenance"))
        lists_only = False
        if provenance in self.by_provenance:
            match, same_source = self.by_provenance[provenance]
            lists_only = not same_source
        else:
            same_source = False
        if match < 0:
            record["id"] = unique_id(str(record["id"]), self.taken)
            self.taken.add(record["id"])
            self.rows.append(record)
            index = len(self.rows) - 1
            self._index(provenance, index, merged_ids=False)
            self._index(provenance, index, merged_ids=True)
        else:
            index = match
            self.rows[index] = merge_values(
                self.rows[index], record, self.spec, same_source=same_source, lists_only=lists_only
            )
        self.outcomes.append((where, index))

    def diff(self, original: list[dict], spec: LayerSpec) -> LayerDiff:
        frame = _rows_to_frame(self.rows, spec)
        result = LayerDiff(spec.name, frame)
        status = {}
        for index in range(len(self.rows)):
            fid = self.rows[index]["id"]
            if index >= self.n_existing:
                status[index] = "added"
                result.added.append(fid)
                continue
            changed = changed_fields(original[index], self.rows[index], spec)
            status[index] = "updated" if changed else "unchanged"
            if changed:
                result.updated[fid] = changed
        touched = {index for _, index in self.outcomes}
        result.unchanged = [self.rows[i]["id"] for i in sorted(touched) if status[i] == "unchanged"]
        result.outcomes = [(w, self.rows[i]["id"], status[i]) for w, i in self.outcomes]
        return result


def _rows_to_frame(rows: list[dict], spec: LayerSpec) -> gpd.GeoDataFrame:
    columns = list(spec.field_names)
    for row in rows:
        columns.extend(k for k in row if k not in columns and k not in ("geometry", WHERE_COLUMN))
    table = pd.DataFrame([{c: row.get(c) for c in columns} for row in rows], columns=columns)
    table = table.astype(object).where(table.notna(), None) if len(table) else table
    geometry = gpd.GeoSeries([row["geometry"] for row in rows], crs=STORAGE_CRS)
    return gpd.GeoDataFrame(table, geometry=geometry.values, crs=STORAGE_CRS)


# --------------------------------------------------------------------------------------------
# Matching


def match_rows(
    existing: gpd.GeoDataFrame, incoming: gpd.GeoDataFrame, spec: LayerSpec
) -> np.ndarray:
    """Return, per incoming row, the position of the existing feature it matches, or -1."""
    matches = np.full(len(incoming), -1, dtype=np.int64)
    if not len(existing) or not len(incoming):
        return matches
    provenance = existing["provenance"].map(_norm)
    tokens = provenance.map(lambda p: provenance_ids(p) if isinstance(p, str) else [])
    whole = pd.Series(np.arange(len(existing)), index=provenance)
    later = tokens.map(lambda t: t[1:]).explode().dropna()
    merged_with = pd.Series(later.index.to_numpy(), index=later.to_numpy())
    position = pd.concat([whole, merged_with])
    position = position[position.index.notna() & ~position.index.duplicated()]
    by_source = incoming["provenance"].map(_norm).map(position)
    matches[by_source.notna().to_numpy()] = by_source.dropna().astype(np.int64).to_numpy()
    if spec.name == "strikes":
        todo = np.flatnonzero(matches < 0)
        matches[todo] = match_strikes(existing, incoming.iloc[todo])
    return matches


def match_strikes(existing: gpd.GeoDataFrame, incoming: gpd.GeoDataFrame) -> np.ndarray:
    """Match strikes reported twice: date +-1 day, within 2 km, same status class and target.

    Returns the position in ``existing`` of the nearest matching strike (closest date first,
    then distance) per incoming row, or -1.
    """
    result = np.full(len(incoming), -1, dtype=np.int64)
    if not len(existing) or not len(incoming):
        return result
    ex_xy, in_xy = to_metric(existing.geometry), to_metric(incoming.geometry)
    tree = shapely.STRtree(ex_xy)
    inp, exi = tree.query(in_xy, predicate="dwithin", distance=MATCH_DISTANCE_M)
    if not len(inp):
        return result
    days = np.abs(
        (_dates(incoming["date"]).to_numpy()[inp] - _dates(existing["date"]).to_numpy()[exi])
        / np.timedelta64(1, "D")
    )
    same_class = _is_candidate(incoming)[inp] == _is_candidate(existing)[exi]
    targets = np.array(
        [
            targets_compatible(
                incoming["target_ids"].iat[i],
                incoming["target_type"].iat[i],
                existing["target_ids"].iat[j],
                existing["target_type"].iat[j],
            )
            for i, j in zip(inp, exi, strict=True)
        ],
        dtype=bool,
    )
    ok = (days <= MATCH_DAYS) & same_class & targets
    pairs = pd.DataFrame(
        {
            "inp": inp[ok],
            "exi": exi[ok],
            "days": days[ok],
            "dist": shapely.distance(in_xy[inp[ok]], ex_xy[exi[ok]]),
        }
    )
    best = pairs.sort_values(["inp", "days", "dist", "exi"]).drop_duplicates("inp")
    result[best["inp"].to_numpy()] = best["exi"].to_numpy()
    return result


def provenance_ids(provenance: str) -> list[str]:
    """Split a provenance into its ids (``research:B-A14; wpi:43625`` -> two ids)."""
    return [p.strip() for p in provenance.split(PROVENANCE_SEPARATOR.strip()) if p.strip()]


def to_metric(geometry: gpd.GeoSeries) -> np.ndarray:
    """Return geometries in ``METRIC_CRS`` (metres) as an array; missing ones stay None."""
    series = gpd.GeoSeries(np.asarray(geometry.values, dtype=object), crs=STORAGE_CRS)
    return np.asarray(series.to_crs(METRIC_CRS).values, dtype=object)


def _dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")


def _is_candidate(frame: gpd.GeoDataFrame) -> np.ndarray:
    return (frame["status"].astype(object) == "candidate").to_numpy(dtype=bool)


def target_classes(text: object) -> set[str]:
    """Return the coarse target classes (``energy``, ``port``) named in a free-text target."""
    if not isinstance(text, str) or not text.strip():
        return set()
    return {kind for kind, pattern in TARGET_PATTERNS.items() if re.search(pattern, text, re.I)}


def targets_compatible(a_ids: object, a_type: object, b_ids: object, b_type: object) -> bool:
    """Whether two strike reports can be about the same target.

    Named assets decide when both name some; otherwise the coarse classes of the target types
    must overlap; a report without any target information is compatible with any.
    """
    a_set, b_set = set(_items(a_ids)), set(_items(b_ids))
    if a_set and b_set:
        return bool(a_set & b_set)
    a_cls, b_cls = target_classes(a_type), target_classes(b_type)
    return not a_cls or not b_cls or bool(a_cls & b_cls)


# --------------------------------------------------------------------------------------------
# Values


def merge_values(
    old: Mapping, new: Mapping, spec: LayerSpec, *, same_source: bool, lists_only: bool = False
) -> dict:
    """Return ``old`` updated by ``new``.

    Lists are merged (old order, then new values). Other values: with ``same_source`` (a new
    version of the same source row) every non-empty new value wins and the geometry is
    replaced; with ``lists_only`` (a record already merged into ``old``) nothing else changes;
    otherwise only empty properties are filled.
    """
    merged = dict(old)
    for field_spec in spec.fields:
        name = field_spec.name
        value = new.get(name)
        if name == "id" or _norm(value) is None:
            continue
        if field_spec.kind in LIST_KINDS:
            merged[name] = _union(old.get(name), value)
        elif lists_only:
            continue
        elif same_source or _norm(old.get(name)) is None:
            merged[name] = value
    geometry = new.get("geometry")
    old_geometry = old.get("geometry")
    if lists_only:
        return merged
    if geometry is not None and (
        old_geometry is None or (same_source and not _same_geometry(old_geometry, geometry))
    ):
        merged["geometry"] = geometry
    return merged


def changed_fields(old: Mapping, new: Mapping, spec: LayerSpec) -> list[str]:
    """Return the names of the properties (and ``geometry``) that differ."""
    names = [n for n in spec.field_names if _norm(old.get(n)) != _norm(new.get(n))]
    old_geom, new_geom = old.get("geometry"), new.get("geometry")
    if (old_geom is None) != (new_geom is None) or (
        old_geom is not None and not _same_geometry(old_geom, new_geom)
    ):
        names.append("geometry")
    return names


def _same_geometry(a: shapely.Geometry, b: shapely.Geometry) -> bool:
    return bool(shapely.equals_exact(a, b, tolerance=1e-6))


def _union(old: object, new: object) -> list[str]:
    values = list(_items(old))
    values.extend(v for v in _items(new) if v not in values)
    return values


def _items(value: object) -> tuple[str, ...]:
    """Return the non-blank items of a list-valued property as text (``()`` otherwise)."""
    normal = _norm(value)
    return normal if isinstance(normal, tuple) else ()


def _norm(value: object) -> object:
    """Normalise a property value for comparison: '' / NaN / [] -> None, lists -> tuples."""
    if value is None:
        return None
    if isinstance(value, list | tuple | np.ndarray):
        items = tuple(str(v).strip() for v in value if v is not None and str(v).strip())
        return items or None
    if isinstance(value, float | np.floating):
        if math.isnan(value):
            return None
        return int(value) if float(value).is_integer() else float(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, str):
        return value.strip() or None
    return value


def unique_id(base: str, taken: Collection[str]) -> str:
    """Return ``base``, or ``base-2``, ``base-3``, ... whichever is not taken."""
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"
