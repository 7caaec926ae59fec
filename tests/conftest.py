"""Shared fixtures: a real HTTP server on 127.0.0.1 (see tests/httpserver.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from httpserver import LocalHTTPServer


@pytest.fixture(scope="session")
def _http_server_session() -> Iterator[LocalHTTPServer]:
    """One server for the whole session, shut down at the end."""
    with LocalHTTPServer() as server:
        yield server


@pytest.fixture
def http_server(
    _http_server_session: LocalHTTPServer, monkeypatch: pytest.MonkeyPatch
) -> Iterator[LocalHTTPServer]:
    """The session's server with an empty route table and request log for this test."""
    # A developer's proxy settings must not swallow requests to the loopback server.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    _http_server_session.reset()
    yield _http_server_session
    _http_server_session.reset()
