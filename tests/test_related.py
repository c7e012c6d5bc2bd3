"""Related items: ranking, reasons in words, rarity, time, limits, determinism and scaling."""

from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest import related
from digest.config import RelatedWeights
from digest.related import Features, Related, related_items

D = 738_000  # an arbitrary day ordinal
NAMES = {"belgium": "Belgium", "russia": "Russia", "svr": "SVR", "nato": "NATO", "lavrov": "Sergei Lavrov"}
TYPES = {"belgium": "country", "russia": "country", "svr": "organization", "nato": "organization", "lavrov": "person"}
INC_BE, INC_RU = ("incident", "belgium-expels"), ("incident", "russia-expels")


def item(kind, ident, day=None, incidents=(), entities=(), tags=(), relations=None):
    return Features((kind, ident), day, frozenset(incidents), frozenset(entities), frozenset(tags), relations or {})


# Ten items; Russia is on all of them, so it says nothing about any pair.
CORPUS = [
    item("incident", "belgium-expels", D, ["belgium-expels"], ["belgium", "russia", "svr"], ["expulsion"],
         {INC_RU: "answered by"}),
    item("incident", "russia-expels", D + 14, ["russia-expels"], ["belgium", "russia"], ["expulsion"],
         {INC_BE: "retaliated for"}),
    item("article", "a1", D + 1, ["belgium-expels"], ["belgium", "russia", "svr", "nato"], ["expulsion"]),
    item("article", "a2", D + 15, ["belgium-expels", "russia-expels"], ["belgium", "russia"], ["expulsion"]),
    item("article", "a3", D + 100, [], ["russia", "lavrov"], ["diplomacy"]),
    item("article", "a4", D + 112, [], ["russia", "lavrov", "nato"], ["diplomacy"]),
    item("brief", "b1", None, [], ["russia", "nato"]),
    item("article", "a5", D + 300, [], ["russia"]),
    item("article", "a6", D + 301, [], ["russia"]),
    item("article", "a7", None, [], ["russia", "svr"]),
]


@pytest.fixture(autouse=True, params=["pairwise", "matrix"])
def method(request, monkeypatch):
    """Every test runs with both ways of finding candidates (digest/related_matrix.py)."""
    monkeypatch.setattr(related, "MATRIX_MIN", 10**9 if request.param == "pairwise" else 0)
    monkeypatch.setattr(related, "STALE_SHARE_MAX", related.STALE_SHARE_MAX)
    return request.param


def rarity(df, n=10):
    return math.log(n / df) / math.log(n / 2)


def run(items=CORPUS, weights=RelatedWeights(), **kwargs):
    return related_items(items, weights, NAMES, TYPES, **kwargs)


def ranking(result, key):
    return [(r.key, r.reasons) for r in result[key]]


def test_exact_ranking_and_reasons():
    result = run()
    assert ranking(result, INC_BE) == [
        (INC_RU, ("answered by", "shares Belgium", "tagged expulsion", "14 days apart")),
        (("article", "a1"), ("same incident", "shares SVR, Belgium", "tagged expulsion", "1 day apart")),
        (("article", "a2"), ("same incident", "shares Belgium", "tagged expulsion", "15 days apart")),
    ]
    assert ranking(result, INC_RU) == [
        (INC_BE, ("retaliated for", "shares Belgium", "tagged expulsion", "14 days apart")),
        (("article", "a2"), ("same incident", "shares Belgium", "tagged expulsion", "1 day apart")),
    ]
    assert ranking(result, ("article", "a2")) == [
        (INC_RU, ("same incident", "shares Belgium", "tagged expulsion", "1 day apart")),
        (("article", "a1"), ("same incident", "shares Belgium", "tagged expulsion", "14 days apart")),
        (INC_BE, ("same incident", "shares Belgium", "tagged expulsion", "15 days apart")),
    ]
    assert ranking(result, ("article", "a3")) == [
        (("article", "a4"), ("shares Sergei Lavrov", "tagged diplomacy", "12 days apart"))]
    # Sharing only NATO (on 3 of 10 items) is below the threshold; sharing only Russia is nothing.
    for ident in ("b1", "a5", "a6", "a7"):
        assert result[("brief" if ident == "b1" else "article", ident)] == []


def test_scores_follow_the_documented_formula():
    result = run()
    belgium, expulsion = 6 * 0.7 * rarity(4), 3 * rarity(4)
    svr = 6 * 1.0 * rarity(3)
    by_key = {r.key: r.score for r in result[INC_BE]}
    assert by_key[INC_RU] == round(100 + belgium + expulsion + 4 * math.exp(-14 / 30), 3)
    assert by_key[("article", "a1")] == round(40 + belgium + svr + expulsion + 4 * math.exp(-1 / 30), 3)
    assert result[("article", "a3")][0].score == round(6 * 1.5 + 3 + 4 * math.exp(-12 / 30), 3)


def test_declared_relations_come_first_whatever_the_score_and_threshold():
    weights = RelatedWeights(relation=0.0, threshold=0.0)
    assert [r.key for r in run(weights=weights)[INC_BE]][0] == INC_RU
    high = RelatedWeights(threshold=1000.0)
    assert ranking(run(weights=high), INC_BE) == [
        (INC_RU, ("answered by", "shares Belgium", "tagged expulsion", "14 days apart"))]


def test_a_relation_declared_on_one_side_only_shows_on_both():
    items = [item("incident", "x", D, ["x"], relations={("incident", "y"): "answered by"}),
             item("incident", "y", None, ["y"])]
    result = run(items)
    assert ranking(result, ("incident", "x")) == [(("incident", "y"), ("answered by",))]
    assert ranking(result, ("incident", "y")) == [(("incident", "x"), ("related",))]


def test_scores_are_symmetric():
    result = run(weights=RelatedWeights(threshold=0.0, limit=100))
    pairs = {(key, r.key): r.score for key, rows in result.items() for r in rows}
    assert pairs and all(pairs[(b, a)] == score for (a, b), score in pairs.items())


def test_an_entity_on_every_item_contributes_nothing():
    weights = RelatedWeights(rarity_cutoff=1.0, threshold=0.0, limit=100)
    with_russia = run(weights=weights)
    without = run([replace(f, entities=f.entities - {"russia"}) for f in CORPUS], weights)
    assert with_russia == without
    assert not any("Russia" in reason for rows in with_russia.values() for r in rows for reason in r.reasons)


def test_an_entity_above_the_rarity_cutoff_contributes_nothing():
    items = [item("article", f"a{i}", None, [], ["nato"] + (["svr"] if i < 2 else [])) for i in range(10)]
    items[9] = item("article", "a9", None, [], ["lavrov"])
    weights = RelatedWeights(threshold=0.0)  # NATO is on 9 of 10 items, above the 0.5 cutoff
    result = run(items, weights)
    assert ranking(result, ("article", "a0")) == [(("article", "a1"), ("shares SVR",))]
    assert result[("article", "a5")] == []


def test_rarer_entities_weigh_more():
    assert rarity(2) == 1.0 and rarity(3) > rarity(4) > rarity(5) > 0
    assert related._rarity(2, 10, 0.5) == 1.0
    assert related._rarity(5, 10, 0.5) == pytest.approx(rarity(5))
    assert related._rarity(6, 10, 0.5) == 0.0
    assert related._rarity(10, 10, 1.0) == 0.0


def test_entity_names_most_significant_first_at_most_three():
    shared = ["belgium", "russia", "svr", "nato", "lavrov"]
    items = [item("article", "a", None, [], shared), item("article", "b", None, [], shared)]
    items += [item("article", f"filler{i}", None, [], []) for i in range(8)]
    result = run(items)
    # Person (1.5) before organizations (1.0, by name) before countries (0.7).
    assert ranking(result, ("article", "a")) == [(("article", "b"), ("shares Sergei Lavrov, NATO, SVR and 2 more",))]


def test_same_incidents_and_tag_names():
    items = [item("article", "a", D, ["x", "y"], [], ["spy-swap"]), item("article", "b", D, ["x", "y"], [], ["spy-swap"])]
    items += [item("article", f"filler{i}", None) for i in range(4)]
    result = run(items, tag_names={"spy-swap": "Spy swap"})
    assert ranking(result, ("article", "a")) == [(("article", "b"), ("same incidents", "tagged Spy swap", "same day"))]
    assert result[("article", "a")][0].score == round(80 + 3 + 4, 3)


def test_time_alone_never_relates():
    items = [item("article", "a", D), item("article", "b", D), item("article", "c", D, [], ["svr"]),
             item("article", "d", D, [], ["svr"])]
    result = run(items, RelatedWeights(threshold=0.0, rarity_cutoff=1.0))
    assert result[("article", "a")] == [] and result[("article", "b")] == []
    assert ranking(result, ("article", "c")) == [(("article", "d"), ("shares SVR", "same day"))]


def test_undated_items_get_no_time_term():
    items = [item("article", "a", D, [], ["lavrov"]), item("article", "b", None, [], ["lavrov"]),
             item("article", "c", None, [], ["lavrov"])]
    items += [item("article", f"filler{i}", D) for i in range(3)]
    result = run(items, RelatedWeights(threshold=0.0))
    assert [(r.key, r.score, r.reasons) for r in result[("article", "a")]] == [
        (("article", "b"), round(6 * 1.5 * rarity(3, 6), 3), ("shares Sergei Lavrov",)),
        (("article", "c"), round(6 * 1.5 * rarity(3, 6), 3), ("shares Sergei Lavrov",))]


def test_threshold_is_inclusive_and_limit_caps_the_list():
    score = run()[("article", "a3")][0].score
    assert run(weights=RelatedWeights(threshold=score))[("article", "a3")] != []
    assert run(weights=RelatedWeights(threshold=score + 0.001))[("article", "a3")] == []
    assert [r.key for r in run(weights=RelatedWeights(limit=1))[INC_BE]] == [INC_RU]
    assert all(rows == [] for rows in run(weights=RelatedWeights(limit=0)).values())


def test_never_related_to_itself():
    items = [item("incident", "x", D, ["x"], ["svr"], relations={("incident", "x"): "same case as"}),
             item("article", "y", D, ["x"], ["svr"])]
    result = run(items, RelatedWeights(threshold=0.0, limit=100))
    assert all(r.key != key for key, rows in result.items() for r in rows)
    assert [r.key for r in result[("incident", "x")]] == [("article", "y")]


def test_every_item_gets_an_entry_and_duplicates_are_refused():
    assert set(run()) == {f.key for f in CORPUS}
    assert run([]) == {}
    with pytest.raises(ValueError):
        run([CORPUS[0], CORPUS[0]])


def test_shuffled_input_gives_identical_output():
    expected = repr(list(run(weights=RelatedWeights(threshold=0.0, limit=100)).items()))
    for seed in range(5):
        shuffled = CORPUS[:]
        random.Random(seed).shuffle(shuffled)
        assert repr(list(run(shuffled, RelatedWeights(threshold=0.0, limit=100)).items())) == expected


def test_only_pairs_that_could_qualify_are_examined(monkeypatch, method):
    if method == "matrix":
        return _check_matrix_scores_few_pairs(monkeypatch)
    examined, scored = [], []
    shared, score_pair = related._shared, related._score_pair

    def counting_shared(i, others, index):
        examined.extend((i, j) for j in others)
        return shared(i, others, index)

    def counting_score(i, j, index):
        scored.append((i, j))
        return score_pair(i, j, index)

    # Counted in this process: the items are not spread over forked workers here.
    monkeypatch.setattr(related, "parallel_map", lambda task, count: [task(i) for i in range(count)])
    monkeypatch.setattr(related, "_shared", counting_shared)
    monkeypatch.setattr(related, "_score_pair", counting_score)
    n = 2000
    # Each item: an entity shared with the 4 others of its group of 5, one shared with 4 items
    # far away in time, a common tag (on 1 in 10), and Russia, which is on every item.
    items = [item("article", f"a{i:04d}", D + i, [], [f"g{i // 5}", f"s{i % 400}", "russia"], [f"t{i % 10}"])
             for i in range(n)]
    result = related_items(items, RelatedWeights(), {}, {})
    assert len(examined) == len(set(examined)) and all(i < j for i, j in examined)  # each pair once
    assert len(examined) <= 2 * 10 * (n // 5)  # at most the pairs in groups, never n² / 2 = 2,000,000
    assert set(scored) <= set(examined) and len(scored) == 4 * n // 2  # exactly the group pairs qualify
    assert [r.reasons for r in result[("article", "a0007")]][0] == ("shares g1", "1 day apart")
    assert all(len(rows) == 4 for rows in result.values())


def _check_matrix_scores_few_pairs(monkeypatch):
    """The matrix method scores exactly only the pairs near each list's cut, never all pairs."""
    scored, score_pair = [], related._score_pair

    def counting_score(i, j, index):
        scored.append((i, j))
        return score_pair(i, j, index)

    monkeypatch.setattr(related, "parallel_map", lambda task, count, minimum=0: [task(i) for i in range(count)])
    monkeypatch.setattr(related, "_score_pair", counting_score)
    n = 2000
    items = [item("article", f"a{i:04d}", D + i, [], [f"g{i // 5}", f"s{i % 400}", "russia"], [f"t{i % 10}"])
             for i in range(n)]
    result = related_items(items, RelatedWeights(), {}, {})
    assert set(scored) == {(i, j) for i in range(n) for j in range(n) if i < j and i // 5 == j // 5}
    assert len(scored) == 2 * (4 * n // 2)  # each group pair once from either side
    assert [r.reasons for r in result[("article", "a0007")]][0] == ("shares g1", "1 day apart")
    assert all(len(rows) == 4 for rows in result.values())


# A reference that compares every pair, straight from the formula in the module docstring.
def reference(items, weights):
    n = len(items)
    df = Counter(x for f in items for field in ("entities", "tags") for x in getattr(f, field))

    def rarity_of(x):
        count = df[x]
        return 0.0 if count > weights.rarity_cutoff * n else 1.0 if count <= 2 else math.log(n / count) / math.log(n / 2)

    lists = {}
    for a in items:
        rows = []
        for b in items:
            if b.key == a.key:
                continue
            declared = b.key in a.relations or a.key in b.relations
            parts = [weights.relation] if declared else []
            parts += [weights.same_incident] * len(a.incidents & b.incidents)
            parts += [weights.entity * related.KIND_FACTOR.get(TYPES.get(e), 1.0) * rarity_of(e) for e in a.entities & b.entities]
            parts += [weights.tag * rarity_of(t) for t in a.tags & b.tags]
            shares = math.fsum(parts) > 0
            if a.day is not None and b.day is not None and shares:
                time = weights.time * math.exp(-abs(a.day - b.day) / weights.time_scale_days)
                parts += [time] if round(time, 3) > 0 else []
            score = round(math.fsum(parts), 3)
            if declared or (shares and score >= weights.threshold):  # sharing nothing never relates
                rows.append((not declared, -score, b.key))
        lists[a.key] = [(key, -score) for _, score, key in sorted(rows)[:weights.limit]]
    return lists


corpora = st.integers(2, 24).flatmap(lambda n: st.lists(st.tuples(
    st.one_of(st.none(), st.integers(0, 120)),
    st.frozensets(st.sampled_from(["x", "y", "z"]), max_size=2),
    st.frozensets(st.sampled_from(sorted(NAMES) + ["e1", "e2", "e3"]), max_size=5),
    st.frozensets(st.sampled_from(["t1", "t2", "t3", "t4"]), max_size=3),
    st.frozensets(st.integers(0, n - 1), max_size=2)), min_size=n, max_size=n))


@settings(max_examples=300, deadline=None)
@given(corpora, st.sampled_from([0.0, 3.0, 8.0, 20.0]), st.sampled_from([0.3, 0.5, 1.0]),
       st.sampled_from([3.0, 30.0]), st.sampled_from([2, 50]))
def test_agrees_with_comparing_every_pair(rows, threshold, cutoff, scale, limit):
    items = [item("article", f"a{k:02d}", day, incidents, entities, tags,
                  {("article", f"a{r:02d}"): "answered by" for r in relations})
             for k, (day, incidents, entities, tags, relations) in enumerate(rows)]
    weights = RelatedWeights(threshold=threshold, rarity_cutoff=cutoff, time_scale_days=scale, limit=limit)
    result = run(items, weights)
    assert {key: [(r.key, r.score) for r in rows] for key, rows in result.items()} == reference(items, weights)


def _corpus(rows, names=None):
    return [item("article", f"a{k:02d}", day, incidents, entities, tags,
                 {("article", f"a{r:02d}"): "answered by" for r in relations})
            for k, (day, incidents, entities, tags, relations) in enumerate(rows)]


@settings(max_examples=300, deadline=None)
@given(corpora.flatmap(lambda rows: st.tuples(st.just(rows), st.lists(st.tuples(
           st.integers(0, len(rows) - 1), st.one_of(st.none(), st.integers(0, 120)),
           st.frozensets(st.sampled_from(["x", "y", "z"]), max_size=2),
           st.frozensets(st.sampled_from(sorted(NAMES) + ["e1", "e2", "e3"]), max_size=5),
           st.frozensets(st.sampled_from(["t1", "t2", "t3", "t4"]), max_size=3),
           st.frozensets(st.integers(0, len(rows) - 1), max_size=2)), max_size=3))),
       st.sampled_from([0.0, 3.0, 8.0]), st.sampled_from([0.3, 0.5, 1.0]), st.sampled_from([2, 50]),
       st.booleans())
def test_lists_updated_after_edits_equal_lists_computed_afresh(case, threshold, cutoff, limit, renamed):
    """update_related recomputes only some lists: they and the kept ones must equal a full run."""
    related.STALE_SHARE_MAX = 1.0  # never left to a full run here (restored by the fixture)
    rows, edits = case
    after_rows = list(rows)
    for position, *row in edits:
        after_rows[position] = tuple(row)
    before, after = _corpus(rows), _corpus(after_rows)
    weights = RelatedWeights(threshold=threshold, rarity_cutoff=cutoff, limit=limit)
    names_before = {"t1": "T1", "t2": "T2", "t3": "T3", "t4": "T4"}
    names_after = dict(names_before, t2="t2 spelled otherwise") if renamed else names_before
    lists = related_items(before, weights, NAMES, TYPES, tag_names=names_before)
    updated = related.update_related(after, weights, NAMES, TYPES, names_after, {f.key: f for f in before},
                                     names_before, lists)
    assert updated == related_items(after, weights, NAMES, TYPES, tag_names=names_after)


def test_an_update_with_other_items_is_refused():
    lists = run()
    before = {f.key: f for f in CORPUS}
    assert related.update_related(CORPUS[:-1], RelatedWeights(), NAMES, TYPES, {}, before, {}, lists) is None


def test_an_update_recomputes_only_the_lists_that_can_change(monkeypatch):
    """A tag added to one item: only the items holding that tag get their lists again."""
    monkeypatch.setattr(related, "STALE_SHARE_MAX", 1.0)
    lists = run()
    edited = [replace(f, tags=f.tags | {"diplomacy"}) if f.key == ("article", "a5") else f for f in CORPUS]
    recomputed = []
    original = related._row
    monkeypatch.setattr(related, "_row", lambda i, index, partners: recomputed.append(index.items[i].key) or original(i, index, partners))
    updated = related.update_related(edited, RelatedWeights(), NAMES, TYPES, {}, {f.key: f for f in CORPUS}, {}, lists)
    assert sorted(recomputed) == [("article", "a3"), ("article", "a4"), ("article", "a5")]
    assert updated == related_items(edited, RelatedWeights(), NAMES, TYPES)


def test_a_date_edit_leaves_alone_the_lists_of_items_sharing_only_what_is_worth_nothing(monkeypatch):
    """Russia is on every item, so worth nothing: a date edit on a1 recomputes the lists of the
    items it shares something of value with, not of every item naming Russia."""
    monkeypatch.setattr(related, "STALE_SHARE_MAX", 1.0)
    lists = run()
    edited = [replace(f, day=D + 40) if f.key == ("article", "a1") else f for f in CORPUS]
    recomputed = []
    original = related._row
    monkeypatch.setattr(related, "_row", lambda i, index, partners: recomputed.append(index.items[i].key) or original(i, index, partners))
    updated = related.update_related(edited, RelatedWeights(), NAMES, TYPES, {}, {f.key: f for f in CORPUS}, {}, lists)
    assert updated == related_items(edited, RelatedWeights(), NAMES, TYPES)
    assert ("article", "a5") not in recomputed and ("article", "a3") not in recomputed
    assert ("article", "a1") in recomputed and ("incident", "belgium-expels") in recomputed


def test_an_update_that_would_recompute_most_lists_is_left_to_a_full_run():
    lists = run()
    edited = [replace(f, tags=f.tags | {"everywhere"}) for f in CORPUS]
    assert related.update_related(edited, RelatedWeights(), NAMES, TYPES, {}, {f.key: f for f in CORPUS}, {}, lists) is None
