"""``strikemap serve``: run the interactive map."""

from __future__ import annotations

import argparse

from strikemap.cli.common import UsageError, add_data_dir_option, add_verb, data_dir_of
from strikemap.webapp.data_page import DEFAULT_MAX_UPLOAD_MB
from strikemap.webapp.serve import DEFAULT_ADDRESS, DEFAULT_PORT, serve


def add_serve_parser(verbs: argparse._SubParsersAction) -> None:
    """Add the ``strikemap serve`` verb: its options and what it runs."""
    parser = add_verb(
        verbs,
        "serve",
        help="start the interactive map (Streamlit) on a data folder",
        description="Start the interactive map on a data folder and keep it running until "
        "Ctrl+C. The map's libraries are served by the app itself, so it works offline.",
    )
    add_data_dir_option(parser)
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
    data_dir = data_dir_of(args)
    if not 0 < args.port < 65536:
        msg = f"--port {args.port} is not a port number (1-65535)"
        raise UsageError(msg)
    if not args.max_upload_mb > 0:
        msg = f"--max-upload-mb {args.max_upload_mb:g} must be a positive number of megabytes"
        raise UsageError(msg)
    host = f"[{args.address}]" if ":" in args.address else args.address
    print(f"strikemap: serving {data_dir} at http://{host}:{args.port} (Ctrl+C stops)")
    return serve(
        data_dir,
        args.port,
        headless=not args.open_browser,
        address=args.address,
        max_upload_mb=args.max_upload_mb,
    )
