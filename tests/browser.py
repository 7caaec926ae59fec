"""A browser check for sanitised HTML: load markup in headless Chromium and record every way
script can run (issue 7).

Chromium is driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`, NUL-framed
JSON on fds 3 and 4), so the harness needs only the standard library and Debian's `chromium`.

Beacons, each counted as a *hit*:

- `alert`, `confirm`, `prompt`, `print`, `open` replaced in every frame before any page script
  (`Page.addScriptToEvaluateOnNewDocument`) by a recorder that calls a CDP binding;
- any JavaScript dialog that still opens (`Page.javascriptDialogOpening`);
- an uncaught script exception (`Runtime.exceptionThrown`): script ran;
- a request a script makes or loads (script, XHR, fetch, ping/beacon, EventSource, WebSocket),
  a document request other than the page itself (navigation, frames), any request to
  `/beacon`; every host name resolves nowhere but 127.0.0.1, so nothing leaves the machine;
- a new window or tab (`Target.targetCreated`).

Each page holds many vectors, each in its own numbered container. After `load` the page
dispatches mouse, pointer, keyboard, focus, drag, clipboard and animation events on every
element and focuses it (links to http(s) and form submissions to non-`javascript:` targets are
cancelled, so clicking benign output does not navigate); then it reports done. A page with hits
is re-run one vector at a time to name the culprits.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sanitizer import Rulebook, Sanitizer, render
from sanitizer.api import sanitize_fragment
from sanitizer.errors import SanitizerError

CORPUS = Path(__file__).resolve().parent / "xss"

#: Request types that only script (or a frame/navigation) makes.
SCRIPT_REQUEST_TYPES = frozenset({"Script", "XHR", "Fetch", "Ping", "EventSource", "WebSocket",
                                  "CSPViolationReport", "Manifest", "SignedExchange"})
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run", "--mute-audio",
                  "--disable-features=IsolateOrigins,site-per-process,Translate",
                  "--disable-site-isolation-trials", "--autoplay-policy=no-user-gesture-required",
                  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                  "--remote-debugging-pipe")

RECORDER_JS = r"""(() => {
  const hit = (kind, arg) => {
    try {
      window.__xssHit(JSON.stringify({kind, arg: String(arg).slice(0, 80), url: location.href}));
    }
    catch (e) { /* the binding is missing in this context: the dialog event still counts */ }
  };
  const fake = {alert: undefined, confirm: false, prompt: null, print: undefined, open: null};
  for (const [name, value] of Object.entries(fake)) {
    const f = function (a) { hit(name, a); return value; };
    try { Object.defineProperty(window, name, {value: f, writable: false, configurable: false}); }
    catch (e) { window[name] = f; }
  }
})();"""

PAGE_HEAD = r"""<!doctype html><html><head><meta charset="utf-8"><title>xss check</title>
<script>
(() => {
  const jsUrl = (v) =>
    /^[\s\u0000-\u0020]*j\s*a\s*v\s*a\s*s\s*c\s*r\s*i\s*p\s*t\s*:/i.test(v || "");
  addEventListener("click", (e) => {
    const a = e.target && e.target.closest && e.target.closest("a[href],area[href]");
    if (a && !jsUrl(a.getAttribute("href"))) e.preventDefault();
  }, true);
  addEventListener("submit", (e) => {
    const s = e.submitter, f = e.target;
    const action = (s && s.getAttribute("formaction")) || (f && f.getAttribute("action")) || "";
    if (!jsUrl(action)) e.preventDefault();
  }, true);
  const MOUSE = ["pointerover", "pointerenter", "mouseover", "mouseenter", "mousemove",
                 "pointerdown", "mousedown", "pointerup", "mouseup", "click", "dblclick",
                 "auxclick", "contextmenu", "wheel", "mouseout", "mouseleave"];
  const OTHER = ["focusin", "keydown", "keypress", "keyup", "beforeinput", "input", "change",
                 "select", "selectstart", "copy", "cut", "paste", "beforecopy", "drag",
                 "dragstart", "dragenter", "dragover", "dragleave", "drop", "dragend", "toggle",
                 "scroll", "touchstart", "touchend", "invalid", "search", "reset", "blur",
                 "focusout", "animationstart", "animationiteration", "animationend",
                 "transitionstart", "transitionend", "transitionrun", "resize", "play", "pause"];
  const fire = (el) => {
    for (const t of MOUSE) {
      try { el.dispatchEvent(new MouseEvent(t, {bubbles: true, cancelable: true, view: window})); }
      catch (e) {}
    }
    try { el.focus(); } catch (e) {}
    for (const t of OTHER) {
      try { el.dispatchEvent(new Event(t, {bubbles: true, cancelable: true})); } catch (e) {}
    }
  };
  const trigger = () => {
    const els = Array.from(document.querySelectorAll("body *"));
    els.forEach(fire);
    try { scrollTo(0, 100000); dispatchEvent(new Event("resize")); } catch (e) {}
    setTimeout(() => { try { window.__xssDone(String(els.length)); } catch (e) {} }, 400);
  };
  addEventListener("load", () => setTimeout(trigger, 50));
})();
</script></head><body>
"""
PAGE_TAIL = "\n</body></html>\n"


def find_chromium() -> str | None:
    """The Chromium binary to use (`$CHROMIUM`, `chromium`, `chromium-browser`), or None."""
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def page_html(fragments: Sequence[str], first_index: int = 0) -> str:
    """A page holding each fragment in its own numbered container."""
    body = "".join(f'\n<div class="xss-vector" id="xss-vector-{first_index + i}">{frag}</div>'
                   for i, frag in enumerate(fragments))
    return PAGE_HEAD + body + PAGE_TAIL


@dataclass
class Hit:
    """One sign that script ran (or could run) on a page."""

    kind: str
    detail: str


@dataclass
class PageResult:
    """What loading one page showed."""

    hits: list[Hit] = field(default_factory=list)
    finished: bool = False


class _Server:
    """A loopback HTTP server: serves the pages, answers 404 to everything else, logs all."""

    def __init__(self) -> None:
        self.pages: dict[str, bytes] = {}
        self.requests: list[str] = []
        pages, requests = self.pages, self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                requests.append(self.path)
                body = pages.get(self.path.split("?")[0])
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                # the page may have gone away (navigation): nothing to report then
                with suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body or b"")

            do_POST = do_GET

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class _Pipe:
    """The DevTools protocol over Chromium's debugging pipe."""

    def __init__(self, chromium: str, profile: str) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def child_fds() -> None:
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        self.proc = subprocess.Popen(
            [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=False, preexec_fn=child_fds,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._next_id = 0
        self._replies: dict[int, queue.Queue[dict[str, Any]]] = {}
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self._lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        buffer = b""
        while chunk := os.read(self._from_browser, 1 << 16):
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for raw in messages:
                message = json.loads(raw)
                waiting = self._replies.get(message.get("id", -1))
                (waiting or self.events).put(message)

    def send(self, method: str, params: dict[str, Any] | None = None,
             session: str | None = None, timeout: float = 30) -> dict[str, Any]:
        """Send a command and wait for its answer."""
        with self._lock:
            self._next_id += 1
            ident = self._next_id
            self._replies[ident] = queue.Queue()
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        reply = self._replies[ident].get(timeout=timeout)
        del self._replies[ident]
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        result: dict[str, Any] = reply.get("result", {})
        return result

    def close(self) -> None:
        with suppress(Exception):  # the browser may already be gone
            self.send("Browser.close", timeout=5)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        for fd in (self._to_browser, self._from_browser):
            with suppress(OSError):
                os.close(fd)


class Browser:
    """One headless Chromium with a fresh profile, one tab, and a loopback server."""

    def __init__(self, chromium: str | None = None, *, page_timeout: float = 10.0) -> None:
        binary = chromium or find_chromium()
        if not binary:
            raise RuntimeError("chromium is not installed")
        self.page_timeout = page_timeout
        self._profile = tempfile.mkdtemp(prefix="xss-chromium-")
        self.server = _Server()
        self.cdp = _Pipe(binary, self._profile)
        self.cdp.send("Target.setDiscoverTargets", {"discover": True})
        target = self.cdp.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.target = target
        self.session = self.cdp.send("Target.attachToTarget",
                                     {"targetId": target, "flatten": True})["sessionId"]
        for method, params in (("Page.enable", {}), ("Runtime.enable", {}),
                               ("Network.enable", {}),
                               ("Runtime.addBinding", {"name": "__xssHit"}),
                               ("Runtime.addBinding", {"name": "__xssDone"}),
                               ("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER_JS}),
                               ("Emulation.setFocusEmulationEnabled", {"enabled": True})):
            self.cdp.send(method, params, session=self.session)
        self._pages = 0

    def load(self, html: str) -> PageResult:
        """Serve `html` as a page, load it, trigger its events, and report the hits."""
        self._pages += 1
        path = f"/page-{self._pages}.html"
        url = self.server.origin + path
        self.server.pages.clear()
        self.server.pages[path] = html.encode("utf-8")
        self._drain()
        self.cdp.send("Page.navigate", {"url": url}, session=self.session)
        result = PageResult()
        deadline = time.monotonic() + self.page_timeout
        settle: float | None = None
        while time.monotonic() < (settle or deadline):
            try:
                event = self.cdp.events.get(timeout=0.05)
            except queue.Empty:
                continue
            state = self._record(event, url, result)
            if state and settle is None:
                # late timers and requests; a page that navigated away will not finish
                settle = time.monotonic() + (0.3 if state == "done" else 1.0)
        return result

    def _drain(self) -> None:
        while not self.cdp.events.empty():
            self.cdp.events.get_nowait()

    def _record(self, event: dict[str, Any], url: str, result: PageResult) -> str | None:
        method, params = event.get("method", ""), event.get("params", {})
        if method == "Runtime.bindingCalled":
            if params["name"] == "__xssDone":
                result.finished = True
                return "done"
            result.hits.append(Hit("call", params.get("payload", "")))
        elif method == "Page.javascriptDialogOpening":
            result.hits.append(Hit("dialog", params.get("message", "")))
            threading.Thread(target=self._dismiss, args=(event.get("sessionId"),),
                             daemon=True).start()
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            text = details.get("exception", {}).get("description") or details.get("text", "")
            result.hits.append(Hit("exception", str(text)[:120]))
        elif method == "Network.requestWillBeSent":
            hit = _request_hit(params, url)
            if hit:
                result.hits.append(hit)
                return "left" if hit.kind == "navigation" else None
        elif method == "Target.targetCreated":
            info = params.get("targetInfo", {})
            if info.get("type") == "page" and info.get("targetId") != self.target:
                result.hits.append(Hit("window", info.get("url", "")))
        return None

    def _dismiss(self, session: str | None) -> None:
        with suppress(Exception):  # the dialog may already be gone
            self.cdp.send("Page.handleJavaScriptDialog", {"accept": True},
                          session=session or self.session, timeout=5)

    def close(self) -> None:
        self.cdp.close()
        self.server.close()
        shutil.rmtree(self._profile, ignore_errors=True)


def _request_hit(params: dict[str, Any], page_url: str) -> Hit | None:
    """A request that shows script ran or the page was left, else None."""
    request = params.get("request", {})
    url, kind = request.get("url", ""), params.get("type", "")
    if url.split("#")[0] == page_url or url.startswith(("about:", "chrome-error:")):
        return None
    if "/beacon" in url or kind in SCRIPT_REQUEST_TYPES:
        return Hit(f"request:{kind}", url[:120])
    if kind == "Document":
        return Hit("navigation", url[:120])
    return None


@dataclass(frozen=True)
class Vector:
    """One payload of the corpus, with where it came from."""

    ident: str
    payload: str
    source: str


def load_corpus(folder: Path = CORPUS) -> list[Vector]:
    """Every vector of `tests/xss/*.jsonl` (the first line of each file is its provenance)."""
    vectors: list[Vector] = []
    for path in sorted(folder.glob("*.jsonl")):
        lines = path.read_text(encoding="utf-8").split("\n")  # not splitlines(): U+2028 is data
        for line in filter(None, lines[1:]):
            row = json.loads(line)
            vectors.append(Vector(row["id"], row["payload"], path.stem))
    return vectors


def provenance(folder: Path = CORPUS) -> dict[str, dict[str, Any]]:
    """The provenance record of each source file, by source name."""
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            out[path.stem] = json.loads(f.readline())["provenance"]
    return out


@contextmanager
def browser(chromium: str | None = None) -> Iterator[Browser]:
    """A Browser for the duration of a `with` block."""
    b = Browser(chromium)
    try:
        yield b
    finally:
        b.close()


@dataclass
class CheckResult:
    """The outcome of a whole corpus: hits per page and the vectors that caused them."""

    vectors: int
    pages: int
    page_hits: int
    culprits: dict[int, list[Hit]]
    unfinished: list[int]

    @property
    def executions(self) -> int:
        """Vectors with at least one hit (page hits if culprits were not looked for)."""
        return len(self.culprits) if self.culprits else self.page_hits


def run_check(b: Browser, fragments: Sequence[str], *, batch: int = 60,
              find_culprits: bool = True) -> CheckResult:
    """Load the fragments `batch` per page; re-run pages with hits one vector at a time."""
    culprits: dict[int, list[Hit]] = {}
    unfinished: list[int] = []
    page_hits = pages = 0
    for start in range(0, len(fragments), batch):
        chunk = fragments[start:start + batch]
        result = b.load(page_html(chunk, start))
        pages += 1
        if not result.finished:
            unfinished.append(start)
        if result.hits:
            page_hits += len(result.hits)
            if find_culprits:
                culprits.update(_culprits(b, chunk, start))
    return CheckResult(len(fragments), pages, page_hits, culprits, unfinished)


def _culprits(b: Browser, chunk: Sequence[str], start: int) -> Iterable[tuple[int, list[Hit]]]:
    for offset, fragment in enumerate(chunk):
        result = b.load(page_html([fragment], start + offset))
        if result.hits:
            yield start + offset, result.hits


# --- the ways a vector is put through our code ------------------------------------------

PAGE_URL = "https://repost.example/2024/05/a-story/"
#: An article around the vector, long enough that extraction keeps the body it sits in.
ARTICLE = """<!doctype html><html><head><title>A story</title></head><body>
<header><nav><a href="/">Home</a></nav></header>
<article><h1>A story about harbours</h1>
<p>The harbour master said the new quay would open in the spring, after two years of work on
the sea wall and the dredging of the inner basin, which had silted up since the last storm.</p>
<div class="entry">{vector}</div>
<p>Fishermen welcomed the plan but asked for more mooring space, and the council promised a
consultation on fees before the summer season begins in earnest along the whole coast.</p>
<p>Work on the second phase, a footbridge across the basin, is expected to start next year once
the funding from the regional development fund has been confirmed by the ministry.</p>
</article><footer>Contact us</footer></body></html>"""


def sanitize_api(payload: str, rules: Rulebook) -> str:
    """`sanitize_fragment`, the API behind `sanitizer sanitize` ("" when it refuses the input,
    e.g. nesting past the limits: nothing to run)."""
    try:
        return sanitize_fragment(payload, rules=rules)
    except SanitizerError:
        return ""


def sanitize_cli(payloads: Sequence[str]) -> list[str]:
    """Each payload through `sanitizer sanitize -` in its own process (a few at a time)."""
    return _run_each(payloads, ["sanitize", "-"])


def _run_each(stdins: Sequence[str], args: Sequence[str]) -> list[str]:
    """`python -m sanitizer ARGS` once per input, two processes at a time; "" on failure."""
    def one(text: str) -> str:
        done = subprocess.run([sys.executable, "-m", "sanitizer", *args],
                              input=text.encode("utf-8"), capture_output=True, timeout=120,
                              check=False)
        return done.stdout.decode("utf-8") if done.returncode == 0 else ""

    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(one, stdins))


def clean_api(payload: str, cleaner: Sanitizer) -> str:
    """The vector inside an article page, through the whole `clean` pipeline (fragment)."""
    try:
        doc = cleaner.clean_html(ARTICLE.format(vector=payload), url=PAGE_URL)
    except SanitizerError:
        return ""
    return render(doc, "fragment")


def clean_cli(payloads: Sequence[str]) -> list[str]:
    """Each vector inside an article page through `sanitizer clean - --format fragment`."""
    pages = [ARTICLE.format(vector=payload) for payload in payloads]
    return _run_each(pages, ["clean", "-", "--format", "fragment", "--base-url", PAGE_URL])
