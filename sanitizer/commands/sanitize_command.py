"""`sanitizer sanitize [FILE|-]`: only normalise and sanitise already-extracted HTML."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sanitizer.api import sanitize_fragment
from sanitizer.commands.options import add_common, add_rules_option, rulebook_from, write_output
from sanitizer.fetch import read_file


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "sanitize",
        help="make an HTML fragment safe (no extraction, no credit)",
        description="Read an HTML fragment (FILE, or stdin when FILE is - or missing), make "
                    "its links absolute and its images real, and sanitise it with the "
                    "allow-list: the same last steps 'clean' ends with.",
    )
    parser.add_argument("file", nargs="?", default="-", metavar="FILE",
                        help="the fragment (default: stdin)")
    parser.add_argument("--base-url", metavar="URL", help="resolve relative links against URL")
    parser.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")
    add_rules_option(parser)
    add_common(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    page = read_file(args.file)
    text = page.content.decode("utf-8", errors="replace")
    clean = sanitize_fragment(text, url=args.base_url, rules=rulebook_from(args)) + "\n"
    if args.output:
        write_output(args.output, clean)
    else:
        sys.stdout.write(clean)
    return 0
