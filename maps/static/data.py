"""The data layers of a briefing map: asset lines and points, impact links, strikes."""

from __future__ import annotations

from dataclasses import dataclass, field

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
import shapely
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.patches import Circle
from pyproj import CRS

from strikemap.analysis.view import View
from strikemap.layers.catalog import ASSET_LAYERS, LayerSpec
from strikemap.maps import style
from strikemap.maps.static.drawing import line_segments
from strikemap.maps.static.layout import clip_and_project, inside_axes, marker_boxes, project_points
from strikemap.maps.static.legend import TEXT_COLOR
from strikemap.maps.static.selection import Selection

MANY_STRIKES = 2_000
"""Above this many strikes, markers shrink, lose their edges and are rasterised in PDF/SVG."""
MAX_COUNT_LABELS = 60
MAX_MARKER_OBSTACLES = 3_000
STACK_BADGE = {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "#777777", "lw": 0.5}
"""Box around the number of strikes drawn at one point."""


@dataclass
class Drawn:
    """What the data layers put on the map, for the legend and the label placement."""

    xy: np.ndarray
    n_links: int = 0
    target_links: bool = False
    other_links: bool = False
    asset_entries: list[tuple[str, str, bool]] = field(default_factory=list)
    """``(layer, asset type, schematic)`` of every asset symbol drawn, in drawing order."""
    strike_classes: list[str] = field(default_factory=list)
    stacked: bool = False
    selected: bool = False
    obstacles: list[np.ndarray] = field(default_factory=list)
    facility_points: dict[str, tuple[float, float]] = field(default_factory=dict)
    """Projected position of every point asset inside the map, by id (for target labels)."""

    @property
    def schematic(self) -> bool:
        """Whether a schematic (dashed) route was drawn."""
        return any(dashed for _, _, dashed in self.asset_entries)


def draw_data(
    ax: Axes,
    sel: Selection,
    crs: CRS,
    frame_ll: shapely.Polygon,
    *,
    view: View,
    links_on: bool,
) -> Drawn:
    """Draw asset lines and points, impact links and strikes; return what was drawn."""
    xy = project_points(sel.strikes, crs)
    drawn = Drawn(xy=xy)
    for spec in ASSET_LAYERS:
        frame = sel.assets.get(spec.name)
        if frame is None or frame.empty:
            continue
        if "LineString" in spec.geometry_types:
            _draw_lines(ax, frame, spec, crs, frame_ll, drawn)
        else:
            _draw_points(ax, frame, spec, crs, drawn)
    if links_on:
        _draw_links(ax, sel, xy, crs, drawn)
    _draw_strikes(ax, sel.strikes, xy, view, drawn)
    return drawn


def _draw_lines(
    ax: Axes,
    frame: gpd.GeoDataFrame,
    spec: LayerSpec,
    crs: CRS,
    frame_ll: shapely.Polygon,
    drawn: Drawn,
) -> None:
    """Draw a line layer, one collection per type and route accuracy (schematic dashed)."""
    shapes, keep = clip_and_project(frame, frame_ll, crs)
    if shapes.empty:
        return
    kept = frame[keep]
    types = _types(kept, spec)
    schematic = (kept["route_accuracy"] == "schematic").to_numpy()
    for asset_type in pd.unique(types):
        for dashed in (False, True):
            mask = (types == asset_type) & (schematic == dashed)
            if not mask.any():
                continue
            ax.add_collection(
                LineCollection(
                    line_segments(shapes.to_numpy()[mask]),
                    colors=spec.color_of(asset_type),
                    linewidths=spec.line_width,
                    linestyles=(0, (4, 2)) if dashed else "solid",
                    zorder=3,
                    capstyle="round",
                )
            )
            drawn.asset_entries.append((spec.name, str(asset_type), dashed))


def _draw_points(
    ax: Axes, frame: gpd.GeoDataFrame, spec: LayerSpec, crs: CRS, drawn: Drawn
) -> None:
    """Draw a point layer, one scatter per type, with the catalogue's colours and markers."""
    xy = project_points(frame, crs)
    inside = inside_axes(ax, xy)
    if not inside.any():
        return
    types = _types(frame, spec)
    for asset_type in style.asset_types_present(frame[inside], spec):
        mask = inside & (types == asset_type)
        ax.scatter(
            xy[mask, 0],
            xy[mask, 1],
            s=spec.marker_size**2,
            marker=spec.marker_of(asset_type),
            c=spec.color_of(asset_type),
            edgecolors="white",
            linewidths=0.6 if spec.marker_size >= 5 else 0.4,
            zorder=6.5,
        )
        drawn.asset_entries.append((spec.name, asset_type, False))
    drawn.obstacles.append(marker_boxes(ax, xy[inside], size_pt=spec.marker_size))
    ids = frame["id"].to_numpy()[inside]
    drawn.facility_points.update(zip(ids, map(tuple, xy[inside]), strict=True))


def _types(frame: gpd.GeoDataFrame, spec: LayerSpec) -> np.ndarray:
    """Each feature's legend type: its ``asset_type``, or the layer's name when it has none."""
    if "asset_type" not in frame.columns:
        return np.full(len(frame), spec.name, dtype=object)
    return frame["asset_type"].fillna(spec.name).astype(str).to_numpy(object)


def _draw_links(ax: Axes, sel: Selection, strike_xy: np.ndarray, crs: CRS, drawn: Drawn) -> None:
    """Draw one line per linked strike-asset pair: solid for targets, thin for the rest."""
    pairs = _link_pairs(sel)
    if pairs.empty or not len(strike_xy):
        return
    frames = [f[["id", "geometry"]] for f in sel.assets.values() if not f.empty]
    assets = pd.concat(frames).drop_duplicates("id").set_index("id").geometry
    position = pd.Series(np.arange(len(sel.strikes)), index=sel.strikes["id"].to_numpy())
    starts = shapely.points(strike_xy[position[pairs["strike_id"]].to_numpy()])
    targets = gpd.GeoSeries(assets[pairs["asset_id"]].to_numpy(), crs=4326).to_crs(crs)
    lines = shapely.shortest_line(starts, targets.to_numpy())
    coords = shapely.get_coordinates(lines).reshape(-1, 2, 2)
    is_target = pairs["target"].to_numpy()
    ax.add_collection(
        LineCollection(
            coords[~is_target], colors=style.LINK_COLOR, linewidths=0.6, alpha=0.5, zorder=5
        )
    )
    ax.add_collection(
        LineCollection(
            coords[is_target], colors=style.LINK_COLOR, linewidths=1.2, alpha=0.95, zorder=5
        )
    )
    drawn.n_links = len(pairs)
    drawn.target_links = bool(is_target.any())
    drawn.other_links = bool((~is_target).any())


def _link_pairs(sel: Selection) -> pd.DataFrame:
    """Distinct (strike, asset) pairs of the shown links whose asset and strike are known."""
    links = sel.links
    frame = pd.DataFrame(
        {
            "strike_id": links["strike_id"].astype(str).to_numpy(),
            "asset_id": links["asset_id"].astype(object).fillna("").astype(str).to_numpy(),
            "target": (links["relation"].astype(str) == "target").to_numpy(),
        }
    )
    asset_ids = [f["id"] for f in sel.assets.values() if not f.empty]
    known = pd.concat(asset_ids) if asset_ids else pd.Series([], dtype=object)
    frame = frame[frame["asset_id"].isin(known).to_numpy()]
    frame = frame[frame["strike_id"].isin(sel.strikes["id"]).to_numpy()]
    return frame.groupby(["strike_id", "asset_id"], sort=False)["target"].any().reset_index()


def _strike_colors(strikes: gpd.GeoDataFrame, view: View) -> tuple[np.ndarray, list[str]]:
    """Return RGBA colours (alpha from location precision) and the legend classes present."""
    if view.color_by == "age":
        # the interactive map's rule, so that a strike has the same colour on screen and paper
        reference = pd.Timestamp(view.date_to) if view.date_to else pd.Timestamp.today()
        reference = reference.normalize()
        colors = style.age_colors(strikes["date"], reference=reference)
        present = set(pd.unique(colors))
        classes = [c for c in style.AGE_COLORS if c in present]
    else:
        colors = style.weapon_colors(strikes["weapon"])
        present = set(pd.unique(strikes["weapon"].astype(object)))
        classes = [w for w in style.WEAPON_COLORS if w in present]
    codes, uniques = pd.factorize(pd.Series(colors, dtype=object))
    rgba = mpl.colors.to_rgba_array(list(uniques))[codes] if len(codes) else np.empty((0, 4))
    precision = pd.to_numeric(strikes["geo_precision"], errors="coerce")
    rgba[:, 3] = precision.map(style.PRECISION_OPACITY).fillna(0.6).to_numpy()
    return rgba, classes


def _draw_strikes(
    ax: Axes, strikes: gpd.GeoDataFrame, xy: np.ndarray, view: View, drawn: Drawn
) -> None:
    if strikes.empty:
        return
    rgba, drawn.strike_classes = _strike_colors(strikes, view)
    many = len(strikes) > MANY_STRIKES
    size = 10 if many else 64
    edge = "none" if many else "#3a0000"
    ax.scatter(
        xy[:, 0],
        xy[:, 1],
        s=size,
        c=rgba,
        edgecolors=edge,
        linewidths=0.5,
        zorder=6,
        rasterized=many,
    )
    if view.selected is not None:
        drawn.selected = _draw_selected(ax, strikes, xy, view.selected, size=size)
    unique, counts = np.unique(np.round(xy, 0), axis=0, return_counts=True)
    drawn.obstacles.append(marker_boxes(ax, unique[:MAX_MARKER_OBSTACLES], size_pt=7))
    stacked = counts > 1
    if 0 < stacked.sum() <= MAX_COUNT_LABELS:
        drawn.stacked = True
        for (x, y), count in zip(unique[stacked], counts[stacked], strict=True):
            ax.annotate(
                str(count),
                xy=(x, y),
                xytext=(4, 4),
                textcoords="offset points",
                ha="left",
                va="bottom",
                fontsize=6,
                fontweight="bold",
                color=TEXT_COLOR,
                bbox=STACK_BADGE,
                zorder=8,
            )
        badges = ax.transData.transform(unique[stacked]) + np.array([4, 4]) * ax.figure.dpi / 72
        size = 12 * ax.figure.dpi / 72
        drawn.obstacles.append(np.column_stack([badges, badges + size]))


def _draw_selected(
    ax: Axes, strikes: gpd.GeoDataFrame, xy: np.ndarray, selected: str, *, size: float
) -> bool:
    """Ring the selected strike and draw its location-uncertainty circle, as on screen."""
    from strikemap.maps.interactive import UNCERTAINTY_RADIUS_M  # imports folium: only when needed

    chosen = np.flatnonzero((strikes["id"] == selected).to_numpy())
    if not len(chosen):
        return False
    x, y = xy[chosen[0]]
    precision = pd.to_numeric(pd.Series([strikes["geo_precision"].iloc[chosen[0]]]))[0]
    radius = UNCERTAINTY_RADIUS_M.get(int(precision) if pd.notna(precision) else 3, 25_000.0)
    ax.add_artist(
        Circle(
            (x, y),
            radius,
            facecolor=style.LINK_COLOR,
            alpha=0.08,
            edgecolor="none",
            zorder=5,
        )
    )
    ax.add_artist(
        Circle(
            (x, y),
            radius,
            facecolor="none",
            edgecolor=style.LINK_COLOR,
            linestyle=(0, (6, 4)),
            linewidth=1.2,
            zorder=5,
        )
    )
    ax.scatter(
        [x],
        [y],
        s=size * 3,
        facecolors="none",
        edgecolors=style.LINK_COLOR,
        linewidths=1.8,
        zorder=7,
    )
    return True
