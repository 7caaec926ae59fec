"""A `sanitizer audit` killed with SIGKILL mid-run, then re-run, gives the same report as an
uninterrupted run, with no duplicate rows (every row is committed on its own, WAL)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from audit_fixtures import miniweb  # noqa: F401  (fixture)
from miniweb import MiniWeb, page, sample_paragraphs

ROOT = Path(__file__).resolve().parents[1]
SLOW = 0.3  # seconds each extra copy takes to answer


def add_slow_copies(web: MiniWeb, n: int = 16) -> list[str]:
    """n linked copies of the first original, each answering after SLOW seconds."""
    server = web.sites.server("slowfarm")
    title, paragraphs = sample_paragraphs("exampletimes.example/council-bike-lanes")
    urls = []
    for i in range(n):
        body = page(title=f"{title} ({i})", site="Slow Farm", paragraphs=paragraphs,
                    bottom=f'<p>Source: <a href="{web.originals[0]}">Riverton Times</a></p>')
        server.slow_headers(f"/copy-{i}/", SLOW, body)
        urls.append(server.url(f"/copy-{i}/"))
    return urls


def run_audit_cli(args: list[str]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "sanitizer", "audit", *args], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def copies_in(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as con:
            return int(con.execute("SELECT count(*) FROM copies").fetchone()[0])
    except sqlite3.OperationalError:  # the tables are not there yet
        return 0


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_sigkill_then_rerun_gives_the_uninterrupted_report(miniweb: MiniWeb,  # noqa: F811
                                                           tmp_path: Path) -> None:
    copies = [*miniweb.copies, *add_slow_copies(miniweb)]
    common = [*miniweb.originals, "--copies", *copies, "--allow-private", "--delay", "0",
              "--workers", "1", "-q"]

    killed_db = tmp_path / "killed.db"
    proc = run_audit_cli([*common, "--db", str(killed_db)])
    deadline = time.monotonic() + 60
    while copies_in(killed_db) < 6 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert proc.poll() is None, "the audit finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    rows_at_kill = copies_in(killed_db)
    assert 6 <= rows_at_kill < len(copies)

    resumed = run_audit_cli([*common, "--db", str(killed_db), "--report", str(tmp_path / "r1")])
    resumed.communicate(timeout=120)
    whole = run_audit_cli([*common, "--db", str(tmp_path / "whole.db"),
                           "--report", str(tmp_path / "r2")])
    whole.communicate(timeout=120)

    first = json.loads((tmp_path / "r1" / "report.json").read_text())
    second = json.loads((tmp_path / "r2" / "report.json").read_text())
    assert first == second
    assert len(first["rows"]) == len(copies)
    with sqlite3.connect(killed_db) as con:
        total, distinct = con.execute("SELECT count(*), count(DISTINCT url) FROM copies").fetchone()
    assert total == distinct == len(copies)
