"""The live map's legend: a section per kind of symbol, only for what the map draws.

Rows carry a ``symbol`` the browser draws (``runtime.js``: point, line, dash, route, area,
area-dash, ring, circle, stack, label) and, for catalogue layers, the ``layer`` whose toggle
hides them. Labels are escaped here.
"""

from __future__ import annotations

from collections.abc import Mapping

import geopandas as gpd

from strikemap.layers.catalog import CATALOG, STRIKES, LayerSpec
from strikemap.maps import popups, style
from strikemap.maps.live.config import COUNTRIES_LAYER, PLACES_LAYER
from strikemap.maps.live.layers import REGION_STYLE, is_area
from strikemap.maps.live.strikes import PRECISION_WORDS
from strikemap.maps.style import LegendEntry


def legend_sections(
    color_by: str,
    layers: Mapping[str, gpd.GeoDataFrame],
    *,
    selection: Mapping[str, object] | None = None,
    region_outlines: bool = False,
) -> list[dict[str, object]]:
    """Return the legend of a view: strikes, the selection (if any), assets, other layers.

    Parameters
    ----------
    color_by
        ``weapon`` or ``age`` (the strikes' colours).
    layers
        The layers on the map (rows only for types present).
    selection
        The selection payload (``selection.selection_payload``), if a strike is selected.
    region_outlines
        Some strikes are drawn as the outline of their region.
    """
    sections = [_section(f"Strikes by {color_by}", _strike_rows(color_by, region_outlines))]
    if selection:
        sections.append(_section("Selected strike", _selection_rows(selection)))
    assets = style.asset_legend(layers)
    if assets:
        sections.append(_section("Assets", [_row(e) for e in assets]))
    sections.append(_section("Map", _map_rows(layers)))
    return sections


def _section(title: str, rows: list[dict[str, object]]) -> dict[str, object]:
    return {"title": popups.text(title), "rows": rows}


def _row(entry: LegendEntry, **extra: object) -> dict[str, object]:
    return {
        "label": popups.text(entry.label),
        "color": entry.color,
        "symbol": entry.symbol,
        "layer": entry.layer,
        **extra,
    }


def _strike_rows(color_by: str, region_outlines: bool) -> list[dict[str, object]]:
    # a colour row per class; the browser keeps the rows of classes on the map
    rows = [_row(e, cls=i) for i, e in enumerate(style.strike_legend(color_by))]
    rows.append(_row(LegendEntry("stacked strikes: count (click to spread)", "#222", "stack")))
    vague = " → ".join(PRECISION_WORDS[p] for p in sorted(style.PRECISION_OPACITY))
    opacities = [style.PRECISION_OPACITY[p] for p in sorted(style.PRECISION_OPACITY)]
    words = f"paler: vaguer location ({vague})"
    rows.append(_row(LegendEntry(words, "#7f7f7f", "precision"), opacities=opacities))
    if region_outlines:
        rows.append(_row(LegendEntry("strike located only to a region", "#7f7f7f", "area-dash")))
    return rows


def _selection_rows(selection: Mapping[str, object]) -> list[dict[str, object]]:
    kind = "what-if probe" if selection.get("probe") else "selected strike"
    rows = [_row(LegendEntry(kind, style.LINK_COLOR, "ring"))]
    if selection.get("radius"):
        words = "uncertainty of its location (hit radius)"
        rows.append(_row(LegendEntry(words, style.LINK_COLOR, "circle")))
    if selection.get("region"):
        words = "the region it is located to"
        rows.append(_row(LegendEntry(words, style.LINK_COLOR, "area-dash")))
    links = selection.get("links") or []
    if any(k.get("confidence") != "low" for k in links):  # type: ignore[union-attr]
        words = "link to an asset hit (named, or within the hit radius)"
        rows.append(_row(LegendEntry(words, style.LINK_COLOR, "line")))
    if any(k.get("confidence") == "low" for k in links):  # type: ignore[union-attr]
        words = "link to an asset only threatened (low confidence)"
        rows.append(_row(LegendEntry(words, style.LINK_COLOR, "dash")))
    if selection.get("routes"):
        words = "supply or transit route along the pipelines"
        rows.append(_row(LegendEntry(words, style.ROUTE_COLOR, "route")))
    tiers = {c.get("tier") for c in selection.get("countries") or []}  # type: ignore[union-attr]
    if "affected" in tiers:
        words = "country affected (high or medium confidence)"
        rows.append(_row(LegendEntry(words, style.AFFECTED_EDGE_COLOR, "area")))
    if "exposed" in tiers:
        words = "country exposed (low confidence only)"
        rows.append(_row(LegendEntry(words, style.AFFECTED_EDGE_COLOR, "area-dash")))
    return rows


def _map_rows(layers: Mapping[str, gpd.GeoDataFrame]) -> list[dict[str, object]]:
    rows = [_row(LegendEntry("place names, larger places first", "#222", "label", PLACES_LAYER))]
    for spec in CATALOG:
        frame = layers.get(spec.name)
        skip = spec.is_asset or spec.name in (STRIKES.name, PLACES_LAYER)
        if skip or frame is None or frame.empty:
            continue
        rows.append(_row(_layer_entry(spec)))
    return rows


def _layer_entry(spec: LayerSpec) -> LegendEntry:
    if spec.name == COUNTRIES_LAYER:
        return LegendEntry("country border", style.COUNTRY_EDGE_COLOR, "line", spec.name)
    if is_area(spec):
        return LegendEntry(f"{spec.title}: border", REGION_STYLE["color"], "area-dash", spec.name)
    symbol = "line" if "LineString" in spec.geometry_types else "point"
    return LegendEntry(spec.title, spec.color, symbol, spec.name)
