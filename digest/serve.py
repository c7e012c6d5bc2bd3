"""The preview: build, serve site/ on loopback, rebuild after every save, and reload the open page.

How the pieces fit (one process, two threads):

- The *watcher thread* polls content/, layouts/, seeds/ and site.yaml (`Sources`), waits until the
  saves have been quiet for a moment (`Debounce`), then imports new seeds and builds. Polling and
  building share the thread, so a save that lands during a build is seen by the next poll and
  simply causes one more build: the last save always wins.
- The *server thread* runs tornado (livereload's own server) and serves only files under site/,
  only to requests addressed to the loopback name and port it listens on (DNS rebinding). Every
  HTML page gets one preview script, served from here so the published site never contains it.
- The browser side speaks livereload's protocol with livereload's own livereload.js. The preview
  script plugs into it: on every reload message and on every (re)connect it asks
  `/__digest__/status`, which says which build the page should show; the page reloads when it is
  older, swaps stylesheets in place when only CSS changed, and shows every problem of a failed
  build in an overlay while the last good site stays served.

livereload's `Server` and `Watcher` are not used: the watcher polls every 0.8 s by mtime alone and
drops any reload within seconds of the previous one (so a burst of saves can end on a stale page),
its websocket accepts every Origin, and its static handler follows symlinks out of the root.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import ipaddress
import json
import mimetypes
import os
import re
import sys
from stat import S_ISLNK
import threading
import time
import traceback
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import quote

from livereload.handlers import LiveReloadJSHandler
from tornado import httpserver, ioloop, netutil, web, websocket

from . import pipeline
from .config import load_config
from .problems import Problem, Report
from .urls import Urls

QUIET = 0.1  # seconds without a save before building: an editor's save is several writes
LONGEST = 1.0  # build at least this often while saves keep coming
POLL = 0.05  # seconds between polls of a small project; a big one polls less often
RACY = 2.0  # files changed this recently are compared by content too (coarse mtime clocks)
READY_TIMEOUT = 60.0
WATCHED = ("content", "layouts", "seeds", "site.yaml")
SKIPPED_DIRS = {".git", ".hg", ".svn", "__pycache__", "node_modules"}
STATUS_PATH = "/__digest__/status"
SCRIPT_PATH = "/__digest__/preview.js"
HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
FALLBACK_404 = (b"<!doctype html><html lang=en><head><meta charset=utf-8><title>Not found</title></head>"
                b"<body><main><h1>Not found</h1><p>There is no page at this address in site/.</p></main>"
                b"</body></html>")


# --- what changed on disk -------------------------------------------------------------------


def is_editor_litter(name: str) -> bool:
    """Swap, backup and lock files editors write next to the real one (never built)."""
    return (name.endswith(("~", ".swp", ".swx", ".swo", ".tmp", ".part", ".crdownload"))
            or name.startswith(".#") or (name.startswith("#") and name.endswith("#"))
            or name in {"4913", ".DS_Store"})


class Sources:
    """The files a build reads, and which of them changed since the last look."""

    def __init__(self, root: Path):
        self.root = root
        self.seen: dict[str, tuple] = self.scan()

    def changes(self) -> set[str]:
        """Project-relative paths added, changed or removed since the last call."""
        fresh = self.scan()
        changed = {path for path in self.seen.keys() | fresh.keys()
                   if _differs(self.seen.get(path), fresh.get(path))}
        self.seen = fresh
        return changed

    def accept(self, paths: list[Path]) -> None:
        """Take files the preview itself wrote (imported seeds) as already seen."""
        for path in paths:
            relative = path.resolve().relative_to(self.root.resolve()).as_posix()
            signature = _signature(path, time.time())
            if signature is not None:
                self.seen[relative] = signature

    def scan(self) -> dict[str, tuple]:
        """A signature of every watched file, by project-relative path."""
        now = time.time()
        found: dict[str, tuple] = {}
        for name in WATCHED:
            self._walk(self.root / name, now, found)
        return found

    def _walk(self, path: Path, now: float, found: dict[str, tuple]) -> None:
        if path.is_dir() and not path.is_symlink():
            for name in _listing(path):
                if name not in SKIPPED_DIRS and not is_editor_litter(name):
                    self._walk(path / name, now, found)
            return
        signature = _signature(path, now)
        if signature is not None:
            found[path.relative_to(self.root).as_posix()] = signature


def _listing(folder: Path) -> list[str]:
    """The names in a folder; none if it went away (or became unreadable) while we looked."""
    try:
        return os.listdir(folder)
    except OSError:  # gone, not a folder, unreadable, a symlink loop
        return []


def _signature(path: Path, now: float) -> tuple | None:
    """(mtime, ctime, size, inode, content hash if changed within RACY seconds), None if gone."""
    try:
        stat = path.stat()
        if not path.is_file():
            return None
        # Two saves within one tick of the file system's clock can leave the same mtime.
        digest = zlib.crc32(path.read_bytes()) if now - stat.st_mtime < RACY else None
    except OSError:  # gone, unreadable, or a link that leads nowhere or round in a loop
        return _link_signature(path)
    return (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_size, stat.st_ino, digest)


def _link_signature(path: Path) -> tuple | None:
    """A broken or looping symbolic link is watched as itself: removing or fixing it is a change."""
    try:
        link = path.lstat()
    except OSError:
        return None
    if not S_ISLNK(link.st_mode):
        return None
    return (link.st_mtime_ns, link.st_ctime_ns, link.st_size, link.st_ino, None)


def _differs(old: tuple | None, new: tuple | None) -> bool:
    """Changed stat, or changed content while both looks hashed it (a hash going away is no change)."""
    if old is None or new is None:
        return old is not new
    if old[:4] != new[:4]:
        return True
    return old[4] is not None and new[4] is not None and old[4] != new[4]


# --- when to build --------------------------------------------------------------------------


@dataclass
class Debounce:
    """Build once saves have been quiet for `quiet` seconds, or `longest` after the first one."""

    quiet: float = QUIET
    longest: float = LONGEST
    first: float | None = None
    last: float | None = None

    def change(self, now: float) -> None:
        """A save was seen at `now`."""
        self.first = now if self.first is None else self.first
        self.last = now

    def due(self, now: float) -> bool:
        """Is it time to build?"""
        if self.last is None:
            return False
        return now - self.last >= self.quiet or now - self.first >= self.longest

    def wait(self, now: float) -> float | None:
        """Seconds until a build is due; None when nothing is pending."""
        if self.last is None:
            return None
        return max(0.0, min(self.last + self.quiet, self.first + self.longest) - now)

    def started(self) -> None:
        """A build starts: it covers every save seen so far."""
        self.first = self.last = None


class Rebuilder:
    """Polls the sources and calls `rebuild(changed paths)` after each quiet burst of saves."""

    def __init__(self, sources: Sources, rebuild: Callable[[set[str]], None],
                 quiet: float = QUIET, longest: float = LONGEST, poll: float = POLL):
        self.sources = sources
        self.rebuild = rebuild
        self.debounce = Debounce(quiet, longest)
        self.poll = poll

    def run(self, stop: threading.Event) -> None:
        """Poll, debounce and rebuild until `stop` is set."""
        pending: set[str] = set()
        interval = self.poll
        while not stop.wait(self._timeout(interval)):
            started = time.monotonic()
            changed = self.sources.changes()
            # A big project takes longer to scan: poll it less often rather than spin.
            interval = max(self.poll, 4 * (time.monotonic() - started))
            now = time.monotonic()
            if changed:
                pending |= changed
                self.debounce.change(now)
            if self.debounce.due(now):
                self.debounce.started()
                batch, pending = pending, set()
                self.rebuild(batch)

    def _timeout(self, interval: float) -> float:
        wait = self.debounce.wait(time.monotonic())
        return interval if wait is None else min(interval, wait)


# --- what the browser should show -----------------------------------------------------------


@dataclass
class Status:
    """The last build as the browser sees it; touched only on the server's thread."""

    serial: int = 0  # builds finished, failed or not
    pages: int = 0  # the build whose pages an open page must show
    css: int = 0  # the build whose stylesheets an open page must use
    ok: bool = True
    problems: list[Problem] = field(default_factory=list)
    unpublished: set[str] = field(default_factory=set)  # changes not yet in a good build

    def record(self, ok: bool, problems: list[Problem], changed: set[str]) -> str:
        """Take in one finished build; returns the path to announce in the reload message."""
        self.serial += 1
        self.ok, self.problems = ok, problems
        self.unpublished |= changed
        if not ok:
            return "/"
        css = sorted(path for path in self.unpublished if path.startswith("layouts/static/") and path.endswith(".css"))
        css_only = bool(css) and len(css) == len(self.unpublished)
        self.css = self.serial
        if not css_only:
            self.pages = self.serial
        self.unpublished = set()
        # A stylesheet path tells livereload clients to swap CSS in place; anything else reloads.
        return "/" + css[0].removeprefix("layouts/static/") if css_only else "/"

    def as_json(self) -> dict:
        return {
            "serial": self.serial, "pages": self.pages, "css": self.css, "ok": self.ok,
            "problems": [{"path": p.path, "line": p.line, "severity": p.severity, "message": p.message,
                          "text": str(p)} for p in self.problems],
        }


# --- which requests to answer ---------------------------------------------------------------


def is_loopback(host: str) -> bool:
    """Is `host` a loopback name or address (127.0.0.0/8, ::1, localhost)?"""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str, port: int) -> set[str]:
    """The Host header values a browser sends for this server; any other is DNS rebinding."""
    names = {"127.0.0.1", "localhost", "[::1]", f"[{host}]" if ":" in host else host.lower()}
    hosts = {f"{name}:{port}" for name in names}
    return hosts | names if port == 80 else hosts


@dataclass(frozen=True)
class Found:
    """Where a URL path leads in site/: a file, a redirect, or nothing."""

    file: Path | None = None
    redirect: str | None = None
    bad: bool = False


def locate(site_dir: Path, url_path: str, prefix: str = "") -> Found:
    """Map a decoded URL path to a file under site_dir, never anywhere else."""
    if "\x00" in url_path or "\\" in url_path or not url_path.startswith("/"):
        return Found(bad=True)
    if prefix and not (url_path + "/").startswith(prefix + "/"):
        return Found(redirect=prefix + "/") if url_path == "/" else Found()
    relative = url_path[len(prefix):]
    parts = [part for part in relative.split("/") if part]
    if any(part in (".", "..") for part in parts):
        return Found(bad=True)
    try:
        site = site_dir.resolve()
        target = site.joinpath(*parts).resolve()
        if not target.is_relative_to(site):  # a symlink out of site/
            return Found()
        if target.is_dir():
            if not relative.endswith("/"):
                return Found(redirect="/".join([prefix, *(quote(part) for part in parts)]) + "/")
            target = (target / "index.html").resolve()
            if not target.is_relative_to(site):
                return Found()
        elif relative.endswith("/"):
            return Found()
        return Found(file=target) if target.is_file() else Found()
    except (OSError, RuntimeError, ValueError):  # a symlink loop (RuntimeError on 3.11), a name too long …
        return Found()


# --- the HTTP side --------------------------------------------------------------------------


class Guarded(web.RequestHandler):
    """Every handler: loopback Host only, short plain-text errors, nothing cached."""

    def initialize(self, preview: "Preview") -> None:
        self.preview = preview

    def prepare(self) -> None:
        host = self.request.headers.get("Host", "").lower()
        if host not in self.preview.hosts:
            raise web.HTTPError(403, "Host %r is not this preview", host)

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")

    def compute_etag(self) -> None:
        return None

    def log_exception(self, typ, value, tb) -> None:
        # A refused request is answered with its status; logging each one would let a flood of bad
        # requests bury the build reports in the terminal. Real errors are still logged.
        if isinstance(value, web.HTTPError):
            return
        super().log_exception(typ, value, tb)

    def write_error(self, status_code: int, **kwargs) -> None:
        # Never a traceback in a response; the reason phrase says enough.
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code} {self._reason}\n")


class PreviewOnly(Guarded):
    """The preview's own endpoints: same-origin callers only."""

    def prepare(self) -> None:
        super().prepare()
        origin = self.request.headers.get("Origin")
        if origin is not None and origin.lower() not in self.preview.origins:
            raise web.HTTPError(403, "cross-origin request from %r", origin)
        if self.request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
            raise web.HTTPError(403, "cross-site request")


class StatusHandler(PreviewOnly):
    """GET /__digest__/status: which build the page should show, and the problems if it failed."""

    def get(self) -> None:
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.finish(json.dumps(self.preview.status.as_json()))


class ScriptHandler(PreviewOnly):
    """GET /__digest__/preview.js: the overlay and the glue to livereload.js."""

    def get(self) -> None:
        self.set_header("Content-Type", "text/javascript; charset=utf-8")
        self.finish(PREVIEW_JS)


class LivereloadScript(Guarded, LiveReloadJSHandler):
    """GET /livereload.js: livereload's own client, behind the Host check."""


class ReloadSocket(PreviewOnly, websocket.WebSocketHandler):
    """The livereload protocol's websocket (/livereload), for same-origin pages only: the Origin
    is checked as for the other preview endpoints (tornado alone would accept any scheme)."""

    def check_origin(self, origin: str) -> bool:
        return origin.lower() in self.preview.origins

    def on_message(self, message: str | bytes) -> None:
        try:
            command = json.loads(message)
        except (ValueError, UnicodeDecodeError):
            self.close(1003, "not JSON")
            return
        if isinstance(command, dict) and command.get("command") == "hello":
            # Listen before answering: a build published after the page asks for the status
            # then always reaches it as a message.
            self.preview.open_pages.add(self)
            self.write_message({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"],
                                "serverName": "digest-preview"})

    def on_close(self) -> None:
        self.preview.open_pages.discard(self)

    def announce(self, path: str) -> None:
        """Send livereload's reload command."""
        try:
            self.write_message({"command": "reload", "path": path, "liveCSS": True, "liveImg": True})
        except websocket.WebSocketClosedError:
            self.preview.open_pages.discard(self)


class SiteHandler(Guarded):
    """Files under site/: pretty URLs, 404.html for what is missing, the preview script in HTML."""

    def get(self, path: str) -> None:
        found = locate(self.preview.site_dir, path, self.preview.prefix)
        if found.bad:
            raise web.HTTPError(400, "bad path %r", path)
        if found.redirect:
            query = "?" + self.request.query if self.request.query else ""
            self.redirect(found.redirect + query, permanent=False)
            return
        # Read the status before the file: the file is then never older than what the page claims.
        status = self.preview.status
        marks = (status.pages, status.css)
        data = _read(found.file) if found.file else None
        if data is None:
            self._not_found(marks)
            return
        self._send(found.file.name, data, marks)

    head = get

    def _not_found(self, marks: tuple[int, int]) -> None:
        self.set_status(404)
        data = _read(self.preview.site_dir / "404.html")
        self._send("404.html", data if data is not None else FALLBACK_404, marks)

    def _send(self, name: str, data: bytes, marks: tuple[int, int]) -> None:
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if kind == "text/html":
            data = inject(data, *marks)
        if kind.startswith("text/") or kind in ("application/javascript", "application/json", "application/xml"):
            kind += "; charset=utf-8"
        self.set_header("Content-Type", kind)
        self.finish(data)


def _read(path: Path) -> bytes | None:
    """A file's bytes, or None if a rebuild swapped it away meanwhile."""
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None


def inject(html: bytes, pages: int, css: int) -> bytes:
    """Add the preview script to a page, telling it which build the page comes from."""
    tag = f'<script src="{SCRIPT_PATH}" data-pages="{pages}" data-css="{css}"></script>'.encode()
    match = HEAD_END.search(html)
    if match is None:
        return html + tag
    return html[:match.start()] + tag + html[match.start():]


def _quiet_log(handler: web.RequestHandler) -> None:
    """No access log: the terminal is for build reports."""


# --- the whole preview ----------------------------------------------------------------------


class Preview:
    """Builds, watches and serves one project; `run()` blocks, `running()` runs it in a thread."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 8000, overrides: dict | None = None,
                 quiet: float = QUIET, poll: float = POLL):
        self.root = root
        self.site_dir = root / "site"
        self.overrides = overrides
        self.quiet, self.poll = quiet, poll
        self.status = Status()
        self.open_pages: set[ReloadSocket] = set()  # their livereload sockets
        self.prefix = self._prefix()
        self.ready = threading.Event()  # set once the first build is published
        self._warnings_shown: list[Problem] = []
        self._halt = threading.Event()
        self._loop: ioloop.IOLoop | None = None
        self._stopped = asyncio.Event()
        # Bind now, so a taken port fails at once and port 0 gives a real port to report.
        self._listeners = netutil.bind_sockets(port, address=host)
        self.port = self._listeners[0].getsockname()[1]
        self.url = f"http://{f'[{host}]' if ':' in host else host}:{self.port}"
        self.hosts = allowed_hosts(host, self.port)
        self.origins = {f"http://{name}" for name in self.hosts}

    def run(self) -> None:
        """Serve until stop() or Ctrl-C (which raises KeyboardInterrupt here)."""
        asyncio.run(self._main())

    def stop(self) -> None:
        """Ask a running preview to stop; safe from any thread."""
        self._halt.set()
        if self._loop is not None:
            self._loop.add_callback(self._stopped.set)

    @contextlib.contextmanager
    def running(self):
        """Run in a background thread for the length of a with-block (tests, benchmarks)."""
        thread = threading.Thread(target=self.run, name="digest-preview", daemon=True)
        thread.start()
        try:
            if not self.ready.wait(READY_TIMEOUT):
                raise RuntimeError("the preview did not finish its first build")
            yield self
        finally:
            self.stop()
            thread.join(READY_TIMEOUT)

    async def _main(self) -> None:
        """Serve on this thread; build on the watcher thread; tidy up however we stop."""
        self._loop = ioloop.IOLoop.current()
        server = httpserver.HTTPServer(self._application(), max_body_size=64 * 1024, idle_connection_timeout=60)
        server.add_sockets(self._listeners)
        watcher = threading.Thread(target=self._watch, name="digest-watcher", daemon=True)
        watcher.start()
        try:
            if not self._halt.is_set():
                await self._stopped.wait()
        finally:
            self._halt.set()
            server.stop()
            for page in list(self.open_pages):
                page.close()
            await server.close_all_connections()
            watcher.join(READY_TIMEOUT)

    def _application(self) -> web.Application:
        mine = {"preview": self}
        return web.Application([
            (r"/livereload", ReloadSocket, mine),
            (r"/livereload\.js", LivereloadScript, mine),
            (re.escape(STATUS_PATH), StatusHandler, mine),
            (re.escape(SCRIPT_PATH), ScriptHandler, mine),
            (r"(.*)", SiteHandler, mine),
        ], log_function=_quiet_log, serve_traceback=False, websocket_max_message_size=64 * 1024)

    def _watch(self) -> None:
        """The watcher thread: a first build, then a rebuild after each burst of saves."""
        sources = Sources(self.root)
        self._rebuild(sources, set(), first=True)
        rebuilder = Rebuilder(sources, lambda changed: self._rebuild(sources, changed), self.quiet, poll=self.poll)
        rebuilder.run(self._halt)

    def _rebuild(self, sources: Sources, changed: set[str], first: bool = False) -> None:
        """Import new seeds (first, or if seeds/ changed), build, print the report, tell the browsers."""
        report = Report(root=self.root)
        started = time.strftime("%H:%M:%S")
        seeds = first or any(path.startswith("seeds/") for path in changed)
        outcome = self._build(sources, seeds, report)
        written = outcome is not None and outcome.written
        self._print(report)
        if written:
            print(f"{started} built {outcome.pages} pages in {outcome.seconds:.2f} s", flush=True)
        elif not report.ok:
            print(f"{started} {len(report.errors)} error(s): site/ left as it was; the open page shows them",
                  file=sys.stderr, flush=True)
        self._loop.add_callback(self._publish, written and report.ok, report.warnings + report.errors,
                                changed, self._prefix())

    def _print(self, report: Report) -> None:
        """Every error; the warnings only when they differ from last time (a save rarely changes them)."""
        if report.warnings != self._warnings_shown:
            for warning in report.warnings:
                print(warning, file=sys.stderr)
        elif report.warnings:
            print(f"{len(report.warnings)} warning(s), the same as before", file=sys.stderr)
        self._warnings_shown = report.warnings
        for error in report.errors:
            print(error, file=sys.stderr)

    def _build(self, sources: Sources, seeds: bool, report: Report) -> pipeline.Outcome | None:
        """Import seeds if asked, then build; problems go into report. None if the build crashed."""
        try:
            if seeds:
                sources.accept(self._import_seeds(report))
            outcome = pipeline.build(self.root, self.overrides)
        except Exception:  # a bug in the generator must not end the preview: show it, keep serving
            traceback.print_exc()
            report.error("build.py", 1, "the build crashed (a bug in the generator, not in your files): "
                                        "the traceback is in the terminal")
            return None
        report.extend(outcome.report)
        return outcome

    def _import_seeds(self, report: Report) -> list[Path]:
        """Turn new seeds into content files, when the importer is part of this install."""
        if importlib.util.find_spec("digest.ingest") is None:
            return []
        ingest = importlib.import_module("digest.ingest")
        if not (hasattr(ingest, "pending_seeds") and hasattr(ingest, "import_seeds")):
            return []  # the importer is still being written (a bare namespace package)
        content_dir = self.root / "content"
        return list(ingest.import_seeds(ingest.pending_seeds(self.root / "seeds", content_dir), content_dir, report))

    def _prefix(self) -> str:
        """The base URL's sub-path (e.g. /digest): the preview serves the site under it, as published."""
        return Urls(load_config(self.root, Report(), self.overrides).base_url).prefix

    def _publish(self, ok: bool, problems: list[Problem], changed: set[str], prefix: str) -> None:
        """On the server's thread: record the build and send every open page livereload's reload."""
        self.prefix = prefix
        path = self.status.record(ok, problems, changed)
        for page in list(self.open_pages):
            page.announce(path)
        self.ready.set()


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000, overrides: dict | None = None) -> int:
    """Build and serve site/ with live reload until Ctrl-C; returns the exit status."""
    if not is_loopback(host):
        print(f"error: the preview listens on loopback only (127.0.0.1, ::1, localhost), not {host}: "
              "anyone on the network could read your drafts", file=sys.stderr)
        return 2
    if not 0 <= port <= 65535:
        print(f"error: port {port} is not between 0 and 65535", file=sys.stderr)
        return 2
    try:
        preview = Preview(root, host, port, overrides)
    except OSError as exc:
        print(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"serving site/ at {preview.url}{preview.prefix}/ — saves in content/, layouts/, seeds/ and site.yaml "
          "rebuild it; Ctrl-C stops", flush=True)
    try:
        preview.run()
    except KeyboardInterrupt:
        pass
    print("stopped", flush=True)
    return 0


# The browser side, served at SCRIPT_PATH (never written into site/). It plugs into livereload.js
# (as a LiveReloadPlugin), so every reload message first asks the status: a failed build shows
# the overlay instead of reloading into the old page; a CSS-only build swaps stylesheets in place.
PREVIEW_JS = r"""(function () {
  "use strict";
  var me = document.currentScript;
  var shown = {pages: Number(me.dataset.pages), css: Number(me.dataset.css)};
  var state = window.digestPreview = {connected: false, serial: -1, reloading: false};
  var passThrough = false;
  var overlay = null;
  var dismissed = -1;

  function sync() {
    fetch("/__digest__/status", {cache: "no-store"})
      .then(function (response) { return response.json(); })
      .then(apply)
      .catch(function (error) { console.warn("digest preview:", error); });
  }

  function apply(status) {
    if (status.serial < state.serial || state.reloading) { return; }  // an answer overtaken by a newer one
    state.serial = status.serial;
    if (!status.ok) { showProblems(status); return; }
    if (status.pages !== shown.pages || overlay) {
      state.reloading = true;
      location.reload();
      return;
    }
    if (status.css !== shown.css) {
      shown.css = status.css;
      reloadStylesheets();
    }
  }

  function reloadStylesheets() {
    var livereload = window.LiveReload;
    passThrough = true;
    try {
      // A path that matches no <link> makes livereload.js swap every stylesheet in place.
      livereload.reloader.reload("/__digest__/all.css", {liveCSS: true, liveImg: false,
        originalPath: "", overrideURL: "", serverURL: location.origin});
    } finally {
      passThrough = false;
    }
  }

  var STYLE = ".backdrop{position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:6vh 1rem;" +
    "background:rgba(0,0,0,.6);font:16px/1.5 system-ui,sans-serif}" +
    ".dialog{box-sizing:border-box;max-width:60rem;margin:0 auto;padding:1.25rem 1.5rem;background:#fff;" +
    "color:#1a1a1a;border-top:.4rem solid #a50e0e;border-radius:.25rem}" +
    ".dialog:focus{outline:3px solid #0b57d0;outline-offset:2px}" +
    "h2{margin:0 0 .5rem;font-size:1.3rem;color:#8a0b0b}ol{padding-left:1.5rem}li{margin:.4rem 0}" +
    "code{font:.95em/1.4 ui-monospace,monospace;background:#f2f2f2;color:#1a1a1a;padding:0 .2em}" +
    ".warning{color:#5c4400}.error{color:#8a0b0b}" +
    "button{font:inherit;padding:.35rem 1rem;background:#fff;color:#1a1a1a;border:2px solid #1a1a1a;" +
    "border-radius:.25rem;cursor:pointer}button:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}";

  function showProblems(status) {
    if (status.serial === dismissed) { return; }
    var first = !overlay;
    if (first) {
      overlay = document.createElement("div");
      overlay.id = "digest-preview-overlay";
      var root = overlay.attachShadow({mode: "open"});
      var style = document.createElement("style");
      style.textContent = STYLE;
      var backdrop = element("div", "backdrop");
      var dialog = element("div", "dialog");
      dialog.setAttribute("role", "alertdialog");
      dialog.setAttribute("aria-labelledby", "digest-title");
      dialog.setAttribute("aria-describedby", "digest-problems");
      dialog.tabIndex = -1;
      var title = element("h2", "", "The site did not build");
      title.id = "digest-title";
      var list = element("ol", "problems");
      list.id = "digest-problems";
      var hint = element("p", "", "Save a fix and this page updates by itself. " +
        "Until then the last good build of the site is served.");
      var hide = element("button", "", "Hide");
      hide.type = "button";
      hide.addEventListener("click", function () { dismiss(state.serial); });
      dialog.addEventListener("keydown", function (event) {
        if (event.key === "Escape") { dismiss(state.serial); }
      });
      dialog.append(title, list, hint, hide);
      backdrop.append(dialog);
      root.append(style, backdrop);
      (document.body || document.documentElement).appendChild(overlay);
    }
    var items = overlay.shadowRoot.querySelector("ol");
    items.replaceChildren();
    status.problems.forEach(function (problem) {
      var item = element("li", "");
      item.append(element("code", "", problem.path + ":" + problem.line), " ",
        element("span", problem.severity, problem.severity + ": " + problem.message));
      items.append(item);
    });
    if (first) { overlay.shadowRoot.querySelector(".dialog").focus(); }
  }

  function dismiss(serial) {
    dismissed = serial;
    if (overlay) { overlay.remove(); overlay = null; }
  }

  function element(name, className, text) {
    var node = document.createElement(name);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }  // never innerHTML: messages quote the editor's files
    return node;
  }

  function DigestPlugin(window, host) { this.host = host; }
  DigestPlugin.identifier = "digest-preview";
  DigestPlugin.version = "1.0";
  DigestPlugin.prototype.reload = function () {
    if (passThrough) { return false; }
    sync();
    return true;
  };
  window.LiveReloadPluginDigestPreview = DigestPlugin;

  document.addEventListener("LiveReloadConnect", function () { state.connected = true; sync(); });
  document.addEventListener("LiveReloadDisconnect", function () { state.connected = false; });
  var script = document.createElement("script");
  script.src = "/livereload.js?port=" + (location.port || (location.protocol === "https:" ? 443 : 80));
  document.head.appendChild(script);
})();
"""
