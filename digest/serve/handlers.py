"""The preview's HTTP side: which requests to answer (loopback Host, same Origin, paths inside
site/) and the tornado handlers for site/, the status, the preview script and livereload."""

from __future__ import annotations

import ipaddress
import json
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from livereload.handlers import LiveReloadJSHandler
from tornado import web, websocket

from .overlay import PREVIEW_JS

if TYPE_CHECKING:
    from .preview import Preview

STATUS_PATH = "/__digest__/status"
SCRIPT_PATH = "/__digest__/preview.js"
HEAD_END = re.compile(rb"</head\s*>", re.IGNORECASE)
FALLBACK_404 = (b"<!doctype html><html lang=en><head><meta charset=utf-8><title>Not found</title></head>"
                b"<body><main><h1>Not found</h1><p>There is no page at this address in site/.</p></main>"
                b"</body></html>")


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
