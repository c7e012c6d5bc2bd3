"""What a metadata line says, and the furniture vocabulary every metadata reader strips away.

A line is metadata only when nothing but metadata is left of it: `leftover_words` removes
dates' companions (times, comment counts, reading times, labels, links, share words) and
returns what remains, which must be nothing (or next to nothing) for a line to count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .dates import FoundDate

BULLET = re.compile(r"^(?:[►▶▷▸•·*>»›→■□◆◇●○✓✔–—-]+\s*)+")
URL = re.compile(r"^<?(https?://[^\s<>\"]+?)>?[.,;]?$", re.IGNORECASE)
SEPARATORS = re.compile(r"\s*(?:\||·|•|◆|♦|/\s|\s—\s|\s–\s|\s-\s)\s*")
# A time zone after a time: an offset ("GMT+1", "UTC-05:00", "+0100") before a bare abbreviation ("CET", "ET").
_ZONE = r"(?:(?:GMT|UTC)\s?[+-]\s?\d{1,2}(?::?\d\d)?|[+-]\d\d:?\d\d|[A-Z]{2,5})"
_TIME = re.compile(r"\b(?:at\s+)?\d{1,2}(?:[:.]\d\d){1,2}\s*(?:[ap]\.?\s?m\.?)?(?:\s*\(?" + _ZONE + r"\)?)?"
                   r"|\b(?:at\s+)?\d{1,2}\s*[ap]\.?m\.?(?:\s*\(?" + _ZONE + r"\)?)?", re.IGNORECASE)
# How long ago a page was published or updated: "2 hours ago", "an hour ago", "yesterday".
_AGE = re.compile(r"\b(?:\d+|an?|one|few)\s+(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?)\s+ago\b"
                  r"|\b(?:just\s+now|yesterday|today)\b", re.IGNORECASE)
COMMENTS = re.compile(r"\b(?:\d+|no|one)\s+(?:comments?|responses?|replies|thoughts?)\b|\bleave\s+an?\s+(?:comment|reply)\b"
                       r"|\bcomments?\s+(?:off|closed)\b|\badd\s+(?:a\s+)?comment\b", re.IGNORECASE)
_READ_TIME = re.compile(r"\b\d+\s*(?:-|to)?\s*\d*\s*min(?:ute)?s?\.?(?:\s+read(?:ing)?(?:\s+time)?)?\b|\breading time\b|\bread time\b", re.IGNORECASE)
_DATE_LABELS = re.compile(r"\b(?:first\s+)?(?:published|posted|updated|last\s+updated|last\s+modified|modified|"
                          r"created|date|dated|edited|on|at|originally\s+published)\b:?", re.IGNORECASE)
# "… by NAME in World, Europe": the categories a post was filed in, after a byline.
CATEGORY_TAIL = re.compile(r"^in\s+[A-Z][\w&'’-]*(?:(?:,\s*|\s+(?:&\s+|and\s+)?)[A-Z][\w&'’-]*){0,4}(?=\s*(?:\||$))")
_META_WORDS = {"permalink", "share", "print", "email", "e-mail", "tweet", "comments", "comment", "reply",
               "save", "listen", "link", "copy", "bookmark", "facebook", "twitter", "linkedin", "whatsapp",
               "telegram", "reddit", "x", "updated", "published", "posted", "min", "read", "ago", "edt",
               "est", "gmt", "utc", "bst", "cet", "cest", "et", "pt", "local", "time"}


@dataclass
class Meta:
    """What one metadata line says; empty fields when it does not say them."""

    date: FoundDate | None = None
    updated_only: bool = False
    author: str | None = None
    author_doubt: str | None = None
    publication: str | None = None
    url: str | None = None
    tags: list[str] = field(default_factory=list)
    category: bool = False
    permalink: bool = False

    @property
    def says_anything(self) -> bool:
        return bool(self.date or self.author or self.publication or self.url or self.tags
                    or self.category or self.permalink)


def strip_bullet(text: str) -> str:
    """The line without leading bullets and arrows (► • – …)."""
    return BULLET.sub("", text).strip()


def strip_list_marker(text: str) -> str:
    """A list item without its bullet or its number ("1.", "2)")."""
    return re.sub(r"^\d{1,3}[.)]\s+", "", strip_bullet(text)).strip()


def cut_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the given spans blanked out."""
    for start, end in sorted(spans, reverse=True):
        text = text[:start] + " | " + text[end:]
    return text


def leftover_words(rest: str) -> list[str]:
    """Words left after removing everything a metadata line may hold; empty means it is all metadata."""
    rest = COMMENTS.sub(" ", rest)
    rest = _AGE.sub(" ", rest)
    rest = _READ_TIME.sub(" ", rest)
    rest = _TIME.sub(" ", rest)
    rest = _DATE_LABELS.sub(" ", rest)
    rest = re.sub(r"https?://\S+", " ", rest)
    words = re.findall(r"[^\W\d_][\w'’.-]*", rest)
    return [w for w in words if w.lower().strip(".") not in _META_WORDS]
