"""What the map component reports, turned into the app's events (no Streamlit).

streamlit-folium's frontend reports the map's centre and zoom, the last click on the map, and the
tooltip text of the last layer clicked with a running count. A strike's tooltip names it as
``[s:TOKEN:INDEX]`` (``maps.live.strikes.strike_ref``); the map's own controls send messages
the same way (``strikemap:basemap:NAME``, see ``runtime.js``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from strikemap.maps.live.strikes import strike_ref
from strikemap.webapp.session import MapView, map_view_of

RETURNED = (
    "last_clicked",
    "last_object_clicked",
    "last_object_clicked_tooltip",
    "last_object_clicked_count",
    "center",
    "zoom",
)
"""What the app asks the map component to report (each change reruns the app)."""
MESSAGE_PREFIX = "strikemap:"
BASEMAP_MESSAGE = "strikemap:basemap:"


@dataclass(frozen=True)
class Drawn:
    """What the map shows: the strikes' token and ids in drawing order (clicks name rows)."""

    token: str
    ids: Sequence[str]


@dataclass(frozen=True)
class MapEvents:
    """What happened on the map since the last report."""

    selected: str | None = None
    """A strike clicked (its id)."""
    basemap: str | None = None
    """A basemap chosen on the map (the offline notice's button)."""
    probe_at: tuple[float, float] | None = None
    """Where the map was clicked (``lat, lon``), for the what-if probe."""
    view: MapView | None = None
    """The map's place and zoom now."""
    clicks: int = 0
    """The running count of layer clicks (to tell a new click from the last one)."""
    map_click: tuple[float, float] | None = None
    """The last click on the map itself (to tell a new one from the last one)."""


def read_map_value(
    value: Mapping[str, object] | None,
    *,
    drawn: Drawn | None,
    last_clicks: int,
    last_map_click: tuple[float, float] | None,
) -> MapEvents:
    """Return the events in the map component's ``value`` that are new.

    Parameters
    ----------
    value
        The component's value (None before the map reported anything).
    drawn
        The strikes as last drawn (the token and ids a click refers to).
    last_clicks
        ``MapEvents.clicks`` of the previous report.
    last_map_click
        ``MapEvents.map_click`` of the previous report.
    """
    if not value:
        return MapEvents(clicks=last_clicks, map_click=last_map_click)
    clicks = int(value.get("last_object_clicked_count") or 0)  # type: ignore[call-overload]
    map_click = _latlng(value.get("last_clicked"))
    selected = basemap = None
    if clicks != last_clicks:
        tooltip = str(value.get("last_object_clicked_tooltip") or "")
        if tooltip.startswith(BASEMAP_MESSAGE):
            basemap = tooltip[len(BASEMAP_MESSAGE) :]
        else:
            selected = clicked_strike(tooltip, drawn)
    probe_at = map_click if map_click is not None and map_click != last_map_click else None
    return MapEvents(
        selected=selected,
        basemap=basemap,
        probe_at=probe_at,
        view=map_view_of(value),
        clicks=clicks,
        map_click=map_click,
    )


def clicked_strike(tooltip: str, drawn: Drawn | None) -> str | None:
    """Return the id of the strike a clicked tooltip names, if it belongs to the map drawn."""
    ref = strike_ref(tooltip)
    if ref is None or drawn is None:
        return None
    token, index = ref
    if token != drawn.token or not 0 <= index < len(drawn.ids):
        return None  # a click on a map drawn before the last change: ignored
    return str(drawn.ids[index])


def _latlng(where: object) -> tuple[float, float] | None:
    if not isinstance(where, Mapping) or where.get("lat") is None:
        return None
    return float(where["lat"]), float(where["lng"])  # type: ignore[arg-type]
