"""`sanitizer clean SRC...`: the whole pipeline on URLs, files or stdin."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from sanitizer.api import Sanitizer
from sanitizer.commands.options import (
    add_common,
    add_rules_option,
    make_folder,
    rulebook_from,
    write_output,
)
from sanitizer.commands.progress import Progress
from sanitizer.document import Document, Options
from sanitizer.errors import InputError
from sanitizer.render import EXTENSIONS, FORMATS, render
from sanitizer.urls import is_web_url

MAX_STEM = 80


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "clean",
        help="clean reposted pages into safe, credited HTML",
        description="Fetch or read each SRC (a URL, a file, or - for stdin), remove share-bait "
                    "and page boilerplate, detect the original source, and write clean, "
                    "safe HTML with a credit to the original.",
    )
    parser.add_argument("sources", nargs="+", metavar="SRC", help="URL, file, or - for stdin")
    parser.add_argument("-o", "--output", metavar="FILE",
                        help="write the one result here instead of stdout")
    parser.add_argument("--out-dir", metavar="DIR",
                        help="write one file per SRC here (needed for several SRCs)")
    parser.add_argument("-f", "--format", choices=FORMATS, default="html",
                        help="html: a full document (default); fragment: the <article>; "
                             "text: plain text; json: metadata, source, removals, html, text")
    parser.add_argument("--base-url", metavar="URL",
                        help="the page's address, for a file or stdin (links, credits)")
    parser.add_argument("--original", metavar="URL",
                        help="the original's URL: credit it instead of detecting one")
    parser.add_argument("--nofollow", action="store_true",
                        help='add rel="nofollow ugc" to links to other sites')
    parser.add_argument("--explain", action="store_true",
                        help="print each removal and the rule behind it to stderr")
    add_rules_option(parser)
    add_common(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from sanitizer.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE, report

    if len(args.sources) > 1 and not args.out_dir:
        print("sanitizer clean: error: several SRCs need --out-dir DIR", file=sys.stderr)
        return EXIT_USAGE
    if args.output and args.out_dir:
        print("sanitizer clean: error: use -o or --out-dir, not both", file=sys.stderr)
        return EXIT_USAGE
    options = Options(original=args.original, nofollow=args.nofollow)
    names = OutputNames(Path(args.out_dir), EXTENSIONS[args.format]) if args.out_dir else None
    failed = 0
    progress = Progress(len(args.sources), enabled=not args.quiet and len(args.sources) > 1)
    with Sanitizer(rules=rulebook_from(args), options=options) as sanitizer:
        for src in args.sources:
            try:
                doc = _clean_one(sanitizer, src, args.base_url)
                if args.explain:
                    _explain(src, doc)
                _write(render(doc, args.format), args, names, src)
            except BrokenPipeError:
                raise  # the reader went away (`| head`): main() ends quietly
            except Exception as err:  # one bad input must not stop the batch
                if args.debug and len(args.sources) == 1:
                    raise
                failed += 1
                report(err, debug=args.debug, where=src)
            progress.step(src)
    progress.done(failed)
    return EXIT_FAILED if failed else EXIT_OK


def _clean_one(sanitizer: Sanitizer, src: str, base_url: str | None) -> Document:
    if is_web_url(src):
        return sanitizer.clean_url(src)
    if "://" in src:
        raise InputError(f"unsupported URL scheme in {src!r}: use http or https", source=src)
    return sanitizer.clean_file(src, url=base_url)


def _write(text: str, args: argparse.Namespace, names: OutputNames | None, src: str) -> None:
    if names is not None:
        write_output(names.for_source(src), text)
    elif args.output:
        write_output(args.output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()


def _explain(src: str, doc: Document) -> None:
    print(f"# {src}", file=sys.stderr)
    for removal in doc.removals:
        print(f"removed by {removal.rule}: {removal.text[:120]!r}", file=sys.stderr)
    for finding in doc.findings:
        print(f"{finding.code}: {finding.message}", file=sys.stderr)
    if doc.source:
        print(f"source: {doc.source.url or '-'} ({doc.source.publisher or '?'}, "
              f"confidence {doc.source.confidence})", file=sys.stderr)
        for reason in doc.source.evidence:
            print(f"  evidence: {reason}", file=sys.stderr)


class OutputNames:
    """File names in --out-dir: the input file's stem or a slug of the URL, never outside."""

    def __init__(self, folder: Path, extension: str) -> None:
        self.folder = make_folder(folder)
        self.extension = extension
        self.taken: set[str] = set()

    def for_source(self, src: str) -> Path:
        stem = slug(src) if "://" in src or src == "-" else slug(Path(src).stem)
        name, n = stem, 2
        while name in self.taken:
            name, n = f"{stem}-{n}", n + 1
        self.taken.add(name)
        return self.folder / f"{name}{self.extension}"


def slug(text: str) -> str:
    """A safe file stem: letters, digits, dots, dashes; no path separators."""
    if text == "-":
        return "stdin"
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text, flags=re.I)
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")
    return text[:MAX_STEM].rstrip("-.") or "page"
