"""Render every item's Markdown body once: from the cache when still valid, else on both cores."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass


from .cache import Cache
from .entities import Gazetteer
from .markdown import render_markdown
from .model import Content
from .problems import Report
from .urls import Urls, slugify
from .workers import parallel_map


@dataclass(frozen=True)
class Body:
    """A rendered body: safe HTML for the page, plain text for mentions, search and excerpts."""

    html: str  # already safe; shared with the cache entry rather than copied into a Markup
    text: str
    mentions: tuple[str, ...] = ()

    def __html__(self) -> str:
        """Printed in a layout (`{{ site.bodies[key] }}`), a body is its HTML."""
        return self.html

    @classmethod
    def of(cls, entry: dict) -> "Body":
        """The body of a cache entry (render_one_body's)."""
        return cls(entry["html"], entry["text"], tuple(entry["mentions"]))


def make_resolver(content: Content, urls: Urls):
    """resolve(kind, id) → the link for an id, or None when nothing has that id."""
    tables = {"article": content.articles, "brief": content.briefs, "incident": content.incidents,
              "entity": content.entities, "page": content.pages}

    @functools.cache  # on first use: a patch (patch.py) may render no tag link at all
    def tags() -> frozenset[str]:
        return frozenset(slugify(name) for table in (content.articles, content.briefs, content.incidents)
                         for item in table.values() for name in item.tags)

    def resolve(kind: str, ident: str) -> str | None:
        if kind == "tag":
            return urls.href(urls.tag(ident)) if ident.strip() and slugify(ident) in tags() else None
        return urls.href(urls.item(kind, ident)) if ident in tables[kind] else None
    return resolve


def render_bodies(content: Content, urls: Urls, gazetteer: Gazetteer, cache: Cache, context: str,
                  report: Report) -> dict[tuple, Body]:
    """Each item's body keyed like ("article", id); `context` hashes what every body depends on."""
    resolve = make_resolver(content, urls)
    items = [item for table in (content.articles, content.briefs, content.incidents, content.pages)
             for item in table.values()]
    keys = {item.path.as_posix(): _body_key(item, context) for item in items}
    stale = [item for item in items if not _still_valid(cache.bodies.get(item.path.as_posix()), keys, item, resolve)]

    def render(index: int) -> dict:
        return render_one_body(stale[index], resolve, gazetteer)

    for item, entry in zip(stale, parallel_map(render, len(stale))):
        entry["key"] = keys[item.path.as_posix()]
        cache.bodies[item.path.as_posix()] = entry
        cache.bodies_changed = True
    for path in set(cache.bodies) - set(keys):
        del cache.bodies[path]
        cache.bodies_changed = True
    bodies = {}
    for item in items:
        entry = cache.bodies[item.path.as_posix()]
        for line, message in entry["problems"]:
            report.error(item.path, line, message)
        bodies[(item.content_type, item.id)] = Body.of(entry)
    return bodies


def _body_key(item, context: str) -> str:
    hidden = ",".join(getattr(item, "hide_entities", ()))
    digest = hashlib.sha256(f"{context}\0{item.content_type}\0{item.body_line}\0{hidden}\0".encode())
    digest.update(item.body.encode())
    return digest.hexdigest()


def _still_valid(entry: dict | None, keys: dict, item, resolve) -> bool:
    """A cached body is reused only if its inputs are the same and every link resolves as before."""
    if not entry or entry.get("key") != keys[item.path.as_posix()]:
        return False
    sequence = (list, tuple)
    if not (isinstance(entry.get("html"), str) and isinstance(entry.get("text"), str)
            and isinstance(entry.get("refs"), sequence) and isinstance(entry.get("problems"), sequence)
            and isinstance(entry.get("mentions"), sequence) and all(isinstance(m, str) for m in entry["mentions"])
            and all(isinstance(p, sequence) and len(p) == 2 for p in entry["problems"])):
        return False
    try:
        return all(resolve(kind, ident) == url for kind, ident, url in entry["refs"])
    except (TypeError, ValueError, KeyError):
        return False  # a malformed cache entry: render afresh


def render_one_body(item, resolve, gazetteer: Gazetteer) -> dict:
    """Render one body (as the cache keeps it), recording every id it looked up so reuse can be checked later."""
    refs = []

    def recording(kind: str, ident: str) -> str | None:
        url = resolve(kind, ident)
        refs.append((kind, ident, url))
        return url

    use_gazetteer = gazetteer if item.content_type != "page" else None
    rendered = render_markdown(item.body, item.body_line, recording, use_gazetteer,
                               getattr(item, "hide_entities", ()))
    mentions = gazetteer.entities_in(rendered.text) if item.content_type != "page" else []
    return {"html": rendered.html, "text": rendered.text, "refs": sorted(set(refs), key=repr),
            "problems": rendered.problems, "mentions": mentions}
