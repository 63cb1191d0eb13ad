"""``strikemap impact``: the link table, or the per-country summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from strikemap.analysis import load_dataset
from strikemap.analysis.view import ViewError
from strikemap.cli.common import (
    EXIT_OK,
    UsageError,
    add_data_dir_option,
    add_verb,
    data_dir_of,
    text_table,
)
from strikemap.cli.output import add_output_options, check_out, write_out
from strikemap.cli.view_options import (
    add_view_options,
    analysis_from_args,
    rules_from_args,
    view_from_args,
)
from strikemap.exports.files import write_to_stdout
from strikemap.exports.link_dataset import (
    PARQUET_FORMATS,
    guard_output_folder,
    parquet_table,
    write_parquet_file,
)
from strikemap.exports.links import (
    links_to_csv_blocks,
    links_to_geojson_blocks,
    links_to_json_blocks,
)
from strikemap.geo.partition import DEFAULT_PARTITION_STRIKES
from strikemap.geo.rules import (
    ImpactRules,
)
from strikemap.layers.catalog import STRIKES
from strikemap.scale.errors import ClusterError
from strikemap.scale.run import ENGINES, EngineOptions, strikes_read_by_workers, write_links


def add_impact_parser(verbs: argparse._SubParsersAction) -> None:
    """Add the ``strikemap impact`` verb: its options and what it runs."""
    parser = add_verb(
        verbs,
        "impact",
        help="write the impact table: each strike -> assets -> countries, with reasons",
        description="Link every strike to the assets it hit or threatened and to the countries "
        "that touches (target, nearby, owner, supply_origin, serves, transit, downstream, "
        "location, border), one row per link with distance, confidence and a sentence saying why.",
    )
    add_data_dir_option(parser)
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
    add_output_options(parser, into_data=True)
    parser.add_argument(
        "--summary",
        action="store_true",
        help="print, instead of the links, the strikes per country: first those that affect it "
        "(high or medium confidence), then apart those that only expose it (low)",
    )
    add_view_options(parser)
    scale = parser.add_argument_group(
        "engine (docs/SCALING.md): the same rows, in memory bounded by a partition"
    )
    scale.add_argument(
        "--engine",
        choices=ENGINES,
        default="inprocess",
        help="inprocess (default): the whole join at once; partitioned: partitions of strikes "
        "one after another, each written as it finishes (spatial ones for parquet, runs of the "
        "output's order for text); dask: those partitions on a Dask cluster (needs the scale "
        "extra)",
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
        raise UsageError("--workers and --scheduler need --engine dask")
    check_out(args)
    analysis = analysis_from_args(args)
    strikes = analysis.strikes
    if args.summary:
        data = _summary_text(analysis.country_summary, rules=analysis.rules).encode("utf-8")
    else:
        links = analysis.explain()
        if args.format == "csv":
            data = b"".join(links_to_csv_blocks(links))
        elif args.format == "json":
            data = b"".join(links_to_json_blocks(links))
        else:
            data = b"".join(links_to_geojson_blocks(links, strikes, analysis.dataset.assets))
    if args.out is None:
        write_to_stdout(lambda out: out.write(data))
    else:
        write_out(args, data)
        print(
            f"wrote {len(analysis.links)} links of {len(strikes)} strikes to {args.out}",
            file=sys.stderr,
        )
    return EXIT_OK


def _run_impact_scaled(args: argparse.Namespace) -> int:
    """``strikemap impact`` with --engine partitioned or dask, or a Parquet output."""
    if args.summary:
        raise UsageError("--summary runs in process: leave out --engine and --format parquet")
    if args.into_data:
        raise UsageError("--into-data takes csv, json or geojson from --engine inprocess")
    if (args.workers or args.scheduler) and args.engine != "dask":
        raise UsageError("--workers and --scheduler need --engine dask")
    if args.workers and args.scheduler:
        raise UsageError("give --workers (a local cluster) or --scheduler (a running one)")
    parquet = args.format in PARQUET_FORMATS
    if parquet and args.out is None:
        raise UsageError(f"--format {args.format} writes binary files: give --out")
    if parquet and args.engine == "inprocess":
        return _run_impact_parquet_file(args)
    if args.out is not None and parquet:
        guard_output_folder(args.out, data_dir=data_dir_of(args), force=args.force)
    else:
        check_out(args)
    folder = data_dir_of(args)
    on_workers = strikes_read_by_workers(folder, args.engine)
    dataset = load_dataset(folder, skip=[STRIKES.name] if on_workers else [])
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
            view_from_args(args),
            rules_from_args(args),
            fmt=args.format,
            out=args.out,
            options=options,
        )
    except (ViewError, ClusterError) as exc:
        raise UsageError(str(exc)) from exc
    where = args.out if args.out is not None else "stdout"
    print(
        f"wrote {stats.links} links of {stats.strikes} strikes to {where} "
        f"({stats.partitions} partitions, engine {args.engine})",
        file=sys.stderr,
    )
    return EXIT_OK


def _run_impact_parquet_file(args: argparse.Namespace) -> int:
    """One Parquet (or GeoParquet) file of the links, in process."""
    check_out(args)
    analysis = analysis_from_args(args)
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
        frame_table(
            affected,
            ["country", "name", "affected", "high", "medium", "affected_by"],
            ["country", "name", "strikes", "high", "medium", "through"],
        ),
        "",
        EXPOSED_TITLE.format(radius=radius),
        frame_table(
            exposed,
            ["country", "name", "exposed", "exposed_by"],
            ["country", "name", "strikes", "through"],
        ),
    ]
    return "\n".join(parts) + "\n"


def frame_table(frame: pd.DataFrame, columns: list[str], headers: list[str]) -> str:
    """Return ``columns`` of ``frame`` as a plain-text table under ``headers``."""
    rows = [tuple(headers)] + [
        tuple(str(v) for v in r) for r in frame[columns].itertuples(index=False)
    ]
    if len(rows) == 1:
        return "  (none)"
    return text_table(rows)
