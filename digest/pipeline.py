"""build(root) → Report: read → model → link → plan → render → write, in that order, in one place."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from .config import Config, load_config
from .entities import Gazetteer
from .load import load_content
from .output import Staging, build_lock
from .plan import plan_site
from .problems import Report
from .relate import link
from .search import index_site
from .render import Site, make_environment, render_bodies, render_page
from .urls import Urls


@dataclass
class Outcome:
    """What a build did: its problems, and how many pages it wrote and how fast."""

    report: Report
    pages: int = 0
    seconds: float = 0.0
    written: bool = False


def build(root: Path, overrides: dict | None = None, write: bool = True) -> Outcome:
    """Build the site under root; site/ is replaced only if there is no error at all."""
    started = time.perf_counter()
    report = Report(root=root)
    config = load_config(root, report, overrides)
    content = load_content(config, report)
    gazetteer = Gazetteer(content.entities)
    links = link(content, report, gazetteer, config.related)
    urls = Urls(config.base_url)
    pages = plan_site(config, content, links, urls, report)
    bodies = render_bodies(config, content, urls, report, gazetteer)
    site = Site(config, content, links, urls, bodies)
    outcome = Outcome(report, len(pages))
    with build_lock(root):
        outcome.written = _render_and_write(config, site, pages, report, write)
    outcome.seconds = time.perf_counter() - started
    return outcome


def _render_and_write(config: Config, site: Site, pages, report: Report, write: bool) -> bool:
    """Render every page (to find every template error), and swap in the result if all is well."""
    if not report.ok:
        return False  # content errors first: rendering broken content only adds echoes of them
    env = make_environment(config, site)
    staging = Staging(config.site_dir) if write else None
    for page in pages:
        data = render_page(env, page, report)
        if data is not None and staging is not None and report.ok:
            staging.write(page.path, data)
    if staging is None:
        return False
    if not report.ok:
        staging.abandon()
        return False
    staging.copy_static(config.static_dir)
    if config.search and not index_site(staging.dir, report):
        staging.abandon()
        return False
    staging.commit()
    return True
