"""``strikemap export-map`` and ``strikemap export-table``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from strikemap.analysis import Analysis
from strikemap.cli.common import EXIT_OK, UsageError, add_data_dir_option, add_verb, log
from strikemap.cli.output import add_output_options, check_out, write_out
from strikemap.cli.view_options import add_view_options, analysis_from_args
from strikemap.exports.tables import CSV_TABLES, TABLE_FORMATS, export_table
from strikemap.maps.html import save_html_map
from strikemap.maps.static import PAGES, render_static_map


def add_export_map_parser(verbs: argparse._SubParsersAction) -> None:
    """Add the ``strikemap export-map`` verb: its options and what it runs."""
    parser = add_verb(
        verbs,
        "export-map",
        help="write a briefing map (PNG, PDF, SVG) or a standalone HTML map of a view",
        description="Draw the strikes, assets and impact links of a view as a static briefing "
        "map with title, legend, scale bar, north arrow, locator and sources (PNG, PDF or SVG), "
        "or as a standalone interactive HTML map. An empty selection still gives a map that "
        "says so (exit 0, with a warning).",
    )
    add_data_dir_option(parser)
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="FILE",
        help="FILE.png, FILE.pdf, FILE.svg or FILE.html",
    )
    add_output_options(parser, into_data=False)
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
    add_view_options(parser)
    parser.set_defaults(run=_run_export_map)


def _run_export_map(args: argparse.Namespace) -> int:
    suffix = args.out.suffix.lower().lstrip(".")
    if suffix not in ("png", "pdf", "svg", "html"):
        msg = f"--out {args.out}: unknown format {suffix!r}; use .png, .pdf, .svg or .html"
        raise UsageError(msg)
    check_out(args)
    analysis = analysis_from_args(args)
    if args.select and analysis.strike(args.select) is None:
        msg = f"--select {args.select}: no strike with that id; `strikemap impact` lists them"
        raise UsageError(msg)
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


def add_export_table_parser(verbs: argparse._SubParsersAction) -> None:
    """Add the ``strikemap export-table`` verb: its options and what it runs."""
    parser = add_verb(
        verbs,
        "export-table",
        help="write the shown strikes and their links as CSV, GeoJSON or XLSX",
        description="Write the strikes of a view and their impact links: CSV (one row per "
        "strike and link), GeoJSON (strike points with their links) or XLSX (sheets strikes "
        "and links).",
    )
    add_data_dir_option(parser)
    parser.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="FILE",
        help="FILE.csv, FILE.geojson or FILE.xlsx",
    )
    add_output_options(parser, into_data=True)
    parser.add_argument(
        "--table",
        choices=CSV_TABLES,
        default="joined",
        help="CSV only: joined (default), strikes or links",
    )
    add_view_options(parser)
    parser.set_defaults(run=_run_export_table)


def _run_export_table(args: argparse.Namespace) -> int:
    suffix = args.out.suffix.lower().lstrip(".")
    if suffix not in TABLE_FORMATS:
        msg = (
            f"--out {args.out}: unknown format {suffix or '(none)'!r}; use .csv, .geojson or .xlsx"
        )
        raise UsageError(msg)
    check_out(args)
    analysis = analysis_from_args(args)
    if analysis.strikes.empty:
        log.warning("no strikes match the filters; the table has no rows")
    table = export_table(analysis.strikes, analysis.explain(), fmt=suffix, table=args.table)
    write_out(args, table)
    print(
        f"wrote {args.out} ({len(analysis.strikes)} strikes, {len(analysis.links)} links)",
        file=sys.stderr,
    )
    return EXIT_OK
