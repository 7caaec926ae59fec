"""`rules import-ftr` and ftr-site-config folders given to --rules (real files from ../shared)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import SHARED

from sanitizer import RuleError, Sanitizer, load_rules
from sanitizer.cli import main
from sanitizer.importer import import_ftr

FTR = SHARED / "upstream" / "ftr-site-config"
needs_ftr = pytest.mark.skipif(not FTR.is_dir(), reason="../shared/upstream not present")

SITE = """\
# a comment
body: //div[@class='story']
title: //div[@class='headline']
strip: //div[@class='promo']
strip_id_or_class: share-row
strip_image_src: tracker.gif
dissolve: //span[@class='wrap']
strip_attr: //img/@style
src_lazy_load_attr: data-lazy
find_string: <b>OLD</b>
replace_string: <b>NEW</b>
replace_string(Sponsored:): Note:
prune: no
tidy: no
http_header(user-agent): Mozilla
wrap_in(blockquote): //q
test_url: https://news.ftr.example/a/1
test_contains: First paragraph
"""
PAGE = ("<html><head></head><body><div class='headline'>The Headline</div>"
        "<div class='story'><p>First paragraph of the story, long enough to matter to anyone "
        "who reads it carefully. <b>OLD</b> <span class='wrap'>wrapped words</span></p>"
        "<div class='promo'><p>Buy our mugs today</p></div><ul class='top share-row-x'>"
        "<li>Tweet</li></ul><img src='/t/tracker.gif'><img data-lazy='/real.jpg' "
        "style='width:1px'><p>Sponsored: second paragraph of the story with more words in it "
        "than the promo has, so that it is clearly article text.</p></div></body></html>")


def _ftr_dir(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    folder = tmp_path / "ftr"
    folder.mkdir()
    for name, text in files.items():
        target = folder / name
        target.write_bytes(text if isinstance(text, bytes) else text.encode())
    return folder


def test_every_directive_is_converted_or_reported_with_its_line(tmp_path: Path) -> None:
    report = import_ftr(_ftr_dir(tmp_path, {"news.ftr.example.txt": SITE}), tmp_path / "out")
    assert report.directives == 17
    assert [(n.line, n.directive) for n in report.unsupported] == [(15, "http_header"),
                                                                     (16, "wrap_in")]
    assert report.no_effect == 1  # tidy: we never run HTML Tidy
    written = (tmp_path / "out" / "sites" / "news.ftr.example.toml").read_text()
    assert "line 15: http_header" in written and "line 16: wrap_in" in written
    assert "prune = false" in written


def test_prune_no_keeps_the_body_as_the_site_rules_leave_it(tmp_path: Path) -> None:
    nav = "<nav><a href='/world'>World desk</a> <a href='/sport'>Sport desk</a></nav>"
    page = PAGE.replace("<div class='promo'>", nav + "<div class='promo'>")
    for prune, kept in (("yes", False), ("no", True)):
        (tmp_path / prune).mkdir()
        site = SITE.replace("prune: no", f"prune: {prune}")
        folder = _ftr_dir(tmp_path / prune, {"news.ftr.example.txt": site})
        doc = Sanitizer(rules=load_rules(folder)).clean_html(page, url="https://news.ftr.example/a")
        assert ("Sport desk" in doc.text) is kept


def test_imported_site_rules_clean_a_page_of_their_host(tmp_path: Path) -> None:
    import_ftr(_ftr_dir(tmp_path, {"news.ftr.example.txt": SITE}), tmp_path / "out")
    doc = Sanitizer(rules=tmp_path / "out").clean_html(PAGE, url="https://news.ftr.example/a")
    assert "Buy our mugs" not in doc.text and "Tweet" not in doc.text
    assert "NEW" in doc.text and "OLD" not in doc.text  # find_string / replace_string
    assert "Note: second paragraph" in doc.text  # replace_string(find)
    assert doc.title == "The Headline"  # an imported title fills a page that has none
    assert 'src="https://news.ftr.example/real.jpg"' in doc.html  # src_lazy_load_attr
    assert "tracker.gif" not in doc.html
    assert "class=\"wrap\"" not in doc.html and "wrapped words" in doc.text  # dissolve
    ids = {r.rule for r in doc.removals}
    assert {"ftr.news.ftr.example.L4", "ftr.news.ftr.example.L5"} <= ids
    other = Sanitizer(rules=tmp_path / "out").clean_html(PAGE, url="https://other.example/a")
    assert not any(r.rule.startswith("ftr.") for r in other.removals)


def test_rules_accepts_an_ftr_folder_directly(tmp_path: Path) -> None:
    folder = _ftr_dir(tmp_path, {"news.ftr.example.txt": SITE})
    doc = Sanitizer(rules=load_rules(folder)).clean_html(PAGE, url="https://news.ftr.example/a")
    assert "ftr.news.ftr.example.L4" in {r.rule for r in doc.removals}
    assert len(load_rules(folder).notes) == 2


def test_batch_import_goes_on_past_a_bad_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                             ) -> None:
    folder = _ftr_dir(tmp_path, {"a.example.txt": b"body: //p\xff\xfe\n",
                                 "b.example.txt": "body: //article\nstrip: //aside[\n"})
    code = main(["rules", "import-ftr", str(folder), "-o", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert code == 1
    assert "a.example.txt" in err and "not UTF-8" in err
    assert re.search(r"b\.example\.txt:2: strip: invalid XPath", out)
    assert (tmp_path / "out" / "sites" / "b.example.toml").is_file()


def test_missing_source_is_a_rule_error(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="no such file"):
        import_ftr(tmp_path / "nope", tmp_path / "out")


@needs_ftr
def test_the_whole_upstream_set_converts_95_percent(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["rules", "import-ftr", str(FTR), "-o", str(tmp_path / "out")])
    out, _ = capsys.readouterr()
    assert code == 0
    share = float(re.search(r"converted \(([\d.]+)%", out).group(1))
    assert share >= 95.0
    listed = re.findall(r"^unsupported: (.+?\.txt):(\d+): ", out, flags=re.M)
    unsupported = int(re.search(r"(\d+) unsupported", out).group(1))
    assert len(listed) == unsupported > 0
    rulebook = load_rules(tmp_path / "out")
    chosen = rulebook.select("https://www.20minutes.fr/medias/1")
    assert any(name.endswith("20minutes.fr.toml") for name in chosen.names)
    assert chosen.files[0].tier == "site"  # imported site rules come before the generic ones
