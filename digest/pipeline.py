"""build(root) → Outcome: read → model → link → plan → render → write, in that order, in one place.

Everything is read and checked before anything is written; site/ is replaced in one step only
when there is no error. The cache (digest/cache.py) lets a rebuild skip Markdown bodies and
pages whose inputs did not change; the result is byte-identical to a cold build either way.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import operator
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import stored, uptodate
from .bodies import make_resolver, render_bodies
from .cache import Cache, hash_bytes, new_run
from .config import Config, load_config
from .depend import Fingerprints, site_digest
from .entities import Gazetteer
from .load import load_content
from .output import Staging, build_lock
from .patch import Kept, Memory, patch
from .plan import PagePlan, plan_site
from .problems import Report
from .provenance import check_seed_hashes
from .relate import link
from .render import Site, make_environment, preload_layouts, render_page
from .search import index_site
from .urls import Urls, output_file
from .workers import Awaiting, parallel_map


@dataclass
class Outcome:
    """What a build did: its problems, how many pages it planned, rendered and wrote, how fast."""

    report: Report
    pages: int = 0
    rendered_paths: list[str] = field(default_factory=list)  # the pages rendered, not carried over
    seconds: float = 0.0
    written: bool = False
    current: bool = False  # site/ was already up to date: nothing was read, rendered or written
    patched: bool = False  # only content files changed: patched from the kept build (patch.py, relink.py)
    # The build as a patch needs it. Handed back so that a command line can exit without
    # freeing it object by object (0.25 s at N = 5,000, see build.py), and the preview can keep it.
    kept: Kept | None = field(default=None, repr=False)
    stages: dict = field(default_factory=dict)

    @property
    def rendered(self) -> int:
        return len(self.rendered_paths)


def build(root: Path, overrides: dict | None = None, write: bool = True, use_cache: bool = True,
          memory: Memory | None = None) -> Outcome:
    """Build the site under root; site/ is replaced only if there is no error at all. With a
    memory (the preview), a change to bodies alone is patched into the kept build instead."""
    started = time.perf_counter()
    report = Report(root=root)
    outcome = Outcome(report)
    clock = _Clock(outcome.stages)
    with build_lock(root), _Collector() as collector:
        config = load_config(root, report, overrides)
        build_date = time.strftime("%Y-%m-%d", time.gmtime()) if config.show_build_date else None
        # Only a build that writes site/ may stop early, or must forget that site/ was current;
        # `check` and the first pass of --strict leave the stamp alone.
        snapshot = uptodate.Snapshot(config, build_date) if write and use_cache else None
        if snapshot is not None:
            # The preview's first build fills its memory: it is never cut short.
            fill = memory is not None and memory.kept is None
            if not fill and (known := uptodate.still_current(config, snapshot)) is not None:
                outcome.report.problems[:] = known
                outcome.current = True
                outcome.seconds = time.perf_counter() - started
                return outcome
            if not fill and (kept := _last_build(config, snapshot, memory)) is not None:
                if (patched := patch(kept, config, snapshot, report)) is not None:
                    _patched(config, snapshot, kept, patched, report, on_disk=memory is None)
                    if memory is not None:
                        kept.reading()  # indexed now, not at the preview's next save
                    outcome.kept = kept
                    outcome.rendered_paths, outcome.pages = patched, len(kept.pages)
                    outcome.written = outcome.patched = True
                    outcome.seconds = time.perf_counter() - started
                    return outcome
                if memory is not None:
                    memory.kept = None  # a patch given up half-way may have changed it
            uptodate.forget(config)
            stored.forget(config)
        cache = Cache.load(root) if use_cache else Cache(root)
        try:
            content = clock("read", load_content(config, report, cache))
            urls = Urls(config.base_url)
            gazetteer = Gazetteer(content.entities)
            bodies = clock("markdown", render_bodies(content, urls, gazetteer, cache, _bodies_context(config), report))
            # On the core that linking leaves idle; not in the preview, a threaded process whose
            # forks are kept to what it needed before (a shutdown hung once after this was added).
            if snapshot is not None and report.ok and memory is None:
                cache.write_sources()
            derived_from = len(report.problems)  # what follows a patch of the kept build finds again (relink.py)
            check_seed_hashes(config, content, report)
            found = {key: body.mentions for key, body in bodies.items()}
            links = clock("link", link(content, report, gazetteer, found, config.related, cache.related))
            pages = clock("plan", plan_site(config, content, links, urls, report))
            site = Site(config, content, links, urls, bodies, build_date)
            outcome.pages = len(pages)
            collector.model_built()
            if report.ok:
                env = make_environment(config, site)
                rendered = _render(config, env, site, pages, cache, report, write)
                outcome.rendered_paths = [pages[index].path for index in rendered.stale]
                cache.stamp_pages()  # the pages file's stamp, which a kept build names
                keep = functools.partial(_kept, config, snapshot, env, site, pages, cache, report, gazetteer, urls,
                                         found, derived_from)
                # On the command line nothing but the disk needs the kept build: a forked copy
                # makes it and writes it from now on (see _store).
                early = rendered.staging is not None and snapshot is not None and not config.search and memory is None
                with _store(config, lambda: keep(None)) if early else contextlib.nullcontext() as storing:
                    outcome.written = _write(config, rendered, pages, cache, report)
                    clock("render+write", None)
                    if outcome.written and snapshot is not None:
                        files = uptodate.site_files(config)
                        if memory is not None:  # kept for a patch in memory, and on disk (see _patched)
                            memory.kept = outcome.kept = keep(files)
                            storing = None if config.search else _store(config, lambda: memory.kept)
                        _save(config, snapshot, cache, report, files, storing)
                        clock("cache", None)
        finally:
            cache.close()  # what it wrote ahead and did not save
    outcome.seconds = time.perf_counter() - started
    return outcome


class _Collector:
    """Python's cyclic garbage collector, kept off the model. The model is a few hundred thousand
    long-lived objects made at once; the collector would walk them again and again for nothing
    (0.5–1 s of a 3 s rebuild at N = 5,000). It is paused while the model is built, then the model
    is frozen out of its sight while pages render (before the workers fork); both undone at the end."""

    def __enter__(self) -> "_Collector":
        self.was_enabled, self.frozen = gc.isenabled(), False
        gc.disable()
        return self

    def model_built(self) -> None:
        # Python can only thaw everything at once: leave a host that froze objects itself alone.
        self.frozen = gc.get_freeze_count() == 0
        if self.frozen:
            gc.freeze()
        if self.was_enabled:
            gc.enable()

    def __exit__(self, *exc) -> None:
        if not self.frozen and gc.get_freeze_count() == 0:
            # A patch never froze its model: everything it made is still the youngest generation,
            # which the collector would walk whole on its next allocation (0.17 s at N = 5,000).
            # Freezing and thawing moves it to the oldest in one step, for its next full sweep.
            gc.freeze()
            self.frozen = True
        if self.frozen:
            gc.unfreeze()
        if self.was_enabled:
            gc.enable()


class _Clock:
    """Records how long each stage took since the previous one (for `make bench`)."""

    def __init__(self, stages: dict):
        self.stages, self.last = stages, time.perf_counter()

    def __call__(self, name: str, value):
        now = time.perf_counter()
        self.stages[name] = now - self.last
        self.last = now
        return value


def _store(config: Config, kept: Callable[[], Kept]) -> Awaiting:
    """Start writing the kept build, made by kept(), by a forked copy of this process (so made
    there, if not made already). site/'s metadata, which goes last, is given to it
    (Awaiting.give) once site/ is in place. The copy works while this process writes site/ and
    saves the cache: the kept build is hundreds of megabytes on a large site (5 s at N = 20,000,
    one core)."""
    run = new_run()
    return Awaiting(lambda files: stored.store(config, kept(), run, files))


def _save(config: Config, snapshot: uptodate.Snapshot, cache: Cache, report: Report, files: dict,
          storing: Awaiting | None) -> None:
    """Save the cache and stamp site/ as current, while the kept build is written, if it is;
    then give that site/'s metadata. If the copy writing it fails, or is given nothing because
    this failed, there is no kept build: the next build is a full one."""
    try:
        cache.save()
        uptodate.record(config, snapshot, report.problems, files)
        if storing is not None:
            storing.give(files)
    finally:
        if storing is not None and not storing.wait():
            stored.forget(config)


def _last_build(config: Config, snapshot: uptodate.Snapshot, memory: Memory | None) -> Kept | None:
    """The last full build as a patch needs it: the preview's, kept in memory, or one kept on disk."""
    if memory is not None:
        return memory.kept
    return None if config.search else stored.restore(config, snapshot)


def _patched(config: Config, snapshot: uptodate.Snapshot, kept: Kept, paths: list[str], report: Report,
             on_disk: bool) -> None:
    """After a patch of a build kept on disk: remember site/ as it now is, unless its search
    index is now stale (the patch does not index again). The preview, patching its memory,
    skips the bookkeeping (megabytes rewritten per save on a large site): its next full build checks every page."""
    if config.search or not on_disk:
        stored.forget(config)
        return
    kept.site_files = uptodate.site_files_after(config, kept.site_files, [output_file(path) for path in paths + kept.removed])
    stored.store_changes(config, kept)
    uptodate.record(config, snapshot, report.problems, kept.site_files)


def _kept(config: Config, snapshot: uptodate.Snapshot, env, site: Site, pages: list[PagePlan], cache: Cache,
          report: Report, gazetteer: Gazetteer, urls: Urls, found: dict, derived_from: int, site_files: dict | None) -> Kept:
    """This build as the next patch needs it (kept in memory by the preview, on disk by stored.py)."""
    kept = Kept(config, snapshot, site, env, pages, list(report.problems), make_resolver(site.content, urls), gazetteer,
                site_files=site_files, found=found, derived_from=derived_from)
    kept.index_reads(cache.reads)
    kept.bodies_run = cache.run
    remembered = cache.pages_part()
    kept.remembered = lambda: remembered
    return kept


def _bodies_context(config: Config) -> str:
    """What every rendered body depends on besides its own text: entities and the base URL."""
    entities = config.content_dir / "entities.yaml"
    data = entities.read_bytes() if entities.is_file() else b""
    return hashlib.sha256(hash_bytes(data).encode() + b"\0" + config.base_url.encode()).hexdigest()


@dataclass
class _Rendered:
    """What rendering leaves for writing: the staging folder (None if nothing is to be written),
    each page's fingerprint, which pages were rendered, and the fingerprints' memory."""

    staging: Staging | None
    fingerprints: list
    stale: list[int]
    fingerprint: Fingerprints | None


def _render(config: Config, env, site: Site, pages: list[PagePlan], cache: Cache, report: Report,
            write: bool) -> _Rendered:
    """Render the pages whose fingerprint changed into the staging folder; the others are carried over."""
    preload_layouts(env, pages, report)
    if not report.ok:
        return _Rendered(None, [], [], None)
    staging = Staging(config.site_dir) if write else None
    fingerprint = Fingerprints(site_digest(config, site.content) + (site.build_date or ""), site) if write else None
    # With nothing to carry over, every page is rendered. Otherwise each worker takes the
    # fingerprints of its share of the pages (on both cores) and renders those that changed.
    every = staging is None or not cache.pages

    def render(index: int) -> tuple[list, str | None, list | None, dict]:
        page = pages[index]
        if not every:
            printed = fingerprint(page, cache.reads.get(page.path))
            if printed is not None and cache.pages.get(page.path) == f"{printed} {staging.identity(page.path, staged=False)}":
                return [], printed, None, fingerprint.cards.take_made()  # carried over
        local = Report(root=report.root)
        with site.reads.collecting() as read:
            data = render_page(env, page, local)
        if data is not None and staging is not None:
            staging.write(page.path, data)
        tokens = sorted(read)
        printed = fingerprint(page, tokens) if fingerprint else None
        return local.problems, printed, tokens, fingerprint.cards.take_made() if fingerprint else {}

    fingerprints, stale, reads = [""] * len(pages), [], {} if every else cache.reads
    order = _listings_first(pages)
    results = parallel_map(lambda position: render(order[position]), len(pages), contiguous=True)
    for index, (problems, printed, tokens, cards) in sorted(zip(order, results), key=operator.itemgetter(0)):
        report.problems.extend(problems)
        if cards:
            fingerprint.cards.update(cards)  # a worker's: kept for the next relink (relink.py)
        fingerprints[index] = printed
        if tokens is not None:
            stale.append(index)
            reads[pages[index].path] = tokens
    if staging is not None and not report.ok:
        staging.abandon()
        staging = None
    if staging is not None:
        cache.reads = {page.path: reads[page.path] for page in pages}
    return _Rendered(staging, fingerprints, stale, fingerprint)


def _listings_first(pages: list[PagePlan]) -> list[int]:
    """The pages' indexes, those listing several items first: each process rendering pages
    makes each item's card and fingerprint once and remembers them (render._card_renderer,
    depend.Fingerprints), so the listings, which show the same items again and again, are
    best rendered by one process (workers.parallel_map takes them from the front)."""
    def lists(page: PagePlan) -> bool:
        return any(isinstance(value, list) and len(value) > 1 for value in page.context.values())

    return sorted(range(len(pages)), key=lambda index: not lists(pages[index]))


def _write(config: Config, rendered: _Rendered, pages: list[PagePlan], cache: Cache, report: Report) -> bool:
    """Carry the unchanged pages over, add the static files and the search index, and swap the
    staging folder in as site/; whether it was."""
    staging = rendered.staging
    if staging is None:
        return False
    for index in sorted(set(range(len(pages))) - set(rendered.stale)):
        staging.reuse(pages[index].path)
    staging.copy_static(config.static_dir)
    staging.prune([page.path for page in pages])  # before indexing: the index must see only this build's pages
    if not _search_index(config, staging, rendered.fingerprints, cache, report):
        staging.abandon()
        return False
    outputs = {page.path: f"{printed} {staging.identity(page.path)}" for page, printed in zip(pages, rendered.fingerprints)}
    staging.commit()  # renames keep each file's inode and times, so the identities stay true in site/
    fingerprint = rendered.fingerprint
    cache.pages = outputs
    cache.digests, cache.shared, cache.cards = fingerprint.digests, fingerprint.shared, dict(fingerprint.cards)
    return True


def _search_index(config: Config, staging: Staging, fingerprints: list[str], cache: Cache, report: Report) -> bool:
    """Index the staged site, or carry the old index over when no page changed at all."""
    if not config.search:
        cache.search = None
        return True
    key = hashlib.sha256("\0".join(fingerprints).encode()).hexdigest()
    # The old index is carried over only while its files are the very ones the last build wrote.
    unchanged = cache.search == f"{key} {staging.folder_identity('pagefind', staged=False)}"
    if unchanged and staging.reuse_folder("pagefind"):
        indexed = True
    else:
        staging.clear_folder("pagefind")
        indexed = index_site(staging.dir, report)
        staging.keep_folder("pagefind")
    cache.search = f"{key} {staging.folder_identity('pagefind')}"  # renames keep inodes and times
    return indexed
