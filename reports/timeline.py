"""Section 2, over time: strikes per week or month by tier, and relations that began or ended."""

from __future__ import annotations

import pandas as pd

from strikemap.reports.context import ReportContext, source_text, words
from strikemap.reports.document import Block, Figure, Heading, Paragraph, Table, text
from strikemap.reports.figures import timeline_png
from strikemap.reports.tiers import TIERS

WEEKLY_UP_TO_DAYS = 183
"""Windows up to about six months are charted per week, longer ones per month."""


def period_counts(ctx: ReportContext) -> tuple[pd.DataFrame, str]:
    """Return strikes per period and tier (``period`` plus one column per tier) and the period.

    Every period of the window is present, with zeros where nothing happened.
    """
    start, end = ctx.window
    span = (end - start).days if start and end else 0
    period = "week" if span <= WEEKLY_UP_TO_DAYS else "month"
    strikes = ctx.analysis.strikes
    dates = pd.Series(
        pd.to_datetime(strikes["date"], errors="coerce").to_numpy(), index=strikes["id"].astype(str)
    )
    tiers = ctx.tiers.assign(date=ctx.tiers["strike_id"].map(dates)).dropna(subset=["date"])
    tiers = tiers.assign(period=_period_start(tiers["date"], period))
    table = tiers.groupby(["period", "tier"]).size().unstack("tier", fill_value=0)
    if start and end:
        first = _period_start(pd.Series([pd.Timestamp(start)]), period).iloc[0]
        every = pd.date_range(first, pd.Timestamp(end), freq="W-MON" if period == "week" else "MS")
        table = table.reindex(table.index.union(every), fill_value=0)
    table = table.reindex(columns=list(TIERS), fill_value=0)
    return table.rename_axis("period").reset_index(), period


def _period_start(dates: pd.Series, period: str) -> pd.Series:
    if period == "week":
        return (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.normalize()
    return dates.dt.to_period("M").dt.start_time


def relation_changes(ctx: ReportContext) -> pd.DataFrame:
    """Return the country's relations (``relations.csv``) that began or ended in the window.

    One row per date, change, relation and note: ``date``, ``change`` (``began``/``ended``),
    ``relation``, ``assets`` (names, joined), ``note``, ``source``; by date.
    """
    relations = ctx.analysis.dataset.relations
    rows = relations[relations["country"].astype(str) == ctx.country]
    start, end = ctx.window
    names = ctx.asset_names()
    changes = []
    for column, change in (("valid_from", "began"), ("valid_to", "ended")):
        dated = rows[rows[column].fillna("").astype(str) != ""]
        days = pd.to_datetime(dated[column], errors="coerce")
        inside = days.notna()
        if start:
            inside &= days >= pd.Timestamp(start)
        if end:
            inside &= days <= pd.Timestamp(end)
        picked = dated[inside.to_numpy()]
        changes.append(
            pd.DataFrame(
                {
                    "date": picked[column].astype(str).to_numpy(),
                    "change": change,
                    "relation": picked["relation"].astype(str).to_numpy(),
                    "asset": picked["asset_id"].astype(str).map(lambda a: names.get(a, a)),
                    "note": picked["note"].fillna("").astype(str).to_numpy(),
                    "source": picked["source"].fillna("").astype(str).to_numpy(),
                }
            )
        )
    frame = pd.concat(changes, ignore_index=True)
    keys = ["date", "change", "relation", "note", "source"]
    grouped = frame.groupby(keys, sort=True)["asset"].agg(lambda a: ", ".join(sorted(set(a))))
    return grouped.rename("assets").reset_index()


def timeline_blocks(ctx: ReportContext) -> list[Block]:
    """Return the chart of strikes per period by tier and the list of relation changes."""
    blocks: list[Block] = [Heading("Over time", anchor="over-time")]
    changes = relation_changes(ctx)
    dates = list(dict.fromkeys(changes["date"]))
    number = {d: i for i, d in enumerate(dates, start=1)}
    if ctx.tiers.empty:
        blocks.append(Paragraph(text("No strike in the selection: nothing to chart.")))
    else:
        counts, period = period_counts(ctx)
        png = timeline_png(counts, period=period, markers=[(d, number[d]) for d in dates])
        blocks.append(
            Figure(
                png,
                caption=f"Strikes linked to {ctx.name} per {period}, by evidence tier; dashed "
                "lines mark the numbered relation changes listed below.",
                alt=f"Bar chart of strikes per {period} by evidence tier",
            )
        )
    if changes.empty:
        blocks.append(
            Paragraph(text(f"No relation of {ctx.name} began or ended in the window."), "note")
        )
        return blocks
    blocks.append(Paragraph(text(f"Relations of {ctx.name} that began or ended in the window:")))
    rows = tuple(
        (
            text(str(number[r.date])),
            text(r.date),
            text(f"{words(r.relation)} {r.change}"),
            text(r.assets),
            text(r.note),
            source_text(r.source),
        )
        for r in changes.itertuples(index=False)
    )
    blocks.append(
        Table(
            ("#", "date", "change", "assets", "what the sources say", "source"),
            rows,
            (0.04, 0.11, 0.13, 0.22, 0.3, 0.2),
        )
    )
    return blocks
