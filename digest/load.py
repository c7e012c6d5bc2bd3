"""content/ → every item, validated against the model; every problem reported, none raised."""

from __future__ import annotations

import functools
import hashlib
import re
import time
from pathlib import Path
from typing import Callable

from . import uptodate
from .cache import Cache
from .config import Config
from .model import Article, Brief, Content, Entity, Incident, Page, Relation, Source, from_data, to_data
from .problems import Report, problem_from_data, problem_to_data
from .schema import Fields
from .source import ContentFile, SourceError, iter_files, load_yaml, read_content_file, read_text, symlink_problems
from .workers import parallel_map

ID_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,98}[a-z0-9])?$")
STATUSES = ("published", "draft")
ENTITY_TYPES = ("person", "organization", "country", "place")
INCIDENT_KINDS = ("expulsion", "arrest", "closure", "leak", "advisory", "investigation", "trial",
                  "sanction", "statement", "cyberattack", "sabotage", "defection", "other")
RELATION_TYPES = ("retaliation-for", "response-to", "follow-up", "same-case", "part-of")
ENTITIES_FILE = "entities.yaml"
# Device names Windows will not create as files or folders: a site with /articles/con/ cannot be
# copied to, or served from, a Windows machine.
WINDOWS_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))})
SYMLINK_PROBLEMS = {
    "outside": "symbolic link points outside content/; it is ignored",
    "nowhere": "symbolic link points to nothing; it is ignored",
    "loop": "symbolic link leads round in a loop; it is ignored",
}


def load_content(config: Config, report: Report, cache: Cache | None = None) -> Content:
    """Read and check every file under content/ (on both cores); the cache's items spare parsing
    a file again while its size, times and inode are those recorded with it."""
    content = Content()
    folder = config.content_dir
    links = symlink_problems(folder)
    for link, problem in links:
        report.error(link, 1, SYMLINK_PROBLEMS[problem])
    tables = [(content.articles, "articles", _article), (content.briefs, "briefs", _brief),
              (content.incidents, "incidents", _incident), (content.pages, "pages", _page)]
    files = [(table, path, make) for table, name, make in tables for path in iter_files(folder / name, ".md")]
    memory = _Memory(cache.items if cache is not None else {}, report)
    for (table, path, _), item in zip(files, memory.load_all([(path, make) for _, path, make in files])):
        _add(table, item, path, report)
    if cache is not None and memory.changed:
        cache.items_changed = True
    content.entities_path = folder / ENTITIES_FILE
    content.entities = {} if any(link == content.entities_path for link, _ in links) \
        else load_entities(content.entities_path, report)
    if not config.drafts:
        _drop_drafts(content)
    return content


class _Memory:
    """Parsed items remembered by file identity, with the problems they gave, kept in the cache."""

    def __init__(self, remembered: dict, report: Report):
        self.remembered, self.report = remembered, report
        self.changed = False
        self.started_ns = time.time_ns()

    def load_all(self, files: list[tuple[Path, Callable]]) -> list:
        """Each file's item, in order: remembered if its identity is unchanged, else read and
        checked (on both cores) and remembered; the problems reported in the files' order.
        The items of files no longer there are forgotten."""
        identities = [uptodate.metadata(path) for path, _ in files]
        found = [self._remembered(str(path), identity) for (path, _), identity in zip(files, identities)]
        stale = [index for index, entry in enumerate(found) if entry is None]

        def parse(number: int) -> tuple:
            path, make = files[stale[number]]
            local = Report(root=self.report.root)
            return _load_item(path, local, make), local.problems

        for index, parsed in zip(stale, parallel_map(parse, len(stale))):
            found[index] = parsed
            self._remember(str(files[index][0]), identities[index], *parsed)
        for key in set(self.remembered) - {str(path) for path, _ in files}:
            del self.remembered[key]
            self.changed = True
        for _, problems in found:
            self.report.problems.extend(problems)
        return [item for item, _ in found]

    def _remembered(self, key: str, identity: list[int] | None) -> tuple | None:
        """(item, problems) as remembered for a file of this identity, or None."""
        entry = self.remembered.get(key)
        if callable(entry):
            entry = entry()
        if identity is None or not isinstance(entry, dict) or entry.get("identity") != identity:
            return None
        try:
            return from_data(entry["item"]), [problem_from_data(p) for p in entry["problems"]]
        except (ValueError, TypeError, KeyError):
            return None  # not what we wrote: parse the file again

    def _remember(self, key: str, identity: list[int] | None, item, problems: list) -> None:
        self.remembered.pop(key, None)
        # A file changed just now could change again unseen (timestamps are coarse): parsed, never remembered.
        if identity is not None and uptodate.settled(identity, self.started_ns):
            # Made plain data only when the cache writes it, mostly by the forked copy that
            # writes it while the build goes on (cache.write_sources): 0.06 s at N = 5,000.
            self.remembered[key] = functools.partial(_entry, identity, item, problems)
        self.changed = True


def _entry(identity: list[int], item, problems: list) -> dict:
    """A remembered item as the cache keeps it: plain data."""
    return {"identity": identity, "item": to_data(item), "problems": [problem_to_data(p) for p in problems]}


def load_one(path: Path, kind: str, report: Report):
    """One content file of a kind ("article", …) read and checked afresh, or None."""
    return _load_item(path, report, {"article": _article, "brief": _brief, "incident": _incident, "page": _page}[kind])


def _add(table: dict, item, path: Path, report: Report) -> None:
    if item is None:
        return
    if item.id in table:
        report.error(path, 1, f"id `{item.id}` is also used by {table[item.id].path.name}")
        return
    table[item.id] = item


def _drop_drafts(content: Content) -> None:
    for table in (content.articles, content.briefs, content.incidents):
        for key in [key for key, item in table.items() if item.status == "draft"]:
            del table[key]


def _load_item(path: Path, report: Report, make):
    """Read one content file and build its item with `make`, or report why not."""
    item_id = path.stem
    if not ID_PATTERN.match(item_id):
        report.error(path, 1, f"file name `{path.name}` is not a safe id: use lowercase letters, digits "
                              f"and hyphens, e.g. `{suggest_id(item_id)}.md`")
        return None
    if item_id in WINDOWS_RESERVED:
        report.error(path, 1, f"`{item_id}` is a device name on Windows, which cannot hold a page of that name; "
                              f"rename the file, e.g. `{item_id}-1.md`")
        return None
    try:
        file = read_content_file(path)
    except SourceError as exc:
        report.error(path, exc.line, exc.message)
        return None
    if file.front.value is None:
        file.front.value = {}
    if not isinstance(file.front.value, dict):
        report.error(path, 2, "front matter should be `key: value` lines, not a list or a single value")
        return None
    fields = Fields(file.front, path, report)
    item = make(item_id, file, fields)
    fields.finish()
    # Kept even when a field was wrong: the build fails anyway, and references to it still resolve.
    return item


def _common(item_id: str, file: ContentFile, fields: Fields) -> dict:
    source = f"{file.path}\0{item_id}\0{file.body_line}\0{file.front.value!r}\0{file.body}"
    return dict(id=item_id, path=file.path, title=fields.text("title", required=True, default=""),
                body=file.body, body_line=file.body_line, lines=file.front.lines,
                source_hash=hashlib.sha256(source.encode()).hexdigest())


def _source(fields: Fields) -> Source:
    return Source(name=fields.text("name"), url=fields.url("url"), seed=fields.text("seed"),
                  seed_sha256=fields.text("seed_sha256"))


def _article(item_id: str, file: ContentFile, fields: Fields) -> Article:
    source = fields.section("source")
    article = Article(
        **_common(item_id, file, fields),
        subtitle=fields.text("subtitle"), date=fields.date("date"), author=fields.text("author"),
        source=_source(source), summary=fields.text("summary"), tags=fields.text_list("tags"),
        incidents=fields.text_list("incidents"), entities=fields.text_list("entities"),
        hide_entities=fields.text_list("hide_entities"),
        status=fields.choice("status", STATUSES, "published"),
        further_reading=fields.text_list("further_reading"), unsure=fields.text_list("unsure"),
    )
    source.finish()
    if fields.raw("date") is None and article.status == "published":
        fields.report.warning(file.path, fields.line("date"), "no date: the article is listed as undated")
    return article


def _brief(item_id: str, file: ContentFile, fields: Fields) -> Brief:
    source = fields.section("source")
    brief = Brief(
        **_common(item_id, file, fields),
        date=fields.date("date"), truncated=fields.boolean("truncated", False),
        found_with=fields.text("found_with"), source=_source(source), summary=fields.text("summary"),
        tags=fields.text_list("tags"), incidents=fields.text_list("incidents"),
        entities=fields.text_list("entities"), hide_entities=fields.text_list("hide_entities"),
        status=fields.choice("status", STATUSES, "published"), unsure=fields.text_list("unsure"),
    )
    source.finish()
    return brief


def _incident(item_id: str, file: ContentFile, fields: Fields) -> Incident:
    return Incident(
        **_common(item_id, file, fields),
        date=fields.date("date"), kind=fields.choice("kind", INCIDENT_KINDS, "other", required=True),
        places=fields.text_list("places"), actors=fields.text_list("actors"),
        summary=fields.text("summary"), tags=fields.text_list("tags"),
        relations=_relations(fields), status=fields.choice("status", STATUSES, "published"),
    )


def _relations(fields: Fields) -> tuple[Relation, ...]:
    """`relations:` is a list of one-key mappings: `- retaliation-for: incident-id`."""
    value = fields.raw("relations")
    if value is None:
        return ()
    if not isinstance(value, list):
        fields.error(("relations",), "`relations` should be a list of lines like `- response-to: incident-id`")
        return ()
    relations = []
    for index, entry in enumerate(value):
        line = fields.line("relations", index)
        if not (isinstance(entry, dict) and len(entry) == 1):
            fields.error(("relations", index), "each relation is one line like `- response-to: incident-id`")
            continue
        (kind, target), = entry.items()
        if kind not in RELATION_TYPES:
            fields.error(("relations", index), f"unknown relation `{kind}`; use one of: {', '.join(RELATION_TYPES)}")
        elif not isinstance(target, str) or not target.strip():
            fields.error(("relations", index), f"`{kind}` needs an incident id")
        else:
            relations.append(Relation(kind, target.strip(), line))
    return tuple(relations)


def _page(item_id: str, file: ContentFile, fields: Fields) -> Page:
    return Page(**_common(item_id, file, fields), summary=fields.text("summary"))


def load_entities(path: Path, report: Report) -> dict[str, Entity]:
    """content/entities.yaml: `id: {name, type, aliases, demonyms, description}` for each entity."""
    if not path.exists():
        return {}
    try:
        located = load_yaml(read_text(path))
    except SourceError as exc:
        report.error(path, exc.line, exc.message)
        return {}
    if located.value is None:
        return {}
    if not isinstance(located.value, dict):
        report.error(path, 1, "entities.yaml should map ids to entities (`nato: {name: NATO, …}`)")
        return {}
    for line, message in located.problems:  # duplicate ids and keys (Fields reports them only at the top)
        report.error(path, line, message)
    entities = {}
    for entity_id in located.value:
        fields = Fields(located, path, report, prefix=(entity_id,), what=f"entity `{entity_id}`")
        if not ID_PATTERN.match(str(entity_id)):
            fields.error((), f"`{entity_id}` is not a safe id: use lowercase letters, digits and hyphens")
            continue
        if entity_id in WINDOWS_RESERVED:
            fields.error((), f"`{entity_id}` is a device name on Windows, which cannot hold a page of that name; "
                             "choose another id")
            continue
        entities[entity_id] = Entity(
            id=entity_id, name=fields.text("name", required=True, default=entity_id),
            type=fields.choice("type", ENTITY_TYPES, "organization", required=True),
            aliases=fields.text_list("aliases"), demonyms=fields.text_list("demonyms"),
            description=fields.text("description"),
            line=located.line_of(entity_id),
        )
        fields.finish()
    return entities


def suggest_id(text: str) -> str:
    """A safe id made from any text: lowercase ASCII words joined by hyphens."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    return "-".join(words)[:100].strip("-") or "untitled"
