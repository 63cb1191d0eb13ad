"""The report's pictures: the cover map (the briefing map's drawing) and the timeline chart."""

from __future__ import annotations

import dataclasses
import io

import matplotlib as mpl
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from strikemap.analysis import Analysis
from strikemap.maps.static import render_static_map
from strikemap.maps.static.options import RC_PARAMS
from strikemap.reports.tiers import TIER_COLORS, TIERS

COVER_DPI = 170
"""Resolution of the cover map: sharp in print at the 17 cm it is shown, about 0.6 MB."""
CHART_DPI = 170
CHART_SIZE_IN = (7.0, 2.6)


def cover_map_png(analysis: Analysis, chain: pd.DataFrame, *, title: str) -> bytes:
    """Return the briefing map of the analysis with only the country's chain links drawn.

    Parameters
    ----------
    analysis
        The report's analysis (its strikes, extent, colouring and dataset).
    chain
        The links of the country's chains (``reports.chains``): the lines drawn from each
        strike go to the assets through which it reaches the country.
    title
        The map's title.
    """
    drawn = dataclasses.replace(analysis, links=chain)
    buffer = io.BytesIO()
    render_static_map(drawn, out=buffer, fmt="png", page="a4-landscape", dpi=COVER_DPI, title=title)
    return buffer.getvalue()


def timeline_png(counts: pd.DataFrame, *, period: str, markers: list[tuple[str, int]]) -> bytes:
    """Return a stacked bar chart of strikes per period by evidence tier.

    Parameters
    ----------
    counts
        ``period`` (timestamps, the start of each week or month) and one column per tier.
    period
        ``week`` or ``month`` (bar width and axis label).
    markers
        ``(ISO date, number)`` of relations that began or ended in the window: a dashed line
        with the number, explained in the list under the chart.
    """
    with mpl.rc_context(RC_PARAMS):
        fig = Figure(figsize=CHART_SIZE_IN, dpi=CHART_DPI, facecolor="white")
        FigureCanvasAgg(fig)
        ax = fig.add_axes((0.07, 0.17, 0.9, 0.73))
        width = pd.Timedelta(days=6 if period == "week" else 26)
        x = counts["period"] + width / 2
        bottom = pd.Series(0, index=counts.index)
        for tier in TIERS:
            ax.bar(x, counts[tier], width=width, bottom=bottom, color=TIER_COLORS[tier], label=tier)
            bottom = bottom + counts[tier]
        top = max(1, int(bottom.max()))
        for day, number in markers:
            when = pd.Timestamp(day)
            ax.axvline(when, color="#444444", linestyle=(0, (3, 2)), linewidth=0.8)
            ax.annotate(
                str(number), (when, top), xytext=(2, 0), textcoords="offset points", fontsize=7
            )
        ax.set_ylim(0, top * 1.15)
        ax.set_ylabel("strikes", fontsize=8)
        ax.set_xlabel(f"{period} (start)", fontsize=8)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.tick_params(labelsize=7)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(fontsize=7, frameon=False, loc="upper left", ncols=2)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=CHART_DPI, metadata={"Software": "strikemap"})
    return buffer.getvalue()
