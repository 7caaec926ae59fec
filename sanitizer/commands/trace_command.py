"""`sanitizer trace URL`: the provenance chain from a copy upstream, with the evidence."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from sanitizer.api import Sanitizer
from sanitizer.audit import make_fetcher
from sanitizer.commands.options import (
    add_common,
    add_crawl_options,
    add_rules_option,
    rulebook_from,
)
from sanitizer.trace import MAX_HOPS, Hop, trace


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "trace", help="follow a copy's credits upstream to the original",
        description="Fetch URL, find the page it credits, fetch that, and so on (at most "
                    "--max-hops, stopping at a cycle), printing each hop with its evidence.")
    parser.add_argument("url", metavar="URL")
    parser.add_argument("--max-hops", type=int, default=MAX_HOPS, metavar="N",
                        help=f"follow at most N credits (default {MAX_HOPS})")
    parser.add_argument("--json", action="store_true", help="print the chain as JSON")
    add_crawl_options(parser)
    add_rules_option(parser)
    add_common(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    with Sanitizer(rules=rulebook_from(args),
                   fetcher=make_fetcher(args.allow_private, args.delay)) as sanitizer:
        hops = trace(args.url, sanitizer=sanitizer, max_hops=max(0, args.max_hops))
        sanitizer.fetcher.close()
    if args.json:
        print(json.dumps([h.as_dict() for h in hops], indent=2, ensure_ascii=False))
    else:
        sys.stdout.write(format_chain(hops))
    return 1 if hops[0].error else 0


def format_chain(hops: list[Hop]) -> str:
    """The chain as indented text, one block per hop."""
    lines = []
    for n, hop in enumerate(hops):
        arrow = "" if n == 0 else "-> "
        lines.append(f"{'   ' * n}{arrow}{hop.url}")
        pad = "   " * n + ("   " if n else "")
        if hop.title:
            lines.append(f"{pad}  title: {hop.title}")
        if hop.final_url and hop.final_url != hop.url:
            lines.append(f"{pad}  redirected to: {hop.final_url}")
        if hop.source_url or hop.publisher:
            lines.append(f"{pad}  credits: {hop.source_url or '-'} ({hop.publisher or '?'}, "
                         f"confidence {hop.confidence})")
            lines.extend(f"{pad}    evidence: {e}" for e in hop.evidence)
        if hop.share is not None:
            lines.append(f"{pad}  reproduces {hop.share:.0%} of the page it credits")
        if hop.end:
            lines.append(f"{pad}  end: {hop.end}")
    return "\n".join(lines) + "\n"
