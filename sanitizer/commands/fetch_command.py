"""`sanitizer fetch URL... | -i URLS.txt`: fetch politely, log one JSONL line per input.

Also home of the network options `clean` shares (`add_network_options`, `fetcher_from`).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from sanitizer.archive import WarcArchive
from sanitizer.commands.options import add_allow_private, add_common
from sanitizer.commands.progress import Progress
from sanitizer.errors import InputError
from sanitizer.fetch import DEFAULT_MAX_BYTES, Fetcher
from sanitizer.fetchlog import FetchResult, JsonlLog
from sanitizer.httpcache import HttpCache
from sanitizer.retry import RetryPolicy


def add_network_options(parser: argparse.ArgumentParser) -> None:
    """--user-agent, --contact, --ignore-robots, --allow-private (clean and fetch)."""
    parser.add_argument("--user-agent", metavar="UA",
                        help="the User-Agent to send (default: repost-sanitizer/VERSION (+URL))")
    parser.add_argument("--contact", metavar="URL",
                        help="a URL or mailto: site owners can reach you at, added to the "
                             "User-Agent")
    parser.add_argument("--ignore-robots", action="store_true",
                        help="fetch pages robots.txt disallows (only with the owner's "
                             "permission; recorded in the results)")
    add_allow_private(parser)


def fetch_settings(args: argparse.Namespace) -> tuple[tuple[str, Any], ...]:
    """The Fetcher keyword arguments the network options in `args` ask for (picklable)."""
    return (("user_agent", args.user_agent), ("contact", args.contact),
            ("ignore_robots", args.ignore_robots), ("allow_private", args.allow_private))


def fetcher_from(args: argparse.Namespace, **options: Any) -> Fetcher:
    """A Fetcher configured by the network options in `args` (plus `options`)."""
    return Fetcher(**dict(fetch_settings(args)), **options)


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "fetch",
        help="fetch URLs politely, with a JSONL log and an optional WARC archive",
        description="Fetch each URL politely (robots.txt, per-host delay and concurrency, "
                    "retries with backoff) within time and size limits, and write one "
                    "JSON line per input: url, final_url, status, ok, error, redirects, "
                    "bytes, encoding, elapsed, warc_record_id.",
    )
    parser.add_argument("urls", nargs="*", metavar="URL", help="URLs to fetch")
    parser.add_argument("-i", "--input", metavar="FILE",
                        help="read URLs from FILE, one a line (- for stdin; # comments)")
    parser.add_argument("--jsonl", metavar="FILE",
                        help="write the results here (default: stdout)")
    parser.add_argument("--warc", metavar="FILE",
                        help="archive every request and response in this WARC file "
                             "(gzipped when it ends in .gz)")
    parser.add_argument("--cache", metavar="FILE",
                        help="reuse answers from this SQLite HTTP cache and add new ones")
    parser.add_argument("--workers", type=int, default=8, metavar="N",
                        help="requests in flight in all (default 8)")
    parser.add_argument("--per-host", type=int, default=1, metavar="N",
                        help="requests in flight per host (default 1)")
    parser.add_argument("--delay", type=float, default=1.0, metavar="SECONDS",
                        help="seconds between requests to one host (default 1; a larger "
                             "robots.txt Crawl-delay wins)")
    parser.add_argument("--retries", type=int, default=2, metavar="N",
                        help="retries after a connection error, timeout, 429 or 5xx "
                             "(default 2)")
    parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                        help="connect and read timeout (default 30)")
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, metavar="N",
                        help=f"largest body accepted (default {DEFAULT_MAX_BYTES})")
    add_network_options(parser)
    add_common(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from sanitizer.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE

    urls = [*args.urls, *(_read_url_list(args.input) if args.input else [])]
    if not urls:
        print("sanitizer fetch: error: give URLs or -i FILE", file=sys.stderr)
        return EXIT_USAGE
    with ExitStack() as stack:
        archive = stack.enter_context(WarcArchive(args.warc)) if args.warc else None
        cache = HttpCache(args.cache) if args.cache else None
        if cache is not None:
            stack.callback(cache.close)
        fetcher = stack.enter_context(fetcher_from(
            args, archive=archive, cache=cache, workers=args.workers, per_host=args.per_host,
            delay=args.delay, retry=RetryPolicy(attempts=max(args.retries, 0) + 1),
            timeout=(args.timeout, args.timeout), max_bytes=args.max_bytes))
        log = stack.enter_context(JsonlLog(args.jsonl or sys.stdout))
        failures = _fetch_all(fetcher, urls, log, quiet=args.quiet)
    if not args.quiet:
        _summary(failures, args)
    return EXIT_FAILED if failures else EXIT_OK


def _fetch_all(fetcher: Fetcher, urls: list[str], log: JsonlLog, *, quiet: bool) -> Counter[str]:
    """Fetch every URL, logging each result; count the failures by error type."""
    failures: Counter[str] = Counter()
    progress = Progress(len(urls), enabled=not quiet)
    for result in fetcher.fetch_many(urls):
        log.write(result)
        if not result.ok:
            failures[result.error_type or "Error"] += 1
            _report(result, progress)
        progress.step(result.url)
    progress.done(sum(failures.values()))
    return failures


def _report(result: FetchResult, progress: Progress) -> None:
    """One error line on stderr for a failed input."""
    if progress.live:
        sys.stderr.write("\r\x1b[K")
    print(f"sanitizer: error: {result.error_message}", file=sys.stderr)


def _summary(failures: Counter[str], args: argparse.Namespace) -> None:
    """What failed, by kind, and where the evidence went."""
    if failures:
        kinds = ", ".join(f"{name} {count}" for name, count in failures.most_common())
        print(f"sanitizer: failures by kind: {kinds}", file=sys.stderr)
    if args.warc:
        print(f"sanitizer: archived to {args.warc}", file=sys.stderr)
    if args.ignore_robots:
        print("sanitizer: robots.txt was ignored (--ignore-robots)", file=sys.stderr)


def _read_url_list(source: str) -> list[str]:
    """URLs from a file (or stdin for -), one a line, skipping blanks and # comments."""
    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    except OSError as err:
        raise InputError(f"can't read the URL list {source}: {err.strerror or err}",
                         source=source) from err
    except UnicodeDecodeError as err:
        raise InputError(f"the URL list {source} is not UTF-8 text", source=source) from err
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]
