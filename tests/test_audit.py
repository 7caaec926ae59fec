"""sanitizer audit on the mini-web (tests/miniweb): one real HTTP server per site on
loopback, a real SQLite file, no mocks."""

from __future__ import annotations

import json
import sqlite3

import pytest
from audit_fixtures import miniweb  # noqa: F401  (fixture)
from miniweb import MiniWeb

from sanitizer import InputError
from sanitizer.audit import AuditRow, audit, run_audit
from sanitizer.cli import main
from sanitizer.store import Store

FAST = {"allow_private": True, "delay": 0.0, "workers": 4}


def by_url(rows: list[AuditRow]) -> dict[str, AuditRow]:
    return {r.url: r for r in rows}


def test_every_verdict_is_right(miniweb: MiniWeb, tmp_path) -> None:  # noqa: F811
    rows = audit(miniweb.originals, miniweb.copies, db=tmp_path / "a.db", **FAST)

    got = {r.url: r.verdict for r in rows}
    assert got == miniweb.expected
    assert set(got.values()) >= {"linked", "canonical", "credited", "upstream", "uncredited",
                                 "not-a-copy", "error"}


def test_evidence_rel_position_headline_licence_partial(miniweb: MiniWeb, tmp_path) -> None:  # noqa: F811
    rows = by_url(audit(miniweb.originals, miniweb.copies, db=tmp_path / "a.db", **FAST))

    for url, want in miniweb.details.items():
        row = rows[url]
        if "position" in want:
            assert row.credit_position == want["position"], url
        if "rel" in want:
            assert row.credit_rel == want["rel"], url
        if want.get("headline_changed"):
            assert row.headline_changed is True, url
        if want.get("licence"):
            assert row.licence and "Creative Commons" in row.licence
        if want.get("partial"):
            assert 0.25 <= row.share <= 0.45, (url, row.share)
        if want.get("sharebait"):
            assert any(b.startswith("share.") for b in row.sharebait), row.sharebait
        if want.get("redirected"):
            assert row.final_url != url and any("redirected" in e for e in row.evidence)
        if want.get("original_itself"):
            assert row.evidence == ("this is one of the originals",)
    linked = [r for r in rows.values() if r.verdict == "linked" and not r.share < 0.9]
    assert all(r.original and r.credit_url and r.credit_text for r in linked)
    upstream = next(r for r in rows.values() if r.verdict == "upstream")
    assert "itself a copy of 100% of the original" in upstream.evidence[0]


def test_each_input_once_and_duplicates_noted(miniweb: MiniWeb, tmp_path) -> None:  # noqa: F811
    notes: list[str] = []
    copies = [*miniweb.copies, miniweb.copies[0], miniweb.copies[1].replace("http://", "HTTP://")]
    rows = audit(miniweb.originals, copies, db=tmp_path / "a.db", notice=notes.append, **FAST)

    assert [r.url for r in rows] == miniweb.copies
    assert sum("listed more than once" in n for n in notes) == 2
    assert any("can't be used: HTTP 404" in n for n in notes)  # the original that is gone
    with Store(tmp_path / "a.db") as store:
        assert store.count("copies") == len(miniweb.copies)


def test_rerun_resumes_without_fetching_and_refresh_redoes(miniweb: MiniWeb, tmp_path) -> None:  # noqa: F811
    db = tmp_path / "a.db"
    first = audit(miniweb.originals, miniweb.copies, db=db, **FAST)
    seen: list[bool] = []

    again = audit(miniweb.originals, miniweb.copies, db=db,
                  on_row=lambda row, resumed, total: seen.append(resumed), **FAST)

    assert again == first
    assert all(seen) and len(seen) == len(first)
    redone: list[bool] = []
    audit(miniweb.originals, miniweb.copies, db=db, refresh=True,
          on_row=lambda row, resumed, total: redone.append(resumed), **FAST)
    assert not any(redone)
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT count(*), count(DISTINCT url) FROM copies").fetchone() == \
            (len(first), len(first))


def test_other_originals_invalidate_stored_rows(miniweb: MiniWeb, tmp_path) -> None:  # noqa: F811
    db = tmp_path / "a.db"
    audit(miniweb.originals[:1], miniweb.copies[:3], db=db, **FAST)
    seen: list[bool] = []

    audit(miniweb.originals, miniweb.copies[:3], db=db,
          on_row=lambda row, resumed, total: seen.append(resumed), **FAST)

    assert seen == [False, False, False]


def test_feeds_and_sitemaps_expand_and_a_non_feed_is_an_error_row(miniweb: MiniWeb,  # noqa: F811
                                                                    tmp_path) -> None:
    notes: list[str] = []
    result = run_audit([], [], originals_from=[miniweb.feeds["sitemap"]],
                       copies_from=[miniweb.feeds["rss"], miniweb.feeds["not-a-feed"]],
                       db=tmp_path / "a.db", notice=notes.append, **FAST)

    verdicts = [(r.url, r.verdict) for r in result.rows]
    assert verdicts[0] == (miniweb.feeds["not-a-feed"], "error")
    assert "not an RSS/Atom feed or a sitemap" in (result.rows[0].error or "")
    assert [v for _, v in verdicts[1:]] == ["linked", "not-a-copy"]
    assert [o.url for o in result.originals] == [miniweb.originals[0]]
    assert any("not an RSS/Atom feed" in n for n in notes)


def test_saved_page_is_audited_without_an_address(miniweb: MiniWeb, tmp_path) -> None:  # noqa: F811
    import requests

    copy = next(u for u, v in miniweb.expected.items() if v == "canonical")
    saved = tmp_path / "saved.html"
    saved.write_bytes(requests.get(copy, timeout=10).content)

    rows = audit(miniweb.originals[:1], [str(saved)], db=tmp_path / "a.db", **FAST)

    assert rows[0].verdict == "canonical"
    assert rows[0].url == str(saved)


def test_db_of_another_version_is_refused_clearly(tmp_path) -> None:
    db = tmp_path / "old.db"
    Store(db).close()
    with sqlite3.connect(db) as con:
        con.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
    with pytest.raises(InputError, match="another version of sanitizer audit"):
        Store(db)


def test_a_file_that_is_not_a_database_is_refused(tmp_path, capsys) -> None:
    db = tmp_path / "notes.db"
    db.write_text("hello, not sqlite\n" * 100)

    code = main(["audit", "http://127.0.0.1:9/a", "--copies", "http://127.0.0.1:9/b",
                 "--db", str(db), "-q"])

    assert code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is not an audit database" in err[0]


def test_cli_writes_db_reports_and_summary(miniweb: MiniWeb, tmp_path, capsys) -> None:  # noqa: F811
    urls = tmp_path / "copies.txt"
    urls.write_text("# suspects\n" + "\n".join(miniweb.copies) + "\n")
    out = tmp_path / "report"

    code = main(["audit", *miniweb.originals, "-i", str(urls), "--db", str(tmp_path / "a.db"),
                 "--report", str(out), "--allow-private", "--delay", "0"])

    assert code == 1  # some copies could not be fetched
    captured = capsys.readouterr()
    assert "audited 18 copies against 4 originals" in captured.out
    assert "original not used" in captured.out
    data = json.loads((out / "report.json").read_text())
    assert len(data["rows"]) == len(miniweb.copies)
    assert data["summary"]["linked"] == sum(v == "linked" for v in miniweb.expected.values())
    csv_lines = (out / "report.csv").read_text().splitlines()
    assert len(csv_lines) == len(miniweb.copies) + 1
    page = (out / "report.html").read_text()
    assert page.count('<tr class="row ') == len(miniweb.copies)
    assert "<script" not in page and "http-equiv=\"Content-Security-Policy\"" in page


def test_cli_usage_errors(capsys) -> None:
    assert main(["audit", "--copies", "http://127.0.0.1:9/x"]) == 2
    assert main(["audit", "http://127.0.0.1:9/x"]) == 2
    assert "give copies" in capsys.readouterr().err
