"""Section 4, assets: the country's assets in the region, struck in the window or not."""

from __future__ import annotations

import pandas as pd

from strikemap.geo.wording import validity
from strikemap.maps.static.captions import source_publisher
from strikemap.reports.context import ReportContext, as_list, words
from strikemap.reports.document import Block, Heading, Link, Paragraph, Table, Text, text
from strikemap.reports.tiers import TIERS

ASSET_COLUMNS = ("asset", "type, status", "link to the country", "strikes in the window", "sources")
ASSET_WIDTHS = (0.22, 0.14, 0.34, 0.12, 0.18)


def country_assets(ctx: ReportContext) -> pd.DataFrame:
    """Return the assets tied to the country: by a row of ``relations.csv`` or by their owner.

    Columns of the dataset's combined assets, in name order.
    """
    assets = ctx.analysis.dataset.assets
    relations = ctx.analysis.dataset.relations
    related = relations.loc[relations["country"].astype(str) == ctx.country, "asset_id"]
    owned = assets["owner_country"].astype(object).fillna("").astype(str) == ctx.country
    keep = assets["id"].astype(str).isin(related.astype(str)).to_numpy() | owned.to_numpy()
    picked = assets[keep]
    return picked.iloc[picked["name"].astype(str).str.lower().argsort(kind="stable")]


def _struck(ctx: ReportContext) -> dict[str, str]:
    """Return ``{asset id: "3 (2 affected, 1 exposed)"}``: strikes reaching the country via it."""
    chain = ctx.chain
    via = chain[(chain["country"].astype(str) == ctx.country).to_numpy()]
    pairs = pd.DataFrame(
        {"asset": via["asset_id"].astype(str), "strike_id": via["strike_id"].astype(str)}
    ).drop_duplicates()
    pairs = pairs[pairs["asset"] != ""].merge(ctx.tiers, on="strike_id", how="left")
    counts = pairs.groupby(["asset", "tier"]).size().unstack("tier", fill_value=0)
    out = {}
    for asset, row in counts.iterrows():
        parts = [f"{int(row[t])} {t}" for t in TIERS if t in row.index and row[t]]
        out[str(asset)] = f"{int(row.sum())} ({', '.join(parts)})"
    return out


def _relation_text(ctx: ReportContext, relations: pd.DataFrame, asset: pd.Series) -> Text:
    rows = relations[relations["asset_id"].astype(str) == str(asset["id"])]
    parts: list[str] = []
    for r in rows.itertuples(index=False):
        when = validity(r.valid_from, r.valid_to)
        note = f": {r.note}" if isinstance(r.note, str) and r.note else ""
        parts.append(f"{words(r.relation)}{f' ({when})' if when else ''}{note}")
    if str(asset.get("owner_country") or "") == ctx.country:
        parts.append(f"owner country in the asset data: {ctx.name}")
    return text("; ".join(parts))


def _sources(asset: pd.Series, relations: pd.DataFrame) -> Text:
    rows = relations[relations["asset_id"].astype(str) == str(asset["id"])]
    sources = list(dict.fromkeys([*as_list(asset.get("sources")), *as_list(rows["source"])]))
    runs: list[str | Link] = []
    for i, source in enumerate(sources):
        if i:
            runs.append(", ")
        label = source_publisher(source)
        runs.append(Link(label, source) if source.startswith(("http://", "https://")) else label)
    return text(*runs)


def asset_blocks(ctx: ReportContext) -> list[Block]:
    """Return the table of the country's assets with their links, status, strikes and sources."""
    blocks: list[Block] = [Heading(f"{ctx.name}'s assets in the region", anchor="assets")]
    assets = country_assets(ctx)
    if assets.empty:
        blocks.append(
            Paragraph(text(f"The data ties no asset to {ctx.name} (relations.csv, owners)."))
        )
        return blocks
    blocks.append(
        Paragraph(
            text(
                f"Every asset the data ties to {ctx.name}, through relations.csv (owner, supply "
                "origin, serves, transit) or as its owner country, whether or not it was struck "
                "in the window. Strikes count the shown strikes that reach the country through "
                "the asset."
            )
        )
    )
    relations = ctx.analysis.dataset.relations
    relations = relations[relations["country"].astype(str) == ctx.country]
    struck = _struck(ctx)
    rows = []
    for _, asset in assets.iterrows():
        kind = words(asset.get("asset_type")) or words(asset.get("asset_layer"))
        status = words(asset.get("status")) or "status not given"
        rows.append(
            (
                text(f"{asset['name']} ({asset['id']})"),
                text(f"{kind}, {status}"),
                _relation_text(ctx, relations, asset),
                text(struck.get(str(asset["id"]), "none")),
                _sources(asset, relations),
            )
        )
    blocks.append(Table(ASSET_COLUMNS, tuple(rows), ASSET_WIDTHS))
    return blocks
