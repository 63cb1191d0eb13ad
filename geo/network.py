"""The pipeline network: a directed graph of pipeline segments and the stations on them.

Notes
-----
Nodes are the ends of every part of every line (a MultiLineString joins the network at each
part's ends) snapped together within a tolerance, and the node assets (stations) within that
tolerance of a line. Edges follow ``flow_direction`` and carry the line's id.

Downstream is one algorithm: what is reached from a set of start nodes along the edges, with
networkx. The join asks for many starts at once, so it takes per-node reach masks (one pass
over the condensation in topological order); a sentence asks for the way to one reached
asset (fewest edges, ``networkx.multi_source_dijkstra``). A start is the hit point of a line
(``start_nodes``): the nodes at or after it in the flow direction, so what lies upstream of the
hit is never downstream of it.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
import shapely

from strikemap.geo.assets import NETWORK_LINE, NETWORK_NODE
from strikemap.geo.cache import digest_cache
from strikemap.geo.crs import (
    cached_metric_geometry,
    geometry_fingerprint,
    lonlat_to_metric,
    require_crs,
    to_storage,
)

log = logging.getLogger(__name__)
_CACHE_SIZE = 8
_PATH_CACHE = 256
"""Searches from start sets a network keeps (one per strike-asset pair explained)."""

Start = tuple[int, ...]
"""Nodes a downstream search starts from, sorted."""


@dataclass(frozen=True)
class _Parts:
    """Every part of every line with its chain of nodes in drawing order (CSR arrays).

    Chain ``k`` of part ``p`` sits at ``chain_node[start[p] + k]``, at the normalised position
    ``chain_pos[start[p] + k]`` along the part (0 at its first vertex, 1 at its last).
    """

    line: np.ndarray
    asset: np.ndarray
    direction: np.ndarray
    start: np.ndarray
    count: np.ndarray
    chain_node: np.ndarray
    chain_pos: np.ndarray


@dataclass(frozen=True, eq=False)
class PipelineNetwork:
    """Pipeline topology: nodes are snapped part ends and stations, edges carry a line id.

    Attributes
    ----------
    graph
        ``networkx.MultiDiGraph``; an edge ``u -> v`` means gas or oil flows from ``u`` to ``v``
        along the line named by the edge's ``asset`` attribute (parallel lines keep their own
        edges).
    facility_nodes
        ``{node asset id: node}`` for stations within the snap tolerance of a line.
    """

    graph: nx.MultiDiGraph
    facility_nodes: dict[str, int]
    parts: _Parts
    _by_node: dict[int, list[str]] = field(init=False, repr=False)
    _line_codes: pd.Index = field(init=False, repr=False)
    _line_first: np.ndarray = field(init=False, repr=False)
    _line_count: np.ndarray = field(init=False, repr=False)
    _chain_key: np.ndarray = field(init=False, repr=False)
    _search: Callable[[Start], tuple[dict[int, int], dict[int, list[int]]]] = field(
        init=False, repr=False
    )

    def __post_init__(self) -> None:
        by_node: dict[int, list[str]] = {}
        for facility, node in sorted(self.facility_nodes.items()):
            by_node.setdefault(node, []).append(facility)
        object.__setattr__(self, "_by_node", by_node)
        # parts come grouped by line, lines in id order: a line's parts are one slice
        codes, first, count = np.unique(self.parts.asset, return_index=True, return_counts=True)
        object.__setattr__(self, "_line_codes", pd.Index(codes))
        object.__setattr__(self, "_line_first", first)
        object.__setattr__(self, "_line_count", count)
        chain_part = np.repeat(np.arange(len(self.parts.line)), self.parts.count)
        object.__setattr__(self, "_chain_key", chain_part * 2.0 + self.parts.chain_pos)
        # searches are kept per start set (thread-safe: functools)
        object.__setattr__(self, "_search", functools.lru_cache(_PATH_CACHE)(self._dijkstra))

    # ----------------------------------------------------------------------------------------
    # Where the flow starts

    def start_nodes(self, asset_ids: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Return, per hit, the nodes downstream of it: ``asset_ids[k]`` hit at metric ``(x, y)``.

        A station starts at its node; a line at the first node of its part (nearest to the
        point) past the point in the flow direction (one on each side for ``both``): a station
        right at the hit point was hit with the line, it is not downstream of it. A hit on a
        part's end starts at that end. An asset off the network starts nowhere.

        Returns
        -------
        numpy.ndarray
            ``(n, 2)`` node numbers, the second ``-1`` for a single start, both ``-1`` for none.
        """
        asset_ids = np.asarray(asset_ids, dtype=object)
        starts = np.full((len(asset_ids), 2), -1, dtype=np.int64)
        stations = pd.Series(self.facility_nodes, dtype="int64")
        at_station = stations.reindex(asset_ids).to_numpy(dtype=float, na_value=np.nan)
        found = np.isfinite(at_station)
        starts[found, 0] = at_station[found].astype(np.int64)
        code = self._line_codes.get_indexer(asset_ids)
        on_line = np.flatnonzero((code >= 0) & ~found)
        if on_line.size:
            starts[on_line] = self._line_starts(code[on_line], x[on_line], y[on_line])
        return starts

    def _line_starts(self, code: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """``start_nodes`` of hits on lines (``code``: index into ``_line_codes``), vectorised."""
        parts = self.parts
        first, count = self._line_first[code], self._line_count[code]
        hit = np.repeat(np.arange(len(code)), count)
        part = np.repeat(first - (np.cumsum(count) - count), count) + np.arange(len(hit))
        points = shapely.points(x, y)
        gap = shapely.distance(parts.line[part], points[hit])
        gap = np.where(np.isnan(gap), np.inf, gap)
        order = np.lexsort((gap, hit))  # per hit, its nearest part first
        part = part[order[np.searchsorted(hit[order], np.arange(len(code)))]]
        at = np.nan_to_num(shapely.line_locate_point(parts.line[part], points, normalized=True))
        key = part * 2.0 + at  # chain positions are sorted by part, then along it
        lo, hi = parts.start[part], parts.start[part] + parts.count[part] - 1
        # the first node past the hit each way; a hit on a part's end starts at that end
        after = np.clip(np.searchsorted(self._chain_key, key, side="right"), lo, hi)
        before = np.clip(np.searchsorted(self._chain_key, key, side="left") - 1, lo, hi)
        forward, backward = parts.chain_node[after], parts.chain_node[before]
        direction = parts.direction[part]
        starts = np.full((len(code), 2), -1, dtype=np.int64)
        starts[:, 0] = np.where(direction == "backward", backward, forward)
        both = ~np.isin(direction, ["forward", "backward"])
        starts[both, 0] = np.minimum(forward[both], backward[both])
        starts[both, 1] = np.maximum(forward[both], backward[both])
        starts[both & (forward == backward), 1] = -1
        return starts

    def whole_asset_start(self, asset_id: str) -> Start:
        """Return the nodes downstream of every point of ``asset_id`` (a hit anywhere on it)."""
        if asset_id in self.facility_nodes:
            return (self.facility_nodes[asset_id],)
        heads = {v for _, v, a in self.graph.edges(data="asset") if a == asset_id}
        return tuple(sorted(heads))

    # ----------------------------------------------------------------------------------------
    # What is reached

    def reach_masks(self, labels: dict[str, int]) -> dict[int, int]:
        """Return, per node, the OR of ``labels`` (bit masks per asset id) of all it reaches.

        A node reaches the stations at itself and downstream, and the lines of the edges that
        leave it and every node downstream. One pass over the strongly connected components in
        reverse topological order: linear in the network, whatever the number of starts.
        """
        condensed = nx.condensation(self.graph)
        members = nx.get_node_attributes(condensed, "members")
        reach: dict[int, int] = {}
        for component in reversed(list(nx.topological_sort(condensed))):
            mask = 0
            for node in members[component]:
                for facility in self._by_node.get(node, ()):
                    mask |= labels.get(facility, 0)
                for _, _, asset in self.graph.out_edges(node, data="asset"):
                    mask |= labels.get(asset, 0)
            for successor in condensed.successors(component):
                mask |= reach[successor]
            reach[component] = mask
        mapping = condensed.graph["mapping"]
        return {node: reach[component] for node, component in mapping.items()}

    def downstream(
        self, asset_id: str, *, at: shapely.Point | None = None
    ) -> dict[str, tuple[str, ...]]:
        """Return ``{asset id reached downstream: line ids followed on the way}``.

        Parameters
        ----------
        asset_id
            The damaged asset.
        at
            Where it was hit (lon/lat, EPSG:4326); default: anywhere on it.
        """
        if at is None:
            start = self.whole_asset_start(asset_id)
        else:
            x, y = lonlat_to_metric(np.array([at.x]), np.array([at.y]))
            start = as_start(self.start_nodes(np.array([asset_id], dtype=object), x, y)[0])
        return {
            reached: self.path(asset_id, start, reached)
            for reached in self.downstream_hops(asset_id, start)
        }

    def downstream_hops(self, asset_id: str, start: Start | None = None) -> dict[str, int]:
        """Return ``{asset reached from start: lines followed to reach it}``, ``asset_id`` left out.

        ``start`` defaults to a hit anywhere on the asset (``whole_asset_start``). A station
        counts the lines followed to its node, a line one more than to the node its first
        reached edge leaves.
        """
        if start is None:
            start = self.whole_asset_start(asset_id)
        hops, _ = self._search(start)
        reached: dict[str, int] = {}
        for node, depth in sorted(hops.items(), key=lambda item: (item[1], item[0])):
            for facility in self._by_node.get(node, ()):
                reached.setdefault(facility, depth)
            for _, _, line in sorted(self.graph.out_edges(node, data="asset")):
                reached.setdefault(line, depth + 1)
        reached.pop(asset_id, None)
        return reached

    def path(self, asset_id: str, start: Start, reached_id: str) -> tuple[str, ...]:
        """Return the line ids followed from ``asset_id`` (hit at ``start``) to ``reached_id``.

        Starts with ``asset_id`` itself when it is a line and ends with ``reached_id`` when that
        is a line; empty when ``reached_id`` is not downstream.
        """
        hops, paths = self._search(start)
        if reached_id in self.facility_nodes:
            ends = [self.facility_nodes[reached_id]]
            tail: tuple[str, ...] = ()
        else:
            ends = [u for u, _, a in self.graph.edges(data="asset") if a == reached_id]
            tail = (reached_id,)
        ends = [node for node in ends if node in hops]
        if not ends:
            return ()
        nodes = paths[min(ends, key=lambda n: (hops[n], n))]
        along = [
            min(data["asset"] for data in self.graph.get_edge_data(u, v).values())
            for u, v in itertools.pairwise(nodes)
        ]
        head = (asset_id,) if asset_id in self._line_codes else ()
        return _collapse((*head, *along, *tail))

    def path_to(self, asset_id: str, reached_id: str) -> tuple[str, ...]:
        """Return ``path`` from a hit anywhere on ``asset_id`` to ``reached_id``."""
        return self.path(asset_id, self.whole_asset_start(asset_id), reached_id)

    def _dijkstra(self, start: Start) -> tuple[dict[int, int], dict[int, list[int]]]:
        """Edges followed to every node reached from ``start``, and the way (fewest edges)."""
        nodes = [node for node in start if node in self.graph]
        if not nodes:
            return {}, {}
        hops, paths = nx.multi_source_dijkstra(self.graph, set(nodes), weight=lambda *_: 1)
        return hops, paths


def as_start(nodes: np.ndarray) -> Start:
    """Return a row of ``start_nodes`` as a start set (``-1`` dropped)."""
    return tuple(sorted({int(n) for n in nodes if n >= 0}))


def _collapse(ids: tuple[str, ...]) -> tuple[str, ...]:
    """Drop consecutive repeats (a line split at a station is one step)."""
    return tuple(a for i, a in enumerate(ids) if i == 0 or a != ids[i - 1])


# --------------------------------------------------------------------------------------------
# Building


def network_for(assets: gpd.GeoDataFrame, *, snap_tolerance_m: float) -> PipelineNetwork:
    """Return the network of ``assets`` (combined frame), cached per asset set and tolerance."""
    key = (_fingerprint(assets), float(snap_tolerance_m))
    return _network_by_digest(key, assets, float(snap_tolerance_m))


@digest_cache(maxsize=_CACHE_SIZE)
def _network_by_digest(assets: gpd.GeoDataFrame, snap_tolerance_m: float) -> PipelineNetwork:
    return build_network(assets, snap_tolerance_m=snap_tolerance_m)


def _fingerprint(assets: gpd.GeoDataFrame) -> str:
    on_network = assets[assets["network"].isin([NETWORK_LINE, NETWORK_NODE])]
    digest = hashlib.sha1(usedforsecurity=False)
    for column in ("id", "network", "flow_direction"):
        digest.update("\x1f".join(map(str, on_network[column].to_numpy(object))).encode())
    digest.update(geometry_fingerprint(on_network.geometry.values).encode())
    return digest.hexdigest()


def build_network(assets: gpd.GeoDataFrame, *, snap_tolerance_m: float) -> PipelineNetwork:
    """Build the pipeline graph of a combined asset frame.

    Parameters
    ----------
    assets
        Output of ``geo.assets.combine_assets``; its ``network`` column says which assets are
        the lines (pipelines) and which sit on them as nodes (stations).
    snap_tolerance_m
        Part ends closer than this are one node; a station this close to a line sits on it
        (on the nearest end node when within the tolerance of one, else splitting the part).

    Returns
    -------
    PipelineNetwork
        Edges follow ``flow_direction``: ``forward`` the drawing order, ``backward`` its reverse,
        ``both`` (or missing) both ways.
    """
    require_crs({"assets": assets})
    assets = to_storage(assets)
    metric = cached_metric_geometry(assets.geometry.values)  # shared with the asset search
    role = assets["network"].to_numpy(object)
    is_line, is_node = role == NETWORK_LINE, role == NETWORK_NODE
    line_ids = assets["id"].to_numpy(object)[is_line]
    directions = assets["flow_direction"].to_numpy(object)[is_line]
    lines, owner = shapely.get_parts(metric[is_line], return_index=True)
    keep = ~shapely.is_empty(lines) & (shapely.get_num_coordinates(lines) >= 2)
    lines, owner = lines[keep], owner[keep]
    end_node = _snap(_endpoints(lines), snap_tolerance_m)
    facilities = assets["id"].to_numpy(object)[is_node]
    chains, facility_nodes = _place_facilities(
        lines, end_node, facilities, metric[is_node], snap_tolerance_m
    )
    parts = _Parts(
        line=lines,
        asset=line_ids[owner],
        direction=directions[owner],
        start=np.cumsum([len(c) for c in chains]) - np.array([len(c) for c in chains], dtype=int)
        if chains
        else np.empty(0, int),
        count=np.array([len(c) for c in chains], dtype=int),
        chain_node=np.array([n for c in chains for n, _ in c], dtype=np.int64),
        chain_pos=np.array([p for c in chains for _, p in c], dtype=float),
    )
    graph = nx.MultiDiGraph()
    for asset, direction, chain in zip(parts.asset, parts.direction, chains, strict=True):
        graph.add_edges_from(
            (u, v, {"asset": asset}) for u, v in _chain_edges([n for n, _ in chain], direction)
        )
    log.debug(
        "pipeline network: %d nodes, %d edges", graph.number_of_nodes(), graph.number_of_edges()
    )
    return PipelineNetwork(graph, facility_nodes, parts)


def _endpoints(lines: np.ndarray) -> np.ndarray:
    """Return the first points of all lines, then their last points."""
    if len(lines) == 0:
        return np.empty(0, dtype=object)
    return np.concatenate([shapely.get_point(lines, 0), shapely.get_point(lines, -1)])


def _snap(points: np.ndarray, tolerance: float) -> np.ndarray:
    """Give points within ``tolerance`` of each other (transitively) one node number.

    Connected components by hooking and pointer jumping over the STRtree pairs: the root of
    the larger label is hooked under the smaller one, then every label jumps to its root;
    a few rounds suffice even for long chains.
    """
    label = np.arange(len(points))
    if len(points) == 0:
        return label
    left, right = shapely.STRtree(points).query(points, predicate="dwithin", distance=tolerance)
    while True:
        a, b = label[left], label[right]
        differ = a != b
        if not differ.any():
            return label
        np.minimum.at(label, np.maximum(a[differ], b[differ]), np.minimum(a[differ], b[differ]))
        while not np.array_equal(label[label], label):
            label = label[label]


def _place_facilities(
    lines: np.ndarray,
    end_node: np.ndarray,
    facility_ids: np.ndarray,
    points: np.ndarray,
    tolerance: float,
) -> tuple[list[list[tuple[int, float]]], dict[str, int]]:
    """Return each part's ``(node, position)`` chain in drawing order and each station's node."""
    n = len(lines)
    interior: list[list[tuple[float, int]]] = [[] for _ in range(n)]
    facility_nodes: dict[str, int] = {}
    if n and len(facility_ids):
        f_idx, p_idx = shapely.STRtree(lines).query(points, predicate="dwithin", distance=tolerance)
        ends = _endpoints(lines)
        to_start = shapely.distance(points[f_idx], ends[p_idx])
        to_end = shapely.distance(points[f_idx], ends[p_idx + n])
        at_end = np.minimum(to_start, to_end) <= tolerance
        # ends first, nearest first: a station at a junction joins the junction's node
        order = np.flatnonzero(at_end)[np.argsort(np.minimum(to_start, to_end)[at_end])]
        end_of = np.where(to_start <= to_end, end_node[p_idx], end_node[p_idx + n])
        for k in order.tolist():
            facility_nodes.setdefault(facility_ids[f_idx[k]], int(end_of[k]))
        inside = np.flatnonzero(~at_end)
        position = shapely.line_locate_point(
            lines[p_idx[inside]], points[f_idx[inside]], normalized=True
        )
        next_node = int(end_node.max()) + 1
        for k, pos in zip(inside.tolist(), position.tolist(), strict=True):
            fid = facility_ids[f_idx[k]]
            if fid not in facility_nodes:
                facility_nodes[fid] = next_node
                next_node += 1
            interior[p_idx[k]].append((pos, facility_nodes[fid]))
    chains = []
    for i in range(n):
        chain = [(int(end_node[i]), 0.0)]
        chain += [(node, pos) for pos, node in sorted(interior[i])]
        chain.append((int(end_node[i + n]), 1.0))
        chains.append(chain)
    return chains, facility_nodes


def _chain_edges(chain: list[int], direction: object) -> list[tuple[int, int]]:
    forward = [(u, v) for u, v in itertools.pairwise(chain) if u != v]
    if direction == "forward":
        return forward
    backward = [(v, u) for u, v in forward]
    if direction == "backward":
        return backward
    return forward + backward
