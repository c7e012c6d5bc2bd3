"""Is the last build still current? A check on file metadata that lets a no-change rebuild stop early.

Like make, ninja or git's index, the build takes a snapshot of its inputs' metadata (size,
modification and change time, inode) before it reads them. After a successful build it writes
that snapshot to `.digest-cache/uptodate.bin`, with a snapshot of `site/`, the problems it
reported and a key for everything else that shapes the output (the code and library versions,
the configuration with the command line's overrides, the build date when it is shown). The next
build compares: if every input and every file of `site/` is as recorded, nothing can differ, so
it reports the same warnings and stops. Anything else (a touched file, a file added or removed
anywhere in content/, layouts/ or seeds/, a missing stamp, another flag) means a full build.

Timestamps are coarse (a few milliseconds), so a file that changed within `SETTLE_NS` before a
snapshot could change again unseen with the same size and time: such a snapshot is not trusted.
A file edited while a build runs differs from the snapshot taken before reading, so the build
after that one is a full one.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from .cache import code_version, read_cache_file, remove, stable_repr, write_cache_file
from .config import Config
from .problems import Problem, problem_from_data, problem_to_data

STAMP_FILE = "uptodate.bin"
SETTLE_NS = 1_000_000_000


class Snapshot:
    """The inputs' metadata, taken before the build reads any of them."""

    def __init__(self, config: Config, build_date: str | None):
        self.taken_ns = time.time_ns()
        self.key = hashlib.sha256("\0".join([code_version(), stable_repr(config), build_date or ""]).encode()).hexdigest()
        self.inputs = _metadata([config.config_path], [config.content_dir, config.layouts_dir, config.seeds_dir], config.root)

    @classmethod
    def remembered(cls, key: str, inputs: dict, taken_ns: int) -> "Snapshot":
        """A snapshot taken by an earlier build (stored.py keeps one with its model)."""
        snapshot = cls.__new__(cls)
        snapshot.key, snapshot.inputs, snapshot.taken_ns = key, inputs, taken_ns
        return snapshot

    def settled(self) -> bool:
        """True when no input changed so recently that a later change could go unseen."""
        return all(settled(entry, self.taken_ns) for entry in self.inputs.values() if entry)


def settled(metadata: list[int], now_ns: int) -> bool:
    """Whether a file's metadata (see `metadata`) was last changed long enough before now_ns
    that a further change could not hide behind the same size and coarse times."""
    return max(metadata[1], metadata[2]) < now_ns - SETTLE_NS


def still_current(config: Config, snapshot: Snapshot) -> list[Problem] | None:
    """The last build's problems if its inputs and site/ are exactly as it left them; else None."""
    stamp = _read(_stamp_path(config))
    if stamp is None or stamp["key"] != snapshot.key or stamp["inputs"] != snapshot.inputs:
        return None
    if stamp["site"] != site_files(config):
        return None
    return stamp["problems"]


def forget(config: Config) -> None:
    """Drop the stamp before a full build: until it succeeds, the site is not known to be current."""
    remove(_stamp_path(config))


def record(config: Config, snapshot: Snapshot, problems: list[Problem], site: dict | None = None) -> None:
    """After a successful build: remember what it was made from, if that can be trusted."""
    if not snapshot.settled():
        return
    stamp = {"key": snapshot.key, "inputs": snapshot.inputs, "site": site if site is not None else site_files(config),
             "problems": [problem_to_data(p) for p in problems]}
    write_cache_file(_stamp_path(config), stamp)


def site_files(config: Config) -> dict[str, list[int] | None]:
    """The metadata of site/ and of everything in it."""
    return _metadata([], [config.site_dir], config.site_dir)


def site_files_after(config: Config, before: dict, changed: list[str]) -> dict[str, list[int] | None]:
    """site/'s metadata after the files at these paths (relative to site/) were replaced, added
    or removed: taken again for them and every folder above them, whose entries may have
    changed (a new folder, a file renamed in, a folder emptied and removed)."""
    after = dict(before)
    for relative in changed:
        names, folder = [relative], os.path.dirname(relative)
        while folder:
            names.append(folder)
            folder = os.path.dirname(folder)
        for name in names:
            found = metadata(config.site_dir / name)
            if found is None:
                after.pop(name, None)
            else:
                after[name] = found
    if changed:
        after["./"] = metadata(config.site_dir)
    return after


def _stamp_path(config: Config) -> Path:
    return config.root / ".digest-cache" / STAMP_FILE


def _metadata(files: list[Path], folders: list[Path], base: Path) -> dict[str, list[int] | None]:
    """Relative path → [size, mtime_ns, ctime_ns, inode, mode] for each file and every entry under the folders."""
    found: dict[str, list[int] | None] = {}
    for path in files:
        found[os.path.relpath(path, base)] = metadata(path)
    for folder in folders:
        prefix = os.path.relpath(folder, base)
        found[prefix + "/"] = metadata(folder)
        _walk(str(folder), "" if prefix == "." else prefix + "/", found)
    return found


def _walk(folder: str, prefix: str, found: dict) -> None:
    """Every entry under folder, into found; links to folders are noted, not followed (as the loader does)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        name = prefix + entry.name
        found[name] = metadata(entry)
        try:
            descend = entry.is_dir(follow_symlinks=False)
        except OSError:
            descend = False
        if descend:
            _walk(entry.path, name + "/", found)


def metadata(path) -> list[int] | None:
    """[size, mtime_ns, ctime_ns, inode, mode] of a file, following links (a link's target can
    change); the link's own if it dangles; None if there is nothing there."""
    try:
        info = os.stat(path)
    except OSError:
        try:
            info = os.lstat(path)
        except OSError:
            return None
    return [info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_mode]


def _read(path: Path) -> dict | None:
    """The stamp if it is readable and has the expected shape; anything else counts as no stamp."""
    stamp = read_cache_file(path)
    if not (isinstance(stamp, dict) and isinstance(stamp.get("key"), str) and isinstance(stamp.get("inputs"), dict)
            and isinstance(stamp.get("site"), dict) and isinstance(stamp.get("problems"), list)):
        return None
    try:
        stamp["problems"] = [problem_from_data(p) for p in stamp["problems"]]
    except ValueError:
        return None
    return stamp
