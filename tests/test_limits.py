"""Issue 7, done-when 3: resource limits. Hostile input ends in a clear InputError or a
result, never a crash, a silent truncation or minutes of work. The full table of pathological
inputs (100,000 nested divs, a 20 MB attribute, entity floods, nested tables ...) with time and
memory is `benchmarks/pathological.py`; two of its cases run here as a smoke test."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from lxml import etree
from lxml.html import HtmlElement, fragment_fromstring

from sanitizer import InputError, Sanitizer
from sanitizer.api import sanitize_fragment
from sanitizer.limits import MAX_AMPERSANDS, MAX_DEPTH, MAX_NODES, check_text
from sanitizer.parse import parse_fragment
from sanitizer.text import block_text, visible_text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import pathological


def test_too_many_tags_is_a_clear_error(cleaner: Sanitizer) -> None:
    with pytest.raises(InputError, match="tags and comments"):
        cleaner.clean_html("<body>" + "<b>x</b>" * (MAX_NODES + 1))


def test_too_many_ampersands_is_a_clear_error(cleaner: Sanitizer) -> None:
    with pytest.raises(InputError, match="character references"):
        cleaner.clean_html("<p>" + "&amp;" * (MAX_AMPERSANDS + 1) + "</p>")


def test_ampersand_limit_guards_the_sanitize_stage_too() -> None:
    with pytest.raises(InputError, match="character references"):
        sanitize_fragment("<p>" + "&amp;" * (MAX_AMPERSANDS + 1) + "</p>")


def test_under_the_limits_is_fine() -> None:
    check_text("<p>" + "<b>x</b>" * 1000 + "&amp;" * 1000)


def test_deep_nesting_is_a_clear_error(cleaner: Sanitizer) -> None:
    with pytest.raises(InputError, match=f"nested more than {MAX_DEPTH} deep"):
        cleaner.clean_html("<body>" + "<div>" * (MAX_DEPTH + 50) + "deep")


def test_huge_attribute_is_a_clear_error(cleaner: Sanitizer) -> None:
    with pytest.raises(InputError, match="longer than 10 MB"):
        cleaner.clean_html('<body><p title="' + "a" * 10_500_000 + '">text</p>')


def test_fragment_limits() -> None:
    with pytest.raises(InputError, match="nested"):
        parse_fragment("<div>" * 300)
    assert parse_fragment("\x00\x01<b>ok</b>\x0c").findtext("b") == "ok"


def test_dtd_entities_are_not_expanded(cleaner: Sanitizer) -> None:
    laughs = ('<!DOCTYPE x [<!ENTITY a "lollollol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
              '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]><html><body><p>&c;</p>'
              "<p>Some text of the article that is long enough to keep.</p></body></html>")
    doc = cleaner.clean_html(laughs)
    assert "lollollol" not in doc.html


def _deep_tree(depth: int) -> HtmlElement:
    """A tree deeper than any parser builds (made with the API, not parsed)."""
    root = fragment_fromstring("<div></div>")
    node = root
    for i in range(depth):
        node = etree.SubElement(node, "div" if i % 2 else "span")
        node.text = "w "
    return root


def test_text_walkers_are_not_recursive() -> None:
    tree = _deep_tree(20_000)  # far past Python's recursion limit
    assert visible_text(tree).count("w") == 20_000
    assert block_text(tree).count("w") == 20_000


@pytest.mark.parametrize("case", ["100k nested divs", "entity flood (4M &amp;)"])
def test_pathological_smoke(case: str) -> None:
    for command in ("clean", "sanitize"):
        outcome = pathological.run_case(case, command)
        assert outcome.within_budget, outcome


def test_sanitize_fragment_accepts_control_characters() -> None:
    assert "ok" in sanitize_fragment("\x01<b>ok</b>")
