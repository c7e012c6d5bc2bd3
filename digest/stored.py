"""The kept build on disk: a fresh `build.py build` patches a content edit as the preview does.

After every full build that writes site/ without search, the model a patch needs (content,
links, the plan, which pages read what, the inputs' snapshot and the metadata of every file in
site/) is written to `.digest-cache/kept.bin`, with a small head (`kept-head.bin`: the
snapshot and which file holds which item) that rules out any change but to content files
before the model is loaded. Its bodies are not copied there: they are read from the cache's
bodies file written with it, each when a patch first reads it (cache.py). Each patch then
writes what it changed to `kept-patch.bin` instead of the whole model again. A later process
restores both, and patch.py decides whether the change since is one it can patch; a
front-matter patch (relink.py) also reads the full build's pages file (cache.py). The kept
build names the bodies and pages files by their stamps. It is used only while site/ is
exactly as it was left (every file's size, times and inode), the code, configuration and
build date are the same, and all its files are intact and belong together; anything else
means a full build.

The model is pickled, unlike the rest of the cache (marshal, plain data): rebuilding tens of
thousands of objects from plain data costs as much as linking and planning again. Loading
uses an unpickler that can make nothing but the model's own dataclasses (an allow list, the
safeguard the pickle documentation describes), behind the checksum every cache file carries.
"""

from __future__ import annotations

import io
import marshal
import pickle
from collections.abc import Callable, MutableMapping

from . import uptodate
from .bodies import Body, make_resolver
from .cache import (BODIES_FILE, Cache, code_version, framed_intact, read_bodies_table, read_cache_file, read_framed,
                    remove, write_cache_file, write_framed_stream)
from .config import Config
from .entities import Gazetteer
from .patch import Kept, changed_items
from .render import Site, make_environment
from .urls import Urls
from .workers import Forked

HEAD_FILE = "kept-head.bin"
KEPT_FILE = "kept.bin"
PATCH_FILE = "kept-patch.bin"
# What unpickling a damaged or foreign file can raise; any of it means: build in full.
_DAMAGE = (pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, KeyError, TypeError,
           ValueError, OverflowError, RecursionError, MemoryError)
_ALLOWED = {
    "digest.model": {"Article", "Brief", "Incident", "Page", "Entity", "PartialDate", "Source", "Relation",
                     "Content"},
    "digest.relate": {"Tag", "RelationView", "Links"},
    "digest.related": {"Related"},
    "digest.plan": {"PagePlan"},
    "digest.bodies": {"Body"},
    "digest.problems": {"Problem"},
    "pathlib": {"PosixPath", "WindowsPath"},
}


def store(config: Config, kept: Kept, run: str, site_files: Callable[[], dict]) -> None:
    """Write the kept build after a full build, stamped `run`; earlier patches no longer apply.
    Streamed, never whole in memory. The bodies are not in it: the cache's bodies file holds
    them, and the kept build names the one it goes with. site/'s metadata comes last, from
    site_files(), which may wait for site/ to be in place (pipeline._store)."""
    site = kept.site
    readers, excerpts = kept.reading()
    _remove(config, PATCH_FILE)
    with write_framed_stream(_path(config, KEPT_FILE)) as out:
        state = {"version": code_version(), "run": run, "key": kept.snapshot.key, "taken_ns": kept.snapshot.taken_ns,
                 "inputs": kept.snapshot.inputs, "content": site.content,
                 "links": site.links, "bodies_run": kept.bodies_run, "build_date": site.build_date, "pages": kept.pages,
                 "problems": kept.problems, "readers": readers, "excerpts": excerpts,
                 "by_path": kept.by_path, "found": kept.found, "derived_from": kept.derived_from,
                 "pages_run": getattr(kept.remembered() if kept.remembered else None, "pages_run", "")}
        pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.dump(state)
        kept.site_files = site_files()
        pickler.dump(kept.site_files)
    kept.run = run
    _store_head(config, kept)


def _store_head(config: Config, kept: Kept) -> None:
    """The little a process needs to tell, before loading the model, whether a patch may do:
    the snapshot and which file holds which item."""
    write_cache_file(_path(config, HEAD_FILE), {
        "version": code_version(), "run": kept.run, "key": kept.snapshot.key, "taken_ns": kept.snapshot.taken_ns,
        "inputs": kept.snapshot.inputs, "by_path": kept.by_path})


def store_changes(config: Config, kept: Kept) -> None:
    """Write what the patches since the kept build changed, and the snapshot they leave."""
    state = {"version": code_version(), "run": kept.run, "taken_ns": kept.snapshot.taken_ns,
             "inputs": kept.snapshot.inputs, "site_files": kept.site_files, "changes": kept.changes,
             "problems": kept.problems, "derived_from": kept.derived_from}
    with write_framed_stream(_path(config, PATCH_FILE)) as out:
        pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(state)
    _store_head(config, kept)


def forget(config: Config) -> None:
    """Drop the kept build: a full build is about to change site/."""
    for name in (HEAD_FILE, PATCH_FILE, KEPT_FILE):
        _remove(config, name)


def restore(config: Config, snapshot: uptodate.Snapshot) -> Kept | None:
    """The kept build with its patches applied, if it still describes site/ exactly and the
    change since looks like one it can patch; else None."""
    if not _patch_likely(config, snapshot):
        return None
    # A forked copy looks over site/ (thousands of folders) and checks the bodies file (tens of
    # megabytes, mapped here unread: a patch decodes a handful) while this process loads the model.
    with Forked(lambda: (uptodate.site_files(config), framed_intact(_path(config, BODIES_FILE)))) as looked_over:
        state = _load(config, KEPT_FILE)
        if state is None or state.get("key") != snapshot.key:
            return None
        changes = _load(config, PATCH_FILE)
        try:
            if changes is not None and changes.get("run") == state["run"]:
                state.update({name: changes[name] for name in ("taken_ns", "inputs", "site_files", "changes", "problems",
                                                               "derived_from")})
            else:
                state["changes"] = {"items": {}, "reads": {}, "printed": {}}
            kept = _kept(config, state)
        except (KeyError, TypeError, AttributeError, ValueError):
            return None  # a file of the right version but the wrong shape: not ours to trust
        return kept if looked_over.value() == (kept.site_files, True) else None


def _patch_likely(config: Config, snapshot: uptodate.Snapshot) -> bool:
    """Whether only content files changed, the same files as before: read from the head, so
    that any other change (a layout, a new file) does not wait for the model to load."""
    head = read_cache_file(_path(config, HEAD_FILE))
    try:
        before = uptodate.Snapshot.remembered(head["key"], head["inputs"], head["taken_ns"])
        return bool(changed_items(before, snapshot, head["by_path"]))
    except (KeyError, TypeError, AttributeError, ValueError):
        return False  # no head, or not one this code wrote


def _kept(config: Config, state: dict) -> Kept:
    urls = Urls(config.base_url)
    site = Site(config, state["content"], state["links"], urls, _bodies(config, state["content"], state["bodies_run"]),
                state["build_date"])
    gazetteer = Gazetteer(site.content.entities)
    kept = Kept(config, uptodate.Snapshot.remembered(state["key"], state["inputs"], state["taken_ns"]), site,
                None, state["pages"], state["problems"], make_resolver(site.content, urls), gazetteer,
                readers=state["readers"], excerpts=state["excerpts"], by_path=state["by_path"], site_files=state["site_files"],
                run=state["run"], found=state["found"], derived_from=state["derived_from"], bodies_run=state["bodies_run"])
    kept.remembered = _remembered(config, state["pages_run"])
    for key, (item, body) in state["changes"]["items"].items():
        kept.refresh(key, item, body)
    index_of = {page.path: index for index, page in enumerate(kept.pages)}
    for path, tokens in state["changes"]["reads"].items():
        if path in index_of:  # pages a patch added since are read again by the relink (relink_due)
            kept.note_reads(index_of[path], tokens)
    kept.changes = state["changes"]
    kept.env = make_environment(config, site)
    return kept


def _remembered(config: Config, pages_run: str):
    """The full build's pages file, read once when a relink first asks for it (relink.py)."""
    loaded = []

    def remembered() -> Cache | None:
        if not loaded:
            loaded.append(Cache.load_pages(config.root, pages_run))
        return loaded[0]

    return remembered


def _bodies(config: Config, content, run: str) -> "_Bodies":
    """The bodies of the cache's bodies file, if it is the one of this run, by item key."""
    found = read_bodies_table(_path(config, BODIES_FILE), verify=False)  # checked by restore's forked copy
    if found is None or found[0].get("version") != code_version() or found[0].get("run") != run:
        raise ValueError("not the bodies file of the kept build")
    places = found[0]["places"]
    return _Bodies(found[1], {(item.content_type, item.id): places[item.path.as_posix()]
                              for table in (content.articles, content.briefs, content.incidents, content.pages)
                              for item in table.values()})


class _Bodies(MutableMapping):
    """The kept bodies, each decoded when first read: a patch reads a handful of thousands."""

    def __init__(self, packed: memoryview, places: dict[tuple, tuple[int, int]]):
        self._packed, self._places, self._bodies = packed, places, {}

    def __getitem__(self, key) -> Body:
        if key not in self._bodies:
            start, length = self._places[key]
            self._bodies[key] = Body.of(marshal.loads(self._packed[start:start + length]))
        return self._bodies[key]

    def __setitem__(self, key, body: Body) -> None:
        self._bodies[key] = body
        self._places.setdefault(key, (0, 0))  # listed with the others; never decoded, as it is here

    def __delitem__(self, key) -> None:
        del self._places[key]
        self._bodies.pop(key, None)

    def __iter__(self):
        return iter(self._places)

    def __len__(self) -> int:
        return len(self._places)


def _load(config: Config, name: str) -> dict | None:
    """A stored file's state; None if it is not this code's. The kept build's holds site/'s
    metadata too, pickled after the rest (see store)."""
    payload = read_framed(_path(config, name))
    if payload is None:
        return None
    try:
        unpickler = _ModelUnpickler(io.BytesIO(payload))
        state = unpickler.load()
        if name == KEPT_FILE and isinstance(state, dict):
            state["site_files"] = unpickler.load()
    except _DAMAGE:
        return None
    if not (isinstance(state, dict) and state.get("version") == code_version()):
        return None
    return state


class _ModelUnpickler(pickle.Unpickler):
    """Makes the model's own dataclasses and plain Python values, and nothing else."""

    def find_class(self, module: str, name: str):
        if name in _ALLOWED.get(module, ()):
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not part of the model")


def _path(config: Config, name: str):
    return config.root / ".digest-cache" / name


def _remove(config: Config, name: str) -> None:
    remove(_path(config, name))
