"""``strikemap report``: a country's exposure report."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from strikemap.cli.common import EXIT_OK, UsageError, add_data_dir_option, add_verb
from strikemap.cli.output import add_output_options, check_out
from strikemap.cli.view_options import add_view_options, analysis_from_args
from strikemap.reports import REPORT_FORMATS, save_report


def add_report_parser(verbs: argparse._SubParsersAction) -> None:
    """Add the ``strikemap report`` verb: its options and what it runs."""
    parser = add_verb(
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
    add_data_dir_option(parser)
    parser.add_argument(
        "--out", type=Path, required=True, metavar="FILE", help="FILE.pdf or FILE.html"
    )
    add_output_options(parser, into_data=False)
    add_view_options(parser)
    parser.set_defaults(run=_run_report)


def _run_report(args: argparse.Namespace) -> int:
    if len(args.countries) != 1:
        given = ", ".join(args.countries) or "none"
        msg = f"report needs exactly one --country ISO3 (e.g. --country AZE); got {given}"
        raise UsageError(msg)
    suffix = args.out.suffix.lower().lstrip(".")
    if suffix not in REPORT_FORMATS:
        msg = f"--out {args.out}: unknown format {suffix or '(none)'!r}; use .pdf or .html"
        raise UsageError(msg)
    check_out(args)
    analysis = analysis_from_args(args)
    started = time.perf_counter()
    save_report(analysis, args.out)
    print(
        f"wrote {args.out} ({len(analysis.strikes)} strikes linked to {args.countries[0]}, "
        f"{time.perf_counter() - started:.1f} s)",
        file=sys.stderr,
    )
    return EXIT_OK
