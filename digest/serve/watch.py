"""The preview's watcher: which watched files changed on disk (`Sources`), when a burst of saves is
over (`Debounce`), and the loop that polls and calls for a rebuild (`Rebuilder`)."""

from __future__ import annotations

import os
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISLNK, S_ISREG
from typing import Callable

QUIET = 0.1  # seconds without a save before building: an editor's save is several writes
LONGEST = 1.0  # build at least this often while saves keep coming
POLL = 0.05  # seconds between polls of a small project; a big one polls less often
SCAN_EVERY = 2.0  # with inotify, seconds between full scans at least (for what it cannot see)
STOP_CHECK = 0.2  # with inotify, how long a wait for events goes without looking at `stop`
RACY = 2.0  # files changed this recently are compared by content too (coarse mtime clocks)
WATCHED = ("content", "layouts", "seeds", "site.yaml")
SKIPPED_DIRS = {".git", ".hg", ".svn", "__pycache__", "node_modules"}


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

    def changes_in(self, paths: set[str]) -> set[str]:
        """Like `changes`, for these project-relative paths alone (the ones inotify named)."""
        now, changed = time.time(), set()
        for path in paths:
            fresh = _signature(str(self.root / path), now)
            if _differs(self.seen.get(path), fresh):
                changed.add(path)
            if fresh is None:
                self.seen.pop(path, None)
            else:
                self.seen[path] = fresh
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
            path = self.root / name
            if path.is_dir() and not path.is_symlink():
                self._walk(str(path), name, now, found)
            elif (signature := _signature(str(path), now)) is not None:
                found[name] = signature
        return found

    def _walk(self, folder: str, relative: str, now: float, found: dict[str, tuple]) -> None:
        """Every file under a folder, by os.scandir (a big project is scanned every poll)."""
        try:
            entries = list(os.scandir(folder))
        except OSError:  # gone, not a folder, unreadable, a symlink loop
            return
        for entry in entries:
            if entry.name in SKIPPED_DIRS or is_editor_litter(entry.name):
                continue
            name = f"{relative}/{entry.name}"
            try:
                is_folder = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_folder = False
            if is_folder:
                self._walk(entry.path, name, now, found)
            elif (signature := _signature(entry.path, now)) is not None:
                found[name] = signature


def _signature(path: str, now: float) -> tuple | None:
    """(mtime, ctime, size, inode, content hash if changed within RACY seconds), None if gone."""
    try:
        info = os.stat(path)
        if not S_ISREG(info.st_mode):
            return None
        # Two saves within one tick of the file system's clock can leave the same mtime.
        digest = zlib.crc32(Path(path).read_bytes()) if now - info.st_mtime < RACY else None
    except OSError:  # gone, unreadable, or a link that leads nowhere or round in a loop
        return _link_signature(path)
    return (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino, digest)


def _link_signature(path: str) -> tuple | None:
    """A broken or looping symbolic link is watched as itself: removing or fixing it is a change."""
    try:
        link = os.lstat(path)
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
    """Watches the sources and calls `rebuild(changed paths)` after each quiet burst of saves:
    told by inotify where it can (`wakeups`, notify.py), else by polling."""

    def __init__(self, sources: Sources, rebuild: Callable[[set[str]], None],
                 quiet: float = QUIET, longest: float = LONGEST, poll: float = POLL, wakeups=None):
        self.sources = sources
        self.rebuild = rebuild
        self.debounce = Debounce(quiet, longest)
        self.poll = poll
        self.wakeups = wakeups
        self.interval = poll  # until the next full scan
        self.scanned = time.monotonic()

    def run(self, stop: threading.Event) -> None:
        """Watch, debounce and rebuild until `stop` is set."""
        pending: set[str] = set()
        while (changed := self._next_changes(stop)) is not None:
            now = time.monotonic()
            if changed:
                pending |= changed
                self.debounce.change(now)
            if self.debounce.due(now):
                self.debounce.started()
                batch, pending = pending, set()
                self.rebuild(batch)

    def _next_changes(self, stop: threading.Event) -> set[str] | None:
        """What changed by the next time there is anything to do; None once `stop` is set."""
        timeout = self._timeout()
        if self.wakeups is None:
            return None if stop.wait(timeout) else self._scan()
        touched: set[str] | None = set()
        deadline = time.monotonic() + timeout
        while touched == set() and not stop.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            touched = self.wakeups.wait(min(remaining, STOP_CHECK))
        if stop.is_set():
            return None
        if touched is None:
            self.wakeups.watch_all()  # new folders need watches of their own
            return self._scan()
        if touched:
            return self.sources.changes_in(touched)
        return self._scan() if time.monotonic() - self.scanned >= self.interval else set()

    def _scan(self) -> set[str]:
        """Every watched file looked at; a big project is scanned less often rather than spun on
        (polling: 4 × the scan's time; with inotify, which reports saves at once: 20 ×, 2 s at least)."""
        started = time.monotonic()
        changed = self.sources.changes()
        self.scanned = time.monotonic()
        spent = self.scanned - started
        self.interval = max(self.poll, 4 * spent) if self.wakeups is None else max(SCAN_EVERY, 20 * spent)
        return changed

    def _timeout(self) -> float:
        wait = self.debounce.wait(time.monotonic())
        until_scan = max(0.0, self.scanned + self.interval - time.monotonic())
        return until_scan if wait is None else min(until_scan, wait)
