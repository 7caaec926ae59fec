"""The fast matching paths answer exactly as the slow ones they replace.

- cssindex.py: a chain from `compile_group` matches the elements cssselect's XPath
  (`Selector.css`) returns, and an `AttributeIndex` finds each rule's matches in document
  order; for every CSS part of the bundled rules, a sample of the imported fanboy-social
  filters (../shared/upstream) and generated selectors, on the bundled samples, the shared
  dev pages and generated pages;
- tokenmatch.py: `NameMatcher` names the patterns whose `matches_name` is true, for the
  bundled, hand-written and generated token patterns, on the pages' class names and ids and
  on generated names;
- regexwords.py: a phrase regex that fullmatches a text never has its `gate` (a
  `WordFilter`) reject the text.

Generated input keeps to CSS and XML white space (space, tab, newline) in selectors and
attribute values; the cases this file found outside it (other white space, an empty id,
capital dotted I) have tests of their own. SANITIZER_FASTMATCH_EXAMPLES scales the
generated examples.
"""

from __future__ import annotations

import itertools
import os
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from html import escape
from pathlib import Path

import pytest
from conftest import CORPUS_LIST, DEV_CORPUS, SAMPLE_LIST, SHARED
from cssselect.parser import parse as css_parse
from cssselect.parser import tokenize as css_tokenize
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from lxml.html import HtmlElement

from sanitizer import Rulebook
from sanitizer.abp import convert_list
from sanitizer.cssindex import AttributeIndex, Chain, compile_group
from sanitizer.parse import detect_encoding, parse_text
from sanitizer.regexwords import WordFilter
from sanitizer.ruletypes import PhraseRule
from sanitizer.selectors import Selector, TokenPattern
from sanitizer.text import visible_text
from sanitizer.tokenmatch import NameMatcher

EXAMPLES = int(os.environ.get("SANITIZER_FASTMATCH_EXAMPLES", "40"))
#: CI runs a fixed sequence of examples (reproducible); elsewhere each run explores new ones.
SETTINGS = dict(deadline=None, database=None, derandomize=bool(os.environ.get("CI")),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

PAGES = [pytest.param(s.path / "source.html", id=f"sample:{s.name}") for s in SAMPLE_LIST]
PAGES += [pytest.param(DEV_CORPUS / label["file"], id=f"dev:{label['id']}")
          for label in CORPUS_LIST]
PAGE_PATHS: list[Path] = [p.values[0] for p in PAGES]
FANBOY = SHARED / "upstream" / "fanboy-social"
#: Imported filters checked on every page: each walks every element of every page in
#: Python, so a sample (the filters naming a class or id the pages use, then the rest).
UPSTREAM_SAMPLE = 40
#: A CSS identifier both cssselect and cssindex read (cssindex starts one with ASCII).
IDENT = re.compile(r"-?[_a-zA-Z][-\w]*")
#: White space that is not CSS/XML white space: `str.split()` and `\s` break on it,
#: XPath's normalize-space and cssselect's tokenizer don't.
OTHER_SPACE = re.compile(r"[^\S \t\n\r\f]")


@cache
def page(path: Path) -> HtmlElement:
    """The parsed page (shared by the tests: they only read it)."""
    raw = path.read_bytes()
    return parse_text(raw.decode(detect_encoding(raw), "replace"), str(path))


def where(el: HtmlElement) -> str:
    return el.getroottree().getpath(el)


def differ(fast: list[HtmlElement], slow: list[HtmlElement]) -> str:
    """What one side found that the other did not, by element path."""
    extra = [where(el) for el in fast if el not in slow][:5]
    missing = [where(el) for el in slow if el not in fast][:5]
    return f"fast only: {extra}; XPath only: {missing}"


# --- cssindex: the selectors --------------------------------------------------------

def css_parts(group: str) -> list[str]:
    """The selectors of a CSS group, cut at the commas cssselect's tokenizer sees at the top
    level (not the one cssindex uses, so a fault there shows)."""
    cuts, depth = [], 0
    for token in css_tokenize(group):
        if token.type == "DELIM" and token.value in "([":
            depth += 1
        elif token.type == "DELIM" and token.value in ")]":
            depth -= 1
        elif token.type == "DELIM" and token.value == "," and depth == 0:
            cuts.append(token.pos)
    parts = [group[a + 1:b].strip(" \t\r\n\f")
             for a, b in itertools.pairwise([-1, *cuts, len(group)])]
    assert len(parts) == len(css_parse(group)), group
    return parts


@cache
def selector(expr: str) -> Selector:
    return Selector.css(expr)


@cache
def bundled_css(rulebook: Rulebook) -> tuple[str, ...]:
    """Every CSS selector of the bundled rules: strip, allow, transform and page selectors."""
    found = []
    for f in rulebook.files:
        selectors = [*(r.match for r in f.strips), *(r.match for r in f.allows),
                     *(t.select for t in f.transforms), *f.content, *f.title, *f.author,
                     *f.date, *f.fingerprint, *f.source_links, *(s for _, s in f.page_links)]
        found += [s.expr for s in selectors if isinstance(s, Selector) and s.kind == "css"]
    return tuple(dict.fromkeys(found))


@cache
def page_names() -> frozenset[str]:
    """The class names and ids of all the pages."""
    names: set[str] = set()
    for path in PAGE_PATHS:
        for el in page(path).iter():
            names.update((el.get("class") or "").split())
            names.add(el.get("id") or "")
    return frozenset(names - {""})


def every(items: list[str], n: int) -> list[str]:
    """About n of the items, evenly spread."""
    return items[::max(1, -(-len(items) // n))] if n > 0 else []


@cache
def upstream_css() -> tuple[str, ...]:
    """A sample of the CSS of the fanboy-social filter lists, as `rules import-abp` converts
    them (none when ../shared/upstream is absent)."""
    if not FANBOY.is_dir():
        return ()
    groups = [rule["css"] for path in sorted(FANBOY.glob("*.txt"))
              for rule in convert_list(path).data["strip"] if "css" in rule]
    names = page_names()
    named = [g for g in groups if set(re.findall(r"[-\w]+", g)) & names]
    rest = sorted(set(groups) - set(named), key=groups.index)
    picked = every(named, UPSTREAM_SAMPLE * 3 // 4)
    return tuple(picked + every(rest, UPSTREAM_SAMPLE - len(picked)))


@cache
def all_parts(rulebook: Rulebook) -> tuple[str, ...]:
    groups = (*bundled_css(rulebook), *upstream_css())
    return tuple(dict.fromkeys(p for g in groups for p in css_parts(g)))


def chain_of(part: str) -> Chain | None:
    """The part's chain, or None when it is left to XPath (then `rest` is the part)."""
    chains, rest = compile_group(part)
    if rest:
        assert (chains, rest) == ([], [part])
        return None
    assert len(chains) == 1, part
    return chains[0]


def check_part(part: str, root: HtmlElement, elements: list[HtmlElement]) -> int | None:
    """Assert the part's chain matches what its XPath does: how many elements it matched,
    None when the part did not compile."""
    chain = chain_of(part)
    if chain is None:
        return None
    fast = list(filter(chain.matches, elements))
    slow = selector(part)(root)
    assert fast == slow, f"{part!r}: {differ(fast, slow)}"
    return len(fast)


@pytest.mark.skipif(not FANBOY.is_dir(), reason="../shared/upstream not present")
def test_the_imported_filters_are_sampled(rulebook: Rulebook) -> None:
    sample = upstream_css()
    assert len(sample) >= UPSTREAM_SAMPLE // 2
    assert any(selector(g)(page(path)) for g in sample for path in PAGE_PATHS)
    assert sum(chain_of(part) is not None for part in all_parts(rulebook)) > len(sample)


@pytest.mark.parametrize("path", PAGES)
def test_each_compiled_part_matches_what_cssselect_matches(path: Path,
                                                           rulebook: Rulebook) -> None:
    root = page(path)
    elements = list(root.iter())  # comments and processing instructions too
    parts = all_parts(rulebook)
    compiled = sum(check_part(part, root, elements) is not None for part in parts)
    assert compiled >= len(parts) * 0.9  # the subset is most of what rules use


# --- cssindex: the index -------------------------------------------------------------

Matcher = Selector | TokenPattern


@cache
def index_rules(rulebook: Rulebook) -> tuple[tuple[Matcher, ...], AttributeIndex]:
    """The rules an index takes, as a strip plan builds it (CSS whose parts all compile,
    token patterns), and the index; each rule's index in the tuple is its rule index."""
    rules: list[Matcher] = []
    chains: list[tuple[int, Chain]] = []
    patterns: list[tuple[int, TokenPattern]] = []
    for group in (*bundled_css(rulebook), *upstream_css()):
        compiled, rest = compile_group(group)
        if compiled and not rest:
            chains += [(len(rules), chain) for chain in compiled]
            rules.append(selector(group))
    for f in rulebook.files:
        for rule in f.strips:
            if isinstance(rule.match, TokenPattern):
                patterns.append((len(rules), rule.match))
                rules.append(rule.match)
    return tuple(rules), AttributeIndex.build(chains, patterns)


def check_hits(index: AttributeIndex, rules: Iterable[Matcher], root: HtmlElement,
               scopes: list[HtmlElement] | None = None) -> int:
    """Assert the index finds each rule's matches (within the scopes), in document order;
    the number of hits."""
    hits = list(index.hits(scopes or [root]))
    order = {el: n for n, el in enumerate(root.iter())}
    positions = [order[el] for _, el in hits]
    assert positions == sorted(positions), "hits out of document order"
    found: dict[int, list[HtmlElement]] = defaultdict(list)
    for rule, el in hits:
        found[rule].append(el)
    inside = set(itertools.chain.from_iterable(s.iter() for s in scopes or [root]))
    for i, rule in enumerate(rules):
        slow = [el for el in rule(root) if el in inside]
        assert found.get(i, []) == slow, f"rule {i} {rule}: {differ(found.get(i, []), slow)}"
    return len(hits)


@pytest.mark.parametrize("path", PAGES)
def test_index_hits_are_each_rules_matches_in_document_order(path: Path,
                                                             rulebook: Rulebook) -> None:
    rules, index = index_rules(rulebook)
    check_hits(index, rules, page(path))


# --- cssindex: generated selectors on the real pages -------------------------------------

OPS = ("", "=", "~=", "^=", "$=", "*=", "|=")


def quoted(draw: st.DrawFn, value: str) -> str:
    """A CSS string (or a bare identifier) for the value."""
    if "'" not in value and draw(st.booleans()):
        return f"'{value}'"
    if IDENT.fullmatch(value) and draw(st.booleans()):
        return value
    return f'"{value}"'


def value_for(draw: st.DrawFn, op: str, value: str, others: list[str]) -> str:
    """Mostly the piece of the value the operator looks for (all of it, a prefix, a suffix,
    an inner part, a word, the part before a dash), else another piece or another value;
    cut before anything a CSS string can't hold unescaped."""
    half = len(value) // 2
    fitting = {"=": value, "^=": value[:half + 1], "$=": value[half:], "*=": value[1:-1],
               "~=": draw(st.sampled_from(value.split() or [value])),
               "|=": value.split("-")[0]}[op]
    pieces = [fitting, fitting, fitting, value, value[:half], value[half:], *others]
    return re.split(r"[\n\r\f\\\"]", draw(st.sampled_from(pieces)))[0][:40]


@cache
def page_vocabulary(path: Path) -> tuple[list[HtmlElement], list[str], list[str], frozenset[str]]:
    """Elements with attributes to build selectors from, the page's tags and attribute
    values, and the attributes whose values hold other white space (see OTHER_SPACE)."""
    elements = [el for el in page(path).iter() if isinstance(el.tag, str) and el.attrib]
    tags = sorted({el.tag for el in page(path).iter() if isinstance(el.tag, str)})
    values = sorted({v for el in elements for v in el.attrib.values() if len(v) < 40})
    odd = frozenset(k for el in elements for k, v in el.attrib.items() if OTHER_SPACE.search(v))
    return elements, tags, values, odd


@st.composite
def compound_for(draw: st.DrawFn, el: HtmlElement, tags: list[str], values: list[str],
                 odd: frozenset[str]) -> str:
    """A compound selector from the element's own tag and attributes (or others)."""
    tag = draw(st.sampled_from(["", "", "*", el.tag, el.tag, el.tag.upper(),
                                draw(st.sampled_from(tags))]))
    attrs = [a for a in el.attrib if IDENT.fullmatch(a)]
    conditions = []
    for _ in range(draw(st.integers(1 if attrs else 0, 3))):
        if not attrs:
            break
        attr = draw(st.sampled_from(attrs))
        value = el.get(attr)
        words = [w for w in value.split() if IDENT.fullmatch(w)]
        if attr == "class" and words and attr not in odd and draw(st.booleans()):
            word = draw(st.sampled_from(words))
            conditions.append("." + (word.swapcase() if draw(st.integers(0, 5)) == 0 else word))
        elif attr == "id" and IDENT.fullmatch(value) and draw(st.booleans()):
            conditions.append("#" + value)
        else:
            op = draw(st.sampled_from(OPS))
            if op == "~=" and attr in odd:
                op = "*="  # `~=` on other white space: see the white-space tests
            name = attr.upper() if draw(st.integers(0, 5)) == 0 else attr
            others = draw(st.lists(st.sampled_from(values), max_size=2))
            text = op and op + quoted(draw, value_for(draw, op, value, others))
            conditions.append(f"[{name}{text}]")
    return tag + "".join(conditions) or "*"


@st.composite
def page_selectors(draw: st.DrawFn) -> tuple[Path, str]:
    """A page and a selector built around one of its elements and its ancestors."""
    path = draw(st.sampled_from(PAGE_PATHS))
    elements, tags, values, odd = page_vocabulary(path)
    el = draw(st.sampled_from(elements))
    text = draw(compound_for(el, tags, values, odd))
    for _ in range(draw(st.integers(0, 2))):
        ancestors = list(el.iterancestors())
        if not ancestors:
            break
        step = draw(st.integers(0, min(3, len(ancestors) - 1)))
        el = ancestors[step]
        combinator = draw(st.sampled_from([" > ", ">", "\n>\t"] if step == 0 else
                                          [" ", "\t", "  \n", " > "]))  # ">" to a grandparent
        text = draw(compound_for(el, tags, values, odd)) + combinator + text
    return path, text


@settings(max_examples=EXAMPLES * 3, **SETTINGS)
@given(page_selectors())
def test_generated_selectors_on_the_pages_match_what_cssselect_matches(
        case: tuple[Path, str]) -> None:
    path, part = case
    root = page(path)
    found = check_part(part, root, list(root.iter()))
    event("compiled, matched" if found else "compiled, none" if found == 0 else "to XPath")


# --- cssindex: generated pages and selectors --------------------------------------------

TAGS = ["div", "p", "span", "a", "ul", "li", "section"]
CLASSES = ["share", "share-bar", "Share", "ad", "ads", "a", "b", "social", "x-share", "-x",
           "_y", "share_bar", "é-ß"]
IDS = ["share", "main", "a", "share-bar", "x1"]
ATTRS = ["data-x", "href", "title", "lang", "rel", "data-share"]
VALUES = ["share", "share-bar", "en", "en-US", "en-", "x y", "https://t.me/x", "-", "", "A",
          "a\tb", " share ", "share\nbar", "t.me", "?share=1"]
SPACES = [" ", "  ", "\t", "\n", " \n "]


#: One element: tag, class words (or no class attribute), the white space between and
#: around them, an id, other attributes.
ELEMENT = st.tuples(st.sampled_from(TAGS),
                    st.none() | st.lists(st.sampled_from(CLASSES), max_size=3),
                    st.sampled_from(SPACES), st.sampled_from(["", *SPACES]),
                    st.none() | st.sampled_from(IDS),
                    st.dictionaries(st.sampled_from(ATTRS), st.sampled_from(VALUES), max_size=2))


@st.composite
def html_page(draw: st.DrawFn) -> str:
    """A small page: elements, each placed under an earlier one or the body."""
    specs = draw(st.lists(ELEMENT, min_size=1, max_size=14))
    parents = [draw(st.integers(-1, n - 1)) for n in range(len(specs))]

    def render(n: int) -> str:
        tag, words, gap, edge, ident, others = specs[n]
        attrs = {**({} if words is None else {"class": edge + gap.join(words) + edge}),
                 **({} if ident is None else {"id": ident}), **others}
        markup = "".join(f' {k}="{escape(v)}"' for k, v in attrs.items())
        inner = "".join(render(c) for c, parent in enumerate(parents) if parent == n)
        return f"<{tag}{markup}>x{inner}</{tag}>"

    body = "".join(render(n) for n, parent in enumerate(parents) if parent == -1)
    return f"<html><body>{body}</body></html>"


@st.composite
def css_compound(draw: st.DrawFn) -> str:
    tag = draw(st.sampled_from(["", "", "*", *TAGS, "DIV"]))
    conditions = []
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["class", "class", "id", "attr"]))
        if kind == "class":
            conditions.append("." + draw(st.sampled_from(CLASSES)))
        elif kind == "id":
            conditions.append("#" + draw(st.sampled_from(IDS)))
        else:
            attr = draw(st.sampled_from([*ATTRS, "class", "id", "ID"]))
            op = draw(st.sampled_from(OPS))
            value = re.split(r"[\n\r\f\\\"]", draw(st.sampled_from(VALUES + CLASSES)))[0]
            conditions.append(f"[{attr}{op + quoted(draw, value) if op else ''}]")
    return tag + "".join(conditions) or "*"


@st.composite
def css_selector(draw: st.DrawFn) -> str:
    text = draw(css_compound())
    for _ in range(draw(st.integers(0, 2))):
        text = draw(css_compound()) + draw(st.sampled_from([" ", " > ", ">", "\t", "\n"])) + text
    return text


HAND_PATTERNS = [TokenPattern.compile(r"(^|[-_])(share|social)([-_]|$)", "^share_bar$"),
                 TokenPattern.compile(r"^(ad|ads)[-_]")]


@settings(max_examples=EXAMPLES * 2, **SETTINGS)
@given(html_page(),
       st.lists(st.lists(css_selector(), min_size=1, max_size=3), min_size=1, max_size=5),
       st.data())
def test_generated_selectors_on_generated_pages(markup: str, groups: list[list[str]],
                                                data: st.DataObject) -> None:
    root = parse_text(markup)
    elements = list(root.iter())
    rules: list[Matcher] = []
    chains: list[tuple[int, Chain]] = []
    for parts in groups:
        compiled = [chain_of(part) for part in parts]
        for part in parts:
            check_part(part, root, elements)
        if all(compiled):
            chains += [(len(rules), chain) for chain in compiled if chain is not None]
            rules.append(selector(", ".join(parts)))
    patterns = [(len(rules) + i, p) for i, p in enumerate(HAND_PATTERNS)]
    rules += HAND_PATTERNS
    index = AttributeIndex.build(chains, patterns)
    event("index hits" if check_hits(index, rules, root) else "no index hits")
    body = root.find("body")
    assert body is not None
    scopes = [el for el in body if data.draw(st.booleans())]
    if scopes:
        check_hits(index, rules, root, scopes)


SUBSET = ["div.share", "#main", ".a.b", "[data-x]", "[data-x='y']", "[rel~=nofollow]",
          "a[href^='https://t.me/']", "[href$='.pdf']", "[title*=share]", "[lang|=en]",
          ".a .b", "ul > li.share", ".a>.b .c", "*.a", "DIV.Share", "[data-x='']",
          "[lang|='']"]
OUTSIDE = ["a:not(.x)", "a + b", "a ~ b", "p:first-child", "[a~='']", "[a^='']", "[a$='']",
           "[a*='']", "[a~='x y']", "div", "*", ".a > *", "ea-social-links", r".lg\:gap-8",
           ".a:hover", r"""[a="x\"y"]""", ".x .y + .z", "li:nth-child(2n+1).x", "a .b:empty"]


@pytest.mark.parametrize("part", SUBSET)
def test_the_subset_compiles(part: str) -> None:
    assert chain_of(part) is not None
    selector(part)  # and is CSS cssselect reads


@pytest.mark.parametrize("part", OUTSIDE)
def test_parts_outside_the_subset_go_to_rest(part: str) -> None:
    selector(part)  # valid CSS, left to XPath
    assert compile_group(part) == ([], [part])


def test_a_group_splits_into_chains_and_rest() -> None:
    chains, rest = compile_group(".a, a + b, [title='x, y'], p:first-child ,#c")
    assert len(chains) == 3 and rest == ["a + b", "p:first-child"]


# Found by this file once: Unicode white space is no white space to cssselect (its XPath
# splits on XML white space; its tokenizer reads U+00A0 as a name character).

@pytest.mark.parametrize("space", ["\xa0", "\u2003"])
@pytest.mark.parametrize("part", [".share", "div.share", "[data-x~=share]"])
def test_other_white_space_between_attribute_words(part: str, space: str) -> None:
    root = parse_text(f'<html><body><div class="a{space}share" data-x="a{space}share">x'
                      "</div></body></html>")
    check_part(part, root, list(root.iter()))
    chain = chain_of(part)
    assert chain is not None
    check_hits(AttributeIndex.build([(0, chain)]), [selector(part)], root)


@pytest.mark.parametrize("part", [".a \xa0 .b", ".a >\xa0.b", ".a \u2003 .b", "\xa0.b"])
def test_other_white_space_in_a_selector(part: str) -> None:
    root = parse_text("<html><body><div class='a'><p class='b'>x</p></div></body></html>")
    check_part(part, root, list(root.iter()))


@pytest.mark.parametrize("pattern", [r"^(ad)?$", r"(^|[-_])(ad|)([-_]|$)"])
def test_an_empty_id_is_no_token(pattern: str) -> None:
    root = parse_text("<html><body><div id=''>x</div><p id='ad'>y</p></body></html>")
    token = TokenPattern.compile(pattern)
    check_hits(AttributeIndex.build([], [(0, token)]), [token], root)


# --- tokenmatch --------------------------------------------------------------------------

#: Each shape of the subset, with and without exclusions, then patterns outside it.
SHAPES = [
    (r"(^|[-_])(a|b-?c)([-_]|$)", None),
    (r"([-_]|^)(share|sharing|social-?(share|links?))($|[_-])", r"^shared$"),
    (r"^(x|y.*)$", None),
    (r"^(print-?button|email-?(link|this)|heateor_.*|ss-.*)$", r"^ss-keep"),
    (r"^(ad|ads)[-_]", r"^ad[-_]?(dress|min)"),
    (r"(^|[-_])(related|more-?stories)([-_]|$)|^(rel|x.*)$|^(dfp|gpt)[-_]", None),
    (r"(^|[-_])(-?x|y-)([-_]|$)", None),
    (r"^(ad|Ads|ADVERT)$", None),
]
OUTSIDE_SHAPES = [
    (r"^ad\d+$", None),
    (r"soc+ial", None),
    (r"(?<!no-)share(?!d)", None),
    (r"(^|[-_])sh[a-z]re([-_]|$)", None),
    (r"share", r"\d"),
    (r"^(?:ad)$", None),
]
HAND_TOKENS = [TokenPattern.compile(p, x) for p, x in SHAPES + OUTSIDE_SHAPES]
#: Letters where lower-casing and `re.I` part ways, or that are not ASCII at all.
LOOKALIKES = ["İ", "ı", "ſ", "\u212a", "é", "ß", "ﬅ"]


def reference(patterns: list[tuple[int, TokenPattern]], name: str) -> tuple[int, ...]:
    return tuple(i for i, p in patterns if p.matches_name(name))


@cache
def name_matcher(patterns: tuple[tuple[int, TokenPattern], ...]) -> NameMatcher:
    return NameMatcher.build(patterns)


def check_names(patterns: list[tuple[int, TokenPattern]], names: Iterable[str]) -> int:
    """Assert the matcher answers as the patterns do for every name; how many matched."""
    matcher = name_matcher(tuple(patterns))
    matched = 0
    for name in names:
        want = reference(patterns, name)
        assert matcher.matches(name) == want, (name, [p.pattern.pattern for _, p in patterns])
        matched += bool(want)
    return matched


def variants(name: str) -> list[str]:
    return [name, name.upper(), name.title(), name + "\n", "İ" + name, name.replace("s", "ſ"),
            name.replace("k", "\u212a")]


@cache
def bundled_tokens(rulebook: Rulebook) -> tuple[TokenPattern, ...]:
    return tuple(rule.match for f in rulebook.files for rule in f.strips
                 if isinstance(rule.match, TokenPattern))


def test_bundled_patterns_on_the_pages_names(rulebook: Rulebook) -> None:
    patterns = list(enumerate(bundled_tokens(rulebook)))
    assert len(patterns) >= 5
    names = sorted({v for name in page_names() for v in variants(name)})
    assert check_names(patterns, names) > 0


def test_hand_written_patterns_on_the_pages_names() -> None:
    patterns = list(enumerate(HAND_TOKENS))
    names = sorted({v for name in page_names() | {"a", "b-c", "x", "ad-x"} for v in
                    variants(name)})
    assert check_names(patterns, names) > 0


def test_the_shapes_are_matched_by_look_up_and_the_rest_by_regex() -> None:
    matcher = NameMatcher.build(list(enumerate(HAND_TOKENS)))
    assert [i for i, _ in matcher.searched] == list(range(len(SHAPES), len(HAND_TOKENS)))


def words_of(patterns: Iterable[TokenPattern]) -> list[str]:
    return sorted({w for p in patterns for w in re.findall(r"[a-z0-9]+",
                                                           p.pattern.pattern.lower())})


def _name(parts: list[tuple[str, str]], lead: str | None, trail: bool, case: str,
          lookalike: tuple[str, int] | None, newline: bool) -> str:
    name = (lead or "") + "".join(part + sep for part, sep in parts)
    if not trail:
        name = name[:len(name) - len(parts[-1][1])]
    name = {"keep": name, "upper": name.upper(), "title": name.title(),
            "swap": name.swapcase()}[case]
    if lookalike is not None:
        letter, at = lookalike
        at %= len(name) + 1
        name = name[:at] + letter + name[at:]
    return name + ("\n" if newline else "")


SEPARATOR = st.sampled_from(["-", "_", "", "--", "-_"])


def token_names(words: list[str]) -> st.SearchStrategy[str]:
    """Class names or ids: words of the patterns, separators, case changes, non-ASCII
    letters, a trailing newline."""
    part = st.sampled_from([*words, "", "s", "x", "2", "shared"])
    return st.builds(_name, st.lists(st.tuples(part, SEPARATOR), min_size=1, max_size=4),
                     st.none() | SEPARATOR, st.booleans(),
                     st.sampled_from(["keep", "keep", "upper", "title", "swap"]),
                     st.none() | st.none() | st.tuples(st.sampled_from(LOOKALIKES),
                                                       st.integers(0, 40)),
                     st.integers(0, 6).map(lambda n: n == 0))


@cache
def bundled_and_hand_names(rulebook: Rulebook) -> st.SearchStrategy[list[str]]:
    return st.lists(token_names(words_of([*bundled_tokens(rulebook), *HAND_TOKENS])),
                    min_size=1, max_size=12)


@settings(max_examples=EXAMPLES * 3, **SETTINGS)
@given(st.data())
def test_generated_names_bundled_and_hand_written_patterns(rulebook: Rulebook,
                                                           data: st.DataObject) -> None:
    tokens = [*bundled_tokens(rulebook), *HAND_TOKENS]
    matched = check_names(list(enumerate(tokens)), data.draw(bundled_and_hand_names(rulebook)))
    event("some name matched" if matched else "no name matched")


PATTERN_WORDS = ["ad", "ads", "share", "social", "box", "x", "y", "a", "b", "2", "news-letter",
                 "sign_up"]


OPTIONAL = st.sampled_from(["-?", "_?", "s?"])
SEQUENCE = st.lists(st.sampled_from(PATTERN_WORDS) | OPTIONAL, min_size=1, max_size=3).map("".join)
GROUP = st.tuples(st.lists(SEQUENCE, min_size=1, max_size=3), st.sampled_from(["", "?"])).map(
    lambda g: f"({'|'.join(g[0])}){g[1]}")
#: Regex source for a set of words: literals, `-?`, groups of alternatives, `?`.
WORD_REGEX = st.lists(st.sampled_from(PATTERN_WORDS) | OPTIONAL | GROUP, min_size=1,
                      max_size=3).map("".join)
WORD_LIST = st.lists(WORD_REGEX, min_size=1, max_size=3).map("|".join)
RUN = st.tuples(st.sampled_from(["(^|[-_])", "([-_]|^)", "(^|[_-])"]), WORD_LIST,
                st.sampled_from(["([-_]|$)", "($|[-_])", "([_-]|$)"])).map(
    lambda t: f"{t[0]}({t[1]}){t[2]}")
WHOLE = st.tuples(WORD_LIST, st.sampled_from(["", "|x.*"]) | WORD_REGEX.map("|{}.*".format)
                  ).map(lambda t: f"^({t[0]}{t[1]})$")
LEAD = WORD_LIST.map("^({})[-_]".format)
OUTSIDE_TOKENS = st.sampled_from([r"ad\d", r"so+c", r"(?<!-)box", "[xy]2"])
#: One to three branches, each a shape of the subset or something outside it.
TOKEN_REGEX = st.lists(st.one_of(RUN, RUN, WHOLE, LEAD, OUTSIDE_TOKENS), min_size=1,
                       max_size=3).map("|".join)
GENERATED_NAMES = st.lists(token_names(PATTERN_WORDS), min_size=1, max_size=12)


@settings(max_examples=EXAMPLES * 2, **SETTINGS)
@given(st.lists(st.tuples(TOKEN_REGEX, st.sampled_from([None, None, "^(x.*|.*-y)$",
                                                          "shared", "^ad-?free"])),
                min_size=1, max_size=3),
       GENERATED_NAMES)
def test_generated_patterns_on_generated_names(specs: list[tuple[str, str | None]],
                                               names: list[str]) -> None:
    tokens = [TokenPattern.compile(p, x) for p, x in specs]
    matched = check_names(list(enumerate(tokens)), [*names, ""])
    event("some name matched" if matched else "no name matched")


# --- phrase gates (regexwords) -------------------------------------------------------------


def gate(regex: re.Pattern[str]) -> WordFilter | None:
    return WordFilter.of([regex])


def may_match(held: WordFilter | None, text: str) -> bool:
    return held is None or held.may_match(text)


@cache
def phrase_rules(rulebook: Rulebook) -> tuple[PhraseRule, ...]:
    return tuple(p for f in rulebook.files for p in f.phrases if p.regex is not None)


def check_gate(regex: re.Pattern[str], text: str, held: WordFilter | None = None) -> bool:
    """Assert a text the regex fullmatches passes its gate; whether it matched."""
    held = gate(regex) if held is None else held
    if not regex.fullmatch(text.strip()):
        return False
    assert may_match(held, text), (regex.pattern[:80], text, repr(held)[:200])
    return True


@cache
def regex_texts(regex: re.Pattern[str]) -> st.SearchStrategy[str]:
    return st.from_regex(regex, fullmatch=True)


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """The text with case changes, look-alike letters, white space around it and noise."""
    case = draw(st.sampled_from(["keep", "keep", "upper", "lower", "title", "swap"]))
    text = {"keep": text, "upper": text.upper(), "lower": text.lower(), "title": text.title(),
            "swap": text.swapcase()}[case]
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["lookalike", "noise", "space"]))
        at = draw(st.integers(0, len(text)))
        if kind == "lookalike" and text:
            at = min(at, len(text) - 1)
            swap = {"i": "ıİ", "I": "ıİ", "s": "ſ", "S": "ſ", "k": "\u212a", "K": "\u212a"}
            text = text[:at] + draw(st.sampled_from(swap.get(text[at], "ßé"))) + text[at + 1:]
        elif kind == "noise":
            text = text[:at] + draw(st.sampled_from(["x", "2", " ", ".", "é", "—"])) + text[at:]
        else:
            text = draw(st.sampled_from([" ", "\n", "\t ", "\xa0"])) + text + " "
    return text


@pytest.fixture(scope="module")
def phrases(rulebook: Rulebook) -> tuple[PhraseRule, ...]:
    found = phrase_rules(rulebook)
    assert len(found) >= 3 and all(r.gate is not None for r in found)
    return found


@settings(max_examples=EXAMPLES * 2, **SETTINGS)
@given(st.data())
def test_texts_the_phrase_regexes_match_pass_their_gates(phrases: tuple[PhraseRule, ...],
                                                         data: st.DataObject) -> None:
    rule = data.draw(st.sampled_from(phrases), label="rule")
    text = data.draw(regex_texts(rule.regex), label="text")
    event("text matches" if check_gate(rule.regex, text, rule.gate) else "text stripped")
    mutant = check_gate(rule.regex, data.draw(mutated(text), label="mutated"), rule.gate)
    event("mutant matches" if mutant else "mutant doesn't")


def fragments(regex: re.Pattern[str]) -> list[str]:
    """The keywords of a pattern: its runs of letters and spaces."""
    return sorted(set(re.findall(r"[^\W\d_]{2,}(?: [^\W\d_]+)*", regex.pattern)) - {"s"})


@settings(max_examples=EXAMPLES * 2, **SETTINGS)
@given(st.data())
def test_texts_of_their_keywords_pass_the_gates(phrases: tuple[PhraseRule, ...],
                                                data: st.DataObject) -> None:
    rule = data.draw(st.sampled_from(phrases), label="rule")
    words = data.draw(st.lists(st.sampled_from(fragments(rule.regex)), min_size=1, max_size=6))
    seps = data.draw(st.lists(st.sampled_from([" ", " ", ", ", ". ", "", " the "]),
                              min_size=len(words), max_size=len(words)))
    text = "".join(w + s for w, s in zip(words, seps, strict=True))
    found = check_gate(rule.regex, data.draw(mutated(text)), rule.gate)
    event("matches" if found else "doesn't match")


def test_the_pages_short_blocks(phrases: tuple[PhraseRule, ...]) -> None:
    longest = max(rule.max_chars for rule in phrases)
    texts: set[str] = set()
    for path in PAGE_PATHS:
        for el in page(path).iter():
            raw = el.text_content() if isinstance(el.tag, str) else ""
            if raw and len(raw) <= 4 * longest:  # (scripts and styles are not shown)
                texts.update(t for t in (visible_text(el), raw) if len(t) <= longest)
    matched = sum(check_gate(rule.regex, text, rule.gate) for rule in phrases for text in texts)
    rejected = sum(not may_match(rule.gate, text) for rule in phrases for text in texts)
    assert matched > 0 and rejected > len(texts) * len(phrases) // 2


HAND_REGEXES = [
    r"(?i)\W{0,3}(please\s+)?(share|tweet)\s+this\s+(article|story)[.!]?",
    r"(?i).{0,40}\b(subscribe|abonnieren)\b.{0,40}\b(newsletter|kanal)\b.{0,20}",
    r"(?i)(photo|foto)s?\s*(:|by)\s*[^.]{2,30}",
    r"(?i)(straße|skål|kelvin|ǅem)( now)?",
    r"(?i)(?:donate){1,2}\s+(today|now)",
    r"(?i)(?:a|b)(?:cd|ef)+g?h{2,}",
    r"(?i)sign\s*up(?= now)\s*now|join us",
]


@settings(max_examples=EXAMPLES * 2, **SETTINGS)
@given(st.data())
def test_hand_written_regexes_and_their_texts(data: st.DataObject) -> None:
    regex = re.compile(data.draw(st.sampled_from(HAND_REGEXES), label="regex"))
    assert gate(regex) is not None
    text = data.draw(regex_texts(regex), label="text")
    event("text matches" if check_gate(regex, text) else "text stripped")
    mutant = check_gate(regex, data.draw(mutated(text), label="mutated"))
    event("mutant matches" if mutant else "mutant doesn't")


@pytest.mark.parametrize("pattern", [r"a|\w+", r"(?i)share this|.{3,}", r"(?:abc)?",
                                     r"[a-z]+", r"(?=abc)\w+", r"x*|donate",
                                     r"donate"])  # WordFilter reads re.I patterns only
def test_no_gate_when_an_alternative_needs_no_literal(pattern: str) -> None:
    assert gate(re.compile(pattern)) is None


@pytest.mark.parametrize("text", ["σας", "ΣΑΣ", "σασ", "ǅem", "ǄEM", "ǆem"])
def test_look_alike_letters_break_a_gate_word(text: str) -> None:
    assert check_gate(re.compile(r"(?i)σας|ǅem"), text)


UNRELATED = "The council met on Tuesday."


@pytest.mark.parametrize("pattern", [*HAND_REGEXES, r"(?i)\W*(donate|support us)\W*"])
def test_a_hand_written_gate_rejects_an_unrelated_text(pattern: str) -> None:
    held = gate(re.compile(pattern))
    assert held is not None and not may_match(held, UNRELATED)


def test_the_bundled_gates_reject_an_unrelated_text(phrases: tuple[PhraseRule, ...]) -> None:
    assert [r.id for r in phrases if may_match(r.gate, UNRELATED)] == []


@pytest.mark.parametrize("text", ["istanbul", "ISTANBUL", "Istanbul"])
def test_a_capital_dotted_i_in_a_pattern(text: str) -> None:
    assert check_gate(re.compile(r"(?i)İstanbul"), text)
