"""`rules import-abp`: Adblock Plus / uBlock cosmetic filters as strip rules (../shared lists)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import SHARED

from sanitizer import Sanitizer, load_rules
from sanitizer.cli import main

FANBOY = SHARED / "upstream" / "fanboy-social"
needs_fanboy = pytest.mark.skipif(not FANBOY.is_dir(), reason="../shared/upstream not present")

LIST = """\
! Title: a test list
[Adblock Plus 2.0]
##.share-bar
##.follow-box
a.example,~b.a.example##.promo
~c.example##.tweet-row
c.example#@#.follow-box
#@#.share-bar
d.example#?#.box:has-text(Follow us)
d.example##div.card:has(> a[href^="https://chat.example/"])
d.example##.pane:-abp-has(.socials)
x.*##.entity
||ads.example^$third-party
e.example##+js(nowebrtc)
##.a:upward(2) > .b
"""
PARAS = ("<p>First paragraph of the story, long enough to matter to anyone who reads it and "
         "thinks about it.</p><p>Second paragraph of the story with more words in it than any "
         "of the widgets around it have.</p>")
PAGE = (f"<html><body><article>{PARAS}<div class='share-bar'>Share bar</div>"
        "<div class='follow-box'>Follow box</div><div class='promo'>Promo text</div>"
        "<div class='tweet-row'>Tweet row</div><div class='box'>Follow us on X</div>"
        "<div class='box'>Box that stays</div><div class='card'><a href='https://chat.example/c'>TG"
        "</a></div><div class='pane'><span class='socials'>Pane</span></div></article>"
        "</body></html>")


def _import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, Path]:
    source = tmp_path / "mylist.txt"
    source.write_text(LIST, encoding="utf-8")
    out = tmp_path / "out"
    code = main(["rules", "import-abp", str(source), "-o", str(out)])
    return code, capsys.readouterr().out, out


def _text(out: Path, url: str) -> str:
    """What the imported rules removed from PAGE (the bundled rules take some of it too)."""
    doc = Sanitizer(rules=load_rules(out)).clean_html(PAGE, url=url)
    assert "First paragraph" in doc.text
    return " | ".join(r.text for r in doc.removals if r.rule.startswith("abp.mylist."))


def test_cosmetic_filters_become_rules_and_the_rest_is_listed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _import(tmp_path, capsys)
    assert code == 0
    listed = re.findall(r"^unsupported: .*mylist\.txt:(\d+): (.*)$", out, flags=re.M)
    assert [int(line) for line, _ in listed] == [12, 13, 14, 15]
    assert "entity" in listed[0][1] and "network filter" in listed[1][1]


def test_generic_hide_and_generic_exception(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    _, _, out = _import(tmp_path, capsys)
    removed = _text(out, "https://news.example/1")
    assert "Follow box" in removed  # ##.follow-box
    assert "Share bar" not in removed  # #@#.share-bar switches ##.share-bar off everywhere


def test_domains_and_negated_domains(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, out = _import(tmp_path, capsys)
    assert "Promo text" in _text(out, "https://www.a.example/1")
    assert "Promo text" not in _text(out, "https://b.a.example/1")  # ~b.a.example
    assert "Promo text" not in _text(out, "https://news.example/1")
    assert "Tweet row" in _text(out, "https://news.example/1")
    assert "Tweet row" not in _text(out, "https://c.example/1")  # ~c.example
    assert "Follow box" not in _text(out, "https://c.example/1")  # c.example#@#.follow-box


def test_has_text_and_has(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, _, out = _import(tmp_path, capsys)
    removed = _text(out, "https://d.example/1")
    assert "Follow us on X" in removed and "Box that stays" not in removed
    assert "TG" in removed and "Pane" in removed


def test_unreadable_list_is_reported_and_the_batch_goes_on(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.txt"
    good.write_text("##.share-bar\n", encoding="utf-8")
    code = main(["rules", "import-abp", str(tmp_path / "missing.txt"), str(good),
                 "-o", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert code == 1
    assert "missing.txt" in err and "can't read" in err
    assert (tmp_path / "out" / "good.toml").is_file() and "1 files" in out


@needs_fanboy
def test_fanboy_lists_import_with_the_unsupported_rules_listed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lists = sorted(str(p) for p in FANBOY.glob("*.txt"))
    code = main(["rules", "import-abp", *lists, "-o", str(tmp_path / "out")])
    out, _ = capsys.readouterr()
    assert code == 0
    listed = re.findall(r"^unsupported: .*fanboy_social_specific_hide\.txt:(\d+): ", out,
                        flags=re.M)
    assert listed and int(re.search(r"(\d+) unsupported", out).group(1)) == len(listed)
    rulebook = load_rules(tmp_path / "out")
    page = (f"<html><body><article>{PARAS}<div id='FacebookLikeBox'>Like us</div></article>"
            "<div id='Share1'>Share</div></body></html>")
    doc = Sanitizer(rules=rulebook).clean_html(page, url="https://news.example/1")
    assert "Like us" not in doc.text and "First paragraph" in doc.text
    assert any(r.rule.startswith("abp.fanboy_social_general_hide.L") for r in doc.removals)
    assert rulebook.select("https://news.example/1").files[-1].tier == "imported"
