"""Load, validate and freeze the rule files in `rules/`; pick the rules for one page.

Layout of a rules folder (see `rules/README.md` for every key):

```
allowlist.toml        what the sanitiser keeps (tags, attributes, URL schemes)
attribution.toml      credit phrases and wire agencies that name an original source
boilerplate/*.toml    generic [[strip]] / [[phrase]] / [[allow]] rules for every page
sites/*.toml          per-site rules: `hosts`, `content`, extra strips, [[example]]s
```

A user folder given with `--rules DIR` is laid over the bundled one: a file with the
same relative path replaces the bundled file, other files add to it. A folder of
ftr-site-config `*.txt` files (or one such file) can be given directly: it is converted
on load (sanitizer/ftr.py).

Precedence, first wins: user rules (`--rules` folders) > site rules (hand-written,
then imported) > CMS fingerprints > generic > imported generic (see `TIERS`).

Loading is cheap however many site files there are: each file's parsed data is cached
on disk keyed on its mtime and size (rulecache.py), and a site file is compiled only
when a page of its host is cleaned.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sanitizer.errors import RuleError
from sanitizer.rulecache import RuleCache
from sanitizer.ruleformat import parse_rule_file, strings
from sanitizer.ruleset import RuleSet
from sanitizer.ruletypes import (
    TIERS,
    AllowRule,
    Example,
    PhraseRule,
    RuleFile,
    StripRule,
    Tier,
    phrase_key,
)  # fmt: skip
from sanitizer.stripplan import HostIndex, StripPlan

__all__ = ["AllowRule", "Example", "PhraseRule", "RuleFile", "RuleSet", "Rulebook",
           "StripRule", "bundled_rules_dir", "load_rules", "phrase_key"]
SPECIAL = ("attribution.toml", "allowlist.toml")


@dataclass(frozen=True, slots=True)
class Entry:
    """One rule file as loaded: parsed data, not yet compiled (a site file compiles late)."""

    path: str
    tier: Tier
    rank: tuple[int, int, int, str]
    data: Mapping[str, Any]
    translations: dict[str, str]
    notes: tuple[str, ...] = ()

    @property
    def hosts(self) -> tuple[str, ...]:
        return strings(self.data.get("hosts", []), self.path, None, "hosts")

    @property
    def host_only(self) -> bool:
        """A site file matched by its hosts alone (found through the host index)."""
        return bool(self.data.get("hosts")) and not self.data.get("urls")


@dataclass(frozen=True, slots=True, eq=False)  # eq=False: hashed by identity, for caches
class Rulebook:
    """Every rule file of a rules folder, validated, compiled on demand.

    Load once with `load_rules()` and share it: it behaves as immutable (its only
    state is a cache of compiled files).
    """

    root: str
    entries: tuple[Entry, ...] = ()
    attribution: Mapping[str, Any] = field(default_factory=dict)
    allowlist: Mapping[str, Any] = field(default_factory=dict)
    allowlist_path: str = "allowlist.toml"
    by_domain: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    always: tuple[int, ...] = ()
    extra: tuple[str, ...] = ()  # the folders laid over the bundled rules, as given
    bundled: bool = True
    _compiled: dict[str, tuple[RuleFile, StripPlan, HostIndex]] = field(
        default_factory=dict, repr=False)

    @property
    def files(self) -> tuple[RuleFile, ...]:
        """Every rule file compiled, in precedence order (compiles all site files)."""
        return tuple(self.compiled(e)[0] for e in self.entries)

    @property
    def notes(self) -> list[str]:
        """What converting directly-loaded ftr-site-config files could not express."""
        return [note for e in self.entries for note in e.notes]

    def compiled(self, entry: Entry) -> tuple[RuleFile, StripPlan, HostIndex]:
        """The entry's RuleFile and strip plans, compiled once per rulebook."""
        done = self._compiled.get(entry.path)
        if done is None:
            rule_file = parse_rule_file(entry.path, entry.data, entry.tier, entry.translations)
            free = [r for r in rule_file.strips if not r.hosts]
            done = (rule_file, StripPlan.build(free),
                    HostIndex.build([r for r in rule_file.strips if r.hosts]))
            self._compiled[entry.path] = done
        return done

    def select(self, url: str | None) -> RuleSet:
        """The rules for a page at `url`, in precedence order (CMS files still pending)."""
        parts = urlsplit(url) if url else None
        host = (parts.hostname or "") if parts else ""
        picked = set(self.always)
        labels = host.lower().split(".") if host else []
        for n in range(len(labels)):
            picked.update(self.by_domain.get(".".join(labels[n:]), ()))
        chosen = []
        for i in sorted(picked):
            rule_file, plan, index = self.compiled(self.entries[i])
            if rule_file.is_site and not (host and rule_file.applies_to(host, url or "")):
                continue
            chosen.append((rule_file, plan, index.for_host(host) if host else []))
        return RuleSet.build(chosen, host)

    @property
    def examples(self) -> list[tuple[RuleFile, Example]]:
        return [(f, ex) for f in self.files for ex in f.examples]


def bundled_rules_dir() -> Path:
    """The rules shipped with the package (in a wheel) or beside it (in a checkout)."""
    here = Path(__file__).resolve().parent
    inside = here / "rules"
    return inside if inside.is_dir() else here.parent / "rules"


def load_rules(*extra: str | Path, bundled: bool = True) -> Rulebook:
    """Load the bundled rules, overlaid with each folder (or ftr-site-config file) in `extra`.

    Raises:
        RuleError: a file that is not valid TOML or breaks the format, naming it.
    """
    return _load(tuple(str(Path(p).resolve()) for p in extra), bundled)


@cache
def _load(extra: tuple[str, ...], bundled: bool) -> Rulebook:
    folders = ([bundled_rules_dir()] if bundled else []) + [Path(p) for p in extra]
    sources: dict[str, tuple[int, Path, Path]] = {}
    for n, folder in enumerate(folders):
        for rel, path in _rule_paths(folder):
            sources[rel] = (n, folder, path)
    special: dict[str, dict[str, Any]] = {name: {} for name in SPECIAL}
    caches = {folder: RuleCache(folder) for folder in folders}
    entries: list[Entry] = []
    for rel, (n, folder, path) in sorted(sources.items()):
        rule_cache = caches[folder]
        if rel in SPECIAL:
            special[rel] = _read_toml(path)
            continue
        user = (bundled and n > 0) or not bundled
        entries.append(_entry(rel, path, user, n, rule_cache))
    for rule_cache in caches.values():
        rule_cache.save()
    entries.sort(key=lambda e: e.rank)
    _check_unique_ids(entries)
    root = str(folders[-1]) if folders else ""
    allowlist_path = str(sources["allowlist.toml"][2]) if "allowlist.toml" in sources \
        else "allowlist.toml"
    return Rulebook(root, tuple(entries), special["attribution.toml"],
                    special["allowlist.toml"], allowlist_path, _domain_index(entries),
                    tuple(i for i, e in enumerate(entries) if not e.host_only), extra, bundled)


def _rule_paths(folder: Path) -> Iterable[tuple[str, Path]]:
    """(relative name, path) of every rule file in a folder, or of one file."""
    if folder.is_file() and folder.suffix in (".toml", ".txt"):
        return [(("sites/" if folder.suffix == ".txt" else "") + folder.name, folder)]
    if not folder.is_dir():
        raise RuleError("no such rules folder", path=str(folder))
    tomls = sorted(folder.rglob("*.toml"))
    if tomls:
        return [(p.relative_to(folder).as_posix(), p) for p in tomls]
    return [(f"sites/{p.name}", p) for p in sorted(folder.glob("*.txt"))]


def _entry(rel: str, path: Path, user: bool, folder_no: int, rule_cache: RuleCache) -> Entry:
    """Read (or take from the cache) one file's data; a new file is validated in full."""
    try:
        stat = path.stat()
    except OSError as err:
        raise RuleError(f"can't read: {err.strerror}", path=str(path)) from err
    cached = rule_cache.get(rel, stat)
    if cached is not None:
        data, translations, notes = cached
    else:
        data, notes = _read_source(path)
        translations = {}
        tier = _tier(data, user)
        parse_rule_file(str(path), data, tier, translations)  # raises RuleError
        rule_cache.put(rel, stat, data, translations, notes)
    tier = _tier(data, user)
    rank = (TIERS.index(tier), int("imported_from" in data), -folder_no, rel)
    return Entry(str(path), tier, rank, data, translations, tuple(notes))


def _read_source(path: Path) -> tuple[dict[str, Any], list[str]]:
    if path.suffix == ".txt":
        from sanitizer.ftr import convert_file  # only for ftr-site-config folders

        converted = convert_file(path)
        return converted.data, [str(note) for note in converted.unsupported]
    return _read_toml(path), []


def _tier(data: Mapping[str, Any], user: bool) -> Tier:
    imported = "imported_from" in data
    site = bool(data.get("hosts") or data.get("urls"))
    if user and not imported:
        return "user"
    if site:
        return "site"
    if data.get("fingerprint"):
        return "cms"
    return "imported" if imported else "generic"


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except tomllib.TOMLDecodeError as err:
        raise RuleError(f"not valid TOML: {err}", path=str(path)) from err
    except (OSError, UnicodeDecodeError) as err:
        raise RuleError(f"can't read: {getattr(err, 'strerror', None) or err}",
                        path=str(path)) from err


def _domain_index(entries: list[Entry]) -> dict[str, tuple[int, ...]]:
    """Registrable suffix -> indexes of the host-only site files naming it."""
    index: dict[str, list[int]] = {}
    for i, entry in enumerate(entries):
        if entry.host_only:
            for pattern in entry.hosts:
                domain = pattern.lower().lstrip("*.").removeprefix("www.")
                index.setdefault(domain, []).append(i)
    return {k: tuple(dict.fromkeys(v)) for k, v in index.items()}


def _check_unique_ids(entries: Iterable[Entry]) -> None:
    seen: dict[str, str] = {}
    for entry in entries:
        for key in ("strip", "phrase", "allow", "transform", "replace"):
            tables = entry.data.get(key, [])
            for table in tables if isinstance(tables, list) else []:
                rule_id = table.get("id") if isinstance(table, dict) else None
                if not isinstance(rule_id, str):
                    continue
                if rule_id in seen:
                    raise RuleError(f"duplicate rule id (also in {seen[rule_id]})",
                                    path=entry.path, rule_id=rule_id)
                seen[rule_id] = entry.path
