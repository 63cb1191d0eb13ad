"""The data layers of a briefing map: asset lines and points, impact links, strikes."""

from __future__ import annotations

from collections.abc import Mapping
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
    pipeline_types: list[tuple[str, bool]] = field(default_factory=list)
    power_lines: list[bool] = field(default_factory=list)
    facility_types: list[str] = field(default_factory=list)
    fuel_stations: bool = False
    strike_classes: list[str] = field(default_factory=list)
    stacked: bool = False
    selected: bool = False
    obstacles: list[np.ndarray] = field(default_factory=list)
    facility_points: dict[str, tuple[float, float]] = field(default_factory=dict)


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
    _draw_lines(ax, sel.assets.get("pipelines"), crs, frame_ll, drawn, kind="pipelines")
    _draw_lines(ax, sel.assets.get("power_lines"), crs, frame_ll, drawn, kind="power_lines")
    _draw_facilities(ax, sel.assets, crs, frame_ll, drawn)
    if links_on:
        _draw_links(ax, sel, xy, crs, drawn)
    _draw_strikes(ax, sel.strikes, xy, view, drawn)
    return drawn


def _draw_lines(
    ax: Axes,
    frame: gpd.GeoDataFrame | None,
    crs: CRS,
    frame_ll: shapely.Polygon,
    drawn: Drawn,
    *,
    kind: str,
) -> None:
    if frame is None or frame.empty:
        return
    shapes, keep = clip_and_project(frame, frame_ll, crs)
    if shapes.empty:
        return
    kept = frame[keep]
    if kind == "pipelines":
        types = kept["asset_type"].fillna("gas_transmission").to_numpy()
    else:
        types = np.full(len(kept), "power_line", dtype=object)
    schematic = (kept["route_accuracy"] == "schematic").to_numpy()
    for line_type in pd.unique(types):
        for dashed in (False, True):
            mask = (types == line_type) & (schematic == dashed)
            if not mask.any():
                continue
            color = style.PIPELINE_COLORS.get(line_type, style.POWER_LINE_COLOR)
            width = 1.0 if kind == "power_lines" else 1.6
            segments = line_segments(shapes.to_numpy()[mask])
            ax.add_collection(
                LineCollection(
                    segments,
                    colors=color,
                    linewidths=width,
                    linestyles=(0, (4, 2)) if dashed else "solid",
                    zorder=3,
                    capstyle="round",
                )
            )
            if kind == "pipelines":
                drawn.pipeline_types.append((line_type, dashed))
            else:
                drawn.power_lines.append(dashed)


def _draw_facilities(
    ax: Axes,
    assets: Mapping[str, gpd.GeoDataFrame],
    crs: CRS,
    frame_ll: shapely.Polygon,
    drawn: Drawn,
) -> None:
    facilities = assets.get("facilities")
    if facilities is not None and not facilities.empty:
        xy = project_points(facilities, crs)
        types = facilities["asset_type"].to_numpy()
        inside = inside_axes(ax, xy)
        for facility_type in style.FACILITY_COLORS:
            mask = inside & (types == facility_type)
            if mask.any():
                ax.scatter(
                    xy[mask, 0],
                    xy[mask, 1],
                    s=34,
                    marker=style.FACILITY_MARKERS[facility_type],
                    c=style.FACILITY_COLORS[facility_type],
                    edgecolors="white",
                    linewidths=0.6,
                    zorder=6.5,
                )
                drawn.facility_types.append(facility_type)
        drawn.obstacles.append(marker_boxes(ax, xy[inside], size_pt=6))
        ids = facilities["id"].to_numpy()[inside]
        drawn.facility_points = dict(zip(ids, map(tuple, xy[inside]), strict=True))
    stations = assets.get("fuel_stations")
    if stations is not None and not stations.empty:
        xy = project_points(stations, crs)
        inside = inside_axes(ax, xy)
        if inside.any():
            ax.scatter(
                xy[inside, 0],
                xy[inside, 1],
                s=14,
                c=style.FUEL_STATION_COLOR,
                edgecolors="white",
                linewidths=0.4,
                zorder=6.5,
            )
            drawn.fuel_stations = True
            drawn.obstacles.append(marker_boxes(ax, xy[inside], size_pt=4))


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
