"""Metadata lines: date lines, bylines, author/date footers, tag lines and publication names.

Each reader takes one line and returns what it says, or None when the line is not of that
kind. A line counts as metadata only when *all* of it is metadata: a date or a name inside a
sentence is never taken, so "on Monday" or "said Jane Doe" cannot become a date or an author.
"""

from __future__ import annotations

import re

from .bylines import read_byline, read_name
from .dates import FoundDate, find_dates
from .meta import CATEGORY_TAIL, COMMENTS, URL, Meta, cut_spans, leftover_words, strip_bullet

_UPDATED = re.compile(r"\b(?:updated|modified|edited)\b[^|·•]{0,20}$", re.IGNORECASE)
_INNER_BY = re.compile(r"(?:^|\s)(?:by|author:?)\s+(?=\S)", re.IGNORECASE)
_META_MARK = re.compile(r"[:|·•►▶◆]")  # a metadata line has labels or separators
_NOT_TAGS = {"permalink", "edit", "share", "comments", "reply", "print", "email", "leave a comment"}
_META_LABEL = re.compile(
    r"^(?P<label>authors?|by|writer|reporter|written by|article by|posted by|date|dated|published(?: on)?|"
    r"posted(?: on)?|first published|updated|last updated|modified|permalink|link|url|source|"
    r"publication|publisher|outlet|categor(?:y|ies)|section|filed under|posted in|tags?|tagged(?: with| as)?|"
    r"topics?|keywords|comments?|share|location|dateline|(?:press |media )?contacts?|e-?mail|phone|tel)\s*:\s*(?P<value>.*)$",
    re.IGNORECASE)
_TAG_LABEL = re.compile(r"(?:^|\s)(?P<label>tagged\s+(?:with|as|in)|tagged|tags?|topics?|keywords|related\s+topics|"
                        r"subjects?)\s*(?P<colon>:)?\s+(?=\S)", re.IGNORECASE)
_CATEGORY_LABEL = re.compile(r"^(?:filed\s+under|posted\s+in|categor(?:y|ies)|sections?|published\s+in|"
                             r"more\s+in|in\s+category)\s*:?\s+", re.IGNORECASE)
_ORIGIN = re.compile(r"^(?:this\s+(?:article|story|piece|report)\s+(?:was\s+)?(?:first\s+|originally\s+)?"
                     r"(?:appeared|published|ran)|originally\s+published|first\s+published|republished)\s+"
                     r"(?:(?:in|on|by|at)\s+)(?P<name>.+?)\s*\.?$", re.IGNORECASE)
# A wire dateline: the place in capitals, maybe the day ("WARSAW, March 3"), the agency in brackets, a dash.
_WIRE = re.compile(r"^[A-Z][A-Z .,'’/-]{1,40}(?:,?\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}|\d{1,2}\s+[A-Z][a-z]{2,8}\.?)"
                   r"(?:,?\s*(?:19|20)\d\d)?)?\s*\((?P<name>[A-Z][\w .&'-]{0,30})\)\s*[-–—:]\s")


def read_date_line(text: str) -> Meta | None:
    """A line that is a date plus page furniture ("October 19, 2021 Leave a comment",
    "January 26, 2026 by NAME 1 Comment", "Published: 4 Jan 2023 | Updated: 5 Jan 2023")."""
    text = strip_bullet(text)
    if len(text) > 200 or not any(c.isdigit() for c in text):
        return None
    dates = find_dates(text)
    if not dates:
        return None
    meta = Meta()
    rest = cut_spans(text, [(d.start, d.end) for d in dates])
    inner = _INNER_BY.search(rest)
    if inner:
        name, after = read_name(rest[inner.end():])
        if name is None:
            return None
        meta.author, meta.author_doubt = name
        rest = rest[:inner.start()] + " " + CATEGORY_TAIL.sub(" ", after.strip())
    leftover = leftover_words(rest)
    if leftover and not _is_place(leftover, text, dates[0]):
        return None
    published = [d for d in dates if not _UPDATED.search(text[:d.start])]
    meta.date = published[0] if published else dates[0]
    meta.updated_only = not published
    return meta


def _is_place(words: list[str], text: str, date: FoundDate) -> bool:
    """A dateline's place before the date: "PRAGUE, March 27, 2024", "Kyiv, 19 October 2021"."""
    before = text[:date.start]
    return (len(words) <= 3 and len(text.split()) <= 14 and all(w[0].isupper() for w in words)
            and all(w in before for w in words) and before.rstrip().endswith((",", "—", "–", "-", "|")))


def read_meta_line(text: str) -> Meta | None:
    """A footer or header of labelled fields: "► Author: NAME | Date: 19 October 2021 | Permalink"."""
    text = strip_bullet(text)
    if len(text) > 300 or len(text.split()) > 40 or not _META_MARK.search(text):
        return None
    segments = [s.strip() for s in re.split(r"\s*(?:\||·|•|◆|►|▶)\s*", text) if s.strip()]
    if not segments:
        return None
    meta = Meta()
    if not all(_read_meta_segment(segment, meta) for segment in segments):
        return None
    return meta if meta.says_anything else None


def _read_meta_segment(segment: str, meta: Meta) -> bool:
    """Read one `|`-separated part of a metadata line into meta; False if it is not metadata."""
    labelled = _META_LABEL.match(segment)
    if labelled:
        label, value = labelled.group("label").lower(), labelled.group("value").strip()
        return _read_labelled(label, value, meta)
    if segment.lower().rstrip(".") in ("permalink", "share", "print", "email", "link", "comments", "reply"):
        meta.permalink = meta.permalink or segment.lower() == "permalink"
        return True
    url = URL.match(segment)
    if url:
        meta.url = meta.url or url.group(1)
        return True
    if not leftover_words(segment):
        dates = find_dates(segment)
        if dates and meta.date is None:
            meta.date = dates[0]
        return True
    byline = read_byline(segment)
    if byline and byline.author:
        meta.author = meta.author or byline.author
        return True
    dated = read_date_line(segment)
    if dated:
        meta.date = meta.date or dated.date
        meta.author = meta.author or dated.author
        return True
    return False


def _read_labelled(label: str, value: str, meta: Meta) -> bool:
    """Read a "Label: value" part ("Author: NAME", "Date: …", "Source: …"); False if the value does not fit."""
    if label in ("author", "authors", "by", "writer", "reporter", "written by", "article by", "posted by"):
        name, rest = read_name(value)
        if name is None or leftover_words(rest):
            return False
        meta.author, meta.author_doubt = meta.author or name[0], name[1]
        return True
    if label in ("date", "dated", "published", "published on", "posted", "posted on", "first published",
                 "updated", "last updated", "modified", "dateline"):
        dates = find_dates(value)
        if dates and meta.date is None and not label.endswith(("updated", "modified")):
            meta.date = dates[0]
        elif dates and meta.date is None:
            meta.date, meta.updated_only = dates[0], True
        return bool(dates) or not value
    if label in ("permalink", "link", "url"):
        url = URL.match(value)
        meta.permalink = True
        meta.url = meta.url or (url.group(1) if url else None)
        return True
    if label in ("source", "publication", "publisher", "outlet"):
        url = URL.match(value)
        if url:
            meta.url = meta.url or url.group(1)
        elif value and len(value.split()) <= 8:
            meta.publication = meta.publication or value.rstrip(".")
        return True
    if label.startswith(("tag", "topic", "keyword")):
        meta.tags = split_tags(value) or []
        return True
    # categories, sections, comments, share, location: page furniture with nothing to keep
    meta.category = True
    return True


def read_tag_line(text: str) -> Meta | None:
    """"Tags: a, b", "Tagged with a, b", "Filed under CATEGORY Tagged with a, b", "#a #b", or a
    category line alone ("Posted in World, Europe"), which is kept out of the body but not as tags."""
    text = strip_bullet(text)
    if len(text) > 600:
        return None
    if re.fullmatch(r"(?:#[^\W_][\w-]*[\s,]*){2,}", text):
        return Meta(tags=[t.lstrip("#") for t in re.findall(r"#[\w-]+", text)])
    category = _CATEGORY_LABEL.match(text)
    start = category.end() if category else 0
    label = _TAG_LABEL.search(text, start)
    if label and (label.start() == 0 or category):
        if not label.group("colon") and prose_end(text):
            return None  # "Tagged as a traitor, he fled." is a sentence
        if not category and not label.group("colon") and not label.group("label").lower().startswith("tagged"):
            tags = split_tags(text[label.end():], strict=True)
        else:
            tags = split_tags(text[label.end():])
        if tags is None:
            return None
        if category and len(text[start:label.start()].split()) > 20:
            return None
        return Meta(tags=tags, category=bool(category))
    if category and not text.endswith(".") and len(text[start:].split()) <= 20:
        return Meta(category=True)
    return None


def prose_end(text: str) -> bool:
    """Ends like a sentence: a full stop, not an abbreviation's."""
    return bool(re.search(r"[^\W_]{2}[.!?][\"”’)]*$", text))


def split_tags(text: str, strict: bool = False) -> list[str] | None:
    """Tags from a list written with commas, semicolons, bars or bullets; None if it is not a list."""
    items, depth, current = [], 0, ""
    for char in text:  # separators inside brackets do not split: "DDIS (Denmark, Greenland)"
        if char in "([":
            depth += 1
        elif char in ")]":
            depth = max(depth - 1, 0)
        if depth == 0 and char in ",;|•·":
            items.append(current)
            current = ""
        else:
            current += char
    items.append(current)
    tags: list[str] = []
    seen: set[str] = set()
    for item in items:
        tag = item.strip().strip(".").lstrip("#").strip()
        if not tag or COMMENTS.fullmatch(tag) or tag.lower() in _NOT_TAGS:
            continue  # "Tagged a, b | 3 Comments | Permalink": the rest of the footer
        if len(tag.split()) > 6 or len(tag) > 60 or re.search(r"[.!?]\s", tag):
            return None
        if tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    if not tags or (strict and len(tags) < 2):
        return None
    return tags


def read_publication_line(text: str) -> str | None:
    """The publication named by a copyright line ("© 2024 The Daily Example. All rights reserved.")
    or an origin line ("This article first appeared on Example News.")."""
    text = text.strip()
    if len(text) > 200:
        return None
    if is_copyright_line(text):
        name = re.sub(r"^(?:\s*(?:©|\(c\)|copyright)\s*)+", "", text, flags=re.IGNORECASE)
    else:
        origin = _ORIGIN.match(text)
        if not origin:
            return None
        name = origin.group("name")
    name = re.sub(r"[.,|]?\s*all rights reserved.*$", "", name, flags=re.IGNORECASE)
    name = re.sub(r"^(?:(?:19|20)\d\d\s*[-–,]?\s*)+|(?:[\s,]*(?:19|20)\d\d)+$", "", name.strip(" ,.;:")).strip(" ,.;:")
    if not name or URL.match(name) or len(name.split()) > 8 or not (name[0].isupper() or name[0].isdigit()):
        return None
    return name


def is_copyright_line(text: str) -> bool:
    """"© 2024 Example", "Copyright 2024 Example. All rights reserved." (short lines only)."""
    return len(text.split()) <= 25 and bool(re.match(r"^\s*(?:©|\(c\)\s|copyright\s*(?:©|\(c\)|(?:19|20)\d\d))", text, re.IGNORECASE))


def read_wire_dateline(text: str) -> str | None:
    """The agency of a wire dateline opening a paragraph: "MOSCOW (Reuters) - ..." → Reuters."""
    match = _WIRE.match(text)
    return match.group("name").strip() if match else None


def read_url(text: str) -> str | None:
    """The address when the whole line is one URL."""
    match = URL.match(strip_bullet(text))
    return match.group(1) if match else None
