"""Politeness and fault benchmark for `sanitizer.fetch.Fetcher`, all on loopback.

Part 1 (politeness): four simulated hosts, one HTTP server each on 127.0.0.1..127.0.0.4
(all of 127.0.0.0/8 is loopback on Linux), run in a child process so that the servers'
timestamps are not skewed by the fetcher's threads. Host 4's robots.txt asks for a larger
Crawl-delay. A batch of URLs, interleaved badly on purpose (all of host 1 first), is
fetched with `fetch_many`; each server's access log (request start and end times) gives,
per host, the smallest gap between request starts (must be >= the delay in force), the
largest number of requests in flight (must be <= per_host), and the rate reached,
against the politeness limit (1 / delay per host). Total throughput is compared with
the limit for the whole batch: the slowest host needs (n - 1) * delay seconds.

Part 2 (faults): every fault of the fetcher issue against one server, each with the
outcome it must end in and a generous time bound.

    python benchmarks/politeness.py [--pages 25] [--delay 0.2] [--per-host 2]

Exits 1 when any check fails.
"""

from __future__ import annotations

import argparse
import email.utils
import itertools
import multiprocessing
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from httpserver import LocalHTTPServer, RequestHandler, answer  # noqa: E402

from sanitizer.fetch import Fetcher  # noqa: E402
from sanitizer.retry import RetryPolicy  # noqa: E402

PAGE = b"<!doctype html><html><body>" + b"<p>filler paragraph</p>" * 200 + b"</body></html>"
HOSTS = ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4")
MiB = 2**20
#: The fetcher spaces the moments requests take their host's slot exactly; the server
#: stamps a request when its handler thread has parsed it. Thread scheduling on both
#: sides (GIL switch interval 5 ms) moves single arrivals by a few ms, so a single gap
#: may be that much short. The average rate is held strictly.
JITTER = 0.10


# part 1: politeness ---------------------------------------------------------------------


@dataclass
class HostFigures:
    """What one server's access log shows."""

    host: str
    pages: int
    delay: float
    min_gap: float
    mean_gap: float
    peak: int
    rate: float

    @property
    def limit(self) -> float:
        return 1 / self.delay


def serve_pages(server: LocalHTTPServer, pages: int, think: float, crawl_delay: float | None
                ) -> list[str]:
    """Routes for `pages` pages answering after `think` seconds; robots.txt; their URLs."""
    rules = "User-agent: *\nAllow: /\n"
    if crawl_delay is not None:
        rules += f"Crawl-delay: {crawl_delay}\n"
    server.robots(rules)
    for i in range(pages):
        server.slow_headers(f"/p{i}", think, body=PAGE)
    return [server.url(f"/p{i}") for i in range(pages)]


Log = list[tuple[str, float, float]]  # (path, started, ended) per request


def server_process(conn: Connection, pages: int, think: float,
                   crawl_delays: list[float | None]) -> None:
    """In a child process (no GIL shared with the fetcher): serve 4 hosts, send the logs."""
    servers = [LocalHTTPServer(host).start() for host in HOSTS]
    urls = [serve_pages(server, pages, think, crawl)
            for server, crawl in zip(servers, crawl_delays, strict=True)]
    conn.send(urls)
    conn.recv()  # the fetcher is done
    conn.send([[(r.path, r.started, r.ended or r.started) for r in server.requests]
               for server in servers])
    for server in servers:
        server.stop()


def figures(host: str, log: Log, delay: float) -> HostFigures:
    """Per-host figures from one server's access log (robots.txt excluded)."""
    pages = sorted((entry for entry in log if entry[0] != "/robots.txt"), key=lambda e: e[1])
    starts = [started for _, started, _ in pages]
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    span = starts[-1] - starts[0] if len(starts) > 1 else 0.0
    mean = sum(gaps) / len(gaps) if gaps else 0.0
    return HostFigures(host, len(pages), delay, min(gaps, default=0.0), mean,
                       peak_in_flight(pages), (len(pages) - 1) / span if span else 0.0)


def peak_in_flight(log: Log) -> int:
    """The largest number of requests the server was answering at once."""
    events = sorted([(started, 1) for _, started, _ in log] +
                    [(ended, -1) for _, _, ended in log])
    running = peak = 0
    for _, change in events:
        running += change
        peak = max(peak, running)
    return peak


def politeness(args: argparse.Namespace) -> bool:
    """Run part 1, print its table, and say whether every check held."""
    delays = [args.delay] * 3 + [args.crawl_delay]
    crawl_delays = [None, None, None, args.crawl_delay]
    here, there = multiprocessing.Pipe()
    child = multiprocessing.Process(target=server_process, daemon=True,
                                    args=(there, args.pages, args.think, crawl_delays))
    child.start()
    try:
        urls_by_host: list[list[str]] = here.recv()
        urls = [url for host_urls in urls_by_host for url in host_urls]  # host 1 first
        fetcher = Fetcher(allow_hosts=HOSTS, delay=args.delay, per_host=args.per_host,
                          workers=args.workers, timeout=(5, 5))
        started = time.monotonic()
        with fetcher:
            results = list(fetcher.fetch_many(urls))
        wall = time.monotonic() - started
        here.send("done")
        logs: list[Log] = here.recv()
    finally:
        child.join(timeout=10)
    rows = [figures(host, log, delay) for host, log, delay in zip(HOSTS, logs, delays,
                                                                 strict=True)]
    return report_politeness(args, results, rows, wall)


def report_politeness(args: argparse.Namespace, results: list[Any], rows: list[HostFigures],
                      wall: float) -> bool:
    """Print the per-host table and the totals; True when all checks pass."""
    print(f"Politeness: {len(HOSTS)} hosts x {args.pages} pages, delay {args.delay} s "
          f"(host 4: Crawl-delay {args.crawl_delay} s), per_host {args.per_host}, "
          f"workers {args.workers}, server think time {args.think} s")
    print(f"{'host':<11} {'pages':>5} {'delay':>6} {'min gap':>8} {'mean gap':>8} {'peak':>5} "
          f"{'rate/s':>7} {'limit/s':>8} {'of limit':>8}  checks")
    ok = len(results) == len(HOSTS) * args.pages and all(r.ok for r in results)
    for row in rows:
        checks = {
            "rate<=limit": row.rate <= row.limit * 1.001,
            f"min gap>={1 - JITTER:.0%} delay": row.min_gap >= row.delay * (1 - JITTER),
            "mean gap>=delay": row.mean_gap >= row.delay,
            "concurrency": row.peak <= args.per_host,
        }
        ok &= all(checks.values())
        verdict = ", ".join(f"{name} {'ok' if good else 'FAIL'}" for name, good in checks.items())
        print(f"{row.host:<11} {row.pages:>5} {row.delay:>6.2f} {row.min_gap:>8.3f} "
              f"{row.mean_gap:>8.3f} {row.peak:>5} {row.rate:>7.2f} {row.limit:>8.2f} "
              f"{row.rate / row.limit:>8.0%}  {verdict}")
    ideal = max((row.pages - 1) * row.delay for row in rows)
    limit_rate = sum(row.pages for row in rows) / ideal
    achieved = len(results) / wall
    efficiency = ideal / wall
    ok &= efficiency >= 0.8
    print(f"total: {len(results)} results for {len(HOSTS) * args.pages} inputs, "
          f"{sum(r.ok for r in results)} fetched, wall {wall:.2f} s; politeness floor "
          f"{ideal:.2f} s; throughput {achieved:.1f} pages/s vs limit {limit_rate:.1f} "
          f"pages/s = {efficiency:.0%} {'ok' if efficiency >= 0.8 else 'FAIL (< 80%)'}")
    return ok


# part 2: faults -------------------------------------------------------------------------


@dataclass
class Fault:
    """One misbehaving route, the outcome it must end in, and a time bound."""

    name: str
    setup: Callable[[LocalHTTPServer], str]
    expected: str  # "ok" or the error type
    bound: float
    options: dict[str, Any]


def faults() -> list[Fault]:
    """The faults of the fetcher issue."""
    fast = {"retry": RetryPolicy(attempts=3, backoff=0.1, max_wait=5), "timeout": (1.0, 1.0)}
    soon = email.utils.formatdate(time.time() + 1, usegmt=True)
    return [
        Fault("robots.txt disallow", lambda s: (s.robots("User-agent: *\nDisallow: /x\n"),
                                                s.respond("/x", PAGE))[1],
              "RobotsDisallowed", 1, fast),
        Fault("429 Retry-After: 1", lambda s: s.sequence(
            "/busy", [answer(b"", 429, {"Retry-After": "1"}), answer(PAGE)]), "ok", 3, fast),
        Fault("429 Retry-After: date", lambda s: s.sequence(
            "/busy2", [answer(b"", 429, {"Retry-After": soon}), answer(PAGE)]), "ok", 4, fast),
        Fault("429 Retry-After: 3600", lambda s: s.respond(
            "/later", b"", status=429, headers={"Retry-After": "3600"}),
              "HTTPStatusError", 1, fast),
        Fault("500 then 200", lambda s: s.sequence(
            "/flaky", [answer(b"", 500), answer(PAGE)]), "ok", 2, fast),
        Fault("503 always", lambda s: s.respond("/down", b"", status=503),
              "HTTPStatusError", 3, fast),
        Fault("404 (no retry)", lambda s: s.respond("/gone", b"", status=404),
              "HTTPStatusError", 1, fast),
        Fault("slow headers (10 s)", lambda s: s.slow_headers("/slow", 10), "FetchTimeout",
              5, fast),
        Fault("slow drip (1 piece / 0.2 s)", lambda s: s.drip(
            "/drip", [b"<html><body>"] + [b"<p>.</p>"] * 200, 0.2), "FetchTimeout", 3,
              {**fast, "total_timeout": 2.0}),
        Fault("reset before answer", lambda s: s.reset_before_answer("/reset"), "FetchError",
              2, fast),
        Fault("reset once, then 200", lambda s: s.sequence(
            "/reset1", [RequestHandler.reset_connection, answer(PAGE)]), "ok", 2, fast),
        Fault("reset mid-body", lambda s: s.reset_mid_body("/cut", b"<p>x", 10_000),
              "FetchError", 2, fast),
        Fault("redirect loop", lambda s: s.redirect_chain(["/la", "/lb", "/la"]),
              "TooManyRedirects", 1, fast),
        Fault("50 MB body (20 MB cap)", lambda s: s.huge("/huge", 50 * MiB), "TooLarge", 5,
              fast),
        Fault("gzip bomb (200 MB)", lambda s: s.gzip_bomb("/bomb", 200 * MiB), "TooLarge", 5,
              fast),
        Fault("wrong charset", lambda s: s.respond(
            "/w", "<p>café</p>".encode("latin-1"), content_type="text/html; charset=utf-8"),
              "ok", 1, fast),
        Fault("missing charset", lambda s: s.respond(
            "/m", "<p>café</p>".encode("latin-1"), content_type="text/html"), "ok", 1, fast),
        Fault("image/png", lambda s: s.respond("/png", b"\x89PNG", content_type="image/png"),
              "NotHTML", 1, fast),
        Fault("application/json", lambda s: s.respond(
            "/json", b"{}", content_type="application/json"), "NotHTML", 1, fast),
        Fault("connection refused", lambda s: s.refused_url("/x"), "FetchError", 2, fast),
    ]


def run_faults() -> bool:
    """Run part 2, print its table, and say whether every outcome and bound held."""
    print("\nFaults (one fresh Fetcher each, loopback allowed, delay 0):")
    print(f"{'fault':<30} {'outcome':<18} {'expected':<18} {'tries':>5} {'elapsed':>8} "
          f"{'bound':>6}  check")
    ok = True
    with LocalHTTPServer() as server:
        for fault in faults():
            server.reset()
            url = fault.setup(server)
            with Fetcher(allow_private=True, delay=0, **fault.options) as fetcher:
                started = time.monotonic()
                result = fetcher.fetch(url)
                elapsed = time.monotonic() - started
            outcome = "ok" if result.ok else result.error_type or "?"
            good = outcome == fault.expected and elapsed <= fault.bound
            ok &= good
            extra = f" ({result.encoding})" if result.ok and result.encoding else ""
            print(f"{fault.name:<30} {outcome + extra:<18} {fault.expected:<18} "
                  f"{result.attempts:>5} {elapsed:>7.2f}s {fault.bound:>5.0f}s  "
                  f"{'ok' if good else 'FAIL'}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=25, help="pages per host")
    parser.add_argument("--delay", type=float, default=0.2, help="per-host delay (s)")
    parser.add_argument("--crawl-delay", type=float, default=0.3,
                        help="host 4's robots.txt Crawl-delay (s)")
    parser.add_argument("--per-host", type=int, default=2, help="requests in flight per host")
    parser.add_argument("--workers", type=int, default=8, help="global concurrency")
    parser.add_argument("--think", type=float, default=0.25,
                        help="server time per answer (s), longer than the delay so that "
                             "per-host concurrency is exercised")
    parser.add_argument("--skip-faults", action="store_true")
    args = parser.parse_args()
    ok = politeness(args)
    if not args.skip_faults:
        ok &= run_faults()
    print("\nall checks passed" if ok else "\nSOME CHECKS FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
