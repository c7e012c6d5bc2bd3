"""The kernel's word on what changed (inotify, Linux), so the watcher need not scan to find out.

Scanning every watched file costs ~0.2 s at 20,000 articles, so the watcher could only afford it
every ~0.8 s: most of the time between a save and the reload, and a quarter of a core while
idle. With inotify, a save is known at once and only the files it names are looked at again.
Anything the events cannot say precisely (a folder made, moved or deleted, lost events) asks
for a full scan; the watcher still scans in full now and then, for what inotify never reports
(a file behind a symbolic link, a network file system, a folder past the limit of watches). Where inotify is missing, `Wakeups.open`
gives None and the watcher polls as before.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

try:
    from inotify_simple import INotify, flags
except (ImportError, OSError):  # not Linux
    INotify = flags = None

SCAN_ALL = None  # what `wait` gives when only a full scan can tell what changed


class Wakeups:
    """inotify watches on the project root and every folder under the watched ones."""

    def __init__(self, root: Path, watched: tuple[str, ...], skipped: set[str], is_litter):
        self.root, self.watched, self.skipped, self.is_litter = root, watched, skipped, is_litter
        self.inotify = INotify()
        self.folders: dict[int, str] = {}  # watch descriptor → folder relative to root ("" is root)
        self.mask = (flags.CREATE | flags.DELETE | flags.MODIFY | flags.CLOSE_WRITE | flags.ATTRIB
                     | flags.MOVED_FROM | flags.MOVED_TO | flags.DELETE_SELF | flags.MOVE_SELF)
        self.watch_all()

    @classmethod
    def open(cls, root: Path, watched: tuple[str, ...], skipped: set[str], is_litter) -> "Wakeups | None":
        """Wakeups for the project, or None where inotify is unavailable or out of watches."""
        if INotify is None:
            return None
        try:
            return cls(root, watched, skipped, is_litter)
        except (OSError, AttributeError):  # no watches left; no inotify_init1 in this C library
            return None

    def watch_all(self) -> None:
        """Watch the root and every folder under the watched ones (again after a full scan:
        adding a watch twice gives the same descriptor)."""
        self._watch("")
        for name in self.watched:
            path = self.root / name
            if path.is_dir() and not path.is_symlink():
                for folder, dirs, _ in os.walk(path):
                    dirs[:] = [d for d in dirs if d not in self.skipped and not os.path.islink(os.path.join(folder, d))]
                    self._watch(Path(folder).relative_to(self.root).as_posix())

    def wait(self, timeout: float) -> set[str] | None:
        """Project-relative paths of the files the events name within `timeout` seconds (an
        empty set if none came), or SCAN_ALL when only a full scan can tell."""
        touched: set[str] = set()
        for event in self.inotify.read(timeout=max(0, math.ceil(timeout * 1000))):  # no spinning on < 1 ms
            folder = self.folders.get(event.wd)
            if event.mask & flags.Q_OVERFLOW or folder is None or not event.name:
                return SCAN_ALL  # events lost, or a watched folder itself deleted or moved
            if folder == "" and event.name not in self.watched:
                continue  # the root is watched for site.yaml and the watched folders alone
            if event.name in self.skipped or self.is_litter(event.name):
                continue
            if event.mask & flags.ISDIR:
                return SCAN_ALL  # a folder made, moved or deleted: its files, and its watches
            touched.add(f"{folder}/{event.name}" if folder else event.name)
        return touched

    def close(self) -> None:
        self.inotify.close()

    def _watch(self, relative: str) -> None:
        try:
            descriptor = self.inotify.add_watch(self.root / relative if relative else self.root, self.mask)
        except OSError:
            if not relative:
                raise  # not even the root: no wakeups at all (open() gives None)
            return  # gone since the walk, or no watches left: the periodic full scan covers it
        self.folders[descriptor] = relative
