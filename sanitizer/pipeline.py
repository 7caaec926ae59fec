"""The one place the order of the stages lives (DESIGN.md §2).

Every stage is `stage(doc, rulebook) -> Document`. To change the pipeline, pass
another tuple to `run`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

from lxml import etree

from sanitizer.article import isolate_article
from sanitizer.attribution import attach_credit, detect_source
from sanitizer.document import Document
from sanitizer.extract import extract_content, locate_article
from sanitizer.metadata import add_metadata
from sanitizer.normalize import normalize
from sanitizer.rulebook import Rulebook
from sanitizer.ruleset import RuleSet
from sanitizer.sanitize import plain_text, sanitize
from sanitizer.strip import strip_phrases, strip_structure
from sanitizer.transforms import apply_site_changes

Stage = Callable[[Document, Rulebook], Document]


def drop_unread(doc: Document, rules: Rulebook) -> Document:
    """Stage: scripts, styles and navigation go once the metadata (JSON-LD is in
    scripts) is read and the CMS fingerprints are matched. Nothing later reads them
    (extraction never takes text inside `<nav>`; site rules with `prune = false` keep
    it), and every pass over the page is cheaper without them: scripts are half the
    characters of a typical page, navigation a fifth of its elements."""
    pruned = doc.ruleset is None or doc.ruleset.prune
    etree.strip_elements(doc.root, "script", "style", *(("nav",) if pruned else ()),
                         with_tail=False)
    return doc


def select_rules(doc: Document, rules: Rulebook) -> Document:
    """Stage: the rules for this page's host, then the generic ones."""
    return doc.replace(ruleset=rules.select(doc.url))


def settle_rules(doc: Document, rules: Rulebook) -> Document:
    """Stage: CMS rule files whose fingerprint matches the page join its rules, whose
    replacements, transforms and metadata hints then change the page."""
    ruleset = (doc.ruleset or RuleSet()).resolve(doc.root)
    return apply_site_changes(doc.replace(ruleset=ruleset), ruleset)


DEFAULT_STAGES: tuple[Stage, ...] = (
    add_metadata,      # title, byline, dates, canonical, JSON-LD: needs the whole page
    select_rules,      # site rules for the host, then generic rules
    settle_rules,      # CMS fingerprints; the rules' replacements and transforms
    drop_unread,       # scripts, styles, <nav>: read by nothing after the fingerprints
    locate_article,    # the article element, on the whole page
    strip_structure,   # share widgets, comments, related posts, by selector; not the article
    extract_content,   # navigation and link lists inside the article
    detect_source,     # credits in and around the article, head metadata
    strip_phrases,     # "Spread it!", "Share this:", "Source link" as whole blocks
    isolate_article,   # a standalone <article>: title + content
    normalize,         # absolute URLs, lazy images, trackers, rel on links
    attach_credit,     # the visible credit block
    sanitize,          # nh3: the last word; nothing edits its output
)  # fmt: skip

#: For text output (`Options.text_only`): no markup is made, so none is sanitised.
TEXT_STAGES: tuple[Stage, ...] = (*DEFAULT_STAGES[:-1], plain_text)

def run(doc: Document, rules: Rulebook, stages: Sequence[Stage] | None = None, *,
        own_tree: bool = False) -> Document:
    """Run the stages (by default DEFAULT_STAGES, or TEXT_STAGES for `text_only`) over a
    copy of the document's tree (the caller's tree is untouched), or over the tree itself
    when the caller hands it over (`own_tree`: a fresh parse)."""
    if stages is None:
        stages = TEXT_STAGES if doc.options.text_only else DEFAULT_STAGES
    if not own_tree:
        doc = doc.replace(root=copy.deepcopy(doc.root))
    for stage in stages:
        doc = stage(doc, rules)
    return doc
