"""What a seed is read into: lines with their kind, article drafts, teasers, and the whole result."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from . import prose
from .clutter import Clutter
from .dates import FoundDate
from .meta import Meta
from .text import Line

PROSE, HEADLINE, DATE, BYLINE, META, TAGS, TAG_HEADING, LIST_HEADING, CLUTTER, URL, PUBLICATION = (
    "prose", "headline", "date", "byline", "meta", "tags", "tag heading", "list heading", "clutter", "url",
    "publication")
HEADER_KINDS = (DATE, BYLINE, META)


@dataclass
class Piece:
    """One line with what it was read as."""

    line: Line
    kind: str
    meta: Meta | None = None
    clutter: Clutter | None = None
    heading: tuple[str, str] | None = None
    url: str | None = None

    @property
    def text(self) -> str:
        return self.line.text

    # Shapes asked about again and again while looking ahead: computed once per line.
    @cached_property
    def dek_shaped(self) -> bool:
        return prose.is_dek(self.text)

    @cached_property
    def label_shaped(self) -> bool:
        return prose.is_label(self.text)

    @cached_property
    def title_shaped(self) -> bool:
        return prose.is_title(self.text)


@dataclass
class Teaser:
    """A teaser of another story: its text, a headline if it had one, the article it came with."""

    text: str
    line: int
    title: str | None = None
    date: FoundDate | None = None
    found_with: int | None = None  # index of the article in Parsed.articles
    notes: list[str] = field(default_factory=list)


@dataclass
class Draft:
    """An article as read from the seed, before it is written."""

    title: str | None
    line: int
    subtitle: str | None = None
    dates: list[tuple[FoundDate, str, bool]] = field(default_factory=list)  # (date, "header"/"footer", updated only)
    authors: list[tuple[str, str]] = field(default_factory=list)  # (name, "header"/"footer")
    publications: list[tuple[str, str]] = field(default_factory=list)  # (name, how it was found)
    url: str | None = None
    tags: list[str] = field(default_factory=list)
    further: list[str] = field(default_factory=list)
    body: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    byline_without_person: bool = False  # "By admin": a byline was there, naming no one
    ended: bool = False
    in_comments: bool = False
    past_footer: bool = False


@dataclass
class Parsed:
    """Everything found in one seed."""

    articles: list[Draft] = field(default_factory=list)
    teasers: list[Teaser] = field(default_factory=list)
    publications: list[tuple[str, str]] = field(default_factory=list)  # seen anywhere in the seed
    notes: list[str] = field(default_factory=list)  # about the seed as a whole
