"""What a page read while it rendered, beyond the items its plan hands it.

A page's fingerprint (depend.py) covers the items in its context and their neighbours, with
their front matter and what the link stage derived for them, but not their bodies: a body is
large, and most pages show only titles, dates and summaries. So every way a layout can reach a
body, or an item its context does not name, is watched while the page renders, and the tokens
it read are kept with the page (one string each, `|`-separated):

- `body|article|<id>`: `site.bodies[...]` (its HTML, text or mentions);
- `source|article|<id>`: the item's file (`item.body`, its hash, its line numbers, any `_`-name);
- `excerpt|article|<id>|<words>`: the `excerpt` filter falling back on the body's first words;
- `item|incident|<id>`: `get(...)` or `site.content.<table>[...]`, an item looked up by key
  (also when it is not there: adding it must re-render the page that looked);
- `all|bodies`, `all|<kind>`: `site.bodies` or one of `site.content`'s tables listed whole.

The next build puts the current digest of each token the page read into its fingerprint. A
render is deterministic: while its context and every token it read are unchanged, it reads the
same tokens again and gives the same bytes; so editing one article's body re-renders the pages
that showed that body, not every listing that names the article.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from types import SimpleNamespace

ALL_BODIES = "all|bodies"
SOURCE_FIELDS = frozenset({"body", "source_hash", "lines", "line_of"})  # what changes with the file, not the fields
TABLES = {"articles": "article", "briefs": "brief", "incidents": "incident", "pages": "page", "entities": "entity"}
EVERYTHING = (ALL_BODIES, *(f"all|{kind}" for kind in TABLES.values()))


class Reads:
    """The tokens read by the render under way (none are noted outside `collecting`)."""

    def __init__(self):
        self.current: set | None = None

    def note(self, token: str) -> None:
        if self.current is not None:
            self.current.add(token)

    def note_item(self, prefix: str, key) -> None:
        """A read of one item's something; an odd key (a list, a Markup id) may still find an
        item, so it becomes a read of everything."""
        if self.current is None:
            return
        if is_item_key(key):
            self.current.add(f"{prefix}|{key[0]}|{key[1]}")
        else:
            self.current.update(EVERYTHING)

    @contextlib.contextmanager
    def collecting(self) -> Iterator[set]:
        """Collect the tokens read inside the block; they count for any enclosing block too
        (a card rendered once is read by every page that shows it)."""
        outer, self.current = self.current, set()
        collected = self.current
        try:
            yield collected
        finally:
            self.current = outer
            if outer is not None:
                outer |= collected


class Watched(Mapping):
    """A table as layouts see it: each lookup is noted as `<prefix>|<kind>|<id>` (`kind` None: the
    keys are already (kind, id) pairs), and listing it whole as `listing`."""

    def __init__(self, table: dict, reads: Reads, prefix: str, listing: str, kind: str | None = None):
        self._table, self._reads, self._prefix, self._listing, self._kind = table, reads, prefix, listing, kind

    def __getitem__(self, key):
        self._note(key)
        return self._table[key]

    def __contains__(self, key) -> bool:
        self._note(key)
        return key in self._table

    def __iter__(self):
        self._reads.note(self._listing)
        return iter(self._table)

    def __len__(self) -> int:
        self._reads.note(self._listing)
        return len(self._table)

    def _note(self, key) -> None:
        self._reads.note_item(self._prefix, key if self._kind is None else (self._kind, key))


def watched_bodies(bodies: dict, reads: Reads) -> Watched:
    """`site.bodies` as layouts see it."""
    return Watched(bodies, reads, "body", ALL_BODIES)


def watched_content(content, reads: Reads) -> SimpleNamespace:
    """`site.content` as layouts see it: its tables, watched."""
    return SimpleNamespace(**{name: Watched(getattr(content, name), reads, "item", f"all|{kind}", kind)
                              for name, kind in TABLES.items()})


def is_item_key(key) -> bool:
    return type(key) is tuple and len(key) == 2 and type(key[0]) is str and type(key[1]) is str \
        and "|" not in key[0] and "|" not in key[1]
