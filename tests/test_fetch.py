"""sanitizer.fetch against a real HTTP server on 127.0.0.1 (tests/httpserver.py).

The basics: bodies, headers, redirects, limits and failures. Politeness, retries and
robots.txt are in test_fetch_polite.py, the SSRF guard in test_netguard.py, WARC files
in test_archive.py. Every Fetcher here allows private addresses (LOCAL_FETCH).
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path
from typing import Any

import pytest
import requests
from conftest import LOCAL_FETCH

from sanitizer.document import Page
from sanitizer.errors import (
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    InputError,
    NotHTML,
    TLSError,
    TooLarge,
    TooManyRedirects,
)
from sanitizer.fetch import Fetcher, read_file
from sanitizer.fetch import fetch as _fetch


def fetch(url: str, **options: Any) -> Page:
    """`sanitizer.fetch.fetch` with the loopback options (LOCAL_FETCH) under `options`."""
    return _fetch(url, **{**LOCAL_FETCH, **options})


PAGE = b"<!doctype html><html><head><title>T</title></head><body><p>Hello</p></body></html>"
MiB = 2**20


# success ----------------------------------------------------------------------------


def test_get_returns_body_status_and_lowercase_headers(http_server):
    url = http_server.respond("/page", PAGE, headers={"X-Custom": "yes"})

    page = fetch(url)

    assert page.content == PAGE
    assert page.status == 200
    assert page.url == page.final_url == url
    assert page.redirects == ()
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["x-custom"] == "yes"
    assert page.elapsed >= 0


@pytest.mark.parametrize(
    "content_type", ["text/html", "text/html; charset=utf-8"], ids=["missing", "wrong"]
)
def test_charset_is_left_to_the_parser_and_bytes_pass_through(http_server, content_type):
    latin1 = "<html><body><p>café</p></body></html>".encode("latin-1")
    url = http_server.respond("/latin1", latin1, content_type=content_type)

    page = fetch(url)

    assert page.content == latin1
    assert page.content_type == content_type


def test_gzip_body_is_decompressed(http_server):
    url = http_server.gzipped("/gz", PAGE)

    assert fetch(url).content == PAGE


def test_octet_stream_that_looks_like_html_is_accepted(http_server):
    url = http_server.respond("/mislabelled", PAGE, content_type="application/octet-stream")

    assert fetch(url).content == PAGE


def test_serves_a_directory_of_files(http_server, tmp_path):
    (tmp_path / "post.html").write_bytes(PAGE)
    base = http_server.serve_directory("/samples", tmp_path)

    assert fetch(base + "post.html").content == PAGE
    with pytest.raises(HTTPStatusError):
        fetch(base + "../conftest.py")


def test_user_agent_names_the_project_and_the_contact(http_server):
    url = http_server.respond("/ua", PAGE)

    fetch(url, contact="mailto:ops@example.org")

    agent = http_server.received("/ua").headers["user-agent"]
    assert agent.startswith("repost-sanitizer/")
    assert agent.endswith("(+mailto:ops@example.org)")


def test_callers_session_is_used_and_left_open(http_server):
    url = http_server.respond("/session", PAGE)
    session = requests.Session()
    session.headers["X-From-Caller"] = "1"

    with Fetcher(session=session, **LOCAL_FETCH) as fetcher:
        fetcher.get(url)
    session.get(url, timeout=5).close()  # still usable after the Fetcher closed

    paths = [(r.path, r.headers.get("x-from-caller")) for r in http_server.requests]
    assert paths == [("/robots.txt", "1"), ("/session", "1"), ("/session", "1")]


# redirects --------------------------------------------------------------------------


def test_redirect_chain_is_recorded(http_server):
    first = http_server.redirect("/r1", "/r2", status=301)  # relative Location
    http_server.redirect("/r2", http_server.url("/r3"), status=307)  # absolute Location
    http_server.redirect("/r3", "final", status=303)  # relative to the current path
    http_server.respond("/final", PAGE)

    page = fetch(first)

    assert page.redirects == tuple(http_server.url(p) for p in ("/r1", "/r2", "/r3"))
    assert page.final_url == http_server.url("/final")
    assert page.url == first
    assert page.content == PAGE


def test_redirect_loop_raises_too_many_redirects(http_server):
    url = http_server.redirect_chain(["/loop-a", "/loop-b", "/loop-a"])

    with pytest.raises(TooManyRedirects, match="loop") as caught:
        fetch(url)
    assert caught.value.url == url


def test_redirect_hop_limit(http_server):
    url = http_server.redirect_chain(["/h1", "/h2", "/h3", "/h4", "/h5"])
    http_server.respond("/h5", PAGE)

    with pytest.raises(TooManyRedirects, match="more than 3 redirects"):
        fetch(url, max_redirects=3)


def test_redirect_to_another_scheme_is_refused(http_server):
    url = http_server.redirect("/to-file", "file:///etc/passwd")

    with pytest.raises(FetchError, match="unsupported URL 'file:///etc/passwd'"):
        fetch(url)


# failures ---------------------------------------------------------------------------


def test_slow_headers_raise_fetch_timeout(http_server):
    url = http_server.slow_headers("/slow", delay=10)

    with pytest.raises(FetchTimeout, match="timed out") as caught:
        fetch(url, timeout=(0.5, 0.5))
    assert caught.value.url == url


def test_stalled_body_raises_fetch_timeout(http_server):
    url = http_server.drip("/drip", [b"<html><body>", b"<p>more</p>"], interval=10)

    with pytest.raises(FetchTimeout):
        fetch(url, timeout=(0.5, 0.5))


def test_huge_streamed_body_stops_at_the_cap(http_server):
    url = http_server.huge("/huge", 50 * MiB)

    with pytest.raises(TooLarge, match="larger than 1048576 bytes"):
        fetch(url, max_bytes=MiB)
    assert http_server.received("/huge").sent < 50 * MiB


def test_declared_content_length_over_the_cap_is_refused(http_server):
    url = http_server.huge("/huge-declared", 50 * MiB, content_length=True)

    with pytest.raises(TooLarge):
        fetch(url, max_bytes=MiB)
    assert http_server.received("/huge-declared").sent < 50 * MiB


def test_gzip_bomb_is_capped_on_decompressed_size(http_server):
    url = http_server.gzip_bomb("/bomb", size=200 * MiB)

    with pytest.raises(TooLarge):
        fetch(url, max_bytes=MiB)


@pytest.mark.parametrize(
    "content_type",
    ["image/png", "application/pdf", "application/json", "video/mp4", "audio/mpeg"],
)
def test_non_html_content_type_raises_not_html(http_server, content_type):
    url = http_server.respond("/file", b"\x89PNG{}", content_type=content_type)

    with pytest.raises(NotHTML, match=content_type):
        fetch(url)


def test_binary_octet_stream_raises_not_html(http_server):
    url = http_server.respond(
        "/bin", b"\x00\x01\x02binary", content_type="application/octet-stream"
    )

    with pytest.raises(NotHTML, match="does not look like HTML"):
        fetch(url)


def test_empty_body_raises_not_html(http_server):
    url = http_server.respond("/empty", b"")

    with pytest.raises(NotHTML, match="empty body"):
        fetch(url)


@pytest.mark.parametrize("status", [404, 500])
def test_error_status_raises_http_status_error(http_server, status):
    url = http_server.respond("/status", b"<p>oops</p>", status=status)

    with pytest.raises(HTTPStatusError, match=f"HTTP {status}") as caught:
        fetch(url)
    assert caught.value.status == status
    assert caught.value.url == url


def test_connection_refused_names_the_host(http_server):
    url = http_server.refused_url("/nothing")
    host = url.split("/")[2]

    with pytest.raises(FetchError, match=f"could not connect to {host}: connection refused"):
        fetch(url, timeout=(2, 2))


def test_reset_before_answer_raises_fetch_error(http_server):
    url = http_server.reset_before_answer("/reset")

    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert type(caught.value) is FetchError
    assert url in str(caught.value)
    assert isinstance(caught.value.__cause__, requests.RequestException)


def test_reset_mid_body_raises_fetch_error(http_server):
    url = http_server.reset_mid_body("/cut", b"<html><body><p>start", promised=10_000)

    with pytest.raises(FetchError) as caught:
        fetch(url)
    assert type(caught.value) is FetchError
    assert url in str(caught.value)


def test_tls_failure_is_a_fetch_error_not_a_fallback(http_server):
    url = http_server.respond("/plain", PAGE).replace("http://", "https://")

    with pytest.raises(TLSError, match="TLS error") as caught:
        fetch(url, timeout=(2, 2))
    assert isinstance(caught.value.__cause__, requests.exceptions.SSLError)
    assert not any(r.path == "/plain" for r in http_server.requests)  # no plain-HTTP retry


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/file", "use http or https"),
        ("example.org/page", "no scheme"),
        ("http:///path-only", "no host name"),
        ("http://example.org:99999/", "invalid URL"),
    ],
)
def test_invalid_urls_raise_fetch_error(url, message):
    with pytest.raises(FetchError, match=message) as caught:
        fetch(url)
    assert caught.value.url == url


# read_file --------------------------------------------------------------------------


def test_read_file_returns_a_page_with_the_base_url(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(PAGE)

    page = read_file(path, base_url="https://reposter.example/p/1")

    assert page.content == PAGE
    assert page.url == page.base_url == "https://reposter.example/p/1"
    assert page.status is None


def test_read_file_reads_stdin_for_dash(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(PAGE)))

    assert read_file("-").content == PAGE


def test_read_file_missing(tmp_path):
    missing = tmp_path / "nope.html"

    with pytest.raises(InputError, match="no such file") as caught:
        read_file(missing)
    assert caught.value.source == str(missing)


def test_read_file_directory(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        read_file(tmp_path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads anything")
def test_read_file_permission_denied(tmp_path):
    path = tmp_path / "secret.html"
    path.write_bytes(PAGE)
    path.chmod(0)

    with pytest.raises(InputError, match="permission denied"):
        read_file(path)


def test_read_file_over_the_cap(tmp_path):
    path = tmp_path / "big.html"
    path.write_bytes(b"x" * 2048)

    with pytest.raises(InputError, match="too large"):
        read_file(path, max_bytes=1024)
    assert read_file(path, max_bytes=2048).content == b"x" * 2048


def test_read_file_accepts_str_paths(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes(PAGE)

    assert read_file(str(path)) == read_file(Path(path))
