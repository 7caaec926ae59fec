"""The strip stages: over-removal guard, transforms, phrase scopes, precedence, CMS, URLs."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanitizer import Sanitizer, load_rules
from sanitizer.cli import main
from sanitizer.document import Options

STORY = ("<p>First paragraph of the story, long enough to matter to anyone who reads it and "
         "thinks about what it says.</p><p>Second paragraph of the story with more words in it "
         "than any of the widgets around it have.</p><p>Third paragraph, which closes the story "
         "with a quote from the mayor about the new bridge.</p>")


def _rules(tmp_path: Path, files: dict[str, str]) -> Path:
    folder = tmp_path / "rules"
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_a_rule_that_would_take_the_main_content_is_skipped_and_reported(tmp_path: Path) -> None:
    rules = _rules(tmp_path, {"mine.toml": '[[strip]]\nid = "mine.greedy"\ncss = "div.story"\n'})
    page = f"<html><body><div class='story'>{STORY}</div><p>Footer</p></body></html>"
    doc = Sanitizer(rules=rules).clean_html(page, url="https://news.example/1")
    assert "First paragraph" in doc.text
    guard = [f.message for f in doc.findings if f.code == "guard"]
    assert guard and "mine.greedy" in guard[0]
    assert "mine.greedy" not in {r.rule for r in doc.removals}


def test_guard_share_is_configurable(tmp_path: Path) -> None:
    rules = _rules(tmp_path, {"mine.toml": '[[strip]]\nid = "mine.second"\ncss = "p.x"\n'})
    big = "<p class='x'>" + "Words of a long paragraph that a rule may take. " * 12 + "</p>"
    page = f"<html><body><div class='story'>{STORY}{big}</div></body></html>"
    strict = Sanitizer(rules=rules, options=Options(guard_share=0.1))
    assert "mine.second" in {f.message.split()[1] for f in
                             strict.clean_html(page, url="https://n.example/1").findings
                             if f.code == "guard"}
    lax = Sanitizer(rules=rules, options=Options(guard_share=0.9))
    assert "mine.second" in {r.rule for r in lax.clean_html(page, url="https://n.example/1")
                             .removals}


def test_transforms_unwrap_rename_and_lazy_attributes(tmp_path: Path) -> None:
    rules = _rules(tmp_path, {"sites/t.toml": """
hosts = ["t.example"]
[[transform]]
id = "t.unwrap"
css = "span.wrap"
unwrap = true
[[transform]]
id = "t.rename"
css = "div.subhead"
rename = "h2"
[[transform]]
id = "t.lazy"
xpath = "//img[@data-lazy-src]"
attributes = { "data-lazy-src" = "src" }
"""})
    page = (f"<html><body><article>{STORY}<div class='subhead'>A subheading</div>"
            "<p>More <span class='wrap'>wrapped</span> text.</p>"
            "<img data-lazy-src='/photo.jpg'></article></body></html>")
    doc = Sanitizer(rules=rules).clean_html(page, url="https://t.example/a")
    assert "<h2>A subheading</h2>" in doc.html
    assert "<span" not in doc.html and "wrapped" in doc.text
    assert 'src="https://t.example/photo.jpg"' in doc.html


def test_text_only_scope_keeps_the_children(tmp_path: Path) -> None:
    rules = _rules(tmp_path, {"mine.toml": """
[[phrase]]
id = "mine.photo-label"
regex = 'Photo:\\s*'
scope = "text_only"
"""})
    page = (f"<html><body><article>{STORY}<p>Photo: <img src='/a.jpg'></p></article>"
            "</body></html>")
    doc = Sanitizer(rules=rules).clean_html(page, url="https://n.example/1")
    assert "Photo:" not in doc.text and "/a.jpg" in doc.html
    assert "mine.photo-label" in {r.rule for r in doc.removals}


def test_user_rules_come_first_and_can_disable_a_bundled_rule(tmp_path: Path) -> None:
    rules = _rules(tmp_path, {"sites/mine.toml": """
hosts = [".mine.example"]
disable = ["share.intent-links"]
[[strip]]
id = "mine.box"
css = "div.box"
"""})
    page = (f"<html><body><article>{STORY}<div class='box'>Box</div>"
            "<a href='https://twitter.com/intent/tweet?u=x'>Tweet it</a></article></body></html>")
    doc = Sanitizer(rules=rules).clean_html(page, url="https://www.mine.example/a")
    assert doc.ruleset is not None and doc.ruleset.files[0].tier == "user"
    ids = {r.rule for r in doc.removals}
    assert "mine.box" in ids and "share.intent-links" not in ids


def test_cms_fingerprint_and_url_pattern_files(tmp_path: Path) -> None:
    rules = _rules(tmp_path, {
        "cms/ghost.toml": """
fingerprint = ["//meta[@name='generator'][starts-with(@content, 'Ghost')]"]
[[strip]]
id = "ghost.cta"
css = "div.kg-cta"
""",
        "sites/blog-path.toml": """
urls = ['^https://pages\\.example/blog/']
[[strip]]
id = "blogpath.box"
css = "div.pathbox"
"""})
    page = ("<html><head>{}</head><body><article>" + STORY +
            "<div class='kg-cta'>Ghost CTA</div><div class='pathbox'>Path box</div>"
            "</article></body></html>")
    ghost = page.format("<meta name='generator' content='Ghost 5.2'>")
    rulebook = load_rules(rules)
    ids = {r.rule for r in Sanitizer(rules=rulebook).clean_html(
        ghost, url="https://pages.example/blog/1").removals}
    assert {"ghost.cta", "blogpath.box"} <= ids
    ids = {r.rule for r in Sanitizer(rules=rulebook).clean_html(
        page.format(""), url="https://pages.example/about").removals}
    assert not {"ghost.cta", "blogpath.box"} & ids


def test_rules_which_shows_precedence_and_counts(capsys: pytest.CaptureFixture[str]) -> None:
    seed = Path(__file__).resolve().parents[1] / "samples/repost.example/cartels-zerohedge-copy"
    code = main(["rules", "which", str(seed / "source.html"), "--base-url",
                 "https://repost.example/2021/07/human-intelligence-drys-up/"])
    out = capsys.readouterr().out
    assert code == 0
    assert "precedence (first wins): user > site > cms > generic > imported" in out
    assert "  site      repost.example.toml removed" in out
    assert "repost.example.spread-it x2" in out and "phrase.source-link x1" in out


def test_a_phrase_inside_a_sentence_is_not_a_block() -> None:
    from sanitizer import clean_html

    body = "".join(f"<p>Paragraph {n} of a story about the harbour ferries and their new "
                   "timetable, long enough to be the article.</p>" for n in range(5))
    page = (f"<html><body><article>{body}<p>This article was originally published by "
            "<a href='https://harbour.example/'>Harbour News</a>. Read the <a href="
            "'https://harbour.example/2024/ferries'>original article</a>.</p>"
            "<p><a href='https://harbour.example/2024/ferries'>Original article</a></p>"
            "</article></body></html>")
    doc = clean_html(page, url="https://copies.example/ferries")
    assert "Read the original article." in doc.text  # the credit sentence stays whole
    assert "phrase.source-link" in {r.rule for r in doc.removals}  # the bare anchor goes
