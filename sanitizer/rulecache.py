"""A cache of parsed rule files, so that a folder of 2,000 site files loads in milliseconds.

One cache file per rules folder, under `$SANITIZER_CACHE_DIR` (default
`$XDG_CACHE_HOME/repost-sanitizer`, else `~/.cache/repost-sanitizer`; set it to an empty
string to switch caching off). It maps each rule file's relative path to its mtime and
size when read, its parsed and validated data, the XPath of each of its CSS selectors
and any import notes. An entry is used only while the file's mtime and size are
unchanged, so an edited file is always read again.

The format is `marshal` (plain dicts, lists and strings; nothing in it runs code).
Any problem reading or writing the cache just means it is not used.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sanitizer.version import __version__

CACHE_FORMAT = 3
#: What one cached file holds: its parsed data, CSS translations and import notes.
Entry = tuple[dict[str, Any], dict[str, str], list[str]]


def cache_dir() -> Path | None:
    """Where rulebook caches live, or None when caching is off."""
    configured = os.environ.get("SANITIZER_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "repost-sanitizer"


class RuleCache:
    """The cached entries of one rules folder; `save()` writes back what changed."""

    def __init__(self, folder: Path, directory: Path | None = None) -> None:
        self.directory = directory if directory is not None else cache_dir()
        key = hashlib.sha256(f"{folder.resolve()}|{__version__}|{CACHE_FORMAT}".encode())
        self.path = (self.directory / f"rules-{key.hexdigest()[:20]}.marshal"
                     if self.directory else None)
        self._entries: dict[str, list[Any]] = self._read()
        self._seen: set[str] = set()
        self._dirty = False

    def get(self, rel: str, stat: os.stat_result) -> Entry | None:
        """The cached entry of `rel`, when its mtime and size are unchanged."""
        self._seen.add(rel)
        entry = self._entries.get(rel)
        if entry is None or entry[0] != stat.st_mtime_ns or entry[1] != stat.st_size:
            return None
        return entry[2], entry[3], entry[4]

    def put(self, rel: str, stat: os.stat_result, data: Mapping[str, Any],
            translations: Mapping[str, str], notes: list[str] | None = None) -> None:
        """Remember a file just parsed (skipped when its data is not plain)."""
        self._seen.add(rel)
        entry = [stat.st_mtime_ns, stat.st_size, dict(data), dict(translations), notes or []]
        try:
            marshal.dumps(entry)
        except ValueError:  # e.g. a TOML date: not worth caching
            return
        self._entries[rel] = entry
        self._dirty = True

    def save(self) -> None:
        """Write the cache if anything changed; forget files that are gone."""
        gone = set(self._entries) - self._seen
        if not self.path or not (self._dirty or gone):
            return
        for rel in gone:
            del self._entries[rel]
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(marshal.dumps({"format": CACHE_FORMAT, "files": self._entries}))
            os.replace(tmp, self.path)
        except OSError:
            tmp.unlink(missing_ok=True)

    def _read(self) -> dict[str, list[Any]]:
        if not self.path or not self.path.is_file():
            return {}
        try:
            data = marshal.loads(self.path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return {}
        if not isinstance(data, dict) or data.get("format") != CACHE_FORMAT:
            return {}
        files = data.get("files")
        return files if isinstance(files, dict) else {}
