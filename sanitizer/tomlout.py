"""Write rule data as TOML (the stdlib reads TOML but does not write it).

Only the shapes rule files use: strings, booleans, integers, lists of those, inline
tables of strings, tables, and arrays of tables.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any


def dumps(data: Mapping[str, Any], comments: Iterable[str] = ()) -> str:
    """TOML text for `data`, with `comments` as `#` lines at the top."""
    lines = [f"# {c}".replace("\n", " ").replace("\r", " ").rstrip() for c in comments]
    scalars = {k: v for k, v in data.items() if not _is_table(v) and not _is_tables(v)}
    lines += [f"{_key(k)} = {_value(v)}" for k, v in scalars.items()]
    for key, value in data.items():
        if _is_table(value):
            lines += ["", f"[{_key(key)}]"]
            lines += [f"{_key(k)} = {_value(v)}" for k, v in value.items()]
    for key, value in data.items():
        if _is_tables(value):
            for table in value:
                lines += ["", f"[[{_key(key)}]]"]
                lines += [f"{_key(k)} = {_value(v)}" for k, v in table.items()]
    return "\n".join(lines).lstrip("\n") + "\n"


def _is_table(value: object) -> bool:
    return isinstance(value, Mapping) and not all(isinstance(v, str) for v in value.values())


def _is_tables(value: object) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(t, Mapping) for t in value)


def _key(key: str) -> str:
    bare = key.replace("_", "").replace("-", "").isalnum() and key.isascii()
    return key if bare else _string(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"can't write {type(value).__name__} as TOML")


def _string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's, plus DEL."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
