"""Fixtures for the audit tests: the mini-web, one real HTTP server per site on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from miniweb import MiniWeb, Sites, build


@pytest.fixture
def miniweb(monkeypatch: pytest.MonkeyPatch) -> Iterator[MiniWeb]:
    """The mini-web, served for one test."""
    # A developer's proxy settings must not swallow requests to the loopback servers.
    monkeypatch.setenv("NO_PROXY", "127.0.0.0/8,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.0/8,localhost")
    with Sites() as sites:
        yield build(sites)
