"""The motivating page: the seed repost's recreation comes out clean and credited
(foundation issue, line 2)."""

from __future__ import annotations

import tomllib

import pytest
from conftest import SAMPLES, SHARED

from sanitizer import Sanitizer, render

FOLDER = SAMPLES / "repost.example" / "cartels-zerohedge-copy"
SEED_TEXT = SHARED / "seeds" / "repost-example.txt"
BOILERPLATE = ("Spread it!", "Source link", "Comment box")


@pytest.fixture(scope="module")
def cleaned(cleaner: Sanitizer) -> str:
    meta = tomllib.loads((FOLDER / "meta.toml").read_text(encoding="utf-8"))
    return render(cleaner.clean_file(FOLDER / "source.html", url=meta["url"]), "html")


def _paragraphs() -> list[str]:
    if not SEED_TEXT.is_file():
        pytest.skip("../shared/seeds is not here")
    lines = [line.strip() for line in SEED_TEXT.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines[1:] if line and line not in BOILERPLATE]


def test_every_article_paragraph_is_kept(cleaned: str) -> None:
    from sanitizer.parse import parse_text
    from sanitizer.text import block_text

    text = block_text(parse_text(cleaned))
    missing = [p for p in _paragraphs() if p not in text]
    assert not missing


def test_no_boilerplate_is_left(cleaned: str) -> None:
    from sanitizer.parse import parse_text
    from sanitizer.text import visible_text

    text = visible_text(parse_text(cleaned))
    assert [b for b in BOILERPLATE if b in text] == []


def test_attribution_block_links_the_original(cleaned: str) -> None:
    zerohedge = ("https://www.zerohedge.com/geopolitical/human-intelligence-drys-us-"
                 "investigations-drug-cartels-halted-over-mexican-standoff")
    assert '<footer class="attribution">' in cleaned
    assert f'<a href="{zerohedge}" rel="noopener noreferrer">ZeroHedge</a>' in cleaned
    assert f'<link rel="canonical" href="{zerohedge}">' in cleaned
    assert f'<meta name="original-source" content="{zerohedge}">' in cleaned
