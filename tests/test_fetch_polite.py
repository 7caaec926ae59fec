"""Politeness, retries, robots.txt, encodings and batches, against the loopback server.

No test here asserts on time: outcomes, request counts and recorded state only (the
timing itself is measured by benchmarks/politeness.py).
"""

from __future__ import annotations

import email.utils
import time

import pytest
from httpserver import RequestHandler, answer

from sanitizer.errors import (
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    NotHTML,
    RobotsDisallowed,
    TooLarge,
    TooManyRedirects,
)
from sanitizer.fetch import Fetcher
from sanitizer.retry import RetryPolicy, parse_retry_after

PAGE = b"<!doctype html><html><head><title>T</title></head><body><p>Hello</p></body></html>"
MiB = 2**20


def paths(server, path):
    return [r for r in server.requests if r.path == path]


# retries ----------------------------------------------------------------------------


def test_500_then_200_is_fetched_after_a_retry(http_server, local_fetcher):
    url = http_server.sequence("/flaky", [answer(b"down", 500), answer(PAGE)])

    result = local_fetcher().fetch(url)

    assert result.ok and result.status == 200
    assert result.attempts == 2
    assert len(paths(http_server, "/flaky")) == 2


def test_429_with_retry_after_seconds_is_retried(http_server, local_fetcher):
    url = http_server.sequence(
        "/busy", [answer(b"slow down", 429, {"Retry-After": "0"}), answer(PAGE)])

    page = local_fetcher().get(url)

    assert page.content == PAGE
    assert len(paths(http_server, "/busy")) == 2


def test_429_with_retry_after_http_date_is_retried(http_server, local_fetcher):
    soon = email.utils.formatdate(time.time(), usegmt=True)  # "now": no real wait
    url = http_server.sequence("/busy-date", [answer(b"", 429, {"Retry-After": soon}),
                                              answer(PAGE)])

    assert local_fetcher().get(url).content == PAGE


def test_retry_after_longer_than_max_wait_gives_up_at_once(http_server, local_fetcher):
    url = http_server.respond("/later", b"", status=429, headers={"Retry-After": "3600"})

    with pytest.raises(HTTPStatusError, match="asks to wait 3600 s") as caught:
        local_fetcher().get(url)
    assert caught.value.status == 429
    assert len(paths(http_server, "/later")) == 1


def test_persistent_503_fails_after_every_attempt(http_server, local_fetcher):
    url = http_server.respond("/down", b"<p>down</p>", status=503)

    with pytest.raises(HTTPStatusError, match=r"HTTP 503 .* after 3 attempts"):
        local_fetcher().get(url)
    assert len(paths(http_server, "/down")) == 3


@pytest.mark.parametrize("status", [400, 403, 404, 410])
def test_other_4xx_are_not_retried(http_server, local_fetcher, status):
    url = http_server.respond("/no", b"<p>no</p>", status=status)

    with pytest.raises(HTTPStatusError):
        local_fetcher().get(url)
    assert len(paths(http_server, "/no")) == 1


def test_connection_reset_then_200_is_fetched(http_server, local_fetcher):
    url = http_server.sequence("/reset-once", [RequestHandler.reset_connection, answer(PAGE)])

    result = local_fetcher().fetch(url)

    assert result.ok, result.error_message
    assert result.attempts == 2


def test_reset_every_time_is_a_fetch_error_after_all_attempts(http_server, local_fetcher):
    url = http_server.reset_before_answer("/always-reset")

    with pytest.raises(FetchError) as caught:
        local_fetcher().get(url)
    assert type(caught.value) is FetchError
    assert len(paths(http_server, "/always-reset")) == 3


def test_slow_drip_hits_the_total_timeout_and_is_not_retried(http_server, local_fetcher):
    url = http_server.drip("/drip", [b"<html><body>"] + [b"<p>.</p>"] * 100, interval=0.1)

    with pytest.raises(FetchTimeout, match="total_timeout"):
        local_fetcher(total_timeout=0.5).get(url)
    assert len(paths(http_server, "/drip")) == 1


def test_too_large_is_not_retried(http_server, local_fetcher):
    url = http_server.huge("/huge", 50 * MiB)

    with pytest.raises(TooLarge):
        local_fetcher(max_bytes=MiB).get(url)
    assert len(paths(http_server, "/huge")) == 1


@pytest.mark.parametrize(
    ("value", "expected"),
    [("5", 5.0), ("0", 0.0), (" 12 ", 12.0), ("soon", None), ("", None), (None, None),
     ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_parse_retry_after(value, expected):
    assert parse_retry_after(value) == expected


def test_parse_retry_after_future_date():
    date = email.utils.formatdate(1_000_060, usegmt=True)
    assert parse_retry_after(date, now=1_000_000) == 60.0


def test_backoff_grows_and_stays_within_jitter():
    policy = RetryPolicy(backoff=1, max_backoff=8, jitter=0.5)
    for retry, base in [(1, 1), (2, 2), (3, 4), (4, 8), (9, 8)]:
        wait = policy.backoff_for(retry)
        assert base / 2 <= wait <= base


# robots.txt ---------------------------------------------------------------------------


def test_robots_disallow_is_a_typed_error_and_the_page_is_not_requested(http_server,
                                                                        local_fetcher):
    http_server.robots("User-agent: *\nDisallow: /private/\n")
    url = http_server.respond("/private/page", PAGE)

    with pytest.raises(RobotsDisallowed, match=r"robots\.txt disallows it") as caught:
        local_fetcher().get(url)
    assert caught.value.url == url
    assert "--ignore-robots" in str(caught.value)
    assert not paths(http_server, "/private/page")


def test_robots_rules_for_our_agent_win(http_server, local_fetcher):
    http_server.robots("User-agent: repost-sanitizer\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    url = http_server.respond("/page", PAGE)

    with pytest.raises(RobotsDisallowed):
        local_fetcher().get(url)


def test_ignore_robots_fetches_and_is_recorded(http_server, local_fetcher):
    http_server.robots("User-agent: *\nDisallow: /\n")
    url = http_server.respond("/page", PAGE)

    result = local_fetcher(ignore_robots=True).fetch(url)

    assert result.ok and result.ignore_robots
    assert result.as_dict()["ignore_robots"] is True
    assert not paths(http_server, "/robots.txt")


def test_robots_is_fetched_once_per_host(http_server, local_fetcher):
    http_server.robots("User-agent: *\nAllow: /\n")
    urls = [http_server.respond(f"/p{i}", PAGE) for i in range(4)]

    results = list(local_fetcher().fetch_many(urls))

    assert all(r.ok for r in results)
    assert len(paths(http_server, "/robots.txt")) == 1


def test_missing_robots_allows_everything(http_server, local_fetcher):
    url = http_server.respond("/page", PAGE)  # /robots.txt is a 404

    assert local_fetcher().get(url).content == PAGE


def test_robots_5xx_puts_the_site_off_limits(http_server, local_fetcher):
    http_server.robots("oops", status=503)
    url = http_server.respond("/page", PAGE)

    with pytest.raises(RobotsDisallowed, match="HTTP 503"):
        local_fetcher().get(url)
    assert len(paths(http_server, "/robots.txt")) == 3  # retried like any 5xx
    assert not paths(http_server, "/page")


def test_robots_checks_every_redirect_hop(http_server, local_fetcher):
    http_server.robots("User-agent: *\nDisallow: /members/\n")
    url = http_server.redirect("/open", "/members/story")
    http_server.respond("/members/story", PAGE)

    with pytest.raises(RobotsDisallowed, match="redirected from"):
        local_fetcher().get(url)
    assert not paths(http_server, "/members/story")


def test_crawl_delay_sets_the_host_delay(http_server, local_fetcher):
    http_server.robots("User-agent: *\nCrawl-delay: 0.2\n")
    url = http_server.respond("/page", PAGE)
    fetcher = local_fetcher()

    fetcher.get(url)

    host = url.split("/")[2]
    assert fetcher.throttle.delay_for(host) == 0.2


# encodings ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "encoding"),
    [
        ("<p>café</p>".encode(), "text/html; charset=utf-8", "utf-8"),
        ("<p>café</p>".encode("latin-1"), "text/html; charset=utf-8", "utf-8"),  # wrong
        ("<p>café</p>".encode("latin-1"), "text/html; charset=iso-8859-1", "windows-1252"),
        ('<meta charset="koi8-r"><p>привет</p>'.encode("koi8-r"), "text/html", "koi8-r"),
        (b"\xef\xbb\xbf<p>caf\xc3\xa9</p>", "text/html; charset=latin-1", "utf-8"),  # BOM wins
        ("<p>café</p>".encode(), "text/html", "utf-8"),  # missing: valid UTF-8
    ],
    ids=["declared", "wrong", "latin1", "meta", "bom", "missing"],
)
def test_encoding_is_recorded(http_server, local_fetcher, body, content_type, encoding):
    url = http_server.respond("/enc", body, content_type=content_type)

    result = local_fetcher().fetch(url)

    assert result.ok, result.error_message
    assert result.encoding == encoding
    assert result.page is not None and result.page.content == body


def test_missing_charset_latin1_is_guessed(http_server, local_fetcher):
    body = ("<html><body><p>" + "Le café était très fermé. " * 20 + "</p></body></html>")
    url = http_server.respond("/guess", body.encode("latin-1"), content_type="text/html")

    result = local_fetcher().fetch(url)

    assert result.encoding in {"windows-1252", "iso8859-1", "iso8859-15", "cp1252"}


# batches ------------------------------------------------------------------------------


def test_a_batch_of_faults_gives_one_result_per_input_in_order(http_server, local_fetcher):
    http_server.robots("User-agent: *\nDisallow: /private\n")
    urls = [
        http_server.respond("/ok", PAGE),
        http_server.sequence("/flaky", [answer(b"", 500), answer(PAGE)]),
        http_server.respond("/gone", b"", status=404),
        http_server.respond("/private", PAGE),
        http_server.respond("/pic", b"\x89PNG", content_type="image/png"),
        http_server.huge("/huge", 50 * MiB),
        http_server.gzip_bomb("/bomb", size=50 * MiB),
        http_server.redirect_chain(["/loop-a", "/loop-b", "/loop-a"]),
        http_server.reset_before_answer("/reset"),
        http_server.refused_url("/refused"),
        "ftp://example.org/file",
        http_server.respond("/ok", PAGE),  # a duplicate still gets its own result
    ]
    expected = [None, None, "HTTPStatusError", "RobotsDisallowed", "NotHTML", "TooLarge",
                "TooLarge", "TooManyRedirects", "FetchError", "FetchError", "FetchError", None]

    results = list(local_fetcher(max_bytes=MiB, workers=4).fetch_many(urls))

    assert [r.url for r in results] == urls
    assert [r.error_type for r in results] == expected
    assert [r.ok for r in results] == [e is None for e in expected]
    assert all(r.error_message and r.url in r.error_message
               for r in results if not r.ok)


def test_batch_results_are_typed_errors_too(http_server, local_fetcher):
    http_server.robots("User-agent: *\nDisallow: /\n")
    url = http_server.respond("/x", PAGE)

    with pytest.raises(RobotsDisallowed):
        local_fetcher().get(url)
    for kind in (NotHTML, TooManyRedirects, RobotsDisallowed):
        assert issubclass(kind, FetchError)


def test_per_host_concurrency_is_held_in_a_batch(http_server, local_fetcher):
    for i in range(6):
        http_server.slow_headers(f"/slow{i}", delay=0.1, body=PAGE)
    urls = [http_server.url(f"/slow{i}") for i in range(6)]

    results = list(local_fetcher(per_host=2, workers=6).fetch_many(urls))

    assert all(r.ok for r in results)
    pages = [r for r in http_server.requests if r.path.startswith("/slow")]
    events = sorted([(r.started, 1) for r in pages] + [(r.ended, -1) for r in pages])
    running = peak = 0
    for _, change in events:
        running += change
        peak = max(peak, running)
    assert peak <= 2


def test_fetcher_is_a_context_manager_that_closes_its_sessions(http_server):
    url = http_server.respond("/page", PAGE)
    with Fetcher(allow_private=True, delay=0) as fetcher:
        fetcher.get(url)
        assert fetcher._sessions
    assert not fetcher._sessions
