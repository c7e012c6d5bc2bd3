"""Related items for article and incident pages, ranked by a score and explained in words.

The score of b as related to a is symmetric (the same seen from either side):

    score = relation                                if a relation between a and b is declared
          + same_incident × (number of incidents both cover)
          + entity × Σ over shared entities of kind(e) × rarity(e)
          + tag    × Σ over shared tags of rarity(t)
          + time   × exp(−|days apart| / time_scale_days)
                     only if both are dated and the terms above add up to more than zero

    kind(e)   = 1.5 for a person, 1.0 for an organization, 0.7 for a country or place, else 1.0
    rarity(x) = 0                          if x is on more than rarity_cutoff × N items
              = 1                          if x is on only 2 items (the fewest a shared x can be on)
              = log(N / df) / log(N / 2)   otherwise; df = items with x, N = all items

So each weight is what one shared thing is worth when only these two items have it, falling to
zero as it becomes common: an entity on every page says little. Time alone never relates two
items, and neither does sharing nothing (even with a threshold of 0). The list for a holds every
item with a declared relation first, whatever its score, then the others with score ≥ threshold,
by score (highest first) then key; at most `limit` in all.
Scores are rounded to 3 decimals, summed with math.fsum so that no order can change them.

No pair is compared unless it could qualify. Inverted indexes (incident, entity, tag → items,
also sorted by date) give the candidates. Each item takes its things cheapest first; a pair
whose dearest shared thing is the m-th scores at most the sum of the first m plus the time
term, so the m-th thing's items are read only within the days that time term needs: all of
them once that sum alone reaches the threshold, none if even same-day time cannot make up the
rest. Common things add little, so their long lists are read in a narrow window of days or
not at all. The result is exact. Reasons are worded only for the items that make a list.

After an edit, `update_related` starts from the lists computed before and computes again only
those that can differ (tests/test_related.py checks it against a computation from scratch).
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict
from dataclasses import dataclass

from .config import RelatedWeights
from .workers import parallel_map

KIND_FACTOR = {"person": 1.5, "organization": 1.0, "country": 0.7, "place": 0.7}
NAMES_SHOWN = 3
DIGITS = 3
_MARGIN = 10 ** -DIGITS  # a score a hair below the threshold may still round up to it
# From this many items on, candidates come from a sparse matrix product (digest/related_matrix.py).
MATRIX_MIN = 1000
_FIELDS = (("incidents", "i"), ("entities", "e"), ("tags", "t"))
# Above this share of lists to compute again after an edit, update_related leaves it to related_items.
STALE_SHARE_MAX = 0.25


@dataclass(frozen=True)
class Features:
    """What relatedness is computed from, for one article, brief or incident."""

    key: tuple
    day: int | None
    incidents: frozenset[str]
    entities: frozenset[str]
    tags: frozenset[str]
    relations: dict


@dataclass(frozen=True, repr=False)
class Related:
    """One related item, its score and the reasons in words."""

    key: tuple
    score: float
    reasons: tuple[str, ...]

    def __repr__(self) -> str:
        # The dataclass's own text without its guard against cycles (a Related holds none):
        # every item's digest prints its related list (depend.py), tens of thousands of these.
        return f"Related(key={self.key!r}, score={self.score!r}, reasons={self.reasons!r})"


@dataclass(frozen=True)
class _Index:
    """What the scoring needs, computed once; items are referred to by position in key order."""

    weights: RelatedWeights
    items: list[Features]
    value: dict[str, float]  # token ("i:an-incident", "e:nato", "t:spy-swap") → what sharing it adds
    own: list[dict[str, float]]  # position → its tokens that add something → their value
    bags: list[frozenset[str]]  # position → the same tokens, as a set
    holders: dict[str, frozenset[int]]  # token → positions of the items that have it
    postings: dict[str, tuple]  # token → (holders ascending, dated holders' days ascending, those holders)
    declared: dict[int, set[int]]  # position i → positions j > i with a relation declared on either side
    labels: dict[str, tuple]  # token → (kind, −value, folded name, id, name): sorts as reasons list them


def related_items(items: list[Features], weights: RelatedWeights, entity_names: dict[str, str],
                  entity_types: dict[str, str], tag_names: dict[str, str] | None = None) -> dict[tuple, list[Related]]:
    """Every item's key → its related items, best first (see the module docstring for the score)."""
    index = _index(items, weights, entity_types, {"e": entity_names, "t": tag_names or {}})
    if len(index.items) >= MATRIX_MIN:
        return _related_matrix(index)
    ranked = _ranked_pairwise(index)
    return {item.key: _best(i, ranked.get(i, []), index) for i, item in enumerate(index.items)}


def _best(i: int, ranked: list, index: _Index) -> list[Related]:
    """Item i's list from its (not declared, −score, key, position, timed) rows: best first, with reasons."""
    best = sorted(ranked)[:max(index.weights.limit, 0)]
    return [Related(other, -score, _reasons(i, j, index, not undeclared, timed))
            for undeclared, score, other, j, timed in best]


def _ranked_pairwise(index: _Index) -> dict[int, list]:
    """Position → (not declared, −score, key, position, timed) of every pair that qualifies."""
    keys = [item.key for item in index.items]
    ranked: dict[int, list] = defaultdict(list)

    def pairs_from(i: int) -> list:
        return [(j, scored) for j in _candidates_of(i, index) if (scored := _score_pair(i, j, index))]

    # Each item looks for its pairs on its own, so the items are spread over the cores.
    for i, found in enumerate(parallel_map(pairs_from, len(keys))):
        for j, (score, declared, timed) in found:
            ranked[i].append((not declared, -score, keys[j], j, timed))
            ranked[j].append((not declared, -score, keys[i], i, timed))
    return ranked


def _related_matrix(index: _Index) -> dict[tuple, list[Related]]:
    """Like the pairwise method, but scoring only the pairs that can make each list (digest/related_matrix.py)."""
    from .related_matrix import Matrix

    keys = [item.key for item in index.items]
    matrix = Matrix(index)
    blocks = matrix.blocks()

    def lists_of(block: int) -> list:
        lists = []
        for i, others in matrix.candidates(blocks[block], index.weights).items():
            scored = ((j, _score_pair(min(i, j), max(i, j), index)) for j in others)
            rows = [(not declared, -score, keys[j], j, timed)
                    for j, result in scored if result for score, declared, timed in [result]]
            lists.append((keys[i], _best(i, rows, index)))
        return lists

    # Blocks of rows are independent, so they are spread over the cores, reasons and all.
    return dict(pair for part in parallel_map(lists_of, len(blocks), minimum=2) for pair in part)


def update_related(items: list[Features], weights: RelatedWeights, entity_names: dict[str, str],
                   entity_types: dict[str, str], tag_names: dict[str, str], before: dict[tuple, Features],
                   names_before: dict[str, str], lists: dict[tuple, list[Related]]) -> dict[tuple, list[Related]] | None:
    """`related_items` for the same items after some of them changed, from the lists computed
    for `before` (with the same weights and entity names and types): only the lists that can
    differ are computed again. None when the set of items changed (every rarity changes then).

    A pair's score and reasons change only through what its items share: so the lists to
    compute again are the changed items' own, and those of every item holding something that
    a changed item took or dropped (its value moved with how many items hold it), or that is
    named differently now; when a changed item's day or declared relations changed, those of
    everything it shares anything of value with or is declared with. None also when so many
    lists would be computed again that computing them all is quicker."""
    if before.keys() != lists.keys() or {item.key for item in items} != before.keys():
        return None
    index = _index(items, weights, entity_types, {"e": entity_names, "t": tag_names})
    stale = _stale_rows(index, before, names_before, tag_names)
    if len(stale) > len(index.items) * STALE_SHARE_MAX:
        return None  # one row at a time on one core would be slower than all of them afresh
    partners = declared_partners(index)
    updated = dict(lists)
    for i in sorted(stale):
        updated[index.items[i].key] = _row(i, index, partners.get(i, set()))
    return updated


def _stale_rows(index: _Index, before: dict[tuple, Features], names_before: dict, tag_names: dict) -> set[int]:
    """Positions of the items whose lists may differ from `before`'s (see update_related)."""
    stale: set[int] = set()
    moved: set[str] = {f"t:{slug}" for slug in names_before.keys() | tag_names.keys()
                       if names_before.get(slug) != tag_names.get(slug)}
    timed: set[tuple] = set()  # changed items whose every pair may score otherwise
    for i, item in enumerate(index.items):
        old = before[item.key]
        if old == item:
            continue
        stale.add(i)
        had, has = set(_tokens(old)), set(_tokens(item))
        moved |= had ^ has
        if old.day != item.day or old.relations != item.relations:
            # Everything it shares may now score otherwise, but a thing worth nothing now adds
            # nothing to any pair, and was worth nothing before unless some item took or
            # dropped it (then it is in the line above).
            moved.update(token for token in had & has if index.value.get(token, 0.0) > 0)
            timed.add(item.key)
    # Every holder of what moved, now or before, whatever the thing is worth now: one that was
    # worth something may be worth nothing now (more items hold it than the rarity cutoff
    # allows). And every item declared with a timed one, from either side, now or before.
    for i, item in enumerate(index.items):
        old = before[item.key]
        if not moved.isdisjoint(_tokens(item)) or not moved.isdisjoint(_tokens(old)) \
                or not timed.isdisjoint(item.relations) or not timed.isdisjoint(old.relations):
            stale.add(i)
    position = {item.key: i for i, item in enumerate(index.items)}
    for key in timed:
        item, old = index.items[position[key]], before[key]
        stale.update(position[other] for other in item.relations.keys() | old.relations.keys() if other in position)
    return stale


def declared_partners(index: _Index) -> dict[int, set[int]]:
    """Position → every position declared with it, on either side (index.declared holds each pair once)."""
    partners: dict[int, set[int]] = {}
    for i, later in index.declared.items():
        for j in later:
            partners.setdefault(i, set()).add(j)
            partners.setdefault(j, set()).add(i)
    return partners


def _row(i: int, index: _Index, partners: set[int]) -> list[Related]:
    """Item i's whole list, from every candidate on either side of it."""
    rows = []
    for j in _candidates_of(i, index, partners):
        scored = _score_pair(min(i, j), max(i, j), index)
        if scored:
            score, declared, timed = scored
            rows.append((not declared, -score, index.items[j].key, j, timed))
    return _best(i, rows, index)


def _index(items: list[Features], weights: RelatedWeights, entity_types: dict[str, str], names: dict) -> _Index:
    """Sort the items, price every incident, entity and tag, and build the postings."""
    items = sorted(items, key=lambda item: item.key)  # input order must not leak into the output
    position = {item.key: i for i, item in enumerate(items)}
    if len(position) != len(items):
        raise ValueError("related_items: two items have the same key")
    canonical: dict[str, str] = {}  # one string object per token, so set lookups match by identity
    tokens = [[canonical.setdefault(t, t) for t in _tokens(item)] for item in items]
    members: dict[str, list[int]] = defaultdict(list)
    for i, item_tokens in enumerate(tokens):
        for token in item_tokens:
            members[token].append(i)
    value = {}
    for token, positions in members.items():
        kind, thing = token.split(":", 1)
        rarity = _rarity(len(positions), len(items), weights.rarity_cutoff)
        value[token] = (weights.same_incident if kind == "i" else weights.tag * rarity if kind == "t"
                        else weights.entity * KIND_FACTOR.get(entity_types.get(thing), 1.0) * rarity)
    own = [{t: value[t] for t in item_tokens if value[t] > 0} for item_tokens in tokens]
    members = {token: positions for token, positions in members.items() if value[token] > 0}
    postings = {}
    for token, positions in members.items():
        by_day = sorted((items[i].day, i) for i in positions if items[i].day is not None)
        postings[token] = (positions, [day for day, _ in by_day], [i for _, i in by_day])
    declared: dict[int, set[int]] = defaultdict(set)
    for i, item in enumerate(items):
        for j in (position[key] for key in item.relations if key in position):
            if j != i:
                declared[min(i, j)].add(max(i, j))
    return _Index(weights, items, value, own, [frozenset(o) for o in own],
                  {token: frozenset(positions) for token, positions in members.items()}, postings, declared,
                  {token: _label(token, value[token], names) for token in members})


def _label(token: str, value: float, names: dict) -> tuple:
    kind, thing = token.split(":", 1)
    name = names.get(kind, {}).get(thing, thing)
    return ("iet".index(kind), -value, name.casefold(), thing, name)


def _candidates_of(i: int, index: _Index, partners: set[int] | None = None):
    """Positions j > i that are declared with i or could reach the threshold with it; with
    `partners` (every position declared with i, on either side), every such j ≠ i."""
    weights = index.weights
    need = weights.threshold - _MARGIN
    item = index.items[i]
    declared = index.declared.get(i, set()) if partners is None else partners
    first = i if partners is None else -1  # the lowest position a candidate may have, less one
    others = set(declared)
    # Take i's things cheapest first: a pair whose dearest shared thing is this one scores at
    # most `cheaper` (it and every cheaper thing) + time, so read its items only within the
    # days the time term needs: all once `cheaper` alone reaches the threshold, none if even
    # same-day time cannot make up the rest. Each pair is looked for from its first item only.
    cheaper = 0.0
    for price, token in sorted((price, token) for token, price in index.own[i].items()):
        cheaper += price
        radius = _radius(need - cheaper, item.day, weights)
        if radius is None:
            continue
        positions, days, dated = index.postings[token]
        if radius == math.inf:
            others.update(positions[bisect.bisect_right(positions, first):])
        else:
            window = dated[bisect.bisect_left(days, item.day - radius):bisect.bisect_right(days, item.day + radius)]
            others.update(j for j in window if j > first)
    others.discard(i)
    shared = _shared(i, others, index)
    reach = need - max(weights.time, 0)  # most candidates fail this before any exp is spent on them
    for j in sorted(declared.union(j for j, total in shared.items() if total >= reach)):
        if j in declared or shared[j] + _time_term(item.day, index.items[j].day, weights) >= need:
            yield j


def _shared(i: int, others: set[int], index: _Index) -> dict[int, float]:
    """What item i shares with each of the others, in score (no relation, no time)."""
    # Summed from i's side: a thing's set of holders is read by every item that has it and stays
    # in cache, while each candidate's own data would not.
    shared = dict.fromkeys(others, 0.0)
    for token, price in index.own[i].items():
        for j in others.intersection(index.holders[token]):
            shared[j] += price
    return shared


def _radius(need: float, day: int | None, weights: RelatedWeights) -> float | None:
    """Days apart within which the time term still adds `need`: inf if nothing is needed, None if never."""
    if need <= 0:
        return math.inf
    if day is None or weights.time < need:
        return None
    if weights.time_scale_days <= 0:
        return 0.0
    return weights.time_scale_days * math.log(weights.time / need)


def _tokens(item: Features) -> list[str]:
    """The item's incidents, entities and tags as one kind of thing: "i:…", "e:…", "t:…"."""
    return [f"{prefix}:{thing}" for field, prefix in _FIELDS for thing in getattr(item, field)]


def _rarity(df: int, n: int, cutoff: float) -> float:
    """1 for a thing on two items, falling to 0 on every item; 0 above the cutoff fraction."""
    if df > cutoff * n:
        return 0.0
    if df <= 2:
        return 1.0
    return math.log(n / df) / math.log(n / 2)


def _score_pair(i: int, j: int, index: _Index) -> tuple[float, bool, bool] | None:
    """(score, declared?, did time add?) for a pair that makes the lists; None for one that does not."""
    weights = index.weights
    parts = [index.value[token] for token in index.bags[i] & index.bags[j]]
    declared = j in index.declared.get(i, ())
    if declared:
        parts.append(weights.relation)
    time = _time_term(index.items[i].day, index.items[j].day, weights)
    timed = round(time, DIGITS) > 0 and math.fsum(parts) > 0
    score = round(math.fsum(parts + [time] if timed else parts), DIGITS)  # fsum is exact: no order leaks
    if not declared and score < weights.threshold:
        return None
    return score, declared, timed


def _time_term(day: int | None, other: int | None, weights: RelatedWeights) -> float:
    """What being close in time adds; 0 unless both are dated."""
    if day is None or other is None or weights.time <= 0:
        return 0.0
    if day == other:
        return weights.time
    return weights.time * math.exp(-abs(day - other) / weights.time_scale_days) if weights.time_scale_days > 0 else 0.0


def _reasons(i: int, j: int, index: _Index, declared: bool, timed: bool) -> tuple[str, ...]:
    """Why item j is related to item i, in words, strongest kind of reason first."""
    this, other = index.items[i], index.items[j]
    reasons = []
    if declared:
        reasons.append(this.relations.get(other.key) or "related")  # declared on the other side only
    shared = sorted(index.labels[token] for token in index.bags[i] & index.bags[j])
    incidents = sum(1 for label in shared if label[0] == 0)
    if incidents:
        reasons.append("same incidents" if incidents > 1 else "same incident")
    for kind, words in ((1, "shares "), (2, "tagged ")):
        names = [label[4] for label in shared if label[0] == kind]
        if names:
            reasons.append(words + _names(names))
    if timed:
        days = abs(this.day - other.day)
        reasons.append("same day" if days == 0 else "1 day apart" if days == 1 else f"{days:,} days apart")
    return tuple(reasons)


def _names(names: list[str]) -> str:
    """"A, B, C and 2 more": the most significant first."""
    shown = ", ".join(names[:NAMES_SHOWN])
    return shown + (f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else "")
