"""Section 1, the cover: title, time window, cut-off, headline numbers by tier, the map."""

from __future__ import annotations

import pandas as pd

from strikemap.geo.rules import RELATION_ORDER
from strikemap.maps.static.captions import day_text, filters_text, time_window_text
from strikemap.reports.context import ReportContext, words
from strikemap.reports.document import Block, Figure, Heading, Numbers, PageBreak, Paragraph, text
from strikemap.reports.figures import cover_map_png
from strikemap.reports.tiers import tier_counts

PRODUCT = "strikes on energy infrastructure around Odesa"


def report_title(ctx: ReportContext) -> str:
    """Return the document title, e.g. ``Azerbaijan: exposure to strikes on ...``."""
    return f"{ctx.name}: exposure to {PRODUCT}"


def headline_numbers(ctx: ReportContext) -> dict[str, int]:
    """Return the cover's numbers: strikes (as ``country_summary``), by tier, and assets.

    ``strikes`` and ``assets`` are the country's row of ``Analysis.country_summary``, the
    table ``strikemap impact --summary`` prints; the tiers split the same strikes.
    """
    summary = ctx.analysis.country_summary
    row = summary[summary["country"].astype(str) == ctx.country]
    strikes = int(row["strikes"].iloc[0]) if len(row) else 0
    assets = int(row["assets"].iloc[0]) if len(row) else 0
    return {"strikes": strikes, **tier_counts(ctx.tiers), "assets": assets}


def relation_counts(ctx: ReportContext) -> list[tuple[str, int]]:
    """Return ``(relation, strikes)`` for each relation linking strikes to the country."""
    rows = ctx.chain[(ctx.chain["country"].astype(str) == ctx.country).to_numpy()]
    counts = rows.groupby(rows["relation"].astype(str))["strike_id"].nunique()
    return [(r, int(counts[r])) for r in RELATION_ORDER if r in counts.index and counts[r] > 0]


def cover_blocks(ctx: ReportContext, numbers: dict[str, int]) -> list[Block]:
    """Return the cover: title, window, cut-off, filters, numbers, relation kinds and map."""
    analysis = ctx.analysis
    view = analysis.view
    cutoff = analysis.dataset.cutoff
    cutoff_text = day_text(pd.Timestamp(cutoff)) if cutoff else "no strikes in the data"
    filters = filters_text(view, country_names=analysis.country_names)
    filters = [f for f in filters if not f.startswith("linked to ")]
    blocks: list[Block] = [
        Heading(report_title(ctx), level=0),
        Paragraph(text(f"Time window: {time_window_text(view, analysis.strikes)}"), "lead"),
        Paragraph(text(f"Data cut-off: {cutoff_text} (the latest strike in the data)."), "lead"),
    ]
    if filters:
        blocks.append(Paragraph(text("Filters: " + "; ".join(filters) + "."), "lead"))
    blocks.append(
        Numbers(
            (
                (str(numbers["strikes"]), f"strikes linked to {ctx.name}"),
                (str(numbers["affected"]), "affect it (high or medium confidence)"),
                (str(numbers["exposed"]), "only expose it (low confidence)"),
                (str(numbers["assets"]), "assets through which they reach it"),
            )
        )
    )
    if not numbers["strikes"]:
        blocks.append(
            Paragraph(
                text(
                    f"No strike in this selection is linked to {ctx.name}. Widen the time "
                    "window or the filters to see more; the country's assets in the region are "
                    "listed below whether or not they were struck."
                )
            )
        )
        return blocks
    kinds = ", ".join(
        f"{words(r)} ({n} strike{'s' if n != 1 else ''})" for r, n in relation_counts(ctx)
    )
    blocks.append(Paragraph(text(f"How the strikes reach {ctx.name}: {kinds}.")))
    title = f"{ctx.name}: strikes linked to it and the assets they reach it through"
    blocks.append(
        Figure(
            cover_map_png(analysis, ctx.chain, title=title),
            caption="Strikes linked to the country, with lines to the assets through which "
            "they reach it (thick: the target; thin: nearby and other links).",
            alt=f"Map of the strikes linked to {ctx.name}",
        )
    )
    return [*blocks, PageBreak()]
