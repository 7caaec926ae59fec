"""Batch imports: convert community rule sets into rule files in an output folder.

`import_ftr` takes an ftr-site-config folder (or one file) and writes
`OUT/sites/<host>.toml` per file; `import_abp` takes filter lists and writes
`OUT/<list>.toml` per list. Both go on past a file that can't be read and report it,
and every written file starts with comments listing what of it was not converted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sanitizer.abp import convert_list
from sanitizer.errors import OutputError, RuleError
from sanitizer.ftr import Note, convert_file
from sanitizer.ruleformat import parse_rule_file
from sanitizer.tomlout import dumps


@dataclass
class ImportReport:
    """What an import did: counts, what it could not express, files it could not read."""

    files: int = 0
    directives: int = 0
    converted: int = 0
    no_effect: int = 0
    unsupported: list[Note] = field(default_factory=list)
    bad_files: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    @property
    def share(self) -> float:
        """Converted directives (counting those with no effect here) over all."""
        return self.converted / self.directives if self.directives else 1.0

    def summary(self) -> str:
        strict = (self.converted - self.no_effect) / self.directives if self.directives else 1.0
        return (f"{self.files} files, {self.directives} directives: {self.converted} converted "
                f"({self.share:.1%}; {self.no_effect} of them have no effect here, "
                f"{strict:.1%} without those), {len(self.unsupported)} unsupported, "
                f"{len(self.bad_files)} files unreadable; wrote {len(self.written)} files")


def ftr_sources(source: Path) -> list[Path]:
    """The `*.txt` files of an ftr-site-config folder, or the one file given."""
    if source.is_file():
        return [source]
    if not source.is_dir():
        raise RuleError("no such file or folder", path=str(source))
    return sorted(source.glob("*.txt"))


def import_ftr(source: Path, out_dir: Path) -> ImportReport:
    """Convert every ftr-site-config file under `source` into `out_dir/sites/`."""
    report = ImportReport()
    for path in ftr_sources(source):
        try:
            converted = convert_file(path)
            parse_rule_file(str(path), converted.data, "site")  # never write a broken file
        except RuleError as err:
            report.bad_files.append(str(err))
            continue
        report.files += 1
        report.directives += converted.directives
        report.converted += converted.converted
        report.no_effect += len(converted.no_effect)
        report.unsupported += converted.unsupported
        target = out_dir / "sites" / (path.name.removesuffix(".txt") + ".toml")
        _write(target, converted.data, _header(path, converted.unsupported))
        report.written.append(target)
    return report


def import_abp(sources: Iterable[Path], out_dir: Path) -> ImportReport:
    """Convert each filter list into `out_dir/<list name>.toml`."""
    report = ImportReport()
    for path in sources:
        try:
            imported = convert_list(path)
            parse_rule_file(str(path), imported.data, "imported")
        except RuleError as err:
            report.bad_files.append(str(err))
            continue
        report.files += 1
        report.directives += imported.filters
        report.converted += imported.converted
        report.unsupported += imported.unsupported
        target = out_dir / (path.stem + ".toml")
        _write(target, imported.data, _header(path, imported.unsupported))
        report.written.append(target)
    return report


def _header(path: Path, unsupported: list[Note]) -> list[str]:
    lines = [f"Converted by `sanitizer rules import` from {path.name}; edit the source and "
             "import again rather than this file."]
    if unsupported:
        lines.append("Not converted:")
        lines += [f"  line {n.line}: {n.directive}: {n.reason}" for n in unsupported]
    return lines


def _write(target: Path, data: dict[str, object], comments: list[str]) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dumps(data, comments), encoding="utf-8")
    except OSError as err:
        raise OutputError(f"can't write {target}: {err.strerror or err}",
                          path=str(target)) from err
