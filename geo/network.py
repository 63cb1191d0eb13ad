"""The pipeline network: a directed graph of pipeline segments and the facilities on them."""

from __future__ import annotations

import hashlib
import itertools
import logging
from collections import OrderedDict
from dataclasses import dataclass, field

import geopandas as gpd
import networkx as nx
import numpy as np
import shapely

from geo.crs import metric_geometry, require_crs, to_storage

log = logging.getLogger(__name__)

PIPELINE_LAYER = "pipelines"
FACILITY_LAYER = "facilities"
_CACHE_SIZE = 8
_cache: OrderedDict[tuple[str, float], PipelineNetwork] = OrderedDict()


@dataclass(frozen=True)
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
    _downstream: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict, repr=False)
    _by_node: dict[int, list[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for facility, node in sorted(self.facility_nodes.items()):
            self._by_node.setdefault(node, []).append(facility)

    def downstream(self, asset_id: str) -> dict[str, tuple[str, ...]]:
        """Return ``{asset id reached downstream of asset_id: pipeline ids along the way}``.

        The path lists the pipelines followed from ``asset_id`` (itself first when it is a
        pipeline) up to and including the reached asset when that is a pipeline; the shortest
        path in hops wins. Assets not on the network reach nothing.
        """
        if asset_id not in self._downstream:
            self._downstream[asset_id] = self._walk(asset_id)
        return self._downstream[asset_id]

    def _walk(self, asset_id: str) -> dict[str, tuple[str, ...]]:
        if asset_id in self.facility_nodes:
            sources, prefix = [self.facility_nodes[asset_id]], ()
        elif asset_id in self.pipeline_heads:
            sources, prefix = list(self.pipeline_heads[asset_id]), (asset_id,)
        else:
            return {}
        sources = [node for node in sources if node in self.graph]
        if not sources:  # a pipeline shorter than the snap tolerance has no edges
            return {}
        paths = nx.multi_source_dijkstra_path(self.graph, sources)
        reached: dict[str, tuple[str, ...]] = {}
        node_facilities = self._by_node
        for node in sorted(paths, key=lambda n: (len(paths[n]), n)):
            along = _collapse((*prefix, *self._edge_assets(paths[node])))
            for facility in node_facilities.get(node, ()):
                reached.setdefault(facility, along)
            for _, _, pipeline in sorted(self.graph.out_edges(node, data="asset")):
                reached.setdefault(pipeline, _collapse((*along, pipeline)))
        reached.pop(asset_id, None)
        return reached

    def _edge_assets(self, nodes: list[int]) -> list[str]:
        return [self.graph.edges[u, v]["asset"] for u, v in itertools.pairwise(nodes)]


def _collapse(ids: tuple[str, ...]) -> tuple[str, ...]:
    """Drop consecutive repeats (a pipeline split at a facility is one step)."""
    return tuple(a for i, a in enumerate(ids) if i == 0 or a != ids[i - 1])


def network_for(assets: gpd.GeoDataFrame, *, snap_tolerance_m: float) -> PipelineNetwork:
    """Return the network of ``assets`` (combined frame), cached per asset set and tolerance."""
    key = (_fingerprint(assets), float(snap_tolerance_m))
    if key in _cache:
        _cache.move_to_end(key)
        return _cache[key]
    network = build_network(assets, snap_tolerance_m=snap_tolerance_m)
    _cache[key] = network
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return network


def _fingerprint(assets: gpd.GeoDataFrame) -> str:
    on_network = assets[assets["asset_layer"].isin([PIPELINE_LAYER, FACILITY_LAYER])]
    digest = hashlib.sha1(usedforsecurity=False)
    for column in ("id", "asset_layer", "flow_direction"):
        digest.update("\x1f".join(map(str, on_network[column])).encode())
    digest.update(b"".join(shapely.to_wkb(on_network.geometry.values)))
    return digest.hexdigest()


def build_network(assets: gpd.GeoDataFrame, *, snap_tolerance_m: float) -> PipelineNetwork:
    """Build the pipeline graph of a combined asset frame.

    Parameters
    ----------
    assets
        Output of ``geo.assets.combine_assets``; pipelines and facilities are used.
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
    pipes = assets[assets["asset_layer"] == PIPELINE_LAYER].reset_index(drop=True)
    facilities = assets[assets["asset_layer"] == FACILITY_LAYER].reset_index(drop=True)
    lines = metric_geometry(pipes.geometry.values)
    ends = _endpoints(lines)
    end_node = _snap(ends, snap_tolerance_m)
    chains, facility_nodes = _place_facilities(lines, end_node, facilities, snap_tolerance_m)
    graph = nx.DiGraph()
    heads: dict[str, tuple[int, ...]] = {}
    ids, directions = pipes["id"].to_numpy(object), pipes["flow_direction"].to_numpy(object)
    for pipe_id, direction, chain in zip(ids, directions, chains, strict=True):
        edges = _chain_edges(chain, direction)
        graph.add_edges_from(edges, asset=pipe_id)
        heads[pipe_id] = tuple(sorted({v for _, v in edges}))
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

    Connected components by label propagation over the STRtree pairs: each point takes the
    smallest label among its neighbours until nothing changes.
    """
    label = np.arange(len(points))
    if len(points) == 0:
        return label
    left, right = shapely.STRtree(points).query(points, predicate="dwithin", distance=tolerance)
    while True:
        smallest = label.copy()
        np.minimum.at(smallest, left, label[right])
        smallest = smallest[smallest]  # jump to the neighbour's label as well
        if np.array_equal(smallest, label):
            return label
        label = smallest


def _place_facilities(
    lines: np.ndarray, end_node: np.ndarray, facilities: gpd.GeoDataFrame, tolerance: float
) -> tuple[list[list[int]], dict[str, int]]:
    """Return each pipeline's node chain in drawing order and the node of each facility."""
    n = len(lines)
    chains = [[int(end_node[i])] for i in range(n)]
    interior: list[list[tuple[float, int]]] = [[] for _ in range(n)]
    facility_nodes: dict[str, int] = {}
    if n and len(facilities):
        points = metric_geometry(facilities.geometry.values)
        f_idx, p_idx = shapely.STRtree(lines).query(points, predicate="dwithin", distance=tolerance)
        ends = _endpoints(lines)
        to_start = shapely.distance(points[f_idx], ends[p_idx])
        to_end = shapely.distance(points[f_idx], ends[p_idx + n])
        position = shapely.line_locate_point(lines[p_idx], points[f_idx], normalized=True)
        next_node = int(end_node.max()) + 1
        ids = facilities["id"].to_numpy(object)
        for f, p, d0, d1, pos in zip(f_idx, p_idx, to_start, to_end, position, strict=True):
            fid = ids[f]
            if min(d0, d1) <= tolerance:
                node = int(end_node[p] if d0 <= d1 else end_node[p + n])
                facility_nodes.setdefault(fid, node)
                continue
            if fid not in facility_nodes:
                facility_nodes[fid] = next_node
                next_node += 1
            interior[p].append((float(pos), facility_nodes[fid]))
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
