"""The legend of a briefing map: only what the map shows, in sections flowed into a panel."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.lines import Line2D

from strikemap.analysis.view import View
from strikemap.layers.catalog import BY_NAME
from strikemap.maps import style

if TYPE_CHECKING:
    from strikemap.maps.static.data import Drawn
    from strikemap.maps.static.options import Page

log = logging.getLogger(__name__)

FONT = "DejaVu Sans"
TEXT_COLOR = "#222222"
MUTED_COLOR = "#555555"
PLACE_COLOR = "#1a1a1a"
LEGEND_PT = 7.5
LEGEND_ATTEMPTS: tuple[tuple[float, int], ...] = ((7.5, 1), (6.5, 1), (6.5, 2), (6.0, 2))
"""Font size and columns for long sections, tried in turn until the legend fits its panel."""
LONG_SECTION_ROWS = 8
SECTION_GAP_IN = 0.08
COLUMN_GAP_IN = 0.15

BoxIn = tuple[float, float, float, float]


def legend_sections(drawn: Drawn, view: View) -> list[tuple[str, list[Line2D]]]:
    """Return ``(title, handles)`` per legend section, listing only what the map shows."""
    strike_handles = []
    if view.color_by == "age":
        rows = [r for r in style.strike_legend("age") if r.color in drawn.strike_classes]
    else:
        rows = [
            style.LegendEntry(w.replace("_", " "), style.WEAPON_COLORS[w], "point")
            for w in drawn.strike_classes
        ]
    for row in rows:
        strike_handles.append(_point_handle(row.label, row.color, "o", edge="#3a0000"))
    if drawn.stacked:
        strike_handles.append(_point_handle("number of strikes at one point", TEXT_COLOR, "$n$"))
    if strike_handles:
        strike_handles.append(_note_handle("fainter dot = vaguer location"))
    asset_handles = _asset_handles(drawn)
    other = [_point_handle("town", PLACE_COLOR, "o", size=3.5)]
    if drawn.selected:
        label = "selected strike, location uncertainty"
        other.append(_point_handle(label, "none", "o", edge=style.LINK_COLOR, size=9))
    if drawn.target_links:
        other.append(Line2D([], [], color=style.LINK_COLOR, lw=1.2, label="strike → target asset"))
    if drawn.other_links:
        label = "strike → nearby or linked asset"
        other.append(Line2D([], [], color=style.LINK_COLOR, lw=0.6, alpha=0.5, label=label))
    if drawn.schematic:
        other.append(
            Line2D([], [], color="#555555", lw=1.4, ls=(0, (4, 2)), label="schematic route")
        )
    sections = [("Strikes", strike_handles), ("Energy assets", asset_handles), ("Map", other)]
    return [(title, handles) for title, handles in sections if handles]


def _asset_handles(drawn: Drawn) -> list[Line2D]:
    """One row per asset layer and type drawn, with the catalogue's colour, width and marker."""
    handles = []
    for layer, asset_type in dict.fromkeys((layer, t) for layer, t, _ in drawn.asset_entries):
        spec = BY_NAME[layer]
        label, color = spec.legend_text(asset_type), spec.color_of(asset_type)
        if "LineString" in spec.geometry_types:
            handles.append(Line2D([], [], color=color, lw=spec.line_width, label=label))
        else:
            marker = spec.marker_of(asset_type)
            edge = "white" if spec.marker_size >= 5 else "none"
            size = spec.marker_size + 0.5
            handles.append(_point_handle(label, color, marker, edge=edge, size=size))
    return handles


def _point_handle(
    label: str, color: str, marker: str, *, edge: str = "none", size: float = 6.5
) -> Line2D:
    return Line2D(
        [],
        [],
        linestyle="none",
        marker=marker,
        markersize=size,
        markerfacecolor=color,
        markeredgecolor=edge,
        markeredgewidth=0.5,
        label=label,
    )


def _note_handle(label: str) -> Line2D:
    return Line2D([], [], linestyle="none", marker=None, label=label)


def draw_legends(fig: Figure, box: BoxIn, spec: Page, drawn: Drawn, view: View, renderer) -> None:
    """Flow the legend sections top to bottom, then into a new column, inside ``box`` (inches)."""
    sections = legend_sections(drawn, view)
    for fontsize, columns in LEGEND_ATTEMPTS:
        legends = _flow_legends(fig, box, spec, sections, fontsize, columns, renderer)
        if legends is not None:
            return
    log.warning("the legend does not fit its panel on page %s; it overflows", spec.label)
    _flow_legends(fig, box, spec, sections, fontsize, columns, renderer, strict=False)


def _flow_legends(
    fig: Figure,
    box: BoxIn,
    spec: Page,
    sections: list[tuple[str, list[Line2D]]],
    fontsize: float,
    columns: int,
    renderer,
    *,
    strict: bool = True,
) -> list[Legend] | None:
    """Place the sections in columns inside ``box``; None (nothing left drawn) if they overflow.

    Sections longer than ``LONG_SECTION_ROWS`` are split into ``columns`` columns.
    """
    x, y, width, height = box
    dpi = fig.dpi
    cursor_x, cursor_top, column_width = x, y + height, 0.0
    legends: list[Legend] = []
    for title, handles in sections:
        ncol = columns if len(handles) > LONG_SECTION_ROWS else 1
        legend = _section_legend(fig, title, handles, fontsize, ncol=ncol)
        legend.set_bbox_to_anchor(
            (cursor_x / spec.width, cursor_top / spec.height), fig.transFigure
        )
        extent = legend.get_window_extent(renderer)
        w_in, h_in = extent.width / dpi, extent.height / dpi
        if cursor_top - h_in < y and legends:
            cursor_x += column_width + COLUMN_GAP_IN
            cursor_top, column_width = y + height, 0.0
            legend.set_bbox_to_anchor(
                (cursor_x / spec.width, cursor_top / spec.height), fig.transFigure
            )
        overflows = cursor_x + w_in > x + width + 0.05 or cursor_top - h_in < y - 0.05
        if overflows and strict:
            for placed in [*legends, legend]:
                placed.remove()
            return None
        legends.append(legend)
        cursor_top -= h_in + SECTION_GAP_IN
        column_width = max(column_width, w_in)
    return legends


def _section_legend(
    fig: Figure, title: str, handles: list[Line2D], fontsize: float, *, ncol: int = 1
) -> Legend:
    legend = fig.legend(
        handles=handles,
        ncols=ncol,
        columnspacing=1.0,
        loc="upper left",
        title=title,
        alignment="left",
        fontsize=fontsize,
        title_fontproperties={"size": fontsize + 1, "weight": "bold", "family": FONT},
        frameon=False,
        handlelength=1.8,
        handletextpad=0.6,
        borderaxespad=0.0,
        borderpad=0.2,
        labelspacing=0.45,
    )
    for text, handle in zip(legend.get_texts(), handles, strict=True):
        if handle.get_marker() in (None, "None", "none", "") and handle.get_linestyle() == "None":
            text.set_fontstyle("italic")
            text.set_color(MUTED_COLOR)
    return legend
