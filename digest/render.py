"""Render the plan: Markdown bodies once each, then every page through its Jinja layout."""

from __future__ import annotations

import functools
import json
import marshal
import os
from html import escape as html_escape
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType, SimpleNamespace

import jinja2
import jinja2.bccache
import jinja2.compiler
from markupsafe import Markup
from markupsafe import _escape_inner as escape_text  # the C half of markupsafe.escape

from .cache import code_version, read_framed, write_framed
from .config import Config
from .model import Content, Item, PartialDate
from .plan import PagePlan, lookup
from .problems import Report
from .reads import EVERYTHING, SOURCE_FIELDS, Reads, watched_bodies, watched_content
from .relate import Links
from .urls import Urls

EXCERPT_WORDS = 45


@dataclass(repr=False)  # printed, `site` must not show every body unseen
class Site:
    """What every layout can see as `site`: the config, the content, the links, the bodies.

    `content` and `bodies` are plain for the build's own code; layouts get `shown`'s, which
    note each item and body they read (reads.py)."""

    config: Config
    content: Content
    links: Links
    urls: Urls
    bodies: dict
    build_date: str | None = None
    reads: Reads = field(default_factory=Reads)

    def __post_init__(self):
        self.shown = SimpleNamespace(bodies=watched_bodies(self.bodies, self.reads),
                                     content=watched_content(self.content, self.reads))

    def get(self, key: tuple):
        self.reads.note_item("item", key)
        return lookup(self.content, key)

    def excerpt(self, item, words: int = EXCERPT_WORDS) -> str:
        """The editor's summary, or else the first words of the body, marked as cut with an ellipsis."""
        if getattr(item, "summary", None):
            return item.summary
        key = (item.content_type, item.id)
        self.reads.note(f"excerpt|{key[0]}|{key[1]}|{words}")
        return excerpt_of(item, self.bodies.get(key), words)


def excerpt_of(item, body, words: int = EXCERPT_WORDS) -> str:
    """An item's summary, or else its body's first words, marked as cut with an ellipsis."""
    if getattr(item, "summary", None):
        return item.summary
    text = body.text.split() if body else []
    return " ".join(text[:words]) + (" …" if len(text) > words else "")


class _WatchingEnvironment(jinja2.Environment):
    """Jinja's attribute and item lookups, noting the reads a page's fingerprint must cover:
    `site.bodies` and `site.content` (handed out watched), an item's file (reads.py)."""

    site: Site

    def make_globals(self, d):
        """A layout's globals as one plain dict, not Jinja's ChainMap over the environment's:
        they are copied into a new context for every page, include and card (tens of thousands
        per build), and a ChainMap is copied key by key in Python. The build sets every global
        before it loads a layout and never changes one after (reset_cards empties the cards)."""
        return {**self.globals, **(d or {})}

    def getattr(self, obj, attribute):
        # Jinja's own getattr, inlined: this runs for every `a.b` of every page.
        if attribute in _WATCHED or attribute.startswith("_"):
            obj = self._watch(obj, attribute)
        try:
            return getattr(obj, attribute)
        except AttributeError:
            pass
        try:
            return obj[attribute]
        except (TypeError, LookupError, AttributeError):
            return self.undefined(obj=obj, name=attribute)

    def getitem(self, obj, argument):
        if isinstance(argument, str) and (argument in _WATCHED or argument.startswith("_")):
            obj = self._watch(obj, argument)
        return super().getitem(obj, argument)

    def _watch(self, obj, name: str):
        """Note the read; for `site.bodies` and `site.content`, hand out the watched ones."""
        if isinstance(obj, Item) and (name in SOURCE_FIELDS or name.startswith("_")):
            self.site.reads.note_item("source", (obj.content_type, obj.id))
        elif isinstance(obj, Site):
            if name in ("bodies", "content"):
                return obj.shown
            if name.startswith("_"):  # `site.__dict__` and the like: everything, unwatched
                for token in EVERYTHING:
                    obj.reads.note(token)
        return obj


_WATCHED = frozenset({*SOURCE_FIELDS, "bodies", "content"})


def make_environment(config: Config, site: Site) -> jinja2.Environment:
    """The Jinja environment: layouts/ as loader, autoescape, StrictUndefined, our helpers."""
    env = _WatchingEnvironment(
        loader=jinja2.FileSystemLoader(str(config.layouts_dir)),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=_bytecode_cache(config),
        auto_reload=False,  # one environment per build: no need to stat every layout for every page
    )
    env.site = site
    urls = site.urls
    env.globals.update(site=site, config=config)
    env.globals.update({name: _Helper(function) for name, function in {
        "url": lambda path: urls.href(path),
        "abs_url": lambda path: urls.absolute(path),
        "item_url": lambda item: urls.href(urls.item(item.content_type, item.id)),
        "item_path": lambda item: urls.item(item.content_type, item.id),
        "tag_url": lambda name: urls.href(urls.tag(name)),
        "get": site.get,
    }.items()})
    env.globals["card"] = _card_renderer(env)
    env.filters.update(human_date=_human_date, iso_date=_iso_date, excerpt=site.excerpt, json_script=json_script,
                       plural=_plural, atom_date=_atom_date, xml_text=_xml_text,
                       news_article_json=lambda item, url: news_article_json(item, url, site.excerpt(item)))
    return env


def _card_renderer(env: _WatchingEnvironment):
    """`card(item)`: partials/card.html for one item, rendered once per build and reused on
    every listing that shows the item (tag, home, briefs and incident pages), with what it read."""
    cards: dict = {}
    reads = env.site.reads

    def card(item) -> Markup:
        key = (item.content_type, item.id)
        if key not in cards:
            with reads.collecting() as read:
                html = Markup(env.get_template("partials/card.html").render(item=item))
            cards[key] = (html, frozenset(read))
        html, read = cards[key]
        for token in read:
            reads.note(token)
        return html

    helper = _Helper(card)
    helper.forget = cards.clear
    return helper


def reset_cards(env: jinja2.Environment) -> None:
    """Forget the cards rendered so far (a body they showed has changed)."""
    env.globals["card"].forget()


class _Helper(functools.partial):
    """One of the build's own functions for layouts (`url(…)`, `get(…)`, `card(…)`, …): it never
    takes the context, so `_Context` calls it directly."""


class _Context(jinja2.runtime.Context):
    """Jinja's context, calling our helpers without first asking what each callable wants passed
    (the context, the environment…): that asking was two thirds of the cost of each of the half
    a million calls the layouts make at N = 5,000."""

    def call(__self, __obj, *args, **kwargs):
        if type(__obj) is not _Helper:
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_loop_vars", None)  # what Jinja adds for callables that take the context
        kwargs.pop("_block_vars", None)
        return __obj(*args, **kwargs)


_WatchingEnvironment.context_class = _Context


def escaped(value) -> str:
    """markupsafe.escape's text, as plain str: what a page prints of `{{ value }}`."""
    if type(value) is str:
        return escape_text(value)
    html = getattr(value, "__html__", None)
    return html() if html is not None else escape_text(str(value))


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's code generator, printing `{{ value }}` through `escaped` where Jinja calls
    markupsafe.escape: a printed value only joins the page's text, so the Markup that escape
    makes of it (a Python-level constructor, a million times at N = 5,000) was made for nothing.
    Blocks, macros and `{% set %}` blocks mark their joined text safe themselves, as before.
    The method is Jinja's own, not public (Jinja2 is pinned): were it gone, pages would print
    the same, only slower; tests/test_render.py holds the output to markupsafe.escape's."""

    def _output_child_pre(self, node, frame, finalize) -> None:
        if frame.eval_ctx.volatile:
            self.write("(environment.escaped if context.eval_ctx.autoescape else str)(")
        elif frame.eval_ctx.autoescape:
            self.write("environment.escaped(")
        else:
            self.write("str(")
        if finalize.src is not None:
            self.write(finalize.src)


_WatchingEnvironment.code_generator_class = _CodeGenerator
_WatchingEnvironment.escaped = staticmethod(escaped)


def _bytecode_cache(config: Config) -> jinja2.BytecodeCache | None:
    """Compiled layouts kept in .digest-cache/layouts/ (see _CheckedBytecodeCache)."""
    folder = config.root / ".digest-cache" / "layouts"
    try:
        if folder.is_symlink():
            folder.unlink()  # a link out of the cache folder is not followed (see output.build_lock)
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return _CheckedBytecodeCache(folder)


class _CheckedBytecodeCache(jinja2.BytecodeCache):
    """Each layout's compiled code in a file framed as the cache files are (cache.py: magic,
    SHA-256, marshal), with the version of the code and libraries and the layout source's
    checksum. A damaged, foreign or outdated file is ignored, and the layout compiled afresh.
    Jinja's own FileSystemBytecodeCache unpickles each file's header and loads its code unchecked:
    a flipped byte stopped a build with a traceback, or changed what a page printed."""

    def __init__(self, folder: Path):
        self.folder = folder

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        payload = read_framed(self._path(bucket))
        if payload is None:
            return
        try:
            version, checksum, code = marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            return
        if version == code_version() and checksum == bucket.checksum and isinstance(code, CodeType):
            bucket.code = code

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        path = self._path(bucket)
        # Workers compile the layouts they include on their own: a temporary file each.
        write_framed(path, marshal.dumps((code_version(), bucket.checksum, bucket.code)),
                     path.with_name(f".{path.name}.{os.getpid()}.tmp"))

    def _path(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.folder / f"{bucket.key}.code"


def preload_layouts(env: jinja2.Environment, pages: list[PagePlan], report: Report) -> None:
    """Compile every layout the plan uses once, before rendering (and before forking workers)."""
    for layout in sorted({page.layout for page in pages}):
        try:
            env.get_template(layout)
        except jinja2.TemplateSyntaxError as exc:
            report.error(_layout_path(env, exc.name or layout), exc.lineno or 1, f"template syntax: {exc.message}")
        except jinja2.TemplateNotFound as exc:
            report.error(_layout_path(env, layout), 1, f"layout not found: {exc.name}")
        except UnicodeDecodeError as exc:
            report.error(_layout_path(env, layout), 1, f"not valid UTF-8 (byte 0x{exc.object[exc.start]:02x}); save the layout as UTF-8")
        except OSError as exc:
            report.error(_layout_path(env, layout), 1, f"cannot read the layout: {exc.strerror or exc}")


def render_page(env: jinja2.Environment, page: PagePlan, report: Report) -> bytes | None:
    """One page's bytes, or None with the template's file and line reported."""
    try:
        template = env.get_template(page.layout)
        return template.render(page=page.context, page_path=page.path).encode("utf-8")
    except jinja2.TemplateSyntaxError as exc:
        report.error(_layout_path(env, exc.name or page.layout), exc.lineno or 1, f"template syntax: {exc.message}")
    except jinja2.TemplateNotFound as exc:
        report.error(_layout_path(env, page.layout), 1, f"layout not found: {exc.name}")
    except (jinja2.TemplateError, ArithmeticError, TypeError, ValueError, LookupError, AttributeError,
            RecursionError, UnicodeError, OSError) as exc:
        # Whatever a layout can raise is the layout author's error: report its file and line.
        name, line = _template_frame(exc, page.layout)
        what = str(exc) if isinstance(exc, jinja2.TemplateError) else f"{type(exc).__name__}: {exc}"
        report.error(_layout_path(env, name), line, f"while rendering {page.path}: {what}")
    return None


def _template_frame(exc: BaseException, default: str) -> tuple[str, int]:
    """The innermost template file and line in a traceback (Jinja maps them back for us)."""
    found = (default, 1)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".txt")):
            found = (Path(frame.filename).name if "/" in frame.filename else frame.filename, frame.lineno or 1)
    return found


def _layout_path(env: jinja2.Environment, name: str) -> str:
    searchpath = env.loader.searchpath[0] if isinstance(env.loader, jinja2.FileSystemLoader) else "layouts"
    candidates = list(Path(searchpath).rglob(Path(name).name))
    return str(candidates[0]) if candidates else str(Path(searchpath) / name)


def json_script(value) -> Markup:
    """JSON safe inside <script>: no `</script>`, `<!--` or U+2028 can break out."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)


def news_article_json(item, url: str, summary: str | None) -> Markup:
    """schema.org NewsArticle for an article page; unknown fields are left out, not invented."""
    data = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": item.title,
            "url": url, "mainEntityOfPage": url}
    if item.date:
        data["datePublished"] = item.date.iso()
    if item.author:
        data["author"] = {"@type": "Person", "name": item.author}
    if item.source.name:
        data["publisher"] = {"@type": "Organization", "name": item.source.name}
    if item.tags:
        data["keywords"] = list(item.tags)
    if summary:
        data["description"] = summary
    return json_script(data)


def _human_date(date: PartialDate | None, unknown: str = "Date unknown") -> str:
    return date.human() if date else unknown


def _iso_date(date: PartialDate | None) -> str:
    return date.iso() if date else ""


def _atom_date(date: PartialDate | None) -> str:
    """An RFC 3339 timestamp for a feed: the first day of the known period (1970 for an empty feed)."""
    if date is None:
        return "1970-01-01T00:00:00Z"
    return f"{date.year:04d}-{date.month or 1:02d}-{date.day or 1:02d}T00:00:00Z"


def _xml_text(html) -> Markup:
    """Already-safe HTML escaped once more, to sit as text inside an XML element."""
    return Markup(html_escape(str(getattr(html, "html", html))))


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"
