"""The whole preview: what the browser should show (`Status`) and `Preview`, which builds, watches
and serves one project (the server on its thread, the watcher on another)."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import re
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from tornado import httpserver, ioloop, netutil, web

from .. import pipeline
from ..config import load_config
from ..patch import Memory
from ..problems import Problem, Report
from ..urls import Urls
from .handlers import (SCRIPT_PATH, STATUS_PATH, LivereloadScript, ReloadSocket, ScriptHandler, SiteHandler,
                       StatusHandler, _quiet_log, allowed_hosts)
from .notify import Wakeups
from .watch import POLL, QUIET, SKIPPED_DIRS, WATCHED, Rebuilder, Sources, is_editor_litter

READY_TIMEOUT = 60.0


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


# --- the whole preview ----------------------------------------------------------------------


class Preview:
    """Builds, watches and serves one project; `run()` blocks, `running()` runs it in a thread."""

    def __init__(self, root: Path, host: str = "127.0.0.1", port: int = 8000, overrides: dict | None = None,
                 quiet: float = QUIET, poll: float = POLL, events: bool = True):
        self.root = root
        self.site_dir = root / "site"
        self.overrides = overrides
        self.quiet, self.poll = quiet, poll
        self.events = events  # told of saves by inotify where there is one (notify.py), else polling
        self.status = Status()
        self.open_pages: set[ReloadSocket] = set()  # their livereload sockets
        self.prefix = self._prefix()
        self.ready = threading.Event()  # set once the first build is published
        self._warnings_shown: list[Problem] = []
        self.memory = Memory()  # the last full build, for patching a body edit into (patch.py)
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
        wakeups = Wakeups.open(self.root, WATCHED, SKIPPED_DIRS, is_editor_litter) if self.events else None
        sources = Sources(self.root)  # after the watches: a save in between is seen either way
        try:
            self._rebuild(sources, set(), first=True)
            rebuilder = Rebuilder(sources, lambda changed: self._rebuild(sources, changed), self.quiet, poll=self.poll,
                                  wakeups=wakeups)
            rebuilder.run(self._halt)
        finally:
            if wakeups is not None:
                wakeups.close()

    def _rebuild(self, sources: Sources, changed: set[str], first: bool = False) -> None:
        """Import new seeds (first, or if seeds/ changed), build, print the report, tell the browsers."""
        report = Report(root=self.root)
        started = time.strftime("%H:%M:%S")
        seeds = first or any(path.startswith("seeds/") for path in changed)
        outcome = self._build(sources, seeds, report)
        written = outcome is not None and outcome.written
        self._print(report)
        if written and outcome.patched:
            print(f"{started} body edit: {outcome.rendered} page(s) replaced in {outcome.seconds:.2f} s", flush=True)
        elif written:
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
            outcome = pipeline.build(self.root, self.overrides, memory=self.memory)
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
