"""The quick tests that rule texts out before the credit phrases run (regexwords.py)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from sanitizer import Sanitizer
from sanitizer.regexwords import WordFilter, leading_words, required_words

PHRASES = [re.compile(item["regex"], re.I) for item in tomllib.loads(
    (Path(__file__).parent.parent / "rules" / "attribution.toml").read_text())["credit"]]
CREDITS = [
    "This article was originally published by Futurism. Read the original article.",
    "Source: Reuters", "SOURCE LINK", "via The Verge", "© 2019 Hearst Communications, Inc.",
    "Read more on Fox Business", "The post Foo appeared first on Bar.", "h/t Axios",
    "Quelle: Der Spiegel", "Источник: ТАСС", "ИСТОЧНИК: ТАСС",
    "Originalmente publicado en El Mundo",
    "Dieser Artikel erschien zuerst bei Zeit Online.", "Initialement publié sur Le Monde",
    "źródło: Onet", "المصدر: الجزيرة", "Com informações da Folha", "Erstveröffentlichung: heise",
    "ORİGİNALLY PUBLİSHED AT THE ATLANTİC", "Originally publiſhed at Salon",
]


def test_required_words_of_a_sequence() -> None:
    assert required_words(r"\b(first|originally)\s+published\s+\w+") == {
        "first published", "originally published"}


def test_leading_words_only_for_anchored_patterns() -> None:
    assert leading_words(r"^\s*(source|via)\s*:") == {"source :", "via :"}
    assert leading_words(r"(source|via)\s*:") is None


def test_no_filter_for_a_pattern_without_a_certain_word() -> None:
    assert WordFilter.of([re.compile(r"\w+\s+\d+", re.I)]) is None


@pytest.mark.parametrize("text", CREDITS)
def test_a_text_that_matches_is_never_ruled_out(text: str) -> None:
    words = WordFilter.of(PHRASES)
    assert words is not None
    if any(p.search(text) for p in PHRASES):
        assert words.may_match(text)
        assert words.may_match_within(f"Lead-in words. {text}")
        assert words.word_places(f"xx {text}")


@pytest.mark.parametrize("spaced", ["Originally\u00a0published at The Atlantic",
                                    "Originally\n\n   published at The Atlantic",
                                    "Originallypublished at The Atlantic"])
def test_words_are_found_however_spaced(spaced: str) -> None:
    words = WordFilter.of(PHRASES)
    assert words is not None and words.may_match(spaced)


def test_prose_is_ruled_out() -> None:
    words = WordFilter.of(PHRASES)
    assert words is not None
    prose = "The council voted on Tuesday. Officials said the deal was close."
    assert not words.may_match(prose)
    assert words.word_places(prose) == []


@pytest.mark.parametrize("split", ["<script> </script>", "<script>x</script>", "<!-- c -->",
                                   "<b></b>", "<style>p{}</style>"])
def test_a_credit_split_by_markup_is_still_read(split: str) -> None:
    body = "".join(f"<p>Paragraph {n} of the story tells what happened at the harbour on "
                   "Tuesday, when the council met about the ferry timetable.</p>" for n in range(6))
    html = (f"<html><head><title>Ferry</title></head><body><article><h1>Ferry</h1>{body}"
            f"<p>Originally pub{split}lished at <a href='https://orig.example/2020/a/b'>Orig</a>"
            "</p></article></body></html>")
    doc = Sanitizer().clean_html(html, url="https://copy.example/x")
    assert doc.source is not None and doc.source.url == "https://orig.example/2020/a/b"
