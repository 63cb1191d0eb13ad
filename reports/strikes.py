"""Section 3, strike by strike: facts, the chain to the country and numbered sources."""

from __future__ import annotations

import numpy as np
import pandas as pd

from strikemap.geo.rules import CONFIDENCE_ORDER, RELATION_ORDER
from strikemap.geo.wording import format_distance
from strikemap.layers.schema import GEO_PRECISION_LABELS
from strikemap.maps.static.captions import source_publisher
from strikemap.reports.context import ReportContext, as_list, words
from strikemap.reports.document import (
    Block,
    Facts,
    Heading,
    Paragraph,
    References,
    Table,
    text,
)

MAX_DETAILED_STRIKES = 200
"""Strikes described one by one at most; the others are listed in one table (with a note)."""
MAX_LISTED_STRIKES = 20_000
"""Strikes listed in that table at most; beyond it the note names the export that has them."""
CHAIN_COLUMNS = ("asset", "link", "distance", "confidence", "why")
CHAIN_WIDTHS = (0.2, 0.12, 0.08, 0.12, 0.48)
LIST_COLUMNS = ("date", "strike", "place", "weapon", "tier", "assets")
LIST_WIDTHS = (0.11, 0.27, 0.22, 0.1, 0.1, 0.2)


def strike_blocks(ctx: ReportContext) -> list[Block]:
    """Return the strike-by-strike section: one part per strike, by date."""
    blocks: list[Block] = [Heading("Strike by strike", anchor="strikes")]
    strikes = ctx.analysis.strikes
    if strikes.empty:
        blocks.append(Paragraph(text("No strike in the selection.")))
        return blocks
    detailed = _detailed_ids(ctx)
    listed = strikes[~strikes["id"].astype(str).isin(detailed).to_numpy()]
    if len(listed):
        blocks.append(Paragraph(text(_cap_note(ctx, len(detailed), len(listed))), "note"))
    chain = ctx.chain[ctx.chain["strike_id"].astype(str).isin(detailed).to_numpy()]
    explained = ctx.analysis.explain(chain)
    by_strike = dict(list(explained.groupby(explained["strike_id"].astype(str))))
    tiers = ctx.tiers.set_index("strike_id")
    names = ctx.asset_names()
    shown = strikes[strikes["id"].astype(str).isin(detailed).to_numpy()]
    for record in shown.to_dict("records"):
        strike_id = str(record["id"])
        tier = tiers.loc[strike_id] if strike_id in tiers.index else None
        links = by_strike.get(strike_id, explained.iloc[:0])
        blocks += _one_strike(ctx, record, tier, links, names)
    if len(listed):
        blocks += _listing(ctx, listed, names)
    return blocks


def _detailed_ids(ctx: ReportContext) -> set[str]:
    """Return the strikes described one by one: all, or the strongest first, then the newest."""
    strikes = ctx.analysis.strikes
    ids = strikes["id"].astype(str)
    if len(ids) <= MAX_DETAILED_STRIKES:
        return set(ids)
    rank = ctx.tiers.set_index("strike_id")["confidence"].map(CONFIDENCE_ORDER.index)
    order = pd.DataFrame(
        {
            "id": ids.to_numpy(),
            "rank": ids.map(rank).fillna(len(CONFIDENCE_ORDER)).to_numpy(),
            "date": pd.to_datetime(strikes["date"], errors="coerce").to_numpy(),
        }
    ).sort_values(["rank", "date"], ascending=[True, False], kind="stable")
    return set(order["id"].head(MAX_DETAILED_STRIKES))


def _cap_note(ctx: ReportContext, n_detailed: int, n_listed: int) -> str:
    total = n_detailed + n_listed
    note = (
        f"The selection has {total:,} strikes. The {n_detailed:,} with the strongest evidence "
        f"(highest confidence, then newest) are described one by one below; the other "
        f"{n_listed:,} are listed with date, place, weapon, tier and assets in the table at the "
        "end of this section"
    )
    if n_listed > MAX_LISTED_STRIKES:
        note += (
            f" (the newest {MAX_LISTED_STRIKES:,} of them; the other "
            f"{n_listed - MAX_LISTED_STRIKES:,} are not listed)"
        )
    return (
        note + f". Every strike and link, with reasons and sources: `strikemap export-table "
        f"--country {ctx.country} --out FILE.xlsx` with the same filters."
    )


def _one_strike(
    ctx: ReportContext,
    record: dict[str, object],
    tier: pd.Series | None,
    links: pd.DataFrame,
    names: dict[str, str],
) -> list[Block]:
    strike_id = str(record["id"])
    date = str(record.get("date") or "")
    if record.get("date_precision") not in (None, "", "day"):
        date += f" (known to the {record['date_precision']})"
    facts: list[tuple[str, tuple]] = [
        ("strike", text(strike_id)),
        ("date", text(date)),
        ("place", text(_place(record))),
        ("weapon", text(_weapon(record))),
    ]
    for label, column in (("target", "target_type"), ("reported damage", "consequences")):
        value = record.get(column)
        if isinstance(value, str) and value.strip():
            facts.append((label, text(value)))
    if tier is not None:
        facts.append(
            (
                f"for {ctx.name}",
                text(f"{tier['tier']} (strongest link: {tier['confidence']} confidence)"),
            )
        )
    blocks: list[Block] = [
        Heading(f"{date[:10]} · {record.get('name') or strike_id}", level=2, anchor=strike_id),
        Facts(tuple(facts)),
    ]
    if not links.empty:
        blocks.append(Table(CHAIN_COLUMNS, _chain_rows(ctx, links, names), CHAIN_WIDTHS))
    sources = as_list(record.get("sources"))
    if sources:
        blocks.append(
            References(tuple((i, source_publisher(s), s) for i, s in enumerate(sources, start=1)))
        )
    return blocks


def _place(record: dict[str, object]) -> str:
    place = str(record.get("place") or record.get("admin1") or "place not given")
    precision = pd.to_numeric(pd.Series([record.get("geo_precision")]), errors="coerce")[0]
    if pd.isna(precision):
        return place
    return f"{place} (location known to {GEO_PRECISION_LABELS.get(int(precision), '?')})"


def _weapon(record: dict[str, object]) -> str:
    weapon = words(record.get("weapon")) or "unknown"
    detail = record.get("weapon_detail")
    return f"{weapon}: {detail}" if isinstance(detail, str) and detail.strip() else weapon


def _chain_rows(
    ctx: ReportContext, links: pd.DataFrame, names: dict[str, str]
) -> tuple[tuple[tuple, ...], ...]:
    """Rows of one strike's chain: each asset's own link, then its links to the country."""
    asset = links["asset_id"].astype(str)
    order = pd.DataFrame(
        {
            "direct": (asset == "").to_numpy(),
            "asset": asset.to_numpy(),
            "relation": links["relation"].astype(str).map(RELATION_ORDER.index).to_numpy(),
        }
    ).sort_values(["direct", "asset", "relation"], kind="stable")
    ordered = links.iloc[order.index.to_numpy()]
    distances = pd.to_numeric(ordered["distance_m"], errors="coerce").to_numpy(float)
    rows = []
    for asset_id, relation, distance, confidence, detail in zip(
        ordered["asset_id"].astype(str),
        ordered["relation"].astype(str),
        distances,
        ordered["confidence"].astype(str),
        ordered["detail"].astype(str),
        strict=True,
    ):
        rows.append(
            (
                text(names.get(asset_id, asset_id) if asset_id else f"({ctx.name} itself)"),
                text(words(relation)),
                text(format_distance(distance) if np.isfinite(distance) else ""),
                text(confidence),
                text(detail),
            )
        )
    return tuple(rows)


def _listing(ctx: ReportContext, listed: pd.DataFrame, names: dict[str, str]) -> list[Block]:
    """One table row per strike not described one by one (newest first, capped with a note)."""
    listed = listed.iloc[::-1].head(MAX_LISTED_STRIKES)
    ids = listed["id"].astype(str)
    tiers = ctx.tiers.set_index("strike_id")["tier"]
    to_country = ctx.chain[(ctx.chain["country"].astype(str) == ctx.country).to_numpy()]
    via = to_country[to_country["strike_id"].astype(str).isin(ids).to_numpy()]
    assets = (
        via[via["asset_id"].astype(str) != ""]
        .groupby(via["strike_id"].astype(str))["asset_id"]
        .agg(lambda a: ", ".join(sorted({names.get(str(x), str(x)) for x in a})))
    )
    places = listed["place"].fillna(listed["admin1"]).fillna("").astype(str)
    rows = tuple(
        (
            text(str(date)),
            text(strike_id),
            text(place),
            text(words(weapon)),
            text(str(tiers.get(strike_id, ""))),
            text(str(assets.get(strike_id, ""))),
        )
        for strike_id, date, place, weapon in zip(
            ids, listed["date"], places, listed["weapon"], strict=True
        )
    )
    return [
        Heading("Other strikes of the selection", level=2, anchor="other-strikes"),
        Table(LIST_COLUMNS, rows, LIST_WIDTHS),
    ]
