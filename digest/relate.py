"""Link the loaded items: check every reference, build tags, coverage, relations both ways.

Relations are stored as ids, never as object webs: `Links` holds plain dicts from an item's
key (`("article", "some-id")`) to the keys of the items it relates to.
"""

from __future__ import annotations

import hashlib
import heapq
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import chain

from .cache import stable_repr
from .config import RelatedWeights
from .entities import Gazetteer
from .model import Content, Incident
from .problems import Report
from .related import Features, Related, related_items, update_related
from .schema import did_you_mean
from .urls import slugify

# How a relation reads from the incident that declares it, and from the one it points at.
RELATION_WORDS = {
    "retaliation-for": ("retaliated for", "answered by"),
    "response-to": ("responded to", "answered by"),
    "follow-up": ("follows up", "followed up by"),
    "same-case": ("same case as", "same case as"),
    "part-of": ("part of", "includes"),
}


@dataclass(frozen=True)
class Tag:
    """A tag and everything filed under it."""

    name: str
    slug: str
    items: tuple = ()


@dataclass(frozen=True)
class RelationView:
    """One relation as seen from one incident's page."""

    wording: str
    type: str
    other: str
    declared_here: bool


@dataclass
class Links:
    """Everything derived from the content: indexes by id, both directions."""

    tags: dict[str, Tag] = field(default_factory=dict)
    coverage: dict[str, list] = field(default_factory=dict)
    briefs_with: dict[str, list[str]] = field(default_factory=dict)
    relations: dict[str, list[RelationView]] = field(default_factory=dict)
    mentions: dict[tuple, tuple[str, ...]] = field(default_factory=dict)
    mentioned_in: dict[str, list[tuple]] = field(default_factory=dict)
    companions: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    related: dict[tuple, list] = field(default_factory=dict)


def link(content: Content, report: Report, gazetteer: Gazetteer, found: dict[tuple, tuple[str, ...]],
         weights: RelatedWeights | None = None, memo: dict | None = None, earlier: Links | None = None) -> Links:
    """Check references between items and build the indexes the pages need; `found` holds the
    entities each item's body names (bodies.Body.mentions), by item key. What follows from the
    mentions alone is taken from `earlier` links (a relink's) when the mentions are the same."""
    check_references(content, report)
    for alias, ids in gazetteer.conflicts:
        report.warning(content.entities_path or "content/entities.yaml", 1,
                       f"`{alias}` names more than one entity ({', '.join(ids)}); it is not matched")
    links = Links(
        tags=collect_tags(content),
        coverage=collect_coverage(content),
        briefs_with=collect_briefs(content),
        relations=collect_relations(content),
        mentions=collect_mentions(content, gazetteer, found),
    )
    if earlier is not None and earlier.mentions == links.mentions:
        links.mentioned_in, links.companions = earlier.mentioned_in, earlier.companions
    else:
        links.mentioned_in = invert(links.mentions)
        links.companions = collect_companions(links.mentions, mentioned_in=links.mentioned_in)
    links.related = relate_items(content, links, weights or RelatedWeights(), memo if memo is not None else {})
    return links


def check_references(content: Content, report: Report) -> None:
    """Every id an editor typed must exist; a dangling one is an error at its line."""
    for item in list(content.articles.values()) + list(content.briefs.values()):
        _check_ids(item, "incidents", item.incidents, content.incidents, "incident", report)
        _check_ids(item, "entities", item.entities, content.entities, "entity", report)
        _check_ids(item, "hide_entities", item.hide_entities, content.entities, "entity", report)
    for brief in content.briefs.values():
        if brief.found_with and brief.found_with not in content.articles:
            report.error(brief.path, brief.line_of("found_with"), f"`found_with: {brief.found_with}` is not an article id")
    for incident in content.incidents.values():
        _check_ids(incident, "places", incident.places, content.entities, "entity", report)
        _check_ids(incident, "actors", incident.actors, content.entities, "entity", report)
        for relation in incident.relations:
            if relation.target == incident.id:
                report.error(incident.path, relation.line, "an incident cannot relate to itself")
            elif relation.target not in content.incidents:
                report.error(incident.path, relation.line, f"`{relation.type}: {relation.target}` is not an incident id"
                                                           + did_you_mean(relation.target, content.incidents, cutoff=0.6))


def _check_ids(item, key: str, ids, table: dict, what: str, report: Report) -> None:
    for index, ident in enumerate(ids):
        if ident not in table:
            report.error(item.path, item.line_of(key, index), f"unknown {what} `{ident}` in `{key}`" + did_you_mean(ident, table, cutoff=0.6))


def collect_mentions(content: Content, gazetteer: Gazetteer, found: dict) -> dict[tuple, tuple[str, ...]]:
    """Entities each item names: found in its title and text, plus the editor's additions and
    minus the editor's suppressions; for incidents also their actors and places."""
    mentions = {}
    for table in (content.articles, content.briefs, content.incidents):
        for item in table.values():
            named = gazetteer.entities_in(item.title) + list(found[(item.content_type, item.id)])
            if item.content_type == "incident":
                declared = list(item.actors) + list(item.places)
                hidden = ()
            else:
                declared, hidden = list(item.entities), item.hide_entities
            ids = [e for e in dict.fromkeys(declared + named) if e in content.entities and e not in hidden]
            mentions[(item.content_type, item.id)] = tuple(ids)
    return mentions


def invert(mentions: dict[tuple, tuple[str, ...]]) -> dict[str, list[tuple]]:
    """Entity id → keys of the items that mention it, in key order."""
    inverted: dict[str, list[tuple]] = defaultdict(list)
    for key in sorted(mentions):
        for entity_id in mentions[key]:
            inverted[entity_id].append(key)
    return dict(inverted)


def collect_companions(mentions: dict[tuple, tuple[str, ...]], limit: int = 8,
                       mentioned_in: dict[str, list[tuple]] | None = None) -> dict[str, list[tuple[str, int]]]:
    """Entity id → the entities it appears with most, with counts (pairs within each item only)."""
    inverted = invert(mentions) if mentioned_in is None else mentioned_in
    companions = {}
    # One entity's counts at a time, over the items that name it: the counter being filled stays
    # in the processor's cache (filling every entity's counter item by item was 4 × slower per
    # count on a large site).
    for entity_id, keys in inverted.items():
        counter = Counter(chain.from_iterable(mentions[key] for key in keys))
        del counter[entity_id]  # each item that names it counts it too: ids hold no repeats
        if counter:
            companions[entity_id] = heapq.nsmallest(limit, counter.items(), key=lambda pair: (-pair[1], pair[0]))
    return companions


def relate_items(content: Content, links: Links, weights: RelatedWeights, memo: dict) -> dict[tuple, list]:
    """Related items for every article and incident page (see digest/related.py for the score).

    The result depends only on the features below, so it is remembered in `memo` (kept by the
    cache) under a hash of them: a rebuild after a body edit that names no new entity reuses it."""
    features = []
    for table in (content.articles, content.incidents):
        for item in table.values():
            key = (item.content_type, item.id)
            incidents = frozenset([item.id]) if item.content_type == "incident" else frozenset(item.incidents)
            relations = {("incident", view.other): view.wording for view in links.relations.get(item.id, [])} \
                if item.content_type == "incident" else {}
            features.append(Features(key=key, day=item.date.ordinal() if item.date and item.date.precision == "day" else None,
                                     incidents=incidents, entities=frozenset(links.mentions.get(key, ())),
                                     tags=frozenset(slugify(t) for t in item.tags), relations=relations))
    names = {e.id: e.name for e in content.entities.values()}
    types = {e.id: e.type for e in content.entities.values()}
    tag_names = {slug: tag.name for slug, tag in links.tags.items()}
    rows = [_feature_row(f) for f in sorted(features, key=lambda f: f.key)]
    context = hashlib.sha256(repr([stable_repr(weights), sorted(names.items()), sorted(types.items())]).encode()).hexdigest()
    key = hashlib.sha256(repr([rows, context, sorted(tag_names.items())]).encode()).hexdigest()
    remembered = _from_memo(memo.get("items")) if memo.get("context") == context else None
    if remembered is not None and memo.get("key") == key:
        return remembered
    before = _features_from_memo(memo.get("features")) if remembered is not None else None
    names_before = memo.get("tag_names")
    related = None
    if before is not None and isinstance(names_before, dict):
        related = update_related(features, weights, names, types, tag_names, before, names_before, remembered)
    if related is None:
        related = related_items(features, weights, names, types, tag_names=tag_names)
    memo.clear()
    memo.update(key=key, context=context, tag_names=tag_names, features=[list(row) for row in rows],
                items={"\0".join(k): [["\0".join(r.key), r.score, list(r.reasons)] for r in v]
                       for k, v in related.items()})
    return related


def _feature_row(features: Features) -> tuple:
    """The features as plain sorted values: a frozenset's repr changes with each process's hash seed."""
    return (features.key, features.day, sorted(features.incidents), sorted(features.entities),
            sorted(features.tags), sorted(features.relations.items()))


def _from_memo(items) -> dict[tuple, list] | None:
    """Related lists back from the cache's plain form; None if it is malformed."""
    if not isinstance(items, dict):
        return None
    try:
        return {tuple(k.split("\0")): [Related(tuple(key.split("\0")), float(score), tuple(reasons))
                                        for key, score, reasons in entries]
                for k, entries in items.items()}
    except (TypeError, ValueError, AttributeError):
        return None


def _features_from_memo(rows) -> dict[tuple, Features] | None:
    """The features the remembered lists were computed from (see _feature_row); None if malformed."""
    if not isinstance(rows, list):
        return None
    try:
        features = {}
        for (kind, ident), day, incidents, entities, tags, relations in rows:
            if not (day is None or type(day) is int) or not all(type(x) is str for x in (kind, ident, *incidents, *entities, *tags)):
                return None
            features[(kind, ident)] = Features((kind, ident), day, frozenset(incidents), frozenset(entities), frozenset(tags),
                                               {tuple(other): str(wording) for other, wording in relations})
        return features
    except (TypeError, ValueError):
        return None


def collect_tags(content: Content) -> dict[str, Tag]:
    """Tags by slug; spellings that differ only in case or accents are one tag."""
    names: dict[str, str] = {}
    members: dict[str, list] = defaultdict(list)
    for table in (content.articles, content.briefs, content.incidents):
        for item in table.values():
            for name in dict.fromkeys(item.tags):
                slug = slugify(name)
                names.setdefault(slug, name)
                members[slug].append((item.content_type, item.id))
    return {slug: Tag(names[slug], slug, tuple(members[slug])) for slug in sorted(members)}


def collect_coverage(content: Content) -> dict[str, list]:
    """Incident id → keys of the articles and briefs that say they cover it."""
    coverage: dict[str, list] = defaultdict(list)
    for table in (content.articles, content.briefs):
        for item in table.values():
            for incident_id in dict.fromkeys(item.incidents):
                if incident_id in content.incidents:
                    coverage[incident_id].append((item.content_type, item.id))
    return dict(coverage)


def collect_briefs(content: Content) -> dict[str, list[str]]:
    """Article id → ids of the briefs found with it."""
    found: dict[str, list[str]] = defaultdict(list)
    for brief in content.briefs.values():
        if brief.found_with in content.articles:
            found[brief.found_with].append(brief.id)
    return dict(found)


def collect_relations(content: Content) -> dict[str, list[RelationView]]:
    """Each relation shows on both incidents, worded for each side; duplicates collapse."""
    views: dict[str, dict] = defaultdict(dict)
    for incident in content.incidents.values():
        for relation in incident.relations:
            if relation.target not in content.incidents or relation.target == incident.id:
                continue
            forward, backward = RELATION_WORDS[relation.type]
            views[incident.id].setdefault((relation.type, relation.target), RelationView(forward, relation.type, relation.target, True))
            views[relation.target].setdefault((relation.type, incident.id), RelationView(backward, relation.type, incident.id, False))
    return {ident: sorted(table.values(), key=lambda v: _relation_order(v, content.incidents)) for ident, table in views.items()}


def _relation_order(view: RelationView, incidents: dict[str, Incident]) -> tuple:
    other = incidents[view.other]
    return (other.date is None, other.date.ordinal() if other.date else 0, other.id)
