"""Command line: ``decentraal data build|fetch|geocode`` and ``decentraal run``."""

from __future__ import annotations

import argparse
import sys

from decentraal.errors import DecentraalError


def _data_build(args: argparse.Namespace) -> int:
    from decentraal.config import PROCESSED_DIR
    from decentraal.io.processed import build_processed

    written = build_processed()
    print(f"Processed data written to {PROCESSED_DIR}:")
    for path in written.values():
        print(f"  {path}")
    return 0


def _data_fetch(argv: list[str]) -> int:
    from decentraal.io.fetch import fetch_main

    return fetch_main(argv)


def _run(args: argparse.Namespace) -> int:
    from decentraal.io.configs import load_config
    from decentraal.run.runner import run

    from pathlib import Path

    from decentraal.config import OUTPUTS_DIR

    params = load_config(args.config, args.param)
    run(params, only=args.only, jobs=args.jobs, outputs=Path(args.outputs) if args.outputs else OUTPUTS_DIR)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="decentraal", description="Barrier maps and counter demand for Haarlem and Zandvoort.")
    sub = parser.add_subparsers(dest="command", required=True)
    data = sub.add_parser("data", help="build or refresh data")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    data_sub.add_parser("build", help="build data/processed/ from data/raw/")
    data_sub.add_parser("fetch", help="download KWB and boundaries from CBS/PDOK (needs internet); see --help", add_help=False)
    data_sub.add_parser("geocode", help="geocode the existing counters with PDOK Locatieserver (needs internet)", add_help=False)
    run = sub.add_parser("run", help="run the notebooks for a config into outputs/<run_id>/")
    run.add_argument("--config", required=True, help="YAML config, e.g. configs/haarlem.yaml")
    run.add_argument("-p", "--param", action="append", default=[], metavar="NAME=VALUE", help="override a parameter (repeatable)")
    run.add_argument("--only", action="append", metavar="NN", help="run only the notebook(s) with this number prefix")
    run.add_argument("--jobs", type=int, default=None, help="notebooks run at the same time (default: one per core, at most 2; 1 = strictly in order)")
    run.add_argument("--outputs", default=None, help="folder for run folders (default: outputs/)")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:2] == ["data", "fetch"]:
        return _data_fetch(argv[2:])
    if argv[:2] == ["data", "geocode"]:
        from decentraal.io.fetch import geocode_main

        return geocode_main(argv[2:])
    args = build_parser().parse_args(argv)
    try:
        if args.command == "data":
            return _data_build(args)
        return _run(args)
    except DecentraalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
