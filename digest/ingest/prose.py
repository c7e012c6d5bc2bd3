"""Sentences: splitting, headline and dek shapes, text cut off mid-sentence, titles from first words."""

from __future__ import annotations

import re

# Abbreviations after which a full stop does not end a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "maj", "adm", "cmdr", "gov", "sen",
    "rep", "st", "jr", "sr", "no", "vs", "etc", "inc", "ltd", "co", "corp", "dept", "fig", "approx", "est",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k",
    "e.u", "u.n", "a.m", "p.m", "i.e", "e.g", "pres", "rev", "hon", "mt", "ft",
}
_CLOSERS = "\"'”’»)]"
_SENTENCE_END = re.compile(r"[.!?…]+[" + re.escape(_CLOSERS) + r"]*(?=\s+[\"“‘'(«\[]?[A-Z0-9À-ÖØ-Þ])")
_CUT_MARKERS = re.compile(r"\s*(?:\[\s*(?:…|\.\.\.)\s*\]|\(\s*(?:…|\.\.\.)\s*\)|…|\.{3,})\s*$")
_MORE_LINK = re.compile(r"\s*[\[(]?\s*(?:read\s+more|continue\s+reading|more|full\s+story|read\s+the\s+full\s+"
                        r"(?:story|article))\s*(?:[»›→>]+|\.\.\.|…)?\s*[\])]?\s*$", re.IGNORECASE)
# Words a title made from first words should not end on.
_DANGLING = {"a", "an", "the", "of", "to", "in", "on", "at", "for", "by", "with", "from", "and", "or", "but",
             "that", "which", "who", "as", "its", "their", "his", "her", "is", "are", "was", "were", "has",
             "have", "had", "be", "been", "into", "over", "under", "than", "about", "after", "before", "while",
             "amid", "said", "says", "this", "these", "those", "it", "they", "he", "she", "we", "would", "will"}


def sentences(text: str) -> list[str]:
    """The text split into sentences; abbreviations and initials do not end one."""
    result, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        before = text[start:match.start()].split()
        last = before[-1].lower().lstrip("(“\"'") if before else ""
        if match.group(0).startswith(".") and (last in _ABBREVIATIONS or re.fullmatch(r"(?:[a-z]\.)*[a-z]", last)):
            continue
        result.append(text[start:match.end()].strip())
        start = match.end()
    tail = text[start:].strip()
    if tail:
        result.append(tail)
    return result


def ends_sentence(text: str) -> bool:
    """True when the text ends a sentence (. ! ? with any closing quotes or brackets)."""
    return text.rstrip().rstrip(_CLOSERS).endswith((".", "!", "?"))


def is_cut(text: str) -> bool:
    """True when the text is cut off mid-sentence or marked as cut ("…", "[…]", "Read more")."""
    text = text.rstrip()
    tail = text[-80:]  # the markers sit at the end; long paragraphs need not be scanned whole
    if _CUT_MARKERS.search(tail) or _MORE_LINK.search(tail) and len(text.split()) > 6:
        return True
    return not ends_sentence(text)


def strip_more_link(text: str) -> str:
    """The teaser without a trailing "Read more »" / "Continue reading" link label."""
    if len(text.split()) <= 6:
        return text
    head, tail = text[:-80], text[-80:]
    return (head + _MORE_LINK.sub("", tail)).rstrip() or text


def is_headline(text: str) -> bool:
    """Shaped like a headline: short, capitalised, one unit of thought, no final full stop."""
    words = text.split()
    if not 2 <= len(words) <= 25 or len(text) > 220:
        return False
    first = text.lstrip("\"'“‘«([")[:1]
    if not (first.isupper() or first.isdigit()):
        return False
    if text.rstrip(_CLOSERS).endswith((".", ",", ";", ":", "…", "-", "–", "—")):
        return False
    return len(sentences(text)) == 1 and sum(c.isalpha() for c in text) >= 6


def is_label(text: str, max_words: int = 6) -> bool:
    """A few words that are not a sentence: a label, a button, a topic link or a bare byline."""
    words = text.split()
    return 0 < len(words) <= max_words and not ends_sentence(text) and not text.rstrip().endswith(":") \
        and any(c.isalpha() for c in text)


def is_title(text: str) -> bool:
    """A headline sure enough to start a story: short and not ending on a word that leads on
    (a cut-off lead like "… causing what experts" is headline-shaped but is no title)."""
    words = text.split()
    return is_headline(text) and len(words) <= 18 and words[-1].lower().strip("\"'”’") not in _DANGLING


def is_dek(text: str) -> bool:
    """Shaped like a standfirst: one whole sentence of 4 to 45 words, or a headline-shaped line."""
    words = text.split()
    if is_headline(text):
        return len(words) >= 4
    return 4 <= len(words) <= 45 and len(sentences(text)) == 1 and ends_sentence(text) and not is_cut(text)


def title_from_text(text: str) -> str:
    """A short title made of the text's own first words: its first sentence when short, else the
    words up to a clause or phrase break near the tenth word, with "…" where it was cut."""
    first = sentences(text)[0] if text.strip() else ""
    words = first.split()
    if len(words) <= 16 and ends_sentence(first):
        return first.rstrip().rstrip(".").rstrip() or first
    cut = _clause_break(words) or _phrase_break(words) or min(len(words), 12)
    chosen = words[:cut]
    while len(chosen) > 4 and chosen[-1].lower().strip(",;:—–-") in _DANGLING:
        chosen.pop()
    title = " ".join(chosen).rstrip(",;:—–- ")
    return title + "…" if len(chosen) < len(words) or not ends_sentence(first) else title


def _clause_break(words: list[str]) -> int | None:
    """Cut after a word ending a clause (comma, semicolon, dash), from the 6th to the 16th word."""
    for index in range(6, min(len(words), 17)):
        if words[index - 1].endswith((",", ";", ":")) or index < len(words) and words[index] in ("—", "–", "-"):
            return index
    return None


def _phrase_break(words: list[str]) -> int | None:
    """Cut before the last function word ("who", "to", "on" …) that follows a content word,
    from the 8th to the 14th word: the title then ends on a whole phrase."""
    best = None
    for index in range(8, min(len(words), 15)):
        if words[index].lower() in _DANGLING and words[index - 1].lower().strip(",;:") not in _DANGLING:
            best = index
    return best
