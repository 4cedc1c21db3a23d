"""Command line: ``decentraal data build|fetch|geocode`` and ``decentraal run``.

One :mod:`argparse` parser holds every subcommand; each subcommand names its handler
(``set_defaults(handler=...)``). Every expected failure prints one ``error: ...`` line (or a
short block) to stderr and exits 1, with no Python traceback; ``--debug`` shows the traceback.
Ctrl-C exits 130 with one line.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from pathlib import Path

from decentraal.config import GEMEENTEN, OUTPUTS_DIR, PROCESSED_DIR, RAW_DIR
from decentraal.errors import DecentraalError
from decentraal.io.fetch import KWB_TABLES, WHAT_CHOICES, fetch_all, geocode_counters


def _data_build(args: argparse.Namespace) -> int:
    from decentraal.pipeline.data import build_processed

    written = build_processed()
    print(f"Processed data written to {PROCESSED_DIR}:")
    for path in written.values():
        print(f"  {path}")
    return 0


def _data_fetch(args: argparse.Namespace) -> int:
    """``decentraal data fetch``: download everything asked for first, write only when all succeeded."""
    written = fetch_all(
        args.gemeente, args.jaar, args.what, raw_dir=args.raw_dir, timeout=args.timeout,
        log=lambda message: print(message, file=sys.stderr),
    )
    print(f"wrote {len(written)} files and updated {Path(args.raw_dir) / 'registry.json'}:")
    for path in written:
        print(f"  {path}")
    return 0


def _data_geocode(args: argparse.Namespace) -> int:
    """``decentraal data geocode``: locate the existing counters by address (needs internet)."""
    path = geocode_counters(args.raw_dir, timeout=args.timeout)
    print(f"geocoded counters written to {path}")
    return 0


def _run(args: argparse.Namespace) -> int:
    from decentraal.io.configs import load_config
    from decentraal.run.runner import run

    params = load_config(args.config, args.param)
    run(params, only=args.only, jobs=args.jobs, outputs=Path(args.outputs) if args.outputs else OUTPUTS_DIR)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="decentraal", description="Barrier maps and counter demand for Haarlem and Zandvoort.")
    parser.add_argument("--debug", action="store_true", help="show the Python traceback of an error")
    sub = parser.add_subparsers(dest="command", required=True)
    data = sub.add_parser("data", help="build or refresh data")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    build = data_sub.add_parser("build", help="build data/processed/ from data/raw/")
    build.set_defaults(handler=_data_build)

    gemeenten = ",".join(GEMEENTEN)
    fetch = data_sub.add_parser(
        "fetch",
        help="download KWB and boundaries from CBS/PDOK (needs internet); see --help",
        description=(
            "Download fresh raw data (CBS Kerncijfers wijken en buurten, PDOK wijk/buurt boundaries) "
            "into the raw-data folder, with README and registry entries. Needs internet access; "
            "nothing is written unless every download succeeds."
        ),
    )
    fetch.add_argument("--gemeente", default=gemeenten,
                       help=f"gemeente code(s), comma-separated (default: {gemeenten})")
    fetch.add_argument("--jaar", type=int, default=max(KWB_TABLES),
                       help=f"year, one of {', '.join(map(str, sorted(KWB_TABLES)))} (default: {max(KWB_TABLES)})")
    fetch.add_argument("--what", default=",".join(WHAT_CHOICES),
                       help="what to fetch, comma-separated: kwb (CBS figures), grenzen (boundaries); default both")
    fetch.add_argument("--raw-dir", type=Path, default=RAW_DIR, help=f"raw-data folder (default: {RAW_DIR})")
    fetch.add_argument("--timeout", type=float, default=30, help="seconds per HTTP request (default: 30)")
    fetch.set_defaults(handler=_data_fetch)

    geocode = data_sub.add_parser(
        "geocode",
        help="geocode the existing counters with PDOK Locatieserver (needs internet)",
        description="Geocode the existing counters with PDOK Locatieserver.",
    )
    geocode.add_argument("--raw-dir", type=Path, default=RAW_DIR, help=f"raw-data folder (default: {RAW_DIR})")
    geocode.add_argument("--timeout", type=float, default=30, help="seconds per HTTP request (default: 30)")
    geocode.set_defaults(handler=_data_geocode)

    run = sub.add_parser("run", help="run the notebooks for a config into outputs/<run_id>/")
    run.add_argument("--config", required=True, help="YAML config, e.g. configs/haarlem.yaml")
    run.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE", help="override a parameter (repeatable)")
    run.add_argument("--only", action="append", metavar="NN", help="run only the notebook(s) with this number prefix")
    run.add_argument("--jobs", type=_positive_int, default=None, help="notebooks run at the same time (default: one per core, at most 2; 1 = strictly in order)")
    run.add_argument("--outputs", default=None, help="folder for run folders (default: outputs/)")
    run.set_defaults(handler=_run)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except DecentraalError as exc:
        if args.debug:
            traceback.print_exc()
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; nothing was run or written after the interruption", file=sys.stderr)
        return 130
    except Exception as exc:  # an unexpected fault: still one line, the traceback on request
        if args.debug:
            traceback.print_exc()
        print(f"error: unexpected {type(exc).__name__}: {exc} (run again with --debug for the traceback, "
              "and report it)", file=sys.stderr)
        return 2
