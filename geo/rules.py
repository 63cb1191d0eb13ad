"""Rules of the impact join: radii per location precision, relations to follow, network."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from types import MappingProxyType

RELATION_ORDER: tuple[str, ...] = (
    "target",
    "nearby",
    "owner",
    "supply_origin",
    "serves",
    "transit",
    "downstream",
    "location",
    "border",
)
"""Every relation of the link table, in the order an analyst reads them (DESIGN section 4)."""
ASSET_RELATIONS: tuple[str, ...] = ("target", "nearby")
COUNTRY_RELATIONS: tuple[str, ...] = ("owner", "supply_origin", "serves", "transit")
CONFIDENCE_ORDER: tuple[str, ...] = ("high", "medium", "low")
"""Confidence levels, strongest first: named by sources, within the hit radius, only nearby."""
BASIS_ORDER: tuple[str, ...] = ("named", "hit_radius", "threat_radius", "context")
"""What an asset link, and every country link through it, rests on (the ``basis`` column):

- ``named``: the strike's sources name the asset as its target (``target``, high);
- ``hit_radius``: an asset located to the feature itself within the hit radius (``target``,
  medium);
- ``threat_radius``: an asset located to the feature itself within the threat radius
  (``nearby``, low);
- ``context``: an asset located only to a town, district or region (precision 1-3) within
  the threat radius (``nearby``, low): context, never evidence, since its point says nothing
  about where it is;
- empty for ``location`` and ``border``, which rest on the strike's own point.

A country link (owner, supply_origin, serves, transit, downstream) carries the basis and the
confidence of the asset link it comes through, so it is never more confident than that link.
"""
TIERS: tuple[str, ...] = ("affected", "exposed")
"""How a strike touches a country: *affected* when some link reaches it at high or medium
confidence (named by sources, an exactly located asset within the hit radius, or the strike's
own location), *exposed* when every link to it is low (nearby and town-centroid assets,
borders). Summaries count strikes per country per tier."""
AFFECTED_CONFIDENCES: tuple[str, ...] = ("high", "medium")
"""Confidence levels that make a country *affected*; the rest (low) leave it *exposed*."""
LOCATION_CONFIDENCE = "high"
"""The strike lies in the country, its point known to within its hit radius, no border nearer."""
UNCERTAIN_LOCATION_CONFIDENCE = "medium"
"""The strike's point lies in the country, but it stands in for a region (precision without
radii), or a foreign land border lies within the hit radius (the strike may have been across)."""
BORDER_CONFIDENCE = "low"
"""A neighbour's land border within the border radius: spill-over risk (debris, alerts), not
damage. Only for strikes whose precision has radii: a region stand-in's distance to a border
means nothing. A coastline is no border; a strike at sea lies in the territorial sea (12 nm)
of the nearest coastal state, which is its ``location``."""

HIT_RADIUS_M: Mapping[int, float] = MappingProxyType({0: 500.0, 1: 3_000.0, 2: 10_000.0})
THREAT_RADIUS_M: Mapping[int, float] = MappingProxyType({0: 5_000.0, 1: 10_000.0, 2: 25_000.0})
BORDER_RADIUS_M = 25_000.0
SNAP_TOLERANCE_M = 1_000.0
MAX_NEARBY_PER_LAYER = 3
"""Nearby assets a strike keeps per asset layer by default, nearest first (dense layers)."""
PRECISIONS = (0, 1, 2, 3)


@dataclasses.dataclass(frozen=True)
class ImpactRules:
    """How the impact join links strikes to assets and countries.

    Parameters
    ----------
    hit_radius_m
        ``{geo_precision: metres}``: an asset this close is a ``target`` (confidence medium).
        A strike-asset pair takes the radius of the coarser of the two precisions; a pair whose
        coarser precision is missing from the mapping (3 by default) links only through
        ``target_ids``.
    threat_radius_m
        ``{geo_precision: metres}``: an asset this close is ``nearby`` (confidence low), with the
        same coarser-precision rule.
    border_radius_m
        A foreign country whose boundary is this close gets a ``border`` link.
    relations
        Relations to produce, any of ``RELATION_ORDER``.
    network
        Follow the pipeline network for ``downstream`` links.
    snap_tolerance_m
        Pipeline endpoints and facilities this close count as connected.
    include_candidates
        Also link strikes whose ``status`` is ``candidate`` (possible strikes from remote sensing).
    max_nearby_per_layer
        ``nearby`` assets kept per strike and asset layer, the nearest first (with hundreds of
        power lines near Odesa a strike would list them all); ``None`` keeps every one.
        Targets are always kept; country links come only through the kept assets.
    """

    hit_radius_m: Mapping[int, float] = dataclasses.field(default_factory=lambda: HIT_RADIUS_M)
    threat_radius_m: Mapping[int, float] = dataclasses.field(
        default_factory=lambda: THREAT_RADIUS_M
    )
    border_radius_m: float = BORDER_RADIUS_M
    relations: tuple[str, ...] = RELATION_ORDER
    network: bool = True
    snap_tolerance_m: float = SNAP_TOLERANCE_M
    include_candidates: bool = False
    max_nearby_per_layer: int | None = MAX_NEARBY_PER_LAYER

    def __post_init__(self) -> None:
        for name in ("hit_radius_m", "threat_radius_m"):
            object.__setattr__(self, name, _checked_radii(name, getattr(self, name)))
        for name in ("border_radius_m", "snap_tolerance_m"):
            _check_distance(name, getattr(self, name))
        object.__setattr__(self, "relations", _checked_relations(self.relations))
        limit = self.max_nearby_per_layer
        if limit is not None and (
            isinstance(limit, bool) or not isinstance(limit, int) or limit < 0
        ):
            msg = f"max_nearby_per_layer = {limit!r}: must be a whole number >= 0, or None for all"
            raise ValueError(msg)
        for precision, hit in self.hit_radius_m.items():
            threat = self.threat_radius_m.get(precision)
            if threat is None or hit > threat:
                msg = (
                    f"hit_radius_m[{precision}] = {hit} m needs a threat_radius_m[{precision}] at "
                    f"least as large (got {threat}); the hit circle lies inside the threat circle"
                )
                raise ValueError(msg)

    def __hash__(self) -> int:
        return hash(
            (
                tuple(sorted(self.hit_radius_m.items())),
                tuple(sorted(self.threat_radius_m.items())),
                self.border_radius_m,
                self.relations,
                self.network,
                self.snap_tolerance_m,
                self.include_candidates,
                self.max_nearby_per_layer,
            )
        )

    def follows(self, relation: str) -> bool:
        """Whether the join produces ``relation`` rows."""
        return relation in self.relations


def tier_of(confidence: str) -> str:
    """Return ``"affected"`` for high or medium confidence, ``"exposed"`` for low."""
    if confidence not in CONFIDENCE_ORDER:
        msg = f"confidence {confidence!r} is not one of {CONFIDENCE_ORDER}"
        raise ValueError(msg)
    return TIERS[0] if confidence in AFFECTED_CONFIDENCES else TIERS[1]


def _check_distance(name: str, value: float) -> None:
    if not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
        msg = f"{name} = {value!r}: must be a finite number of metres >= 0"
        raise ValueError(msg)


def _checked_radii(name: str, radii: Mapping[int, float]) -> Mapping[int, float]:
    checked: dict[int, float] = {}
    for precision, radius in dict(radii).items():
        if precision not in PRECISIONS:
            msg = f"{name}: geo_precision {precision!r} is not one of {PRECISIONS}"
            raise ValueError(msg)
        _check_distance(f"{name}[{precision}]", radius)
        checked[int(precision)] = float(radius)
    return MappingProxyType(checked)


def _checked_relations(relations: Iterable[str]) -> tuple[str, ...]:
    wanted = tuple(relations)
    unknown = [r for r in wanted if r not in RELATION_ORDER]
    if unknown:
        known = ", ".join(RELATION_ORDER)
        msg = f"relations: unknown {', '.join(map(repr, unknown))}; known: {known}"
        raise ValueError(msg)
    return tuple(r for r in RELATION_ORDER if r in wanted)


DEFAULT_RULES = ImpactRules()
