"""Assemble a country report from an analysis: cover, over time, strikes, assets, method."""

from __future__ import annotations

import logging
import time

from strikemap.analysis import Analysis
from strikemap.reports.assets import asset_blocks
from strikemap.reports.context import ReportContext
from strikemap.reports.cover import cover_blocks, headline_numbers, report_title
from strikemap.reports.document import Block, PageBreak, Report
from strikemap.reports.method import method_blocks
from strikemap.reports.strikes import strike_blocks
from strikemap.reports.timeline import timeline_blocks

log = logging.getLogger(__name__)


def build_report(analysis: Analysis) -> Report:
    """Return the country report of ``analysis`` as blocks, ready for a writer.

    Parameters
    ----------
    analysis
        ``strikemap.analysis.analyse`` of a view naming exactly one country
        (``View(countries=("AZE",), ...)``): the report counts, charts and lists what that
        analysis shows and never filters or joins by itself.

    Raises
    ------
    ReportError
        When the view names no country or several (a ``ValueError``).
    """
    started = time.perf_counter()
    ctx = ReportContext(analysis)
    numbers = headline_numbers(ctx)
    blocks: list[Block] = [*cover_blocks(ctx, numbers)]
    if numbers["strikes"]:
        blocks += [*timeline_blocks(ctx), PageBreak(), *strike_blocks(ctx), PageBreak()]
        blocks += [*asset_blocks(ctx), PageBreak(), *method_blocks(ctx)]
    else:  # a short report: what was asked, that nothing matched, the assets, the method
        blocks += [*asset_blocks(ctx), *method_blocks(ctx)]
    cutoff = analysis.dataset.cutoff or "none"
    report = Report(
        title=report_title(ctx),
        country=ctx.country,
        country_name=ctx.name,
        blocks=tuple(blocks),
        numbers=numbers,
        footer=f"{ctx.name} ({ctx.country}) · data cut-off {cutoff} · strikemap",
    )
    log.debug("report blocks for %s in %.2f s", ctx.country, time.perf_counter() - started)
    return report
