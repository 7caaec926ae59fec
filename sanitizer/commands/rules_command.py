"""`sanitizer rules check|which|import-ftr|import-abp`: validate, explain, import rule files."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from sanitizer.api import Sanitizer
from sanitizer.commands.fetch_command import add_network_options, fetcher_from
from sanitizer.commands.options import add_common, add_rules_option, rulebook_from
from sanitizer.document import Document
from sanitizer.examples import run_example, samples_dir
from sanitizer.importer import ImportReport, import_abp, import_ftr
from sanitizer.ruletypes import TIERS
from sanitizer.urls import is_web_url


def add_parser(sub: Any) -> None:
    parser = sub.add_parser("rules", help="check rule files; show which rules apply to a page",
                            description="Work with rule files.")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check", help="validate every rule file and run every [[example]]",
        description="Load the bundled rules and each --rules folder (or DIR), report any "
                    "invalid file, and run every [[example]] against its sample page.")
    check.add_argument("dir", nargs="?", metavar="DIR", help="a rules folder to check too")
    check.add_argument("--samples", metavar="DIR", help="where example samples live "
                       "(default: the samples/ folder beside the rules)")
    add_rules_option(check)
    add_common(check)
    check.set_defaults(handler=run_check)
    which = actions.add_parser(
        "which", help="list the rules that apply to a page and what each removed",
        description="Clean URL or FILE and print the rule files chosen, in precedence "
                    "order (user > site > cms > generic > imported), and every removal.")
    which.add_argument("source", metavar="URL|FILE")
    which.add_argument("--base-url", metavar="URL", help="the page's address, for a FILE")
    add_network_options(which)
    add_rules_option(which)
    add_common(which)
    which.set_defaults(handler=run_which)
    _add_import(actions, "import-ftr", "convert ftr-site-config files into rule files",
                "DIR_OR_FILE", "an ftr-site-config folder (or one .txt file)", run_import_ftr)
    _add_import(actions, "import-abp", "convert Adblock Plus / uBlock cosmetic filters",
                "FILE", "a filter list (repeatable)", run_import_abp)


def _add_import(actions: Any, name: str, help_text: str, metavar: str, arg_help: str,
                handler: Any) -> None:
    parser = actions.add_parser(name, help=help_text, description=(
        f"{help_text[0].upper()}{help_text[1:]}. Every directive that can't be expressed is "
        "listed as FILE:LINE: directive: reason; unreadable files are reported and skipped."))
    parser.add_argument("sources", nargs="+" if name == "import-abp" else 1, metavar=metavar,
                        help=arg_help)
    parser.add_argument("-o", "--out-dir", required=True, metavar="OUT_DIR",
                        help="where to write the rule files (load them with --rules OUT_DIR)")
    add_common(parser)
    parser.set_defaults(handler=handler)


def run_check(args: argparse.Namespace) -> int:
    if args.dir:
        args.rules = [*args.rules, args.dir]
    rulebook = rulebook_from(args)  # raises RuleError on a bad file
    files = rulebook.files  # compiles every file, so every selector is checked
    rules = sum(len(f.strips) + len(f.phrases) + len(f.allows) for f in files)
    print(f"{len(files)} rule files, {rules} rules: valid")
    if rulebook.notes:
        print(f"{len(rulebook.notes)} ftr-site-config directives not converted "
              "(`sanitizer rules import-ftr` lists them)")
    samples = Path(args.samples) if args.samples else samples_dir()
    failures = live = 0
    with Sanitizer(rules=rulebook) as sanitizer:
        for rule_file, example in rulebook.examples:
            if not example.offline:
                live += 1
                continue
            problems = run_example(sanitizer, example, samples)
            status = "ok" if not problems else "FAILED"
            print(f"{status}: {Path(rule_file.path).name} example {example.sample}")
            for problem in problems:
                print(f"    {problem}")
            failures += bool(problems)
    if live:
        print(f"{live} live examples (test_url) skipped: checks never use the network")
    print(f"{len(rulebook.examples) - live} examples, {failures} failed")
    return 1 if failures else 0


def run_which(args: argparse.Namespace) -> int:
    fetcher = fetcher_from(args) if is_web_url(args.source) else None
    try:
        with Sanitizer(rules=rulebook_from(args), fetcher=fetcher) as sanitizer:
            if is_web_url(args.source):
                doc = sanitizer.clean_url(args.source)
            else:
                doc = sanitizer.clean_file(args.source, url=args.base_url)
    finally:
        if fetcher is not None:
            fetcher.close()
    assert doc.ruleset is not None
    print("rule files, in order:")
    for name in doc.ruleset.names:
        print(f"  {name}")
    print("removed:")
    for removal in doc.removals:
        print(f"  {removal.rule}: {removal.text[:100]!r}")
    _print_precedence(doc)
    for finding in doc.findings:
        print(f"{finding.code}: {finding.message}", file=sys.stderr)
    return 0


def _print_precedence(doc: Document) -> None:
    """Each chosen file with its tier and how many removals its rules made."""
    assert doc.ruleset is not None
    counts = Counter(removal.rule for removal in doc.removals)
    print(f"precedence (first wins): {' > '.join(TIERS)}")
    for rule_file in doc.ruleset.files:
        ids = [r.id for r in rule_file.strips] + [r.id for r in rule_file.phrases]
        hits = {rule_id: counts[rule_id] for rule_id in ids if counts[rule_id]}
        detail = ", ".join(f"{k} x{v}" for k, v in hits.items()) or "nothing"
        print(f"  {rule_file.tier:<9} {Path(rule_file.path).name} removed {detail}")


def run_import_ftr(args: argparse.Namespace) -> int:
    report = import_ftr(Path(args.sources[0]), Path(args.out_dir))
    return _print_report(report, args.quiet)


def run_import_abp(args: argparse.Namespace) -> int:
    report = import_abp([Path(p) for p in args.sources], Path(args.out_dir))
    return _print_report(report, args.quiet)


def _print_report(report: ImportReport, quiet: bool) -> int:
    """Unsupported directives on stdout (FILE:LINE: ...), bad files on stderr, a summary."""
    if not quiet:
        for note in report.unsupported:
            print(f"unsupported: {note}")
    for bad in report.bad_files:
        print(f"sanitizer: skipped: {bad}", file=sys.stderr)
    print(report.summary())
    return 1 if report.bad_files else 0
