"""Run `sanitizer audit` end to end on the bundled samples, served on this machine.

    python examples/demo_audit.py [OUT_DIR]       (default demo-out/audit)

Each sample site gets a small HTTP server on its own loopback address (127.0.0.2,
127.0.0.3, ...; Linux routes all of 127.0.0.0/8 to loopback) serving `source.html` at the
path of the sample's `meta.toml` url. Links between samples are pointed at the local
servers as the pages are served, so credits, canonicals and the originals line up as on
the real web. The audit then runs as a user would run it, with --allow-private.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
ORIGINALS = ("exampletimes.example/council-bike-lanes", "zerohedge.example/cartels-original",
             "reuters.example/cartels-wire", "v8.dev/emscripten-standalone-wasm")


def load_samples() -> list[tuple[str, dict[str, Any], bytes]]:
    """(name, meta, page bytes) of every sample."""
    found = []
    for meta_path in sorted(SAMPLES.glob("*/*/meta.toml")):
        meta = tomllib.loads(meta_path.read_text(encoding="utf-8"))
        name = f"{meta_path.parent.parent.name}/{meta_path.parent.name}"
        found.append((name, meta, (meta_path.parent / "source.html").read_bytes()))
    return found


class _Handler(BaseHTTPRequestHandler):
    server: _SiteServer

    def do_GET(self) -> None:
        body = self.server.pages.get(self.path.split("?", 1)[0])
        status, kind = (200, "text/html; charset=utf-8") if body else (404, "text/plain")
        body = body or b"not found"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        """Quiet."""


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    pages: dict[str, bytes]


@contextmanager
def serve_samples() -> Iterator[dict[str, str]]:
    """Serve every sample; yield {sample name: its local URL}."""
    samples = load_samples()
    servers: dict[str, _SiteServer] = {}
    for _name, meta, _body in samples:
        host = urlsplit(meta["url"]).hostname or ""
        if host not in servers:
            servers[host] = _SiteServer((f"127.0.0.{len(servers) + 2}", 0), _Handler)
            servers[host].pages = {}
    bases = {host: f"http://{s.server_address[0]}:{s.server_address[1]}"
             for host, s in servers.items()}
    local = {}
    for name, meta, body in samples:
        parts = urlsplit(meta["url"])
        for host, base in bases.items():  # links between samples go to the local servers
            for scheme in ("https", "http"):
                body = body.replace(f"{scheme}://{host}".encode(), base.encode())
        servers[parts.hostname or ""].pages[parts.path or "/"] = body
        local[name] = bases[parts.hostname or ""] + (parts.path or "/")
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in servers.values()]
    for thread in threads:
        thread.start()
    try:
        yield local
    finally:
        for s in servers.values():
            s.shutdown()
            s.server_close()


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "demo-out" / "audit"
    out.mkdir(parents=True, exist_ok=True)
    with serve_samples() as local:
        originals = [local[name] for name in ORIGINALS]
        copies = [url for name, url in local.items() if name not in ORIGINALS]
        copies.append(local[ORIGINALS[0]].rsplit("/", 2)[0] + "/no-such-page/")  # an error row
        command = [sys.executable, "-m", "sanitizer", "audit", *originals, "--copies", *copies,
                   "--allow-private", "--delay", "0", "--refresh", "--db", str(out / "audit.db"),
                   "--report", str(out)]
        print("$ sanitizer audit ORIGINALS... --copies COPIES... --allow-private "
              f"--db {out / 'audit.db'} --report {out}\n", flush=True)
        done = subprocess.run(command, cwd=ROOT, check=False)
    print(f"\nOpen {(out / 'report.html').resolve().as_uri()} in a browser "
          "(report.csv and report.json are beside it).")
    return 0 if done.returncode in (0, 1) else done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
