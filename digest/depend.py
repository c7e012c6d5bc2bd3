"""What each page depends on, as a fingerprint: equal fingerprints mean equal bytes.

A page's fingerprint hashes the site-wide inputs (code, layouts, static files, configuration,
the set of standalone pages the navigation shows), the page's path, layout and context, the
digest of every item the page can show: the items in its context and their neighbours (the
incidents an article covers, its briefs, related items, the entities it names, …), and the
digest of everything else it read while it last rendered (bodies, excerpts, items looked up:
see reads.py). An item's digest covers its front matter (not its body) and what the link stage
derived for it (mentions, related items with reasons, coverage, relations, companions). This
over-approximates on purpose: a page is re-rendered whenever anything it could show changed.
"""

from __future__ import annotations

import dataclasses
import hashlib
import operator
from dataclasses import dataclass

from .cache import code_version, hash_tree, stable_repr
from .config import Config
from .model import Content, Entity, Item
from .plan import PagePlan, lookup
from .reads import TABLES
from .relate import Links
from .workers import parallel_map


def site_digest(config: Config, content: Content) -> str:
    """Inputs every page shares."""
    parts = [code_version(), hash_tree(config.layouts_dir), stable_repr(config), ",".join(sorted(content.pages))]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


@dataclass(frozen=True)
class Earlier:
    """Item digests taken before, the links they were taken with, and the keys of the items
    replaced since (the others are the very objects they were): what lets a relink keep them."""

    digests: dict
    links: Links
    replaced: set

    def digest(self, key: tuple, links: Links) -> str | None:
        """The item's digest as before, if it is the same object and derived the same; else None."""
        if key in self.replaced or key not in self.digests:
            return None
        return self.digests[key] if _derived(key, self.links) == _derived(key, links) else None


def item_digests(content: Content, links: Links, earlier: Earlier | None = None) -> dict[tuple, str]:
    """Each item's and entity's digest, keyed like ("article", id): everything but its body (an
    item `earlier` knows unchanged keeps the digest it had). Taken afresh on both cores."""
    items = [item for table in (content.articles, content.briefs, content.incidents, content.pages, content.entities)
             for item in table.values()]

    def digest(index: int) -> str:
        item = items[index]
        key = (item.content_type, item.id)
        # The dataclass's repr leaves out what changes with the file rather than the fields
        # (its body, hash and line numbers: reads of their own, see reads.py). Plain repr is
        # deterministic here: Links holds only lists, tuples and frozen dataclasses.
        return (earlier and earlier.digest(key, links)) or _hash(repr(item), repr(_derived(key, links)))

    # A relink keeps most digests: forking workers would cost more than it saves.
    digests = [digest(index) for index in range(len(items))] if earlier else parallel_map(digest, len(items))
    return {(item.content_type, item.id): value for item, value in zip(items, digests)}


def _derived(key: tuple, links: Links) -> list:
    """What the link stage derived for an item or entity, as its digest covers it."""
    kind, ident = key
    if kind == "entity":
        return [links.mentioned_in.get(ident, []), links.companions.get(ident, [])]
    return [links.mentions.get(key, ()), links.related.get(key, []), links.coverage.get(ident, []),
            links.relations.get(ident, []) if kind == "incident" else [],
            links.briefs_with.get(ident, []) if kind == "article" else []]


def neighbours(key: tuple, content: Content, links: Links) -> list[tuple]:
    """Items whose titles, dates or names a page about `key` (or a card of it) may show."""
    kind, ident = key
    found = [("entity", e) for e in links.mentions.get(key, ())]
    found += [entry.key for entry in links.related.get(key, [])]
    if kind == "article":
        found += [("incident", i) for i in content.articles[ident].incidents]
        found += [("brief", b) for b in links.briefs_with.get(ident, [])]
    elif kind == "brief":
        brief = content.briefs[ident]
        found += [("incident", i) for i in brief.incidents]
        found += [("article", brief.found_with)] if brief.found_with else []
    elif kind == "incident":
        found += [("incident", view.other) for view in links.relations.get(ident, [])]
        found += list(links.coverage.get(ident, []))
    elif kind == "entity":
        found += [("entity", other) for other, _ in links.companions.get(ident, [])]
    return found


def changed_since(before: dict, after: dict, content: Content, links: Links) -> tuple[set, set]:
    """Between two builds' item digests: the keys whose digest changed (or that one of them
    lacks), and the keys whose card may differ: those, and every key next to one of them."""
    changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    if not changed:
        return changed, set()
    # A key whose neighbours are not those of before has other links, so another digest: it is in `changed`.
    return changed, changed | {key for key in after if not changed.isdisjoint(neighbours(key, content, links))}


def holds_any(context: dict, ids: set[int]) -> bool:
    """Whether a page's context holds one of these items or entities (by id) where
    page_fingerprint takes cards from: in its dicts' values and its lists, at any depth."""
    stack = [context]
    while stack:
        value = stack.pop()
        values = value.values() if isinstance(value, dict) else value
        # Listings hold thousands of items: their ids are checked at once, only containers one by one.
        if not ids.isdisjoint(map(id, values)):
            return True
        stack += [v for v in values if isinstance(v, _NESTED)]
    return False


class Fingerprints:
    """page, tokens it read → its fingerprint, for the pages of one build (item digests
    computed once; cards, shared texts and token digests memoized)."""

    def __init__(self, shared: str, site, earlier: Earlier | None = None):
        self.shared, self.site, self.content, self.links = shared, site, site.content, site.links
        self.digests = item_digests(site.content, site.links, earlier)
        self.cards = _Cards()
        self.entries: dict = {}
        self.texts: dict = {}
        self.tokens: dict = {}
        self.pages: dict = {}  # path → (page, its page_fingerprint): a page is fingerprinted before and after it renders

    def __call__(self, page: PagePlan, reads: list[str] | None) -> str | None:
        """None when what the page read is not known (or not understood): it must be rendered."""
        if reads is None:
            return None
        tokens, read = self.tokens, []
        for token in reads:
            if token not in tokens:
                digest = self.token(token)
                tokens[token] = None if digest is None else f"{token}={digest}"
            if tokens[token] is None:
                return None
            read.append(tokens[token])
        known = self.pages.get(page.path)
        if known is None or known[0] is not page:
            known = self.pages[page.path] = (page, page_fingerprint(page, self.shared, self.digests, self.content,
                                                                    self.links, self.cards, self.texts, self.entries))
        return _hash(known[1], "\0".join(read))

    def token(self, token: str) -> str | None:
        """The digest of what a read token stands for now ("" for something that is gone)."""
        return self._token(token.split("|"))

    def _token(self, parts: list[str]) -> str | None:
        if parts == ["all", "bodies"]:
            return _hash(*(f"{k}={self.token(f'body|{k[0]}|{k[1]}')}" for k in sorted(self.site.bodies)))
        if len(parts) == 2 and parts[0] == "all" and parts[1] in TABLES.values():
            return _hash(*(f"{k}={d}" for k, d in sorted(self.digests.items()) if k[0] == parts[1]))
        kind, key = parts[0], tuple(parts[1:3])
        if kind == "item" and len(parts) == 3:
            return self.digests.get(key, "")
        if kind == "body" and len(parts) == 3:
            body = self.site.bodies.get(key)
            return _hash(body.html, body.text, repr(body.mentions)) if body else ""
        if kind == "source" and len(parts) == 3:
            item = self._item(key)
            # The file's hash covers its text, not where each key was written: add the line map.
            return _hash(item.source_hash, repr(item.lines)) if item else ""
        if kind == "excerpt" and len(parts) == 4 and parts[3].isascii() and parts[3].isdigit() and len(parts[3]) < 9:
            item = self._item(key)
            return _hash(self.site.excerpt(item, int(parts[3]))) if item else ""
        return None  # not a token this code writes

    def _item(self, key: tuple):
        try:
            return lookup(self.content, key)
        except KeyError:
            return None


class _Cards(dict):
    """Each item's card, made once per build (_card), listing those made since last asked: a
    worker sends them back with its pages, so that the build remembers every card it made."""

    def __init__(self):
        super().__init__()
        self.made: list = []

    def __setitem__(self, key, card: str) -> None:
        super().__setitem__(key, card)
        self.made.append(key)

    def take_made(self) -> dict:
        made, self.made = self.made, []
        return {key: self[key] for key in made}


def page_fingerprint(page: PagePlan, site: str, digests: dict, content: Content, links: Links,
                     cards: dict | None = None, texts: dict | None = None, entries: dict | None = None) -> str:
    """A hash of the page's context and the items it shows; `cards` memoizes each item's
    digest-with-neighbours across the pages of one build, `entries` each "key=digest", `texts`
    the text of other values many pages share (a tag with all its items, say), by identity:
    they live as long as the build."""
    cards = {} if cards is None else cards
    entries = {} if entries is None else entries
    keys: set = set()
    signature = _signature(page.context, keys, {} if texts is None else texts)
    ordered = sorted(keys)
    # Cards made for earlier pages are looked up in one pass; only the missing ones are made.
    found = list(map(cards.get, ordered))
    if None in found:
        found = [card or _card(k, digests, content, links, cards, entries) for k, card in zip(ordered, found)]
    return _hash(site, page.path, page.layout, signature, "\0".join(found))


def _card(key: tuple, digests: dict, content: Content, links: Links, cards: dict, entries: dict) -> str:
    """"key=digest": an item's digest combined with its neighbours' digests, all a page showing it depends on."""
    card = cards.get(key)
    if card is None:
        around = sorted({entries.get(k) or _entry(k, digests, entries) for k in neighbours(key, content, links)
                         if k in digests})
        card = cards[key] = f"{key}={_hash(digests[key], *around)}"
    return card


def _entry(key: tuple, digests: dict, entries: dict) -> str:
    """"key=digest", made once: an item is the neighbour of many (a tuple's text is slow to make)."""
    entry = entries.get(key)
    if entry is None:
        entry = entries[key] = f"{key}={digests[key]}"
    return entry


def _signature(value, keys: set, texts: dict) -> str:
    """The context in text, with each item replaced by its key (collected in keys)."""
    if isinstance(value, (Item, Entity)):
        return _item_signature(value, keys, texts)
    if isinstance(value, dict):
        return "{" + ",".join([f"{k!r}:{_signature(v, keys, texts)}" for k, v in sorted(value.items(), key=lambda kv: repr(kv[0]))]) + "}"
    if isinstance(value, (list, tuple)):
        # Listings hold hundreds of items seen on earlier pages: those are looked up in one pass.
        known = list(map(texts.get, map(id, value)))
        if None in known:
            return "[" + ",".join([_item_signature(v, keys, texts) if isinstance(v, _ITEMS) else _signature(v, keys, texts)
                                   for v in value]) + "]"
        keys.update(map(_KEY, known))
        keys.discard(None)
        return "[" + ",".join(map(_TEXT, known)) + "]"
    if dataclasses.is_dataclass(value):
        if id(value) not in texts:
            texts[id(value)] = (value, stable_repr(value), None)  # holding the value keeps its id unique
        return texts[id(value)][1]
    return stable_repr(value)


_ITEMS = (Item, Entity)
_NESTED = (dict, list, tuple)
# texts holds, by id: (value, its text, its key if it is an item or entity, else None).
_TEXT, _KEY = operator.itemgetter(1), operator.itemgetter(2)


def _item_signature(value, keys: set, texts: dict) -> str:
    """"@key" for an item or entity, with its key collected (memoized by identity, like texts)."""
    known = texts.get(id(value))
    if known is None:
        key = (value.content_type, value.id)
        known = texts[id(value)] = (value, f"@{key}", key)
    keys.add(known[2])
    return known[1]


def _hash(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()
