"""Who made the data: one Credit per source dataset, as its licence asks to be credited.

The catalogue names the credits of each layer (``LayerSpec.credits``); maps, exports and the
app read the attribution from there, and the importers take their dataset URLs from here, so a
licence or a link is written once.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass

CC_BY_4 = "CC BY 4.0"
CC_BY_4_URL = "https://creativecommons.org/licenses/by/4.0/"
CC0 = "CC0 1.0"
CC0_URL = "https://creativecommons.org/publicdomain/zero/1.0/"
PUBLIC_DOMAIN = "public domain"


@dataclass(frozen=True)
class Credit:
    """A source dataset and how its licence asks to be credited.

    Parameters
    ----------
    key
        Short name used in code and provenance (``gem``, ``geonames``).
    name
        Who made it and what it is, as the credit line shows it.
    url
        Where the dataset is published ("" for the project's own research).
    licence
        Licence name (``CC BY 4.0``, ``public domain``).
    licence_url
        The licence text, when it has one.
    changes
        What strikemap changed, as CC BY asks ("" when nothing needs saying).
    """

    key: str
    name: str
    url: str
    licence: str
    licence_url: str = ""
    changes: str = ""

    @property
    def text(self) -> str:
        """One plain-text credit line: ``name (licence)``."""
        return f"{self.name} ({self.licence})"

    @property
    def html(self) -> str:
        """The credit line as escaped HTML with links to the dataset and the licence."""
        name = html.escape(self.name)
        if self.url:
            name = f'<a href="{html.escape(self.url)}">{name}</a>'
        licence = html.escape(self.licence)
        if self.licence_url:
            licence = f'<a href="{html.escape(self.licence_url)}">{licence}</a>'
        return f"{name} ({licence})"


OPEN_DATA_CHANGES = (
    "clipped to the map region, renamed to the strikemap schema, joined to research assets"
)

RESEARCH = Credit(
    "research",
    "strikemap research",
    "",
    "sources cited on every feature",
)
GEM = Credit(
    "gem",
    "Global Energy Monitor, Global Gas and Oil Infrastructure Trackers",
    "https://globalenergymonitor.org/projects/global-gas-infrastructure-tracker/",
    CC_BY_4,
    CC_BY_4_URL,
    f"{OPEN_DATA_CHANGES}; routes of research pipelines cut at and joined to their end points; "
    "'?' in names restored to '–'",
)
SCIGRID = Credit(
    "scigrid",
    "SciGRID_gas, DLR Institute of Networked Energy Systems",
    "https://www.gas.scigrid.de/",
    CC_BY_4,
    CC_BY_4_URL,
    OPEN_DATA_CHANGES,
)
GRIDKIT = Credit(
    "gridkit",
    "ENTSO-E interactive map extract via GridKit and PyPSA-Eur (The PyPSA-Eur Authors)",
    "https://github.com/PyPSA/pypsa-eur",
    CC_BY_4,
    CC_BY_4_URL,
    f"{OPEN_DATA_CHANGES}; voltage classes written as nominal kV; not endorsed by ENTSO-E",
)
POWERPLANTMATCHING = Credit(
    "powerplantmatching",
    "powerplantmatching v0.6.0 (Gotzens et al., PyPSA)",
    "https://github.com/PyPSA/powerplantmatching",
    CC_BY_4,
    CC_BY_4_URL,
    OPEN_DATA_CHANGES,
)
REFINERIES = Credit(
    "refineries",
    "PyPSA-Eur non-EU refineries table (after EIA and Wikipedia)",
    "https://github.com/PyPSA/pypsa-eur",
    CC0,
    CC0_URL,
)
WPI = Credit(
    "wpi",
    "NGA World Port Index (Pub. 150)",
    "https://msi.nga.mil/Publications/WPI",
    PUBLIC_DOMAIN,
)
GEONAMES = Credit(
    "geonames",
    "GeoNames",
    "https://www.geonames.org/",
    CC_BY_4,
    CC_BY_4_URL,
    "places selected by population and clipped to the map region",
)
NATURAL_EARTH = Credit(
    "naturalearth",
    "Natural Earth",
    "https://www.naturalearthdata.com/",
    PUBLIC_DOMAIN,
)
UCDP = Credit(
    "ucdp",
    "UCDP Georeferenced Event Dataset, Uppsala Conflict Data Program "
    "(Sundberg & Melander 2013; Davies et al.)",
    "https://ucdp.uu.se/downloads/",
    CC_BY_4,
    CC_BY_4_URL,
    f"{OPEN_DATA_CHANGES}; where_prec mapped to geo_precision",
)

CREDITS: dict[str, Credit] = {
    c.key: c
    for c in (
        RESEARCH,
        GEM,
        SCIGRID,
        GRIDKIT,
        POWERPLANTMATCHING,
        REFINERIES,
        WPI,
        GEONAMES,
        NATURAL_EARTH,
        UCDP,
    )
}
"""Every credited dataset by key."""


def attribution_text(credits: Iterable[Credit]) -> str:
    """Return the plain-text attribution of ``credits``: their lines joined by ``; ``."""
    return "; ".join(c.text for c in credits)


def attribution_html(credits: Iterable[Credit]) -> str:
    """Return the attribution of ``credits`` as escaped HTML with links, joined by ``; ``."""
    return "; ".join(c.html for c in credits)
