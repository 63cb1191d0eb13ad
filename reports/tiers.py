"""Evidence tiers of one country's links: which strikes affect it and which only expose it.

The tiers are the join's own (``geo.rules.TIERS``, ``geo.rules.tier_of``) and the strikes per
tier come from ``geo.summaries.strike_tiers``, the function ``country_summary`` counts with, so a
report's numbers are those of ``strikemap impact --summary``.
"""

from __future__ import annotations

import pandas as pd

from strikemap.geo.rules import AFFECTED_CONFIDENCES, CONFIDENCE_ORDER, TIERS
from strikemap.geo.summaries import strike_tiers as _strike_tiers

TIER_CONFIDENCE: dict[str, tuple[str, ...]] = {
    TIERS[0]: AFFECTED_CONFIDENCES,
    TIERS[1]: tuple(c for c in CONFIDENCE_ORDER if c not in AFFECTED_CONFIDENCES),
}
"""The confidences of a country link that put a strike in each tier."""
TIER_WORDS: dict[str, str] = {
    "affected": "reached at high or medium confidence: the sources name the asset, an exactly "
    "located asset lies within the hit radius, or the strike lies in the country",
    "exposed": "reached only at low confidence: through an asset within the threat radius, a "
    "land border within the border radius, or an asset located only to a town or region",
}


def strike_tiers(links: pd.DataFrame, country: str) -> pd.DataFrame:
    """Return one row per strike linked to ``country``: its strongest confidence and tier.

    Parameters
    ----------
    links
        The shown links of an analysis (``Analysis.links``).
    country
        ISO3 code.

    Returns
    -------
    pandas.DataFrame
        ``strike_id``, ``confidence`` (the strongest of the strike's links to the country) and
        ``tier`` (``affected`` for high or medium, ``exposed`` for low), in the order of
        ``links``.
    """
    rows = links[(links["country"].astype(str) == country).to_numpy()]
    tiers = _strike_tiers(rows)
    return tiers[["strike_id", "confidence", "tier"]].reset_index(drop=True)


def tier_counts(tiers: pd.DataFrame) -> dict[str, int]:
    """Return ``{tier: number of strikes}`` for every tier of ``TIERS`` (zero when absent)."""
    counts = tiers["tier"].value_counts()
    return {tier: int(counts.get(tier, 0)) for tier in TIERS}


TIER_COLORS: dict[str, str] = {"affected": "#b2182b", "exposed": "#f4a582"}
"""Bar colours of the tiers in the report's chart: strong red for affected, pale for exposed."""
