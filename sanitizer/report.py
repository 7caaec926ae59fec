"""Audit rows -> report.json, report.csv and report.html (a page a person reads).

The JSON holds nothing that changes between two runs over the same pages (no times,
no paths), so a resumed run's report equals an uninterrupted one's. The HTML is one
self-contained file: inline CSS, no scripts, no external resources (a CSP says so).
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Sequence
from html import escape
from importlib.resources import files
from pathlib import Path
from string import Template
from typing import Any

from sanitizer.audit_records import AuditRow, OriginalDoc
from sanitizer.commands.options import make_folder, write_output
from sanitizer.matching import COPY_SHARE
from sanitizer.verdict import CREDITING, VERDICTS
from sanitizer.version import __version__

CSV_COLUMNS = ("url", "verdict", "original", "share", "site", "final_url", "title",
               "original_title", "headline_changed", "credit_text", "credit_url", "credit_rel",
               "credit_position", "licence", "sharebait", "evidence", "error")
COPIED = ("linked", "canonical", "credited", "upstream", "uncredited")


def report_data(rows: Sequence[AuditRow], originals: Sequence[OriginalDoc],
                threshold: float = COPY_SHARE) -> dict[str, Any]:
    """Everything the reports show, as JSON-ready values (deterministic)."""
    return {
        "tool": "sanitizer audit",
        "threshold": threshold,
        "summary": dict(sorted(Counter(r.verdict for r in rows).items(),
                               key=lambda kv: VERDICTS.index(kv[0]))),
        "sites": site_summary(rows),
        "originals": [_original_entry(o, rows) for o in originals],
        "rows": [r.as_dict() for r in rows],
    }


def site_summary(rows: Sequence[AuditRow]) -> list[dict[str, Any]]:
    """Per site: copies found, verdict counts, credit and link rates, nofollow links."""
    sites: dict[str, list[AuditRow]] = {}
    for row in rows:
        if row.verdict in COPIED:
            sites.setdefault(row.site or "(file)", []).append(row)
    table = []
    for site, found in sites.items():
        counts = Counter(r.verdict for r in found)
        table.append({
            "site": site, "copies": len(found),
            **{v: counts.get(v, 0) for v in COPIED},
            "credit_rate": round(sum(counts[v] for v in CREDITING) / len(found), 3),
            "link_rate": round(counts["linked"] / len(found), 3),
            "nofollow": sum(1 for r in found if r.credit_rel and r.verdict == "linked"),
            "mean_share": round(sum(r.share for r in found) / len(found), 3),
        })
    return sorted(table, key=lambda s: (-s["copies"], s["site"]))


def _original_entry(original: OriginalDoc, rows: Sequence[AuditRow]) -> dict[str, Any]:
    mine = [r for r in rows if r.original == original.url]
    return {"url": original.url, "status": original.status, "title": original.title,
            "error": original.error, "copies": len(mine),
            "credited": sum(1 for r in mine if r.verdict in CREDITING)}


def write_reports(folder: str | Path, data: dict[str, Any]) -> list[Path]:
    """Write report.json, report.csv and report.html into `folder`; return their paths."""
    out = make_folder(folder)
    paths = [out / "report.json", out / "report.csv", out / "report.html"]
    write_output(paths[0], json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    write_output(paths[1], render_csv(data["rows"]))
    write_output(paths[2], render_html(data))
    return paths


def render_csv(rows: Sequence[dict[str, Any]]) -> str:
    """One line per copy; lists joined with ' | '."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([" | ".join(map(str, v)) if isinstance(v := row.get(c), list)
                         else "" if v is None else v for c in CSV_COLUMNS])
    return buffer.getvalue()


def render_html(data: dict[str, Any]) -> str:
    """The report page, from the template shipped in the package."""
    template = Template((files("sanitizer") / "templates" / "report.html")
                        .read_text(encoding="utf-8"))
    rows = data["rows"]
    return template.substitute(
        copies=len(rows), originals=len(data["originals"]), version=escape(__version__),
        threshold=f"{data['threshold']:.0%}",
        cards="".join(f'<div class="card"><b>{data["summary"].get(v, 0)}</b>'
                      f'{_badge(v)}</div>' for v in VERDICTS),
        sites="\n".join(_site_row(s) for s in data["sites"]) or _empty(10, "no copies found"),
        original_rows="\n".join(_original_row(o) for o in data["originals"]),
        rows="\n".join(_copy_row(i, r) for i, r in enumerate(rows, 1)),
    )


def _badge(verdict: str) -> str:
    return f'<span class="badge v-{escape(verdict)}">{escape(verdict)}</span>'


def _bar(share: float, css: str = "") -> str:
    pct = max(0.0, min(1.0, share)) * 100
    return (f'<span class="{css}"><span class="bar"><span style="width:{pct:.0f}%"></span>'
            f"</span>{pct:.0f}%</span>")


def _link(url: str | None) -> str:
    if not url:
        return ""
    if url.startswith(("http://", "https://")):
        return (f'<a href="{escape(url)}" rel="noopener noreferrer nofollow">'
                f"{escape(url)}</a>")
    return escape(url)


def _empty(cols: int, text: str) -> str:
    return f'<tr><td colspan="{cols}" class="muted">{escape(text)}</td></tr>'


def _site_row(s: dict[str, Any]) -> str:
    counts = "".join(f'<td class="num">{s[v]}</td>' for v in COPIED)
    return (f"<tr><td>{escape(s['site'])}</td><td class='num'>{s['copies']}</td>"
            f"<td>{_bar(s['credit_rate'], 'rate')}</td>{counts}"
            f"<td class='num'>{s['nofollow']}</td><td class='num'>{s['mean_share']:.0%}</td></tr>")


def _original_row(o: dict[str, Any]) -> str:
    status = escape(o["status"]) if o["status"] == "ok" else \
        f'{_badge("error")} {escape(o["error"] or "")}'
    title = f"<br><span class='muted'>{escape(o['title'])}</span>" if o["title"] else ""
    return (f"<tr><td>{_link(o['url'])}{title}</td><td>{status}</td>"
            f"<td class='num'>{o['copies']}</td><td class='num'>{o['credited']}</td></tr>")


def _copy_row(n: int, r: dict[str, Any]) -> str:
    tags = [f'<span class="tag">{escape(t)}</span>' for t in _tags(r)]
    share = _bar(r["share"]) if r["verdict"] not in ("error",) else ""
    original = f"<br><span class='muted'>of</span> {_link(r['original'])}" if r["original"] else ""
    credit = f'<span class="credit">{escape(r["credit_text"])}</span>' if r["credit_text"] else ""
    if r["credit_url"]:
        credit += f"<br>{_link(r['credit_url'])}"
    if r["error"]:
        credit = escape(r["error"])
    evidence = "".join(f"<li>{escape(e)}</li>" for e in r["evidence"])
    return (f'<tr class="row v-row-{escape(r["verdict"])}"><td class="num">{n}</td>'
            f"<td>{_link(r['url'])}{_title(r)}</td><td>{_badge(r['verdict'])}</td>"
            f"<td>{share}{original}</td><td>{credit}<div>{''.join(tags)}</div></td>"
            f"<td><ul class='evidence'>{evidence}</ul>{_stripped(r)}</td></tr>")


def _title(r: dict[str, Any]) -> str:
    return f"<br><span class='muted'>{escape(r['title'])}</span>" if r.get("title") else ""


def _tags(r: dict[str, Any]) -> list[str]:
    tags = []
    if r["credit_position"]:
        tags.append(f"credit: {r['credit_position']}")
    if r["credit_rel"]:
        tags.append(f"rel={r['credit_rel']}")
    if r["headline_changed"]:
        tags.append("headline changed")
    if r["licence"]:
        tags.append(f"licence: {r['licence'][:60]}")
    if r["sharebait"]:
        tags.append(f"share-bait: {len(r['sharebait'])}")
    return tags


def _stripped(r: dict[str, Any]) -> str:
    """The side-by-side: the article text that stayed, and what cleaning took out."""
    if not r["kept"] and not r["removed"]:
        return ""
    removed = "".join(f"<li><code>{escape(rule)}</code> {escape(text[:160])}</li>"
                      for rule, text in r["removed"]) or "<li class='muted'>nothing</li>"
    kept = escape(r["kept"][:900]).replace("\n\n", "<br><br>")
    return (f"<details><summary>kept and stripped ({len(r['removed'])} removals)</summary>"
            f"<div class='sbs'><div class='kept'><h4>kept: the article</h4>{kept}</div>"
            f"<div class='stripped'><h4>stripped</h4><ul>{removed}</ul></div></div></details>")


def summary_text(data: dict[str, Any], *, db: str, paths: Sequence[Path] = ()) -> str:
    """The one-screen summary printed at the end of a run."""
    rows = data["rows"]
    lines = [f"audited {len(rows)} copies against {len(data['originals'])} originals"]
    lines.append("  " + ", ".join(f"{v} {n}" for v, n in data["summary"].items()))
    if data["sites"]:
        lines.append("sites (copies, credit rate, linked):")
        for s in data["sites"][:10]:
            lines.append(f"  {s['site']:<40} {s['copies']:>4}  {s['credit_rate']:>5.0%}  "
                         f"{s['link_rate']:>5.0%}")
        if len(data["sites"]) > 10:
            lines.append(f"  ... and {len(data['sites']) - 10} more sites in the report")
    bad = [o for o in data["originals"] if o["status"] != "ok"]
    for o in bad:
        lines.append(f"original not used: {o['url']}: {o['error']}")
    errors = [r for r in rows if r["verdict"] == "error"]
    if errors:
        lines.append(f"{len(errors)} copies could not be checked (verdict error), e.g. "
                     f"{errors[0]['url']}: {errors[0]['error']}")
    lines.append(f"database: {db}")
    lines.extend(f"report: {p}" for p in paths)
    return "\n".join(lines)
