"""The ``strikemap`` command: a thin front over the ``layers``, ``geo`` and ``maps`` packages.

Each verb is one ``_add_<verb>_parser`` function (its options) and one ``_run_<verb>`` function
(what it does), bound with ``set_defaults(run=...)``; adding a verb is adding that pair and one
line in ``VERBS``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import json
import logging
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pandas as pd

from strikemap.analysis import Analysis, analyse, load_dataset
from strikemap.analysis.view import CONFIDENCE_LEVELS, View, ViewError, parse_bbox
from strikemap.exports.files import (
    ExportFormatError,
    ExportWriteError,
    data_folder_of,
    guard_output,
    write_output,
)
from strikemap.exports.link_dataset import (
    PARQUET_FORMATS,
    guard_output_folder,
    parquet_table,
    write_parquet_file,
)
from strikemap.exports.links import links_to_csv, links_to_geojson, links_to_json
from strikemap.exports.tables import CSV_TABLES, TABLE_FORMATS, export_table
from strikemap.geo.errors import ImpactInputError
from strikemap.geo.partition import DEFAULT_PARTITION_STRIKES
from strikemap.geo.rules import (
    BORDER_RADIUS_M,
    DEFAULT_RULES,
    MAX_NEARBY_PER_LAYER,
    RELATION_ORDER,
    ImpactRules,
)
from strikemap.layers import history, retention
from strikemap.layers.add_strike import plan_add_strike
from strikemap.layers.catalog import CATALOG, OPEN_DATA_BOUNDS
from strikemap.layers.errors import LayerReadError, LayerValidationError
from strikemap.layers.history import HistoryError
from strikemap.layers.importers import IMPORTERS, ImportFileError, importer_options
from strikemap.layers.io import layer_path, read_layer
from strikemap.layers.journal import WriteError, recover_if_needed
from strikemap.layers.lock import LockError, write_lock
from strikemap.layers.paths import DATA_DIR_ENV, resolve_data_dir
from strikemap.layers.report import DEFAULT_MAX_PER_FILE
from strikemap.layers.retention import Retention
from strikemap.layers.schema import (
    DATE_PRECISIONS,
    GEO_PRECISION_CODES,
    STRIKE_STATUSES,
    WEAPONS,
)
from strikemap.layers.update import (
    ImportRejectedError,
    PlanOutdatedError,
    apply_plan,
    commit_files,
    plan_import,
    restore_version,
)
from strikemap.layers.validate import validate_data_dir
from strikemap.maps.html import save_html_map
from strikemap.maps.static import PAGES, render_static_map
from strikemap.reports import REPORT_FORMATS, ReportError, save_report
from strikemap.scale.errors import ClusterError
from strikemap.scale.run import ENGINES, EngineOptions, write_links
from strikemap.webapp.data_page import DEFAULT_MAX_UPLOAD_MB
from strikemap.webapp.serve import DEFAULT_ADDRESS, DEFAULT_PORT, serve

log = logging.getLogger("strikemap")

EXIT_OK = 0
EXIT_INVALID_DATA = 1
EXIT_USAGE = 2

EPILOG = f"""\
examples:
  strikemap validate                       check the shipped data/ (or ${DATA_DIR_ENV})
  strikemap validate --data-dir my-data    check another data folder
  strikemap validate --format json         the same report for machines
  strikemap layers                         list the layers with feature counts
  strikemap import acled export.csv --dry-run   preview an ACLED import, write nothing
  strikemap add-strike --date 2025-08-06 --lat 45.39 --lon 28.53 --precision 2 \\
      --weapon drone --source https://...  add one strike
  strikemap history                        list kept versions; strikemap restore latest undoes
  strikemap report --country AZE --from 2025-07-01 --out aze.pdf   a country report
  strikemap serve --port 8502              open the interactive map at localhost:8502

data folder: --data-dir DIR, else the environment variable {DATA_DIR_ENV}, else the shipped data/.

exports never write into the data folder; --force replaces an existing output file.
a write interrupted by a crash is finished or rolled back by the next command (it says which).

exit codes:
  0  ok
  1  invalid data (a report names file, feature, field and the fix), or the data folder
     cannot be written now (another writer holds it)
  2  usage error (unknown verb or option, missing data folder, a refused --out)
"""


class _UsageError(Exception):
    """A command line that cannot be run as given (exit code 2)."""


# --------------------------------------------------------------------------------------------
# validate


def _add_validate_parser(verbs: argparse._SubParsersAction) -> None:
    parser = _add_verb(
        verbs,
        "validate",
        help="check every layer and relations.csv; exit 1 if the data is invalid",
        description="Check every layer file and relations.csv of a data folder and report every "
        "problem at once, grouped by file, each naming the feature, the field and the fix.",
    )
    _add_data_dir_option(parser)
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text for people (default), json for machines",
    )
    parser.add_argument(
        "--max-per-file",
        type=int,
        default=DEFAULT_MAX_PER_FILE,
        metavar="N",
        help=f"show at most N problems per file in text (default {DEFAULT_MAX_PER_FILE}; 0 = all)",
    )
    parser.set_defaults(run=_run_validate)


def _run_validate(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    report = validate_data_dir(data_dir)
    if args.format == "json":
        print(json.dumps({"data_dir": str(data_dir), **report.to_dict()}, indent=2))
    else:
        print(report.format(max_per_file=args.max_per_file or None))
    return EXIT_OK if report.ok else EXIT_INVALID_DATA


# --------------------------------------------------------------------------------------------
# layers


def _add_layers_parser(verbs: argparse._SubParsersAction) -> None:
    parser = _add_verb(
        verbs,
        "layers",
        help="list the layers: name, file, geometry, feature count, title",
        description="List the layers of a data folder with their file, geometry types, number of "
        "features and title.",
    )
    _add_data_dir_option(parser)
    parser.set_defaults(run=_run_layers)


def _run_layers(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    rows = [("name", "file", "geometry", "features", "title")]
    unreadable = False
    for spec in CATALOG:
        file = spec.file
        try:
            path = layer_path(spec, data_dir)
            file = path.name
            count = str(len(read_layer(spec, data_dir=data_dir))) if path.exists() else "missing"
        except LayerReadError as exc:
            log.warning("%s", exc)
            count, unreadable = "unreadable", True
        rows.append((spec.name, file, "/".join(spec.geometry_types), count, spec.title))
    print(_table(rows))
    return EXIT_INVALID_DATA if unreadable else EXIT_OK


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


# --------------------------------------------------------------------------------------------
# serve


def _add_serve_parser(verbs: argparse._SubParsersAction) -> None:
    parser = _add_verb(
        verbs,
        "serve",
        help="start the interactive map (Streamlit) on a data folder",
        description="Start the interactive map on a data folder and keep it running until "
        "Ctrl+C. The map's libraries are served by the app itself, so it works offline.",
    )
    _add_data_dir_option(parser)
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})"
    )
    parser.add_argument(
        "--address",
        default=DEFAULT_ADDRESS,
        help=f"address to listen on (default {DEFAULT_ADDRESS}: this machine only; "
        "0.0.0.0 shares the map with every machine that can reach this one)",
    )
    parser.add_argument(
        "--open-browser", action="store_true", help="open a browser window once the app runs"
    )
    parser.add_argument(
        "--max-upload-mb",
        type=float,
        default=DEFAULT_MAX_UPLOAD_MB,
        metavar="MB",
        help=f"largest file the Data tab checks (default {DEFAULT_MAX_UPLOAD_MB})",
    )
    parser.set_defaults(run=_run_serve)


def _run_serve(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    if not 0 < args.port < 65536:
        msg = f"--port {args.port} is not a port number (1-65535)"
        raise _UsageError(msg)
    if not args.max_upload_mb > 0:
        msg = f"--max-upload-mb {args.max_upload_mb:g} must be a positive number of megabytes"
        raise _UsageError(msg)
    host = f"[{args.address}]" if ":" in args.address else args.address
    print(f"strikemap: serving {data_dir} at http://{host}:{args.port} (Ctrl+C stops)")
    return serve(
        data_dir,
        args.port,
        headless=not args.open_browser,
        address=args.address,
        max_upload_mb=args.max_upload_mb,
    )


# --------------------------------------------------------------------------------------------
# Options shared by impact, export-map and export-table: the view and the impact rules


def _add_view_options(parser: argparse.ArgumentParser) -> None:
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
        "--bbox", type=_bbox, metavar="W,S,E,N", help="extent in degrees, e.g. 28,45,31,47"
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


def _bbox(text: str) -> tuple[float, float, float, float]:
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


def _view_from_args(args: argparse.Namespace) -> View:
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
        raise _UsageError(str(exc)) from exc


def _rules_from_args(args: argparse.Namespace) -> ImpactRules:
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
        raise _UsageError(str(exc)) from exc


def _analysis(args: argparse.Namespace) -> Analysis:
    """Read the data folder and analyse the view the options describe: what the verb works on."""
    dataset = load_dataset(_data_dir(args))
    try:
        return analyse(dataset, _view_from_args(args), _rules_from_args(args))
    except ViewError as exc:
        raise _UsageError(str(exc)) from exc


# --------------------------------------------------------------------------------------------
# impact


def _add_impact_parser(verbs: argparse._SubParsersAction) -> None:
    parser = _add_verb(
        verbs,
        "impact",
        help="write the impact table: each strike -> assets -> countries, with reasons",
        description="Link every strike to the assets it hit or threatened and to the countries "
        "that touches (target, nearby, owner, supply_origin, serves, transit, downstream, "
        "location, border), one row per link with distance, confidence and a sentence saying why.",
    )
    _add_data_dir_option(parser)
    parser.add_argument(
        "--format",
        choices=("csv", "json", "geojson", *PARQUET_FORMATS),
        default="csv",
        help="csv (default), json, geojson (lines strike -> asset, points for direct country "
        "links), parquet or geoparquet (the same table, with the strike's date, and with "
        "geometry for geoparquet: one file in process, a folder of part files with --engine "
        "partitioned or dask)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FILE",
        help="write here instead of stdout (a folder such as links.parquet/ for a partitioned "
        "parquet output)",
    )
    _add_output_options(parser, into_data=True)
    parser.add_argument(
        "--summary",
        action="store_true",
        help="print, instead of the links, the strikes per country: first those that affect it "
        "(high or medium confidence), then apart those that only expose it (low)",
    )
    _add_view_options(parser)
    scale = parser.add_argument_group(
        "engine (docs/SCALING.md): the same rows, in memory bounded by a partition"
    )
    scale.add_argument(
        "--engine",
        choices=ENGINES,
        default="inprocess",
        help="inprocess (default): the whole join at once; partitioned: spatial partitions of "
        "strikes one after another, each written as it finishes; dask: those partitions on a "
        "Dask cluster (needs the scale extra)",
    )
    scale.add_argument(
        "--partition-size",
        type=_positive_int,
        default=DEFAULT_PARTITION_STRIKES,
        metavar="N",
        help=f"strikes per partition (default {DEFAULT_PARTITION_STRIKES:,})",
    )
    scale.add_argument(
        "--workers",
        type=_positive_int,
        metavar="N",
        help="--engine dask: start a local cluster of N worker processes on 127.0.0.1 (default 2)",
    )
    scale.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="--engine dask: use the running Dask cluster at ADDRESS (tcp://host:8786) "
        "instead of a local one; its workers must see --out",
    )
    parser.set_defaults(run=_run_impact)


def _run_impact(args: argparse.Namespace) -> int:
    if args.engine != "inprocess" or args.format in PARQUET_FORMATS:
        return _run_impact_scaled(args)
    if args.workers or args.scheduler:
        raise _UsageError("--workers and --scheduler need --engine dask")
    _check_out(args)
    analysis = _analysis(args)
    strikes = analysis.strikes
    if args.summary:
        text = _summary_text(analysis.country_summary, rules=analysis.rules)
    else:
        links = analysis.explain()
        if args.format == "csv":
            text = links_to_csv(links)
        elif args.format == "json":
            text = links_to_json(links)
        else:
            text = links_to_geojson(links, strikes, analysis.dataset.assets)
    if args.out is None:
        sys.stdout.write(text)
    else:
        _write_output(args, text.encode("utf-8"))
        print(
            f"wrote {len(analysis.links)} links of {len(strikes)} strikes to {args.out}",
            file=sys.stderr,
        )
    return EXIT_OK


def _run_impact_scaled(args: argparse.Namespace) -> int:
    """``strikemap impact`` with --engine partitioned or dask, or a Parquet output."""
    if args.summary:
        raise _UsageError("--summary runs in process: leave out --engine and --format parquet")
    if args.into_data:
        raise _UsageError("--into-data takes csv, json or geojson from --engine inprocess")
    if (args.workers or args.scheduler) and args.engine != "dask":
        raise _UsageError("--workers and --scheduler need --engine dask")
    if args.workers and args.scheduler:
        raise _UsageError("give --workers (a local cluster) or --scheduler (a running one)")
    parquet = args.format in PARQUET_FORMATS
    if parquet and args.out is None:
        raise _UsageError(f"--format {args.format} writes binary files: give --out")
    if parquet and args.engine == "inprocess":
        return _run_impact_parquet_file(args)
    if args.out is not None and parquet:
        guard_output_folder(args.out, data_dir=_data_dir(args), force=args.force)
    else:
        _check_out(args)
    dataset = load_dataset(_data_dir(args))
    options = EngineOptions(
        engine=args.engine,
        size=args.partition_size,
        workers=args.workers,
        scheduler=args.scheduler,
        on_cluster=lambda link: print(f"Dask dashboard: {link}", file=sys.stderr),
    )
    try:
        stats = write_links(
            dataset,
            _view_from_args(args),
            _rules_from_args(args),
            fmt=args.format,
            out=args.out,
            options=options,
        )
    except (ViewError, ClusterError) as exc:
        raise _UsageError(str(exc)) from exc
    where = args.out if args.out is not None else "stdout"
    print(
        f"wrote {stats.links} links of {stats.strikes} strikes to {where} "
        f"({stats.partitions} partitions, engine {args.engine})",
        file=sys.stderr,
    )
    return EXIT_OK


def _run_impact_parquet_file(args: argparse.Namespace) -> int:
    """One Parquet (or GeoParquet) file of the links, in process."""
    _check_out(args)
    analysis = _analysis(args)
    links = analysis.explain()
    assets = analysis.dataset.assets if args.format == "geoparquet" else None
    write_parquet_file(parquet_table(links, analysis.strikes, assets=assets), args.out)
    print(
        f"wrote {len(analysis.links)} links of {len(analysis.strikes)} strikes to {args.out}",
        file=sys.stderr,
    )
    return EXIT_OK


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        msg = f"{text!r}: give a whole number of at least 1"
        raise argparse.ArgumentTypeError(msg)
    return int(text)


AFFECTED_TITLE = (
    "Affected: strikes that reach the country at high or medium confidence (an asset named by "
    "the sources, an exactly located asset within the hit radius, or the strike's own location):"
)
EXPOSED_TITLE = (
    "Exposed only: strikes that reach the country only at low confidence (assets merely nearby "
    "or drawn at a town's coordinates, a land border within {radius}); not counted above:"
)


def _summary_text(summary: pd.DataFrame, *, rules: ImpactRules) -> str:
    """Return the per-country summary as two tables: affected first, then exposed only."""
    affected = summary[summary["affected"] > 0]
    exposed = summary[summary["exposed"] > 0].sort_values(
        ["exposed", "country"], ascending=[False, True], kind="stable"
    )
    radius = f"{rules.border_radius_m / 1000:g} km"
    parts = [
        AFFECTED_TITLE,
        _frame_table(
            affected,
            ["country", "name", "affected", "high", "medium", "affected_by"],
            ["country", "name", "strikes", "high", "medium", "through"],
        ),
        "",
        EXPOSED_TITLE.format(radius=radius),
        _frame_table(
            exposed,
            ["country", "name", "exposed", "exposed_by"],
            ["country", "name", "strikes", "through"],
        ),
    ]
    return "\n".join(parts) + "\n"


def _frame_table(frame: pd.DataFrame, columns: list[str], headers: list[str]) -> str:
    rows = [tuple(headers)] + [
        tuple(str(v) for v in r) for r in frame[columns].itertuples(index=False)
    ]
    if len(rows) == 1:
        return "  (none)"
    return _table(rows)


# --------------------------------------------------------------------------------------------
# Where exports go: never into the data folder unless asked, never over a file unless --force


def _add_output_options(parser: argparse.ArgumentParser, *, into_data: bool) -> None:
    parser.add_argument(
        "--force", action="store_true", help="replace --out FILE if it exists (never data)"
    )
    if into_data:
        parser.add_argument(
            "--into-data",
            action="store_true",
            help="write --out into the data folder on purpose: the file must be a layer file or "
            "table, and is validated with the whole folder and kept undoable in the history",
        )


def _check_out(args: argparse.Namespace) -> None:
    """Refuse a bad --out before any work (see ``exports.files.guard_output``)."""
    if args.out is None:
        return
    data_dir = _data_dir(args)
    if getattr(args, "into_data", False):
        folder = data_folder_of(args.out, data_dir=data_dir)
        if folder is None or args.out.name not in history.data_file_names():
            names = ", ".join(sorted(history.data_file_names()))
            msg = f"--into-data: --out {args.out} must be a data file in a data folder ({names})"
            raise _UsageError(msg)
        return
    guard_output(args.out, data_dir=data_dir, force=args.force)


def _write_output(args: argparse.Namespace, data: bytes) -> None:
    """Write an export: to its file, or with --into-data through the data folder's write path."""
    if not getattr(args, "into_data", False):
        write_output(data, args.out)
        return
    folder = args.out.resolve().parent
    action = f"{args.verb} --out {args.out.name} --into-data"
    written = commit_files({args.out.name: data}, data_dir=folder, action=action)
    if written:
        print(f"{args.out}: validated with {folder}; the previous file is kept (strikemap history)")
    else:
        log.warning("%s already holds this content; nothing written", args.out)


# --------------------------------------------------------------------------------------------
# export-map, export-table


def _add_export_map_parser(verbs: argparse._SubParsersAction) -> None:
    parser = _add_verb(
        verbs,
        "export-map",
        help="write a briefing map (PNG, PDF, SVG) or a standalone HTML map of a view",
        description="Draw the strikes, assets and impact links of a view as a static briefing "
        "map with title, legend, scale bar, north arrow, locator and sources (PNG, PDF or SVG), "
        "or as a standalone interactive HTML map. An empty selection still gives a map that "
        "says so (exit 0, with a warning).",
    )
    _add_data_dir_option(parser)
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="FILE",
        help="FILE.png, FILE.pdf, FILE.svg or FILE.html",
    )
    _add_output_options(parser, into_data=False)
    parser.add_argument("--title", help="map title")
    parser.add_argument(
        "--page",
        choices=tuple(PAGES),
        default="a4-landscape",
        help="page preset (default a4-landscape)",
    )
    parser.add_argument("--dpi", type=int, default=300, help="PNG resolution (default 300)")
    parser.add_argument(
        "--links",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="draw lines from strikes to their linked assets (default on)",
    )
    parser.add_argument(
        "--basemap",
        choices=("offline", "tiles"),
        default="offline",
        help="offline (from the countries layer, default) or online tiles",
    )
    parser.add_argument(
        "--select",
        metavar="STRIKE_ID",
        help="highlight this strike; an HTML map then opens its impact chain from the ring",
    )
    _add_view_options(parser)
    parser.set_defaults(run=_run_export_map)


def _run_export_map(args: argparse.Namespace) -> int:
    suffix = args.out.suffix.lower().lstrip(".")
    if suffix not in ("png", "pdf", "svg", "html"):
        msg = f"--out {args.out}: unknown format {suffix!r}; use .png, .pdf, .svg or .html"
        raise _UsageError(msg)
    _check_out(args)
    analysis = _analysis(args)
    if args.select and analysis.strike(args.select) is None:
        msg = f"--select {args.select}: no strike with that id; `strikemap impact` lists them"
        raise _UsageError(msg)
    if suffix == "html":
        return _export_html(args, analysis)
    result = render_static_map(
        analysis,
        out=args.out,
        page=args.page,
        dpi=args.dpi,
        title=args.title,
        links_on=args.links,
        basemap=args.basemap,
    )
    for warning in result.warnings:
        log.warning("%s", warning)
    print(
        f"wrote {args.out} ({result.n_strikes} strikes, {result.n_links} links, "
        f"{result.seconds:.1f} s)",
        file=sys.stderr,
    )
    return EXIT_OK


def _export_html(args: argparse.Namespace, analysis: Analysis) -> int:
    save_html_map(analysis, args.out)
    print(f"wrote {args.out} ({len(analysis.strikes)} strikes; opens offline)", file=sys.stderr)
    return EXIT_OK


def _add_export_table_parser(verbs: argparse._SubParsersAction) -> None:
    parser = _add_verb(
        verbs,
        "export-table",
        help="write the shown strikes and their links as CSV, GeoJSON or XLSX",
        description="Write the strikes of a view and their impact links: CSV (one row per "
        "strike and link), GeoJSON (strike points with their links) or XLSX (sheets strikes "
        "and links).",
    )
    _add_data_dir_option(parser)
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="FILE",
        help="FILE.csv, FILE.geojson or FILE.xlsx",
    )
    _add_output_options(parser, into_data=True)
    parser.add_argument(
        "--table",
        choices=CSV_TABLES,
        default="joined",
        help="CSV only: joined (default), strikes or links",
    )
    _add_view_options(parser)
    parser.set_defaults(run=_run_export_table)


def _run_export_table(args: argparse.Namespace) -> int:
    suffix = args.out.suffix.lower().lstrip(".")
    if suffix not in TABLE_FORMATS:
        msg = (
            f"--out {args.out}: unknown format {suffix or '(none)'!r}; use .csv, .geojson or .xlsx"
        )
        raise _UsageError(msg)
    _check_out(args)
    analysis = _analysis(args)
    if analysis.strikes.empty:
        log.warning("no strikes match the filters; the table has no rows")
    table = export_table(analysis.strikes, analysis.explain(), fmt=suffix, table=args.table)
    _write_output(args, table)
    print(
        f"wrote {args.out} ({len(analysis.strikes)} strikes, {len(analysis.links)} links)",
        file=sys.stderr,
    )
    return EXIT_OK


# --------------------------------------------------------------------------------------------
# report


def _add_report_parser(verbs: argparse._SubParsersAction) -> None:
    parser = _add_verb(
        verbs,
        "report",
        help="write a country report (PDF or HTML): numbers by evidence tier, map, timeline, "
        "strike-by-strike chains with sources, the country's assets, method",
        description="Write a briefing document about one country for a view: a cover with the "
        "time window, data cut-off, strikes that affect or expose the country and a map; "
        "strikes per week or month by evidence tier with the relations that began or ended; "
        "each strike with its place, weapon, chain to the country and numbered sources; the "
        "country's assets in the region; method, caveats and attribution. The numbers are "
        "those of `strikemap impact --summary` for the same options. An empty selection gives "
        "a short report that says so; an unknown country code exits 2 with the known ones.",
    )
    _add_data_dir_option(parser)
    parser.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="FILE.pdf or FILE.html"
    )
    _add_output_options(parser, into_data=False)
    _add_view_options(parser)
    parser.set_defaults(run=_run_report)


def _run_report(args: argparse.Namespace) -> int:
    if len(args.countries) != 1:
        given = ", ".join(args.countries) or "none"
        msg = f"report needs exactly one --country ISO3 (e.g. --country AZE); got {given}"
        raise _UsageError(msg)
    suffix = args.out.suffix.lower().lstrip(".")
    if suffix not in REPORT_FORMATS:
        msg = f"--out {args.out}: unknown format {suffix or '(none)'!r}; use .pdf or .html"
        raise _UsageError(msg)
    _check_out(args)
    analysis = _analysis(args)
    started = time.perf_counter()
    save_report(analysis, args.out)
    print(
        f"wrote {args.out} ({len(analysis.strikes)} strikes linked to {args.countries[0]}, "
        f"{time.perf_counter() - started:.1f} s)",
        file=sys.stderr,
    )
    return EXIT_OK


# --------------------------------------------------------------------------------------------
# import, add-strike, history, restore (data-team verbs; every write is validated and undoable)


def _add_import_parser(verbs: argparse._SubParsersAction) -> None:
    parser = _add_verb(
        verbs,
        "import",
        help="import an outside export: ACLED, OSM, FIRMS, GEM, GridKit, powerplantmatching, "
        "refineries, World Port Index, GeoNames, UCDP (preview with --dry-run)",
        description="Read an outside export, merge it into the layers and print what changes "
        "(added / updated / unchanged / rejected, with ids). The whole resulting layer set is "
        "validated before anything is written; files are replaced atomically and the previous "
        "version is kept (see `strikemap history` and `strikemap restore`). Exit 1 when any row "
        "was rejected (the good rows are still imported unless --strict).",
    )
    parser.add_argument("kind", choices=sorted(IMPORTERS), help="format of FILE")
    parser.add_argument("file", type=Path, metavar="FILE", help="the export to import")
    _add_data_dir_option(parser)
    parser.add_argument("--dry-run", action="store_true", help="print the diff, write nothing")
    parser.add_argument(
        "--strict", action="store_true", help="any rejected row aborts the whole import"
    )
    parser.add_argument(
        "--all-events",
        action="store_true",
        help="acled: keep every event type, not only remote violence",
    )
    parser.add_argument(
        "--radius-m",
        type=float,
        metavar="M",
        help="firms: keep detections within M metres of an asset (default 2000)",
    )
    parser.add_argument(
        "--window-days",
        type=int,
        metavar="N",
        help="firms: group detections at one asset within N days into one candidate (default 1)",
    )
    parser.add_argument(
        "--bbox",
        type=_bbox,
        metavar="W,S,E,N",
        help="open data (gem, gridkit, powerplants, refineries, wpi, geonames, ucdp): keep only "
        "rows in this box, clip lines to it (default for all but gem: the map region "
        f"{','.join(f'{v:g}' for v in OPEN_DATA_BOUNDS)})",
    )
    parser.add_argument(
        "--attributes",
        type=Path,
        action="append",
        default=[],
        metavar="FILE",
        help="gem: attribute table (xlsx, csv, geojson) joined to a route file by ProjectID; "
        "repeat for several, the first wins",
    )
    parser.add_argument(
        "--min-population",
        type=int,
        metavar="N",
        help="geonames: skip places with fewer than N people",
    )
    parser.add_argument(
        "--min-capacity-mw",
        type=float,
        metavar="MW",
        help="powerplants: skip plants smaller than MW",
    )
    parser.add_argument(
        "--format",
        choices=("geojson", "parquet"),
        dest="layer_format",
        default="auto",
        help="write the strikes layer as GeoJSON (strikes.geojson) or GeoParquet "
        "(strikes.parquet, for large layers such as a year of FIRMS detections); the old file "
        "is removed in the same write (default: keep the format the layer is stored in)",
    )
    parser.set_defaults(run=_run_import)


def _run_import(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    options: dict[str, object] = {}
    if args.all_events:
        options["all_events"] = True
    if args.radius_m is not None:
        options["radius_m"] = args.radius_m
    if args.window_days is not None:
        options["window_days"] = args.window_days
    if args.bbox is not None:
        options["bbox"] = args.bbox
    if args.attributes:
        options["attributes"] = args.attributes
    if args.min_population is not None:
        options["min_population"] = args.min_population
    if args.min_capacity_mw is not None:
        options["min_capacity_mw"] = args.min_capacity_mw
    unknown = sorted(set(options) - set(importer_options(args.kind)))
    if unknown:
        given = ", ".join("--" + name.replace("_", "-") for name in unknown)
        msg = f"{given}: not an option of `strikemap import {args.kind}`; see --help"
        raise _UsageError(msg)
    action = f"import {args.kind} {args.file.name}"
    with _writing(data_dir, action, dry_run=args.dry_run):  # plan and apply on the same data
        with _ProgressBar(f"reading {args.file.name}") as bar:
            plan = plan_import(
                args.kind,
                args.file,
                data_dir=data_dir,
                strict=args.strict,
                progress=bar.update,
                **options,
            )
        print(plan.summary())
        if args.dry_run:
            print("dry run: nothing written")
        elif plan.blocked:
            print("strict: rejected rows, nothing written")
        elif plan.changed:
            paths = apply_plan(plan, data_dir=data_dir, layer_format=args.layer_format)
            print(
                f"wrote {', '.join(p.name for p in paths)} (previous version kept: "
                "strikemap history)"
            )
        else:
            print("nothing to change")
    return EXIT_INVALID_DATA if plan.rejected else EXIT_OK


@contextlib.contextmanager
def _writing(data_dir: Path, action: str, *, dry_run: bool) -> Iterator[None]:
    """Hold the data folder's write lock from planning to applying (not for a dry run)."""
    if dry_run:
        yield
        return
    with write_lock(data_dir, action=action):
        yield


def _add_add_strike_parser(verbs: argparse._SubParsersAction) -> None:
    parser = _add_verb(
        verbs,
        "add-strike",
        help="add one strike by hand, after validation",
        description="Add one strike to the strikes layer. It is validated with the whole layer "
        "set first; a strike matching an existing one (same date +-1 day, within 2 km, same "
        "target) is merged into it instead of duplicated.",
    )
    _add_data_dir_option(parser)
    parser.add_argument("--date", required=True, help="ISO date, e.g. 2025-08-06")
    parser.add_argument("--lat", required=True, type=float, help="latitude in degrees (WGS84)")
    parser.add_argument("--lon", required=True, type=float, help="longitude in degrees (WGS84)")
    parser.add_argument(
        "--precision",
        required=True,
        type=int,
        choices=GEO_PRECISION_CODES,
        help="geo_precision: 0 exact, 1 town, 2 near a town/district, 3 region",
    )
    parser.add_argument("--weapon", required=True, choices=WEAPONS)
    parser.add_argument(
        "--source",
        required=True,
        action="append",
        dest="sources",
        metavar="URL",
        help="source URL (repeat for several)",
    )
    parser.add_argument(
        "--target",
        action="append",
        dest="targets",
        default=[],
        metavar="ID",
        help="asset id the sources name as the target (repeat for several)",
    )
    parser.add_argument("--name", help="short title (default: from place and date)")
    parser.add_argument("--place", help="place name as the sources give it")
    parser.add_argument("--description")
    parser.add_argument("--date-precision", choices=DATE_PRECISIONS, default="day")
    parser.add_argument(
        "--status",
        choices=[s for s in STRIKE_STATUSES if s != "candidate"],
        default="confirmed",
        help="confirmed (default); unconfirmed when only some sources report it, disputed when "
        "they contradict each other; context for a spill-over or an event outside the region",
    )
    parser.add_argument("--dry-run", action="store_true", help="show the change, write nothing")
    parser.set_defaults(run=_run_add_strike)


def _run_add_strike(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    with _writing(data_dir, f"add-strike {args.date}", dry_run=args.dry_run):
        return _add_strike(args, data_dir)


def _add_strike(args: argparse.Namespace, data_dir: Path) -> int:
    plan = plan_add_strike(
        date=args.date,
        lat=args.lat,
        lon=args.lon,
        precision=args.precision,
        weapon=args.weapon,
        sources=args.sources,
        targets=args.targets,
        name=args.name,
        place=args.place,
        description=args.description,
        date_precision=args.date_precision,
        status=args.status,
        data_dir=data_dir,
    )
    print(plan.summary())
    if plan.rejected:
        return EXIT_INVALID_DATA
    if args.dry_run:
        print("dry run: nothing written")
    else:
        apply_plan(plan, data_dir=data_dir)
    return EXIT_OK


def _add_history_parser(verbs: argparse._SubParsersAction) -> None:
    parser = _add_verb(
        verbs,
        "history",
        help="list the kept previous versions of the data folder, or prune them",
        description="List the versions kept before each write, newest first, with what wrote "
        "them (interrupted writes too, saying whether they were finished or rolled back); "
        "`strikemap restore ID` puts one back. Versions are stored compressed; after each write "
        f"the history keeps the newest {retention.DEFAULT_KEEP} versions and every version younger "
        f"than {retention.DEFAULT_KEEP_DAYS:g} days (${retention.KEEP_ENV}, "
        f"${retention.KEEP_DAYS_ENV}).",
    )
    _add_data_dir_option(parser)
    parser.add_argument(
        "--prune", action="store_true", help="delete versions outside the retention now"
    )
    parser.add_argument(
        "--keep",
        type=_non_negative(int),
        metavar="N",
        help=f"with --prune: keep the newest N versions (default {retention.DEFAULT_KEEP})",
    )
    parser.add_argument(
        "--keep-days",
        type=_non_negative(float),
        metavar="D",
        help=f"with --prune: keep versions younger than D days "
        f"(default {retention.DEFAULT_KEEP_DAYS:g})",
    )
    parser.set_defaults(run=_run_history)


def _run_history(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    if args.prune:
        return _prune_history(args, data_dir)
    if args.keep is not None or args.keep_days is not None:
        raise _UsageError("--keep and --keep-days go with --prune")
    result = history.scan(data_dir=data_dir)
    versions = [v for v in result.versions if v.status != history.PENDING]
    if not versions:
        print("no previous versions kept yet")
    for version in versions:
        print(version.describe())
    for damaged in result.damaged:
        log.warning("%s", damaged.describe())
    return EXIT_OK


def _prune_history(args: argparse.Namespace, data_dir: Path) -> int:
    try:
        defaults = Retention.from_env()
    except ValueError as exc:
        raise _UsageError(str(exc)) from exc
    keep = defaults.keep if args.keep is None else args.keep
    days = defaults.keep_days if args.keep_days is None else args.keep_days
    with write_lock(data_dir, action="history --prune"):
        result = retention.prune(data_dir=data_dir, retention=Retention(keep, days))
    print(
        f"removed {len(result.removed)} versions (kept the newest {keep} and those younger than "
        f"{days:g} days); the history takes {result.bytes_after / 2**20:.1f} MB"
    )
    if result.skipped_gc:
        log.warning("%s: %s", data_dir, result.skipped_gc)
    return EXIT_OK


def _non_negative(kind: type) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            return retention.parse_non_negative(text, kind)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    return parse


def _add_restore_parser(verbs: argparse._SubParsersAction) -> None:
    parser = _add_verb(
        verbs,
        "restore",
        help="put back a kept version of the data folder (undoable)",
        description="Put back the files of a kept version. The files it replaces are kept as a "
        "new version, so a restore can itself be undone.",
    )
    parser.add_argument("version", help="version id from `strikemap history`, or 'latest'")
    _add_data_dir_option(parser)
    parser.set_defaults(run=_run_restore)


def _run_restore(args: argparse.Namespace) -> int:
    data_dir = _data_dir(args)
    try:
        paths = restore_version(args.version, data_dir=data_dir)
    except history.UnusableVersionError:
        raise  # incomplete or damaged: invalid data (exit 1)
    except HistoryError as exc:
        raise _UsageError(str(exc)) from exc
    print(f"restored {', '.join(p.name for p in paths) or 'nothing (files already equal)'}")
    return EXIT_OK


class _ProgressBar:
    """A one-line progress bar on stderr, shown only when stderr is a terminal."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.shown = False

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.shown:
            sys.stderr.write("\n")

    def update(self, done: int, total: int) -> None:
        """Redraw the bar for ``done`` of ``total`` (bytes)."""
        if not sys.stderr.isatty() or total <= 0:
            return
        width = 30
        filled = int(width * min(done / total, 1.0))
        sys.stderr.write(
            f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] {100 * done / total:5.1f}%"
        )
        sys.stderr.flush()
        self.shown = True


# --------------------------------------------------------------------------------------------
# Shared options and the entry point


def _add_verb(
    verbs: argparse._SubParsersAction, name: str, *, help: str, description: str
) -> argparse.ArgumentParser:
    """Return the parser of a new verb, with the -v/-q options every verb takes."""
    parser = verbs.add_parser(name, help=help, description=description)
    _add_loudness_options(parser, default=argparse.SUPPRESS)
    parser.set_defaults(verb=name)
    return parser


def _add_data_dir_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help=f"data folder (default: ${DATA_DIR_ENV}, else the shipped data/)",
    )


def _add_loudness_options(parser: argparse.ArgumentParser, *, default: object) -> None:
    """Add -v/-q; verbs add them with ``SUPPRESS`` so ``strikemap VERB -v`` works too."""
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument(
        "-v", "--verbose", action="store_true", default=default, help="log debugging details"
    )
    loudness.add_argument(
        "-q", "--quiet", action="store_true", default=default, help="log errors only"
    )


def _data_dir(args: argparse.Namespace) -> Path:
    """Return the data folder, after finishing or rolling back an interrupted write in it."""
    data_dir = resolve_data_dir(args.data_dir)
    if not data_dir.is_dir():
        msg = f"no such data folder: {data_dir}; pass --data-dir DIR or set {DATA_DIR_ENV}"
        raise _UsageError(msg)
    if not getattr(args, "recovered", False):
        recover_if_needed(data_dir)  # logs what it did
        args.recovered = True
    return data_dir


VERBS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    _add_validate_parser,
    _add_layers_parser,
    _add_impact_parser,
    _add_export_map_parser,
    _add_export_table_parser,
    _add_report_parser,
    _add_import_parser,
    _add_add_strike_parser,
    _add_history_parser,
    _add_restore_parser,
    _add_serve_parser,
)
"""One parser block per verb, in the order ``--help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    """Return the ``strikemap`` argument parser with every verb."""
    parser = argparse.ArgumentParser(
        prog="strikemap",
        description="Map strikes on energy infrastructure around Odesa and explain which assets "
        "and countries each strike touches.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_loudness_options(parser, default=False)
    verbs = parser.add_subparsers(title="verbs", metavar="VERB")
    for add_parser in VERBS:
        add_parser(verbs)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the ``strikemap`` command and return its exit code (0 ok, 1 invalid data, 2 usage).

    Parameters
    ----------
    argv
        Arguments without the program name; defaults to ``sys.argv[1:]``.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on --help (0) and on usage errors (2)
        return EXIT_OK if exc.code in (0, None) else EXIT_USAGE
    _configure_logging(verbose=args.verbose, quiet=args.quiet)
    if not hasattr(args, "run"):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.run(args)
    except (_UsageError, ExportFormatError, ExportWriteError, ReportError) as exc:
        print(f"strikemap: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (
        ImpactInputError,
        LayerReadError,
        LayerValidationError,
        ImportFileError,
        ImportRejectedError,
        PlanOutdatedError,
        HistoryError,
    ) as exc:
        print(f"strikemap: invalid data: {exc}", file=sys.stderr)
        return EXIT_INVALID_DATA
    except (LockError, WriteError) as exc:
        print(f"strikemap: cannot write: {exc}", file=sys.stderr)
        return EXIT_INVALID_DATA
    except OSError as exc:  # the disk or the system refused (full, read-only, no rights)
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"strikemap: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_INVALID_DATA
    except Exception as exc:  # invalid data the analysis tripped on, or a bug: one line each
        log.debug("traceback", exc_info=True)
        return _unexpected(args, exc)


def _unexpected(args: argparse.Namespace, exc: Exception) -> int:
    """Say why a verb failed unexpectedly: the data does not validate, or it is a bug."""
    folder = resolve_data_dir(getattr(args, "data_dir", None))
    report = validate_data_dir(folder) if folder.is_dir() else None
    if report is not None and not report.ok:
        errors = len(report.errors)
        print(
            f"strikemap: invalid data: {folder} does not validate ({errors} "
            f"{'error' if errors == 1 else 'errors'}), so `strikemap {args.verb}` cannot run; "
            f"`strikemap validate --data-dir {folder}` lists them",
            file=sys.stderr,
        )
        return EXIT_INVALID_DATA
    print(
        f"strikemap: internal error ({type(exc).__name__}: {exc}); please report it "
        "(run again with -v for details)",
        file=sys.stderr,
    )
    return EXIT_INVALID_DATA


def _configure_logging(*, verbose: bool, quiet: bool) -> None:
    """Log to the current stderr at the chosen level; safe to call again (tests call main often)."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.ERROR if quiet else logging.WARNING)
    if not any(isinstance(h, _StderrHandler) for h in root.handlers):
        handler = _StderrHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)


class _StderrHandler(logging.StreamHandler):
    """A stream handler that always writes to the current ``sys.stderr``."""

    @property
    def stream(self) -> object:  # type: ignore[override]
        """The current ``sys.stderr`` (so output captured by tests lands in the capture)."""
        return sys.stderr

    @stream.setter
    def stream(self, value: object) -> None:
        pass


if __name__ == "__main__":
    sys.exit(main())
