"""Load, validate and freeze the rule files in `rules/`; pick the rules for one page.

Layout of a rules folder (see `rules/README.md` for every key):

```
allowlist.toml        what the sanitiser keeps (tags, attributes, URL schemes)
attribution.toml      credit phrases and wire agencies that name an original source
boilerplate/*.toml    generic [[strip]] / [[phrase]] / [[allow]] rules for every page
sites/*.toml          per-site rules: `hosts`, `content`, extra strips, [[example]]s
```

A user folder given with `--rules DIR` is laid over the bundled one: a file with the
same relative path replaces the bundled file, other files add to it.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from sanitizer.errors import RuleError
from sanitizer.selectors import Selector, SelectorSyntaxError, TokenPattern
from sanitizer.text import fold

ACTIONS = frozenset({"drop", "unwrap"})
SCOPES = frozenset({"node", "node_and_following", "text_only"})
STRIP_KEYS = frozenset({"id", "css", "xpath", "tokens", "exclude", "text", "max_chars",
                        "action", "why"})  # fmt: skip
PHRASE_KEYS = frozenset({"id", "match", "regex", "scope", "max_chars", "why"})
ALLOW_KEYS = frozenset({"id", "css", "xpath", "why"})
EXAMPLE_KEYS = frozenset({"sample", "url", "keeps", "drops", "source", "publisher"})
FILE_KEYS = frozenset({"description", "hosts", "content", "strip", "phrase", "allow", "example"})

Matcher = Selector | TokenPattern


@dataclass(frozen=True, slots=True)
class StripRule:
    """Remove elements: by selector or class/id tokens, optionally only when their text matches."""

    id: str
    match: Matcher
    text: re.Pattern[str] | None = None
    max_chars: int | None = None
    action: str = "drop"
    why: str = ""


@dataclass(frozen=True, slots=True)
class PhraseRule:
    """Remove short blocks whose whole text is a known share-bait phrase."""

    id: str
    literals: frozenset[str] = frozenset()
    regex: re.Pattern[str] | None = None
    scope: str = "node"
    max_chars: int = 120
    why: str = ""

    def matches(self, text: str) -> bool:
        """True when `text` (a whole block) is this phrase."""
        if len(text) > self.max_chars:
            return False
        folded = _phrase_key(text)
        if folded in self.literals:
            return True
        return bool(self.regex and self.regex.fullmatch(text.strip()))


@dataclass(frozen=True, slots=True)
class AllowRule:
    """Elements no strip rule may remove."""

    id: str
    match: Selector


@dataclass(frozen=True, slots=True)
class Example:
    """A rule file's own test case: a sample page and what cleaning it must give."""

    sample: str
    url: str | None = None
    keeps: tuple[str, ...] = ()
    drops: tuple[str, ...] = ()
    source: str | None = None
    publisher: str | None = None


@dataclass(frozen=True, slots=True)
class RuleFile:
    """One parsed TOML file."""

    path: str
    hosts: tuple[str, ...] = ()
    content: tuple[Selector, ...] = ()
    strips: tuple[StripRule, ...] = ()
    phrases: tuple[PhraseRule, ...] = ()
    allows: tuple[AllowRule, ...] = ()
    examples: tuple[Example, ...] = ()

    @property
    def is_site(self) -> bool:
        return bool(self.hosts)

    def applies_to(self, host: str) -> bool:
        """True when this site file's `hosts` cover `host` (exact, or `.domain` suffix)."""
        return any(_host_matches(pattern, host) for pattern in self.hosts)


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The rules chosen for one page, most specific first."""

    names: tuple[str, ...] = ()
    content: tuple[Selector, ...] = ()
    strips: tuple[StripRule, ...] = ()
    phrases: tuple[PhraseRule, ...] = ()
    allows: tuple[AllowRule, ...] = ()

    def allowed(self, root: HtmlElement) -> frozenset[HtmlElement]:
        """Elements (and their ancestors' subtrees) protected by [[allow]] rules."""
        return frozenset(el for rule in self.allows for el in rule.match(root))


@dataclass(frozen=True, slots=True, eq=False)  # eq=False: hashed by identity, for caches
class Rulebook:
    """Every rule file of a rules folder, validated and compiled.

    Load once with `load_rules()` and share it: it is immutable.
    """

    root: str
    files: tuple[RuleFile, ...] = ()
    attribution: Mapping[str, Any] = field(default_factory=dict)
    allowlist: Mapping[str, Any] = field(default_factory=dict)
    allowlist_path: str = "allowlist.toml"

    def select(self, url: str | None) -> RuleSet:
        """The rules for a page at `url`: its site files first, then the generic ones."""
        host = (urlsplit(url).hostname or "") if url else ""
        chosen = [f for f in self.files if f.is_site and host and f.applies_to(host)]
        chosen += [f for f in self.files if not f.is_site]
        return RuleSet(
            names=tuple(f.path for f in chosen),
            content=tuple(sel for f in chosen for sel in f.content),
            strips=tuple(rule for f in chosen for rule in f.strips),
            phrases=tuple(rule for f in chosen for rule in f.phrases),
            allows=tuple(rule for f in chosen for rule in f.allows),
        )

    @property
    def examples(self) -> list[tuple[RuleFile, Example]]:
        return [(f, ex) for f in self.files for ex in f.examples]


def bundled_rules_dir() -> Path:
    """The rules shipped with the package (in a wheel) or beside it (in a checkout)."""
    here = Path(__file__).resolve().parent
    inside = here / "rules"
    return inside if inside.is_dir() else here.parent / "rules"


def load_rules(*extra: str | Path, bundled: bool = True) -> Rulebook:
    """Load the bundled rules, overlaid with each folder in `extra`, in order.

    Raises:
        RuleError: a file that is not valid TOML or breaks the format, naming it.
    """
    return _load(tuple(str(Path(p).resolve()) for p in extra), bundled)


@cache
def _load(extra: tuple[str, ...], bundled: bool) -> Rulebook:
    folders = ([bundled_rules_dir()] if bundled else []) + [Path(p) for p in extra]
    sources: dict[str, Path] = {}
    for folder in folders:
        if not folder.is_dir():
            raise RuleError("no such rules folder", path=str(folder))
        for path in sorted(folder.rglob("*.toml")):
            sources[path.relative_to(folder).as_posix()] = path
    special: dict[str, dict[str, Any]] = {"attribution.toml": {}, "allowlist.toml": {}}
    files: list[RuleFile] = []
    for rel, path in sorted(sources.items()):
        data = _read_toml(path)
        if rel in special:
            special[rel] = data
        else:
            files.append(_parse_file(str(path), data))
    _check_unique_ids(files)
    root = str(folders[-1]) if folders else ""
    allowlist_path = str(sources.get("allowlist.toml", "allowlist.toml"))
    return Rulebook(root, tuple(files), special["attribution.toml"], special["allowlist.toml"],
                    allowlist_path)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as err:
        raise RuleError(f"not valid TOML: {err}", path=str(path)) from err
    except OSError as err:
        raise RuleError(f"can't read: {err.strerror}", path=str(path)) from err


def _parse_file(path: str, data: Mapping[str, Any]) -> RuleFile:
    _check_keys(data, FILE_KEYS, path, None)
    hosts = _strings(data.get("hosts", []), path, None, "hosts")
    content = tuple(_selector(expr, path, None) for expr in _strings(data.get("content", []),
                                                                      path, None, "content"))
    return RuleFile(
        path=path,
        hosts=hosts,
        content=content,
        strips=tuple(_strip_rule(t, path) for t in _tables(data, "strip", path)),
        phrases=tuple(_phrase_rule(t, path) for t in _tables(data, "phrase", path)),
        allows=tuple(_allow_rule(t, path) for t in _tables(data, "allow", path)),
        examples=tuple(_example(t, path) for t in _tables(data, "example", path)),
    )


def _strip_rule(t: Mapping[str, Any], path: str) -> StripRule:
    rule_id = _rule_id(t, path)
    _check_keys(t, STRIP_KEYS, path, rule_id)
    action = t.get("action", "drop")
    if action not in ACTIONS:
        raise RuleError(f"action must be one of {sorted(ACTIONS)}", path=path, rule_id=rule_id)
    return StripRule(
        id=rule_id,
        match=_matcher(t, path, rule_id),
        text=_regex(t.get("text"), path, rule_id),
        max_chars=_int(t.get("max_chars"), path, rule_id),
        action=action,
        why=str(t.get("why", "")),
    )


def _phrase_rule(t: Mapping[str, Any], path: str) -> PhraseRule:
    rule_id = _rule_id(t, path)
    _check_keys(t, PHRASE_KEYS, path, rule_id)
    scope = t.get("scope", "node")
    if scope not in SCOPES:
        raise RuleError(f"scope must be one of {sorted(SCOPES)}", path=path, rule_id=rule_id)
    literals = frozenset(_phrase_key(s) for s in _strings(t.get("match", []), path, rule_id,
                                                           "match"))
    regex = _regex(t.get("regex"), path, rule_id)
    if not literals and regex is None:
        raise RuleError("a [[phrase]] needs `match` or `regex`", path=path, rule_id=rule_id)
    return PhraseRule(rule_id, literals, regex, scope,
                      _int(t.get("max_chars"), path, rule_id) or 120, str(t.get("why", "")))


def _allow_rule(t: Mapping[str, Any], path: str) -> AllowRule:
    rule_id = _rule_id(t, path)
    _check_keys(t, ALLOW_KEYS, path, rule_id)
    match = _matcher(t, path, rule_id)
    if not isinstance(match, Selector):
        raise RuleError("an [[allow]] needs `css` or `xpath`", path=path, rule_id=rule_id)
    return AllowRule(rule_id, match)


def _example(t: Mapping[str, Any], path: str) -> Example:
    _check_keys(t, EXAMPLE_KEYS, path, "example")
    if not isinstance(t.get("sample"), str):
        raise RuleError("an [[example]] needs `sample`", path=path, rule_id="example")
    return Example(
        sample=t["sample"],
        url=t.get("url"),
        keeps=_strings(t.get("keeps", []), path, "example", "keeps"),
        drops=_strings(t.get("drops", []), path, "example", "drops"),
        source=t.get("source"),
        publisher=t.get("publisher"),
    )


def _matcher(t: Mapping[str, Any], path: str, rule_id: str) -> Matcher:
    given = [k for k in ("css", "xpath", "tokens") if k in t]
    if len(given) != 1:
        raise RuleError("needs exactly one of `css`, `xpath`, `tokens`", path=path,
                        rule_id=rule_id)
    key = given[0]
    try:
        if key == "tokens":
            return TokenPattern.compile(str(t["tokens"]), t.get("exclude"))
        return Selector.css(str(t[key])) if key == "css" else Selector.xpath(str(t[key]))
    except SelectorSyntaxError as err:
        raise RuleError(str(err), path=path, rule_id=rule_id) from err


def _selector(expr: str, path: str, rule_id: str | None) -> Selector:
    try:
        if expr.startswith(("/", "(", "./")):
            return Selector.xpath(expr)
        return Selector.css(expr)
    except SelectorSyntaxError as err:
        raise RuleError(str(err), path=path, rule_id=rule_id) from err


def _regex(pattern: object, path: str, rule_id: str) -> re.Pattern[str] | None:
    if pattern is None:
        return None
    try:
        return re.compile(str(pattern), re.I)
    except re.error as err:
        raise RuleError(f"bad regex {pattern!r}: {err}", path=path, rule_id=rule_id) from err


def _rule_id(t: Mapping[str, Any], path: str) -> str:
    rule_id = t.get("id")
    if not isinstance(rule_id, str) or not rule_id:
        raise RuleError(f"a rule has no `id` (keys: {sorted(t)})", path=path)
    return rule_id


def _check_keys(t: Mapping[str, Any], allowed: frozenset[str], path: str,
                rule_id: str | None) -> None:
    unknown = sorted(set(t) - allowed)
    if unknown:
        raise RuleError(f"unknown key(s) {', '.join(unknown)}; "
                        f"allowed: {', '.join(sorted(allowed))}", path=path, rule_id=rule_id)


def _tables(data: Mapping[str, Any], key: str, path: str) -> list[Mapping[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise RuleError(f"`{key}` must be an array of tables ([[{key}]])", path=path)
    return value


def _strings(value: object, path: str, rule_id: str | None, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise RuleError(f"`{key}` must be a string or a list of strings", path=path,
                        rule_id=rule_id)
    return tuple(value)


def _int(value: object, path: str, rule_id: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or value < 0:
        raise RuleError("max_chars must be a whole number >= 0", path=path, rule_id=rule_id)
    return value


def _check_unique_ids(files: Iterable[RuleFile]) -> None:
    seen: dict[str, str] = {}
    for f in files:
        rules: list[StripRule | PhraseRule | AllowRule] = [*f.strips, *f.phrases, *f.allows]
        for rule in rules:
            if rule.id in seen:
                raise RuleError(f"duplicate rule id (also in {seen[rule.id]})", path=f.path,
                                rule_id=rule.id)
            seen[rule.id] = f.path


def _host_matches(pattern: str, host: str) -> bool:
    pattern = pattern.lower().removeprefix("*")
    host = host.lower()
    if pattern.startswith("."):
        return host == pattern[1:] or host.endswith(pattern)
    return host == pattern or host == "www." + pattern


_PUNCT_EDGES = re.compile(r"^[\W_]+|[\W_]+$")


def _phrase_key(text: str) -> str:
    """How a block's text is compared with a literal phrase: folded, edges trimmed."""
    return _PUNCT_EDGES.sub("", fold(text))
