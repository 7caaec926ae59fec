"""Options shared by several subcommands, defined once."""

from __future__ import annotations

import argparse
from pathlib import Path

from sanitizer.errors import OutputError
from sanitizer.rulebook import Rulebook, load_rules


def add_common(parser: argparse.ArgumentParser) -> None:
    """--debug and --quiet."""
    parser.add_argument("--debug", action="store_true",
                        help="show tracebacks and debug logging")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="no progress or summary on stderr")


def add_rules_option(parser: argparse.ArgumentParser) -> None:
    """--rules DIR (repeatable)."""
    parser.add_argument("--rules", metavar="DIR", action="append", default=[],
                        help="a folder of rule files laid over the bundled rules "
                             "(repeatable; later folders win)")


def add_engine_options(parser: argparse.ArgumentParser) -> None:
    """--engine, --scheduler, --workers (batch commands)."""
    from sanitizer.engine import ENGINES

    parser.add_argument("--engine", choices=ENGINES, default="local",
                        help="where documents are processed: this process (default) or a "
                             "Dask cluster")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="with --engine dask: the scheduler of an existing cluster "
                             "(default: start a local cluster)")
    parser.add_argument("--workers", type=int, metavar="N",
                        help="with --engine dask and no --scheduler: local worker processes")


def add_allow_private(parser: argparse.ArgumentParser) -> None:
    """--allow-private: the one way past the fetcher's private-address guard."""
    parser.add_argument("--allow-private", action="store_true",
                        help="allow loopback, private and other non-public addresses "
                             "(refused by default: a URL or redirect could reach your network)")


def add_crawl_options(parser: argparse.ArgumentParser) -> None:
    """--allow-private and --delay (audit, trace)."""
    add_allow_private(parser)
    parser.add_argument("--delay", type=float, metavar="SECONDS",
                        help="wait between two requests to one host (default: the fetcher's)")


def rulebook_from(args: argparse.Namespace) -> Rulebook:
    """Load the bundled rules plus every --rules folder."""
    return load_rules(*args.rules)


def write_output(path: str | Path, text: str) -> None:
    """Write a result file, turning OS errors into one OutputError line."""
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as err:
        raise OutputError(f"can't write {path}: {err.strerror or err}", path=str(path)) from err


def make_folder(path: str | Path) -> Path:
    """Create an output folder (and its parents) or raise OutputError."""
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"can't use {path} as an output folder: {err.strerror or err}",
                          path=str(path)) from err
    return folder
