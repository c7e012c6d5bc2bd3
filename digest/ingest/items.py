"""Drafts read from a seed → the front matter and paragraphs of each file, with what was doubted."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import fields, prose
from .dates import FoundDate
from .drafts import Draft, Parsed, Teaser

ARTICLE, BRIEF = "articles", "briefs"


@dataclass
class Item:
    """One file to write: its folder, front matter (without ids) and body paragraphs."""

    folder: str
    title: str
    line: int
    front: dict
    paragraphs: list[str]
    unsure: list[str] = field(default_factory=list)
    found_with: int | None = None  # for briefs: index of the article item among the articles


@dataclass(frozen=True)
class Provenance:
    """Where the items came from: the seed as the project names it, and the hash of its bytes."""

    seed: str
    sha256: str


def make_items(parsed: Parsed, provenance: Provenance) -> tuple[list[Item], list[Item]]:
    """The article items and brief items of one seed, in the seed's order."""
    seed_publication = parsed.publications[0] if parsed.publications else None
    articles = [_article(draft, seed_publication, provenance) for draft in parsed.articles]
    briefs = [_brief(teaser, seed_publication, provenance) for teaser in parsed.teasers]
    return articles, briefs


def _article(draft: Draft, seed_publication: tuple[str, str] | None, provenance: Provenance) -> Item:
    """An article's file: every field the text states, null and a doubt for each it does not."""
    unsure: list[str] = []
    paragraphs = [line.text for line in draft.body]
    title = draft.title
    if title is None:
        title = prose.title_from_text(paragraphs[0]) if paragraphs else "Untitled"
        unsure.append("no headline found; the title is made from the first words of the text")
    if not paragraphs:
        unsure.append("no body text found under the title")
    date = _date(draft, unsure)
    author = _author(draft, unsure)
    publication = _publication(draft, seed_publication, paragraphs, unsure)
    unsure += [note for note in draft.notes if note not in unsure]
    front = {
        "title": title,
        "subtitle": draft.subtitle,
        "date": date.value() if date else None,
        "author": author,
        "source": {"name": publication, "url": draft.url, "seed": provenance.seed,
                   "seed_sha256": provenance.sha256},
        "summary": None,
        "tags": list(draft.tags),
        "incidents": [],
        "status": "published",
        "further_reading": list(draft.further),
        "unsure": unsure,
    }
    return Item(ARTICLE, title, draft.line, front, paragraphs, unsure)


def _date(draft: Draft, unsure: list[str]) -> FoundDate | None:
    """The header's publication date, else the footer's; disagreements and guesses noted."""
    published = [(d, where) for d, where, updated in draft.dates if not updated]
    header = [d for d, where in published if where == "header"]
    footer = [d for d, where in published if where == "footer"]
    chosen = (header or footer or [None])[0]
    if chosen is None and draft.dates:
        chosen = draft.dates[0][0]
        unsure.append(f"only an “updated” date was given ({chosen.iso()}); it is used as the date")
    if chosen is None:
        unsure.append("no publication date found in the text")
        return None
    if header and footer and footer[0].iso() != header[0].iso():
        unsure.append(f"the header gives the date {header[0].iso()} but the footer gives {footer[0].iso()}; "
                      "kept the header's")
    if chosen.ambiguous:
        unsure.append(f"the date {chosen.iso()} was read day-first from a numeric date that could also be "
                      "month-first")
    return chosen


def _author(draft: Draft, unsure: list[str]) -> str | None:
    """The byline's author, else the footer's; a disagreement is noted."""
    header = [name for name, where in draft.authors if where == "header"]
    footer = [name for name, where in draft.authors if where == "footer"]
    chosen = (header or footer or [None])[0]
    if chosen is None:
        if not draft.byline_without_person:  # that case has its own note
            unsure.append("no author found in the text")
        return None
    if header and footer and footer[0].casefold() != header[0].casefold():
        unsure.append(f"the byline names {header[0]} but the footer names {footer[0]}; kept the byline's")
    return chosen


def _publication(draft: Draft, seed_publication: tuple[str, str] | None, paragraphs: list[str],
                 unsure: list[str]) -> str | None:
    """The publication the text names (its own byline or source line, else any in the seed, else a
    wire dateline's agency); how it was found is noted unless a "Source:" line said it outright."""
    found = draft.publications[0] if draft.publications else seed_publication
    if found is None and paragraphs:
        agency = fields.read_wire_dateline(paragraphs[0])
        if agency:
            found = (agency, "wire dateline")
    if found is None:
        unsure.append("no publication name found in the text")
        return None
    name, how = found
    if how != "source line":
        unsure.append(f"the publication name “{name}” was read from the {how}")
    return name


def _brief(teaser: Teaser, seed_publication: tuple[str, str] | None, provenance: Provenance) -> Item:
    """A brief's file: the teaser as written, a title of its own first words unless it had a headline."""
    unsure: list[str] = []
    title = teaser.title
    if title is None:
        title = prose.title_from_text(teaser.text)
        unsure.append("title made from the teaser's first words")
    truncated = prose.is_cut(teaser.text)
    if truncated:
        unsure.append("the teaser is cut off mid-sentence")
    if teaser.found_with is not None:
        unsure.append("taken as a teaser of another story (see found_with)")
    unsure += teaser.notes
    front = {
        "title": title,
        "date": teaser.date.value() if teaser.date else None,
        "truncated": truncated,
        "found_with": None,  # filled in with the article's id when ids are known
        "source": {"name": seed_publication[0] if seed_publication else None, "url": None,
                   "seed": provenance.seed, "seed_sha256": provenance.sha256},
        "tags": [],
        "incidents": [],
        "status": "published",
        "unsure": unsure,
    }
    return Item(BRIEF, title, teaser.line, front, [teaser.text], unsure, teaser.found_with)
