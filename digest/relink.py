"""A front-matter edit patched: link and plan the kept build again, render what changed.

When a content file changed more than its body (a title, tags, a date, the entities it names)
and nothing but content files did, the kept build (patch.py) takes the new items, is linked and
planned again (its related lists updated from the full build's, related.update_related), and
the fingerprints of the pages that can differ are taken as a full build takes them (depend.py;
_may_differ says which). Only the pages whose fingerprint or file differs from what the full
build, or a patch since, wrote are rendered; each replaces its file in site/, pages the plan
gained are added and those it lost deleted. Whatever a full build would report differently (an
error, a new problem in a changed file, a page that fails to render) gives None: the full build
runs and reports it.

This skips reading every file, the cache's bodies and items, staging the whole site and
keeping the whole model again; linking and planning still cover the whole site.
"""

from __future__ import annotations

from . import uptodate
from .config import Config
from .depend import Earlier, Fingerprints, changed_since, holds_any, site_digest
from .output import file_identity, remove_page, replace_page
from .patch import Kept
from .plan import PagePlan, lookup, plan_site, table
from .problems import Report
from .reads import EVERYTHING
from .provenance import check_seed_hashes
from .relate import link
from .render import Site, make_environment, render_page
from .workers import parallel_map

RELINK_PARALLEL_MIN = 32


def relink(kept: Kept, fresh: dict, config: Config, report: Report) -> list[str] | None:
    """The pages rendered again and put in place after the items in `fresh` (key → (item,
    body)) replaced theirs; None, with site/ untouched, when a full build is needed."""
    remembered = kept.remembered() if kept.remembered is not None else None
    if remembered is None:
        return None
    _read_again(kept, fresh, config)
    derived = Report(root=config.root)
    site, pages = _link_and_plan(kept, config, remembered.related, derived)
    if not derived.ok:
        return None
    rendered = _render_stale(kept, config, site, pages, remembered, set(fresh))
    if rendered is None:
        return None
    uptodate.forget(config)  # site/ is no longer what the stamp says
    if not _put_in_place(kept, config, pages, rendered):
        return None
    kept.site, kept.pages, kept.env = site, pages, rendered.env
    kept.base = rendered.base
    kept.problems = kept.problems[:kept.derived_from] + derived.problems
    kept.relink_due = False
    kept.reads_due = {page.path: _reads(kept, remembered, page.path) for page in pages}
    report.problems.extend(kept.problems)
    return sorted(rendered.pages)


def _read_again(kept: Kept, fresh: dict, config: Config) -> None:
    """Put the items read again in place, and their warnings in place of the old ones."""
    shown = Report(root=config.root).shown
    paths = set()
    for key, (item, body, _) in fresh.items():
        paths.add(shown(table(kept.site.content, key[0])[key[1]].path))
        kept.replace(key, item, body)
    read = [p for p in kept.problems[:kept.derived_from] if p.path not in paths]
    read += [problem for _, _, problems in fresh.values() for problem in problems]
    kept.problems, kept.derived_from = read + kept.problems[kept.derived_from:], len(read)


def _link_and_plan(kept: Kept, config: Config, related: dict, derived: Report) -> tuple[Site, list[PagePlan]]:
    """The kept content linked and planned again, with the problems that gives (not reading's)."""
    content, urls = kept.site.content, kept.site.urls
    check_seed_hashes(config, content, derived)
    # A copy: the full build's related lists and features stay what every later update starts from.
    links = link(content, derived, kept.gazetteer, kept.found, config.related, dict(related), kept.site.links)
    pages = plan_site(config, content, links, urls, derived)
    return Site(config, content, links, urls, kept.site.bodies, kept.site.build_date), pages


class _Rendered:
    """The pages rendered again: site path → (bytes, fingerprint, reads); their environment;
    the item digests, shared inputs and cards the plan was fingerprinted with."""

    def __init__(self, env, fingerprint: Fingerprints):
        self.env, self.pages, self.base = env, {}, (fingerprint.digests, fingerprint.shared, fingerprint.cards)


def _render_stale(kept: Kept, config: Config, site: Site, pages: list[PagePlan], remembered, edited: set) -> _Rendered | None:
    """Fingerprint the pages that may differ (on both cores) and render those whose fingerprint or file moved."""
    env = make_environment(config, site)
    # What the plan kept was fingerprinted with: by the last relink in this process, or the full build.
    digests, shared, cards = kept.base or (remembered.digests, remembered.shared, remembered.cards)
    # kept.site is still the one those digests were taken from; the items patched since are new objects.
    earlier = Earlier(digests, kept.site.links, set(kept.changes["items"]) | edited)
    fingerprint = Fingerprints(site_digest(config, site.content) + (site.build_date or ""), site, earlier)
    if shared != fingerprint.shared or not digests:
        stale = list(range(len(pages)))
    else:
        changed, moved = changed_since(digests, fingerprint.digests, fingerprint.content, fingerprint.links)
        # A card whose item and neighbours kept their digests is the one the pages were fingerprinted with.
        fingerprint.cards.update({key: card for key, card in cards.items() if key not in moved})
        stale = _may_differ(kept, pages, fingerprint, remembered, changed, moved, edited)

    def render(position: int):
        page = pages[stale[position]]
        printed = fingerprint(page, _reads(kept, remembered, page.path))
        if printed is not None and _printed(kept, remembered, page.path) == f"{printed} {file_identity(config.site_dir, page.path)}":
            return None
        local = Report(root=config.root)
        with site.reads.collecting() as read:
            data = render_page(env, page, local)
        tokens = sorted(read)
        return local.problems, data, fingerprint(page, tokens), tokens

    rendered = _Rendered(env, fingerprint)
    # On both cores from a few dozen pages on: these are listings more often than not (a tag's,
    # an entity's, the timeline), each costing milliseconds, not an article's fraction of one.
    for index, result in zip(stale, parallel_map(render, len(stale), minimum=RELINK_PARALLEL_MIN)):
        page = pages[index]
        if result is not None:
            problems, data, printed, tokens = result
            if problems or data is None:
                return None  # the full build reports it
            rendered.pages[page.path] = (data, printed, tokens)
    return rendered


def _may_differ(kept: Kept, pages: list[PagePlan], fingerprint: Fingerprints, remembered, changed: set, moved: set,
                edited: set) -> list[int]:
    """The pages whose fingerprint may differ from the one their file in site/ was written with.

    The others have the context they had when the plan kept was fingerprinted (kept.pages, with
    the full build's digests or the last relink's), no item in it whose card may differ (`moved`:
    see depend.changed_since), and no read of anything changed since; so their fingerprint is
    the one site/ holds. Pages written by a relink since, and pages site/ lacks, are always taken again."""
    ids = {id(lookup(fingerprint.content, key)) for key in moved if key in fingerprint.digests}
    reading = _reading(kept, {f"{kind}|{ident}" for kind, ident in changed | edited})
    before = {page.path: page for page in kept.pages}
    on_site = _on_site(kept)
    printed = kept.changes["printed"]

    def may_differ(page: PagePlan) -> bool:
        old = before.get(page.path) if page.path in on_site else None
        return (old is None or old.layout != page.layout or page.path in printed or page.path in reading
                or _reads(kept, remembered, page.path) is None or old.context != page.context
                or holds_any(page.context, ids))

    return [index for index, page in enumerate(pages) if may_differ(page)]


def _reading(kept: Kept, touched: set[str]) -> set[str]:
    """The kept plan's pages that read anything of these items ("kind|id"), or everything."""
    readers, excerpts = kept.reading()
    tokens = list(EVERYTHING)
    for prefix in touched:
        tokens += [f"body|{prefix}", f"source|{prefix}", f"item|{prefix}", *excerpts.get(prefix, ())]
    return {kept.pages[index].path for token in tokens for index in readers.get(token, ())}


def _put_in_place(kept: Kept, config: Config, pages: list[PagePlan], rendered: _Rendered) -> bool:
    """Write the rendered pages into site/ and delete those the plan lost; remember each."""
    before = _on_site(kept)
    for path, (data, printed, tokens) in rendered.pages.items():
        if not replace_page(config.site_dir, path, data, new=path not in before):
            return False
        kept.changes["printed"][path] = f"{printed} {file_identity(config.site_dir, path)}"
        kept.changes["reads"][path] = tokens
    for path in sorted(before - {page.path for page in pages}):
        if not remove_page(config.site_dir, path):
            return False
        kept.changes["printed"].pop(path, None)
        kept.changes["reads"].pop(path, None)
        kept.removed.append(path)
    kept.changes["paths"] = [page.path for page in pages]
    return True


def _on_site(kept: Kept) -> set[str]:
    """The pages site/ has: the kept plan's, or those of the last relink since (kept.pages is
    the full build's plan until a restored kept build is linked again)."""
    return set(kept.changes.get("paths") or [page.path for page in kept.pages])


def _reads(kept: Kept, remembered, path: str) -> list[str] | None:
    """What a page read when it was last rendered: by a patch since the full build, or by it."""
    return kept.changes["reads"].get(path, remembered.reads.get(path))


def _printed(kept: Kept, remembered, path: str) -> str | None:
    """The fingerprint and file identity a page was last written with."""
    return kept.changes["printed"].get(path, remembered.pages.get(path))


