"""The audit database: one SQLite file, one row per original and per copy (docs/audit.md).

Every write is its own committed transaction in WAL mode, so a run killed at any point
keeps every row it finished; a re-run reads them back instead of fetching again. Rows are
keyed by URL (`INSERT ... ON CONFLICT DO UPDATE`), so nothing is ever stored twice.
Only the thread that opened a `Store` uses it (`audit.py` writes from its main thread).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sanitizer.errors import InputError

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS originals (
    url        TEXT PRIMARY KEY,
    status     TEXT NOT NULL,
    final_url  TEXT,
    title      TEXT,
    site       TEXT,
    publisher  TEXT,
    authors    TEXT NOT NULL DEFAULT '[]',
    identities TEXT NOT NULL DEFAULT '[]',
    text       TEXT NOT NULL DEFAULT '',
    error      TEXT,
    fetched_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS copies (
    url              TEXT PRIMARY KEY,
    verdict          TEXT NOT NULL,
    original         TEXT,
    share            REAL NOT NULL DEFAULT 0,
    final_url        TEXT,
    site             TEXT,
    title            TEXT,
    original_title   TEXT,
    headline_changed INTEGER,
    credit_text      TEXT,
    credit_url       TEXT,
    credit_rel       TEXT,
    credit_position  TEXT,
    licence          TEXT,
    sharebait        TEXT NOT NULL DEFAULT '[]',
    removed          TEXT NOT NULL DEFAULT '[]',
    kept             TEXT NOT NULL DEFAULT '',
    evidence         TEXT NOT NULL DEFAULT '[]',
    error            TEXT,
    originals_key    TEXT NOT NULL,
    audited_at       TEXT NOT NULL
);
"""
#: Columns holding JSON lists.
JSON_COLUMNS = frozenset({"authors", "identities", "sharebait", "removed", "evidence"})


class Store:
    """An open audit database.

    >>> with Store("audit.db") as store:  # doctest: +SKIP
    ...     store.put_copy({"url": ..., "verdict": "linked", ...})
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None)
        except sqlite3.Error as err:
            raise InputError(f"can't open the audit database {self.path}: {err}",
                             source=self.path) from err
        self._db.row_factory = sqlite3.Row
        try:
            self._setup()
        except sqlite3.DatabaseError as err:
            self._db.close()
            raise InputError(f"{self.path} is not an audit database ({err})",
                             source=self.path) from err
        except InputError:
            self._db.close()
            raise

    def _setup(self) -> None:
        """WAL mode, the tables, and the schema-version check."""
        tables = {r[0] for r in self._db.execute("SELECT name FROM sqlite_master "
                                                 "WHERE type='table'")}
        if tables and "meta" not in tables:
            raise InputError(f"{self.path} is an SQLite file but not an audit database "
                             f"(tables: {', '.join(sorted(tables))})", source=self.path)
        if "meta" in tables:
            self._check_version()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable across process kills
        self._db.execute("PRAGMA busy_timeout=5000")
        # One transaction: a run killed here leaves either no tables or all of them.
        self._db.executescript(
            f"BEGIN IMMEDIATE; {SCHEMA} INSERT OR IGNORE INTO meta(key, value) "
            f"VALUES ('schema_version', '{SCHEMA_VERSION}'); COMMIT;")

    def _check_version(self) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        found = row[0] if row else "none"
        if found != str(SCHEMA_VERSION):
            raise InputError(
                f"{self.path} was written by another version of sanitizer audit (schema "
                f"version {found}; this version reads {SCHEMA_VERSION}): use a new --db file "
                "or delete this one", source=self.path)

    def _write(self, sql: str, values: Iterable[Any]) -> None:
        """One statement in its own committed transaction."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.execute(sql, tuple(values))
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _upsert(self, table: str, row: Mapping[str, Any]) -> None:
        names = list(row)
        values = [json.dumps(row[n], ensure_ascii=False) if n in JSON_COLUMNS else row[n]
                  for n in names]
        updates = ", ".join(f"{n} = excluded.{n}" for n in names if n != "url")
        self._write(f"INSERT INTO {table} ({', '.join(names)}) "
                    f"VALUES ({', '.join('?' for _ in names)}) "
                    f"ON CONFLICT(url) DO UPDATE SET {updates}", values)

    def put_original(self, row: Mapping[str, Any]) -> None:
        """Store (or replace) one original's row."""
        self._upsert("originals", {**row, "fetched_at": _now()})

    def put_copy(self, row: Mapping[str, Any], originals_key: str) -> None:
        """Store (or replace) one copy's row, marked with the set of originals it was
        matched against."""
        self._upsert("copies", {**row, "originals_key": originals_key, "audited_at": _now()})

    def original(self, url: str) -> dict[str, Any] | None:
        """The stored row of one original, or None."""
        return self._get("originals", url)

    def copy(self, url: str) -> dict[str, Any] | None:
        """The stored row of one copy (with `originals_key` and `audited_at`), or None."""
        return self._get("copies", url)

    def _get(self, table: str, url: str) -> dict[str, Any] | None:
        row = self._db.execute(f"SELECT * FROM {table} WHERE url = ?", (url,)).fetchone()
        if row is None:
            return None
        names: list[str] = row.keys()  # iterating a Row gives values, not names
        return {k: json.loads(row[k]) if k in JSON_COLUMNS else row[k] for k in names}

    def count(self, table: str) -> int:
        """Rows in `originals` or `copies`."""
        if table not in ("originals", "copies"):
            raise ValueError(table)
        return int(self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
