"""The site as a list of pages: every output path → (layout, context). Nothing is rendered here."""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass, field

from .config import Config
from .load import WINDOWS_RESERVED
from .model import Content
from .problems import Report
from .relate import Links
from .urls import Urls, output_file, slugify


@dataclass(frozen=True)
class PagePlan:
    """One file of the site: where it goes, which layout renders it, with what."""

    path: str
    layout: str
    context: dict = field(default_factory=dict, compare=False)
    source: str = ""


def newest_first(items) -> list:
    """Dated items newest first, then undated ones by title: one order for every listing."""
    items = list(items)  # read twice below; a generator would lose the undated ones
    dated = sorted((i for i in items if i.date), key=lambda i: (i.date.ordinal(), i.date.precision == "day", i.id), reverse=True)
    undated = sorted((i for i in items if not i.date), key=lambda i: (i.title.casefold(), i.id))
    return dated + undated


class Listings:
    """newest_first for every listing of one plan, sorted once: each listing takes its items'
    places in the order of all of them (a digest has some 100,000 listed items for N = 5,000)."""

    def __init__(self, content: Content):
        # Articles, briefs, incidents: the order ties keep in every listing (tags list their items
        # table by table, coverage and mentions in key order), as newest_first's stable sort does.
        self.items = newest_first([*content.articles.values(), *content.briefs.values(), *content.incidents.values()])
        self.place = {(item.content_type, item.id): n for n, item in enumerate(self.items)}

    def of(self, keys) -> list:
        """The items of these keys (articles, briefs, incidents), newest first."""
        return list(map(self.items.__getitem__, sorted(map(self.place.__getitem__, keys))))


def plan_site(config: Config, content: Content, links: Links, urls: Urls, report: Report) -> list[PagePlan]:
    """Every page of the site, checked for two pages writing the same file."""
    pages: list[PagePlan] = []
    listings = Listings(content)
    articles = newest_first(content.articles.values())
    pages += paginate("/", "home.html", articles, config.items_per_page, urls, "home page", {"title": config.title})
    for article in articles:
        pages.append(PagePlan(urls.item("article", article.id), "article.html", {"item": article}, _shown(article.path, config)))
    briefs = newest_first(content.briefs.values())
    for brief in briefs:
        pages.append(PagePlan(urls.item("brief", brief.id), "brief.html", {"item": brief}, _shown(brief.path, config)))
    pages.append(PagePlan("/briefs/", "briefs.html", {"items": briefs}, "briefs index"))
    incidents = newest_first(content.incidents.values())
    for incident in incidents:
        pages += plan_incident(config, links, urls, incident, listings)
    pages.append(PagePlan("/incidents/", "incidents.html", {"items": incidents}, "incidents index"))
    pages += plan_tags(config, links, urls, listings)
    pages += plan_entities(content, links, urls, listings)
    pages.append(PagePlan("/timeline/", "timeline.html",
                          {"years": timeline(list(content.incidents.values()) + articles),
                           "undated": [a for a in articles if not a.date]}, "timeline"))
    for page in sorted(content.pages.values(), key=lambda p: p.id):
        pages.append(PagePlan(urls.item("page", page.id), "page.html", {"item": page}, _shown(page.path, config)))
    pages.append(PagePlan("/404.html", "404.html", {}, "404 page"))
    if config.search:
        pages.append(PagePlan("/search/", "search.html", {}, "search page"))
    pages.append(PagePlan("/feed.xml", "atom.xml", {"items": [a for a in articles if a.date][: config.feed_items],
                                                     "feed_title": config.title, "feed_path": "/feed.xml",
                                                     "page_path": "/", "full_content": True}, "site feed"))
    pages.append(PagePlan("/sitemap.xml", "sitemap.xml", {"paths": []}, "sitemap"))
    pages.append(PagePlan("/robots.txt", "robots.txt", {}, "robots.txt"))
    _fill_sitemap(pages)
    check_collisions(pages, report)
    check_static(config, pages, report)
    check_tag_slugs(content, links, report)
    return pages


def plan_incident(config: Config, links: Links, urls: Urls, incident, listings: Listings) -> list[PagePlan]:
    """An incident's page, and its feed: "follow this story" through the articles covering it."""
    path = urls.item("incident", incident.id)
    covering = listings.of(links.coverage.get(incident.id, []))
    articles = [i for i in covering if i.date and i.content_type == "article"][: config.feed_items]
    return [
        PagePlan(path, "incident.html", {"item": incident, "feed": f"{path}feed.xml"}, _shown(incident.path, config)),
        PagePlan(f"{path}feed.xml", "atom.xml", {"items": articles, "feed_title": f"{config.title}: {incident.title}",
                                                 "feed_path": f"{path}feed.xml", "page_path": path,
                                                 "full_content": False},
                 f"feed of incident `{incident.id}`"),
    ]


def plan_tags(config: Config, links: Links, urls: Urls, listings: Listings) -> list[PagePlan]:
    """The tag index, and one paginated page and one feed per tag."""
    pages = [PagePlan("/tags/", "tags.html", {"tags": list(links.tags.values())}, "tag index")]
    for tag in links.tags.values():
        items = listings.of(tag.items)
        path = urls.tag(tag.name)
        pages += paginate(path, "tag.html", items, config.items_per_page, urls, f"tag `{tag.name}`", {"tag": tag, "title": tag.name})
        pages.append(PagePlan(f"{path}feed.xml", "atom.xml", {"items": [i for i in items if i.date and i.content_type == "article"][: config.feed_items],
                                                               "feed_title": f"{config.title}: {tag.name}",
                                                               "feed_path": f"{path}feed.xml", "page_path": path,
                                                               "full_content": False},
                              f"feed of tag `{tag.name}`"))
    return pages


def plan_entities(content: Content, links: Links, urls: Urls, listings: Listings) -> list[PagePlan]:
    """The entity index by type, and one page per entity that something mentions."""
    mentioned = [e for e in content.entities.values() if links.mentioned_in.get(e.id)]
    by_type = {}
    for entity in sorted(mentioned, key=lambda e: (e.type, e.name.casefold(), e.id)):
        by_type.setdefault(entity.type, []).append(entity)
    pages = [PagePlan("/entities/", "entities.html", {"groups": by_type}, "entity index")]
    for entity in mentioned:
        keys = links.mentioned_in[entity.id]
        incidents = [content.incidents[ident] for kind, ident in keys if kind == "incident"]
        chronological = sorted((i for i in incidents if i.date), key=lambda i: (i.date.ordinal(), i.id))
        pages.append(PagePlan(urls.item("entity", entity.id), "entity.html", {
            "item": entity,
            "incidents": chronological + [i for i in incidents if not i.date],
            "coverage": listings.of(key for key in keys if key[0] != "incident"),
            "companions": links.companions.get(entity.id, []),
        }, f"entity `{entity.id}`"))
    return pages


def timeline(items: list) -> list[dict]:
    """Dated items grouped by year and month, oldest first; month 0 holds year-only dates."""
    years: dict[int, dict[int, list]] = {}
    for item in items:
        if item.date:
            years.setdefault(item.date.year, {}).setdefault(item.date.month, []).append(item)
    result = []
    for year in sorted(years):
        months = [{"month": month, "items": sorted(entries, key=lambda i: (i.date.day, i.content_type != "incident", i.id))}
                  for month, entries in sorted(years[year].items())]
        result.append({"year": year, "months": months, "count": sum(len(m["items"]) for m in months)})
    return result


def paginate(path: str, layout: str, items: list, per_page: int, urls: Urls, source: str, extra: dict) -> list[PagePlan]:
    """A listing split into pages of `per_page`: /x/, /x/page/2/, …; an empty listing has one page."""
    chunks = [items[start:start + per_page] for start in range(0, len(items), per_page)] or [[]]
    pages = []
    for number, chunk in enumerate(chunks, start=1):
        pager = {
            "number": number, "count": len(chunks), "total": len(items),
            "previous": urls.paged(path, number - 1) if number > 1 else None,
            "next": urls.paged(path, number + 1) if number < len(chunks) else None,
            "first_path": path,
        }
        pages.append(PagePlan(urls.paged(path, number), layout, {**extra, "items": chunk, "pager": pager},
                              source if number == 1 else f"{source}, page {number}"))
    return pages


_TABLES = {"article": "articles", "brief": "briefs", "incident": "incidents", "page": "pages", "entity": "entities"}


def lookup(content: Content, key: tuple):
    """The item for a key like ("article", "some-id")."""
    kind, ident = key
    return getattr(content, _TABLES[kind])[ident]


def table(content: Content, kind: str) -> dict:
    """The table of one kind of item ("article" → content.articles)."""
    return getattr(content, _TABLES[kind])


def check_collisions(pages: list[PagePlan], report: Report) -> None:
    """Two pages must never write the same file, even on a case-insensitive, normalizing disk."""
    seen: dict[str, PagePlan] = {}
    for page in pages:
        key = unicodedata.normalize("NFC", output_file(page.path)).casefold()
        if key not in seen:
            seen[key] = page
            continue
        first = seen[key]
        blamed = next((s for s in (page.source, first.source) if s.endswith(".md")), "content")
        report.error(blamed, 1, f"{first.source} and {page.source} would both write site/{output_file(page.path)}")


SEARCH_FOLDER = "pagefind"  # where the search index is written, whether or not search is on now


def static_files(static_dir) -> list[str]:
    """The files layouts/static/ puts into site/, as the build copies them (links out of it skipped)."""
    if not static_dir.is_dir():
        return []
    root = static_dir.resolve()
    return [path.relative_to(static_dir).as_posix() for path in sorted(static_dir.rglob("*"))
            if path.is_file() and path.resolve().is_relative_to(root)]


def check_static(config: Config, pages: list[PagePlan], report: Report) -> None:
    """No static file may overwrite a page (or stand where a page needs a folder), and nothing
    but the search index may go into site/pagefind/."""
    def key(relative: str) -> str:
        return unicodedata.normalize("NFC", relative).casefold()

    files = {key(output_file(page.path)): page for page in pages}
    folders = {}
    for name, page in files.items():
        parts = name.split("/")
        for end in range(1, len(parts)):
            folders.setdefault("/".join(parts[:end]), page)
    for page in pages:
        if key(output_file(page.path)).split("/")[0] == SEARCH_FOLDER:
            blamed = page.source if page.source.endswith(".md") else "content"
            report.error(blamed, 1, f"{page.source} would write site/{output_file(page.path)}, but site/{SEARCH_FOLDER}/ "
                                    "holds the search index; choose another name")
    seen: dict[str, str] = {}
    for relative in static_files(config.static_dir):
        shown = f"layouts/static/{relative}"
        name = key(relative)
        parts = name.split("/")
        above = next((files[folder] for folder in ("/".join(parts[:end]) for end in range(1, len(parts)))
                      if folder in files), None)
        if parts[0] == SEARCH_FOLDER:
            report.error(shown, 1, f"site/{SEARCH_FOLDER}/ holds the search index; move this file elsewhere")
        elif name in files:
            page = files[name]
            report.error(shown, 1, f"would overwrite site/{output_file(page.path)} ({page.source}); "
                                   "rename or remove the static file")
        elif name in folders:
            report.error(shown, 1, f"would stand where site/{relative}/ must be a folder of pages; "
                                   "rename or remove the static file")
        elif above is not None:
            report.error(shown, 1, f"would need site/{output_file(above.path)} to be a folder, but it is the "
                                   f"{above.source}; rename or remove the static file")
        elif name in seen:
            report.error(shown, 1, f"{seen[name]} and {shown} would both write site/{relative} "
                                   "(their names differ only in case or Unicode form)")
        seen.setdefault(name, shown)


def check_tag_slugs(content: Content, links: Links, report: Report) -> None:
    """A tag whose page folder would be a Windows device name is an error at its first use."""
    for tag in links.tags.values():
        if tag.slug not in WINDOWS_RESERVED or not tag.items:
            continue
        item = lookup(content, tag.items[0])
        index = next((i for i, name in enumerate(item.tags) if slugify(name) == tag.slug), 0)
        report.error(item.path, item.line_of("tags", index),
                     f"tag `{tag.name}` would be written to site/tags/{tag.slug}/, a device name on Windows; "
                     "change the tag")


def _fill_sitemap(pages: list[PagePlan]) -> None:
    sitemap = next(p for p in pages if p.path == "/sitemap.xml")
    sitemap.context["paths"] = [p.path for p in pages if p.layout.endswith(".html") and p.path != "/404.html"]


def _shown(path, config: Config) -> str:
    """A content file as the editor knows it: relative to the project, `/`-separated."""
    # Compared as text: pathlib's relative_to cost more than the rest of a page's plan.
    text, root = str(path), str(config.root)
    prefix = root if root.endswith(os.sep) else root + os.sep
    return text[len(prefix):].replace(os.sep, "/") if text.startswith(prefix) else text
