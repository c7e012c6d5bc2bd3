"""People's names and bylines: "By NAME", "Author: NAME", "Article by: NAME", "By NAME | Publication".

A name is read only where a byline label puts it; a name that merely appears in a sentence is
never an author. Names are capitalised words, initials and particles ("de", "van").
"""

from __future__ import annotations

import re

from .dates import find_dates
from .meta import CATEGORY_TAIL, SEPARATORS, Meta, cut_spans, leftover_words, strip_bullet

_BYLINE_LEAD = re.compile(r"^(?:by|written\s+by|words\s+by|story\s+by|text\s+by|article\s+by|posted\s+by|"
                          r"reporting\s+by|reported\s+by|authors?|writer|reporter|byline|contributor)\b\s*:?\s*",
                          re.IGNORECASE)
_PARTICLES = {"de", "da", "di", "del", "della", "van", "von", "der", "den", "du", "dos", "das", "la", "le",
              "bin", "ibn", "al", "el", "ten", "ter", "y", "e", "zu", "st.", "mac", "ó", "o'"}
# Capitalised words that follow "By" in a sentence but are not names ("By Monday", "By The end").
_NOT_NAMES = {"the", "a", "an", "this", "that", "these", "those", "then", "now", "far", "contrast",
              "comparison", "law", "default", "design", "order", "email", "phone", "way", "means", "all",
              "our", "my", "his", "her", "their", "its", "some", "most", "early", "late", "mid", "end",
              "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today",
              "yesterday", "tomorrow", "tonight", "last", "next", "this", "noon", "midnight", "nightfall",
              "january", "february", "march", "april", "may", "june", "july", "august", "september",
              "october", "november", "december", "spring", "summer", "autumn", "fall", "winter", "land",
              "air", "sea", "car", "train", "bus", "road", "rail", "ship", "plane", "telephone", "mail"}
_NOT_NAME_WORDS = _NOT_NAMES | {"comment", "comments", "leave"}
# Words of section labels and buttons, which are capitalised like names but are not.
_SECTION_WORDS = {"news", "world", "politics", "opinion", "analysis", "live", "follow", "share", "subscribe",
                  "europe", "business", "sport", "culture", "video", "podcast", "newsletter", "exclusive", "breaking",
                  "update", "updates", "latest", "home", "menu", "war", "crisis", "security", "defence", "defense"}
_CREDIT = re.compile(r"^(?:additional\s+)?(?:editing|edited|writing|written|reporting|compiled|graphics|"
                     r"translated|translation|research|fact-checking|photos?|video)\s+by\s+\S", re.IGNORECASE)
_USERNAMES = {"admin", "administrator", "editor", "staff", "webmaster", "author", "guest", "user", "root"}
_ROLE_WORDS = re.compile(r"\b(?:writer|correspondent|editor|reporter|contributor|columnist|staff|analyst|"
                         r"producer|journalist|bureau|chief|desk|team|intern|fellow|director|researcher|"
                         r"professor|photographer|senior|deputy|managing|special|contributing|freelance)\b",
                         re.IGNORECASE)


def read_name(text: str) -> tuple[tuple[str, str | None] | None, str]:
    """A person's name (or names joined by "and") at the start of text: ((name, doubt), rest).

    Names are capitalised words, initials and particles ("de", "van"); the name ends at the
    first word that is none of these. A lowercase single word is a user name: taken with a doubt,
    unless it is a generic account like "admin".
    """
    tokens = re.findall(r"\S+", text)
    words: list[str] = []
    index = 0
    while index < len(tokens) and len(words) < 12:
        token = tokens[index]
        bare = token.rstrip(",;|")
        if bare.lower() in ("and", "&") and words:
            words.append(bare)
        elif _all_caps(words[-2:]) and not bare.isupper():
            break  # "By JOHN SMITH Associated Press": the name ends where the capitals do
        elif _is_name_word(bare, bool(words)):
            words.append(bare)
        else:
            break
        index += 1
        if bare != token:  # the name ends at a comma or a bar, which stays in the rest
            tokens[index - 1:index] = [bare, token[len(bare):]]
            index = min(index, len(tokens))
            break
    while words and words[-1].lower() in ("and", "&"):
        words.pop()
        index -= 1
    rest = " ".join(tokens[index:])
    if not words:
        return _read_username(tokens)
    if words[0].lower().strip(".") in _NOT_NAMES or all(w.lower() in _PARTICLES for w in words):
        return None, text
    if len([w for w in words if w.lower() not in ("and", "&")]) > 8:
        return None, text
    name = " ".join(words)
    if name.endswith(".") and not re.search(r"\b[A-Z]\.$", name):
        name = name[:-1]  # a full stop after a byline, not an initial
    return (name, None), rest


def _all_caps(words: list[str]) -> bool:
    """Two words written in capitals (not initials): "JOHN SMITH"."""
    return len(words) == 2 and all(len(w.strip(".")) >= 2 and w.isupper() for w in words)


def _is_name_word(word: str, inside: bool) -> bool:
    if not word or len(word) > 30:
        return False
    if inside and word.lower() in _PARTICLES:
        return True
    if re.fullmatch(r"[A-Z]\.(?:[A-Z]\.)*", word):  # initials: J. or J.R.
        return True
    if not word[0].isupper():
        return False
    core = word.replace("-", "").replace("'", "").replace("’", "").replace(".", "")
    return core.isalpha() and word.lower().strip(".") not in _NOT_NAME_WORDS


def _read_username(tokens: list[str]) -> tuple[tuple[str, str | None] | None, str]:
    if not tokens:
        return None, ""
    word = tokens[0].rstrip(",;|")
    rest = " ".join(tokens[1:])
    if re.fullmatch(r"@?[a-z][a-z0-9_.-]{1,30}", word) and word.lower() not in _NOT_NAMES:
        if word.lstrip("@").lower() in _USERNAMES:
            return (None, f"the byline names the account “{word}”, not a person; author left empty"), rest
        return (word, f"the author “{word}” looks like a user name, not a person's name"), rest
    return None, " ".join(tokens)


def read_byline(text: str) -> Meta | None:
    """"By NAME", "Author: NAME", "Article by: NAME", "By NAME | Publication", "By NAME for Publication",
    possibly with a date, a role or comment counts after the name."""
    text = strip_bullet(text)
    if text.startswith("(") and text.rstrip(".").endswith(")"):
        text = text.rstrip(".")[1:-1].strip()  # "(Reporting by NAME; Editing by NAME)"
    lead = _BYLINE_LEAD.match(text)
    if not lead or len(text) > 200:
        return None
    name, rest = read_name(text[lead.end():])
    if name is None:
        return None
    meta = Meta(author=name[0], author_doubt=name[1])
    if meta.author is None and name[1] is None:
        return None
    return meta if _read_byline_rest(rest, meta) else None


def _read_byline_rest(rest: str, meta: Meta) -> bool:
    """Fill meta from what follows a byline's name; False when that is not metadata.

    After a comma comes a role or a place ("By NAME, Senior Correspondent", "By NAME, Kyiv");
    after "for" or a bar, the publication ("By NAME for The Guardian", "By NAME | Reuters").
    """
    rest = CATEGORY_TAIL.sub(" ", rest.strip())
    if rest.startswith(","):
        role, _, rest = rest[1:].partition("|")
        if len(role.split()) > 5 or leftover_words(role) and not all(w[0].isupper() for w in leftover_words(role)):
            return False
    after_for = re.match(r"^(?:for|at)\s+(?P<pub>(?:The\s+)?[A-Z][\w.&'’-]*(?:\s+[A-Z][\w.&'’-]*){0,4})\s*(?P<rest>.*)$", rest)
    if after_for:
        meta.publication = after_for.group("pub")
        rest = after_for.group("rest")
    dates = find_dates(rest)
    if dates:
        meta.date = dates[0]
        rest = cut_spans(rest, [(d.start, d.end) for d in dates])
    for segment in re.split(r"\s*;\s*|" + SEPARATORS.pattern, " " + rest.strip(" |") + " "):
        segment = segment.strip(" ,;:|")
        if not segment or not leftover_words(segment) or _CREDIT.match(segment):
            continue
        if _ROLE_WORDS.search(segment) and len(segment.split()) <= 6:
            continue
        if meta.publication is None and _looks_like_publication(segment):
            meta.publication = segment
            continue
        return False
    return True


def _looks_like_publication(text: str) -> bool:
    words = text.split()
    return 1 <= len(words) <= 5 and all(w[0].isupper() or w[0].isdigit() or w.lower() in ("of", "the", "and", "&")
                                        for w in words) and not text.endswith(".")


def read_bare_byline(text: str) -> str | None:
    """A name alone on a line under a headline, maybe with a role: "Jane Doe", "Jane Doe Ireland
    correspondent" → Jane Doe. Only ever asked about header lines, and always reported as a guess."""
    name, rest = read_name(text)
    if name is None or name[0] is None or name[1] is not None:
        return None
    words = name[0].split()
    if rest:
        if len(rest.split()) > 3 or not _ROLE_WORDS.search(rest):
            return None
        if len(words) >= 3:
            words = words[:-1]  # "Ireland correspondent", "Moscow bureau chief": the place is the role's
    if not 2 <= len(words) <= 4 or any(w.lower() in _SECTION_WORDS for w in words):
        return None
    return " ".join(words)
