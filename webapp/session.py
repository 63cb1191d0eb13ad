"""The app's page state without Streamlit: URL -> widget values -> View -> URL, and the radii.

``app.py`` keeps the values in ``st.session_state`` and the URL in ``st.query_params``; these
functions only turn one into the other, so the rules (clamping, notices) are tested on dicts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from strikemap.analysis.dataset import Dataset
from strikemap.analysis.view import View, view_from_query, view_to_query
from strikemap.geo.rules import RELATION_ORDER, ImpactRules
from strikemap.maps.interactive import BASEMAPS, OFFLINE_BASEMAP, STRIKE_MODES, UNCERTAINTY_RADIUS_M
from strikemap.webapp.panels import choices

Radii = tuple[tuple[tuple[int, float], ...], tuple[tuple[int, float], ...], float]
"""``(hit radii, threat radii, border radius)`` in metres, hashable for Streamlit's caches."""
MAP_OPTIONS = {"basemap": (tuple(BASEMAPS), OFFLINE_BASEMAP), "strike_mode": (STRIKE_MODES, "auto")}
"""Map options kept in the URL beside the view: name -> (allowed values, default)."""


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
        Session-state values by widget key, plus ``url_notices`` (list of str).
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
    """Return the URL of a view: its non-defaults, minus the full time window, plus map options."""
    params = view_to_query(view)
    if view.date_from == dates[0]:
        params.pop("date_from", None)
    if view.date_to == dates[1]:
        params.pop("date_to", None)
    for name, (_, default) in MAP_OPTIONS.items():
        if state.get(name, default) != default:
            params[name] = str(state[name])
    return params


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
