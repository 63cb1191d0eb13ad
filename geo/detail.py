"""Sentences that say why each link of the impact table exists, in words an analyst can quote."""

from __future__ import annotations

import math
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from strikemap.geo.assets import NETWORK_LINE
from strikemap.geo.countries import TERRITORIAL_SEA_M, country_name_map
from strikemap.geo.crs import lonlat_to_metric
from strikemap.geo.network import as_start, network_for
from strikemap.geo.rules import DEFAULT_RULES, ImpactRules

GAS_TYPES = frozenset(
    {
        "gas_transmission",
        "gas_distribution",
        "compressor_station",
        "metering_station",
        "gas_distribution_station",
        "interconnection_point",
    }
)
OIL_TYPES = frozenset({"oil", "oil_depot", "oil_terminal", "refinery"})
FUEL_TYPES = frozenset({"products", "fuel_station"})
KNOWN_TO = {1: "the town", 2: "part of a district", 3: "the district or oblast"}
"""How far an asset's location is known, by ``geo_precision`` (DESIGN section 3)."""
ASSET_STANDS = {
    1: "at the town's coordinates",
    2: "at a point for part of a district",
    3: "at a point for a whole district or oblast",
}
"""Where an asset known only to a place is drawn, by ``geo_precision``."""
STRIKE_KNOWN_TO = {
    0: "the site itself",
    1: "a town or village",
    2: "near a town or part of a district",
    3: "a district or oblast",
}
"""How far a strike's location is known, by ``geo_precision``."""


def format_distance(metres: float) -> str:
    """Return ``"80 m"``, ``"0.4 km"``, ``"12 km"``: precise enough to quote, no more."""
    if not math.isfinite(metres):
        return "an unknown distance"
    if metres < 100:
        return f"{round(metres / 10) * 10:.0f} m"
    if metres < 10_000:
        return f"{metres / 1000:.1f} km"
    return f"{metres / 1000:.0f} km"


def commodity(asset_type: object) -> str:
    """Return what an asset of ``asset_type`` carries: gas, oil, fuel or supplies."""
    if asset_type in GAS_TYPES:
        return "gas"
    if asset_type in OIL_TYPES:
        return "oil"
    if asset_type in FUEL_TYPES:
        return "fuel"
    return "supplies"


def validity(valid_from: object, valid_to: object) -> str:
    """Return ``"valid from 2025-07-28"``, ``"valid 2022-01-01 to 2024-12-31"`` or ``""``."""
    start = valid_from if isinstance(valid_from, str) and valid_from else ""
    end = valid_to if isinstance(valid_to, str) and valid_to else ""
    if start and end:
        return f"valid {start} to {end}"
    if start:
        return f"valid from {start}"
    if end:
        return f"valid until {end}"
    return ""


class LinkExplainer:
    """Give any row of the link table its ``detail`` sentence.

    Build it once from the same inputs as ``geo.impact.link_strikes`` and ask for the rows you
    show or export: ``LinkExplainer(...).describe(table.head(50))``.
    """

    def __init__(
        self,
        strikes: gpd.GeoDataFrame,
        assets: gpd.GeoDataFrame,
        relations: pd.DataFrame,
        countries: gpd.GeoDataFrame,
        *,
        rules: ImpactRules = DEFAULT_RULES,
        country_names: Mapping[str, str] | None = None,
    ) -> None:
        self._strikes = strikes.set_index("id", drop=False)
        self._assets = assets.set_index("id", drop=False)
        self._all_assets = assets
        self._relations = relations
        self._names = country_name_map(countries, country_names)
        self._rules = rules

    def describe(self, table: pd.DataFrame) -> pd.Series:
        """Return the sentence of every row of ``table`` (same index)."""
        rows = table.astype(dict.fromkeys(("strike_id", "asset_id", "country", "relation"), object))
        sentences = [self.sentence(row) for row in rows.itertuples(index=False)]
        return pd.Series(sentences, index=table.index, dtype=object)

    def sentence(self, row: object) -> str:
        """Return the sentence of one row (a namedtuple or object with the link columns)."""
        relation = str(row.relation)
        if relation == "location":
            return self._location_sentence(row)
        if relation == "border":
            return (
                f"The strike lies {format_distance(row.distance_m)} from the land border of "
                f"{self.country(row.country)}{self._strike_caveat(str(row.strike_id))}, within "
                f"the {format_distance(self._rules.border_radius_m)} border radius"
            )
        link = self._asset_clause(row)
        if relation in ("target", "nearby"):
            return link
        if relation == "downstream":
            return f"{link}; {self._downstream_clause(row)}"
        return f"{link}; {self._relation_clause(row)}"

    def _location_sentence(self, row: object) -> str:
        country = self.country(row.country)
        if row.distance_m > 0:
            where = (
                f"The strike lies at sea, {format_distance(row.distance_m)} off the coast of "
                f"{country}, within its 12-nautical-mile "
                f"({format_distance(TERRITORIAL_SEA_M)}) territorial sea"
            )
        else:
            where = f"The strike lies in {country}"
        if row.confidence == "high":
            return where
        precision = self._precision(str(row.strike_id))
        radius = self._rules.hit_radius_m.get(precision)
        if radius is None:
            return f"{where}; its point stands in for {STRIKE_KNOWN_TO.get(precision, 'a region')}"
        return (
            f"{where}; its location is only known to {STRIKE_KNOWN_TO[precision]} (within "
            f"{format_distance(radius)}) and another country's border is closer than that"
        )

    def _strike_caveat(self, strike_id: str) -> str:
        precision = self._precision(strike_id)
        if precision in KNOWN_TO:
            known = STRIKE_KNOWN_TO[precision]
            return f" (its location is only known to {known}, so the distance is approximate)"
        return ""

    def country(self, iso3: object) -> str:
        """Return the country's name, or its code when no name is known."""
        return self._names.get(str(iso3), str(iso3))

    def _asset_name(self, asset_id: str) -> str:
        if asset_id in self._assets.index:
            name = self._assets.at[asset_id, "name"]
            if isinstance(name, str) and name:
                return name
        return asset_id

    def _asset_clause(self, row: object) -> str:
        asset_id = str(row.asset_id)
        distance = format_distance(row.distance_m)
        where = f"{self._asset_name(asset_id)} lies {distance} from the strike"
        asset_precision = self._asset_precision(asset_id)
        if asset_precision in KNOWN_TO:
            where += (
                f" (its location is only known to {KNOWN_TO[asset_precision]}, "
                "so the distance is approximate)"
            )
        if row.confidence == "high":
            return f"{where} and is named by sources as the target"
        precision = max(self._precision(str(row.strike_id)), asset_precision)
        if row.confidence == "medium":
            radius = self._rules.hit_radius_m.get(precision, float("nan"))
            return f"{where}, within the {format_distance(radius)} hit radius (target)"
        radius = self._rules.threat_radius_m.get(precision, float("nan"))
        nearby = f"{where}, within the {format_distance(radius)} threat radius (nearby)"
        if asset_precision in ASSET_STANDS:
            nearby += (
                f"; context, not evidence: the asset is drawn {ASSET_STANDS[asset_precision]}, so "
                "being near the strike does not show that it was hit"
            )
        return nearby

    def _precision(self, strike_id: str) -> int:
        value = (
            self._strikes.at[strike_id, "geo_precision"] if strike_id in self._strikes.index else 3
        )
        return int(value) if pd.notna(value) else 3

    def _asset_precision(self, asset_id: str) -> int:
        """Return the asset's ``geo_precision``; 0 when it has none (as in the join)."""
        if "geo_precision" not in self._assets.columns or asset_id not in self._assets.index:
            return 0
        value = pd.to_numeric(self._assets.at[asset_id, "geo_precision"], errors="coerce")
        return int(value) if value in (0, 1, 2, 3) else 0

    def _strike_date(self, strike_id: str) -> str:
        if strike_id in self._strikes.index:
            return str(self._strikes.at[strike_id, "date"])
        return ""

    def _relation_record(self, asset_id: str, country: str, relation: str, date: str) -> object:
        table = self._relations
        match = table[
            (table["asset_id"] == asset_id)
            & (table["country"] == country)
            & (table["relation"] == relation)
            & ((table["valid_from"] == "") | (table["valid_from"] <= date))
            & ((table["valid_to"] == "") | (table["valid_to"] >= date))
        ]
        return None if match.empty else match.iloc[0]

    def _relation_clause(self, row: object) -> str:
        relation, country = str(row.relation), self.country(row.country)
        asset_id = str(row.asset_id)
        record = self._relation_record(
            asset_id, str(row.country), relation, self._strike_date(str(row.strike_id))
        )
        if record is None:  # owner derived from the asset's owner_country
            return f"its owner is from {country} (owner_country of the asset)"
        asset_type = (
            self._assets.at[asset_id, "asset_type"] if asset_id in self._assets.index else None
        )
        phrase = {
            "owner": f"its owner is from {country}",
            "supply_origin": f"it carries {commodity(asset_type)} from {country}",
            "serves": f"it serves {country}",
            "transit": f"it is on a transit route through {country}",
        }[relation]
        notes = [relation, validity(record["valid_from"], record["valid_to"])]
        return f"{phrase} ({', '.join(n for n in notes if n)})"

    def _downstream_clause(self, row: object) -> str:
        network = network_for(self._all_assets, snap_tolerance_m=self._rules.snap_tolerance_m)
        start = str(row.asset_id)
        iso3, date = str(row.country), self._strike_date(str(row.strike_id))
        point = self._strikes.geometry.get(str(row.strike_id))
        if point is None or point.is_empty:
            return f"{self.country(iso3)} lies downstream on the pipeline network"
        x, y = lonlat_to_metric(np.array([point.x]), np.array([point.y]))
        nodes = as_start(network.start_nodes(np.array([start], dtype=object), x, y)[0])
        best: tuple[int, str, str] | None = None
        for via, hops in network.downstream_hops(start, nodes).items():
            if best is not None and (hops, via) >= best[:2]:
                continue
            owner = self._assets.at[via, "owner_country"] if via in self._assets.index else None
            if owner == iso3 and self._assets.at[via, "network"] == NETWORK_LINE:
                why = f"{self._asset_name(via)} has its owner in {self.country(iso3)}"
            elif self._relation_record(via, iso3, "serves", date) is not None:
                why = f"{self._asset_name(via)} serves {self.country(iso3)}"
            else:
                continue
            best = (hops, via, why)
        if best is None:
            return f"{self.country(iso3)} lies downstream on the pipeline network"
        _, via, why = best
        along = " -> ".join(self._asset_name(p) for p in network.path(start, nodes, via))
        return f"{self.country(iso3)} lies downstream along {along} ({why})"
