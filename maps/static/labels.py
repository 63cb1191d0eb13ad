"""Place map labels without overlaps: a greedy search over a few positions per label."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backend_bases import RendererBase
from matplotlib.text import Text
from matplotlib.transforms import Bbox

LABEL_PAD_PX = 2.0
"""Extra room kept around every label, in pixels of the rendered figure."""

AROUND_POINT: tuple[tuple[float, float, str, str], ...] = (
    (5, 3, "left", "bottom"),
    (5, -3, "left", "top"),
    (-5, 3, "right", "bottom"),
    (-5, -3, "right", "top"),
    (6, 0, "left", "center"),
    (-6, 0, "right", "center"),
    (0, 6, "center", "bottom"),
    (0, -6, "center", "top"),
)
"""Candidate offsets (points) and alignments around a marker, best first."""

ON_POINT: tuple[tuple[float, float, str, str], ...] = (
    (0, 0, "center", "center"),
    (0, 14, "center", "center"),
    (0, -14, "center", "center"),
    (24, 0, "center", "center"),
    (-24, 0, "center", "center"),
)
"""Candidates for area labels (country and sea names): centred, then nudged."""


@dataclass(frozen=True)
class LabelRequest:
    """A label to place at a point in data coordinates.

    Parameters
    ----------
    text
        The label.
    x, y
        Anchor in the axes' data coordinates.
    priority
        Lower is placed first and so wins conflicts.
    candidates
        Offsets in points and alignments to try, best first.
    style
        Keyword arguments for ``Axes.annotate`` (fontsize, color, weight, ...).
    """

    text: str
    x: float
    y: float
    priority: int = 0
    candidates: tuple[tuple[float, float, str, str], ...] = AROUND_POINT
    style: dict[str, object] = field(default_factory=dict)


def boxes_overlap(box: np.ndarray, boxes: np.ndarray) -> bool:
    """Return whether ``box`` (x0, y0, x1, y1) overlaps any row of ``boxes`` (n x 4)."""
    if len(boxes) == 0:
        return False
    return bool(
        np.any(
            (box[0] < boxes[:, 2])
            & (box[2] > boxes[:, 0])
            & (box[1] < boxes[:, 3])
            & (box[3] > boxes[:, 1])
        )
    )


def place_labels(
    ax: Axes,
    requests: Iterable[LabelRequest],
    *,
    renderer: RendererBase,
    obstacles: Sequence[Bbox] | np.ndarray = (),
) -> list[Text]:
    """Draw each label at the first candidate position that collides with nothing placed.

    Labels are tried in priority order; a label that fits nowhere inside the axes is left out.

    Parameters
    ----------
    ax
        Axes to draw on.
    requests
        The labels wanted.
    renderer
        Renderer of the figure, used to measure text.
    obstacles
        Display-space boxes (``Bbox`` objects or an n x 4 array) labels must not cover, such as
        the scale bar, the north arrow and markers.

    Returns
    -------
    list of Text
        The labels drawn; ``len`` tells how many fitted.
    """
    taken = _as_array(obstacles)
    frame = ax.get_window_extent(renderer).extents
    placed: list[Text] = []
    for request in sorted(requests, key=lambda r: r.priority):
        text = _place_one(ax, request, renderer, frame, taken)
        if text is not None:
            placed.append(text)
            box = text.get_window_extent(renderer).extents + _pad()
            taken = np.vstack([taken, box])
    return placed


def _place_one(
    ax: Axes, request: LabelRequest, renderer: RendererBase, frame: np.ndarray, taken: np.ndarray
) -> Text | None:
    text = ax.annotate(
        request.text,
        xy=(request.x, request.y),
        xytext=(0, 0),
        textcoords="offset points",
        annotation_clip=False,
        **request.style,  # type: ignore[arg-type]
    )
    for dx, dy, ha, va in request.candidates:
        text.set_position((dx, dy))
        text.set_horizontalalignment(ha)
        text.set_verticalalignment(va)
        box = text.get_window_extent(renderer).extents + _pad()
        inside = box[0] >= frame[0] and box[1] >= frame[1]
        inside = inside and box[2] <= frame[2] and box[3] <= frame[3]
        if inside and not boxes_overlap(box, taken):
            return text
    text.remove()
    return None


def _pad() -> np.ndarray:
    return np.array([-LABEL_PAD_PX, -LABEL_PAD_PX, LABEL_PAD_PX, LABEL_PAD_PX])


def _as_array(obstacles: Sequence[Bbox] | np.ndarray) -> np.ndarray:
    if isinstance(obstacles, np.ndarray):
        return obstacles.reshape(-1, 4).astype(float)
    if not obstacles:
        return np.empty((0, 4))
    return np.array([b.extents for b in obstacles], dtype=float)
