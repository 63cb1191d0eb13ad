"""Summaries of the link table: per country (strikes per evidence tier) and per strike."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from strikemap.geo.rules import (
    AFFECTED_CONFIDENCES,
    CONFIDENCE_ORDER,
    RELATION_ORDER,
    TIERS,
    tier_of,
)

COUNTRY_SUMMARY_COLUMNS: tuple[str, ...] = (
    "country",
    "name",
    "affected",
    "exposed",
    "strikes",
    "high",
    "medium",
    "low",
    "affected_by",
    "exposed_by",
    "assets",
    "first_date",
    "last_date",
)
"""Columns of ``country_summary``, stable (the app, the CLI and the country reports read them).

=============  ==========================================================================
country        ISO3 code
name           country name (the code when none is known)
affected       strikes that reach the country at high or medium confidence (``geo.rules``)
exposed        strikes that reach it only at low confidence (nearby or town-centroid assets,
               borders); ``affected + exposed == strikes``
strikes        strikes with any link to the country
high           strikes whose strongest link to the country is high (likewise ``medium``,
medium         ``low``); each strike is counted once, in the tier of its strongest link,
low            so ``high + medium == affected`` and ``low == exposed``
affected_by    relations of the links that make strikes affected, in reading order
               (``"supply_origin, transit"``)
exposed_by     relations of the links of the exposed strikes
assets         distinct assets through which any link reaches the country
first_date     first and last date of the strikes linking to the country (ISO)
last_date
=============  ==========================================================================
"""
STRIKE_SUMMARY_COLUMNS: tuple[str, ...] = ("strike_id", "date", "countries", "summary")
_COUNTS = ("affected", "exposed", "strikes", "high", "medium", "low", "assets")


def country_summary(
    table: pd.DataFrame, strikes: pd.DataFrame, *, country_names: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Return one row per country the links touch, strikes counted per evidence tier.

    Parameters
    ----------
    table
        The link table of ``geo.impact.link_strikes`` (``strike_id``, ``asset_id``,
        ``country``, ``relation``, ``confidence``).
    strikes
        The strikes (``id``, ``date``).
    country_names
        ``{ISO3: name}``; codes without a name are shown as codes.

    Returns
    -------
    pandas.DataFrame
        ``COUNTRY_SUMMARY_COLUMNS``; countries by ``affected``, then ``exposed`` (most first),
        then code: the affected ones first, those only exposed after them.
    """
    rows = _with_dates(table[table["country"].astype(str) != ""], strikes)
    if rows.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in COUNTRY_SUMMARY_COLUMNS})
    best = strike_tiers(rows).rename(columns={"tier": "_tier"})
    best["_best"] = best["confidence"].map(CONFIDENCE_ORDER.index)
    best = best.drop(columns="confidence")
    per_level = pd.crosstab(best["country"], best["_best"].map(dict(enumerate(CONFIDENCE_ORDER))))
    per_tier = pd.crosstab(best["country"], best["_tier"])
    summary = pd.DataFrame(index=per_level.index)
    for column in (*CONFIDENCE_ORDER, *TIERS):
        source = per_tier if column in TIERS else per_level
        summary[column] = source[column] if column in source.columns else 0
    summary["strikes"] = summary["affected"] + summary["exposed"]
    rows = rows.merge(best, on=["country", "strike_id"])
    affecting = rows[rows["_tier"].eq(TIERS[0]) & rows["confidence"].isin(AFFECTED_CONFIDENCES)]
    summary["affected_by"] = _relations(affecting)
    summary["exposed_by"] = _relations(rows[rows["_tier"].eq(TIERS[1])])
    assets = rows[rows["asset_id"] != ""].groupby("country")["asset_id"].nunique()
    summary["assets"] = assets
    dates = rows.groupby("country")["date"]
    summary["first_date"], summary["last_date"] = dates.min(), dates.max()
    summary = summary.fillna({"affected_by": "", "exposed_by": "", "assets": 0})
    summary = summary.astype(dict.fromkeys(_COUNTS, int)).rename_axis("country").reset_index()
    names = dict(country_names or {})
    summary["name"] = [names.get(c, c) for c in summary["country"]]
    summary = summary.sort_values(
        ["affected", "exposed", "country"], ascending=[False, False, True], kind="stable"
    )
    return summary[list(COUNTRY_SUMMARY_COLUMNS)].reset_index(drop=True)


STRIKE_TIER_COLUMNS: tuple[str, ...] = ("country", "strike_id", "confidence", "tier")


def strike_tiers(table: pd.DataFrame) -> pd.DataFrame:
    """Return one row per strike and country it reaches: its strongest link and its tier.

    Parameters
    ----------
    table
        Links (``strike_id``, ``country``, ``confidence``); rows without a country are skipped.

    Returns
    -------
    pandas.DataFrame
        ``STRIKE_TIER_COLUMNS``: ``confidence`` is the strongest of the strike's links to the
        country, ``tier`` its ``geo.rules.tier_of``; in the order the pairs first occur.
    """
    rows = table[table["country"].astype(str) != ""]
    pairs = pd.DataFrame(
        {
            "country": rows["country"].astype(str).to_numpy(),
            "strike_id": rows["strike_id"].astype(str).to_numpy(),
            "rank": rows["confidence"].astype(str).map(CONFIDENCE_ORDER.index).to_numpy(),
        }
    )
    best = pairs.groupby(["country", "strike_id"], sort=False)["rank"].min().reset_index()
    confidence = [CONFIDENCE_ORDER[r] for r in best["rank"]]
    return pd.DataFrame(
        {
            "country": best["country"],
            "strike_id": best["strike_id"],
            "confidence": confidence,
            "tier": [tier_of(c) for c in confidence],
        },
        columns=list(STRIKE_TIER_COLUMNS),
    )


def _relations(rows: pd.DataFrame) -> pd.Series:
    """Per country, the distinct relations of ``rows`` in reading order, comma-separated."""
    pairs = rows[["country", "relation"]].drop_duplicates()
    pairs = pairs.assign(_order=pairs["relation"].map(RELATION_ORDER.index))
    pairs = pairs.sort_values(["country", "_order"], kind="stable")
    return pairs.groupby("country")["relation"].agg(", ".join)


def strike_summary(table: pd.DataFrame, strikes: pd.DataFrame) -> pd.DataFrame:
    """Return one line per linked strike: the countries it touches and through which relations.

    ``summary`` reads like ``"AZE (supply_origin); MDA (serves, transit, downstream); UKR
    (location)"``, countries alphabetically, relations in ``RELATION_ORDER``.
    """
    rows = _with_dates(table, strikes)
    if rows.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in STRIKE_SUMMARY_COLUMNS})
    touched = rows[rows["country"] != ""]
    pairs = touched[["strike_id", "country", "relation"]].drop_duplicates()
    pairs = pairs.assign(_order=pairs["relation"].map(RELATION_ORDER.index).astype(int))
    pairs = pairs.sort_values(["strike_id", "country", "_order"], kind="stable")
    per_country = (
        pairs.groupby(["strike_id", "country"], sort=False)["relation"]
        .agg(lambda r: f"({', '.join(r)})")
        .reset_index()
    )
    per_country["text"] = per_country["country"] + " " + per_country["relation"]
    lines = per_country.groupby("strike_id", sort=False).agg(
        countries=("country", lambda c: ", ".join(c)), summary=("text", "; ".join)
    )
    out = rows[["strike_id", "date"]].drop_duplicates("strike_id").set_index("strike_id")
    out = out.join(lines).fillna({"countries": "", "summary": ""}).reset_index()
    return out[list(STRIKE_SUMMARY_COLUMNS)]


def _with_dates(table: pd.DataFrame, strikes: pd.DataFrame) -> pd.DataFrame:
    dates = pd.Series(strikes["date"].astype(object).to_numpy(), index=strikes["id"].astype(str))
    rows = table.astype(dict.fromkeys(("strike_id", "asset_id", "country", "relation"), str))
    rows = rows.astype({"confidence": str})
    return rows.assign(date=rows["strike_id"].map(dates))
