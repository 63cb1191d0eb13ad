"""The view on the base map: basemap choice, strikes, legend and selection as one payload.

``overlay_json`` writes it (the strikes part may come pre-serialised, since it is the large and
slowly changing part); ``overlay_script`` wraps it as the feature-group script
streamlit-folium's frontend evaluates on each change; ``Overlay`` puts it into a standalone map.
"""

from __future__ import annotations

from collections.abc import Mapping

from branca.element import MacroElement
from jinja2 import Template

from strikemap.maps.live.base import script_json
from strikemap.maps.live.config import BASEMAPS

OVERLAY_GROUP = "feature_group_feature_group_0"
"""The variable streamlit-folium's frontend expects a feature group script to define."""


def overlay_json(
    *,
    basemap: str,
    strikes_json: str,
    legend: list[dict[str, object]],
    selection: Mapping[str, object] | None = None,
) -> str:
    """Return the overlay payload as script-safe JSON.

    Parameters
    ----------
    basemap
        A key of ``BASEMAPS``.
    strikes_json
        ``script_json(strikes_payload(...))``, made once per view of the strikes.
    legend
        ``legend.legend_sections(...)``.
    selection
        ``selection.selection_payload(...)`` or None.
    """
    if basemap not in BASEMAPS:
        msg = f"unknown basemap {basemap!r}; choose one of {', '.join(BASEMAPS)}"
        raise ValueError(msg)
    rest = script_json({"basemap": basemap, "legend": legend, "selection": selection})
    return rest[:-1] + ',"strikes":' + strikes_json + "}"


def overlay_script(payload_json: str) -> str:
    """Return the script streamlit-folium evaluates to replace the previous overlay."""
    return (
        f"var {OVERLAY_GROUP} = strikemap.overlay(map_div, {payload_json});\n"
        f"map_div.addLayer({OVERLAY_GROUP});\n"
        "window.feature_group = window.feature_group || [];\n"
        f"window.feature_group.push({OVERLAY_GROUP});\n"
    )


class Overlay(MacroElement):
    """The overlay of a standalone map (after the base map's runtime)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        strikemap.overlay({{ this._parent.get_name() }}, {{ this.payload }})
            .addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, payload_json: str) -> None:
        super().__init__()
        self._name = "StrikemapOverlay"
        self.payload = payload_json
