"""Build the shipped asset and strike layers and relations.csv from the research folder.

Why one long module: most of its lines are the curated tables themselves (one reviewed
decision per row); kept in one file so a reviewer reads every decision about ``data/`` in one
place, in the order the layers are built.

This script is the reviewable record of how ``data/`` was made from ``research/`` (events.csv,
assets.csv, facts.md). Every curated decision is plain data below: which research row becomes
which feature, its id, where its point is and how precise that is on the project scale (DESIGN
section 3), what the point stands for (``location_note``) and which assets a strike names. Values
that the research states (dates, places, coordinates, operators, consequences, source URLs) are
read from the CSV files, never retyped; coordinates of pipeline and power-line waypoints are copied
from the research route texts, each with its research id.

The shipped GeoJSON is the source of truth; run this again only to rebuild it from the research::

    python scripts/build_research_layers.py [--research-dir DIR] [--data-dir DIR]

Project precision scale: 0 the feature itself; 1 a named town or village at its coordinates
(a settlement centroid); 2 near a town or part of a district; 3 a region stand-in or a disputed
site. The research files use 1 exact / 2 near / 3 centroid, so their codes are not copied.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from strikemap.layers.catalog import (
    FACILITIES,
    FUEL_STATIONS,
    PIPELINES,
    POWER_LINES,
    STRIKES,
    LayerSpec,
)
from strikemap.layers.io import STORAGE_CRS, normalise_layer, write_layer, write_relations
from strikemap.layers.paths import resolve_data_dir

REPO_DIR = Path(__file__).resolve().parents[1]
DEFAULT_RESEARCH_DIR = REPO_DIR.parent / "shared" / "research"

# ---------------------------------------------------------------------------------------------
# Vocabulary mappings

RESEARCH_COUNTRIES = {
    "UA": "UKR",
    "AZ": "AZE",
    "RO": "ROU",
    "MD": "MDA",
    "BG": "BGR",
    "GR": "GRC",
    "US": "USA",
    "TR": "TUR",
    "FI": "FIN",
}
"""Two-letter codes in events.csv ``countries_affected`` -> ISO 3166 alpha-3."""

UNKNOWN_WEAPON_PHRASES = ("type not stated",)
COMBINED_WEAPON_PHRASES = ("missiles and drones",)
MISSILE_WORDS = ("missile", "kinzhal", "iskander")
DRONE_WORDS = ("drone", "shahed", "geran")
APPROXIMATE_DATE_WORD = "approximate"
SOURCE_SEPARATOR = " ; "

# ---------------------------------------------------------------------------------------------
# Sources: copies replaced by their original publisher where the research names it, and copies
# that cannot ship. Every research URL not listed here is shipped as the research gives it.

SOURCE_FIXES: dict[str, str | None] = {
    # A Wikipedia mirror; the research says the Novosilske point is "derived from de.wikipedia",
    # and the mirror's path is the article's title.
    "https://kampuspedia.com/de/Nowosilske_(Ismajil)": (
        "https://de.wikipedia.org/wiki/Nowosilske_(Ismajil)"
    ),
    # A Wikipedia mirror whose path is the English article's title.
    "https://pinocchiopedia.com/wiki/Trans-Balkan_pipeline": (
        "https://en.wikipedia.org/wiki/Trans-Balkan_pipeline"
    ),
    # Raw IP addresses (the research calls both Reuters copies); the research has no original
    # Reuters URL, and a raw IP never ships (the validator refuses it).
    "http://15.188.152.128/?p=500071": None,
    "http://3.127.128.221/?p=1318448": None,
    # A wiki mirror that gave only the Etulia Noua coordinates, which no feature uses any more.
    "https://xn--b1aeclack5b4j.su/wiki/%D0%9D%D0%BE%D0%B2%D0%B0%D1%8F_%D0%95%D1%82%D1%83%D0%BB"
    "%D0%B8%D1%8F": None,
}
"""Research source URL -> the original publisher's URL, or None to leave the copy out."""

# ---------------------------------------------------------------------------------------------
# Named points copied from the research (lat, lon). Settlement centroids unless stated.

POINT = {
    # B-E15 / facts.md: Orlivka from a de.wikipedia mirror; routes round it to 45.32, 28.45.
    "orlivka": (45.3194, 28.4506),
    # B-A01: approx. Novosilske, derived from "11 km NE of Orlivka"; stands for the Orlivka CS/GMS.
    "orlivka_cs": (45.39, 28.53),
    # B-A02: midpoint guess between Orlivka and Isaccea.
    "isaccea_orlivka_ip": (45.30, 28.455),
    # B-A03 route waypoints.
    "revithoussa": (37.96, 23.40),
    "kulata": (41.39, 23.37),
    "kardam": (43.75, 28.10),
    "negru_voda": (43.82, 28.21),
    "isaccea": (45.27, 28.46),
    "causeni": (46.64, 29.41),
    "ananiv": (47.72, 29.97),
    # B-A05
    "komotini": (41.12, 25.41),
    "stara_zagora": (42.43, 25.63),
    # B-A06
    "iasi": (47.16, 27.59),
    "ungheni": (47.21, 27.80),
    "chisinau": (47.01, 28.86),
    # B-A11 (assets.csv lat/lon); B-A12/B-A13 round it to 46.62, 31.10.
    "pivdenne": (46.6220, 31.1010),
    "brody": (50.08, 25.15),
    "kremenchuk": (49.07, 33.42),
    # B-E05 / B-A15 and B-E12 / B-A14: the Reni and Izmail town centroids of the research rows.
    "reni": (45.4567, 28.2833),
    "izmail": (45.3500, 28.8375),
    # B-A20, B-A21, B-A22
    "vulcanesti": (45.68, 28.40),
    "mgres": (46.62, 29.92),
    "pivdennoukrainska_npp": (47.81, 31.22),
}

POINT_LABEL = {
    "orlivka": "Orlivka",
    "orlivka_cs": "the Orlivka CS/GMS point (approx. Novosilske)",
    "isaccea_orlivka_ip": "the Isaccea-Orlivka IP (midpoint guess)",
    "revithoussa": "Revithoussa LNG",
    "kulata": "Kulata/Sidirokastro",
    "kardam": "Kardam",
    "negru_voda": "Negru Voda",
    "isaccea": "Isaccea",
    "causeni": "Causeni",
    "ananiv": "Ananiv",
    "komotini": "Komotini",
    "stara_zagora": "Stara Zagora",
    "iasi": "Iasi",
    "ungheni": "Ungheni",
    "chisinau": "Chisinau",
    "pivdenne": "Pivdenne",
    "brody": "Brody",
    "kremenchuk": "Kremenchuk",
    "reni": "Reni",
    "izmail": "Izmail",
    "vulcanesti": "Vulcanesti",
    "mgres": "MGRES/Cuciurgan (approx.)",
    "pivdennoukrainska_npp": "Pivdennoukrainska NPP (approx.)",
}
"""How the location notes of lines name the waypoints."""

# ---------------------------------------------------------------------------------------------
# Strikes: one entry per events.csv row. Coordinates, date, weapon text, target, operator,
# consequences, countries and sources come from the row; the entry adds what the row cannot say.

ODESA = "Odesa"
DEPOT_DOUBT = (
    "The depot's site is disputed: 'suburbs of Odesa, Odesa district' (governor Kiper), the former "
    "Sintez Oil terminal in Odesa port (Haqqin.az), 'Svitanok Oil Trade' near Odesa (pro-Russian "
    "channel), 'south of Odesa region' (Reuters), 'near Orlivka' (Caliber, probably an error). "
    "Azerbaijani and Ukrainian media say 8 and 18 Aug hit the same depot; Reuters wrote 'another "
    "SOCAR depot' (facts.md section 4, item 3)."
)

B_E06_EXTRA = (
    "Warehouses, oil storage tanks and administrative buildings were damaged across the two "
    "ports; the sources do not say which port had the tanks. The date (Wednesday 13 Sep 2023, "
    "facts.md section 4, item 10) and the tanks are from a Reuters report that the research read "
    "on a copy at a raw IP address, which is not shipped; babel.ua (and RFE/RL for Izmail), found "
    "in the data review, date the attack on the ports to the night of 13 Sep 2023."
)
BABEL_2023_09_13 = (
    # Found in the data review (stored public pages), not in the research: "Russian forces
    # overnight attacked Ukrainian port infrastructure in Reni and Izmail" (13 Sep 2023). With
    # RFE/RL (Izmail port damaged early on 13 Sep 2023) it replaces the raw-IP Reuters copy as
    # the source of the date and the places.
    "https://babel.ua/en/news/98434-in-romania-the-wreckage-of-a-drone-was-found-again-after-"
    "the-russian-attack-on-the-south-of-ukraine"
)
RFERL_2023_09_13 = "https://rferl.org/amp/romania-russian-drone-debris/32590895.html"

STRIKE_DECISIONS: dict[str, dict[str, object] | tuple[dict[str, object], ...]] = {
    "B-E01": {
        "place_slug": "odesa",
        "name": "Missile strike on the Odesa oil refinery and fuel storage",
        "geo_precision": 1,
        "admin1": ODESA,
        "target_ids": ["fac-odesa-refinery"],
        "location_note": "Odesa city centroid; the refinery lies in the north of the city "
        "(Kyiv Post), its own position is not sourced.",
    },
    "B-E02": {
        "place_slug": "vulcanesti",
        "name": "Isaccea-Vulcanesti 400 kV line trips during Russian strikes on Ukraine's grid",
        "geo_precision": 3,
        "status": "context",
        "admin1": "Gagauzia",
        "target_ids": ["power-isaccea-vulcanesti-mgres"],
        "location_note": "Vulcanesti (Moldova) town centroid, the Moldovan end of the 400 kV "
        "line that disconnected; the strikes were across Ukraine, not located, and the blackout "
        "covered most of Moldova.",
    },
    "B-E03": {
        "place_slug": "chisinau",
        "name": "Moldova-wide blackout after Russian strikes on Ukraine's grid",
        "geo_precision": 3,
        "status": "context",
        "admin1": "Chisinau",
        "location_note": "Chisinau centroid standing in for a blackout across Moldova; the "
        "strikes on Ukraine's grid that caused it are not located.",
    },
    "B-E04": {
        "place_slug": "odesa-oblast",
        "name": "Drone strikes on DTEK energy facilities in Odesa oblast",
        "geo_precision": 3,
        "admin1": ODESA,
        "location_note": "Odesa city centroid standing in for several unnamed DTEK facilities "
        "in Odesa oblast.",
    },
    "B-E05": {
        "place_slug": "reni",
        "name": "Drone strike on Reni port",
        "geo_precision": 1,
        "admin1": ODESA,
        "target_ids": ["fac-reni-port"],
        "extra": "Grain warehouses, not energy; kept for the Romania link.",
        "location_note": "Reni town centroid; the port lies at the town on the Danube, its own "
        "position is not sourced.",
    },
    # B-E06 names two ports 45 km apart: one strike per port (ACLED codes one event per place
    # and day), each at its town like B-E05 and B-E12, rather than one point at Reni with the
    # Izmail port 45 km from it "hit".
    "B-E06": (
        {
            "place_slug": "reni",
            "point": "reni",
            "place": "Reni port, Izmail district (with Izmail port the same night)",
            "name": "Drone strike on Reni port; oil storage tanks damaged at Reni or Izmail",
            "geo_precision": 1,
            "admin1": ODESA,
            "target_ids": ["fac-reni-port"],
            "extra": B_E06_EXTRA,
            "extra_sources": (BABEL_2023_09_13,),
            "location_note": "Reni town centroid; the port lies at the town on the Danube, its "
            "own position is not sourced. One of two strikes of the night on Reni and Izmail "
            "ports (research row B-E06, split by port).",
        },
        {
            "place_slug": "izmail",
            "point": "izmail",
            "place": "Izmail port, Izmail district (with Reni port the same night); drone "
            "fragments in Tulcea county (RO) near Nufarul and Victoria",
            "name": "Drone strike on Izmail port; oil storage tanks damaged at Reni or Izmail",
            "geo_precision": 1,
            "admin1": ODESA,
            "target_ids": ["fac-izmail-port"],
            "extra": B_E06_EXTRA,
            "extra_sources": (BABEL_2023_09_13, RFERL_2023_09_13),
            "location_note": "Izmail city centroid; the port lies along the town's Danube bank, "
            "its own position is not sourced. One of two strikes of the night on Reni and Izmail "
            "ports (research row B-E06, split by port); drone fragments fell in Tulcea county, "
            "Romania, near Nufarul and Victoria.",
        },
    ),
    "B-E07": {
        "place_slug": "orlivka",
        "name": "Drone strikes in the Orlivka area near the Isaccea ferry",
        "geo_precision": 1,
        "admin1": ODESA,
        "location_note": "Orlivka village (coordinates from a Wikipedia mirror); impacts were "
        "near the Orlivka-Isaccea ferry and the target is not specified. Date approximate "
        "(late September 2023, ADZ/Rador).",
    },
    "B-E08": {
        "place_slug": "izmail",
        "name": "Drone strikes on Danube ports in Izmail district; crater in Romania",
        "geo_precision": 2,
        "admin1": ODESA,
        "location_note": "Izmail city centroid standing in for Danube port infrastructure in "
        "Izmail district; the crater was on the Romanian bank about 3 km west of Plauru.",
    },
    "B-E09": {
        "place_slug": "kyiv",
        "name": "Kinzhal missile falls near the Embassy of Azerbaijan in Kyiv",
        "geo_precision": 2,
        "status": "context",
        "admin1": "Kyiv",
        "target_ids": ["fac-kyiv-embassy-aze"],
        "location_note": "District-level point in Lukyanivka, Kyiv, near the Azerbaijani "
        "embassy; outside the Odesa region, shown as context.",
    },
    "B-E10": {
        "place_slug": "odesa-danube-ports",
        "point": "izmail",
        "place": "Danube ports of Izmail district, and Odesa; debris near Etulia (Vulcanesti "
        "district, Moldova), about 15 km NE of Reni",
        "name": "Drone strikes on Odesa and Danube ports; debris found in Moldova",
        "geo_precision": 2,
        "admin1": ODESA,
        "location_note": "Izmail city centroid standing in for Danube port infrastructure in "
        "Izmail district, where the sources place the attack (Babel: 'attacked the Izmail "
        "district'); Kyiv Independent also names port infrastructure in Odesa, not located and "
        "not mapped apart. The research point, Etulia Noua (Moldova), is where Shahed debris "
        "was found on 11 Feb 2024, about 15 km NE of Reni and 40 km from Izmail: the place of "
        "the debris, not of the strike.",
    },
    "B-E11": {
        "place_slug": "odesa",
        "name": "Drone strike on Odesa energy infrastructure",
        "geo_precision": 1,
        "admin1": ODESA,
        "location_note": "Odesa city centroid; the damaged infrastructure is not named or located.",
    },
    "B-E12": {
        "place_slug": "izmail",
        "name": "Drone strikes on Izmail port on two nights; debris in Romania",
        "geo_precision": 1,
        "admin1": ODESA,
        "target_ids": ["fac-izmail-port"],
        "location_note": "Izmail city centroid; the port lies at the town, its own position is "
        "not sourced. Debris fell in a forest near Plauru (Tulcea, Romania).",
    },
    "B-E14": {
        "place_slug": "izmail-kiliia",
        "name": "Drone strikes on port infrastructure near Izmail and Kiliia",
        "geo_precision": 2,
        "admin1": ODESA,
        "location_note": "Izmail city centroid standing in for port infrastructure near Izmail "
        "and Kiliia, along the Romanian river border.",
    },
    "B-E15": {
        "place_slug": "orlivka",
        "place": "Novosilske / Orlivka, Reni hromada, Izmail district (near the Romanian border, "
        "opposite Isaccea)",
        "name": "Drone strike on Orlivka gas compressor station",
        "geo_precision": 2,
        "admin1": ODESA,
        "target_ids": ["fac-orlivka-cs", "pipe-tb-ua-orlivka-causeni"],
        "extra": "Sources call it a compressor station (Ministry of Energy), a metering station "
        "or interconnection point (Reuters), a gas distribution station (Pravda/Forbes.ua); the "
        "Energy Community lists a combined CS and GMS (facts.md section 4, item 2).",
        "location_note": "Approximate Novosilske village, derived from '11 km NE of Orlivka' "
        "(de.wikipedia mirror); the station's own position is not sourced. Sources place it "
        "'in', 'near' or 'south of' Novosilske and 'near Orlivka' (facts.md section 4, item 1).",
    },
    "B-E16": {
        "place_slug": "odesa",
        "name": "Drone strike on SOCAR oil depot in Odesa oblast",
        "geo_precision": 3,
        "admin1": ODESA,
        "target_ids": ["fac-socar-odesa-depot"],
        "extra": "Drone counts differ: 5 (Ekonomichna Pravda) vs about 10 (APA/Trend) "
        "(facts.md section 4, item 4).",
        "location_note": f"Odesa city centroid standing in for the SOCAR depot. {DEPOT_DOUBT}",
    },
    "B-E17": {
        "place_slug": "odesa",
        "name": "Reported drone strike on a SOCAR filling station in Odesa (unconfirmed)",
        "geo_precision": 2,
        "status": "unconfirmed",
        "admin1": ODESA,
        "target_ids": ["fuel-socar-odesa"],
        "extra": "Reported only by Azerbaijani media and Ukrainian Telegram channels; no official "
        "Ukrainian confirmation (facts.md section 4, item 6).",
        "location_note": "Odesa city centroid standing in for a filling station somewhere in or "
        "near Odesa: its address is not given, and one of the reports speaks of Odesa region "
        "(facts.md section 1.3 and section 4, item 6).",
    },
    "B-E18": {
        "place_slug": "odesa",
        "name": "Second drone strike on SOCAR oil depot near Odesa",
        "geo_precision": 3,
        "admin1": ODESA,
        "target_ids": ["fac-socar-odesa-depot"],
        "extra": "Drone counts differ: 15 (A-95's Kuyun) vs 10; capacity given as 16,000 m3 or "
        "16,000 t; the four injured belong to 8 Aug (facts.md section 4, item 4).",
        "location_note": f"Odesa city centroid standing in for the SOCAR depot. {DEPOT_DOUBT}",
    },
    "B-E21": {
        "place_slug": "kyiv",
        "name": "Missile explodes near the Embassy of Azerbaijan in Kyiv",
        "geo_precision": 2,
        "status": "context",
        "admin1": "Kyiv",
        "target_ids": ["fac-kyiv-embassy-aze"],
        "location_note": "District-level point in Lukyanivka, Kyiv, near the Azerbaijani "
        "embassy; outside the Odesa region, shown as context.",
    },
    "B-E22": {
        "place_slug": "chornomorsk",
        "name": "Drone strikes on Chornomorsk energy infrastructure",
        "geo_precision": 1,
        "admin1": ODESA,
        "location_note": "Chornomorsk town centroid; the energy facilities hit are not named. "
        "Part of Bilhorod-Dnistrovskyi district also lost power.",
    },
    "B-E23": {
        "place_slug": "chilia-veche",
        "name": "Drone enters Romanian airspace during strikes on the Danube area",
        "geo_precision": 2,
        "status": "context",
        "admin1": "Tulcea",
        "extra": "A spill-over shown as context: no target was named and nothing was hit in "
        "Romania; the Ukrainian targets of the attack are not specified.",
        "location_note": "Chilia Veche (Romania) centroid; the drone was tracked about 20 km "
        "south-west of it in Romanian airspace. The Ukrainian targets are not specified.",
    },
    "B-E24": {
        "place_slug": "izmail",
        "name": "Drone strikes on Izmail energy and port infrastructure",
        "geo_precision": 1,
        "admin1": ODESA,
        "target_ids": ["fac-izmail-port"],
        "location_note": "Izmail city centroid; the port and the DTEK facility hit are not "
        "located further.",
    },
    "B-E25": {
        "place_slug": "kyiv",
        "name": "Iskander missile hits the grounds of the Embassy of Azerbaijan in Kyiv",
        "geo_precision": 2,
        "status": "context",
        "admin1": "Kyiv",
        "target_ids": ["fac-kyiv-embassy-aze"],
        "location_note": "District-level point in Lukyanivka, Kyiv, standing in for the "
        "Azerbaijani embassy; outside the Odesa region, shown as context.",
    },
    "B-E27": {
        "place_slug": "odesa-oblast",
        "name": "Strike on a DTEK energy facility in Odesa oblast",
        "geo_precision": 3,
        "admin1": ODESA,
        "extra": "Year inferred as 2025 from a matching port and vessel attack; verify "
        "(facts.md section 4, item 9).",
        "location_note": "Odesa city centroid standing in for an unnamed DTEK facility in "
        "Odesa oblast. Year inferred as 2025 (facts.md section 4, item 9).",
    },
    "B-E28": {
        "place_slug": "ovidiopol",
        "name": "Strike sets fire to a disused oil depot in Ovidiopol",
        "geo_precision": 1,
        "admin1": ODESA,
        "target_ids": ["fac-ovidiopol-oil-depot"],
        "location_note": "Ovidiopol town centroid; the depot's own position is not sourced and "
        "its owner is not named (facts.md section 4, item 13).",
    },
    "B-E29": {
        "place_slug": "odesa-oblast",
        "name": "Drone strikes damage a DTEK substation in Odesa oblast",
        "geo_precision": 3,
        "admin1": ODESA,
        "location_note": "Odesa city centroid standing in for a DTEK substation and another "
        "company's facility somewhere in Odesa oblast 'near major seaports'.",
    },
    "B-E30": {
        "place_slug": "pivdennyi",
        "name": "Missile and drone strikes on Odesa oblast energy and Pivdennyi port",
        "geo_precision": 3,
        "admin1": ODESA,
        "target_ids": ["fac-pivdennyi-port"],
        "location_note": "Pivdenne town centroid: the port part of the attack was at Pivdennyi "
        "port (tanks of flour and vegetable oil, not fuel); the energy facilities hit elsewhere "
        "in Odesa oblast are not named.",
    },
}

# ---------------------------------------------------------------------------------------------
# Facilities and fuel stations (Point). "research" names the row whose sources and (unless
# "point" is given) coordinates are used.

FACILITY_DECISIONS: tuple[dict[str, object], ...] = (
    {
        "id": "fac-orlivka-cs",
        "research": "B-A01",
        "name": "Orlivka gas compressor and metering station (CS/GMS Orlovka)",
        "asset_type": "compressor_station",
        "operator": "Gas TSO of Ukraine (GTSOU)",
        "owner_country": "UKR",
        "status": "operating",
        "geo_precision": 2,
        "notes": "Also a gas metering station: the Energy Community lists CS & GMS Orlovka on the "
        "Trans-Balkan pipeline; sources also call it a distribution station or interconnection "
        "point (facts.md section 4, item 2). About 55 mcm/d in 2008. Struck 6 Aug 2025; flows "
        "continued the next day.",
        "location_note": "Approximate Novosilske village, derived from '11 km NE of Orlivka'; "
        "a 2009 report puts the station 'near the village of Novoselske, Reni district, near the "
        "Ukrainian-Romanian border on the Danube'. Its own position is not sourced (facts.md "
        "section 4, item 1).",
    },
    {
        "id": "fac-isaccea-orlivka-ip",
        "research": "B-A02",
        "name": "Isaccea 1 - Orlivka gas interconnection point (Transit-1)",
        "asset_type": "interconnection_point",
        "operator": "Transgaz (RO) / GTSOU (UA)",
        "status": "operating",
        "geo_precision": 3,
        "notes": "Romania-Ukraine interconnection on Transit-1, shared by Transgaz and GTSOU. "
        "Transit-1 could carry up to 5 bcm/y if bidirectional; its long-term booking expired in "
        "2016.",
        "location_note": "A midpoint guess between Orlivka village and Isaccea (general "
        "knowledge) at the Danube crossing (about 900 m wide here), not a located facility.",
    },
    {
        "id": "fac-causeni-gms",
        "research": "B-A07",
        "point": "causeni",
        "name": "Causeni (Kaushany) gas metering station",
        "asset_type": "metering_station",
        "operator": "Vestmoldtransgaz",
        "owner_country": "MDA",
        "status": "operating",
        "geo_precision": 2,
        "notes": "Moldovan side of the cross-border metering pair GMS Hrebenyky (UA) - GMS "
        "Causeni (MD); Route 1 passes Causeni and Hrebenyky. In Jan 2009 south Odesa oblast "
        "depended on this link for gas.",
        "location_note": "Causeni town centroid standing in for GMS Causeni, which the research "
        "places at the Ukraine-Moldova border ('Causeni point UA-MD border', B-A03); the nearest "
        "border is about 18 km from the town centre, and where along it the station lies is not "
        "sourced. Kept on the town point, where the drawn Route 1 segments meet. The Ukrainian "
        "counterpart GMS Hrebenyky has no verified coordinate and is not placed (facts.md "
        "section 4, item 11).",
    },
    {
        "id": "fac-izmail-gds",
        "research": "B-A08",
        "name": "Gas distribution station, Izmail district",
        "asset_type": "gas_distribution_station",
        "owner_country": "UKR",
        "geo_precision": 3,
        "notes": "Operator not stated in the sources. No list of Odesa-oblast gas distribution "
        "stations was found.",
        "location_note": "Izmail city centroid standing in for a gas distribution station "
        "somewhere in Izmail district; the site is unknown.",
    },
    {
        "id": "fac-socar-odesa-depot",
        "research": "B-A10",
        "name": "SOCAR oil depot, Odesa",
        "asset_type": "oil_depot",
        "operator": "SOCAR Energy Ukraine",
        "owner_country": "AZE",
        "status": "damaged",
        "geo_precision": 3,
        "notes": "More than 16,000 m3 in 17 tanks (APA). Struck 8 and 18 Aug 2025; A-95's Kuyun "
        "said it was 'finally destroyed'. SOCAR Energy Ukraine is a subsidiary of Azerbaijan's "
        "state oil company.",
        "location_note": f"Odesa city centroid standing in for a disputed site. {DEPOT_DOUBT}",
    },
    {
        "id": "fac-pivdennyi-oil-terminal",
        "research": "B-A11",
        "name": "Pivdennyi (Yuzhny) marine oil terminal",
        "asset_type": "oil_terminal",
        "operator": "Ukrtransnafta (Naftogaz group)",
        "owner_country": "UKR",
        "status": "operating",
        "geo_precision": 1,
        "notes": "Start of the Odesa-Brody pipeline; tankers up to 100,000 dwt (2003). Azeri "
        "Light for the Kremenchuk refinery arrived here from 2017.",
        "location_note": "Pivdenne (Yuzhne) town centroid; the terminal's own position is not "
        "sourced.",
    },
    {
        "id": "fac-izmail-port",
        "research": "B-A14",
        "name": "Port of Izmail (incl. Izmail Oil Transshipment Complex)",
        "asset_type": "port",
        "operator": "Izmail Commercial Sea Port (state, USPA)",
        "owner_country": "UKR",
        "status": "operating",
        "geo_precision": 1,
        "notes": "Across the Chilia arm of the Danube from Romanian villages, 15 km from Tulcea; "
        "fuel imports via the Danube; ships reach it through Romania's Sulina channel. Struck "
        "several times 2023-2025.",
        "location_note": "Izmail city centroid; the port lies along the town's Danube bank, its "
        "own position is not sourced.",
    },
    {
        "id": "fac-reni-port",
        "research": "B-A15",
        "name": "Port of Reni",
        "asset_type": "port",
        "operator": "Reni Commercial Sea Port (state)",
        "owner_country": "UKR",
        "status": "operating",
        "geo_precision": 1,
        "notes": "Left bank of the Danube, 13 km across from Galati (Romania); the town also "
        "borders Moldova (Giurgiulesti). No strike on a Reni fuel facility was found.",
        "location_note": "Reni town centroid; the port's own position is not sourced.",
    },
    {
        "id": "fac-pivdennyi-port",
        "research": "B-A16",
        "name": "Port of Pivdennyi (Yuzhne)",
        "asset_type": "port",
        "operator": "State port (USPA) and private terminals",
        "owner_country": "UKR",
        "status": "operating",
        "geo_precision": 1,
        "notes": "Ukraine's largest port by cargo in 2024 (35.55 Mt). The Dec 2025 strikes hit "
        "vegetable-oil and flour tanks (Allseeds), not fuel.",
        "location_note": "Pivdenne (Yuzhne) town centroid, shared with the oil terminal; the "
        "port's own position is not sourced.",
    },
    {
        "id": "fac-odesa-oil-harbour",
        "research": "B-A17",
        "name": "Port of Odesa oil harbour (Naftogavan)",
        "asset_type": "port",
        "operator": "State port (USPA)",
        "owner_country": "UKR",
        "status": "operating",
        "geo_precision": 1,
        "notes": "Leading port for oil-product imports in Jan-May 2020 (172.4 kt). Haqqin.az "
        "says SOCAR bought a terminal here (ex-Sintez Oil) in 2017; a single source about one "
        "terminal of a state port, so Azerbaijan is not linked to the port as an owner.",
        "location_note": "Odesa city centroid; the oil harbour's own position is not sourced. "
        "Haqqin.az places the SOCAR depot struck in Aug 2025 here, which other sources dispute.",
    },
    {
        "id": "fac-chornomorsk-port",
        "research": "B-A18",
        "name": "Port of Chornomorsk",
        "asset_type": "port",
        "operator": "State port (USPA)",
        "owner_country": "UKR",
        "status": "operating",
        "geo_precision": 1,
        "notes": "No fuel terminal data found; the 30 Dec 2025 strike hit vegetable-oil tanks.",
        "location_note": "Chornomorsk town centroid; the port's own position is not sourced.",
    },
    {
        "id": "fac-odesa-refinery",
        "research": "B-A19",
        "name": "Odesa oil refinery",
        "asset_type": "refinery",
        "status": "inactive",
        "geo_precision": 1,
        "notes": "Formerly operated by Russia's Lukoil; production ceased in Oct 2009 (Kyiv "
        "Post). The current owner is not stated. Struck 3 Apr 2022.",
        "location_note": "Odesa city centroid; the refinery lies in the north of the city, its "
        "own position is not sourced.",
    },
    {
        "id": "fac-artsyz-substation",
        "research": "B-A23",
        "name": "Artsyz substation",
        "asset_type": "substation",
        "operator": "Ukrenergo",
        "owner_country": "UKR",
        "status": "operating",
        "geo_precision": 1,
        "notes": "Fed directly from Moldavskaya GRES in Transnistria (Moldova); a 330 kV "
        "Novoodeska-Artsyz line is being built to end that dependence and a Vulcanesti-Artsyz "
        "interconnection is planned. Serves south Odesa oblast (about 30% of the oblast).",
        "location_note": "Artsyz town centroid; the substation's own position is not sourced.",
    },
    {
        "id": "fac-kyiv-embassy-aze",
        "research": "B-A24",
        "name": "Embassy of Azerbaijan in Kyiv",
        "asset_type": "diplomatic_mission",
        "operator": "Government of Azerbaijan",
        "owner_country": "AZE",
        "geo_precision": 2,
        "notes": "Context, outside the Odesa region. Incidents on 2 Jan 2024, 28 Aug 2025 and "
        "14 Nov 2025; OC Media also mentions July 2025, which Azerbaijan's foreign ministry "
        "does not list (facts.md section 4, item 8).",
        "location_note": "District-level point in Lukyanivka, Kyiv, near Lukyanivska metro "
        "(OC Media); not the building itself.",
    },
    {
        "id": "fac-ovidiopol-oil-depot",
        "research": "B-E28",
        "name": "Disused oil depot, Ovidiopol",
        "asset_type": "oil_depot",
        "status": "inactive",
        "geo_precision": 1,
        "notes": "Owner not named (facts.md section 4, item 13). A strike on 1 Dec 2025 set it "
        "on fire and released about 20 t of harmful substances (Suspilne).",
        "location_note": "Ovidiopol town centroid; the depot's own position is not sourced.",
    },
)

FUEL_STATION_DECISIONS: tuple[dict[str, object], ...] = (
    {
        "id": "fuel-socar-odesa",
        "research": "B-E17",
        "name": "SOCAR filling station, Odesa (address not given)",
        "brand": "SOCAR",
        "operator": "SOCAR Energy Ukraine",
        "owner_country": "AZE",
        "geo_precision": 2,
        "notes": "Reported struck on 17 Aug 2025 by Azerbaijani media citing the Ukrainian Air "
        "Force; no official Ukrainian confirmation. SOCAR runs about 60 stations in Ukraine; none "
        "other is located in the research.",
        "location_note": "Odesa city centroid standing in for a station somewhere in or near "
        "Odesa: its address is not given (facts.md section 1.3 and section 4, item 6).",
    },
)

# ---------------------------------------------------------------------------------------------
# Lines (all schematic straight runs between research waypoints, in the drawing order given).

TRANS_BALKAN = "Trans-Balkan / Vertical Gas Corridor Route 1"
ROUTE_1_NOTE = (
    "Route 1 runs the Trans-Balkan pipeline in physical reverse, south to north: deliveries to "
    "Ukraine began in July 2025, paused in Sept-Oct 2025 (tariffs) and resumed in Nov 2025."
)

PIPELINE_DECISIONS: tuple[dict[str, object], ...] = (
    {
        "id": "pipe-tb-gr-revithoussa-kulata",
        "research": "B-A03",
        "name": "Trans-Balkan Route 1: Revithoussa LNG - Kulata/Sidirokastro (Greece)",
        "system": TRANS_BALKAN,
        "waypoints": ("revithoussa", "kulata"),
        "operator": "DESFA",
        "owner_country": "GRC",
        "notes": f"Greek grid from the Revithoussa LNG terminal to the Sidirokastro/Kulata "
        f"interconnection point. {ROUTE_1_NOTE}",
    },
    {
        "id": "pipe-tb-bg-kulata-negru-voda",
        "research": "B-A03",
        "name": "Trans-Balkan Route 1: Kulata - Kardam/Negru Voda (Bulgaria)",
        "system": TRANS_BALKAN,
        "waypoints": ("kulata", "kardam", "negru_voda"),
        "operator": "Bulgartransgaz",
        "owner_country": "BGR",
        "notes": "Bulgarian grid from Kulata to the Kardam / Negru Voda 1 interconnection point "
        "with Romania (4.1 mcm/d firm at each point); the straight line does not follow the "
        "Bulgarian network. Since 2020 the Malkoclar-Provadia section carries TurkStream gas "
        "southwards (not drawn).",
    },
    {
        "id": "pipe-tb-ro-negru-voda-isaccea",
        "research": "B-A03",
        "name": "Trans-Balkan Route 1: Negru Voda - Isaccea (Romania)",
        "system": TRANS_BALKAN,
        "waypoints": ("negru_voda", "isaccea"),
        "operator": "Transgaz",
        "owner_country": "ROU",
        "notes": f"Romanian Trans-Balkan section through Dobrogea. {ROUTE_1_NOTE}",
    },
    {
        "id": "pipe-tb-isaccea-orlivka",
        "research": "B-A03",
        "name": "Trans-Balkan Route 1: Isaccea - Orlivka Danube crossing",
        "system": TRANS_BALKAN,
        "waypoints": ("isaccea", "isaccea_orlivka_ip", "orlivka", "orlivka_cs"),
        "operator": "Transgaz (RO) / GTSOU (UA)",
        "notes": "Crossing of the Danube at the Isaccea 1 - Orlivka interconnection point "
        "(Transit-1), ending at the Orlivka CS/GMS. Ownership is shared at the border; the "
        "station point is the approximate Novosilske point of B-A01, the research route passes "
        "Orlivka village.",
    },
    {
        "id": "pipe-tb-ua-orlivka-causeni",
        "research": "B-A03",
        "name": "Trans-Balkan Route 1: Orlivka - Causeni (Odesa oblast towards Moldova)",
        "system": TRANS_BALKAN,
        "waypoints": ("orlivka_cs", "causeni"),
        "operator": "GTSOU (UA); Vestmoldtransgaz (MD) near Causeni",
        "owner_country": "UKR",
        "notes": "The Odesa-oblast segment towards Moldova. The sources do not locate where it "
        "enters Moldova, so it runs straight to the Causeni metering point and includes the "
        "Moldovan stretch before Causeni; which of Transit 1-3 carries Route 1 and whether it "
        "passes CS Vulcanesti is unresolved (facts.md section 4, item 11).",
    },
    {
        "id": "pipe-tb-causeni-ananiv",
        "research": "B-A03",
        "name": "Trans-Balkan Route 1: Causeni - Hrebenyky - Ananiv (Moldova, Ukraine)",
        "system": TRANS_BALKAN,
        "waypoints": ("causeni", "ananiv"),
        "operator": "Vestmoldtransgaz (MD) / GTSOU (UA)",
        "owner_country": "UKR",
        "notes": "From Causeni across Moldova (including Transnistria) back into Ukraine at GMS "
        "Hrebenyky, then to Ananiv towards Ukrainian storage. Hrebenyky lies on this segment but "
        "has no verified coordinate, so it is not a vertex (facts.md section 4, item 11).",
    },
    {
        "id": "pipe-igb-komotini-stara-zagora",
        "research": "B-A05",
        "name": "Interconnector Greece-Bulgaria (IGB): Komotini - Stara Zagora",
        "system": "Interconnector Greece-Bulgaria (IGB)",
        "waypoints": ("komotini", "stara_zagora"),
        "operator": "ICGB AD",
        "notes": "Bulgarian-Greek joint venture. 182 km, 32 in., 3 bcm/y Greece to Bulgaria; "
        "operating since 1 Oct 2022; carries Azerbaijani gas from TAP; Moldova was among its "
        "first export markets via the Trans-Balkan pipeline. Not joined to the drawn Trans-"
        "Balkan segments (Stara Zagora feeds the Bulgarian grid).",
    },
    {
        "id": "pipe-iasi-ungheni-chisinau",
        "research": "B-A06",
        "name": "Iasi-Ungheni-Chisinau gas pipeline",
        "system": "Iasi-Ungheni-Chisinau",
        "waypoints": ("iasi", "ungheni", "chisinau"),
        "operator": "Transgaz (RO) / Vestmoldtransgaz (MD; 75% Transgaz, 25% EBRD)",
        "owner_country": "ROU",
        "notes": "Flow Romania to Moldova. Iasi-Ungheni 44 km (2014), Ungheni-Chisinau 120 km "
        "(Aug 2020); about 150 km, 110 km in Moldova; about 6.3 mcm/d (record 6.15 mcm/d on "
        "2 Feb 2025). Outside Odesa oblast, included for the Romania-Moldova link.",
    },
    {
        "id": "pipe-odesa-brody",
        "research": "B-A12",
        "name": "Odesa-Brody (Sarmatia) oil pipeline",
        "system": "Odesa-Brody",
        "asset_type": "oil",
        "waypoints": ("pivdenne", "brody"),
        "operator": "Ukrtransnafta",
        "owner_country": "UKR",
        "flow_direction": "both",
        "notes": "674 km, 1,020 mm, 9-14 Mt/y, built 2001-2002; joins the Druzhba southern "
        "branch at Brody. It has run both ways (reverse for Russian oil from 2004, forward for "
        "Azeri oil to Belarus in 2010-11); the sources do not state its current direction. "
        "Planned extension to Plock/Gdansk not drawn.",
    },
    {
        "id": "pipe-odesa-kremenchuk",
        "research": "B-A13",
        "name": "Odesa-Kremenchuk oil pipeline (Prydniprovski trunk pipelines)",
        "system": "Prydniprovski trunk oil pipelines",
        "asset_type": "oil",
        "waypoints": ("pivdenne", "kremenchuk"),
        "operator": "Ukrtransnafta",
        "owner_country": "UKR",
        "notes": "Run in reverse mode (towards Kremenchuk) since 10 Mar 2017 to carry Azeri Light "
        "to the Kremenchuk refinery; the research names Odesa/Pivdennyi as the start, drawn from "
        "Pivdennyi where the Azeri cargoes arrived.",
    },
)

POWER_LINE_DECISIONS: tuple[dict[str, object], ...] = (
    {
        "id": "power-isaccea-vulcanesti-mgres",
        "research": "B-A20",
        "name": "400 kV Isaccea - Vulcanesti - MGRES line",
        "waypoints": ("isaccea", "orlivka", "vulcanesti", "mgres"),
        "voltage_kv": 400,
        "operator": "Transelectrica (RO) / Moldelectrica (MD)",
        "status": "operating",
        "notes": "Main line bringing Romanian electricity to Moldova; crosses the Danube and "
        "Ukrainian territory near Orlivka, then Transnistria to Moldavskaya GRES (Cuciurgan, "
        "approximate). Tripped during Russian strikes on Ukraine's grid on 15 Nov 2022 and again "
        "on 31 Jan 2026. Operators of the Ukrainian and Transnistrian stretches are not stated.",
    },
    {
        "id": "power-vulcanesti-chisinau",
        "research": "B-A21",
        "name": "400 kV Vulcanesti - Chisinau line (Energy Independence Line)",
        "waypoints": ("vulcanesti", "chisinau"),
        "voltage_kv": 400,
        "operator": "Moldelectrica",
        "owner_country": "MDA",
        "notes": "157 km through 35 localities; built Apr 2024 - Nov 2025 and passed initial "
        "tests; bypasses MGRES. Fed from Isaccea over the Isaccea-Vulcanesti line, part of which "
        "crosses Odesa oblast. The Congaz waypoint has no coordinate and is not drawn.",
    },
    {
        "id": "power-pivdennoukrainska-isaccea",
        "research": "B-A22",
        "name": "750 kV Pivdennoukrainska NPP - Isaccea line",
        "waypoints": ("pivdennoukrainska_npp", "orlivka", "isaccea"),
        "voltage_kv": 750,
        "operator": "Ukrenergo (UA) / Transelectrica (RO)",
        "notes": "Being rebuilt as a double-circuit 400 kV link from a new Prymorska 750/400 kV "
        "substation to Isaccea (Energy Community PMI EL09); Prymorska's location is not stated, "
        "so the line is drawn only through the NPP (approximate), Orlivka and Isaccea.",
    },
)

# ---------------------------------------------------------------------------------------------
# relations.csv: asset -> country links. Each group is (asset ids, country, relation, valid_from,
# valid_to, note, source URL); a row is written per asset.

ROUTE_1_FROM_ISACCEA = (
    "pipe-tb-isaccea-orlivka",
    "fac-isaccea-orlivka-ip",
    "fac-orlivka-cs",
    "pipe-tb-ua-orlivka-causeni",
    "fac-causeni-gms",
    "pipe-tb-causeni-ananiv",
)
ROUTE_1_FROM_ROMANIA = ("pipe-tb-ro-negru-voda-isaccea", *ROUTE_1_FROM_ISACCEA)
ROUTE_1_FROM_BULGARIA = ("pipe-tb-bg-kulata-negru-voda", *ROUTE_1_FROM_ROMANIA)
ROUTE_1_ALL = ("pipe-tb-gr-revithoussa-kulata", *ROUTE_1_FROM_BULGARIA)
ROUTE_1_TO_CAUSENI = ROUTE_1_FROM_ISACCEA[:5]

MINENERGY_URL = (
    "https://empr.media/news/war/russia-attacked-gts-facility-that-ensures-a-diversified-"
    "natural-gas-supply-route-to-ukraine/"
)
ROUTE_1_START_URL = "https://logos-pres.md/en/news/vertical-corridors-will-be-three"
ROUTE_1_PAUSE_URLS = (
    "https://adevarul.ro/stiri-externe/europa/ucraina-va-relua-importurile-de-gaze-din-grecia-"
    "2483427.html ; https://www.g4media.ro/ucraina-importa-din-nou-gaze-naturale-prin-conducta-"
    "transbalcanica-grecia-bulgaria-romania-moldova.html"
)
ROUTE_1_PAUSE_START = "2025-08-31"
"""Last day of Route 1 flows before the pause: the route was unused in Sept-Oct 2025."""
ROUTE_1_RESUMED = "2025-11-30"
"""Flows resumed "in November 2025": the last day of that month is the first day certain."""
CAUSENI_IMPORTS_URL = "https://infomarket.md/en/analitics/303000"
VULCANESTI_CHISINAU_BUILT = "2025-11-30"
"""Construction of the Vulcanesti-Chisinau line finished in November 2025 (month only)."""
EUROPA_LIBERA_URL = (
    "https://romania.europalibera.org/a/bombardamentele-ruse%C8%99ti-din-ucraina-au-l%C4%83sat-"
    "moldova-f%C4%83r%C4%83-curent/32132118.html"
)

# Dates: where a source gives only a month or a year, a relation holds from the last day of that
# period (the first day the link is certain) and until the first day of a period it ends in; the
# note says so. A strike is linked through a relation only on days the sources make certain.

RELATION_GROUPS: tuple[tuple[tuple[str, ...], str, str, str, str, str, str], ...] = (
    # Azerbaijan
    (
        ("fac-socar-odesa-depot",),
        "AZE",
        "owner",
        "",
        "",
        "Owned by SOCAR Energy Ukraine, a subsidiary of Azerbaijan's state oil company SOCAR; "
        "the acquisition date is not given.",
        "https://www.pravda.com.ua/eng/news/2025/08/8/7525327/",
    ),
    (
        ("fuel-socar-odesa",),
        "AZE",
        "owner",
        "",
        "",
        "SOCAR-branded station of SOCAR Energy Ukraine, owned by Azerbaijan's state oil company.",
        "https://news.az/news/russia-strikes-socar-gas-station-in-ukraines-odesa-video",
    ),
    (
        ("fac-kyiv-embassy-aze",),
        "AZE",
        "owner",
        "",
        "",
        "Diplomatic mission of the Republic of Azerbaijan.",
        "https://oc-media.org/russian-missile-strike-damages-azerbaijani-embassy-in-kyiv-again",
    ),
    (
        ROUTE_1_FROM_BULGARIA,
        "AZE",
        "supply_origin",
        "2025-07-28",
        ROUTE_1_PAUSE_START,
        "First Naftogaz-SOCAR purchase on 28 Jul 2025: a test volume of Azerbaijani gas via "
        "Bulgaria-Romania-Ukraine (one outlet says 28 June, probably a typo; facts.md section 4, "
        "item 5). The Ministry of Energy said the Orlivka route had carried it. Ends with the "
        "flows: the route was unused in Sept-Oct 2025, and no Azerbaijani gas is reported on it "
        "after flows resumed in Nov 2025.",
        f"https://factor.am/916873.html ; {ROUTE_1_PAUSE_URLS}",
    ),
    (
        ("pipe-igb-komotini-stara-zagora",),
        "AZE",
        "supply_origin",
        "2022-10-01",
        "",
        "IGB connects to TAP at Komotini and carries Azerbaijani gas since it opened on "
        "1 Oct 2022.",
        "https://en.trend.az/business/energy/3917979.html",
    ),
    (
        ("pipe-odesa-kremenchuk", "fac-pivdennyi-oil-terminal"),
        "AZE",
        "supply_origin",
        "2017-03-10",
        "2022-01-31",
        "Azeri Light shipped to Pivdennyi and pumped to the Kremenchuk refinery from "
        "10 Mar 2017 (SOCAR deal of late 2016); about 80% of Ukraine's crude purchases in "
        "Jan 2022, the last month the sources report deliveries. Azerbaijan then suspended oil "
        "exports to Ukraine for security risks after the invasion of Feb 2022 (The Tribune, "
        "citing a source; day not given).",
        "http://www.xebersaati.com/news/30630-azerbaijan-delivers-over-40-000-tons-of-oil-to-"
        "ukrainian-refinery/ ; https://thetribune.com/azerbaijan-to-suspend-oil-exports-to-"
        "ukraine-due-to-security-risks-amid-military-conflict-source",
    ),
    # USA
    (
        ROUTE_1_ALL,
        "USA",
        "supply_origin",
        "2025-08-06",
        ROUTE_1_PAUSE_START,
        "On 6 Aug 2025 the Ministry of Energy said US LNG had already come through the Orlivka "
        "route; Route 1 deliveries began in July 2025 (month only), so the first US cargo lies "
        "between July and 6 Aug, and the statement's date is the first day certain. Ends with "
        "the flows (route unused Sept-Oct 2025). US LNG after the resumption in Nov 2025 is only "
        "planned in the research (DEPA-Naftogaz letter of intent for Dec 2025 - Mar 2026).",
        f"{MINENERGY_URL} ; {ROUTE_1_PAUSE_URLS}",
    ),
    # Greece
    (
        ("pipe-tb-gr-revithoussa-kulata",),
        "GRC",
        "owner",
        "",
        "",
        "Greek section of the route, operated by DESFA.",
        "https://energy-community.org/regionalinitiatives/infrastructure/PLIMA/Gas25.html",
    ),
    (
        ROUTE_1_FROM_BULGARIA,
        "GRC",
        "transit",
        "2025-07-31",
        ROUTE_1_PAUSE_START,
        "Route 1 starts at the Greek LNG terminals (Revithoussa); gas regasified in Greece "
        "crosses it on the way north since deliveries to Ukraine began in July 2025 (month "
        "only: the last day of July is the first day certain), until the route fell unused in "
        "Sept-Oct 2025.",
        f"{ROUTE_1_START_URL} ; {MINENERGY_URL}",
    ),
    (
        ROUTE_1_FROM_BULGARIA,
        "GRC",
        "transit",
        ROUTE_1_RESUMED,
        "",
        "Flows from Greece resumed in November 2025 after tariff cuts (month only: the last day "
        "of November is the first day certain).",
        ROUTE_1_PAUSE_URLS,
    ),
    (
        ("pipe-igb-komotini-stara-zagora",),
        "GRC",
        "owner",
        "",
        "",
        "ICGB AD, the IGB's owner, is a Bulgarian-Greek joint venture.",
        "https://en.trend.az/business/energy/3917979.html",
    ),
    # Bulgaria
    (
        ("pipe-tb-bg-kulata-negru-voda",),
        "BGR",
        "owner",
        "",
        "",
        "Bulgarian section of the Trans-Balkan route, operated by Bulgartransgaz.",
        "https://energy-community.org/regionalinitiatives/infrastructure/PLIMA/Gas25.html",
    ),
    (
        ROUTE_1_FROM_ROMANIA,
        "BGR",
        "transit",
        "",
        "",
        "The route physically crosses Bulgaria (Kulata/Sidirokastro to Kardam/Negru Voda 1); "
        "Bulgarian media covered the Orlivka strike as an attack on a pipeline passing through "
        "Bulgaria.",
        "https://www.24chasa.bg/mezhdunarodni/article/21063035",
    ),
    (
        ("pipe-igb-komotini-stara-zagora",),
        "BGR",
        "owner",
        "",
        "",
        "ICGB AD, the IGB's owner, is a Bulgarian-Greek joint venture.",
        "https://en.trend.az/business/energy/3917979.html",
    ),
    # Romania
    (
        ("pipe-tb-ro-negru-voda-isaccea",),
        "ROU",
        "owner",
        "",
        "",
        "Romanian section of the Trans-Balkan route, operated by Transgaz.",
        "https://energy-community.org/regionalinitiatives/infrastructure/PLIMA/Gas25.html",
    ),
    (
        ("pipe-tb-isaccea-orlivka", "fac-isaccea-orlivka-ip"),
        "ROU",
        "owner",
        "",
        "",
        "The Isaccea 1 - Orlivka interconnection is shared by Transgaz (RO) and GTSOU (UA).",
        "http://en.interfax.com.ua/news/economic/494558.html",
    ),
    (
        ROUTE_1_FROM_ISACCEA,
        "ROU",
        "transit",
        "",
        "",
        "The route physically crosses Romania (Negru Voda to Isaccea) before the Danube "
        "crossing at Orlivka.",
        "https://logos-pres.md/?p=21815",
    ),
    (
        ("pipe-iasi-ungheni-chisinau",),
        "ROU",
        "owner",
        "",
        "",
        "Built and financed by Transgaz; Vestmoldtransgaz (75% Transgaz) runs the Moldovan part.",
        "https://www.agenzianova.com/a/64f71ebf171d66.83665114/4519720/2023-09-05/romania-"
        "moldova-transgaz-romania-rileva-le-operazioni-di-gazprom-in-moldova",
    ),
    (
        ("power-isaccea-vulcanesti-mgres",),
        "ROU",
        "owner",
        "",
        "",
        "Transelectrica runs the Romanian end (Isaccea substation).",
        "https://kyivindependent.com/news-feed/russian-strikes-at-ukraines-energy-"
        "infrastructure-cause-power-outages-in-moldova",
    ),
    (
        ("power-isaccea-vulcanesti-mgres",),
        "ROU",
        "supply_origin",
        "",
        "",
        "Carries Romanian electricity to Moldova.",
        EUROPA_LIBERA_URL,
    ),
    (
        ("power-vulcanesti-chisinau",),
        "ROU",
        "supply_origin",
        VULCANESTI_CHISINAU_BUILT,
        "",
        "Fed from Isaccea over the Isaccea-Vulcanesti line, so it carries Romanian electricity; "
        "built Apr 2024 - Nov 2025 (month only: from the last day of November 2025).",
        f"{EUROPA_LIBERA_URL} ; https://danube.eu/en/news/construction-of-the-vulcanesti-"
        "chisinau-power-line-completed",
    ),
    (
        ("power-pivdennoukrainska-isaccea",),
        "ROU",
        "owner",
        "",
        "",
        "Ukrenergo and Transelectrica run the two ends of the interconnector.",
        "https://www.energy-community.org/regionalinitiatives/infrastructure/PLIMA/EL09.html",
    ),
    (
        ("power-pivdennoukrainska-isaccea",),
        "ROU",
        "serves",
        "",
        "",
        "Interconnector between Ukraine and Romania (ENTSO-E exchange of 1,000-1,200 MW after "
        "the rebuild).",
        "https://www.energy-community.org/regionalinitiatives/infrastructure/PLIMA/EL09.html",
    ),
    (
        ("fac-izmail-port",),
        "ROU",
        "transit",
        "",
        "",
        "Ships reach Izmail through Romania's Sulina channel of the Danube.",
        "https://maritime-executive.com/article/russian-drones-damage-tanker-during-attack-on-"
        "oil-terminal-in-izmail",
    ),
    # Moldova
    (
        ROUTE_1_FROM_ISACCEA,
        "MDA",
        "transit",
        "",
        "",
        "Route 1 northbound passes Moldova: Isaccea-Orlovca-Causeni-Grebenniki (Buslavets); "
        "Vestmoldtransgaz charges transit.",
        "https://logos-pres.md/?p=21815",
    ),
    (
        ROUTE_1_TO_CAUSENI,
        "MDA",
        "serves",
        "2022-12-01",
        "",
        "Moldova began physical reverse imports (4.3 mcm) at the Causeni point on 1 Dec, the "
        "year probably 2022 (infomarket; facts.md section 2, IGB), gas that comes up the "
        "Trans-Balkan route through Isaccea and Orlivka. Transnistria also received gas this way "
        "from 2 Feb 2025 (ENTSOG data via TASS, reported only by a pro-Russian aggregator), and "
        "ex-minister Parlicov says Orlovka matters for the left bank and MGRES (moldovalive.md).",
        f"{CAUSENI_IMPORTS_URL} ; https://moldovalive.md/orlovka-station-hit-by-drones-gas-"
        "supply-intact-power-line-at-risk-experts-warn/?noamp=mobile",
    ),
    (
        ("pipe-igb-komotini-stara-zagora",),
        "MDA",
        "serves",
        "2022-10-01",
        "",
        "Moldova was one of IGB's first export markets, supplied via the Trans-Balkan pipeline.",
        "https://menafn.com/1107529086/IGB-To-See-Even-Stronger-Market-Interest-Within-Next-"
        "Few-Years-Executive-Director",
    ),
    (
        ("pipe-iasi-ungheni-chisinau",),
        "MDA",
        "serves",
        "",
        "",
        "Supplies Moldova's right bank with gas from Romania.",
        "https://ipn.md/en/agreement-on-iasi-ungeni-gas-interconnection-point-signed-7966_1014646"
        ".html",
    ),
    (
        ("power-isaccea-vulcanesti-mgres",),
        "MDA",
        "owner",
        "",
        "",
        "Moldelectrica runs the Moldovan part (Vulcanesti to MGRES).",
        "https://kyivindependent.com/news-feed/russian-strikes-at-ukraines-energy-"
        "infrastructure-cause-power-outages-in-moldova",
    ),
    (
        ("power-isaccea-vulcanesti-mgres",),
        "MDA",
        "serves",
        "",
        "",
        "Main 400 kV line carrying Romanian electricity to Moldova; its trip on 15 Nov 2022 "
        "blacked out much of Moldova.",
        "https://kyivindependent.com/news-feed/russian-strikes-at-ukraines-energy-"
        "infrastructure-cause-power-outages-in-moldova",
    ),
    (
        ("power-vulcanesti-chisinau",),
        "MDA",
        "serves",
        VULCANESTI_CHISINAU_BUILT,
        "",
        "Moldova's 'Energy Independence Line', able to cover over half of peak demand; built "
        "Apr 2024 - Nov 2025 (month only: from the last day of November 2025), initial tests "
        "passed afterwards.",
        "https://danube.eu/en/news/construction-of-the-vulcanesti-chisinau-power-line-completed",
    ),
    (
        ("fac-artsyz-substation",),
        "MDA",
        "supply_origin",
        "",
        "",
        "Fed directly from Moldavskaya GRES in Transnistria (Moldova); a new 330 kV line is "
        "being built to end the dependence.",
        "https://ukrainetoday.org/the-south-of-the-odessa-region-will-no-longer-depend-on-"
        "electricity-from-the-unrecognized-transnistria/",
    ),
)


# ---------------------------------------------------------------------------------------------
# Reading and mapping helpers


def read_research(research_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read events.csv and assets.csv as text, indexed by their research ids."""
    events = pd.read_csv(research_dir / "events.csv", dtype=str, keep_default_na=False)
    assets = pd.read_csv(research_dir / "assets.csv", dtype=str, keep_default_na=False)
    return events.set_index("event_id"), assets.set_index("asset_id")


def split_sources(text: str) -> list[str]:
    """Split a research ``source_url`` cell into URLs, dropping notes such as ``(coords)``.

    A note is a parenthesis after a space; a parenthesis inside a URL, as in
    ``https://de.wikipedia.org/wiki/Nowosilske_(Ismajil)``, belongs to the URL. Copies listed in
    ``SOURCE_FIXES`` are replaced by their original publisher or left out.
    """
    urls = [re.sub(r"\s+\([^)]*\)$", "", part.strip()) for part in text.split(SOURCE_SEPARATOR)]
    urls = [SOURCE_FIXES.get(url, url) for url in urls]
    return [url for url in urls if url and re.match(r"^https?://\S+$", url)]


def weapon_class(text: str) -> str:
    """Map the research weapon text to the project vocabulary.

    Phrases that settle it ("type not stated", "missiles and drones") win; otherwise the words
    before any parenthesis decide (so "Shahed drones (combined ... attack nationwide)" is a drone
    strike), and the whole text only when the head names no weapon.
    """
    lowered = text.lower()
    if any(phrase in lowered for phrase in UNKNOWN_WEAPON_PHRASES):
        return "unknown"
    if any(phrase in lowered for phrase in COMBINED_WEAPON_PHRASES):
        return "combined"
    for part in (lowered.split("(")[0], lowered):
        if any(word in part for word in MISSILE_WORDS):
            return "missile"
        if any(word in part for word in DRONE_WORDS):
            return "drone"
    return "unknown"


def first_date(text: str) -> str:
    """Return the first ISO date of a research date or range (``2024-02-09/10`` -> first day)."""
    match = re.match(r"\d{4}-\d{2}-\d{2}", text)
    if match is None:
        msg = f"research date {text!r} does not start with YYYY-MM-DD"
        raise ValueError(msg)
    return match.group(0)


def date_precision(text: str) -> str:
    """``week`` where the research flags the date as approximate, else ``day``."""
    return "week" if APPROXIMATE_DATE_WORD in text.lower() else "day"


def country_codes(text: str) -> list[str]:
    """Map ``UA; AZ`` to ``["UKR", "AZE"]``."""
    return [RESEARCH_COUNTRIES[code.strip()] for code in text.split(";") if code.strip()]


def _known(text: str) -> str | None:
    return None if text.strip().lower() in ("", "n/a", "nan") else text.strip()


def _point_frame(
    rows: list[dict[str, object]], lat: Iterable[float], lon: Iterable[float], spec: LayerSpec
) -> gpd.GeoDataFrame:
    geometry = gpd.points_from_xy(list(lon), list(lat), crs=STORAGE_CRS)
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geometry, crs=STORAGE_CRS)
    return normalise_layer(frame, spec)


# ---------------------------------------------------------------------------------------------
# Layer builders


def strike_decisions() -> list[tuple[str, dict[str, object]]]:
    """Return ``(research id, decision)`` pairs; a row split by place gives several."""
    return [
        (event_id, decision)
        for event_id, entry in STRIKE_DECISIONS.items()
        for decision in (entry if isinstance(entry, tuple) else (entry,))
    ]


def strike_rows(events: pd.DataFrame) -> tuple[list[dict[str, object]], list[float], list[float]]:
    """Return one strike row per decision, plus its latitude and longitude.

    The point is the research row's, or the research point named by the decision's ``point``.
    """
    missing = sorted(set(events.index) - set(STRIKE_DECISIONS))
    if missing:
        msg = f"events.csv rows {missing} have no entry in STRIKE_DECISIONS; add one"
        raise KeyError(msg)
    rows, lat, lon = [], [], []
    for event_id, decision in strike_decisions():
        event = events.loc[event_id]
        date = first_date(event["date"])
        sources = [*split_sources(event["source_url"]), *decision.get("extra_sources", ())]
        rows.append(
            {
                "id": f"strike-{date}-{decision['place_slug']}",
                "name": decision["name"],
                "sources": list(dict.fromkeys(sources)),
                "geo_precision": decision["geo_precision"],
                "location_note": decision["location_note"],
                "provenance": f"research:{event_id}",
                "date": date,
                "date_precision": date_precision(event["date_precision"]),
                "weapon": weapon_class(event["weapon"]),
                "weapon_detail": event["weapon"],
                "target_type": event["target_type"],
                "target_ids": list(decision.get("target_ids", [])),
                "description": strike_description(event, extra=str(decision.get("extra", ""))),
                "consequences": event["consequences"],
                "admin1": decision["admin1"],
                "place": decision.get("place", event["place"]),
                "status": decision.get("status", "confirmed"),
                "reported_countries": country_codes(event["countries_affected"]),
                "reported_why": event["why"],
            }
        )
        point = POINT.get(str(decision.get("point", "")))
        y, x = point if point else (float(event["lat"]), float(event["lon"]))
        lat.append(y)
        lon.append(x)
    return rows, lat, lon


def strike_description(event: pd.Series, *, extra: str = "") -> str:
    """Target and operator from the research row, then any curated doubts."""
    operator = _known(event["operator"])
    parts = (
        f"Target: {event['target_name']}.",
        f"Operator: {operator}." if operator else "",
        extra,
    )
    return " ".join(part for part in parts if part)


def build_strikes(events: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return the strikes layer; ids get a ``-2`` suffix where day and place repeat."""
    rows, lat, lon = strike_rows(events)
    ids = pd.Series([row["id"] for row in rows])
    repeat = ids.groupby(ids).cumcount()
    for row, count in zip(rows, repeat, strict=True):
        if count:
            row["id"] = f"{row['id']}-{count + 1}"
    return _point_frame(rows, lat, lon, STRIKES)


def point_asset_rows(
    decisions: Iterable[dict[str, object]], events: pd.DataFrame, assets: pd.DataFrame
) -> tuple[list[dict[str, object]], list[float], list[float]]:
    """Turn facility or fuel-station decisions into rows with their research sources and point."""
    rows, lat, lon = [], [], []
    for decision in decisions:
        research_id = str(decision["research"])
        row = events.loc[research_id] if research_id.startswith("B-E") else assets.loc[research_id]
        point = POINT.get(str(decision.get("point", "")))
        lon_column = "lon" if "lon" in row.index else "lon_or_route"
        y, x = point if point else (float(row["lat"]), float(row[lon_column]))
        fields = {k: v for k, v in decision.items() if k not in ("research", "point")}
        rows.append(
            {
                **fields,
                "sources": split_sources(row["source_url"]),
                "provenance": f"research:{research_id}",
            }
        )
        lat.append(y)
        lon.append(x)
    return rows, lat, lon


def build_facilities(events: pd.DataFrame, assets: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return the facilities layer."""
    return _point_frame(*point_asset_rows(FACILITY_DECISIONS, events, assets), FACILITIES)


def build_fuel_stations(events: pd.DataFrame, assets: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return the fuel stations layer."""
    return _point_frame(*point_asset_rows(FUEL_STATION_DECISIONS, events, assets), FUEL_STATIONS)


def _line_frame(
    decisions: Sequence[dict[str, object]],
    assets: pd.DataFrame,
    spec: LayerSpec,
    defaults: dict[str, object],
) -> gpd.GeoDataFrame:
    rows = []
    for decision in decisions:
        research_id = str(decision["research"])
        fields = {k: v for k, v in decision.items() if k not in ("research", "waypoints")}
        rows.append(
            {
                **defaults,
                "location_note": line_location_note(decision["waypoints"]),
                **fields,
                "sources": split_sources(assets.loc[research_id, "source_url"]),
                "provenance": f"research:{research_id}",
            }
        )
    waypoints = [[POINT[name] for name in d["waypoints"]] for d in decisions]
    coords = np.array([(lon, lat) for line in waypoints for lat, lon in line])
    indices = np.repeat(np.arange(len(waypoints)), [len(line) for line in waypoints])
    geometry = shapely.linestrings(coords, indices=indices)
    frame = gpd.GeoDataFrame(pd.DataFrame(rows), geometry=geometry, crs=STORAGE_CRS)
    return normalise_layer(frame, spec)


def line_location_note(waypoints: Sequence[str]) -> str:
    """Say that a line is a schematic run through named research waypoints."""
    names = " - ".join(POINT_LABEL[name] for name in waypoints)
    return (
        f"Schematic: straight runs between research waypoints ({names}), mostly settlement "
        "centroids; the real route is not drawn and may lie kilometres away."
    )


LINE_DEFAULTS = {"geo_precision": 3, "route_accuracy": "schematic", "status": "operating"}


def build_pipelines(assets: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return the pipelines layer: schematic lines through the research waypoints."""
    defaults = {**LINE_DEFAULTS, "asset_type": "gas_transmission", "flow_direction": "forward"}
    return _line_frame(PIPELINE_DECISIONS, assets, PIPELINES, defaults)


def build_power_lines(assets: pd.DataFrame) -> gpd.GeoDataFrame:
    """Return the power lines layer."""
    defaults = {**LINE_DEFAULTS, "asset_type": "power_transmission", "status": None}
    return _line_frame(POWER_LINE_DECISIONS, assets, POWER_LINES, defaults)


def build_relations() -> pd.DataFrame:
    """Expand ``RELATION_GROUPS`` to one relations.csv row per asset."""
    columns = ("country", "relation", "valid_from", "valid_to", "note", "source")
    rows = [
        {"asset_id": asset_id, **dict(zip(columns, group[1:], strict=True))}
        for group in RELATION_GROUPS
        for asset_id in group[0]
    ]
    return pd.DataFrame(rows)


def build_all(research_dir: Path) -> dict[str, gpd.GeoDataFrame | pd.DataFrame]:
    """Build every research layer and the relations table, keyed by layer name."""
    events, assets = read_research(research_dir)
    layers = {
        "strikes": build_strikes(events),
        "facilities": build_facilities(events, assets),
        "fuel_stations": build_fuel_stations(events, assets),
        "pipelines": build_pipelines(assets),
        "power_lines": build_power_lines(assets),
    }
    relations = build_relations()
    asset_ids = {i for name in layers if name != "strikes" for i in layers[name]["id"]}
    named = {t for ids in layers["strikes"]["target_ids"] for t in ids} | set(relations["asset_id"])
    if unknown := sorted(named - asset_ids):
        msg = f"target_ids or relations name unknown assets {unknown}; fix the decisions"
        raise KeyError(msg)
    return {**layers, "relations": relations}


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--research-dir", type=Path, default=DEFAULT_RESEARCH_DIR)
    parser.add_argument("--data-dir", type=Path, default=None, help="output folder (data/)")
    return parser.parse_args(argv)


SPECS = {
    "strikes": STRIKES,
    "facilities": FACILITIES,
    "fuel_stations": FUEL_STATIONS,
    "pipelines": PIPELINES,
    "power_lines": POWER_LINES,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    data_dir = resolve_data_dir(args.data_dir)
    built = build_all(args.research_dir)
    for name, spec in SPECS.items():
        path = write_layer(built[name], spec, data_dir=data_dir)
        print(f"wrote {path} ({len(built[name])} features)")
    path = write_relations(built["relations"], data_dir=data_dir)
    print(f"wrote {path} ({len(built['relations'])} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
