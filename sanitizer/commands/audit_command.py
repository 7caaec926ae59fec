"""`sanitizer audit ORIGINAL... --copies SRC...`: who copies these articles, and do they
credit them? Rows go to a SQLite file; reports to --report DIR; a summary to stdout."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sanitizer.audit import run_audit
from sanitizer.audit_records import AuditRow
from sanitizer.commands.options import (
    add_common,
    add_crawl_options,
    add_rules_option,
    rulebook_from,
)
from sanitizer.commands.progress import Progress
from sanitizer.engine import ENGINES
from sanitizer.errors import InputError
from sanitizer.fetch import read_file
from sanitizer.matching import COPY_SHARE
from sanitizer.report import report_data, summary_text, write_reports


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "audit", help="find who copies your articles and whether they credit them",
        description="Fetch each copy, clean it, match it against every original (MinHash "
                    "LSH, then exact shingle containment) and give a verdict: linked, "
                    "canonical, credited, upstream, uncredited, not-a-copy or error. "
                    "Originals and copies are URLs or saved pages.")
    parser.add_argument("originals", nargs="*", metavar="ORIGINAL",
                        help="an original article: URL or saved page")
    parser.add_argument("--copies", nargs="+", action="extend", default=[], metavar="SRC",
                        help="suspected copies: URLs or saved pages")
    parser.add_argument("-i", "--copies-file", action="append", default=[], metavar="FILE",
                        help="a file of copy URLs, one per line (# comments; - for stdin)")
    parser.add_argument("--originals-file", action="append", default=[], metavar="FILE",
                        help="a file of original URLs, one per line")
    parser.add_argument("--copies-from", action="append", default=[], metavar="FEED",
                        help="an RSS/Atom feed or sitemap (URL or file) listing copies")
    parser.add_argument("--warc", action="append", default=[], metavar="FILE",
                        help="a WARC file (e.g. a Common Crawl segment) whose HTML responses "
                             "are copies to check (repeatable)")
    parser.add_argument("--originals-from", action="append", default=[], metavar="FEED",
                        help="an RSS/Atom feed or sitemap listing originals")
    parser.add_argument("--db", default="audit.db", metavar="FILE",
                        help="the SQLite file for results; a re-run resumes (default audit.db)")
    parser.add_argument("--refresh", action="store_true",
                        help="fetch and judge everything again, replacing stored rows")
    parser.add_argument("--report", metavar="DIR",
                        help="write report.html, report.csv and report.json here")
    parser.add_argument("--workers", type=int, default=4, metavar="N",
                        help="pages processed at once: threads, or with --engine dask the "
                             "local cluster's worker processes (default 4)")
    parser.add_argument("--engine", choices=ENGINES, default="local",
                        help="judge copies in this process (default) or on a Dask cluster")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="with --engine dask: an existing cluster's scheduler "
                             "(default: start a local cluster)")
    parser.add_argument("--threshold", type=float, default=COPY_SHARE, metavar="SHARE",
                        help=f"share of an original a copy must reproduce (default {COPY_SHARE})")
    add_crawl_options(parser)
    add_rules_option(parser)
    add_common(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from sanitizer.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE

    originals = [*args.originals, *_url_lines(args.originals_file)]
    copies = [*args.copies, *_url_lines(args.copies_file)]
    if not originals and not args.originals_from:
        print("sanitizer audit: error: give at least one ORIGINAL (or --originals-from)",
              file=sys.stderr)
        return EXIT_USAGE
    if not copies and not args.copies_from and not args.warc:
        print("sanitizer audit: error: give copies with --copies, -i FILE, --copies-from or --warc",
              file=sys.stderr)
        return EXIT_USAGE
    progress = _ProgressBar(enabled=not args.quiet)
    result = run_audit(originals, copies, originals_from=args.originals_from,
                      copies_from=args.copies_from, db=args.db, refresh=args.refresh,
                      workers=args.workers, allow_private=args.allow_private, delay=args.delay,
                      rules=rulebook_from(args), threshold=args.threshold, warcs=args.warc,
                      engine=args.engine, scheduler=args.scheduler, dask_workers=args.workers,
                      on_row=progress.row, notice=_notice)
    rows = result.rows
    progress.finish(rows)
    data = report_data(rows, result.originals, args.threshold)
    paths = write_reports(args.report, data) if args.report else []
    print(summary_text(data, db=args.db, paths=paths))
    return EXIT_FAILED if any(r.verdict == "error" for r in rows) else EXIT_OK


def _notice(message: str) -> None:
    print(f"sanitizer audit: {message}", file=sys.stderr)


def _url_lines(paths: list[str]) -> list[str]:
    """The URLs in files of URLs: one per line, blank lines and # comments skipped."""
    found = []
    for path in paths:
        text = read_file(path).content.decode("utf-8", errors="replace")
        lines = [line.strip() for line in text.splitlines()]
        urls = [line for line in lines if line and not line.startswith("#")]
        if not urls:
            raise InputError(f"{path} lists no URLs", source=path)
        found.extend(urls)
    return found


class _ProgressBar:
    """Progress on stderr (redrawn in place on a terminal), told the total by the audit."""

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self.bar: Progress | None = None
        self.resumed = 0

    def row(self, row: AuditRow, resumed: bool, total: int) -> None:
        if self.bar is None:
            self.bar = Progress(total, enabled=self.enabled)
        self.resumed += resumed
        self.bar.step(f"{row.verdict:<10} {row.url}")

    def finish(self, rows: list[AuditRow]) -> None:
        if self.bar is not None:
            self.bar.done(sum(1 for r in rows if r.verdict == "error"))
        if self.enabled and self.resumed:
            print(f"sanitizer audit: {self.resumed} rows reused from the database "
                  "(--refresh to redo them)", file=sys.stderr)
