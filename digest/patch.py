"""An edit of content files shown at once, from the last full build kept (`Kept`).

The last full build is kept: in memory by the preview, on disk for the next process
(stored.py). When the only inputs changed since are content files (the same files, none added
or removed), each is read again and, if it reads without error, the change is patched:

- a body edit (front matter, reading problems and named entities as they were): the model, the
  links and the plan are that build's but for those bodies, so the pages that read the bodies
  (reads.py) are rendered again;
- any other edit (a title, tags, a date, entities named, a warning): linked and planned again
  (relink.py), and the pages whose fingerprint moved are rendered again.

Each page rendered replaces its file in site/ (a new file renamed over the old one). Anything
else (another file, an error, a layout failing) gives None, and the caller runs a full build
instead. The up-to-date stamp is dropped before anything is replaced; the pipeline records it
again after a patch of a build kept on disk. Either way the bytes are a cold build's
(tests/test_patch.py, tests/test_stored.py)."""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from typing import Callable

from . import uptodate
from .bodies import Body, render_one_body
from .config import Config
from .load import load_one
from .output import replace_page
from .plan import PagePlan, lookup, table
from .problems import Report
from .render import Site, excerpt_of, render_page, reset_cards


class Memory:
    """What a long-running process (the preview) keeps from one build to the next."""

    def __init__(self):
        self.kept: Kept | None = None


@dataclass
class Kept:
    """The last full build of this process, as the next patch needs it."""

    config: Config
    snapshot: uptodate.Snapshot
    site: Site
    env: object
    pages: list[PagePlan]
    problems: list
    resolve: object
    gazetteer: object
    readers: dict[str, set[int]] = field(default_factory=dict)  # token → pages that read it
    excerpts: dict[str, set[str]] = field(default_factory=dict)  # "kind|id" → its excerpt tokens read
    by_path: dict[str, tuple] = field(default_factory=dict)  # content file → its item's key
    found: dict[tuple, tuple] = field(default_factory=dict)  # item key → entities its body names
    site_files: dict | None = None  # site/'s metadata as this build left it (kept on disk: stored.py)
    run: str = ""  # which kept build on disk this is
    bodies_run: str = ""  # which cache bodies file holds its bodies (kept on disk: stored.py)
    # The full build's pages file (cache.Cache.load_pages): fingerprints, reads, related lists.
    remembered: Callable[[], object] | None = None
    derived_from: int = 0  # problems[derived_from:] came after reading: seeds, links and plan
    relink_due: bool = False  # an item was replaced: the links and plan are stale (relink.py)
    # What the patches since the full build changed: key → (item, body), page path → its last
    # reads, page path → its fingerprint and file's identity (pages rendered by relink.py).
    changes: dict = field(default_factory=lambda: {"items": {}, "reads": {}, "printed": {}})
    removed: list[str] = field(default_factory=list)  # the pages the last patch deleted
    # The item digests and shared inputs `pages` was last fingerprinted with, when a relink in
    # this process made it (else the full build's, in its pages file): see relink._may_differ.
    base: tuple | None = None
    # What each page read (path → tokens), left by a relink to index when first needed:
    # a command-line patch ends without needing it (0.3 s at N = 20,000).
    reads_due: dict | None = None

    def __post_init__(self):
        if self.by_path:
            return  # restored with the rest (stored.py)
        root = os.path.join(self.config.root, "")
        for table in (self.site.content.articles, self.site.content.briefs, self.site.content.incidents,
                      self.site.content.pages):
            for item in table.values():
                path = os.fspath(item.path)
                # Content paths are made under the root: cut, not os.path.relpath (0.15 s at N = 20,000).
                relative = path[len(root):] if path.startswith(root) else os.path.relpath(path, self.config.root)
                self.by_path[relative] = (item.content_type, item.id)

    def refresh(self, key: tuple, item, body: Body) -> None:
        """Put a new body in place. While the front matter and the entities the body names are
        as they were, the item object is updated where it stands, not replaced: the plan's pages
        hold it, and it differs only in what changes with the file. Otherwise it is replaced,
        and the links are due again."""
        old = lookup(self.site.content, key)
        if repr(item) != repr(old) or body.mentions != self.found.get(key):
            self.replace(key, item, body)
            self.relink_due = True
            return
        for name in ("body", "source_hash", "lines"):
            object.__setattr__(old, name, getattr(item, name))
        self.site.bodies[key] = body
        self.found[key] = body.mentions
        self.changes["items"][key] = (item, body)

    def replace(self, key: tuple, item, body: Body) -> None:
        """Put a new item and body in place of the old ones (the links and plan must follow)."""
        table(self.site.content, key[0])[key[1]] = item
        self.site.bodies[key] = body
        self.found[key] = body.mentions
        self.changes["items"][key] = (item, body)

    def index_reads(self, reads: dict) -> None:
        """Which pages read what, for the pages of the current plan (path → their reads): what
        note_reads does page by page, with each token's kind told once, not at every read
        (hundreds of thousands of reads at N = 20,000)."""
        readers: dict[str, set[int]] = {}
        for index, page in enumerate(self.pages):
            for token in reads.get(page.path, ()):
                pages = readers.get(token)
                if pages is None:
                    readers[token] = {index}
                else:
                    pages.add(index)
        self.readers, self.excerpts = readers, {}
        for token in readers:
            if token.startswith("excerpt|"):
                self.excerpts.setdefault(_excerpted(token), set()).add(token)

    def reading(self) -> tuple[dict[str, set[int]], dict[str, set[str]]]:
        """(readers, excerpts), indexed now if a relink left them due."""
        if self.reads_due is not None:
            reads, self.reads_due = self.reads_due, None
            self.index_reads(reads)
        return self.readers, self.excerpts

    def note_reads(self, index: int, tokens) -> None:
        for token in tokens:
            self.readers.setdefault(token, set()).add(index)
            if token.startswith("excerpt|"):
                self.excerpts.setdefault(_excerpted(token), set()).add(token)


def _excerpted(token: str) -> str:
    """"kind|id" of the item an excerpt|kind|id|words token reads."""
    return "|".join(token.split("|")[1:3])


def patch(kept: Kept, config: Config, snapshot: uptodate.Snapshot, report: Report) -> list[str] | None:
    """The pages re-rendered and replaced for a change of content files alone; None when a full
    build is needed."""
    keys = _changed_items(kept, config, snapshot)
    if not keys:
        return None
    fresh = {key: _reread(kept, key) for key in keys}
    if None in fresh.values():
        return None
    kept.removed = []
    if kept.relink_due or not all(_body_alone(kept, key, *read) for key, read in fresh.items()):
        from .relink import relink  # here: relink.py builds on this module
        rendered = relink(kept, fresh, config, report)
    else:
        rendered = _patch_bodies(kept, fresh, config, report)
    if rendered is not None:
        kept.snapshot = snapshot  # what was read since is what the next change is measured from
    return rendered


def _patch_bodies(kept: Kept, fresh: dict, config: Config, report: Report) -> list[str] | None:
    """Render again the pages that read the changed bodies, and put them in place."""
    indices = _readers(kept, fresh)
    for key, (item, body, _) in fresh.items():
        kept.refresh(key, item, body)
    reset_cards(kept.env)  # a card may show a body's first words: render cards afresh
    rendered = {}
    for index in sorted(indices):
        page = kept.pages[index]
        with kept.site.reads.collecting() as read:
            data = render_page(kept.env, page, Report(root=config.root))
        if data is None:
            return None  # the full build reports it
        rendered[index] = (data, read)
    uptodate.forget(config)  # site/ is no longer what the stamp says
    for index, (data, read) in rendered.items():
        path = kept.pages[index].path
        if not replace_page(config.site_dir, path, data):
            return None
        kept.note_reads(index, read)
        kept.changes["reads"][path] = sorted(read)
        kept.changes["printed"].pop(path, None)
    report.problems.extend(kept.problems)
    return [kept.pages[index].path for index in sorted(rendered)]


def _changed_items(kept: Kept, config: Config, snapshot: uptodate.Snapshot) -> list[tuple] | None:
    """The items whose files changed since the kept build, if nothing else did (else None)."""
    if config != kept.config:
        return None
    return changed_items(kept.snapshot, snapshot, kept.by_path)


def changed_items(before: uptodate.Snapshot, after: uptodate.Snapshot, by_path: dict) -> list[tuple] | None:
    """The keys of the items whose files changed between two snapshots, if nothing else did.

    A folder's own times change when an editor saves by renaming a new file over the old one;
    with the same entries before and after, that is no change of its own. A file that had
    changed just before the earlier snapshot counts as changed: coarse timestamps could hide a
    second change behind the same metadata."""
    if after.key != before.key or before.inputs.keys() != after.inputs.keys():
        return None
    changed = [path for path, metadata in after.inputs.items()
               if _changed(before.inputs[path], metadata, before.taken_ns)]
    if any(path not in by_path or not after.inputs[path] for path in changed):
        return None
    return [by_path[path] for path in changed]


def _changed(old: list | None, new: list | None, taken_ns: int) -> bool:
    if old is None or new is None:
        return old is not new
    if stat.S_ISDIR(old[4]) and stat.S_ISDIR(new[4]):
        return False
    return new != old or not uptodate.settled(new, taken_ns)


def _reread(kept: Kept, key: tuple) -> tuple | None:
    """The item, body and warnings of a changed file, if it reads without error; else None."""
    old = lookup(kept.site.content, key)
    local = Report(root=kept.site.config.root)
    item = load_one(old.path, key[0], local)
    if item is None or not local.ok or (getattr(item, "status", "") == "draft" and not kept.config.drafts):
        return None
    entry = render_one_body(item, kept.resolve, kept.gazetteer)
    if entry["problems"]:
        return None
    return item, Body.of(entry), local.problems


def _body_alone(kept: Kept, key: tuple, item, body: Body, problems: list) -> bool:
    """Whether a changed file changed in its body alone, naming the same entities, with the
    same warnings."""
    old = lookup(kept.site.content, key)
    before = [p for p in kept.problems[:kept.derived_from] if p.path == Report(root=kept.config.root).shown(old.path)]
    return (problems == before and repr(item) == repr(old)
            and body.mentions == kept.site.bodies[key].mentions)


def _readers(kept: Kept, fresh: dict) -> set[int]:
    """The pages that read anything of the changed items' files: their bodies, their sources,
    their excerpts if those changed, or every body."""
    readers, excerpts = kept.reading()
    indices = set(readers.get("all|bodies", ()))
    for key, (item, body, _) in fresh.items():
        prefix = f"{key[0]}|{key[1]}"
        indices |= readers.get(f"body|{prefix}", set()) | readers.get(f"source|{prefix}", set())
        for token in excerpts.get(prefix, ()):
            words = token.rsplit("|", 1)[1]
            if not words.isdigit() or _excerpt_changed(item, kept.site.bodies.get(key), body, int(words)):
                indices |= readers[token]
    return indices


def _excerpt_changed(item, old: Body | None, new: Body, words: int) -> bool:
    return excerpt_of(item, old, words) != excerpt_of(item, new, words)
