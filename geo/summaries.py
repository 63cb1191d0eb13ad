"""Summaries of the link table: per country and per strike."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from strikemap.geo.rules import CONFIDENCE_ORDER, RELATION_ORDER

COUNTRY_SUMMARY_COLUMNS: tuple[str, ...] = (
    "country",
    "name",
    "strikes",
    "assets",
    "strongest_relation",
    "strongest_confidence",
    "first_date",
    "last_date",
)
STRIKE_SUMMARY_COLUMNS: tuple[str, ...] = ("strike_id", "date", "countries", "summary")


def country_summary(
    table: pd.DataFrame, strikes: pd.DataFrame, *, country_names: Mapping[str, str] | None = None
) -> pd.DataFrame:
    """Return one row per country the links touch.

    Parameters
    ----------
    table
        The link table of ``geo.impact.link_strikes``.
    strikes
        The strikes (for their dates).
    country_names
        ``{ISO3: name}``; codes without a name are shown as codes.

    Returns
    -------
    pandas.DataFrame
        ``COUNTRY_SUMMARY_COLUMNS``: number of strikes and of distinct assets linking to the
        country, its strongest link (highest confidence, then earliest in ``RELATION_ORDER``)
        and the first and last strike date; most-struck countries first.
    """
    rows = _with_dates(table[table["country"].astype(str) != ""], strikes)
    if rows.empty:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in COUNTRY_SUMMARY_COLUMNS})
    rows = rows.assign(
        _rank=rows["confidence"].map(CONFIDENCE_ORDER.index).astype(int) * 100
        + rows["relation"].map(RELATION_ORDER.index).astype(int)
    )
    strongest = rows.sort_values("_rank", kind="stable").groupby("country").first()
    assets = rows[rows["asset_id"] != ""].groupby("country")["asset_id"].nunique()
    grouped = rows.groupby("country")
    summary = pd.DataFrame(
        {
            "strikes": grouped["strike_id"].nunique(),
            "assets": assets,
            "strongest_relation": strongest["relation"],
            "strongest_confidence": strongest["confidence"],
            "first_date": grouped["date"].min(),
            "last_date": grouped["date"].max(),
        }
    )
    summary["assets"] = summary["assets"].fillna(0).astype(int)
    summary = summary.rename_axis("country").reset_index()
    names = dict(country_names or {})
    summary["name"] = [names.get(c, c) for c in summary["country"]]
    summary = summary.sort_values(["strikes", "country"], ascending=[False, True], kind="stable")
    return summary[list(COUNTRY_SUMMARY_COLUMNS)].reset_index(drop=True)


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
