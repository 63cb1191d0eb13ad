"""Map furniture: scale bar, north arrow, the "no strikes" note, titles and footer."""

from __future__ import annotations

import textwrap

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib_scalebar.scalebar import ScaleBar

from strikemap.maps.static.captions import wrap_text
from strikemap.maps.static.layout import (
    FOOTER_PT,
    MARGIN_IN,
    MIN_TITLE_PT,
    SUBTITLE_LINES,
    SUBTITLE_PT,
    TITLE_PT,
)
from strikemap.maps.static.legend import FONT, MUTED_COLOR, TEXT_COLOR
from strikemap.maps.static.options import Page


def draw_furniture(ax: Axes, strike_xy: np.ndarray, renderer) -> list[np.ndarray]:
    """Draw the scale bar and north arrow in the emptiest corners; return their boxes."""
    bottom = _emptiest_corner(ax, strike_xy, ("lower left", "lower right"))
    top = _emptiest_corner(ax, strike_xy, ("upper right", "upper left"))
    scalebar = ScaleBar(
        1.0,
        units="m",
        dimension="si-length",
        location=bottom,
        length_fraction=0.22,
        box_alpha=0.8,
        border_pad=0.6,
        font_properties={"family": FONT, "size": 7},
        scale_loc="top",
    )
    ax.add_artist(scalebar)
    arrow_x = 0.955 if top == "upper right" else 0.045
    ax.annotate(
        "N",
        xy=(arrow_x, 0.975),
        xytext=(arrow_x, 0.9),
        xycoords="axes fraction",
        textcoords="axes fraction",
        ha="center",
        va="top",
        fontsize=9,
        fontweight="bold",
        color=TEXT_COLOR,
        arrowprops={"arrowstyle": "-|>,head_width=0.35,head_length=0.7", "color": TEXT_COLOR},
        zorder=9,
    )
    arrow_box = ax.transAxes.transform([[arrow_x - 0.035, 0.85], [arrow_x + 0.035, 1.0]])
    return [scalebar.get_window_extent(renderer).extents.reshape(1, 4), arrow_box.reshape(1, 4)]


def _emptiest_corner(ax: Axes, xy: np.ndarray, corners: tuple[str, str]) -> str:
    """Of two corners, return the one with fewer strikes in the corner third of the map."""
    if not len(xy):
        return corners[0]
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    fx, fy = (xy[:, 0] - x0) / (x1 - x0), (xy[:, 1] - y0) / (y1 - y0)
    counts = []
    for corner in corners:
        near_x = fx < 0.3 if corner.endswith("left") else fx > 0.7
        near_y = fy < 0.2 if corner.startswith("lower") else fy > 0.8
        counts.append(int(np.count_nonzero(near_x & near_y)))
    return corners[int(np.argmin(counts))]


def draw_no_match(ax: Axes, renderer) -> np.ndarray:
    """Say on the map that no strike matches; return the note's display box."""
    text = ax.text(
        0.5,
        0.5,
        "No strikes match the filters",
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=14,
        color=TEXT_COLOR,
        bbox={"boxstyle": "round,pad=0.6", "facecolor": "white", "edgecolor": "#999999"},
        zorder=10,
    )
    return text.get_window_extent(renderer).extents.reshape(1, 4)


def draw_titles(fig: Figure, spec: Page, title: str, subtitle: str, renderer) -> None:
    """Draw the title (shrunk, then shortened, to fit one line) and two lines of subtitle."""
    top = 1 - MARGIN_IN / spec.height
    left = MARGIN_IN / spec.width
    width_px = (spec.width - 2 * MARGIN_IN) * fig.dpi
    text = fig.text(left, top, title, ha="left", va="top", fontweight="bold", color=TEXT_COLOR)
    for size in range(TITLE_PT, MIN_TITLE_PT - 1, -1):
        text.set_fontsize(size)
        if text.get_window_extent(renderer).width <= width_px:
            break
    else:
        chars = int(len(title) * width_px / text.get_window_extent(renderer).width)
        text.set_text(textwrap.shorten(title, max(10, chars - 1), placeholder="…"))
    lines = wrap_text(subtitle, width_in=spec.width - 2 * MARGIN_IN, fontsize=SUBTITLE_PT)
    if len(lines) > SUBTITLE_LINES:
        last = " ".join(lines[SUBTITLE_LINES - 1 :])
        limit = len(lines[SUBTITLE_LINES - 1])
        lines = [*lines[: SUBTITLE_LINES - 1], textwrap.shorten(last, limit, placeholder=" …")]
    fig.text(
        left,
        top - 0.36 / spec.height,
        "\n".join(lines),
        ha="left",
        va="top",
        fontsize=SUBTITLE_PT,
        color=MUTED_COLOR,
        linespacing=1.35,
    )


def draw_footer(fig: Figure, lines: list[str]) -> None:
    """Draw the footer lines (cut-off date, sources, attribution) at the page's foot."""
    spec_w, spec_h = fig.get_size_inches()
    fig.text(
        MARGIN_IN / spec_w,
        MARGIN_IN / spec_h,
        "\n".join(lines),
        ha="left",
        va="bottom",
        fontsize=FOOTER_PT,
        color=MUTED_COLOR,
        linespacing=1.3,
    )
