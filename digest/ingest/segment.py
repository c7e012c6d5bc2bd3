"""A seed's lines → articles, teasers of other stories, related-links lists and clutter.

The general rules, by position and shape:
- An article starts at a headline-shaped line followed (within a few lines, a dek allowed in
  between) by a date line or byline; the first headline of a text starts one too.
- The lines after a title, up to the first prose paragraph, are its header: date line, byline,
  a one-sentence standfirst (dek), furniture.
- An author/date footer, a tag line or a comment section after the body ends the article.
  Prose after the end is a run of teasers of other stories: each paragraph a brief (a headline
  followed by one paragraph makes a titled brief); a headline followed by two or more paragraphs
  starts the next article.
- A body whose paragraphs are cut off mid-sentence, two or more, holds a teaser run that was
  pasted without a footer: it is split off at the first cut paragraph (or the blank line before).
- A related-links heading ("Read also", "See also", "More on this story" …) takes the bullets or
  headline-shaped lines under it as further-reading titles; a headline with a date line or a
  cut-off snippet under it is a teaser card instead, and becomes a titled brief.
- A link to the publisher's standards or policies ends the body, like a footer. After the end, a
  short label closed by a colon with a run of one-or-two-word lines under it is a list of links and
  is dropped (noted); when the label names topics or tags ("Suggested Topics:") the lines are tags.
- A comment count or heading followed by "NAME says:" / "Reply" lines opens a comment section:
  everything in it is dropped until the next article.
"""

from __future__ import annotations

import re

from . import clutter, fields, prose
from .bylines import read_bare_byline, read_byline
from .dates import FoundDate, find_dates
from .drafts import (BYLINE, CLUTTER, DATE, HEADER_KINDS, HEADLINE, LIST_HEADING, META, PROSE, PUBLICATION,
                     TAG_HEADING, TAGS, URL, Draft, Parsed, Piece, Teaser)
from .meta import Meta, strip_bullet, strip_list_marker
from .teasers import demote_teaser_cards, drop_trailing_labels, split_cut_run
from .text import Line

_MAX_HEADER_LOOKAHEAD = 6
_MAX_HEADER_LABELS = 3  # more short lines than this under a title are text (a list), not furniture
_TAG_HEADING = re.compile(r"^(?:tags|tagged(?:\s+with)?|topics|related\s+topics|keywords|(?:explore\s+)?more\s+on\s+"
                          r"(?:these|this)\s+topics?|topics\s+in\s+this\s+(?:article|story))$", re.IGNORECASE)


def classify(line: Line) -> Piece:
    """Read one line as prose, a headline, metadata or clutter."""
    text = line.text
    url = fields.read_url(text)
    if url:
        return Piece(line, URL, url=url)
    heading = clutter.read_list_heading(text)
    if heading:
        return Piece(line, LIST_HEADING, heading=heading)
    if _is_tag_heading(text):
        return Piece(line, TAG_HEADING)
    publication = fields.read_publication_line(text)
    if publication or fields.is_copyright_line(text):
        return Piece(line, PUBLICATION, meta=Meta(publication=publication))
    for kind, reader in ((DATE, fields.read_date_line), (BYLINE, read_byline), (TAGS, fields.read_tag_line),
                         (META, fields.read_meta_line)):
        meta = reader(text)
        if meta is not None:
            return Piece(line, kind, meta=meta)
    found = clutter.classify_clutter(text)
    if found:
        return Piece(line, CLUTTER, clutter=found)
    if len(text.split()) >= 6:
        found = clutter.classify_prose(text)
        if found:
            return Piece(line, CLUTTER, clutter=found)
    if prose.is_headline(text):
        return Piece(line, HEADLINE)
    return Piece(line, PROSE)


# "Suggested Topics:", "Related tags:", "Article keywords:": a label naming topics, closed by a colon.
_LABELLED_TAG_HEADING = re.compile(r"^(?:[^\W\d_][\w'’-]*\s+){1,2}(?:topics|tags|keywords|subjects|themes)\s*:$",
                                   re.IGNORECASE)
_MAX_LIST_WORDS = 2  # the lines of a topic or link list under a label are one or two words each


def _is_tag_heading(text: str) -> bool:
    """"Tags", "Topics", "Explore more on these topics", "Suggested Topics:": a heading with one
    tag per line under it."""
    return bool(_TAG_HEADING.match(text.strip(" :")) or _LABELLED_TAG_HEADING.match(text.strip()))


def split_seed(lines: list[Line]) -> Parsed:
    """Find the articles, teasers and lists in a seed's lines."""
    return _Parser([classify(line) for line in lines]).run()


class _Parser:
    """Walks the pieces once, keeping the article being read and whether its body has ended."""

    def __init__(self, pieces: list[Piece]):
        self.pieces = pieces
        self.parsed = Parsed()
        self.current: Draft | None = None
        self.seen_prose = False
        self.pending: Draft = Draft(None, 1)  # what came before the first article

    def run(self) -> Parsed:
        index = 0
        while index < len(self.pieces):
            if self._starts_article(index):
                index = self._open_article(index)
            else:
                index = self._take(index)
        self._finish()
        return self.parsed

    # -- finding starts ------------------------------------------------------------------

    def _starts_article(self, index: int) -> bool:
        piece = self.pieces[index]
        if piece.kind != HEADLINE or self._is_kicker(index):
            return False
        if self.current is not None and self.current.in_comments:
            return self._header_follows(index)
        if self._header_follows(index):
            return True
        if self.current is None:
            return not self.seen_prose
        return self.current.ended and piece.title_shaped and self._prose_run_after(index) >= 2

    def _is_kicker(self, index: int) -> bool:
        """A short label above the real headline ("EXCLUSIVE", "Russia–Ukraine war")."""
        piece = self.pieces[index]
        following = self._next(index)
        words = piece.text.split()
        short = len(words) <= 3 or len(words) <= 5 and piece.text.isupper()
        if not (piece.kind in (PROSE, HEADLINE) and short and not prose.ends_sentence(piece.text)
                and following is not None and self.pieces[following].kind == HEADLINE
                and (self.current is None or self.current.ended)):
            return False
        # At the top of a text one or two words above a headline are a label; elsewhere only
        # when the headline below has its own date line or byline.
        at_top = self.current is None and not self.seen_prose and (len(words) <= 2 or piece.text.isupper())
        return at_top or self._header_follows(following)

    def _header_follows(self, index: int) -> bool:
        """A date line or byline within the next few lines; between them only furniture, one dek
        and at most two short labels (a byline without "By", a button)."""
        dek_seen, labels = False, 0
        for offset in range(1, _MAX_HEADER_LOOKAHEAD + 1):
            if index + offset >= len(self.pieces):
                return False
            piece = self.pieces[index + offset]
            if piece.kind in HEADER_KINDS and (piece.meta.date or piece.meta.author or piece.meta.author_doubt):
                return True
            if piece.kind == URL or piece.kind == CLUTTER and not piece.clutter.guessed:
                continue
            if piece.kind in (PROSE, HEADLINE) and not dek_seen and piece.dek_shaped:
                dek_seen = True
                continue
            if piece.kind in (PROSE, HEADLINE) and labels < 2 and piece.label_shaped:
                labels += 1
                continue
            return False
        return False

    def _prose_run_after(self, index: int) -> int:
        """How many prose paragraphs directly follow the piece."""
        end = index + 1
        while end < len(self.pieces) and self.pieces[end].kind == PROSE:
            end += 1
        return end - index - 1

    def _next(self, index: int) -> int | None:
        return index + 1 if index + 1 < len(self.pieces) else None

    # -- an article's header -----------------------------------------------------------------

    def _open_article(self, index: int) -> int:
        piece = self.pieces[index]
        draft = Draft(piece.text, piece.line.number)
        if not self.parsed.articles:
            self._adopt_pending(draft)
        elif self.pending.dates or self.pending.authors:
            self._adopt_pending(draft)
        self.parsed.articles.append(draft)
        self.current = draft
        index += 1
        header_seen, labels = False, 0
        while index < len(self.pieces):
            piece = self.pieces[index]
            if piece.kind in HEADER_KINDS or piece.kind in (TAGS, PUBLICATION):
                self._read_meta(draft, piece, "header")
                header_seen = header_seen or piece.kind in HEADER_KINDS
            elif piece.kind == URL:
                draft.url = draft.url or piece.url
            elif piece.kind == CLUTTER:
                self._drop(draft, piece)
            elif piece.kind in (PROSE, HEADLINE) and draft.subtitle is None and not header_seen \
                    and piece.dek_shaped and self._is_dek_at(index):
                draft.subtitle = piece.text
            elif piece.kind in (PROSE, HEADLINE) and piece.label_shaped and labels < _MAX_HEADER_LABELS:
                self._read_header_label(draft, piece)
                labels += 1
            else:
                break
            index += 1
        return index

    def _read_header_label(self, draft: Draft, piece: Piece) -> None:
        """A short line between title and text: a byline without "By" (taken, with a doubt) or a
        label or button (dropped, with a note)."""
        name = read_bare_byline(piece.text) if not draft.authors else None
        if name:
            draft.authors.append((name, "header"))
            draft.notes.append(f"took “{name}” from the line “{piece.text}” under the title as the author "
                               "(there is no “By”); check it")
        else:
            draft.notes.append(f"dropped the short line “{piece.text}” under the title (a label or a button?)")

    def _is_dek_at(self, index: int) -> bool:
        """A one-sentence line under the title is a dek when a date line or byline follows it, or
        (a guess, noted) when at least two paragraphs of body follow it."""
        for offset in range(1, _MAX_HEADER_LOOKAHEAD):
            if index + offset >= len(self.pieces):
                break
            piece = self.pieces[index + offset]
            if piece.kind in HEADER_KINDS:
                return True
            if piece.kind in (PROSE, HEADLINE) and piece.label_shaped:
                continue
            if piece.kind not in (URL, CLUTTER) or piece.clutter and piece.clutter.guessed:
                break
        if self._prose_run_after(index) >= 2:
            self.current.notes.append("took the line under the title as the subtitle (standfirst); "
                                      "check that it is not the first paragraph")
            return True
        return False

    def _adopt_pending(self, draft: Draft) -> None:
        """Metadata, lists and notes found before this article's title belong to it."""
        pending = self.pending
        draft.dates += pending.dates
        draft.authors += pending.authors
        draft.publications += pending.publications
        draft.url = draft.url or pending.url
        draft.tags += pending.tags
        draft.further += pending.further
        draft.notes += pending.notes
        self.pending = Draft(None, 1)

    # -- everything else ------------------------------------------------------------------

    def _take(self, index: int) -> int:
        """Handle one piece that does not start an article; return the next index."""
        piece = self.pieces[index]
        draft = self.current
        if draft is None:
            return self._take_before_first(index)
        if piece.kind == LIST_HEADING:
            return self._read_list(draft, index)
        if piece.kind == TAG_HEADING:
            return self._read_tag_block(draft, index)
        if draft.in_comments:
            self._drop_comment(draft, piece)
            return index + 1
        run = self._label_list_after(index) if draft.ended and piece.kind in (PROSE, HEADLINE, CLUTTER) else 0
        if run:
            words = [p.text for p in self.pieces[index + 1:index + 1 + run] if p.kind != CLUTTER]
            draft.notes.append(f"dropped the label “{piece.text}” after the article and the short lines under it "
                               "(a list of topic links or a menu?)" + (": " + ", ".join(f"“{w}”" for w in words)
                                                                        if words else ""))
            return index + 1 + run
        if piece.kind in HEADER_KINDS or piece.kind in (TAGS, PUBLICATION):
            following = self._next(index)
            if draft.ended and piece.kind == DATE and following is not None and piece.line.gap > 0 \
                    and self.pieces[following].line.gap == 0 and self._starts_article(following):
                self._read_meta(self.pending, piece, "header")  # a date line above the next headline
            elif draft.past_footer and piece.kind != PUBLICATION:
                pass  # metadata among teasers is theirs, not the article's: dropped
            else:
                self._read_meta(draft, piece, "header" if not draft.body else "footer")
                if draft.body and self._ends_body(piece):
                    draft.ended = True
            return index + 1
        if piece.kind == URL:
            if draft.body and not draft.ended and index + 1 < len(self.pieces) and self.pieces[index + 1].kind == PROSE:
                draft.body.append(piece.line)  # a link inside the text is part of it
            else:
                draft.url = draft.url or piece.url
            return index + 1
        if piece.kind == CLUTTER:
            if piece.clutter.kind == "comment form" and draft.body and self._comments_follow(index):
                draft.in_comments = True
                draft.ended = True
            elif piece.clutter.kind == clutter.POLICY_LINK and draft.body:
                draft.ended = True  # a link to the publisher's standards sits under the article, never inside it
            else:
                self._drop(draft, piece)
            return index + 1
        if draft.ended:
            return self._take_after_end(index)
        draft.body.append(piece.line)
        self.seen_prose = True
        return index + 1

    def _take_before_first(self, index: int) -> int:
        piece = self.pieces[index]
        pending = self.pending
        if piece.kind == LIST_HEADING:
            return self._read_list(pending, index)
        if piece.kind == TAG_HEADING:
            return self._read_tag_block(pending, index)
        if piece.kind in HEADER_KINDS or piece.kind in (TAGS, PUBLICATION):
            self._read_meta(pending, piece, "header")
        elif piece.kind == URL:
            pending.url = pending.url or piece.url
        elif piece.kind == CLUTTER:
            self._drop(pending, piece)
        elif self._is_kicker(index):
            pending.notes.append(f"dropped the line “{piece.text}” above the title (a section label "
                                 "or the site's name?)")
        else:
            # Text with no headline at its top: an article whose title is made from its first words.
            draft = Draft(None, piece.line.number)
            self._adopt_pending(draft)
            self.parsed.articles.append(draft)
            self.current = draft
            return self._take(index)
        return index + 1

    def _take_after_end(self, index: int) -> int:
        """Prose after the article's end: teasers of other stories."""
        piece = self.pieces[index]
        draft = self.current
        article = len(self.parsed.articles) - 1
        if piece.kind == HEADLINE and piece.title_shaped:
            if self._prose_run_after(index) == 1:
                lead = self.pieces[index + 1]
                self._add_teaser(lead.text, piece.line.number, article, title=piece.text)
                return index + 2
            # A run of bare headlines is a list of links; one alone may be a short cut-off teaser.
            if any(0 <= i < len(self.pieces) and self.pieces[i].kind == HEADLINE for i in (index - 1, index + 1)):
                draft.further.append(piece.text)
                return index + 1
        if prose.is_label(piece.text, max_words=4):
            draft.notes.append(f"dropped the short line “{piece.text}” after the article (a topic link or a button?)")
            return index + 1
        self._add_teaser(piece.text, piece.line.number, article)
        return index + 1

    def _label_list_after(self, index: int) -> int:
        """A short label closed by a colon ("Suggested Topics:", "In this story:") with a run of at least
        two one-or-two-word lines under it is a list of links: how many lines the run has (0 if none)."""
        text = self.pieces[index].text.strip()
        if not text.endswith(":") or len(text.split()) > 4 or re.search(r"[.!?]", text):
            return 0
        end = index + 1
        while end < len(self.pieces):
            piece = self.pieces[end]
            words = piece.text.split()
            short = 1 <= len(words) <= _MAX_LIST_WORDS and not piece.text.rstrip().endswith((".", "!", "?", ":"))
            if not short or piece.kind not in (PROSE, HEADLINE, CLUTTER) or piece.clutter and piece.clutter.guessed:
                break
            end += 1
        return end - index - 1 if end - index - 1 >= 2 else 0

    def _add_teaser(self, text: str, line: int, article: int | None, title: str | None = None,
                    date: FoundDate | None = None) -> None:
        self.current.past_footer = True
        dates = find_dates(text[:40])
        if date is None and dates and dates[0].start <= 2 and dates[0].day:
            date = dates[0]  # the teaser opens with its own date line
        self.parsed.teasers.append(Teaser(prose.strip_more_link(text), line, title, date, article))

    # -- readers for metadata, lists, clutter ----------------------------------------------

    def _read_meta(self, draft: Draft, piece: Piece, where: str) -> None:
        meta = piece.meta
        if meta.date:
            draft.dates.append((meta.date, where, meta.updated_only))
        if meta.author:
            draft.authors.append((meta.author, where))
        if meta.author_doubt:
            draft.notes.append(meta.author_doubt)
            draft.byline_without_person = draft.byline_without_person or meta.author is None
        if meta.publication:
            how = "copyright line" if piece.kind == PUBLICATION else "byline" if piece.kind == BYLINE else "source line"
            draft.publications.append((meta.publication, how))
            self.parsed.publications.append((meta.publication, how))
        if meta.url:
            draft.url = draft.url or meta.url
        for tag in meta.tags:
            if tag.casefold() not in {t.casefold() for t in draft.tags}:
                draft.tags.append(tag)

    def _ends_body(self, piece: Piece) -> bool:
        """A footer ends the body; a lone byline only after two paragraphs (some pages put it under the lede)."""
        meta = piece.meta
        if meta.date or meta.permalink or meta.tags or meta.category:
            return True
        return bool(meta.author) and len(self.current.body) >= 2

    def _read_list(self, draft: Draft, index: int) -> int:
        """A related-links heading and the titles under it."""
        heading, inline = self.pieces[index].heading
        index += 1
        items = [inline] if inline else []
        while index < len(self.pieces) and not inline:
            piece = self.pieces[index]
            text = strip_list_marker(piece.text)
            bulleted = text != piece.text
            card = index + 1 < len(self.pieces) and self._is_card_lead(self.pieces[index + 1])
            if piece.kind == HEADLINE and not bulleted and not card or bulleted and piece.kind in (PROSE, HEADLINE) \
                    and len(text.split()) <= 40:
                items.append(text)
                index += 1
            else:
                break
        draft.further += [item for item in items if item not in draft.further]
        if draft.ended:
            draft.past_footer = True  # metadata after this is not the article's footer
        return index

    @staticmethod
    def _is_card_lead(piece: Piece) -> bool:
        """Under a headline in a list, a date line or a cut-off snippet makes it a teaser card."""
        return piece.kind in (DATE, BYLINE) or piece.kind == PROSE and prose.is_cut(piece.text)

    def _read_tag_block(self, draft: Draft, index: int) -> int:
        """A "Tags" heading with one tag per line under it."""
        index += 1
        while index < len(self.pieces) and self.pieces[index].kind in (PROSE, HEADLINE):
            text = strip_bullet(self.pieces[index].text)
            tags = fields.split_tags(text)
            if tags is None or len(text.split()) > 6 or text.endswith("."):
                break
            draft.tags += [t for t in tags if t.casefold() not in {d.casefold() for d in draft.tags}]
            index += 1
        if draft.body and draft.tags:
            draft.ended = True
        return index

    def _comments_follow(self, index: int) -> bool:
        """A comment count or heading opens a comment section only if comment bylines follow."""
        for piece in self.pieces[index + 1:index + 4]:
            if piece.kind == CLUTTER and piece.clutter.kind == "comment form" and \
                    (piece.text.rstrip(":").lower().endswith(("says", "said", "wrote")) or piece.text.lower() == "reply"):
                return True
        return False

    def _drop(self, draft: Draft, piece: Piece) -> None:
        if piece.clutter.guessed:
            draft.notes.append(f"removed a paragraph guessed to be {piece.clutter.kind} "
                               f"(line {piece.line.number}): “{_opening(piece.text)}”")

    def _drop_comment(self, draft: Draft, piece: Piece) -> None:
        if piece.kind in (PROSE, HEADLINE):
            draft.notes.append(f"removed a paragraph guessed to be a reader's comment "
                               f"(line {piece.line.number}): “{_opening(piece.text)}”")

    # -- after the last line ----------------------------------------------------------------

    def _finish(self) -> None:
        parsed = self.parsed
        parsed.notes += self.pending.notes  # only left when no article took them
        for position, draft in enumerate(parsed.articles):
            drop_trailing_labels(draft)
            split_cut_run(draft, position, parsed)
        demote_teaser_cards(parsed)
        parsed.teasers.sort(key=lambda teaser: teaser.line)


def _opening(text: str, words: int = 10) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")
