"""Convert FiveFilters ftr-site-config files (`example.com.txt`) into rule data.

The format (https://help.fivefilters.org/full-text-rss/site-patterns.html) is one
`directive: value` per line, `#` comments, XPath selectors. Each directive becomes:

| ftr-site-config | rule file |
|---|---|
| body, title, author, date | `content`, `title`, `author`, `date` |
| strip, strip_id_or_class, strip_image_src | `[[strip]]` with an `xpath` |
| dissolve, strip_attr, src_lazy_load_attr | `[[transform]]` unwrap / drop_attributes / attributes |
| find_string + replace_string, replace_string(find) | `[[replace]]` |
| single_page_link, next_page_link | `single_page_link`, `next_page_link` |
| test_url (+ test_contains) | a live `[[example]]` (`url`, `keeps`) |
| prune: yes / no | `prune = true / false` (whether extraction cleans inside the body) |
| tidy, parser, autodetect_on_failure: yes | nothing to do here: noted as "no effect" |

Everything else (logins, HTTP headers, wrap_in, ...) and any value that does not
compile is listed as unsupported with its file and line: nothing is dropped silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from sanitizer.errors import RuleError

SELECTOR_KEYS = {"body": "content", "title": "title", "author": "author", "date": "date",
                 "single_page_link": "single_page_link", "next_page_link": "next_page_link"}
NO_EFFECT = {
    "tidy": "the page is parsed by lxml, which repairs markup itself",
    "parser": "pages are always parsed by lxml",
    "autodetect_on_failure": "extraction always falls back to its heuristics",
}
UNSUPPORTED = {
    "http_header": "custom request headers are not sent",
    "requires_login": "logging in is not supported (paywalls are a non-goal)",
    "not_logged_in_xpath": "logging in is not supported (paywalls are a non-goal)",
    "wrap_in": "no transform wraps elements",
    "move_into": "no transform moves elements",
    "insert_detected_image": "the lead image is not inserted",
    "convert_double_br_tags": "double <br> are not turned into paragraphs",
    "native_ad_clue": "pages are not classified as ads",
    "if_page_contains": "conditional single/next page links are not supported",
    "skip_json_ld": "JSON-LD is always read for metadata",
    "strip_comments": "HTML comments never reach the output anyway",
    "footnotes": "footnotes are not handled",
    "skip_id_or_class": "not supported",
    "autodetect_next_page": "multi-page articles are not followed",
    "single_page_link_in_feed": "feeds are not read",
}
_LINE = re.compile(r"^(?P<key>[A-Za-z_]+)(?:\((?P<arg>.*)\))?\s*:\s?(?P<value>.*)$")


@dataclass(frozen=True, slots=True)
class Note:
    """One directive that was not converted (or had no effect), by file and line."""

    path: str
    line: int
    directive: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.directive}: {self.reason}"


@dataclass
class Converted:
    """The rule data of one ftr-site-config file and what could not be expressed."""

    data: dict[str, Any]
    directives: int = 0
    no_effect: list[Note] = field(default_factory=list)
    unsupported: list[Note] = field(default_factory=list)

    @property
    def converted(self) -> int:
        """Directives carried over, counting those with no effect here."""
        return self.directives - len(self.unsupported)


def hosts_for(path: Path) -> list[str]:
    """`example.com.txt` -> example.com (and www.); `.example.com.txt` -> its subdomains."""
    return [path.name.removesuffix(".txt")]


def convert_file(path: Path) -> Converted:
    """Read and convert one file.

    Raises:
        RuleError: the file can't be read or is not UTF-8 text.
    """
    return convert_text(read_source(path), path)


def read_source(path: Path) -> str:
    """The text of a community rule file (ftr-site-config, a filter list).

    Raises:
        RuleError: the file can't be read or is not UTF-8 text.
    """
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as err:
        raise RuleError(f"can't read: {err.strerror}", path=str(path)) from err
    except UnicodeDecodeError as err:
        raise RuleError(f"not UTF-8 text (byte {err.start})", path=str(path)) from err


def convert_text(text: str, path: Path) -> Converted:
    """Convert the text of an ftr-site-config file named `path`."""
    stem = path.name.removesuffix(".txt")
    out = Converted({"description": f"Imported from ftr-site-config {path.name}",
                     "imported_from": f"ftr-site-config/{path.name}", "hosts": hosts_for(path)})
    state = _State(str(path), "ftr." + (stem[1:] + ".sub" if stem.startswith(".") else stem))
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", "//")):
            continue
        out.directives += 1
        m = _LINE.match(line)
        if m is None:
            out.unsupported.append(Note(str(path), number, line[:40], "not a directive line"))
            continue
        _convert(m["key"].lower(), m["arg"], m["value"].strip(), number, state, out)
    _finish(state, out)
    return out


@dataclass
class _State:
    path: str
    prefix: str
    finds: list[tuple[int, str]] = field(default_factory=list)
    replaces: list[tuple[int, str]] = field(default_factory=list)


def _convert(key: str, arg: str | None, value: str, line: int, state: _State,
             out: Converted) -> None:
    def note(reason: str) -> None:
        out.unsupported.append(Note(state.path, line, key, reason))

    rule_id = f"{state.prefix}.L{line}"
    if key in SELECTOR_KEYS or key in ("strip", "dissolve"):
        problem = _xpath_problem(value)
        if problem:
            return note(problem)
        if key == "strip":
            _add(out, "strip", {"id": rule_id, "xpath": value})
        elif key == "dissolve":
            _add(out, "transform", {"id": rule_id, "xpath": value, "unwrap": True})
        else:
            out.data.setdefault(SELECTOR_KEYS[key], []).append(value)
    elif key in ("strip_id_or_class", "strip_image_src"):
        xpath = _contains_xpath(key, value.strip("'\""))
        if xpath is None:
            return note("a value holding both kinds of quote can't be written as XPath")
        _add(out, "strip", {"id": rule_id, "xpath": xpath})
    elif key == "strip_attr":
        m = re.fullmatch(r"(.+)/@([\w:-]+)", value)
        if m is None or "|" in value or _xpath_problem(m[1]):
            return note("only `PATH/@attribute` is supported")
        _add(out, "transform", {"id": rule_id, "xpath": m[1], "drop_attributes": [m[2]]})
    elif key == "src_lazy_load_attr":
        if not re.fullmatch(r"[\w:-]+", value):
            return note("not an attribute name")
        _add(out, "transform", {"id": rule_id, "xpath": f"//img[@{value}]",
                                "attributes": {value: "src"}})
    elif key in ("find_string", "replace_string") and arg is None:
        (state.finds if key == "find_string" else state.replaces).append((line, value))
    elif key == "replace_string":
        if not arg:
            return note("an empty string to find")
        _add(out, "replace", {"id": rule_id, "find": arg, "replace": value})
    elif key == "prune" and value.lower() in ("yes", "no", "true", "false"):
        out.data["prune"] = value.lower() in ("yes", "true")
    elif key in ("test_url", "test_contains"):
        _example(key, value, note, out)
    elif key in NO_EFFECT and not (key == "autodetect_on_failure" and value == "no"):
        out.no_effect.append(Note(state.path, line, key, NO_EFFECT[key]))
    elif key.startswith("login_") or key in UNSUPPORTED:
        note(UNSUPPORTED.get(key, "logging in is not supported (paywalls are a non-goal)"))
    else:
        note("unknown directive" if key not in NO_EFFECT else "only `yes` is supported")
    return None


def _example(key: str, value: str, note: Callable[[str], None], out: Converted) -> None:
    examples = out.data.setdefault("example", [])
    if key == "test_url":
        examples.append({"url": value})
    elif not examples:
        note("test_contains before any test_url")
    else:
        examples[-1].setdefault("keeps", []).append(value)


def _finish(state: _State, out: Converted) -> None:
    """Pair the n-th find_string with the n-th replace_string."""
    for n, (line, find) in enumerate(state.finds):
        if n >= len(state.replaces) or not find:
            out.unsupported.append(Note(state.path, line, "find_string",
                                        "no replace_string to pair with" if find else "empty"))
            continue
        _add(out, "replace", {"id": f"{state.prefix}.L{line}", "find": find,
                              "replace": state.replaces[n][1]})
    for line, _ in state.replaces[len(state.finds):]:
        out.unsupported.append(Note(state.path, line, "replace_string",
                                    "no find_string to pair with"))


def _add(out: Converted, key: str, table: dict[str, Any]) -> None:
    out.data.setdefault(key, []).append(table)


def _contains_xpath(key: str, value: str) -> str | None:
    quote = "'" if "'" not in value else '"'
    if quote in value:
        return None
    literal = f"{quote}{value}{quote}"
    if key == "strip_image_src":
        return f"//img[contains(@src, {literal})]"
    return f"//*[contains(@class, {literal}) or contains(@id, {literal})]"


def _xpath_problem(expr: str) -> str:
    """Why `expr` is not a usable XPath, or ''."""
    if not expr:
        return "an empty value"
    try:
        etree.XPath(expr)
    except etree.XPathSyntaxError as err:
        return f"invalid XPath: {err}"
    return ""
