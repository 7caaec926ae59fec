"""`sanitizer clean SRC...`: the whole pipeline on URLs, files or stdin."""

from __future__ import annotations

import argparse
import re
import sys
import uuid
from pathlib import Path
from typing import Any

from sanitizer.archive import read_pages
from sanitizer.batch import CleanJob, CleanOutcome, CleanTask, sanitizer_for
from sanitizer.commands.fetch_command import add_network_options, fetch_settings
from sanitizer.commands.options import (
    add_common,
    add_engine_options,
    add_rules_option,
    make_folder,
    write_output,
)
from sanitizer.commands.progress import Progress
from sanitizer.document import Options
from sanitizer.engine import make_engine
from sanitizer.fetch import read_file
from sanitizer.render import EXTENSIONS, FORMATS

MAX_STEM = 80


def add_parser(sub: Any) -> None:
    parser = sub.add_parser(
        "clean",
        help="clean reposted pages into safe, credited HTML",
        description="Fetch or read each SRC (a URL, a file, or - for stdin), remove share-bait "
                    "and page boilerplate, detect the original source, and write clean, "
                    "safe HTML with a credit to the original.",
    )
    parser.add_argument("sources", nargs="*", metavar="SRC", help="URL, file, or - for stdin")
    parser.add_argument("--warc", metavar="FILE",
                        help="clean every HTML page archived in this WARC file "
                             "(e.g. from 'sanitizer fetch --warc'), named by URL")
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
    add_network_options(parser)
    add_engine_options(parser)
    add_common(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from sanitizer.cli import EXIT_FAILED, EXIT_OK, EXIT_USAGE

    jobs = _jobs(args)
    problem = _usage_problem(args, jobs)
    if problem:
        print(f"sanitizer clean: error: {problem}", file=sys.stderr)
        return EXIT_FAILED if args.warc and not jobs else EXIT_USAGE
    task = CleanTask(rules=tuple(str(Path(r).resolve()) for r in args.rules),
                     options=Options(original=args.original, nofollow=args.nofollow,
                                     text_only=args.format == "text"),
                     fmt=args.format, explain=args.explain, fetch=fetch_settings(args),
                     debug=args.debug, run_id=uuid.uuid4().hex)
    names = _output_names(args, jobs)
    failed = 0
    progress = Progress(len(jobs), enabled=not args.quiet and len(jobs) > 1)
    with make_engine(args.engine, scheduler=args.scheduler, workers=args.workers) as engine:
        for index, outcome in engine.run(task, jobs):
            failed += not _deliver(outcome, names[index] if names else None, args)
            progress.step(outcome.source)
    sanitizer_for.cache_clear()  # this run's sessions (the local engine's) are done
    progress.done(failed)
    return EXIT_FAILED if failed else EXIT_OK


def _jobs(args: argparse.Namespace) -> list[CleanJob]:
    """One job per SRC (stdin read here, once) and per HTML page of --warc."""
    jobs = [CleanJob(src, page=read_file("-", base_url=args.base_url) if src == "-" else None,
                     base_url=args.base_url) for src in args.sources]
    if args.warc:
        archived = {page.url: page for page in read_pages(args.warc) if page.url}
        jobs += [CleanJob(url, page=page) for url, page in archived.items()]
    return jobs


def _usage_problem(args: argparse.Namespace, jobs: list[CleanJob]) -> str | None:
    if not jobs:
        return f"no HTML pages in {args.warc}" if args.warc else "give at least one SRC"
    if len(jobs) > 1 and not args.out_dir:
        return "several SRCs need --out-dir DIR"
    if args.output and args.out_dir:
        return "use -o or --out-dir, not both"
    return None


def _output_names(args: argparse.Namespace, jobs: list[CleanJob]) -> list[Path] | None:
    """Each job's output file, fixed before any runs (results arrive in any order)."""
    if not args.out_dir:
        return None
    names = OutputNames(Path(args.out_dir), EXTENSIONS[args.format])
    return [names.for_source(job.source) for job in jobs]


def _deliver(outcome: CleanOutcome, path: Path | None, args: argparse.Namespace) -> bool:
    """Write one outcome (or report its error); True when it succeeded."""
    from sanitizer.cli import report_line

    for line in ((f"# {outcome.source}", *outcome.explanation) if args.explain else ()):
        print(line, file=sys.stderr)
    if not outcome.ok:
        if outcome.trace:
            sys.stderr.write(outcome.trace)
        report_line(outcome.error or "", where=outcome.source, internal=outcome.internal)
        return False
    text = outcome.output or ""
    if path is not None:
        write_output(path, text)
    elif args.output:
        write_output(args.output, text)
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    return True


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
