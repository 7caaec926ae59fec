"""WARC archives: what `Fetcher(archive=...)` and `sanitizer fetch --warc` write, and
what `read_pages` / `sanitizer clean --warc` read back."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
from httpserver import answer
from warcio.archiveiterator import ArchiveIterator

from sanitizer.archive import WarcArchive, read_pages
from sanitizer.cli import main
from sanitizer.errors import InputError, TooLarge

ROOT = Path(__file__).resolve().parents[1]
REPOST = ROOT / "samples/repost.example/cartels-zerohedge-copy/source.html"
PAGE = b"<!doctype html><html><head><title>T</title></head><body><p>Hello</p></body></html>"
MiB = 2**20


def records(path):
    """Every record of a WARC file: (type, uri, WARC headers, HTTP headers, payload)."""
    out = []
    with open(path, "rb") as handle:
        for record in ArchiveIterator(handle):
            payload = record.content_stream().read()
            out.append((record.rec_type, record.rec_headers.get_header("WARC-Target-URI"),
                        record.rec_headers, record.http_headers, payload))
    return out


def warcio_check(path) -> subprocess.CompletedProcess[str]:
    """`warcio check` (digests, structure) in a subprocess."""
    return subprocess.run([sys.executable, "-m", "warcio.cli", "check", "-v", str(path)],
                          capture_output=True, text=True, timeout=60)


def test_every_exchange_is_archived_and_the_record_id_is_in_the_result(
        http_server, local_fetcher, tmp_path):
    start = http_server.redirect("/old", "/new", status=301)
    http_server.gzipped("/new", PAGE)
    path = tmp_path / "run.warc.gz"

    with WarcArchive(path) as archive:
        result = local_fetcher(archive=archive).fetch(start)

    assert result.ok
    found = records(path)
    kinds = [(kind, uri and uri.rsplit("/", 1)[-1]) for kind, uri, *_ in found]
    assert kinds == [("warcinfo", None), ("request", "robots.txt"), ("response", "robots.txt"),
                     ("request", "old"), ("response", "old"),
                     ("request", "new"), ("response", "new")]
    final = found[-1]
    assert final[2].get_header("WARC-Record-ID") == result.warc_record_id
    assert final[3].get_header("Content-Encoding") == "gzip"  # stored as sent...
    assert final[4] == PAGE  # ...and readable
    request = found[-2]
    assert request[2].get_header("WARC-Concurrent-To") == result.warc_record_id
    assert request[3].get_header("User-Agent").startswith("repost-sanitizer/")
    assert final[2].get_header("WARC-IP-Address") == "127.0.0.1"


def test_the_file_passes_warcio_check(http_server, local_fetcher, tmp_path):
    urls = [http_server.respond("/a", PAGE), http_server.gzipped("/b", PAGE),
            http_server.respond("/c", b"", status=404)]
    path = tmp_path / "run.warc.gz"
    with WarcArchive(path) as archive:
        results = list(local_fetcher(archive=archive).fetch_many(urls))

    assert [r.ok for r in results] == [True, True, False]
    assert results[2].warc_record_id  # failures keep their evidence too
    check = warcio_check(path)
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_body_cut_at_the_cap_is_marked_truncated(http_server, local_fetcher, tmp_path):
    url = http_server.gzip_bomb("/bomb", size=50 * MiB)
    path = tmp_path / "run.warc"

    with WarcArchive(path) as archive, pytest.raises(TooLarge):
        local_fetcher(archive=archive, max_bytes=MiB).get(url)

    response = next(r for r in records(path) if r[0] == "response" and r[1] == url)
    assert response[2].get_header("WARC-Truncated") == "length"
    assert list(read_pages(path)) == []  # a truncated capture is not a page


def test_read_pages_keeps_complete_2xx_html_only(http_server, local_fetcher, tmp_path):
    urls = [http_server.respond("/page", PAGE), http_server.gzipped("/gz", PAGE),
            http_server.respond("/pic", b"\x89PNG", content_type="image/png"),
            http_server.respond("/missing", PAGE, status=404),
            http_server.sequence("/flaky", [answer(b"<p>down</p>", 500), answer(PAGE)])]
    path = tmp_path / "run.warc.gz"
    with WarcArchive(path) as archive:
        list(local_fetcher(archive=archive).fetch_many(urls))

    pages = list(read_pages(path))

    assert sorted(p.url for p in pages) == sorted([urls[0], urls[1], urls[4]])
    assert all(p.content == PAGE and p.status == 200 for p in pages)
    assert all("content-encoding" not in p.headers for p in pages)


def test_read_pages_of_a_missing_or_broken_file(tmp_path):
    with pytest.raises(InputError, match="no such WARC file"):
        list(read_pages(tmp_path / "nope.warc"))
    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(gzip.compress(b"this is not a warc"))
    with pytest.raises(InputError, match="not a readable WARC"):
        list(read_pages(broken))


# the command line ------------------------------------------------------------------------


def test_fetch_warc_then_clean_warc(http_server, tmp_path, capsys):
    body = REPOST.read_bytes()
    urls = [http_server.respond("/2021/07/story-one/", body),
            http_server.respond("/2021/07/story-two", body),
            http_server.respond("/gone", b"", status=404)]
    warc, jsonl, out = tmp_path / "run.warc.gz", tmp_path / "run.jsonl", tmp_path / "out"

    code = main(["fetch", "-q", "--allow-private", "--delay", "0", "--warc", str(warc),
                 "--jsonl", str(jsonl), *urls])
    capsys.readouterr()

    assert code == 1  # one input failed
    lines = [json.loads(line) for line in jsonl.read_text().splitlines()]
    assert [line["url"] for line in lines] == urls
    ids = {r[2].get_header("WARC-Record-ID") for r in records(warc) if r[0] == "response"}
    assert all(line["warc_record_id"] in ids for line in lines)
    assert warcio_check(warc).returncode == 0

    code = main(["clean", "-q", "--warc", str(warc), "--out-dir", str(out)])
    _, err = capsys.readouterr()

    assert code == 0, err
    names = sorted(p.name for p in out.iterdir())
    assert len(names) == 2 and any("story-one" in n for n in names), names
    assert "Mexican cartels" in (out / names[0]).read_text()


def test_clean_warc_with_several_pages_needs_out_dir(http_server, local_fetcher, tmp_path,
                                                     capsys):
    path = tmp_path / "run.warc"
    with WarcArchive(path) as archive:
        list(local_fetcher(archive=archive).fetch_many(
            [http_server.respond("/a", PAGE), http_server.respond("/b", PAGE)]))

    assert main(["clean", "--warc", str(path)]) == 2
    assert "--out-dir" in capsys.readouterr().err
