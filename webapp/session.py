"""The app's page state without Streamlit: URL -> widget values -> View -> URL, and the radii.

``app.py`` keeps the values in ``st.session_state`` and the URL in ``st.query_params``; these
functions only turn one into the other, so the rules (clamping, notices) are tested on dicts.
Besides the view's filters, the URL keeps the map's place and zoom (``center``, ``zoom``), the
impact radii (``hit``, ``threat`` per precision and ``border``, in km) and the what-if probe
(``probe=lat,lon,precision``), so a shared link reopens exactly what the sender saw. The map
keeps ``center`` and ``zoom`` current in the address itself as it moves (``maps/live/runtime.js``);
the app reads them when a page opens and writes back what it read.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping

from strikemap.analysis.dataset import Dataset
from strikemap.analysis.view import View, view_from_query, view_to_query
from strikemap.geo.rules import (
    BORDER_RADIUS_M,
    HIT_RADIUS_M,
    RELATION_ORDER,
    THREAT_RADIUS_M,
    ImpactRules,
)
from strikemap.layers.schema import GEO_PRECISION_CODES
from strikemap.maps.live import BASEMAPS, OFFLINE_BASEMAP, STRIKE_MODES, UNCERTAINTY_RADIUS_M
from strikemap.maps.live.config import MAX_ZOOM, MIN_ZOOM
from strikemap.webapp.panels import choices

Radii = tuple[tuple[tuple[int, float], ...], tuple[tuple[int, float], ...], float]
"""``(hit radii, threat radii, border radius)`` in metres, hashable for Streamlit's caches."""
MapView = tuple[float, float, int]
"""Where the map looks: ``(lat, lon, zoom)``."""
MAP_OPTIONS = {"basemap": (tuple(BASEMAPS), OFFLINE_BASEMAP), "strike_mode": (STRIKE_MODES, "auto")}
"""Map options kept in the URL beside the view: name -> (allowed values, default)."""
RADIUS_KINDS = {"hit": HIT_RADIUS_M, "threat": THREAT_RADIUS_M}
"""Radii per location precision, by widget prefix (``hit_1`` is the hit radius of precision 1)."""
VIEW_DECIMALS = 4
"""Decimals of the map's centre in the URL (about 10 m)."""
DEFAULT_PROBE = (45.39, 28.53, 1)
"""Where the what-if probe starts: near Orlivka, located to a town."""


def filter_options(data: Dataset) -> dict[str, list[str]]:
    """Return the choices of the data-dependent multiselects."""
    return {
        "countries": choices([*data.countries["iso3"], *data.relations["country"]]),
        "asset_types": choices(data.assets["asset_type"]),
        "relations": list(RELATION_ORDER),
    }


def initial_state(
    params: Mapping[str, str], data: Dataset, dates: tuple[dt.date, dt.date]
) -> dict[str, object]:
    """Return the widget values a URL describes; bad values are dropped with a notice each.

    Parameters
    ----------
    params
        The URL's query parameters.
    data
        The data shown (known countries, asset types and strike ids).
    dates
        First and last strike date: the time window is clamped to them.

    Returns
    -------
    dict
        Session-state values by widget key, plus ``map_view`` (``(lat, lon, zoom)`` or None)
        and ``url_notices`` (list of str).
    """
    view, notices = view_from_query(params)
    for name, allowed in filter_options(data).items():
        unknown = [v for v in getattr(view, name) if v not in allowed]
        if unknown:
            notices.append(f"Ignored URL parameter {name}: unknown value(s) {unknown}.")
            view = view.with_(**{name: tuple(v for v in getattr(view, name) if v in allowed)})
    first, last = dates
    window = (
        max(min(view.date_from or first, last), first),
        min(max(view.date_to or last, first), last),
    )
    if (view.date_from and view.date_from < first) or (view.date_to and view.date_to > last):
        notices.append(f"The time window was clamped to the data's dates {first} .. {last}.")
    if view.selected and not data.strikes["id"].eq(view.selected).any():
        notices.append(f"Ignored URL parameter selected={view.selected!r}: no such strike.")
        view = view.with_(selected=None)
    options = {}
    for name, (allowed, default) in MAP_OPTIONS.items():
        options[name] = params.get(name, default)
        if options[name] not in allowed:
            notices.append(f"Ignored URL parameter {name}={params[name]!r}: not one of {allowed}.")
            options[name] = default
    return {
        "window": window,
        "window_dates": window,
        "weapons": list(view.weapons),
        "precisions": list(view.precisions),
        "countries": list(view.countries),
        "asset_types": list(view.asset_types),
        "relations": list(view.relations),
        "min_confidence": view.min_confidence,
        "include_reported": view.include_reported,
        "include_context": view.include_context,
        "include_candidates": view.include_candidates,
        "color_by": view.color_by,
        "selected": view.selected or "",
        "bbox": view.bbox,
        **options,
        **radii_state(params, notices),
        **probe_state(params, notices),
        "map_view": map_view_from(params, notices),
        "url_notices": notices,
    }


def view_from_state(state: Mapping[str, object]) -> View:
    """Return the View the widget values describe."""
    date_from, date_to = state["window"]  # type: ignore[misc]
    return View(
        date_from=date_from,
        date_to=date_to,
        weapons=tuple(state["weapons"]),  # type: ignore[arg-type]
        precisions=tuple(state["precisions"]),  # type: ignore[arg-type]
        countries=tuple(state["countries"]),  # type: ignore[arg-type]
        asset_types=tuple(state["asset_types"]),  # type: ignore[arg-type]
        relations=tuple(state["relations"]),  # type: ignore[arg-type]
        min_confidence=state["min_confidence"],  # type: ignore[arg-type]
        include_reported=bool(state.get("include_reported", True)),
        include_context=bool(state["include_context"]),
        include_candidates=bool(state["include_candidates"]),
        bbox=state.get("bbox"),  # type: ignore[arg-type]
        color_by=state["color_by"],  # type: ignore[arg-type]
        selected=state["selected"] or None,  # type: ignore[arg-type]
    )


def url_params(
    view: View, dates: tuple[dt.date, dt.date], state: Mapping[str, object]
) -> dict[str, str]:
    """Return a page's URL parameters.

    They are the view's non-defaults (minus the full time window), the map options, the map's
    place and zoom, the radii that differ from the defaults, and the probe when it is on.
    """
    params = view_to_query(view)
    if view.date_from == dates[0]:
        params.pop("date_from", None)
    if view.date_to == dates[1]:
        params.pop("date_to", None)
    for name, (_, default) in MAP_OPTIONS.items():
        if state.get(name, default) != default:
            params[name] = str(state[name])
    for kind, defaults in RADIUS_KINDS.items():
        km = [float(state.get(f"{kind}_{p}", defaults[p] / 1000)) for p in sorted(defaults)]
        if km != [defaults[p] / 1000 for p in sorted(defaults)]:
            params[kind] = ",".join(_number(v) for v in km)
    if float(state.get("border", BORDER_RADIUS_M / 1000)) != BORDER_RADIUS_M / 1000:
        params["border"] = _number(float(state["border"]))  # type: ignore[arg-type]
    if state.get("probe_on"):
        lat, lon, precision = state.get("_probe", DEFAULT_PROBE)  # type: ignore[misc]
        params["probe"] = f"{lat:.{VIEW_DECIMALS}f},{lon:.{VIEW_DECIMALS}f},{int(precision)}"
    where = state.get("map_view")
    if where:
        lat, lon, zoom = where  # type: ignore[misc]
        params["center"] = f"{lat:.{VIEW_DECIMALS}f},{lon:.{VIEW_DECIMALS}f}"
        params["zoom"] = str(int(zoom))
    return params


def _number(value: float) -> str:
    return f"{value:g}"


# ------------------------------------------------------------------------------------------
# Radii, probe and map view in the URL


def radii_state(params: Mapping[str, str], notices: list[str]) -> dict[str, float]:
    """Return the radius widgets' values (km) from ``hit``, ``threat`` and ``border``."""
    state: dict[str, float] = {}
    for kind, defaults in RADIUS_KINDS.items():
        km = [defaults[p] / 1000 for p in sorted(defaults)]
        if kind in params:
            parsed = _numbers(params[kind], len(km))
            if parsed is None or min(parsed) < 0:
                notices.append(
                    f"Ignored URL parameter {kind}={params[kind]!r}: expected {len(km)} "
                    f"distances in km (precision {', '.join(map(str, sorted(defaults)))})."
                )
            else:
                km = parsed
        state.update({f"{kind}_{p}": v for p, v in zip(sorted(defaults), km, strict=True)})
    state["border"] = BORDER_RADIUS_M / 1000
    if "border" in params:
        parsed = _numbers(params["border"], 1)
        if parsed is None or parsed[0] < 0:
            notices.append(f"Ignored URL parameter border={params['border']!r}: expected km.")
        else:
            state["border"] = parsed[0]
    return state


def probe_state(params: Mapping[str, str], notices: list[str]) -> dict[str, object]:
    """Return the probe widgets' values from ``probe=lat,lon,precision`` (off without it)."""
    lat, lon, precision = DEFAULT_PROBE
    state: dict[str, object] = {"probe_on": False}
    if "probe" in params:
        parsed = _numbers(params["probe"], 3)
        if (
            parsed is None
            or not (-90 <= parsed[0] <= 90 and -180 <= parsed[1] <= 180)
            or int(parsed[2]) not in GEO_PRECISION_CODES
        ):
            notices.append(
                f"Ignored URL parameter probe={params['probe']!r}: expected lat,lon,precision "
                "(e.g. 45.39,28.53,1)."
            )
        else:
            lat, lon, precision = parsed[0], parsed[1], int(parsed[2])
            state["probe_on"] = True
    return {
        **state,
        "probe_lat": lat,
        "probe_lon": lon,
        "probe_precision": precision,
        "_probe": (lat, lon, precision),
    }


def map_view_from(params: Mapping[str, str], notices: list[str]) -> MapView | None:
    """Return ``(lat, lon, zoom)`` from ``center=lat,lon`` and ``zoom``, or None."""
    if "center" not in params and "zoom" not in params:
        return None
    center = _numbers(params.get("center", ""), 2)
    zoom = _numbers(params.get("zoom", ""), 1)
    if (
        center is None
        or zoom is None
        or not (-90 <= center[0] <= 90 and -180 <= center[1] <= 180)
        or not MIN_ZOOM <= zoom[0] <= MAX_ZOOM
    ):
        notices.append(
            f"Ignored URL parameters center={params.get('center')!r}, zoom={params.get('zoom')!r}:"
            f" expected center=lat,lon and a zoom from {MIN_ZOOM} to {MAX_ZOOM}."
        )
        return None
    return round(center[0], VIEW_DECIMALS), round(center[1], VIEW_DECIMALS), int(zoom[0])


def _numbers(text: str, count: int) -> list[float] | None:
    try:
        values = [float(part) for part in str(text).split(",")]
    except ValueError:
        return None
    if len(values) != count or not all(math.isfinite(v) for v in values):
        return None
    return values


# ------------------------------------------------------------------------------------------
# Rules


def radii_of(state: Mapping[str, object]) -> Radii:
    """Return the radii the rule widgets hold (km in the widgets, metres in the rules)."""
    hit = {p: 1000 * float(state[f"hit_{p}"]) for p in sorted(HIT_RADIUS_M)}  # type: ignore[arg-type]
    threat = {p: 1000 * float(state[f"threat_{p}"]) for p in sorted(THREAT_RADIUS_M)}  # type: ignore[arg-type]
    return radii_from(hit, threat, 1000 * float(state["border"]))  # type: ignore[arg-type]


def rules_from(radii: Radii) -> ImpactRules:
    """Build the impact rules from ``(hit radii, threat radii, border radius)`` in metres."""
    hit, threat, border = radii
    return ImpactRules(hit_radius_m=dict(hit), threat_radius_m=dict(threat), border_radius_m=border)


def radii_from(hit: Mapping[int, float], threat: Mapping[int, float], border: float) -> Radii:
    """Return the radii the rule widgets give, as hashable tuples.

    A threat circle smaller than its hit circle is widened to it, not refused.
    """
    threat = {p: max(threat.get(p, 0.0), hit[p]) for p in hit}
    return tuple(sorted(hit.items())), tuple(sorted(threat.items())), float(border)


def marker_radii(radii: Radii) -> dict[int, float]:
    """Return the uncertainty circle of each location precision: its hit radius."""
    hit = dict(radii[0])
    return {p: hit.get(p, UNCERTAINTY_RADIUS_M[p]) for p in UNCERTAINTY_RADIUS_M}
