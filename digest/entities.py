"""Find entities in text: every name, alias and demonym compiled once into one trie-shaped regex.

Matching rules:

- An entity's *forms* are its name, its aliases and its demonyms; a demonym also matches with a
  plural -s ("Russian", "Russians" → russia) unless it already ends in s ("Swiss").
- Forms match case-sensitively as written, plus their ALL-CAPS version, because news ledes
  shout ("CZECH GOVERNMENT OFFICIALS"). So "nato", "Fsb" and "russia" match nothing.
- Matches never begin or end inside a word: the characters either side must not be letters,
  digits or "_". "Prussia", "NATOs" and "Russiagate" do not match; "Russia's", "Russia’s",
  "Russia-based", "pro-Russian" and "(NATO)" do.
- Spaces inside a form match any run of whitespace, so a name wrapped across lines matches.
- Leftmost, then longest: scanning left to right, the longest form starting at a position wins
  and matches never overlap ("Russian Federal Security Service" is the FSB if the FSB has that
  alias, not Russia followed by text).
- A form written (name, alias or demonym) for two entities is ambiguous: it is listed in
  `conflicts` and matches neither. A generated variant (ALL-CAPS, plural) loses to a written
  form and is dropped without a report when two generated variants collide.
- Text and forms are NFC-normalised before matching; offsets always index the text as given.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from typing import NamedTuple

from .model import Entity

_SPACES = re.compile(r"\s+")


class Mention(NamedTuple):
    """One place in a text where an entity is named (a tuple: tens of thousands per build)."""

    entity: str
    start: int
    end: int
    surface: str


class Gazetteer:
    """All entities' forms in one compiled pattern: build once, then `find` in any number of texts."""

    def __init__(self, entities: dict[str, Entity]):
        written: dict[str, set[str]] = defaultdict(set)
        generated: dict[str, set[str]] = defaultdict(set)
        for entity in entities.values():
            forms = [f for f in map(_clean, (entity.name, *entity.aliases, *entity.demonyms)) if f]
            demonyms = [d for d in map(_clean, entity.demonyms) if d]
            plurals = [d + "s" for d in demonyms if not d.endswith(("s", "S"))]
            for form in forms:
                written[form].add(entity.id)
            for form in plurals + [_clean(f.upper()) for f in forms + plurals]:
                generated[form].add(entity.id)
        self.conflicts: list[tuple[str, list[str]]] = [
            (form, sorted(ids)) for form, ids in sorted(written.items()) if len(ids) > 1]
        self._entity = {form: next(iter(ids)) for form, ids in written.items() if len(ids) == 1}
        for form, ids in generated.items():
            if form not in written and len(ids) == 1:
                self._entity[form] = next(iter(ids))
        # One alternation shaped like a trie: the work at each position of a text depends on the
        # length of the forms starting there, not on how many forms there are; greedy optional tails
        # try the longest form first and back off to a shorter one that ends at a word boundary.
        self._pattern = re.compile(_trie_regex(sorted(self._entity)) + r"(?!\w)") if self._entity else None

    def find(self, text: str) -> list[Mention]:
        """Non-overlapping mentions in text order, the longest form winning at each position."""
        if self._pattern is None or not text:
            return []
        if unicodedata.is_normalized("NFC", text):
            normal, starts, ends = text, None, None
        else:
            normal, starts, ends = _nfc_with_offsets(text)
        mentions = []
        for match in self._pattern.finditer(normal):
            start, end = match.span()
            if starts is not None:
                start, end = starts[start], ends[end - 1]
            mentions.append(Mention(self._entity_of(match.group()), start, end, text[start:end]))
        return mentions

    def entities_in(self, text: str) -> list[str]:
        """Distinct entity ids in the order of their first mention."""
        if self._pattern is None or not text:
            return []
        normal = text if unicodedata.is_normalized("NFC", text) else _nfc_with_offsets(text)[0]
        return list(dict.fromkeys(map(self._entity_of, self._pattern.findall(normal))))

    def _entity_of(self, matched: str) -> str:
        """The entity a matched form names (a line break or double space inside it read as one space)."""
        entity = self._entity.get(matched)
        return entity if entity is not None else self._entity[_SPACES.sub(" ", matched)]


def _clean(form: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", form)).strip()


def _trie_regex(forms: list[str]) -> str:
    """One regex matching exactly the given forms where no word character comes before them,
    factored by common prefixes."""
    trie: dict = {}
    for form in forms:
        node = trie
        for char in form:
            node = node.setdefault(char, {})
        node[""] = {}  # the end of a form
    # The word boundary before a form is checked after its first character (whatever came before
    # that one, not a word character), not before it: a pattern that starts with a character
    # lets the regex engine skip in C to where a form can begin, about four times as fast as
    # trying a look-behind at every position of the text. Forms never start with a space.
    return "(?:" + "|".join(_atom(char) + r"(?<!\w[\s\S])" + _node_regex(child)
                            for char, child in sorted(trie.items())) + ")"


def _node_regex(node: dict) -> str:
    """The regex for the forms' tails below one trie node."""
    parts = []
    # Walk single-child chains in a loop: a long name must not cost one recursion level per letter.
    while len(node) == 1 and "" not in node:
        (char, node), = node.items()
        parts.append(_atom(char))
    branches = [_atom(char) + _node_regex(child) for char, child in sorted(node.items()) if char]
    if branches:
        group = branches[0] if len(branches) == 1 and "" not in node else "(?:" + "|".join(branches) + ")"
        parts.append(group + "?" if "" in node else group)
    return "".join(parts)


def _atom(char: str) -> str:
    return r"\s+" if char == " " else re.escape(char)


def _nfc_with_offsets(text: str) -> tuple[str, list[int], list[int]]:
    """NFC text plus, for each of its characters, where its cluster starts and ends in the original.

    Clusters are a starter and the combining marks after it; composition across two starters
    (conjoining Hangul jamo) is not applied, so such text may simply not match.
    """
    pieces, starts, ends = [], [], []
    cluster = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or unicodedata.combining(text[index]) == 0:
            piece = unicodedata.normalize("NFC", text[cluster:index])
            pieces.append(piece)
            starts += [cluster] * len(piece)
            ends += [index] * len(piece)
            cluster = index
    return "".join(pieces), starts, ends
