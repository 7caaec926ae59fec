"""report.html in headless Chromium: it renders, shows every row, logs no console error."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from audit_fixtures import miniweb  # noqa: F401  (fixture)
from miniweb import MiniWeb

from sanitizer.audit import run_audit
from sanitizer.report import report_data, write_reports

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")
CONSOLE = re.compile(r"CONSOLE|Uncaught|Refused to|Content Security Policy", re.I)


def chromium(*args: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory() as profile:
        return subprocess.run(
            [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--no-first-run",
             f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args],
            capture_output=True, text=True, timeout=90, check=False)


def test_report_renders_with_every_row_and_no_console_errors(miniweb: MiniWeb,  # noqa: F811
                                                            tmp_path: Path) -> None:
    result = run_audit(miniweb.originals, miniweb.copies, db=tmp_path / "a.db",
                       allow_private=True, delay=0.0)
    write_reports(tmp_path / "report", report_data(result.rows, result.originals))
    url = (tmp_path / "report" / "report.html").as_uri()

    dom = chromium("--dump-dom", url)
    shot = chromium("--screenshot=" + str(tmp_path / "shot.png"), "--window-size=1280,900", url)

    assert dom.returncode == 0, dom.stderr[-2000:]
    assert dom.stdout.count('<tr class="row ') == len(miniweb.copies)
    for verdict in ("linked", "canonical", "credited", "upstream", "uncredited", "not-a-copy",
                    "error"):
        assert f'class="badge v-{verdict}"' in dom.stdout
    errors = [line for line in (dom.stderr + shot.stderr).splitlines() if CONSOLE.search(line)]
    assert errors == []
    assert (tmp_path / "shot.png").stat().st_size > 10_000
