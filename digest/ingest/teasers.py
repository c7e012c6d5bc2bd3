"""Second looks at a parsed seed: teaser runs pasted without a footer, and teaser cards taken for articles."""

from __future__ import annotations

from . import prose
from .drafts import Draft, Parsed, Teaser

_MAX_TRAILING_LABELS = 8


def drop_trailing_labels(draft: Draft) -> None:
    """Short lines that end a body ("Espionage", "Netherlands", "Reuse this content") are topic
    links or buttons, not text: removed, and named in a note."""
    count = 0
    while count < len(draft.body) - 1 and prose.is_label(draft.body[-1 - count].text, max_words=4):
        count += 1
    if count > _MAX_TRAILING_LABELS:
        return  # a long run of short lines is a list that belongs to the text
    dropped = [line.text for line in draft.body[len(draft.body) - count:]]
    del draft.body[len(draft.body) - count:]
    if dropped:
        draft.notes.append("removed short lines at the end of the text (topic links or buttons?): "
                           + ", ".join(f"“{text}”" for text in dropped))


def split_cut_run(draft: Draft, position: int, parsed: Parsed) -> None:
    """Two or more paragraphs cut off mid-sentence in a body: a teaser run pasted without a footer."""
    cut = [i for i, line in enumerate(draft.body)
           if prose.is_cut(line.text) and not prose.is_title(line.text) and len(line.text.split()) >= 8]
    if len(cut) == 1 and cut[0] == len(draft.body) - 1 and len(draft.body) > 1:
        draft.notes.append("the last paragraph is cut off mid-sentence; the copy may be incomplete")
    if len(cut) < 2 or cut[0] == 0:
        return
    start = cut[0]
    for index in range(cut[0], 0, -1):
        if draft.body[index].gap > 0:
            start = index
            break
    run, draft.body = draft.body[start:], draft.body[:start]
    draft.notes.append(f"the {len(run)} paragraphs from line {run[0].number} look like teasers of other "
                       "stories (several are cut off mid-sentence); they were written as briefs: check where "
                       "the article ends")
    teasers = [Teaser(prose.strip_more_link(line.text), line.number, None, None, position) for line in run]
    parsed.teasers += teasers


def demote_teaser_cards(parsed: Parsed) -> None:
    """A "headline, date, one short paragraph" card among real articles is a teaser, not an article."""
    cards = [_is_card(draft) for draft in parsed.articles]
    if len(parsed.articles) < 2 or all(cards):
        return
    real = [i for i, card in enumerate(cards) if not card]
    # Each old position → the real article it stays as, or that a card's teaser is found with.
    host = {i: i if not card else _nearest(real, i) for i, card in enumerate(cards)}
    new_index = {old: new for new, old in enumerate(real)}
    for teaser in parsed.teasers:
        if teaser.found_with is not None:
            teaser.found_with = new_index[host[teaser.found_with]]
    for position, draft in enumerate(parsed.articles):
        if cards[position]:
            date = next((d for d, where, _ in draft.dates if where == "header"), None)
            text = prose.strip_more_link(draft.body[0].text) if draft.body else draft.title
            parsed.teasers.append(Teaser(text, draft.line, draft.title, date, new_index[host[position]]))
    parsed.articles = [parsed.articles[i] for i in real]


def _nearest(real: list[int], position: int) -> int:
    """The nearest preceding real article, or the following one when none precedes."""
    before = [r for r in real if r < position]
    return before[-1] if before else next(r for r in real if r > position)


def _is_card(draft: Draft) -> bool:
    words = sum(len(line.text.split()) for line in draft.body)
    return (draft.title is not None and len(draft.body) <= 1 and words <= 80 and not draft.ended
            and not draft.tags and not draft.further)
