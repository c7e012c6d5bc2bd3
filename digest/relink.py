"""A front-matter edit patched: link and plan the kept build again, render what changed.

When a content file changed more than its body (a title, tags, a date, the entities it names)
and nothing but content files did, the kept build (patch.py) takes the new items, is linked and
planned again (its related lists updated from the full build's, related.update_related), and
every page's fingerprint is taken as a full build takes it (depend.py). Only the pages whose
fingerprint or file differs from what the full build, or a patch since, wrote are rendered;
each replaces its file in site/, pages the plan gained are added and those it lost deleted.
Whatever a full build would report differently (an error, a new problem in a changed file, a
page that fails to render) gives None: the full build runs and reports it.

This skips reading every file, the cache's bodies and items, staging the whole site and
keeping the whole model again; linking, planning and fingerprints still cover the whole site.
"""

from __future__ import annotations

from . import uptodate
from .config import Config
from .depend import Fingerprints, site_digest
from .output import file_identity, remove_page, replace_page
from .patch import Kept
from .plan import PagePlan, plan_site, table
from .problems import Report
from .provenance import check_seed_hashes
from .relate import link
from .render import Site, make_environment, render_page
from .workers import parallel_map


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
    rendered = _render_stale(kept, config, site, pages, remembered)
    if rendered is None:
        return None
    uptodate.forget(config)  # site/ is no longer what the stamp says
    if not _put_in_place(kept, config, pages, rendered):
        return None
    kept.site, kept.pages, kept.env = site, pages, rendered.env
    kept.problems = kept.problems[:kept.derived_from] + derived.problems
    kept.relink_due = False
    kept.index_reads({page.path: _reads(kept, remembered, page.path) for page in pages})
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
    links = link(content, derived, kept.gazetteer, kept.found, config.related, dict(related))
    pages = plan_site(config, content, links, urls, derived)
    return Site(config, content, links, urls, kept.site.bodies, kept.site.build_date), pages


class _Rendered:
    """The pages rendered again: site path → (bytes, fingerprint, reads); and their environment."""

    def __init__(self, env):
        self.env, self.pages = env, {}


def _render_stale(kept: Kept, config: Config, site: Site, pages: list[PagePlan], remembered) -> _Rendered | None:
    """Fingerprint every page (on both cores) and render those whose fingerprint or file moved."""
    env = make_environment(config, site)
    fingerprint = Fingerprints(site_digest(config, site.content) + (site.build_date or ""), site)

    def render(index: int):
        page = pages[index]
        printed = fingerprint(page, _reads(kept, remembered, page.path))
        if printed is not None and _printed(kept, remembered, page.path) == f"{printed} {file_identity(config.site_dir, page.path)}":
            return None
        local = Report(root=config.root)
        with site.reads.collecting() as read:
            data = render_page(env, page, local)
        tokens = sorted(read)
        return local.problems, data, fingerprint(page, tokens), tokens

    rendered = _Rendered(env)
    for page, result in zip(pages, parallel_map(render, len(pages))):
        if result is not None:
            problems, data, printed, tokens = result
            if problems or data is None:
                return None  # the full build reports it
            rendered.pages[page.path] = (data, printed, tokens)
    return rendered


def _put_in_place(kept: Kept, config: Config, pages: list[PagePlan], rendered: _Rendered) -> bool:
    """Write the rendered pages into site/ and delete those the plan lost; remember each."""
    # The pages site/ has: the full build's, or those of the last relink since (kept.pages is
    # the full build's plan until a restored kept build is linked again).
    before = set(kept.changes.get("paths") or [page.path for page in kept.pages])
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


def _reads(kept: Kept, remembered, path: str) -> list[str] | None:
    """What a page read when it was last rendered: by a patch since the full build, or by it."""
    return kept.changes["reads"].get(path, remembered.reads.get(path))


def _printed(kept: Kept, remembered, path: str) -> str | None:
    """The fingerprint and file identity a page was last written with."""
    return kept.changes["printed"].get(path, remembered.pages.get(path))


