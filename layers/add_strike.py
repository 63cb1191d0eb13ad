"""Adding one strike given by hand (``strikemap add-strike``), through the same safe write.

The strike is planned as a one-row import: it merges into a matching strike if there is one,
is validated with the whole data set, and is written by ``layers.update.apply_plan``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import shapely

from strikemap.layers.catalog import STRIKES
from strikemap.layers.importers import ParsedImport
from strikemap.layers.importers.common import WHERE_COLUMN, incoming_frame
from strikemap.layers.io import read_layers
from strikemap.layers.paths import resolve_data_dir
from strikemap.layers.schema import slugify
from strikemap.layers.update import ImportPlan, apply_plan, plan_parsed


def plan_add_strike(
    *,
    date: str,
    lat: float,
    lon: float,
    precision: int,
    weapon: str,
    sources: list[str],
    name: str | None = None,
    targets: list[str] | None = None,
    date_precision: str = "day",
    weapon_detail: str | None = None,
    target_type: str | None = None,
    description: str | None = None,
    admin1: str | None = None,
    place: str | None = None,
    status: str = "confirmed",
    data_dir: str | Path | None = None,
    today: dt.date | None = None,
) -> ImportPlan:
    """Plan adding one strike given by hand; it merges into a matching strike if there is one.

    Invalid values (a weapon not in the vocabulary, a date in the future, a target id that is
    no asset, coordinates outside the region) make the row rejected; ``plan.rejected`` says why.
    """
    folder = resolve_data_dir(data_dir)
    layers = read_layers(data_dir=folder)
    slug = slugify(place or name or "")
    record = {
        "id": f"strike-{date}-{slug}" if slug else f"strike-{date}",
        "name": name or (f"Strike at {place}" if place else f"Strike on {date}"),
        "sources": list(sources),
        "geo_precision": precision,
        "date": date,
        "date_precision": date_precision,
        "weapon": weapon,
        "weapon_detail": weapon_detail,
        "target_type": target_type,
        "target_ids": list(targets or []),
        "description": description,
        "admin1": admin1,
        "place": place,
        "status": status,
        WHERE_COLUMN: "add-strike",
    }
    incoming = incoming_frame(pd.DataFrame([record]), [shapely.Point(lon, lat)], STRIKES)
    parsed = ParsedImport("add-strike", Path("add-strike"), {"strikes": incoming}, rows_read=1)
    return plan_parsed(parsed, layers, data_dir=folder, strict=True, today=today)


def add_strike(*, data_dir: str | Path | None = None, **fields: object) -> str:
    """Add one strike (see ``plan_add_strike`` for the fields) and return its id.

    Raises
    ------
    ImportRejectedError
        When the strike does not validate; the message says which field and why.
    """
    plan = plan_add_strike(data_dir=data_dir, **fields)  # type: ignore[arg-type]
    apply_plan(plan, data_dir=data_dir)
    return plan.diffs["strikes"].outcomes[0][1]
