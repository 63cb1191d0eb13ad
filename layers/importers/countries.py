"""Country codes and names used by the open datasets -> ISO 3166 alpha-3, as strikemap writes it."""

from __future__ import annotations

import pandas as pd

ISO2_TO_ISO3: dict[str, str] = {
    "AL": "ALB",
    "AM": "ARM",
    "AT": "AUT",
    "AZ": "AZE",
    "BA": "BIH",
    "BG": "BGR",
    "BY": "BLR",
    "CY": "CYP",
    "CZ": "CZE",
    "DE": "DEU",
    "EE": "EST",
    "FI": "FIN",
    "GE": "GEO",
    "GR": "GRC",
    "HR": "HRV",
    "HU": "HUN",
    "IQ": "IRQ",
    "IR": "IRN",
    "IT": "ITA",
    "KZ": "KAZ",
    "LT": "LTU",
    "LV": "LVA",
    "MD": "MDA",
    "ME": "MNE",
    "MK": "MKD",
    "PL": "POL",
    "RO": "ROU",
    "RS": "SRB",
    "RU": "RUS",
    "SE": "SWE",
    "SI": "SVN",
    "SK": "SVK",
    "SY": "SYR",
    "TR": "TUR",
    "UA": "UKR",
    "XK": "KOS",
}
"""ISO 3166 alpha-2 -> alpha-3 for the countries of the region; Kosovo as Natural Earth's KOS
(``data/country_codes.csv``)."""

NAME_TO_ISO3: dict[str, str] = {
    "albania": "ALB",
    "armenia": "ARM",
    "austria": "AUT",
    "azerbaijan": "AZE",
    "belarus": "BLR",
    "bosnia and herzegovina": "BIH",
    "bulgaria": "BGR",
    "croatia": "HRV",
    "cyprus": "CYP",
    "czechia": "CZE",
    "czech republic": "CZE",
    "estonia": "EST",
    "georgia": "GEO",
    "greece": "GRC",
    "hungary": "HUN",
    "italy": "ITA",
    "kosovo": "KOS",
    "latvia": "LVA",
    "lithuania": "LTU",
    "moldova": "MDA",
    "montenegro": "MNE",
    "north macedonia": "MKD",
    "macedonia": "MKD",
    "poland": "POL",
    "romania": "ROU",
    "russia": "RUS",
    "serbia": "SRB",
    "slovakia": "SVK",
    "slovenia": "SVN",
    "sweden": "SWE",
    "turkey": "TUR",
    "türkiye": "TUR",
    "ukraine": "UKR",
}
"""English country names as powerplantmatching and the World Port Index write them -> ISO3."""


def iso3_from_iso2(codes: pd.Series) -> pd.Series:
    """Map ISO alpha-2 codes to alpha-3; unknown or empty codes become None."""
    text = codes.astype(object).where(codes.notna(), "").astype(str).str.strip().str.upper()
    return text.map(ISO2_TO_ISO3).astype(object).where(lambda s: s.notna(), None)


def iso3_from_name(names: pd.Series) -> pd.Series:
    """Map English country names to alpha-3; unknown or empty names become None."""
    text = names.astype(object).where(names.notna(), "").astype(str).str.strip().str.lower()
    return text.map(NAME_TO_ISO3).astype(object).where(lambda s: s.notna(), None)
