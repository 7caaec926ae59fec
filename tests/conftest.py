"""Shared fixtures: a real HTTP server on 127.0.0.1 (tests/httpserver.py), the bundled
samples, the shared labelled corpus, and one rulebook for the session."""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from httpserver import LocalHTTPServer

from sanitizer import Rulebook, Sanitizer, load_rules
from sanitizer.fetch import Fetcher
from sanitizer.retry import RetryPolicy

#: Fetcher options for the loopback test server: private addresses allowed (every test
#: server is on 127.0.0.1), no politeness delay, quick retries.
LOCAL_FETCH: dict[str, Any] = {
    "allow_private": True,
    "delay": 0.0,
    "retry": RetryPolicy(attempts=3, backoff=0.05, max_backoff=0.2, max_wait=5),
    "timeout": (2.0, 2.0),
}


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


@pytest.fixture
def local_fetcher() -> Iterator[Callable[..., Fetcher]]:
    """Make Fetchers for the loopback server (LOCAL_FETCH plus overrides); all closed after."""
    made: list[Fetcher] = []

    def make(**options: Any) -> Fetcher:
        fetcher = Fetcher(**{**LOCAL_FETCH, **options})
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()


# --- pages: the bundled samples and the shared labelled corpora ----------------------

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
SHARED = Path(os.environ.get("SANITIZER_SHARED", ROOT.parent / "shared"))
DEV_CORPUS = SHARED / "corpus" / "dev"


@dataclass(frozen=True)
class Sample:
    """One `samples/<site>/<case>/` folder: its page and what cleaning it must give."""

    name: str
    path: Path
    meta: dict[str, Any]

    @property
    def html(self) -> bytes:
        return (self.path / "source.html").read_bytes()

    @property
    def url(self) -> str | None:
        return self.meta.get("url")


def load_samples() -> list[Sample]:
    found = []
    for meta_path in sorted(SAMPLES.glob("*/*/meta.toml")):
        with meta_path.open("rb") as f:
            meta = tomllib.load(f)
        folder = meta_path.parent
        found.append(Sample(f"{folder.parent.name}/{folder.name}", folder, meta))
    return found


def corpus_labels() -> list[dict[str, Any]]:
    """The labelled dev pages of ../shared/corpus/dev (empty when shared/ is absent)."""
    labels = DEV_CORPUS / "labels.jsonl"
    if not labels.is_file():
        return []
    return [json.loads(line) for line in labels.read_text(encoding="utf-8").splitlines()
            if line.strip()]


SAMPLE_LIST = load_samples()
CORPUS_LIST = corpus_labels()


@pytest.fixture(scope="session")
def rulebook() -> Rulebook:
    return load_rules()


@pytest.fixture(scope="session")
def cleaner(rulebook: Rulebook) -> Sanitizer:
    return Sanitizer(rules=rulebook)
