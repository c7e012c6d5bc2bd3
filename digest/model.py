"""The content model: plain frozen dataclasses that refer to each other by id, never by object."""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, field, fields
from pathlib import Path

DAY, MONTH, YEAR = "day", "month", "year"
# English, whatever the machine's locale: the same input gives the same bytes everywhere.
MONTHS = ("", "January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date known to the day, the month or only the year."""

    year: int
    month: int = 0
    day: int = 0

    @property
    def precision(self) -> str:
        return DAY if self.day else MONTH if self.month else YEAR

    def iso(self) -> str:
        """2021-10-06, 2021-10 or 2021: as precise as known, no more."""
        if self.day:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    def human(self) -> str:
        """19 October 2021, October 2021 or 2021."""
        if self.day:
            return f"{self.day} {MONTHS[self.month]} {self.year}"
        if self.month:
            return f"{MONTHS[self.month]} {self.year}"
        return str(self.year)

    def ordinal(self) -> int:
        """Days since year 1, taking the middle of the period when less precise (for distances)."""
        return _ordinal(self.year, self.month, self.day)


@functools.lru_cache(maxsize=4096)  # listings sort by it again and again; a digest has few distinct dates
def _ordinal(year: int, month: int, day: int) -> int:
    return datetime.date(year, month or 7, day or (15 if month else 1)).toordinal()


@dataclass(frozen=True)
class Source:
    """Where an item's text came from."""

    name: str | None = None
    url: str | None = None
    seed: str | None = None
    seed_sha256: str | None = None


@dataclass(frozen=True)
class Item:
    """What articles, briefs, incidents and pages share: an id, a file and a Markdown body."""

    id: str
    path: Path
    title: str
    body: str = field(repr=False)  # printed, an item must not show its body unseen (reads.py)
    body_line: int
    lines: dict = field(default_factory=dict, compare=False, repr=False)
    source_hash: str = field(default="", compare=False, repr=False)

    def line_of(self, *key) -> int:
        """The line in the file where a front-matter key (or list item) was written."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return 1


@dataclass(frozen=True)
class Article(Item):
    """A news article as the editor keeps it."""

    subtitle: str | None = None
    date: PartialDate | None = None
    author: str | None = None
    source: Source = Source()
    summary: str | None = None
    tags: tuple[str, ...] = ()
    incidents: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    hide_entities: tuple[str, ...] = ()
    status: str = "published"
    further_reading: tuple[str, ...] = ()
    unsure: tuple[str, ...] = ()
    content_type = "article"


@dataclass(frozen=True)
class Brief(Item):
    """A teaser of another story found in a seed: a lead the editor may promote."""

    date: PartialDate | None = None
    truncated: bool = False
    found_with: str | None = None
    source: Source = Source()
    summary: str | None = None
    tags: tuple[str, ...] = ()
    incidents: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    hide_entities: tuple[str, ...] = ()
    status: str = "published"
    unsure: tuple[str, ...] = ()
    author = None
    content_type = "brief"


@dataclass(frozen=True)
class Relation:
    """A typed link from one incident to another, as declared in the first one's file."""

    type: str
    target: str
    line: int


@dataclass(frozen=True)
class Incident(Item):
    """One real-world event that articles report."""

    date: PartialDate | None = None
    kind: str = "other"
    places: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    summary: str | None = None
    tags: tuple[str, ...] = ()
    relations: tuple[Relation, ...] = ()
    status: str = "published"
    content_type = "incident"


@dataclass(frozen=True)
class Page(Item):
    """A standalone page such as About."""

    summary: str | None = None
    content_type = "page"


@dataclass(frozen=True)
class Entity:
    """A person, organization or place, with the names it goes by."""

    id: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()
    description: str | None = None
    line: int = 1
    content_type = "entity"


@dataclass
class Content:
    """Everything loaded from content/, by id."""

    articles: dict[str, Article] = field(default_factory=dict)
    briefs: dict[str, Brief] = field(default_factory=dict)
    incidents: dict[str, Incident] = field(default_factory=dict)
    pages: dict[str, Page] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    entities_path: Path | None = None


# Items as plain data (dicts, tuples, str, int, None) for the cache, and back. Only the classes
# below are ever built from cached data; anything else in it is refused with ValueError.
_CLASSES = {cls.__name__: cls for cls in (Article, Brief, Incident, Page, PartialDate, Source, Relation)}
_CLASS = "\0class"
_FIELD_NAMES = {name: tuple(f.name for f in fields(cls)) for name, cls in _CLASSES.items()}  # fields() is slow


def to_data(value):
    """A model value as plain data: model objects become {"\0class": name, "fields": [...]}."""
    name = type(value).__name__
    if name in _CLASSES and type(value) is _CLASSES[name]:
        return {_CLASS: name, "fields": [to_data(getattr(value, field_name)) for field_name in _FIELD_NAMES[name]]}
    if isinstance(value, Path):
        return {_CLASS: "Path", "fields": str(value)}
    if isinstance(value, tuple) and value and type(value[0]).__name__ in _CLASSES:
        return tuple(to_data(v) for v in value)  # relations; other tuples and dicts hold plain values
    return value


def from_data(data):
    """The model value back from to_data's form; ValueError if it is not such a form."""
    if isinstance(data, dict) and _CLASS in data:
        name, values = data[_CLASS], data.get("fields")
        if name == "Path" and isinstance(values, str):
            return Path(values)
        if name not in _CLASSES or not isinstance(values, list):
            raise ValueError(f"not a model value: {name!r}")
        try:
            return _CLASSES[name](*(from_data(v) for v in values))
        except TypeError as exc:
            raise ValueError(str(exc)) from None
    if isinstance(data, tuple) and data and isinstance(data[0], dict):
        return tuple(from_data(v) for v in data)
    return data
