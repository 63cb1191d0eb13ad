"""Evidence tiers of one country's links: which strikes affect it and which only expose it.

.. warning::
   Stand-in until issue 9 lands: the join's evidence model (a ``basis`` on each country link,
   summaries counting strikes per country per tier) will provide these numbers in
   ``geo.summaries``. When it does, :func:`strike_tiers` is replaced by a call to those
   functions; every caller in ``reports/`` goes through this module, so nothing else changes.
"""

from __future__ import annotations

import pandas as pd

from strikemap.geo.rules import CONFIDENCE_ORDER

TIERS: tuple[str, ...] = ("affected", "exposed")
"""Evidence tiers, strongest first (DESIGN section 4)."""
TIER_CONFIDENCE: dict[str, tuple[str, ...]] = {
    "affected": ("high", "medium"),
    "exposed": ("low",),
}
"""The confidences of a country link that put a strike in each tier."""
TIER_WORDS: dict[str, str] = {
    "affected": "reached at high or medium confidence: the sources name the asset, or it lies "
    "within the hit radius",
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
    rank = rows["confidence"].astype(str).map(CONFIDENCE_ORDER.index)
    best = (
        pd.DataFrame({"strike_id": rows["strike_id"].astype(str).to_numpy(), "rank": rank})
        .groupby("strike_id", sort=False)["rank"]
        .min()
    )
    confidence = best.map(dict(enumerate(CONFIDENCE_ORDER)))
    tier = confidence.map({c: tier for tier, levels in TIER_CONFIDENCE.items() for c in levels})
    return pd.DataFrame(
        {"strike_id": best.index, "confidence": confidence.to_numpy(), "tier": tier.to_numpy()}
    )


def tier_counts(tiers: pd.DataFrame) -> dict[str, int]:
    """Return ``{tier: number of strikes}`` for every tier of ``TIERS`` (zero when absent)."""
    counts = tiers["tier"].value_counts()
    return {tier: int(counts.get(tier, 0)) for tier in TIERS}


TIER_COLORS: dict[str, str] = {"affected": "#b2182b", "exposed": "#f4a582"}
"""Bar colours of the tiers in the report's chart: strong red for affected, pale for exposed."""
