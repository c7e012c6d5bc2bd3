"""Markdown → HTML with markdown-it-py: raw HTML escaped, notes, side notes, checked id links.

Syntax the editor can use beyond CommonMark:
- tables and ~~strikethrough~~ (GFM);
- footnotes `[^1]` … `[^1]: text`, shown as side notes on wide screens and notes below on narrow;
- note blocks `::: context` … `:::` (kinds in NOTE_KINDS), rendered as labelled asides;
- links by id: `[text](incident:id)`, `article:`, `brief:`, `entity:`, `tag:`, `page:` — checked
  at build time; a missing id is an error at the link's line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape
from typing import Callable

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token
from mdit_py_plugins.container import container_plugin
from mdit_py_plugins.footnote import footnote_plugin

NOTE_KINDS = {"context": "Context", "known": "What we know", "unclear": "Unclear",
              "correction": "Correction", "note": "Note"}
ID_SCHEMES = ("article", "brief", "incident", "entity", "tag", "page")
SAFE_SCHEMES = ("http", "https", "mailto") + ID_SCHEMES
# Ids the page layout uses itself; a heading may not take them. Besides these exact ids, the
# layouts name sections `<name>-title` and groups `site-…`, `entity-…`, `type-…`, `year-…`; the
# preview adds `digest-…`. A heading never gets an id of those shapes either.
RESERVED_IDS = {"main", "top", "content", "site-header", "site-nav", "site-footer", "search",
                "footnotes", "related", "incidents", "coverage", "title", "meta", "skip", "undated"}
_LAYOUT_ID_FAMILY = re.compile(r"^(?:site|entity|type|year|digest)-")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")

Resolver = Callable[[str, str], "str | None"]


@dataclass
class Rendered:
    """A body rendered to HTML, its plain text, and the problems found (line within the file)."""

    html: str
    text: str = ""
    problems: list[tuple[int, str]] = field(default_factory=list)


def _validate_link(url: str) -> bool:
    """Allow only http(s), mailto, our id schemes and scheme-less links; no javascript: et al."""
    match = _SCHEME.match(url.strip())
    return match is None or match.group(1).lower() in SAFE_SCHEMES


def _note_render(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    if token.nesting == -1:
        return "</div></aside>\n"
    kind = token.info.strip().split(" ", 1)[0].lower()
    label = NOTE_KINDS.get(kind)
    if label is None:
        line = env["body_line"] + (token.map[0] if token.map else 0)
        env["problems"].append((line, f"unknown note kind `::: {kind}`; use one of: {', '.join(NOTE_KINDS)}"))
        label, kind = "Note", "note"
    return (f'<aside class="note note-{kind}" aria-label="{escape(label)}">'
            f'<p class="note-label">{escape(label)}</p><div class="note-body">\n')


def _heading_ids(state) -> None:
    """Give every heading a safe, unique id that no layout id or footnote id can clash with."""
    used = set(RESERVED_IDS)
    next_number: dict[str, int] = {}  # per base, so that a thousand equal headings stay linear
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        text = "".join(child.content for child in tokens[index + 1].children or [] if child.type in ("text", "code_inline"))
        base = re.sub(r"[^\w]+", "-", text.lower(), flags=re.UNICODE).strip("-_")[:60] or "section"
        if base[0].isdigit() or re.match(r"^fn(ref)?\d", base) or _LAYOUT_ID_FAMILY.match(base):
            base = "s-" + base
        number = next_number.get(base, 1)
        candidate = base if number == 1 else f"{base}-{number}"
        while candidate in used or candidate.endswith("-title"):
            number += 1
            candidate = f"{base}-{number}"
        next_number[base] = number
        used.add(candidate)
        token.attrSet("id", candidate)


def _id_links(state) -> None:
    """Resolve `kind:id` links to site URLs; report the ones that point at nothing."""
    env = state.env
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        line = env["body_line"] + (block.map[0] if block.map else 0)
        for token in block.children:
            if token.type not in ("link_open", "image"):
                continue
            attr = "href" if token.type == "link_open" else "src"
            target = str(token.attrGet(attr) or "")
            match = _SCHEME.match(target)
            if not match or match.group(1).lower() not in ID_SCHEMES:
                continue
            kind, ident = match.group(1).lower(), target[match.end():]
            url = env["resolve"](kind, ident)
            if url is None:
                env["problems"].append((line, f"link to unknown {kind} `{ident}`"))
                url = "#"
            token.attrSet(attr, url)


def _entity_links(state) -> None:
    """Link the first mention of each entity in the body to its page (not in headings or links)."""
    env = state.env
    gazetteer, entity_url = env.get("gazetteer"), env.get("entity_url")
    if gazetteer is None:
        return
    done = set(env.get("hidden_entities", ()))
    tokens = state.tokens
    for index, block in enumerate(tokens):
        if block.type != "inline" or not block.children or (index and tokens[index - 1].type == "heading_open"):
            continue
        block.children = _link_children(block.children, gazetteer, entity_url, done, state)


def _link_children(children, gazetteer, entity_url, done: set, state) -> list:
    """Split text tokens around first mentions; text already inside a link is left alone."""
    result, link_depth = [], 0
    for token in children:
        link_depth += {"link_open": 1, "link_close": -1}.get(token.type, 0)
        if token.type != "text" or link_depth or not token.content:
            result.append(token)
            continue
        position = 0
        for mention in gazetteer.find(token.content):
            if mention.entity in done:
                continue
            done.add(mention.entity)
            result.append(_text(state, token.content[position:mention.start]))
            # One token for the whole link (rendered by _entity_link): tens of thousands per build.
            link = Token("entity_link", "a", 0, content=mention.surface)
            link.attrs = {"href": entity_url(mention.entity)}
            result.append(link)
            position = mention.end
        result.append(_text(state, token.content[position:]) if position else token)
    return [t for t in result if not (t.type == "text" and not t.content)]


def _text(state, content: str):
    return Token("text", "", 0, content=content)


def _entity_link(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    return f'<a href="{escapeHtml(token.attrs["href"])}" class="entity-link">{escapeHtml(token.content)}</a>'


def _unlinked(children: list) -> list:
    """Inline tokens with their links taken out, the linked text kept."""
    return [_text(None, child.content) if child.type == "entity_link" else child
            for child in children if child.type not in ("link_open", "link_close")]


def _side_notes(state) -> None:
    """Keep each footnote's text (inline part) so its reference can also show it as a side note."""
    notes, current = {}, None
    for token in state.tokens:
        if token.type == "footnote_open":
            current = token.meta["id"]
            notes[current] = []
        elif token.type == "footnote_close":
            current = None
        elif current is not None and token.type == "inline":
            notes[current].append(token)
    state.env["side_notes"] = notes


def _footnote_ref(self, tokens, idx, options, env) -> str:
    token = tokens[idx]
    number = token.meta["id"] + 1
    ref_id = f"fnref{number}" + (f":{token.meta['subId']}" if token.meta.get("subId", -1) > 0 else "")
    html = f'<sup class="footnote-ref"><a href="#fn{number}" id="{ref_id}">[{number}]</a></sup>'
    inlines = env.get("side_notes", {}).get(token.meta["id"], [])
    if inlines and token.meta.get("subId", -1) <= 0:
        # Links are dropped from the copy: focusable content must not sit inside aria-hidden.
        text = " ".join(self.renderInline(_unlinked(inline.children), options, env) for inline in inlines)
        # The list of notes below stays the accessible copy; the side note is visual only.
        html += f'<span class="sidenote" aria-hidden="true"><span class="sidenote-number">{number}</span> {text}</span>'
    return html


def _footnote_block_open(self, tokens, idx, options, env) -> str:
    return '<section class="footnotes" aria-label="Notes">\n<h2 class="footnotes-title">Notes</h2>\n<ol class="footnotes-list">\n'


def _normalize(state) -> None:
    """markdown-it's own first rule, without rewriting every line break of every body: CR LF
    and lone CR become LF, NUL becomes U+FFFD (the reader has mostly done both already)."""
    src = state.src
    if "\r" in src:
        src = src.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in src:
        src = src.replace("\0", "\ufffd")
    state.src = src


def make_parser() -> MarkdownIt:
    """The one configured parser: CommonMark without raw HTML, plus our plugins."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = _validate_link
    md.core.ruler.at("normalize", _normalize)
    md.use(footnote_plugin)
    md.use(container_plugin, name="note", validate=lambda params, *args: bool(params.strip()), render=_note_render)
    md.core.ruler.push("heading_ids", _heading_ids)
    md.core.ruler.push("id_links", _id_links)
    md.core.ruler.push("entity_links", _entity_links)
    md.core.ruler.push("side_notes", _side_notes)
    md.add_render_rule("footnote_ref", _footnote_ref)
    md.add_render_rule("footnote_block_open", _footnote_block_open)
    md.add_render_rule("entity_link", _entity_link)
    return md


_PARSER: MarkdownIt | None = None


def _parser() -> MarkdownIt:
    global _PARSER
    if _PARSER is None:
        _PARSER = make_parser()
    return _PARSER


def render_markdown(text: str, body_line: int, resolve: Resolver, gazetteer=None,
                    hidden_entities=()) -> Rendered:
    """Render a body; `resolve(kind, id)` gives the URL of an item or None if it does not exist.
    With a gazetteer, the first mention of each entity (except hidden ones) links to its page."""
    md = _parser()
    env = {"body_line": body_line, "resolve": resolve, "problems": [],
           "gazetteer": gazetteer, "entity_url": lambda ident: resolve("entity", ident),
           "hidden_entities": hidden_entities}
    tokens = md.parse(text, env)
    html = md.renderer.render(tokens, md.options, env)
    return Rendered(html, _words(tokens), env["problems"])


def plain_text(text: str) -> str:
    """The words of a Markdown body without markup, for summaries and feeds."""
    env = {"body_line": 1, "resolve": lambda kind, ident: "#", "problems": []}
    return _words(_parser().parse(text, env))


def _words(tokens) -> str:
    """The text of parsed tokens, footnotes left out, whitespace collapsed; a line break
    between two words keeps them apart ("Russia\nexpelled" is two words, not one)."""
    words, in_notes = [], False
    for block in tokens:
        in_notes = (in_notes or block.type == "footnote_block_open") and block.type != "footnote_block_close"
        if block.type == "inline" and not in_notes:
            words.append("".join(_BREAKS.get(child.type, child.content) for child in block.children or []
                                 if child.type in _WORD_TOKENS))
    return " ".join(" ".join(words).split())


_WORD_TOKENS = frozenset({"text", "code_inline", "entity_link", "softbreak", "hardbreak"})
_BREAKS = {"softbreak": " ", "hardbreak": " "}
