"""The pipeline network: a directed graph of pipeline segments and the facilities on them."""

from __future__ import annotations

import functools
import hashlib
import itertools
import logging
from collections import deque
from dataclasses import dataclass, field

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely

from strikemap.geo.assets import NETWORK_LINE, NETWORK_NODE
from strikemap.geo.cache import digest_cache
from strikemap.geo.crs import cached_metric_geometry, geometry_fingerprint, require_crs, to_storage

log = logging.getLogger(__name__)
_CACHE_SIZE = 8


@dataclass(frozen=True, eq=False)
class PipelineNetwork:
    """Pipeline topology: nodes are snapped endpoints and facilities, edges carry a pipeline id.

    Attributes
    ----------
    graph
        ``networkx.DiGraph``; an edge ``u -> v`` means gas or oil flows from ``u`` to ``v`` along
        the pipeline named by the edge's ``asset`` attribute.
    facility_nodes
        ``{facility id: node}`` for facilities within the snap tolerance of a pipeline.
    pipeline_heads
        ``{pipeline id: nodes its own edges flow into}``: where downstream starts from a pipeline.
    """

    graph: nx.DiGraph
    facility_nodes: dict[str, int]
    pipeline_heads: dict[str, tuple[int, ...]]
    _by_node: dict[int, list[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for facility, node in sorted(self.facility_nodes.items()):
            self._by_node.setdefault(node, []).append(facility)
        # one breadth-first search per asset asked about, kept (thread-safe: functools)
        object.__setattr__(self, "_walk", functools.lru_cache(_WALK_CACHE)(self._search))

    def sources(self, asset_id: str) -> list[int]:
        """Return the nodes where the flow leaves ``asset_id`` (none when it is off the network)."""
        if asset_id in self.facility_nodes:
            nodes = [self.facility_nodes[asset_id]]
        else:
            nodes = list(self.pipeline_heads.get(asset_id, ()))
        return [node for node in nodes if node in self.graph]

    def downstream_hops(self, asset_id: str) -> dict[str, int]:
        """Return ``{asset id downstream of asset_id: pipelines followed to reach it}``."""
        walk = self._walk(asset_id)
        hops: dict[str, int] = {}
        for node, (depth, _, _) in sorted(walk.items(), key=lambda item: (item[1][0], item[0])):
            for facility in self._by_node.get(node, ()):
                hops.setdefault(facility, depth)
            for _, _, pipeline in sorted(self.graph.out_edges(node, data="asset")):
                hops.setdefault(pipeline, depth + 1)
        hops.pop(asset_id, None)
        return hops

    def path_to(self, asset_id: str, reached_id: str) -> tuple[str, ...]:
        """Return the pipeline ids followed from ``asset_id`` to ``reached_id`` (fewest hops).

        Starts with ``asset_id`` itself when it is a pipeline and ends with ``reached_id`` when
        that is a pipeline; empty when ``reached_id`` is not downstream.
        """
        walk = self._walk(asset_id)
        if reached_id in self.facility_nodes:
            ends = [self.facility_nodes[reached_id]]
            tail: tuple[str, ...] = ()
        else:
            ends = [u for u, _, a in self.graph.edges(data="asset") if a == reached_id]
            tail = (reached_id,)
        ends = [node for node in ends if node in walk]
        if not ends:
            return ()
        node = min(ends, key=lambda n: (walk[n][0], n))
        along: list[str] = []
        while walk[node][1] is not None:
            _, previous, pipeline = walk[node]
            along.append(str(pipeline))
            node = previous
        head = (asset_id,) if asset_id in self.pipeline_heads else ()
        return _collapse((*head, *reversed(along), *tail))

    def downstream(self, asset_id: str) -> dict[str, tuple[str, ...]]:
        """Return ``{asset id reached downstream of asset_id: pipeline ids along the way}``.

        Meant for a few assets (tests, sentences); the join uses ``reach_masks``.
        """
        return {
            reached: self.path_to(asset_id, reached) for reached in self.downstream_hops(asset_id)
        }

    def _search(self, asset_id: str) -> dict[int, tuple[int, int | None, str | None]]:
        """Breadth-first search: ``{node: (hops, previous node, pipeline followed)}``."""
        start: tuple[int, int | None, str | None] = (0, None, None)
        walk = dict.fromkeys(self.sources(asset_id), start)
        queue = deque(sorted(walk))
        successors = self.graph.succ
        while queue:
            node = queue.popleft()
            depth = walk[node][0] + 1
            for nxt, data in sorted(successors[node].items()):
                if nxt not in walk:
                    walk[nxt] = (depth, node, data["asset"])
                    queue.append(nxt)
        return walk

    def reach_masks(self, labels: dict[str, int]) -> dict[int, int]:
        """Return, per node, the OR of ``labels`` (bit masks per asset id) of everything downstream.

        One pass over the strongly connected components in reverse topological order, so the
        cost is linear in the network whatever the number of start assets. Facilities count at
        their node, pipelines from the node their edge leaves.
        """
        # Tarjan's algorithm (networkx's strongly_connected_components) emits a component only
        # after every component it reaches, so one pass in that order sees finished successors.
        comp_of: dict[int, int] = {}
        reach: list[int] = []
        successors = self.graph.succ
        for index, members in enumerate(nx.strongly_connected_components(self.graph)):
            for node in members:
                comp_of[node] = index
            mask = 0
            for node in members:
                for facility in self._by_node.get(node, ()):
                    mask |= labels.get(facility, 0)
                for nxt, data in successors[node].items():
                    mask |= labels.get(data["asset"], 0)
                    other = comp_of.get(nxt)
                    if other is None:  # not Tarjan's order after all: take the slow, sure way
                        return self._reach_masks_condensed(labels)
                    if other != index:
                        mask |= reach[other]
            reach.append(mask)
        return {node: reach[index] for node, index in comp_of.items()}

    def _reach_masks_condensed(self, labels: dict[str, int]) -> dict[int, int]:
        """Return what ``reach_masks`` does, via an explicit condensation and topological sort."""
        condensed = nx.condensation(self.graph)
        mapping = condensed.graph["mapping"]
        reach: dict[int, int] = {}
        for component in reversed(list(nx.topological_sort(condensed))):
            mask = 0
            for node in condensed.nodes[component]["members"]:
                for facility in self._by_node.get(node, ()):
                    mask |= labels.get(facility, 0)
                for _, nxt, pipeline in self.graph.out_edges(node, data="asset"):
                    mask |= labels.get(pipeline, 0) | reach.get(mapping[nxt], 0)
            reach[component] = mask
        return {node: reach[component] for node, component in mapping.items()}


_WALK_CACHE = 256
"""Breadth-first searches kept per network (one per asset asked about)."""


def _collapse(ids: tuple[str, ...]) -> tuple[str, ...]:
    """Drop consecutive repeats (a pipeline split at a facility is one step)."""
    return tuple(a for i, a in enumerate(ids) if i == 0 or a != ids[i - 1])


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
        Endpoints closer than this are one node; a facility this close to a pipeline sits on it
        (on the nearest endpoint node when within the tolerance of one, else splitting the line).

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
    is_pipe, is_facility = role == NETWORK_LINE, role == NETWORK_NODE
    pipes = assets[is_pipe].reset_index(drop=True)
    facilities = assets[is_facility].reset_index(drop=True)
    lines = metric[is_pipe]
    ends = _endpoints(lines)
    end_node = _snap(ends, snap_tolerance_m)
    chains, facility_nodes = _place_facilities(
        lines, end_node, facilities, metric[is_facility], snap_tolerance_m
    )
    graph = nx.DiGraph()
    heads: dict[str, tuple[int, ...]] = {}
    ids, directions = pipes["id"].to_numpy(object), pipes["flow_direction"].to_numpy(object)
    all_edges: list[tuple[int, int, dict[str, str]]] = []
    for pipe_id, direction, chain in zip(ids, directions, chains, strict=True):
        edges = _chain_edges(chain, direction)
        all_edges.extend((u, v, {"asset": pipe_id}) for u, v in edges)
        heads[pipe_id] = tuple(sorted({v for _, v in edges}))
    graph.add_edges_from(all_edges)
    log.debug(
        "pipeline network: %d nodes, %d edges", graph.number_of_nodes(), graph.number_of_edges()
    )
    return PipelineNetwork(graph, facility_nodes, heads)


def _endpoints(lines: np.ndarray) -> np.ndarray:
    """Return the first points of all lines, then their last points."""
    coords, owner = shapely.get_coordinates(lines, return_index=True)
    if len(coords) == 0:
        return np.empty(0, dtype=object)
    first = np.searchsorted(owner, np.arange(len(lines)), side="left")
    last = np.searchsorted(owner, np.arange(len(lines)), side="right") - 1
    return shapely.points(np.concatenate([coords[first], coords[last]]))


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
    facilities: gpd.GeoDataFrame,
    points: np.ndarray,
    tolerance: float,
) -> tuple[list[list[int]], dict[str, int]]:
    """Return each pipeline's node chain in drawing order and the node of each facility."""
    n = len(lines)
    chains = [[int(end_node[i])] for i in range(n)]
    interior: list[list[tuple[float, int]]] = [[] for _ in range(n)]
    facility_nodes: dict[str, int] = {}
    if n and len(facilities):
        f_idx, p_idx = shapely.STRtree(lines).query(points, predicate="dwithin", distance=tolerance)
        ends = _endpoints(lines)
        to_start = shapely.distance(points[f_idx], ends[p_idx])
        to_end = shapely.distance(points[f_idx], ends[p_idx + n])
        ids = facilities["id"].to_numpy(object)
        at_end = np.minimum(to_start, to_end) <= tolerance
        # endpoints first, nearest first: a facility at a junction joins the junction's node
        order = np.flatnonzero(at_end)[np.argsort(np.minimum(to_start, to_end)[at_end])]
        end_of = np.where(to_start <= to_end, end_node[p_idx], end_node[p_idx + n])
        for k in order.tolist():
            facility_nodes.setdefault(ids[f_idx[k]], int(end_of[k]))
        inside = np.flatnonzero(~at_end)
        position = shapely.line_locate_point(
            lines[p_idx[inside]], points[f_idx[inside]], normalized=True
        )
        next_node = int(end_node.max()) + 1
        for k, pos in zip(inside.tolist(), position.tolist(), strict=True):
            fid = ids[f_idx[k]]
            if fid not in facility_nodes:
                facility_nodes[fid] = next_node
                next_node += 1
            interior[p_idx[k]].append((pos, facility_nodes[fid]))
    for i in range(n):
        chains[i].extend(node for _, node in sorted(interior[i]))
        chains[i].append(int(end_node[i + n]))
    return chains, facility_nodes


def _chain_edges(chain: list[int], direction: object) -> list[tuple[int, int]]:
    forward = [(u, v) for u, v in itertools.pairwise(chain) if u != v]
    if direction == "forward":
        return forward
    backward = [(v, u) for u, v in forward]
    if direction == "backward":
        return backward
    return forward + backward
