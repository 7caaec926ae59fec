"""Options shared by several subcommands, defined once."""

from __future__ import annotations

import argparse

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


def rulebook_from(args: argparse.Namespace) -> Rulebook:
    """Load the bundled rules plus every --rules folder."""
    return load_rules(*args.rules)
