"""Country links of the impact join: through the linked assets, along the network, by place.

Relations valid on the strike's date and ``owner_country`` through target and nearby assets
(at the asset link's confidence and basis), countries downstream of a hit along the pipeline
network, the country the strike lies in (on land or in a territorial sea) and foreign land
borders within reach. Each builder takes the prepared join (``geo.linkrows.Join``) and returns a
block of ``geo.linkrows.Links``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from strikemap.geo import countries as places
from strikemap.geo.assets import NETWORK_LINE, NETWORK_NODE
from strikemap.geo.linkrows import (
    CONF,
    LINK_DTYPES,
    NO_BASIS,
    REL,
    Join,
    JoinContext,
    Links,
    radius_table,
)
from strikemap.geo.network import PipelineNetwork, network_for
from strikemap.geo.rules import (
    BORDER_CONFIDENCE,
    LOCATION_CONFIDENCE,
    UNCERTAIN_LOCATION_CONFIDENCE,
)


def relation_links(join: Join, links: Links) -> Links:
    """relations.csv rows valid on the strike's date, through target and nearby assets."""
    link, row = join.relations.expand(links.asset)
    valid = join.relations.valid_on(row, join.day[links.strike[link]])
    if not join.rules.follows("serves"):  # indexed only for the downstream walk
        valid &= join.relations.relation[row] != REL["serves"]
    link, row = link[valid], row[valid]
    return Links(
        links.strike[link],
        links.asset[link],
        join.relations.country[row],
        join.relations.relation[row],
        links.distance[link],
        links.confidence[link],
        links.basis[link],
    )


def owner_links(join: Join, links: Links) -> Links:
    """``owner`` from an asset's ``owner_country`` when it differs from the strike's country."""
    if not join.rules.follows("owner") or not len(links.strike):
        return Links.empty()
    code_of = {c: i for i, c in enumerate(join.codes)}
    owners = join.assets["owner_country"].to_numpy(object)
    owner = np.array([code_of.get(c, -1) for c in owners], dtype=LINK_DTYPES["country"])
    has_owner = owner >= 0
    keep = np.flatnonzero(has_owner[links.asset])
    keep = keep[owner[links.asset[keep]] != join.located[links.strike[keep]]]
    taken = links.take(keep)
    return Links(
        taken.strike,
        taken.asset,
        owner[taken.asset],
        np.full(len(keep), REL["owner"]),
        taken.distance,
        taken.confidence,
        taken.basis,
    )


@dataclass(frozen=True)
class NetworkReach:
    """What lies downstream of every network node, as bit masks (see ``network_reach``)."""

    network: PipelineNetwork
    masks: dict[int, int]
    bit_of: np.ndarray
    carriers: dict[int, int]
    serving: np.ndarray


def network_reach(join: Join | JoinContext) -> NetworkReach | None:
    """Per node, the labelled assets downstream as bit masks; None when the network is off.

    Every line whose ``owner_country`` is known and every asset with ``serves`` relations gets
    its own bit (``bit_of[asset]``, -1 for none), so that a start can leave out the asset that
    was hit itself. ``carriers[c]`` holds the bits of the lines owned in country code ``c``;
    ``serving`` the assets with ``serves`` relations, by bit. Computed once for all starts.
    """
    if not (join.rules.network and join.rules.follows("downstream")):
        return None
    network = network_for(join.assets, snap_tolerance_m=join.rules.snap_tolerance_m)
    relations = join.relations
    code_of = {c: i for i, c in enumerate(join.codes)}
    owner = np.array(
        [code_of.get(c, -1) for c in join.assets["owner_country"].to_numpy(object)], np.int64
    )
    is_line = join.assets["network"].to_numpy(object) == NETWORK_LINE
    serves = np.zeros(len(join.assets), bool)
    serves[relations.asset[relations.relation == REL["serves"]]] = True
    labelled = np.flatnonzero((is_line & (owner >= 0)) | serves)
    bit_of = np.full(len(join.assets), -1, np.int64)
    bit_of[labelled] = np.arange(len(labelled))
    ids = join.assets["id"].to_numpy(object)
    labels = {ids[a]: 1 << int(bit_of[a]) for a in labelled}
    carriers: dict[int, int] = {}
    for a in np.flatnonzero(is_line & (owner >= 0)).tolist():
        carriers[int(owner[a])] = carriers.get(int(owner[a]), 0) | (1 << int(bit_of[a]))
    serving = labelled[serves[labelled]]
    return NetworkReach(network, network.reach_masks(labels), bit_of, carriers, serving)


def downstream_links(join: Join, links: Links, reach: NetworkReach | None) -> Links:
    """Countries reached along the pipeline network from where each target was hit.

    Only ``target`` links start a walk (a damaged asset stops the flow), at the nodes at or
    after the hit point in the flow direction (``PipelineNetwork.start_nodes``); the hit asset
    itself is left out (its owner is an ``owner`` row), as is the strike's own country (its
    ``location`` row says it). Rows inherit the target's distance and confidence.
    """
    if reach is None:
        return Links.empty()
    targets = links.take(links.relation == REL["target"])
    role = join.assets["network"].to_numpy(object)
    targets = targets.take(np.isin(role[targets.asset], [NETWORK_LINE, NETWORK_NODE]))
    if not len(targets.strike):
        return Links.empty()
    ids = join.assets["id"].to_numpy(object)
    starts = reach.network.start_nodes(
        ids[targets.asset], join.x[targets.strike], join.y[targets.strike]
    )
    keys = np.column_stack([targets.asset.astype(np.int64), starts])
    groups, group_of = np.unique(keys, axis=0, return_inverse=True)
    table = _reach_table(join, reach, groups)
    # expand every target link by the rows its group reaches (CSR over the sorted reach table)
    count = np.bincount(table["group"], minlength=len(groups))
    first = np.cumsum(count) - count
    n = count[group_of]
    link = np.repeat(np.arange(len(group_of)), n)
    row = np.repeat(first[group_of] - (np.cumsum(n) - n), n) + np.arange(len(link))
    strike = targets.strike[link]
    relation_row = table["relation_row"][row]
    is_serves = relation_row >= 0
    valid = np.ones(len(row), bool)
    valid[is_serves] = join.relations.valid_on(relation_row[is_serves], join.day[strike[is_serves]])
    country = table["country"][row]
    keep = valid & (country != join.located[strike])
    link, strike, country = link[keep], strike[keep], country[keep]
    return Links(
        strike,
        targets.asset[link],
        country,
        np.full(len(link), REL["downstream"]),
        targets.distance[link],
        targets.confidence[link],
        targets.basis[link],
    )


def _reach_table(join: Join, reach: NetworkReach, groups: np.ndarray) -> dict[str, np.ndarray]:
    """Rows ``(group, country, relation row or -1 for owner_country)`` sorted by group.

    ``groups`` holds ``(hit asset, start node, start node or -1)``. A ``relation_row`` >= 0 is a
    ``serves`` relation of an asset downstream of the start; -1 the ``owner_country`` of a
    downstream line. The hit asset's own bit is left out.
    """
    relations = join.relations
    serving_mask = 0
    for a in reach.serving.tolist():
        serving_mask |= 1 << int(reach.bit_of[a])
    rows: list[tuple[int, int, int]] = []
    for g, (asset, *nodes) in enumerate(groups.tolist()):
        mask = 0
        for node in nodes:
            mask |= reach.masks.get(node, 0) if node >= 0 else 0
        if reach.bit_of[asset] >= 0:
            mask &= ~(1 << int(reach.bit_of[asset]))
        for country, carried in reach.carriers.items():
            if mask & carried:
                rows.append((g, country, -1))
        if not mask & serving_mask:
            continue
        for a in reach.serving.tolist():
            if not mask >> int(reach.bit_of[a]) & 1:
                continue
            first = int(relations.start[a])
            for r in range(first, first + int(relations.count[a])):
                if relations.relation[r] == REL["serves"]:
                    rows.append((g, int(relations.country[r]), r))
    table = np.array(rows, dtype=np.int64).reshape(-1, 3)
    table = table[np.argsort(table[:, 0], kind="stable")]
    return {"group": table[:, 0], "country": table[:, 1], "relation_row": table[:, 2]}


# --------------------------------------------------------------------------------------------
# Strike -> country links


def near_borders(join: Join) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(strike, country code, metres)`` for foreign land borders near strikes located by distance.

    Within the border radius (for ``border`` rows) or the strike's hit radius (how far off its
    point may be, for the ``location`` confidence), whichever is larger; strikes whose precision
    has no radius (region stand-ins) are left out: their distance to a border means nothing.
    """
    rules = join.rules
    hit = radius_table(rules.hit_radius_m)
    wanted = [hit[np.isfinite(hit)].max(initial=0.0)]
    if rules.follows("border"):
        wanted.append(rules.border_radius_m)
    searched = np.flatnonzero(np.isfinite(radius_table(rules.threat_radius_m)[join.precision]))
    if not len(join.countries) or not searched.size or max(wanted) <= 0:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    strike, country, distance = places.near_borders(
        join.lon[searched],
        join.lat[searched],
        join.x[searched],
        join.y[searched],
        join.located[searched],
        join.lines,
        radius_m=max(wanted),
    )
    return searched[strike], country, distance


def location_links(join: Join, borders: tuple[np.ndarray, np.ndarray, np.ndarray]) -> Links:
    """Link each strike to the country it lies in, on land or in its territorial sea.

    Confidence ``LOCATION_CONFIDENCE`` (high) when the strike's point is known to within its
    hit radius and no other country's land border lies that close; otherwise
    ``UNCERTAIN_LOCATION_CONFIDENCE`` (medium): a region stand-in, or a point that may lie
    across the border. At sea, the distance is to the coast.
    """
    if not join.rules.follows("location"):
        return Links.empty()
    uncertainty = radius_table(join.rules.hit_radius_m)[join.precision]
    strike, _, distance = borders
    near = np.zeros(len(join.precision), bool)
    near[strike[distance <= uncertainty[strike]]] = True
    certain = np.isfinite(uncertainty) & ~near
    located = np.flatnonzero(join.located >= 0)
    n = len(located)
    confidence = np.where(
        certain[located], CONF[LOCATION_CONFIDENCE], CONF[UNCERTAIN_LOCATION_CONFIDENCE]
    )
    return Links(
        located,
        np.full(n, -1),
        join.located[located],
        np.full(n, REL["location"]),
        join.coast_m[located],
        confidence,
        np.full(n, NO_BASIS),
    )


def border_links(join: Join, borders: tuple[np.ndarray, np.ndarray, np.ndarray]) -> Links:
    """Foreign land borders within the border radius of strikes located by distance."""
    if not join.rules.follows("border"):
        return Links.empty()
    strike, country, distance = borders
    keep = distance <= join.rules.border_radius_m
    n = int(keep.sum())
    return Links(
        strike[keep],
        np.full(n, -1),
        country[keep],
        np.full(n, REL["border"]),
        distance[keep],
        np.full(n, CONF[BORDER_CONFIDENCE]),
        np.full(n, NO_BASIS),
    )
