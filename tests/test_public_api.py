"""The public API: exports, and the front doors over a real local HTTP server."""

from __future__ import annotations

from pathlib import Path

import pytest

import sanitizer
from sanitizer import Sanitizer, clean_url, render
from sanitizer.fetch import Fetcher

SEED = Path(__file__).resolve().parents[1] / "samples/repost.example/cartels-zerohedge-copy"


def test_all_matches_exports() -> None:
    public = {name for name in dir(sanitizer) if not name.startswith("_")}
    modules = {name for name in public if type(getattr(sanitizer, name)).__name__ == "module"}
    assert set(sanitizer.__all__) - {"__version__"} == public - modules


def test_every_error_is_a_sanitizer_error() -> None:
    for name in sanitizer.__all__:
        obj = getattr(sanitizer, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, sanitizer.SanitizerError)


def test_clean_url_over_http(http_server) -> None:  # type: ignore[no-untyped-def]
    http_server.respond("/2021/07/story/", (SEED / "source.html").read_bytes())
    doc = clean_url(http_server.url("/2021/07/story/"),
                    fetcher=Fetcher(allow_private=True, delay=0))
    assert "Mexican cartels" in doc.text
    assert doc.source is not None and "zerohedge.com" in (doc.source.url or "")
    assert doc.url == http_server.url("/2021/07/story/")


def test_sanitizer_reuses_one_session(http_server) -> None:  # type: ignore[no-untyped-def]
    http_server.respond("/a", (SEED / "source.html").read_bytes())
    with Sanitizer(fetcher=Fetcher(allow_private=True, delay=0)) as s:
        first = s.clean_url(http_server.url("/a"))
        second = s.clean_url(http_server.url("/a"))
    assert render(first, "text") == render(second, "text")
    assert [r.path for r in http_server.requests] == ["/robots.txt", "/a", "/a"]


def test_private_addresses_are_refused_by_default(http_server) -> None:  # type: ignore[no-untyped-def]
    http_server.respond("/a", (SEED / "source.html").read_bytes())
    with pytest.raises(sanitizer.BlockedAddress):
        clean_url(http_server.url("/a"))
    assert http_server.requests == []
