"""Scale-out (DESIGN.md §6): the audit on a real Dask LocalCluster of 2 workers gives what
the local engine gives, reads WARC files of 500+ pages, and survives a killed worker."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
from audit_fixtures import miniweb  # noqa: F401  (fixture)
from miniweb import MiniWeb
from warc_corpus import READABILITY, WarcCorpus, build

from sanitizer.audit import AuditRow, run_audit
from sanitizer.cli import main
from sanitizer.engine import DaskEngine

pytest.importorskip("distributed")
FAST = {"allow_private": False, "delay": 0.0}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> WarcCorpus:
    if not READABILITY.is_dir():
        pytest.skip("../shared/corpus is not here")
    return build(tmp_path_factory.mktemp("warc"))


@pytest.fixture(scope="module")
def engine() -> DaskEngine:  # type: ignore[misc]
    with DaskEngine(workers=2) as made:
        yield made


@pytest.fixture(scope="module")
def dask_rows(corpus: WarcCorpus, engine: DaskEngine,
              tmp_path_factory: pytest.TempPathFactory) -> dict[str, AuditRow]:
    db = tmp_path_factory.mktemp("db") / "a.db"
    run = run_audit(corpus.originals, warcs=[str(corpus.warc)], db=db, engine=engine, **FAST)
    return {row.url: row for row in run.rows}


def test_dask_and_local_reports_are_identical(miniweb: MiniWeb, tmp_path: Path) -> None:  # noqa: F811
    reports = {}
    for name, extra in (("local", []), ("dask", ["--engine", "dask", "--workers", "2"])):
        main(["audit", "-q", *miniweb.originals, "--copies", *miniweb.copies, "--db",
              str(tmp_path / f"{name}.db"), "--report", str(tmp_path / name),
              "--allow-private", "--delay", "0", *extra])
        reports[name] = json.loads((tmp_path / name / "report.json").read_text())
    assert len(reports["dask"]["rows"]) == len(miniweb.copies)
    assert reports["dask"] == reports["local"]


def test_a_warc_of_500_pages_is_audited_on_dask(corpus: WarcCorpus,
                                                dask_rows: dict[str, AuditRow]) -> None:
    assert corpus.records >= 500
    assert len(dask_rows) == corpus.records  # every record, one row
    for url, original in corpus.copy_of.items():
        row = dask_rows[url]
        assert row.original == original, (url, row.verdict, row.error)
        assert row.verdict != "not-a-copy"
        assert any("WARC record" in e for e in row.evidence)
        if "/uncredited/" in url:  # (a wire dateline in the text may still name an agency)
            assert row.verdict in {"uncredited", "upstream", "credited"}, row.evidence
        if "/canonical/" in url:
            assert row.verdict in {"canonical", "upstream"}, row.evidence
        if "/partial/" in url:
            assert 0.2 <= row.share <= 0.7
    copied = {u: (dask_rows[u].original, dask_rows[u].share) for u in corpus.unrelated
              if dask_rows[u].verdict != "not-a-copy"}
    assert copied == {}


def test_a_killed_worker_still_yields_a_complete_report(
        corpus: WarcCorpus, engine: DaskEngine, dask_rows: dict[str, AuditRow],
        tmp_path: Path) -> None:
    pids = list(engine.client.run(os.getpid).values())
    killed: list[int] = []

    def kill_one(row: AuditRow, resumed: bool, total: int) -> None:
        if not killed:
            killed.append(pids[0])
            os.kill(pids[0], signal.SIGKILL)

    run = run_audit(corpus.originals, warcs=[str(corpus.warc)], db=tmp_path / "a.db",
                    engine=engine, on_row=kill_one, **FAST)
    assert killed
    got = {row.url: (row.verdict, row.original, row.share) for row in run.rows}
    assert got == {url: (row.verdict, row.original, row.share) for url, row in dask_rows.items()}
