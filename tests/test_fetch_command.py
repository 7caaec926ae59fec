"""`sanitizer fetch` and the network options of `sanitizer clean`."""

from __future__ import annotations

import json

from sanitizer.cli import main

PAGE = b"<!doctype html><html><head><title>T</title></head><body><p>Hello</p></body></html>"
FIELDS = {"url", "final_url", "status", "ok", "error", "redirects", "bytes", "encoding",
          "elapsed", "warc_record_id"}


def test_fetch_writes_one_jsonl_line_per_input(http_server, tmp_path, capsys):
    http_server.robots("User-agent: *\nDisallow: /private\n")
    ok = http_server.redirect("/start", "/page")
    http_server.respond("/page", PAGE)
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# a comment\n{http_server.url('/private')}\n\n"
                       f"{http_server.url('/missing')}\n")

    code = main(["fetch", "--allow-private", "--delay", "0", "--retries", "0",
                 ok, "-i", str(listing)])
    out, err = capsys.readouterr()

    assert code == 1
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 3
    assert all(set(line) >= FIELDS for line in lines)
    first, robots, missing = lines
    assert first["ok"] and first["status"] == 200 and first["redirects"] == [ok]
    assert first["final_url"] == http_server.url("/page") and first["encoding"] == "utf-8"
    assert first["bytes"] == len(PAGE) and first["error"] is None
    assert robots["error"]["type"] == "RobotsDisallowed" and robots["ignore_robots"] is False
    assert missing["error"]["type"] == "HTTPStatusError" and missing["status"] == 404
    assert "2 failed" in err and "RobotsDisallowed 1" in err


def test_fetch_refuses_loopback_without_allow_private(http_server, tmp_path, capsys):
    url = http_server.respond("/page", PAGE)
    jsonl = tmp_path / "out.jsonl"

    code = main(["fetch", "-q", "--jsonl", str(jsonl), url])
    _, err = capsys.readouterr()

    assert code == 1
    assert json.loads(jsonl.read_text())["error"]["type"] == "BlockedAddress"
    assert "--allow-private" in err
    assert http_server.requests == []


def test_fetch_ignore_robots_is_recorded(http_server, capsys):
    http_server.robots("User-agent: *\nDisallow: /\n")
    url = http_server.respond("/page", PAGE)

    code = main(["fetch", "--allow-private", "--ignore-robots", "--delay", "0", url])
    out, err = capsys.readouterr()

    assert code == 0
    assert json.loads(out)["ignore_robots"] is True
    assert "robots.txt was ignored" in err


def test_fetch_without_urls_is_a_usage_error(capsys):
    assert main(["fetch"]) == 2
    assert "give URLs" in capsys.readouterr().err


def test_fetch_cache_answers_a_rerun(http_server, tmp_path, capsys):
    url = http_server.respond("/page", PAGE)
    cache = tmp_path / "cache.sqlite"
    args = ["fetch", "-q", "--allow-private", "--delay", "0", "--cache", str(cache), url]

    assert main(args) == 0
    first = json.loads(capsys.readouterr().out)
    assert main(args) == 0
    second = json.loads(capsys.readouterr().out)

    assert not first["from_cache"] and second["from_cache"]
    assert second["bytes"] == len(PAGE)
    assert [r.path for r in http_server.requests] == ["/robots.txt", "/page"]


def test_clean_refuses_loopback_unless_allowed(http_server, capsys):
    url = http_server.respond("/page", PAGE)

    assert main(["clean", url]) == 1
    assert "--allow-private" in capsys.readouterr().err
    assert main(["clean", "--allow-private", "--contact", "mailto:ops@example.org", url]) == 0
    agent = http_server.received("/page").headers["user-agent"]
    assert agent.endswith("(+mailto:ops@example.org)")
