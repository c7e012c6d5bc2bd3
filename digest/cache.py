"""What the incremental build remembers, and why it is still valid.

The cache is three files under `.digest-cache/` (bodies, items, and pages with the rest),
written with marshal (plain data only: unlike pickle, loading it can never run code) behind a
magic line and a SHA-256 of the payload, so a damaged or truncated file is recognised before
it is parsed. They hold:

- `bodies`: each content file's rendered Markdown, keyed by the file's path, valid while the
  file's bytes, the entities file and the base URL are unchanged and every `kind:id` link in it
  still resolves to the same URL (checked one by one on reuse);
- `items`: each content file's parsed item and the problems reading it gave, valid while the
  file's size, modification and change times and inode are those recorded (see `load.py`);
- `pages`: a fingerprint of everything each output page was made from (see `depend.py`); a
  page whose fingerprint is unchanged and whose file is still in `site/` is carried over
  without rendering;
- `reads`: what each page read while it rendered (see `reads.py`), to take its next fingerprint;
- `digests`, `shared`, `cards`: each item's digest, the inputs every page shares and the cards
  made of them (depend.py), as the pages were fingerprinted (a relink compares them to find the
  pages that can differ, and takes again the cards whose items kept their digests: relink.py);
- `related`: the related lists with the features they were computed from, so that an edit
  computes again only the lists it can change (see `relate.py`, `related.update_related`).

The pages file has a stamp of its own (`pages_run`): the build kept for patches (stored.py)
names the one written with it, and a front-matter patch reads nothing else (relink.py). The
bodies file holds each body on its own, with a table of where each lies: the kept build reads
its bodies there, decoding only those a patch shows, rather than holding a second copy.

The bodies and items files are known once the Markdown is rendered: `write_sources` has a
forked copy of the process write them under temporary names while the build links and plans
(one core is idle then), and `save` puts them in place with the pages file, or drops them
(`close`) if the build writes nothing.

The whole cache is dropped when its `version` differs: a hash of the package's own source, the
versions of the libraries that shape the output, and the Python version. A cache that cannot be
read or has the wrong shape is ignored and rebuilt, never trusted.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import marshal
import os
import re
import shutil
import sys
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator

from .workers import Background

CACHE_FILE = "cache.bin"
BODIES_FILE = "bodies.bin"
ITEMS_FILE = "items.bin"
MAGIC = b"digest-cache 1\n"
PENDING = ".next"  # the suffix of a bodies or items file written ahead, until save() puts it in place
SHAPING_PACKAGES = ("markdown-it-py", "mdit-py-plugins", "Jinja2", "MarkupSafe", "PyYAML", "pagefind_bin")


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of everything outside the content that shapes the output, except layouts."""
    digest = hashlib.sha256(sys.version.encode())
    for name in SHAPING_PACKAGES:
        digest.update(f"{name}={installed_version(name) or 'absent'}".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def installed_version(name: str) -> str | None:
    """An installed distribution's version (None if it is not installed), from the name of its
    `.dist-info` folder in the first entry of sys.path that has one, as importlib.metadata finds
    it: importing that module (and the email parser it brings) was a tenth of a build that finds
    nothing to do. Anything else found first (an egg, a zip on the path) is left to importlib."""
    wanted = _distribution_name(name)
    for folder in sys.path:
        if os.path.isfile(folder):
            return _metadata_version(name)  # a zip or an egg: importlib looks inside
        for entry in _folder_listing(folder):
            stem, _, suffix = entry.rpartition(".")
            distribution, dash, version = stem.partition("-")
            if suffix in ("dist-info", "egg-info") and _distribution_name(distribution) == wanted:
                return version if suffix == "dist-info" and dash else _metadata_version(name)
    return None


def _metadata_version(name: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _distribution_name(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()


def _folder_listing(folder: str) -> list[str]:
    try:
        return os.listdir(folder or ".")
    except OSError:
        return []


def hash_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def hash_tree(folder: Path) -> str:
    """A hash of every file's path and bytes under a folder (layouts, static assets)."""
    digest = hashlib.sha256()
    if folder.is_dir():
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
                digest.update(path.read_bytes())
    return digest.hexdigest()


class Cache:
    """The remembered state of the last successful build of one project."""

    def __init__(self, root: Path):
        self.folder = root / ".digest-cache"
        self.bodies: dict[str, dict] = {}
        self.bodies_changed = False
        self.pages: dict[str, str] = {}
        self.reads: dict[str, list] = {}  # page → what it read while rendering (reads.py)
        self.search: str | None = None
        self.related: dict = {}
        # What the pages were fingerprinted with: each item's digest and the inputs all pages
        # share (depend.py), so that a relink fingerprints only the pages that can differ.
        self.digests: dict[tuple, str] = {}
        self.shared = ""
        self.cards: dict[tuple, str] = {}  # and each item's card (depend._card) that was made
        self.items: dict[str, dict | Callable[[], dict]] = {}  # plain, or a function making it plain when written
        self.items_changed = False
        self.run = ""  # pairs the pages file with the bodies file written with it
        self.items_run = ""  # and with the items file, written only when an item changed
        self.pages_run = ""  # the pages file's own stamp: a kept build names the one it goes with
        self.pending: list[str] = []  # the files write_sources is writing ahead
        self.writing: Background | None = None

    @classmethod
    def load(cls, root: Path) -> "Cache":
        """The cache on disk if it is readable and of this code version; else an empty one."""
        cache = cls(root)
        pages, bodies = read_cache_file(cache.folder / CACHE_FILE), read_bodies_file(cache.folder / BODIES_FILE)
        if not (_well_formed(pages, "pages", str) and _well_formed(bodies, "bodies", dict)):
            return cache
        if pages["version"] != code_version() or bodies["version"] != code_version() or pages["run"] != bodies["run"]:
            return cache
        cache._take_pages(pages)
        cache.search, cache.bodies, cache.run = pages["search"], bodies["bodies"], pages["run"]
        items = read_cache_file(cache.folder / ITEMS_FILE)
        if _well_formed(items, "items", dict) and items["version"] == code_version() and items["run"] == pages.get("items_run"):
            cache.items, cache.items_run = items["items"], items["run"]
        return cache

    @classmethod
    def load_pages(cls, root: Path, pages_run: str) -> "Cache | None":
        """Only the pages file (fingerprints, reads, related lists), if it is the one stamped
        pages_run: what a patch of a kept build needs (patch.py), without the bodies and items."""
        cache = cls(root)
        pages = read_cache_file(cache.folder / CACHE_FILE)
        if not (_well_formed(pages, "pages", str) and pages["version"] == code_version() and pages_run
                and pages.get("pages_run") == pages_run):
            return None
        cache._take_pages(pages)
        return cache

    def _take_pages(self, pages: dict) -> None:
        """The pages file's fingerprints, reads (those of the right shape), related lists and stamp."""
        reads = pages.get("reads")
        self.pages, self.pages_run = pages["pages"], str(pages.get("pages_run", ""))
        self.reads = {path: tokens for path, tokens in reads.items() if _tokens(tokens)} if isinstance(reads, dict) else {}
        self.related = pages["related"] if isinstance(pages.get("related"), dict) else {}
        digests, shared = pages.get("digests"), pages.get("shared")
        well_formed = isinstance(digests, dict) and isinstance(shared, str) and all(
            type(key) is tuple and len(key) == 2 and type(value) is str for key, value in digests.items())
        self.digests, self.shared = (digests, shared) if well_formed else ({}, "")
        cards = pages.get("cards")
        self.cards = cards if well_formed and isinstance(cards, dict) and all(
            type(key) is tuple and type(value) is str and key in digests for key, value in cards.items()) else {}

    def pages_part(self) -> "Cache":
        """What load_pages would read back after save: for a patch of a build kept in memory."""
        part = Cache(self.folder.parent)
        part.pages, part.reads, part.related, part.pages_run = self.pages, self.reads, self.related, self.pages_run
        part.digests, part.shared, part.cards = self.digests, self.shared, self.cards
        return part

    def stamp_pages(self) -> None:
        """Give the pages file the stamp the next save writes it with, before a kept build names it."""
        self.pages_run = new_run()

    def write_sources(self) -> None:
        """Start writing the bodies and items files (those that changed) under temporary names,
        by a forked copy of this process; save() puts them in place, close() drops them."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self.pending = self._stamp_sources()
        if self.pending:
            self.writing = Background(lambda: self._write(self.pending, PENDING))

    def save(self) -> None:
        """Write the cache files atomically (the pages file with the stamp of stamp_pages, called
        first); the large bodies and items files only when a body or an item changed.

        Each of them carries a `run` stamp that the pages file, written last, names; so a build
        killed between two writes leaves a pair that does not match, and the unmatched file
        is ignored."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.writing is None:
            self._write(self._stamp_sources(), "")
        elif self.writing.wait():
            for name in self.pending:
                replace(self.folder / (name + PENDING), self.folder / name)
            self.pending = []  # in place: nothing left for close() to drop
        else:  # the copy failed: write them here (what fails again is raised this time)
            self._write(self.pending, "")
        self.close()
        write_cache_file(self.folder / CACHE_FILE, {"version": code_version(), "run": self.run, "items_run": self.items_run,
                                                    "pages_run": self.pages_run,
                                                    "pages": self.pages, "search": self.search, "related": self.related,
                                                    "reads": self.reads, "digests": self.digests, "shared": self.shared,
                                                    "cards": self.cards})

    def close(self) -> None:
        """Drop whatever write_sources wrote ahead and save() did not put in place."""
        if self.writing is not None:
            self.writing.wait()
            for name in self.pending:
                pending = self.folder / (name + PENDING)
                pending.unlink(missing_ok=True)
                pending.with_suffix(".tmp").unlink(missing_ok=True)  # a copy that died while writing it
        self.writing, self.pending = None, []

    def _stamp_sources(self) -> list[str]:
        """New stamps for the bodies and items files that must be written (then no longer
        counted as changed): the names of those."""
        names = []
        if self.bodies_changed or not self.run:
            self.run, self.bodies_changed = new_run(), False
            names.append(BODIES_FILE)
        if self.items_changed or not self.items_run:
            self.items_run, self.items_changed = new_run(), False
            names.append(ITEMS_FILE)
        return names

    def _write(self, names: list[str], suffix: str) -> None:
        if BODIES_FILE in names:
            write_bodies_file(self.folder / (BODIES_FILE + suffix),
                              {"version": code_version(), "run": self.run, "bodies": self.bodies})
        if ITEMS_FILE in names:
            write_cache_file(self.folder / (ITEMS_FILE + suffix),
                             {"version": code_version(), "run": self.items_run,
                              "items": {key: entry() if callable(entry) else entry for key, entry in self.items.items()}})


def new_run() -> str:
    """A fresh stamp that pairs files written together."""
    return hashlib.sha256(os.urandom(16)).hexdigest()[:16]


def read_cache_file(path: Path):
    """A cache file's data, or None if it is missing, damaged or not ours (checksum first, then parse)."""
    payload = read_framed(path)
    if payload is None:
        return None
    try:
        return marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None


def write_cache_file(path: Path, data: dict) -> None:
    """Write a cache file atomically: magic, sha256 of the payload, marshal payload (data only, no code)."""
    write_framed(path, marshal.dumps(data))


def write_bodies_file(path: Path, data: dict) -> None:
    """The bodies file: each body on its own (marshal), then a table of its version, run and
    where each body lies, then where the table starts."""
    with write_framed_stream(path) as out:
        places, offset = {}, 0
        for name, entry in data["bodies"].items():
            packed = marshal.dumps(entry)
            out.write(packed)
            places[name], offset = (offset, len(packed)), offset + len(packed)
        out.write(marshal.dumps({"version": data["version"], "run": data["run"], "places": places}))
        out.write(offset.to_bytes(8, "big"))


def read_bodies_table(path: Path, verify: bool = True) -> tuple[dict, memoryview] | None:
    """The bodies file's table ({version, run, places: name → (start, length)}) and its payload,
    each body to be decoded when wanted; None if missing, damaged or not ours (unverified, as
    read_framed: the checksum is framed_intact's to check before any body is used)."""
    payload = read_framed(path, verify)
    if payload is None or len(payload) < 8:
        return None
    end = int.from_bytes(payload[-8:], "big")
    try:
        table = marshal.loads(payload[end:-8]) if end <= len(payload) - 8 else None
    except (EOFError, ValueError, TypeError):
        return None
    places = table.get("places") if isinstance(table, dict) else None
    if not isinstance(places, dict) or not all(_place(place, end) for place in places.values()):
        return None
    return table, payload


def read_bodies_file(path: Path) -> dict | None:
    """The bodies file as written: {version, run, bodies: name → entry}, every body decoded."""
    found = read_bodies_table(path)
    if found is None:
        return None
    table, payload = found
    try:
        bodies = {name: marshal.loads(payload[start:start + length]) for name, (start, length) in table["places"].items()}
    except (EOFError, ValueError, TypeError):
        return None
    return {"version": table.get("version"), "run": table.get("run"), "bodies": bodies}


def _place(place, end: int) -> bool:
    """(start, length) of a body inside the bodies' part of the payload."""
    return (type(place) is tuple and len(place) == 2 and all(type(n) is int for n in place)
            and 0 <= place[0] and 0 < place[1] and place[0] + place[1] <= end)


def read_framed(path: Path, verify: bool = True) -> memoryview | None:
    """The payload of a file written by write_framed, or None if it is missing, damaged or not
    ours. Unverified (`verify=False`), the file is mapped, not read, and its checksum left to
    `framed_intact`: whoever asks that must not use the payload until it answers."""
    try:
        raw = path.read_bytes() if verify else _mapped(path)
    except (OSError, ValueError):  # ValueError: an empty file cannot be mapped
        return None
    view = memoryview(raw)  # slices of a view, not copies: the payload can be tens of megabytes
    header, checksum, payload = raw[:len(MAGIC)], raw[len(MAGIC):len(MAGIC) + 32], view[len(MAGIC) + 32:]
    if header != MAGIC or (verify and hashlib.sha256(payload).digest() != checksum):
        return None
    return payload


def framed_intact(path: Path) -> bool:
    """Whether a file written by write_framed is whole: its payload matches its checksum."""
    return read_framed(path) is not None


def _mapped(path: Path):
    """The file's bytes as a read-only memory map: a page is read only when touched."""
    import mmap

    with open(path, "rb") as handle:
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


def write_framed(path: Path, payload: bytes, temporary: Path | None = None) -> None:
    """Write magic, the payload's sha256 and the payload to a temporary file (by default the
    path with .tmp for suffix), then rename it into place."""
    with write_framed_stream(path, temporary) as out:
        out.write(payload)


@contextlib.contextmanager
def write_framed_stream(path: Path, temporary: Path | None = None) -> Iterator["_HashingWriter"]:
    """write_framed for a payload written piece by piece: its checksum is filled in at the end."""
    temporary = temporary or path.with_suffix(".tmp")
    remove(temporary)  # a leftover, or a link planted there: never written through
    try:
        with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), "wb") as handle:
            handle.write(MAGIC + bytes(32))
            writer = _HashingWriter(handle)
            yield writer
            handle.seek(len(MAGIC))
            handle.write(writer.digest.digest())
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    replace(temporary, path)


def replace(temporary: Path, path: Path) -> None:
    """Rename a file written in full over a cache file, whatever is in its way (a folder made
    there by hand, say: the cache folder is the build's own, and nothing in it stops a build)."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    os.replace(temporary, path)


def remove(path: Path) -> None:
    """Remove whatever is at path (a file, a link, not what it leads to, or a folder); nothing
    if there is nothing."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


class _HashingWriter:
    """A file's write(), hashing what passes through it."""

    def __init__(self, handle):
        self.handle, self.digest = handle, hashlib.sha256()

    def write(self, data) -> int:
        self.digest.update(data)
        return self.handle.write(data)


def _well_formed(data, key: str, kind: type) -> bool:
    """The expected shape, checked before anything in the file is used."""
    if not (isinstance(data, dict) and isinstance(data.get("version"), str) and isinstance(data.get("run"), str)
            and isinstance(data.get(key), dict)):
        return False
    if key == "pages" and not (data.get("search") is None or isinstance(data.get("search"), str)):
        return False
    return all(isinstance(v, kind) for v in data[key].values())


def _tokens(tokens) -> bool:
    """A page's reads as this code writes them: a list of strings (each parsed when its digest is taken)."""
    return type(tokens) is list and all(type(token) is str for token in tokens)


_PLAIN = frozenset({str, int, float, bool, type(None)})


def stable_repr(value) -> str:
    """A deterministic text form of model values, for hashing (sets sorted, dataclasses by field)."""
    if type(value) in _PLAIN:
        return repr(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = ", ".join(f"{f.name}={stable_repr(getattr(value, f.name))}" for f in dataclasses.fields(value))
        return f"{type(value).__name__}({fields})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{stable_repr(k)}: {stable_repr(v)}" for k, v in sorted(value.items(), key=lambda kv: repr(kv[0]))) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(stable_repr(v) for v in value) + "]"
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(stable_repr(v) for v in value)) + "}"
    return repr(value)
