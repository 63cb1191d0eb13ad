"""Options shared by impact, export-map, export-table and report: the view and the impact rules."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt

from strikemap.analysis import Analysis, analyse, load_dataset
from strikemap.analysis.view import CONFIDENCE_LEVELS, View, ViewError, parse_bbox
from strikemap.cli.common import UsageError, data_dir_of
from strikemap.geo.rules import (
    BORDER_RADIUS_M,
    DEFAULT_RULES,
    MAX_NEARBY_PER_LAYER,
    RELATION_ORDER,
    ImpactRules,
)
from strikemap.layers.schema import (
    GEO_PRECISION_CODES,
    WEAPONS,
)


def add_view_options(parser: argparse.ArgumentParser) -> None:
    """Add the view's filters and the impact rules' options."""
    group = parser.add_argument_group("what to show (the same filters as the app)")
    group.add_argument(
        "--from",
        dest="date_from",
        type=_iso_date,
        metavar="DATE",
        help="first strike date, YYYY-MM-DD",
    )
    group.add_argument(
        "--to", dest="date_to", type=_iso_date, metavar="DATE", help="last strike date, YYYY-MM-DD"
    )
    group.add_argument(
        "--country",
        dest="countries",
        action="extend",
        type=_codes,
        default=[],
        metavar="ISO3",
        help="keep strikes linked to these countries (e.g. AZE ROU)",
    )
    group.add_argument(
        "--weapon",
        dest="weapons",
        action="extend",
        nargs="+",
        default=[],
        choices=WEAPONS,
        help="keep strikes by these weapons",
    )
    group.add_argument(
        "--precision",
        dest="precisions",
        action="extend",
        nargs="+",
        type=int,
        default=[],
        choices=GEO_PRECISION_CODES,
        help="keep these geo_precision codes",
    )
    group.add_argument(
        "--relation",
        dest="relations",
        action="extend",
        nargs="+",
        default=[],
        choices=RELATION_ORDER,
        help="keep links of these relations",
    )
    group.add_argument(
        "--asset-type",
        dest="asset_types",
        action="extend",
        nargs="+",
        default=[],
        metavar="TYPE",
        help="keep strikes linked to these asset types",
    )
    group.add_argument(
        "--min-confidence",
        choices=CONFIDENCE_LEVELS,
        default="low",
        help="keep links of at least this confidence (default low: all)",
    )
    group.add_argument(
        "--confirmed-only",
        dest="include_reported",
        action="store_false",
        help="leave out unconfirmed and disputed strikes (shown by default, marked)",
    )
    group.add_argument(
        "--include-context",
        action="store_true",
        help="also show context events (Kyiv incidents, grid spill-overs)",
    )
    group.add_argument(
        "--include-candidates",
        action="store_true",
        help="also show candidate strikes (e.g. from FIRMS)",
    )
    group.add_argument(
        "--bbox", type=bbox_option, metavar="W,S,E,N", help="extent in degrees, e.g. 28,45,31,47"
    )
    rules = parser.add_argument_group("impact rules (metres; defaults as in the app)")
    rules.add_argument(
        "--hit-radius-m",
        type=_radii,
        metavar="P0,P1,P2",
        help="hit radius per geo_precision 0,1,2 (default 500,3000,10000)",
    )
    rules.add_argument(
        "--threat-radius-m",
        type=_radii,
        metavar="P0,P1,P2",
        help="threat radius per geo_precision 0,1,2 (default 5000,10000,25000)",
    )
    rules.add_argument(
        "--border-radius-m",
        type=float,
        metavar="M",
        help=f"border radius (default {BORDER_RADIUS_M:.0f})",
    )
    rules.add_argument(
        "--nearby-per-layer",
        type=_nearby_limit,
        default=MAX_NEARBY_PER_LAYER,
        metavar="N|all",
        help=f"nearby assets kept per strike and asset layer, nearest first (default "
        f"{MAX_NEARBY_PER_LAYER}; 'all' keeps every asset within the threat radius)",
    )


def _nearby_limit(text: str) -> int | None:
    if text == "all":
        return None
    if not text.isdigit():
        msg = f"{text!r}: give a whole number of assets, or 'all'"
        raise argparse.ArgumentTypeError(msg)
    return int(text)


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        msg = f"{text!r} is not a date; write YYYY-MM-DD, e.g. 2025-08-06"
        raise argparse.ArgumentTypeError(msg) from None


def _codes(text: str) -> list[str]:
    codes = [c.strip().upper() for c in text.split(",") if c.strip()]
    bad = [c for c in codes if len(c) != 3 or not c.isalpha()]
    if bad:
        msg = f"{', '.join(bad)}: country codes are ISO 3166 alpha-3, e.g. AZE, ROU, MDA"
        raise argparse.ArgumentTypeError(msg)
    return codes


def bbox_option(text: str) -> tuple[float, float, float, float]:
    """Parse ``--bbox WEST,SOUTH,EAST,NORTH`` (usage error when malformed)."""
    try:
        return parse_bbox(text)
    except ViewError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _radii(text: str) -> dict[int, float]:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if len(values) != 3 or min(values) < 0:
        msg = f"{text!r}: give three distances in metres for precision 0,1,2, e.g. 500,3000,10000"
        raise argparse.ArgumentTypeError(msg)
    return dict(enumerate(values))


def view_from_args(args: argparse.Namespace) -> View:
    """Return the ``View`` the options describe (usage error when they clash)."""
    try:
        return View(
            date_from=args.date_from,
            date_to=args.date_to,
            weapons=tuple(args.weapons),
            precisions=tuple(args.precisions),
            countries=tuple(args.countries),
            asset_types=tuple(args.asset_types),
            relations=tuple(args.relations),
            min_confidence=args.min_confidence,
            include_reported=args.include_reported,
            include_context=args.include_context,
            include_candidates=args.include_candidates,
            bbox=args.bbox,
            selected=getattr(args, "select", None),
        )
    except ViewError as exc:
        raise UsageError(str(exc)) from exc


def rules_from_args(args: argparse.Namespace) -> ImpactRules:
    """Return the ``ImpactRules`` the options describe."""
    changes: dict[str, object] = {"include_candidates": args.include_candidates}
    if args.hit_radius_m is not None:
        changes["hit_radius_m"] = args.hit_radius_m
    if args.threat_radius_m is not None:
        changes["threat_radius_m"] = args.threat_radius_m
    if args.border_radius_m is not None:
        changes["border_radius_m"] = args.border_radius_m
    if args.nearby_per_layer != MAX_NEARBY_PER_LAYER:
        changes["max_nearby_per_layer"] = args.nearby_per_layer
    try:
        return dataclasses.replace(DEFAULT_RULES, **changes)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc


def analysis_from_args(args: argparse.Namespace) -> Analysis:
    """Read the data folder and analyse the view the options describe: what the verb works on."""
    dataset = load_dataset(data_dir_of(args))
    try:
        return analyse(dataset, view_from_args(args), rules_from_args(args))
    except ViewError as exc:
        raise UsageError(str(exc)) from exc
