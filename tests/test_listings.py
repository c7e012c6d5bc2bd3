"""Listings sorted once for a whole plan give each listing exactly newest_first's order; a relink finds
the items a page context holds (depend.holds_any)."""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.model import Article, Brief, Content, Incident, PartialDate
from digest.depend import holds_any
from digest.plan import Listings, newest_first

KINDS = {"article": Article, "brief": Brief, "incident": Incident}
TABLES = {"article": "articles", "brief": "briefs", "incident": "incidents"}

# Few ids, dates and titles, so that ties (the same id and day in two kinds, equal titles) are common.
dates = st.one_of(st.none(), st.builds(PartialDate, st.integers(2019, 2020), st.integers(0, 2), st.integers(0, 2))
                  .filter(lambda d: d.month or not d.day))
items = st.tuples(st.sampled_from(sorted(KINDS)), st.sampled_from("abcdef"), dates, st.sampled_from(["X", "x", "Y"]))


def _content(rows) -> Content:
    content = Content()
    for kind, ident, date, title in rows:
        item = KINDS[kind](id=ident, path=Path(f"{ident}.md"), title=title, body="", body_line=1, date=date)
        getattr(content, TABLES[kind]).setdefault(ident, item)
    return content


@settings(max_examples=300, deadline=None)
@given(st.lists(items, max_size=14), st.data())
def test_each_listing_is_newest_first_of_its_items(rows, data):
    content = _content(rows)
    listings = Listings(content)
    every = [(i.content_type, i.id) for t in TABLES.values() for i in getattr(content, t).values()]
    # Listings name their items table by table (tags) or in key order (coverage, mentions): both
    # put an article before a brief before an incident of the same id.
    chosen = data.draw(st.lists(st.sampled_from(every), unique=True) if every else st.just([]))
    keys = sorted(chosen, key=lambda key: list(TABLES).index(key[0]))
    expected = newest_first(getattr(content, TABLES[kind])[ident] for kind, ident in keys)
    assert listings.of(keys) == expected
    assert [id(i) for i in listings.of(keys)] == [id(i) for i in expected]


def test_holds_any_finds_an_item_at_any_depth_a_fingerprint_takes_cards_from():
    one, two = (Article(id=i, path=Path(f"{i}.md"), title=i, body="", body_line=1) for i in ("one", "two"))
    timeline = {"years": [{"year": 2021, "months": [{"month": 10, "items": [one]}]}], "undated": []}
    assert holds_any(timeline, {id(one)}) and not holds_any(timeline, {id(two)})
    assert holds_any({"item": two}, {id(two)}) and holds_any({"pairs": [(0, (two,))]}, {id(two)})
    assert not holds_any({"title": "two", "count": 2}, {id(one), id(two)})
