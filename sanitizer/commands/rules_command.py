"""`sanitizer rules check|which`: validate rule files, run their examples, explain a page."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sanitizer.api import Sanitizer
from sanitizer.commands.options import add_common, add_rules_option, rulebook_from
from sanitizer.examples import run_example, samples_dir
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
        description="Clean URL or FILE and print the rule files chosen and every removal.")
    which.add_argument("source", metavar="URL|FILE")
    which.add_argument("--base-url", metavar="URL", help="the page's address, for a FILE")
    add_rules_option(which)
    add_common(which)
    which.set_defaults(handler=run_which)


def run_check(args: argparse.Namespace) -> int:
    if args.dir:
        args.rules = [*args.rules, args.dir]
    rulebook = rulebook_from(args)  # raises RuleError on a bad file
    rules = sum(len(f.strips) + len(f.phrases) + len(f.allows) for f in rulebook.files)
    print(f"{len(rulebook.files)} rule files, {rules} rules: valid")
    samples = Path(args.samples) if args.samples else samples_dir()
    failures = 0
    with Sanitizer(rules=rulebook) as sanitizer:
        for rule_file, example in rulebook.examples:
            problems = run_example(sanitizer, example, samples)
            status = "ok" if not problems else "FAILED"
            print(f"{status}: {Path(rule_file.path).name} example {example.sample}")
            for problem in problems:
                print(f"    {problem}")
            failures += bool(problems)
    print(f"{len(rulebook.examples)} examples, {failures} failed")
    return 1 if failures else 0


def run_which(args: argparse.Namespace) -> int:
    with Sanitizer(rules=rulebook_from(args)) as sanitizer:
        if is_web_url(args.source):
            doc = sanitizer.clean_url(args.source)
        else:
            doc = sanitizer.clean_file(args.source, url=args.base_url)
    assert doc.ruleset is not None
    print("rule files, in order:")
    for name in doc.ruleset.names:
        print(f"  {name}")
    print("removed:")
    for removal in doc.removals:
        print(f"  {removal.rule}: {removal.text[:100]!r}")
    for finding in doc.findings:
        print(f"{finding.code}: {finding.message}", file=sys.stderr)
    return 0
