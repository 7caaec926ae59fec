"""Rule files: loading, validation errors that name the file and rule, overlays, examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanitizer import RuleError, Sanitizer, load_rules
from sanitizer.examples import run_example, samples_dir

BUNDLED = load_rules()


@pytest.mark.parametrize(("rule_file", "example"), BUNDLED.examples,
                         ids=[f"{Path(f.path).name}:{e.sample}" for f, e in BUNDLED.examples])
def test_every_bundled_example_passes(rule_file, example) -> None:  # type: ignore[no-untyped-def]
    with Sanitizer(rules=BUNDLED) as s:
        assert run_example(s, example, samples_dir()) == []


def test_every_site_rule_matches_its_sample() -> None:
    for rule_file in (f for f in BUNDLED.files if f.is_site):
        samples = [samples_dir() / e.sample / "source.html" for e in rule_file.examples]
        assert samples, f"{rule_file.path} has no [[example]]"
        from lxml import html

        roots = [html.parse(str(p)).getroot() for p in samples]
        for rule in rule_file.strips:
            assert any(rule.match(root) for root in roots), f"{rule.id} matches no sample"


def _rules_dir(tmp_path: Path, name: str, text: str) -> Path:
    folder = tmp_path / "rules"
    (folder / "boilerplate").mkdir(parents=True, exist_ok=True)
    (folder / "boilerplate" / name).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(("text", "rule_id", "words"), [
    ("[[strip]\nid = 'x'", None, "not valid TOML"),
    ("[[strip]]\nid = 'mine.a'\ncss = 'div'\ncolour = 'red'", "mine.a", "unknown key"),
    ("[[strip]]\nid = 'mine.b'\ncss = 'div[[['", "mine.b", "bad CSS selector"),
    ("[[strip]]\nid = 'mine.c'\nxpath = '//div[@'", "mine.c", "bad XPath"),
    ("[[strip]]\nid = 'mine.d'\ncss = 'div'\ntext = '(unclosed'", "mine.d", "bad regex"),
    ("[[strip]]\nid = 'mine.e'\ncss = 'div'\naction = 'explode'", "mine.e", "action must be"),
    ("[[strip]]\ncss = 'div'", None, "has no `id`"),
    ("[[strip]]\nid = 'mine.f'", "mine.f", "exactly one of"),
    ("[[phrase]]\nid = 'mine.g'\nscope = 'everything'\nmatch = ['x']", "mine.g", "scope"),
    ("[[phrase]]\nid = 'mine.h'", "mine.h", "needs `match` or `regex`"),
    ("[[strip]]\nid = 'share.jetpack'\ncss = 'div'", "share.jetpack", "duplicate rule id"),
])
def test_bad_rule_file_names_file_and_rule(tmp_path: Path, text: str, rule_id: str | None,
                                          words: str) -> None:
    folder = _rules_dir(tmp_path, "mine.toml", text)
    with pytest.raises(RuleError) as caught:
        load_rules(folder)
    message = str(caught.value)
    assert "mine.toml" in message or "share.toml" in message
    assert words in message
    if rule_id:
        assert rule_id in message


def test_unsafe_allowlist_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "allowlist.toml").write_text('tags = ["p", "script"]\n', encoding="utf-8")
    with pytest.raises(RuleError, match="script"):
        Sanitizer(rules=folder).clean_html("<p>hi</p>")


def test_missing_rules_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(RuleError, match="no such rules folder"):
        load_rules(tmp_path / "nope")


def test_user_folder_adds_site_rules(tmp_path: Path) -> None:
    folder = tmp_path / "rules"
    (folder / "sites").mkdir(parents=True)
    (folder / "sites" / "mine.toml").write_text(
        'hosts = [".mine.example"]\ncontent = ["div.story"]\n'
        '[[strip]]\nid = "mine.promo"\ncss = "p.promo"\n', encoding="utf-8")
    page = ("<html><body><div class='story'><p>First paragraph of the story, long enough to "
            "matter to anyone who reads it.</p><p class='promo'>Buy our mugs today</p>"
            "<p>Second paragraph of the story with more words in it than the promo.</p></div>"
            "<div class='other'><p>Unrelated sidebar text.</p></div></body></html>")
    doc = Sanitizer(rules=folder).clean_html(page, url="https://news.mine.example/a/1")
    assert "Buy our mugs" not in doc.text
    assert "First paragraph" in doc.text
    assert "mine.promo" in {r.rule for r in doc.removals}
    other = Sanitizer(rules=folder).clean_html(page, url="https://other.example/a/1")
    assert "mine.promo" not in {r.rule for r in other.removals}


def test_a_fingerprint_may_look_at_scripts(tmp_path: Path) -> None:
    """Scripts are dropped for speed only after the fingerprints are matched."""
    folder = _rules_dir(tmp_path, "mycms.toml",
                        "fingerprint = [\"//script[contains(@src, 'mycms.js')]\"]\n"
                        "[[strip]]\nid = 'mycms.promo'\ncss = 'p.promo'\n")
    page = ("<html><head><script src='/static/mycms.js'></script></head><body><article>"
            "<p>First paragraph of the story, long enough to matter to anyone who reads it."
            "</p><p class='promo'>Buy our mugs today</p><p>Second paragraph of the story "
            "with more words in it than the promo.</p></article></body></html>")
    doc = Sanitizer(rules=folder).clean_html(page, url="https://news.example/a/1")
    assert "mycms.promo" in {r.rule for r in doc.removals}
    assert "Buy our mugs" not in doc.text and "First paragraph" in doc.text


def test_user_file_replaces_bundled_file_of_same_path(tmp_path: Path) -> None:
    folder = _rules_dir(tmp_path, "share.toml", "description = 'no share rules'\n")
    ids = {r.id for f in load_rules(folder).files for r in f.strips}
    assert "share.jetpack" not in ids
    assert "related.plugins" in ids


@pytest.mark.parametrize(("text", "rule_id", "words"), [
    ("[[phrase]]\nid = 'mine.i'\nregex = '(a+)+b'", "mine.i", "unsafe regex"),
    ("[[strip]]\nid = 'mine.j'\ncss = 'div'\ntext = '(\\\\w+\\\\s?)*$'", "mine.j", "unsafe regex"),
    ("[[strip]]\nid = 'mine.k'\ntokens = '(x|y+){2,}'", "mine.k", "unsafe regex"),
    ("[[transform]]\nid = 'mine.l'\ncss = 'div'", "mine.l", "exactly one of `unwrap`"),
    ("[[transform]]\nid = 'mine.m'\ncss = 'div'\nrename = 'h2 onclick'", "mine.m", "tag name"),
    ("[[replace]]\nid = 'mine.n'\nfind = ''", "mine.n", "non-empty `find`"),
    ("[[strip]]\nid = 'mine.o'\ncss = 'div'\nhosts = 3", "mine.o", "`hosts` must be"),
    ("urls = ['(unclosed']\n", None, "bad regex"),
    ("fingerprint = ['div[[[']\n", None, "bad CSS selector"),
])
def test_more_bad_rule_files(tmp_path: Path, text: str, rule_id: str | None, words: str) -> None:
    folder = _rules_dir(tmp_path, "mine.toml", text)
    with pytest.raises(RuleError) as caught:
        load_rules(folder)
    assert "mine.toml" in str(caught.value) and words in str(caught.value)
    if rule_id:
        assert caught.value.rule_id == rule_id


def test_malformed_toml_names_the_line(tmp_path: Path) -> None:
    folder = _rules_dir(tmp_path, "mine.toml", "description = 'x'\n\n[[strip]\nid = 'y'\n")
    with pytest.raises(RuleError, match=r"mine\.toml: not valid TOML: .*line 3"):
        load_rules(folder)


def test_cache_is_keyed_on_mtime_and_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    monkeypatch.setenv("SANITIZER_CACHE_DIR", str(tmp_path / "cache"))
    folder = _rules_dir(tmp_path, "mine.toml", "[[strip]]\nid = 'mine.p'\ncss = '.p'\n")
    first = load_rules(folder)
    assert list((tmp_path / "cache").glob("rules-*.marshal"))
    (folder / "boilerplate" / "mine.toml").write_text(
        "[[strip]]\nid = 'mine.q'\ncss = '.q[['\n", encoding="utf-8")
    from sanitizer.rulebook import _load

    _load.cache_clear()  # a new process: only the on-disk cache remains
    with pytest.raises(RuleError, match=r"mine\.q"):  # the edited file is read and checked again
        load_rules(folder)
    assert "mine.p" in {r.id for f in first.files for r in f.strips}
