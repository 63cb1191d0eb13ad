"""What the map component reports, turned into the app's events (no Streamlit).

streamlit-folium's frontend reports the tooltip text of the last layer clicked, with a running
count; nothing else, so panning and zooming never rerun the app (the map keeps its place in the
page's address itself, ``runtime.js``). A strike's tooltip names it as ``[s:TOKEN:INDEX]``
(``maps.live.strikes.strike_ref``); the map sends its own messages the same way:
``strikemap:ready`` (the first strikes are drawn), ``strikemap:basemap:NAME`` (the offline
notice's button) and ``strikemap:probe:LAT,LON`` (a click on the map while the what-if probe is
on).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from strikemap.maps.live.strikes import strike_ref

RETURNED = ("last_object_clicked_count", "last_object_clicked_tooltip")
"""What the app asks the map component to report (each change reruns the app)."""
DEFAULT_VALUE = {"last_object_clicked_count": 0, "last_object_clicked_tooltip": None}
"""What the map reports before any click: the same as the component's first report, so the map
reports first when it has drawn its strikes (``READY_MESSAGE``), not when it starts."""
READY_MESSAGE = "strikemap:ready"
"""The map's first report: its first strikes are drawn."""
BASEMAP_MESSAGE = "strikemap:basemap:"
PROBE_MESSAGE = "strikemap:probe:"


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
    """Where the map was clicked (``lat, lon``) with the what-if probe on."""
    clicks: int = 0
    """The running count of layer clicks (to tell a new click from the last one)."""


def read_map_value(
    value: Mapping[str, object] | None, *, drawn: Drawn | None, last_clicks: int
) -> MapEvents:
    """Return the event in the map component's ``value``, if it is new.

    Parameters
    ----------
    value
        The component's value (None before the map reported anything).
    drawn
        The strikes as last drawn (the token and ids a click refers to).
    last_clicks
        ``MapEvents.clicks`` of the previous report.
    """
    if not value:
        return MapEvents(clicks=last_clicks)
    clicks = int(value.get("last_object_clicked_count") or 0)  # type: ignore[call-overload]
    if clicks == last_clicks:
        return MapEvents(clicks=clicks)
    tooltip = str(value.get("last_object_clicked_tooltip") or "")
    if tooltip.startswith(BASEMAP_MESSAGE):
        return MapEvents(basemap=tooltip[len(BASEMAP_MESSAGE) :], clicks=clicks)
    if tooltip.startswith(PROBE_MESSAGE):
        return MapEvents(probe_at=_latlon(tooltip[len(PROBE_MESSAGE) :]), clicks=clicks)
    return MapEvents(selected=clicked_strike(tooltip, drawn), clicks=clicks)


def clicked_strike(tooltip: str, drawn: Drawn | None) -> str | None:
    """Return the id of the strike a clicked tooltip names, if it belongs to the map drawn."""
    ref = strike_ref(tooltip)
    if ref is None or drawn is None:
        return None
    token, index = ref
    if token != drawn.token or not 0 <= index < len(drawn.ids):
        return None  # a click on a map drawn before the last change: ignored
    return str(drawn.ids[index])


def _latlon(text: str) -> tuple[float, float] | None:
    try:
        lat, lon = (float(part) for part in text.split(","))
    except ValueError:
        return None
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None
