"""The `sanitizer` command: parse arguments, call the public API, map errors to exit codes.

Exit status: 0 success; 1 when an input (or, in a batch, any input) failed; 2 for
usage errors. Errors are one line on stderr; `--debug` shows the traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys
import traceback
from collections.abc import Sequence

from sanitizer.commands import (
    audit_command,
    clean_command,
    fetch_command,
    rules_command,
    sanitize_command,
    trace_command,
)
from sanitizer.errors import SanitizerError
from sanitizer.version import __version__

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="sanitizer",
        description="Clean reposted articles into safe, credited HTML.",
        epilog="Run 'sanitizer COMMAND --help' for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    clean_command.add_parser(sub)
    fetch_command.add_parser(sub)
    sanitize_command.add_parser(sub)
    rules_command.add_parser(sub)
    audit_command.add_parser(sub)
    trace_command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits 2 on usage errors, 0 on --help
        return int(exit_.code or 0)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.WARNING,
                        format="sanitizer: %(levelname)s: %(message)s")
    if not args.debug:  # bs4 reports undecodable bytes as warnings; we already replaced them
        logging.getLogger("bs4").setLevel(logging.ERROR)
    try:
        return int(args.handler(args))
    except SanitizerError as err:
        return report(err, debug=args.debug)
    except BrokenPipeError:  # `sanitizer clean ... | head`
        return EXIT_OK
    except KeyboardInterrupt:
        print("sanitizer: interrupted", file=sys.stderr)
        return 130


def report_line(message: str, *, where: str | None = None, internal: bool = False) -> None:
    """The one stderr line of a failed input."""
    prefix = f"{where}: " if where and where not in message else ""
    if internal:
        print(f"sanitizer: internal error: {prefix}{message} "
              "(this is a bug; rerun with --debug and report it)", file=sys.stderr)
    else:
        print(f"sanitizer: error: {prefix}{message}", file=sys.stderr)


def report(err: BaseException, *, debug: bool, where: str | None = None) -> int:
    """Print one line for an error (and the traceback with --debug); return exit 1."""
    if debug:
        traceback.print_exception(err)
    if isinstance(err, SanitizerError):
        report_line(str(err), where=where)
    else:
        report_line(f"{type(err).__name__}: {err}", where=where, internal=True)
    return EXIT_FAILED
