"""Validate one rule file's TOML data and compile it into a `RuleFile` (rules/README.md).

Every error is a `RuleError` naming the file and, when there is one, the rule id.
`translations` is a CSS -> XPath map the caller may keep between runs (rulecache.py):
translating CSS is the slow part of compiling, so a warm cache skips it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, MutableMapping
from typing import Any

from sanitizer.errors import RuleError
from sanitizer.ruletypes import (
    AllowRule,
    Example,
    Matcher,
    PhraseRule,
    Replace,
    RuleFile,
    StripRule,
    Tier,
    Transform,
    phrase_key,
)  # fmt: skip
from sanitizer.saferegex import UnsafeRegex, compile_safe
from sanitizer.selectors import Selector, SelectorSyntaxError, TokenPattern, is_xpath

ACTIONS = frozenset({"drop", "unwrap"})
SCOPES = frozenset({"node", "node_and_following", "text_only"})
STRIP_KEYS = frozenset({"id", "css", "xpath", "tokens", "exclude", "text", "max_chars",
                        "action", "why", "hosts", "not_hosts"})  # fmt: skip
PHRASE_KEYS = frozenset({"id", "match", "regex", "scope", "max_chars", "why"})
ALLOW_KEYS = frozenset({"id", "css", "xpath", "why"})
TRANSFORM_KEYS = frozenset({"id", "css", "xpath", "unwrap", "rename", "attributes",
                            "drop_attributes", "why"})  # fmt: skip
REPLACE_KEYS = frozenset({"id", "find", "replace", "why"})
EXAMPLE_KEYS = frozenset({"sample", "url", "keeps", "drops", "source", "publisher"})
ATTRIBUTION_KEYS = frozenset({"source"})
FILE_KEYS = frozenset({
    "description", "hosts", "urls", "fingerprint", "content", "title", "author", "date",
    "strip", "phrase", "allow", "transform", "replace", "attribution", "example",
    "single_page_link", "next_page_link", "disable", "imported_from", "prune",
})  # fmt: skip
_TAG = re.compile(r"^[a-z][a-z0-9]*$")
Translations = MutableMapping[str, str]


def parse_rule_file(path: str, data: Mapping[str, Any], tier: Tier,
                    translations: Translations | None = None) -> RuleFile:
    """A compiled RuleFile from the TOML data of `path`.

    Raises:
        RuleError: unknown keys, wrong types, selectors or regexes that don't compile.
    """
    cache: Translations = {} if translations is None else translations
    _check_keys(data, FILE_KEYS, path, None)
    def sel(key: str) -> tuple[Selector, ...]:
        return _selectors(data, key, path, cache)

    attribution = data.get("attribution", {})
    if not isinstance(attribution, dict):
        raise RuleError("`attribution` must be a table", path=path)
    _check_keys(attribution, ATTRIBUTION_KEYS, path, "attribution")
    if not isinstance(data.get("imported_from", ""), str):
        raise RuleError("`imported_from` must be a string", path=path)
    if not isinstance(data.get("prune", True), bool):
        raise RuleError("`prune` must be true or false", path=path)
    return RuleFile(
        path=path, tier=tier,
        hosts=strings(data.get("hosts", []), path, None, "hosts"),
        urls=tuple(_regex(p, path, "urls") for p in strings(data.get("urls", []), path, None,
                                                            "urls")),
        fingerprint=sel("fingerprint"), content=sel("content"), title=sel("title"),
        author=sel("author"), date=sel("date"),
        strips=tuple(_strip_rule(t, path, cache) for t in _tables(data, "strip", path)),
        phrases=tuple(_phrase_rule(t, path) for t in _tables(data, "phrase", path)),
        allows=tuple(_allow_rule(t, path, cache) for t in _tables(data, "allow", path)),
        transforms=tuple(_transform(t, path, cache) for t in _tables(data, "transform", path)),
        replaces=tuple(_replace(t, path) for t in _tables(data, "replace", path)),
        source_links=_selectors(attribution, "source", path, cache),
        examples=tuple(_example(t, path) for t in _tables(data, "example", path)),
        page_links=tuple((key, s) for key in ("single_page_link", "next_page_link")
                         for s in sel(key)),
        disable=frozenset(strings(data.get("disable", []), path, None, "disable")),
        imported=isinstance(data.get("imported_from"), str),
        prune=data.get("prune"),
    )  # fmt: skip


def _strip_rule(t: Mapping[str, Any], path: str, cache: Translations) -> StripRule:
    rule_id = rule_id_of(t, path)
    _check_keys(t, STRIP_KEYS, path, rule_id)
    action = t.get("action", "drop")
    if action not in ACTIONS:
        raise RuleError(f"action must be one of {sorted(ACTIONS)}", path=path, rule_id=rule_id)
    text = t.get("text")
    return StripRule(
        id=rule_id,
        match=_matcher(t, path, rule_id, cache),
        text=None if text is None else _regex(text, path, rule_id),
        max_chars=_int(t.get("max_chars"), path, rule_id),
        action=action,
        why=str(t.get("why", "")),
        hosts=strings(t.get("hosts", []), path, rule_id, "hosts"),
        not_hosts=strings(t.get("not_hosts", []), path, rule_id, "not_hosts"),
    )


def _phrase_rule(t: Mapping[str, Any], path: str) -> PhraseRule:
    rule_id = rule_id_of(t, path)
    _check_keys(t, PHRASE_KEYS, path, rule_id)
    scope = t.get("scope", "node")
    if scope not in SCOPES:
        raise RuleError(f"scope must be one of {sorted(SCOPES)}", path=path, rule_id=rule_id)
    literals = frozenset(phrase_key(s) for s in strings(t.get("match", []), path, rule_id,
                                                         "match"))
    regex = None if t.get("regex") is None else _regex(t["regex"], path, rule_id)
    if not literals and regex is None:
        raise RuleError("a [[phrase]] needs `match` or `regex`", path=path, rule_id=rule_id)
    return PhraseRule(rule_id, literals, regex, scope,
                      _int(t.get("max_chars"), path, rule_id) or 120, str(t.get("why", "")))


def _allow_rule(t: Mapping[str, Any], path: str, cache: Translations) -> AllowRule:
    rule_id = rule_id_of(t, path)
    _check_keys(t, ALLOW_KEYS, path, rule_id)
    match = _matcher(t, path, rule_id, cache)
    if not isinstance(match, Selector):
        raise RuleError("an [[allow]] needs `css` or `xpath`", path=path, rule_id=rule_id)
    return AllowRule(rule_id, match)


def _transform(t: Mapping[str, Any], path: str, cache: Translations) -> Transform:
    rule_id = rule_id_of(t, path)
    _check_keys(t, TRANSFORM_KEYS, path, rule_id)
    match = _matcher(t, path, rule_id, cache)
    actions = [k for k in ("unwrap", "rename", "attributes", "drop_attributes") if k in t]
    if len(actions) != 1 or not isinstance(match, Selector):
        raise RuleError("a [[transform]] needs `css` or `xpath` and exactly one of `unwrap`, "
                        "`rename`, `attributes`, `drop_attributes`", path=path, rule_id=rule_id)
    rename = t.get("rename")
    if rename is not None and (not isinstance(rename, str) or not _TAG.match(rename)):
        raise RuleError(f"rename must be a tag name, not {rename!r}", path=path, rule_id=rule_id)
    attributes = t.get("attributes", {})
    if not isinstance(attributes, dict) or not all(isinstance(v, str)
                                                   for v in attributes.values()):
        raise RuleError("attributes must be a table of attribute = attribute", path=path,
                        rule_id=rule_id)
    return Transform(rule_id, match, unwrap=t.get("unwrap") is True, rename=rename,
                     attributes=tuple(attributes.items()),
                     drop_attributes=strings(t.get("drop_attributes", []), path, rule_id,
                                             "drop_attributes"))


def _replace(t: Mapping[str, Any], path: str) -> Replace:
    rule_id = rule_id_of(t, path)
    _check_keys(t, REPLACE_KEYS, path, rule_id)
    find, replace = t.get("find"), t.get("replace", "")
    if not isinstance(find, str) or not find or not isinstance(replace, str):
        raise RuleError("a [[replace]] needs a non-empty `find` string and a `replace` string",
                        path=path, rule_id=rule_id)
    return Replace(rule_id, find, replace)


def _example(t: Mapping[str, Any], path: str) -> Example:
    _check_keys(t, EXAMPLE_KEYS, path, "example")
    sample, url = t.get("sample"), t.get("url")
    if not isinstance(sample, str) and not isinstance(url, str):
        raise RuleError("an [[example]] needs `sample` (or `url` for a live page)", path=path,
                        rule_id="example")
    return Example(
        sample=sample if isinstance(sample, str) else None,
        url=url if isinstance(url, str) else None,
        keeps=strings(t.get("keeps", []), path, "example", "keeps"),
        drops=strings(t.get("drops", []), path, "example", "drops"),
        source=t.get("source"),
        publisher=t.get("publisher"),
    )


def _matcher(t: Mapping[str, Any], path: str, rule_id: str, cache: Translations) -> Matcher:
    given = [k for k in ("css", "xpath", "tokens") if k in t]
    if len(given) != 1:
        raise RuleError("needs exactly one of `css`, `xpath`, `tokens`", path=path,
                        rule_id=rule_id)
    key, expr = given[0], t[given[0]]
    if not isinstance(expr, str) or not expr.strip():
        raise RuleError(f"`{key}` must be a non-empty string", path=path, rule_id=rule_id)
    try:
        if key == "tokens":
            exclude = t.get("exclude")
            for pattern in (expr, exclude):
                if pattern is not None:
                    compile_safe(str(pattern))
            return TokenPattern.compile(expr, None if exclude is None else str(exclude))
        return Selector.xpath(expr) if key == "xpath" else _css(expr, cache)
    except (SelectorSyntaxError, UnsafeRegex) as err:
        raise RuleError(str(err), path=path, rule_id=rule_id) from err


def _css(expr: str, cache: Translations) -> Selector:
    selector = Selector.css(expr, cache.get(expr))
    cache[expr] = selector.xpath_source
    return selector


def _selectors(data: Mapping[str, Any], key: str, path: str,
               cache: Translations) -> tuple[Selector, ...]:
    """A file-level selector key: CSS, or XPath when it starts like a path or is no CSS."""
    found = []
    for expr in strings(data.get(key, []), path, None, key):
        try:
            found.append(Selector.xpath(expr) if is_xpath(expr) else _css(expr, cache))
        except SelectorSyntaxError as err:
            try:  # neither a path nor CSS: an XPath such as `"Name"` or `h1[@class='t']`
                found.append(Selector.xpath(expr))
            except SelectorSyntaxError:
                raise RuleError(f"`{key}`: {err} (and not XPath either)", path=path) from err
    return tuple(found)


def _regex(pattern: object, path: str, rule_id: str) -> re.Pattern[str]:
    try:
        return compile_safe(str(pattern))
    except UnsafeRegex as err:
        raise RuleError(str(err), path=path, rule_id=rule_id) from err


def rule_id_of(t: Mapping[str, Any], path: str) -> str:
    """The table's `id`, or a RuleError listing the keys it has."""
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


def strings(value: object, path: str, rule_id: str | None, key: str) -> tuple[str, ...]:
    """A string or list of strings as a tuple, or a RuleError."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise RuleError(f"`{key}` must be a string or a list of strings", path=path,
                        rule_id=rule_id)
    return tuple(value)


def _int(value: object, path: str, rule_id: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise RuleError("max_chars must be a whole number >= 0", path=path, rule_id=rule_id)
    return value
