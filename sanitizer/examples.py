"""Run a rule file's [[example]]: clean its sample page and check keeps, drops and source."""

from __future__ import annotations

import tomllib
from pathlib import Path

from sanitizer.api import Sanitizer
from sanitizer.rulebook import Example, bundled_rules_dir
from sanitizer.text import fold
from sanitizer.urls import url_key


def samples_dir() -> Path:
    """The `samples/` folder beside the rules folder (present in a source checkout)."""
    return bundled_rules_dir().parent / "samples"


def run_example(sanitizer: Sanitizer, example: Example, samples: Path) -> list[str]:
    """Problems found cleaning the example's sample (empty when it passes).

    A live example (a `url` and no `sample`) is not run: checks never use the network.
    """
    if example.sample is None:
        return []
    folder = samples / example.sample
    source_html = folder / "source.html" if folder.is_dir() else folder
    if not source_html.is_file():
        return [f"sample not found: {source_html}"]
    url = example.url or _sample_url(folder)
    doc = sanitizer.clean_file(source_html, url=url)
    text = fold(doc.text)
    problems = [f"lost: {keep!r}" for keep in example.keeps if fold(keep) not in text]
    problems += [f"kept: {drop!r}" for drop in example.drops if fold(drop) in text]
    got = doc.source.url if doc.source else None
    if example.source and (got is None or url_key(got) != url_key(example.source)):
        problems.append(f"source: got {got!r}, want {example.source!r}")
    if example.publisher and (doc.source is None or doc.source.publisher != example.publisher):
        problems.append(f"publisher: got {doc.source.publisher if doc.source else None!r}, "
                        f"want {example.publisher!r}")
    return problems


def _sample_url(folder: Path) -> str | None:
    meta = folder / "meta.toml"
    if not meta.is_file():
        return None
    with meta.open("rb") as f:
        url = tomllib.load(f).get("url")
    return url if isinstance(url, str) else None
