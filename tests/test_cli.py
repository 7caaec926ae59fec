"""The `sanitizer` command line: `sanitizer.cli.main([...])` in-process, and a few runs of
`python -m sanitizer` as a subprocess for exit codes and clean stderr.

URL cases use the real HTTP server on 127.0.0.1 from tests/httpserver.py (no mocks); the
inputs are the sample pages in samples/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from lxml import html as lxml_html

import sanitizer
from sanitizer.cli import main
from sanitizer.rulebook import load_rules

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
REPOST_DIR = SAMPLES / "repost.example" / "cartels-zerohedge-copy"
REPOST = REPOST_DIR / "source.html"
REPOST_META = tomllib.loads((REPOST_DIR / "meta.toml").read_text(encoding="utf-8"))
REPOST_URL = REPOST_META["url"]
SOURCE_URL = REPOST_META["expected_source"]["url"]
KEEPS = REPOST_META["keeps"]
DROPS = REPOST_META["drops"]
OTHER = SAMPLES / "exampletimes.example" / "council-bike-lanes" / "source.html"

JSON_KEYS = {"url", "title", "byline", "published", "site_name", "lang", "original_source",
             "removed", "html", "text"}
SOURCE_KEYS = {"url", "publisher", "author", "published", "confidence", "evidence"}


# helpers ------------------------------------------------------------------------------


def visible_text(markup: str) -> str:
    """The text of some HTML, whitespace (and no-break spaces) collapsed to one space."""
    root = lxml_html.fromstring(markup)
    return " ".join(root.text_content().replace("\xa0", " ").split())


def norm(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def assert_one_error_line(stderr: str, *mentions: str) -> str:
    """stderr is exactly one line, `sanitizer: error: ...`, naming each of `mentions`."""
    assert "Traceback" not in stderr
    lines = error_lines(stderr)
    assert len(lines) == 1, stderr
    assert lines[0].startswith("sanitizer: error:"), stderr
    for mention in mentions:
        assert mention in lines[0], (mention, lines[0])
    return lines[0]


def run_cli(*args: str, input: bytes | None = None, cwd: Path | None = None,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """`python -m sanitizer ARGS` in a fresh interpreter that imports this checkout."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PYTHONIOENCODING"] = "utf-8"
    proc = subprocess.run(
        [sys.executable, "-m", "sanitizer", *args],
        input=input, capture_output=True, cwd=cwd or ROOT, env=env, timeout=timeout,
    )
    return subprocess.CompletedProcess(
        proc.args, proc.returncode,
        proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"),
    )


def write_rules(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def clean_repost(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    code = main(["clean", str(REPOST), "--base-url", REPOST_URL, *extra])
    out, err = capsys.readouterr()
    return code, out, err


# clean FILE: the HTML document ----------------------------------------------------------


def test_clean_file_writes_a_full_html5_document(capsys):
    code, out, err = clean_repost(capsys)

    assert code == 0, err
    assert out.startswith("<!DOCTYPE html>")
    root = lxml_html.document_fromstring(out)
    assert root.tag == "html"
    assert root.find("head") is not None and root.find("body") is not None
    assert root.xpath("//head/meta[@charset='utf-8']")
    assert root.findtext(".//head/title")
    assert out.rstrip().endswith("</html>")


def test_clean_file_keeps_the_article_text(capsys):
    code, out, _ = clean_repost(capsys)

    assert code == 0
    body_text = visible_text(out)
    for keep in KEEPS:
        assert norm(keep) in body_text


def test_clean_file_drops_share_bait_source_link_and_comments(capsys):
    code, out, _ = clean_repost(capsys)

    assert code == 0
    body_text = visible_text(out)
    assert {"Spread it!", "Source link", "Comment box"} <= set(DROPS)
    for drop in DROPS:
        assert drop not in body_text


def test_clean_file_credits_the_original_in_a_footer(capsys):
    code, out, _ = clean_repost(capsys)

    assert code == 0
    root = lxml_html.document_fromstring(out)
    footers = root.xpath("//body//footer[@class='attribution']")
    assert len(footers) == 1
    assert SOURCE_URL in [a.get("href") for a in footers[0].iter("a")]


def test_clean_file_head_has_canonical_and_original_source_meta(capsys):
    code, out, _ = clean_repost(capsys)

    assert code == 0
    root = lxml_html.document_fromstring(out)
    assert root.xpath("//head/link[@rel='canonical']/@href") == [SOURCE_URL]
    assert root.xpath("//head/meta[@name='original-source']/@content") == [SOURCE_URL]


def test_clean_file_output_has_no_scripts_or_event_handlers(capsys):
    code, out, _ = clean_repost(capsys)

    assert code == 0
    root = lxml_html.document_fromstring(out)
    assert not root.xpath("//script | //iframe | //style")
    assert not root.xpath("//@*[starts-with(name(), 'on')]")
    assert not [h for h in root.xpath("//@href | //@src") if h.strip().lower().startswith(
        "javascript:")]


# formats ---------------------------------------------------------------------------------


def test_format_fragment_is_the_article_without_a_document(capsys):
    code, out, _ = clean_repost(capsys, "--format", "fragment")

    assert code == 0
    assert "<!DOCTYPE" not in out and "<head" not in out and "<body" not in out
    fragment = lxml_html.fragment_fromstring(out.strip())
    assert fragment.tag == "article"
    assert fragment.xpath(".//footer[@class='attribution']//a/@href") == [SOURCE_URL]
    assert norm(KEEPS[0]) in visible_text(out)


def test_format_text_is_plain_text_with_keeps_and_without_drops(capsys):
    code, out, _ = clean_repost(capsys, "-f", "text")

    assert code == 0
    assert not re.search(r"<\s*/?\s*(p|div|article|a|footer)\b", out)
    text = norm(out)
    for keep in KEEPS:
        assert norm(keep) in text
    for drop in DROPS:
        assert drop not in text


def test_format_text_is_the_text_of_the_json_output(capsys):
    _, out, _ = clean_repost(capsys, "-f", "text")  # made without markup (Options.text_only)
    _, data, _ = clean_repost(capsys, "-f", "json")

    assert out.strip() == json.loads(data)["text"].strip()


def test_format_json_has_every_documented_key(capsys):
    code, out, _ = clean_repost(capsys, "--format", "json")

    assert code == 0
    data = json.loads(out)
    assert set(data) >= JSON_KEYS
    assert set(data["original_source"]) >= SOURCE_KEYS
    assert data["removed"], "the repost has share-bait to remove"
    for removal in data["removed"]:
        assert set(removal) >= {"rule", "text"}
        assert isinstance(removal["rule"], str) and removal["rule"]


def test_format_json_values_describe_the_page_and_its_source(capsys):
    code, out, _ = clean_repost(capsys, "--format", "json")

    assert code == 0
    data = json.loads(out)
    assert data["url"] == REPOST_URL
    assert data["original_source"]["url"] == SOURCE_URL
    assert data["original_source"]["publisher"] == REPOST_META["expected_source"]["publisher"]
    assert isinstance(data["original_source"]["evidence"], list)
    assert 0 < data["original_source"]["confidence"] <= 1
    assert norm(KEEPS[0]) in norm(data["text"])
    assert "<article" in data["html"]
    removed_text = " ".join(r["text"] for r in data["removed"])
    assert "Spread it!" in removed_text and "Source link" in removed_text


# output files ----------------------------------------------------------------------------


def test_output_option_writes_the_file_and_nothing_to_stdout(capsys, tmp_path):
    target = tmp_path / "clean.html"

    code, out, err = clean_repost(capsys, "-o", str(target))

    assert code == 0, err
    assert out == ""
    written = target.read_text(encoding="utf-8")
    assert written.startswith("<!DOCTYPE html>")
    assert norm(KEEPS[0]) in visible_text(written)


def test_several_sources_without_out_dir_is_a_usage_error(capsys, tmp_path):
    code = main(["clean", str(REPOST), str(OTHER)])
    out, err = capsys.readouterr()

    assert code == 2
    assert out == ""
    lines = error_lines(err)
    assert len(lines) == 1 and "--out-dir" in lines[0]
    assert "Traceback" not in err


def test_output_and_out_dir_together_is_a_usage_error(capsys, tmp_path):
    code = main(["clean", str(REPOST), "-o", str(tmp_path / "a.html"),
                 "--out-dir", str(tmp_path / "out")])
    _, err = capsys.readouterr()

    assert code == 2
    assert len(error_lines(err)) == 1
    assert not (tmp_path / "a.html").exists()


def test_out_dir_writes_one_file_per_source_named_after_its_stem(capsys, tmp_path):
    shutil.copy(REPOST, tmp_path / "alpha.html")
    shutil.copy(OTHER, tmp_path / "beta.htm")
    out_dir = tmp_path / "out"

    code = main(["clean", "-q", "--out-dir", str(out_dir),
                 str(tmp_path / "alpha.html"), str(tmp_path / "beta.htm")])
    out, err = capsys.readouterr()

    assert code == 0, err
    assert out == ""
    assert sorted(p.name for p in out_dir.iterdir()) == ["alpha.html", "beta.html"]
    assert norm(KEEPS[0]) in visible_text((out_dir / "alpha.html").read_text("utf-8"))


@pytest.mark.parametrize(("fmt", "extension"),
                         [("json", ".json"), ("text", ".txt"), ("fragment", ".html")])
def test_out_dir_uses_the_formats_extension(capsys, tmp_path, fmt, extension):
    shutil.copy(REPOST, tmp_path / "alpha.html")
    shutil.copy(OTHER, tmp_path / "beta.html")
    out_dir = tmp_path / "out"

    code = main(["clean", "-q", "-f", fmt, "--out-dir", str(out_dir),
                 str(tmp_path / "alpha.html"), str(tmp_path / "beta.html")])
    capsys.readouterr()

    assert code == 0
    assert sorted(p.name for p in out_dir.iterdir()) == [f"alpha{extension}",
                                                         f"beta{extension}"]
    if fmt == "json":
        assert json.loads((out_dir / "alpha.json").read_text("utf-8"))["text"]


def test_out_dir_does_not_overwrite_inputs_with_the_same_stem(capsys, tmp_path):
    out_dir = tmp_path / "out"
    assert REPOST.stem == OTHER.stem == "source"

    code = main(["clean", "-q", "-f", "json", "--out-dir", str(out_dir), str(REPOST),
                 str(OTHER)])
    capsys.readouterr()

    assert code == 0
    files = sorted(out_dir.iterdir())
    assert len(files) == 2
    titles = {json.loads(p.read_text("utf-8"))["title"] for p in files}
    assert len(titles) == 2, "each input got its own output file"


def test_out_dir_creates_the_folder(capsys, tmp_path):
    out_dir = tmp_path / "deep" / "er" / "out"

    code = main(["clean", "-q", "--out-dir", str(out_dir), str(REPOST)])
    capsys.readouterr()

    assert code == 0
    assert [p.name for p in out_dir.iterdir()] == ["source.html"]


def test_out_dir_names_url_sources_with_a_slug(capsys, tmp_path, http_server):
    page = REPOST.read_bytes()
    first = http_server.respond("/2021/07/story-one/", page)
    second = http_server.respond("/2021/07/story-two", page)
    out_dir = tmp_path / "out"

    code = main(["clean", "--allow-private", "-q", "--out-dir", str(out_dir), first, second])
    _, err = capsys.readouterr()

    assert code == 0, err
    names = sorted(p.name for p in out_dir.iterdir())
    assert len(names) == 2
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+\.html", n) for n in names), names
    assert any("story-one" in n for n in names) and any("story-two" in n for n in names)


def test_url_slug_never_escapes_out_dir(capsys, tmp_path, http_server):
    page = REPOST.read_bytes()
    http_server.respond("/a", page)
    http_server.respond("/b/..%2F..%2F..%2Fescaped", page)
    sources = [
        http_server.url("/a?next=../../../escaped"),
        http_server.url("/b/..%2F..%2F..%2Fescaped"),
        http_server.url("/a?p=..\\..\\escaped&q=/etc/passwd"),
    ]
    out_dir = tmp_path / "box" / "out"

    code = main(["clean", "--allow-private", "-q", "--out-dir", str(out_dir), *sources])
    _, err = capsys.readouterr()

    assert code == 0, err
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert len(written) == 3
    for path in written:
        assert path.parent == out_dir, path
        assert path.resolve().is_relative_to(out_dir.resolve())


# --original and --explain ----------------------------------------------------------------


def test_original_overrides_the_detected_source(capsys):
    given = "https://original.example/news/2021/the-real-story"

    code, out, _ = clean_repost(capsys, "--original", given)

    assert code == 0
    root = lxml_html.document_fromstring(out)
    assert root.xpath("//head/link[@rel='canonical']/@href") == [given]
    assert root.xpath("//head/meta[@name='original-source']/@content") == [given]
    credit = root.xpath("//footer[@class='attribution']//a/@href")
    assert given in credit
    assert SOURCE_URL not in out


def test_original_is_reported_in_json_with_its_evidence(capsys):
    given = "https://original.example/news/2021/the-real-story"

    code, out, _ = clean_repost(capsys, "-f", "json", "--original", given)

    assert code == 0
    source = json.loads(out)["original_source"]
    assert source["url"] == given
    assert any("original" in reason for reason in source["evidence"])


def test_explain_prints_removals_with_rule_ids_to_stderr(capsys):
    code, out, err = clean_repost(capsys, "--explain")

    assert code == 0
    removals = re.findall(r"^removed by ([\w.-]+): (.*)$", err, flags=re.M)
    assert removals, err
    rulebook = load_rules()
    known = {r.id for f in rulebook.files for r in (*f.strips, *f.phrases, *f.allows)}
    assert {rule for rule, _ in removals} <= known
    spread = [rule for rule, text in removals if "Spread it!" in text]
    assert spread, "the 'Spread it!' removal is explained"
    assert "removed by" not in out
    assert out.startswith("<!DOCTYPE html>")


def test_explain_names_the_source_and_its_evidence(capsys):
    code, _, err = clean_repost(capsys, "--explain")

    assert code == 0
    assert f"source: {SOURCE_URL}" in err
    assert re.search(r"^\s+evidence: ", err, flags=re.M)


def test_without_explain_stderr_is_quiet(capsys):
    code, _, err = clean_repost(capsys)

    assert code == 0
    assert "removed by" not in err


# clean URL ---------------------------------------------------------------------------------


def test_clean_url_served_as_text_html(capsys, http_server):
    url = http_server.respond("/2021/07/human-intelligence-drys-up/", REPOST.read_bytes(),
                              content_type="text/html; charset=utf-8")

    code = main(["clean", "--allow-private", url])
    out, err = capsys.readouterr()

    assert code == 0, err
    text = visible_text(out)
    for keep in KEEPS:
        assert norm(keep) in text
    for drop in DROPS:
        assert drop not in text
    root = lxml_html.document_fromstring(out)
    assert SOURCE_URL in root.xpath("//footer[@class='attribution']//a/@href")
    assert http_server.received("/2021/07/human-intelligence-drys-up/").method == "GET"


def test_clean_url_from_the_samples_folder(capsys, http_server):
    base = http_server.serve_directory("/samples", SAMPLES)
    url = base + "repost.example/cartels-zerohedge-copy/source.html"

    code = main(["clean", "--allow-private", "-f", "json", url])
    out, err = capsys.readouterr()

    assert code == 0, err
    data = json.loads(out)
    assert data["original_source"]["url"] == SOURCE_URL
    assert norm(KEEPS[1]) in norm(data["text"])


def test_clean_url_follows_redirects(capsys, http_server):
    http_server.respond("/final", REPOST.read_bytes())
    start = http_server.redirect_chain(["/start", "/middle", "/final"])

    code = main(["clean", "--allow-private", "-f", "text", start])
    out, err = capsys.readouterr()

    assert code == 0, err
    assert norm(KEEPS[0]) in norm(out)
    assert [r.path for r in http_server.requests] == ["/robots.txt", "/start", "/middle", "/final"]


# bad inputs: one line on stderr, exit 1 -------------------------------------------------------


def test_missing_file(capsys, tmp_path):
    missing = tmp_path / "nope.html"

    code = main(["clean", str(missing)])
    out, err = capsys.readouterr()

    assert code == 1
    assert out == ""
    assert_one_error_line(err, "nope.html")


def test_directory_as_input(capsys, tmp_path):
    code = main(["clean", str(tmp_path)])
    _, err = capsys.readouterr()

    assert code == 1
    line = assert_one_error_line(err, str(tmp_path))
    assert "directory" in line


def test_unreachable_url(capsys, http_server):
    url = http_server.refused_url("/page")

    code = main(["clean", "--allow-private", url])
    _, err = capsys.readouterr()

    assert code == 1
    line = assert_one_error_line(err, url)
    assert "refused" in line


def test_non_html_response(capsys, http_server):
    url = http_server.respond("/pic.png", b"\x89PNG\r\n\x1a\n" + bytes(64),
                              content_type="image/png")

    code = main(["clean", "--allow-private", url])
    _, err = capsys.readouterr()

    assert code == 1
    line = assert_one_error_line(err, url)
    assert "image/png" in line


def test_http_404(capsys, http_server):
    url = http_server.url("/gone")

    code = main(["clean", "--allow-private", url])
    _, err = capsys.readouterr()

    assert code == 1
    line = assert_one_error_line(err, url)
    assert "404" in line


def test_empty_file(capsys, tmp_path):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")

    code = main(["clean", str(empty)])
    _, err = capsys.readouterr()

    assert code == 1
    line = assert_one_error_line(err, "empty.html")
    assert "empty" in line.removeprefix("sanitizer: error:").replace("empty.html", "")


def test_binary_garbage_fails_cleanly(tmp_path):
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(os.urandom(4096).replace(b"<", b"\0") + bytes(256))

    proc = run_cli("clean", str(garbage))

    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    last = error_lines(proc.stderr)[-1]
    assert last.startswith("sanitizer: error:") and "garbage.bin" in last
    assert proc.stdout == ""


def test_binary_garbage_gives_exactly_one_stderr_line(tmp_path):
    garbage = tmp_path / "garbage.bin"
    garbage.write_bytes(os.urandom(4096).replace(b"<", b"\0") + bytes(256))

    proc = run_cli("clean", str(garbage))

    assert proc.returncode == 1
    assert_one_error_line(proc.stderr, "garbage.bin")


def test_file_over_the_size_cap_is_too_large(capsys, tmp_path):
    big = tmp_path / "big.html"
    block = b"<p>" + b"x" * (2**20 - 7) + b"</p>\n"
    with big.open("wb") as f:
        f.write(b"<!doctype html><html><body>\n")
        for _ in range(50):
            f.write(block)
    assert big.stat().st_size >= 50 * 2**20

    code = main(["clean", str(big)])
    out, err = capsys.readouterr()

    assert code == 1
    assert out == ""
    line = assert_one_error_line(err, "big.html")
    assert "too large" in line


def test_invalid_utf8_inside_an_html_page_is_still_cleaned(tmp_path):
    raw = REPOST.read_bytes()
    at = raw.index(b"Current and former")
    broken = tmp_path / "broken.html"
    broken.write_bytes(raw[:at] + b"\xff\xfe\xc3( " + raw[at:])

    proc = run_cli("clean", str(broken), "--base-url", REPOST_URL, "-f", "text")

    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    text = norm(proc.stdout.replace("\ufffd", " "))
    for keep in KEEPS:
        assert norm(keep) in text


# bad --rules folders ------------------------------------------------------------------------


def test_rules_with_a_toml_syntax_error(capsys, tmp_path):
    rules = write_rules(tmp_path / "rules", {"broken.toml": '[[strip]]\nid = "x.one"\ncss =\n'})

    code = main(["clean", str(REPOST), "--rules", str(rules)])
    out, err = capsys.readouterr()

    assert code == 1
    assert out == ""
    line = assert_one_error_line(err, "broken.toml")
    assert "TOML" in line


def test_rules_with_an_unknown_key(capsys, tmp_path):
    rules = write_rules(tmp_path / "rules", {
        "boilerplate/mine.toml": '[[strip]]\nid = "mine.colour"\ncss = ".x"\ncolour = "red"\n'})

    code = main(["clean", str(REPOST), "--rules", str(rules)])
    _, err = capsys.readouterr()

    assert code == 1
    assert_one_error_line(err, "mine.toml", "mine.colour", "colour")


def test_rules_with_an_invalid_css_selector(capsys, tmp_path):
    rules = write_rules(tmp_path / "rules", {
        "badcss.toml": '[[strip]]\nid = "mine.bad-css"\ncss = "div[[["\n'})

    code = main(["clean", str(REPOST), "--rules", str(rules)])
    _, err = capsys.readouterr()

    assert code == 1
    assert_one_error_line(err, "badcss.toml", "mine.bad-css")


def test_rules_with_duplicate_rule_ids(capsys, tmp_path):
    rules = write_rules(tmp_path / "rules", {
        "a/one.toml": '[[strip]]\nid = "mine.twice"\ncss = ".foo"\n',
        "b/two.toml": '[[strip]]\nid = "mine.twice"\ncss = ".bar"\n',
    })

    code = main(["clean", str(REPOST), "--rules", str(rules)])
    _, err = capsys.readouterr()

    assert code == 1
    line = assert_one_error_line(err, "mine.twice", "duplicate")
    assert "one.toml" in line and "two.toml" in line


def test_rules_reusing_a_bundled_rule_id_is_a_duplicate(capsys, tmp_path):
    bundled_id = load_rules().files[0].strips[0].id
    rules = write_rules(tmp_path / "rules", {
        "extra.toml": f'[[strip]]\nid = "{bundled_id}"\ncss = ".bar"\n'})

    code = main(["clean", str(REPOST), "--rules", str(rules)])
    _, err = capsys.readouterr()

    assert code == 1
    assert_one_error_line(err, "extra.toml", bundled_id)


def test_rules_file_with_the_bundled_path_replaces_it_without_duplicates(capsys, tmp_path):
    bundled = load_rules().files[0]
    relative = Path(bundled.path).relative_to(ROOT / "rules")
    rules = tmp_path / "rules"
    (rules / relative).parent.mkdir(parents=True)
    shutil.copy(bundled.path, rules / relative)

    code = main(["clean", "-f", "text", str(REPOST), "--base-url", REPOST_URL,
                 "--rules", str(rules)])
    out, err = capsys.readouterr()

    assert code == 0, err
    assert norm(KEEPS[0]) in norm(out)


def test_missing_rules_folder(capsys, tmp_path):
    code = main(["clean", str(REPOST), "--rules", str(tmp_path / "no-such-rules")])
    _, err = capsys.readouterr()

    assert code == 1
    assert_one_error_line(err, "no-such-rules")


# usage errors and --debug ----------------------------------------------------------------------


def test_unknown_format_is_a_usage_error(capsys):
    code = main(["clean", str(REPOST), "--format", "yaml"])
    out, err = capsys.readouterr()

    assert code == 2
    assert out == ""
    assert "yaml" in err and "Traceback" not in err


def test_unknown_format_exit_code_from_a_subprocess():
    proc = run_cli("clean", str(REPOST), "-f", "yaml")

    assert proc.returncode == 2
    assert "invalid choice" in proc.stderr and "Traceback" not in proc.stderr


def test_no_command_is_a_usage_error(capsys):
    code = main([])
    _, err = capsys.readouterr()

    assert code == 2
    assert "usage:" in err


def test_unsupported_url_scheme(capsys):
    code = main(["clean", "ftp://files.example/page.html"])
    _, err = capsys.readouterr()

    assert code == 1
    assert_one_error_line(err, "ftp://files.example/page.html")


@pytest.mark.parametrize("case", ["missing", "directory", "empty"])
def test_bad_input_from_a_subprocess_is_one_line_and_exit_1(tmp_path, case):
    target = {"missing": tmp_path / "missing.html", "directory": tmp_path,
              "empty": tmp_path / "empty.html"}[case]
    if case == "empty":
        target.write_bytes(b"")

    proc = run_cli("clean", str(target))

    assert proc.returncode == 1
    assert proc.stdout == ""
    assert_one_error_line(proc.stderr, target.name)


def test_http_404_from_a_subprocess(http_server):
    url = http_server.url("/missing-page")

    proc = run_cli("clean", "--allow-private", url)

    assert proc.returncode == 1
    assert_one_error_line(proc.stderr, "404", url)


def test_debug_shows_a_traceback_for_a_failing_single_input(tmp_path):
    missing = tmp_path / "nope.html"

    proc = run_cli("clean", "--debug", str(missing))

    assert proc.returncode == 1
    assert "Traceback (most recent call last)" in proc.stderr
    assert "InputError" in proc.stderr
    assert error_lines(proc.stderr)[-1].startswith("sanitizer: error:")


def test_successful_run_from_a_subprocess_is_quiet_on_stderr():
    proc = run_cli("clean", str(REPOST), "--base-url", REPOST_URL)

    assert proc.returncode == 0
    assert proc.stderr == ""
    assert proc.stdout.startswith("<!DOCTYPE html>")


# batches -----------------------------------------------------------------------------------------


def test_batch_with_a_missing_middle_source(capsys, tmp_path):
    shutil.copy(REPOST, tmp_path / "first.html")
    shutil.copy(OTHER, tmp_path / "third.html")
    missing = tmp_path / "second.html"
    out_dir = tmp_path / "out"

    code = main(["clean", "--out-dir", str(out_dir), str(tmp_path / "first.html"),
                 str(missing), str(tmp_path / "third.html")])
    _, err = capsys.readouterr()

    assert code == 1
    assert sorted(p.name for p in out_dir.iterdir()) == ["first.html", "third.html"]
    errors = [line for line in error_lines(err) if line.startswith("sanitizer: error:")]
    assert len(errors) == 1 and "second.html" in errors[0]
    assert "Traceback" not in err


def test_batch_prints_a_summary_unless_quiet(capsys, tmp_path):
    shutil.copy(REPOST, tmp_path / "first.html")
    args = ["clean", "--out-dir", str(tmp_path / "out"), str(tmp_path / "first.html"),
            str(tmp_path / "missing.html")]

    assert main(args) == 1
    _, err = capsys.readouterr()
    assert re.search(r"1 done, 1 failed", err)

    assert main([*args, "-q"]) == 1
    _, err = capsys.readouterr()
    assert "done" not in err
    assert len(error_lines(err)) == 1


def test_batch_with_a_missing_middle_source_from_a_subprocess(tmp_path, http_server):
    url = http_server.respond("/third-page", OTHER.read_bytes())
    missing = tmp_path / "second.html"
    out_dir = tmp_path / "out"

    proc = run_cli("clean", "--allow-private", "-q", "--out-dir", str(out_dir), str(REPOST),
                   str(missing), url)

    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert_one_error_line(proc.stderr, "second.html")
    names = sorted(p.name for p in out_dir.iterdir())
    assert len(names) == 2 and "source.html" in names


# sanitize ----------------------------------------------------------------------------------------

DIRTY = (b'<p>Hello <b>world</b> <a href="https://example.org/x">a normal link</a> '
         b'<a href="javascript:alert(1)">bad link</a> <img src="https://example.org/i.png" '
         b'onerror="alert(2)"><script>alert(3)</script> <a href="/rel/page">relative</a> '
         b'<img src="pics/p.png" alt="pic"></p>')


def test_sanitize_reads_stdin_and_removes_active_content():
    proc = run_cli("sanitize", input=DIRTY)

    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    root = lxml_html.fragment_fromstring(out.strip(), create_parent="div")
    assert not root.xpath(".//script")
    assert "alert(3)" not in out
    assert not root.xpath(".//@*[starts-with(name(), 'on')]")
    assert "onerror" not in out.lower()
    assert "javascript:" not in out.lower()
    assert "Hello" in out and "world" in out and "bad link" in out
    assert "https://example.org/x" in root.xpath(".//a/@href")


def test_sanitize_base_url_makes_relative_links_absolute():
    proc = run_cli("sanitize", "--base-url", "https://site.example/dir/", input=DIRTY)

    assert proc.returncode == 0, proc.stderr
    root = lxml_html.fragment_fromstring(proc.stdout.strip(), create_parent="div")
    assert "https://site.example/rel/page" in root.xpath(".//a/@href")
    assert "https://site.example/dir/pics/p.png" in root.xpath(".//img/@src")
    assert 'href="/rel/page"' not in proc.stdout


def test_sanitize_file_argument_and_output_option(capsys, tmp_path):
    source = tmp_path / "frag.html"
    source.write_bytes(DIRTY)
    target = tmp_path / "safe.html"

    code = main(["sanitize", str(source), "-o", str(target)])
    out, err = capsys.readouterr()

    assert code == 0, err
    assert out == ""
    written = target.read_text("utf-8")
    assert "<script" not in written and "a normal link" in written


def test_sanitize_missing_file(capsys, tmp_path):
    code = main(["sanitize", str(tmp_path / "nope.html")])
    _, err = capsys.readouterr()

    assert code == 1
    assert_one_error_line(err, "nope.html")


# rules check / rules which ------------------------------------------------------------


def test_rules_check_on_the_bundled_rules(capsys):
    code = main(["rules", "check"])
    out, err = capsys.readouterr()

    assert code == 0, out + err
    match = re.search(r"^(\d+) rule files, (\d+) rules: valid$", out, flags=re.M)
    assert match and int(match.group(1)) > 0 and int(match.group(2)) > 0
    assert re.search(r"^\d+ examples, 0 failed$", out, flags=re.M)


def test_rules_check_bad_dir_names_the_file(capsys, tmp_path):
    rules = write_rules(tmp_path / "bad", {
        "ok.toml": '[[strip]]\nid = "mine.fine"\ncss = ".fine"\n',
        "sites/broken.toml": 'hosts = ["x.example"]\n[[strip]\nid = "mine.x"\n',
    })

    code = main(["rules", "check", str(rules)])
    out, err = capsys.readouterr()

    assert code == 1
    assert "valid" not in out
    assert_one_error_line(err, str(rules / "sites" / "broken.toml"))


def test_rules_check_bad_dir_names_the_rule_id(capsys, tmp_path):
    rules = write_rules(tmp_path / "bad", {
        "widgets.toml": '[[strip]]\nid = "mine.no-action"\ncss = ".x"\naction = "explode"\n'})

    code = main(["rules", "check", str(rules)])
    _, err = capsys.readouterr()

    assert code == 1
    assert_one_error_line(err, "widgets.toml", "mine.no-action")


def test_rules_check_bad_dir_from_a_subprocess(tmp_path):
    rules = write_rules(tmp_path / "bad", {"broken.toml": "this is = = not toml\n"})

    proc = run_cli("rules", "check", str(rules))

    assert proc.returncode == 1
    assert_one_error_line(proc.stderr, "broken.toml")


def test_rules_check_counts_a_valid_extra_folder(capsys, tmp_path):
    assert main(["rules", "check"]) == 0
    before = int(re.search(r"(\d+) rules: valid", capsys.readouterr().out).group(1))
    rules = write_rules(tmp_path / "extra", {
        "mine.toml": '[[strip]]\nid = "mine.a"\ncss = ".a"\n\n'
                     '[[phrase]]\nid = "mine.b"\nmatch = ["Pass it on!"]\n'})

    code = main(["rules", "check", str(rules)])
    out, _ = capsys.readouterr()

    assert code == 0
    assert int(re.search(r"(\d+) rules: valid", out).group(1)) == before + 2


def test_rules_which_lists_rule_files_and_removals(capsys):
    code = main(["rules", "which", str(REPOST), "--base-url", REPOST_URL])
    out, err = capsys.readouterr()

    assert code == 0, err
    head, _, tail = out.partition("removed:\n")
    assert head.startswith("rule files, in order:\n")
    files = [line.strip() for line in head.splitlines()[1:]]
    assert files and all(f.endswith(".toml") for f in files)
    assert all(Path(f).exists() for f in files)
    removals = re.findall(r"^  ([\w.-]+): (.*)$", tail, flags=re.M)
    assert removals
    texts = " ".join(text for _, text in removals)
    assert "Spread it!" in texts and "Source link" in texts


def test_rules_which_url_through_the_server(capsys, http_server):
    url = http_server.respond("/page", REPOST.read_bytes())

    code = main(["rules", "which", "--allow-private", url])
    out, err = capsys.readouterr()

    assert code == 0, err
    assert "rule files, in order:" in out
    assert "'Spread it!'" in out


def test_rules_which_missing_file(capsys, tmp_path):
    code = main(["rules", "which", str(tmp_path / "nope.html")])
    _, err = capsys.readouterr()

    assert code == 1
    assert_one_error_line(err, "nope.html")


# --help and --version -----------------------------------------------------------------

HELP = {
    ("clean",): ["--output", "--out-dir", "--format", "--base-url", "--original", "--explain",
                 "--rules", "--debug"],
    ("sanitize",): ["--base-url", "--output", "--rules"],
    ("rules",): ["check", "which"],
    ("rules", "check"): ["DIR", "--samples", "--rules"],
    ("rules", "which"): ["--base-url", "--rules"],
    (): ["clean", "sanitize", "rules", "--version"],
}


@pytest.mark.parametrize("command", list(HELP), ids=lambda c: " ".join(c) or "top")
def test_help_exits_0_and_mentions_the_main_options(capsys, command):
    code = main([*command, "--help"])
    out, _ = capsys.readouterr()

    assert code == 0
    assert out.startswith("usage: sanitizer")
    for option in HELP[command]:
        assert option in out, option


def test_help_from_a_subprocess():
    proc = run_cli("clean", "--help")

    assert proc.returncode == 0
    assert "--out-dir" in proc.stdout and proc.stderr == ""


def test_version(capsys):
    code = main(["--version"])
    out, _ = capsys.readouterr()

    assert code == 0
    assert out.strip() == f"sanitizer {sanitizer.__version__}"
    assert re.fullmatch(r"sanitizer \d+\.\d+(\.\d+)?\S*", out.strip())


# output errors and closed pipes ----------------------------------------------------------


def test_out_dir_that_is_a_file_is_one_error_line(tmp_path):
    not_a_dir = tmp_path / "out"
    not_a_dir.write_text("I am a file")

    proc = run_cli("clean", "--out-dir", str(not_a_dir), str(REPOST))

    assert proc.returncode == 1
    assert_one_error_line(proc.stderr, "out")


def test_sanitize_output_into_a_missing_folder_is_one_error_line(tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "safe.html"

    proc = run_cli("sanitize", "-o", str(target), input=DIRTY)

    assert proc.returncode == 1
    assert_one_error_line(proc.stderr, "safe.html")


def test_clean_output_into_a_missing_folder_is_a_user_error(capsys, tmp_path):
    target = tmp_path / "no" / "such" / "dir" / "clean.html"

    code = main(["clean", str(REPOST), "-o", str(target)])
    _, err = capsys.readouterr()

    assert code == 1
    assert_one_error_line(err, "clean.html")


def _run_with_closed_stdout(*args: str) -> tuple[int, str]:
    """Run `python -m sanitizer ARGS` with its stdout pipe already closed (`... | head`)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    proc = subprocess.Popen([sys.executable, "-m", "sanitizer", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the child writes: its write fails with EPIPE
    err = proc.stderr.read().decode("utf-8", "replace")
    return proc.wait(timeout=120), err


def test_sanitize_into_a_closed_pipe_exits_quietly():
    code, err = _run_with_closed_stdout("sanitize", str(REPOST))

    assert code == 0
    assert "Traceback" not in err and "error" not in err


def test_clean_into_a_closed_pipe_exits_quietly():
    code, err = _run_with_closed_stdout("clean", str(REPOST))

    assert code == 0
    assert "error" not in err
