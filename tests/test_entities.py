"""The gazetteer: which names match where, and what never matches."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.entities import Gazetteer, Mention
from digest.model import Entity

ENTITIES = {
    "nato": Entity("nato", "NATO", "organization", aliases=("North Atlantic Treaty Organization", "North Atlantic Alliance")),
    "russia": Entity("russia", "Russia", "country", aliases=("Russian Federation",), demonyms=("Russian",)),
    "fsb": Entity("fsb", "FSB", "organization", aliases=("Russian Federal Security Service",)),
    "ddis": Entity("ddis", "DDIS", "organization", aliases=("Danish Defence Intelligence Service",)),
    "czechia": Entity("czechia", "Czech Republic", "country", aliases=("Czechia",), demonyms=("Czech",)),
    "switzerland": Entity("switzerland", "Switzerland", "country", demonyms=("Swiss",)),
    "babis": Entity("babis", "Andrej Babiš", "person"),
}


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer(ENTITIES)


def found(gazetteer, text):
    return [(m.entity, m.surface) for m in gazetteer.find(text)]


def test_names_aliases_and_demonyms_all_match(gazetteer):
    text = "NATO, the North Atlantic Treaty Organization, and Russia; Russian and Russians; the Czechs"
    assert found(gazetteer, text) == [
        ("nato", "NATO"), ("nato", "North Atlantic Treaty Organization"), ("russia", "Russia"),
        ("russia", "Russian"), ("russia", "Russians"), ("czechia", "Czechs")]


def test_demonym_ending_in_s_gets_no_extra_plural(gazetteer):
    assert found(gazetteer, "Swiss officials, Swisss") == [("switzerland", "Swiss")]


def test_offsets_index_the_text(gazetteer):
    text = "Then the North Atlantic Treaty Organization said"
    assert gazetteer.find(text) == [Mention("nato", 9, 43, "North Atlantic Treaty Organization")]


@pytest.mark.parametrize("text", ["Prussia", "NATOs", "Russiagate", "antiNATO", "FSB2", "Russia_x", "CzechiaN"])
def test_never_inside_a_word(gazetteer, text):
    assert found(gazetteer, text) == []


@pytest.mark.parametrize("text, entity, surface", [
    ("Russia's envoy", "russia", "Russia"), ("Russia’s envoy", "russia", "Russia"),
    ("a Russia-based firm", "russia", "Russia"), ("pro-Russian groups", "russia", "Russian"),
    ("(NATO)", "nato", "NATO"), ("NATO.", "nato", "NATO"), ("«Russia»", "russia", "Russia"),
    ("NATO's", "nato", "NATO"),
])
def test_punctuation_is_a_word_boundary(gazetteer, text, entity, surface):
    assert found(gazetteer, text) == [(entity, surface)]


def test_longest_match_wins(gazetteer):
    assert found(gazetteer, "the Russian Federal Security Service (FSB) said") == [
        ("fsb", "Russian Federal Security Service"), ("fsb", "FSB")]
    assert found(gazetteer, "the Russian Federation") == [("russia", "Russian Federation")]


def test_backs_off_to_a_shorter_form_when_the_longer_ends_inside_a_word(gazetteer):
    assert found(gazetteer, "Russian Federalists") == [("russia", "Russian")]
    assert found(gazetteer, "Russian Federal agents") == [("russia", "Russian")]


def test_acronyms_match_only_in_capitals(gazetteer):
    assert found(gazetteer, "nato, Nato, Fsb, fsb, ddis, Ddis") == []
    assert found(gazetteer, "NATO FSB DDIS") == [("nato", "NATO"), ("fsb", "FSB"), ("ddis", "DDIS")]


def test_names_match_as_written_or_in_all_caps(gazetteer):
    assert found(gazetteer, "russia and russian and czech republic") == []
    assert found(gazetteer, "CZECH GOVERNMENT OFFICIALS met RUSSIANS") == [("czechia", "CZECH"), ("russia", "RUSSIANS")]
    assert found(gazetteer, "THE MILITARY LIAISON MISSION of the NORTH ATLANTIC TREATY ORGANIZATION") == [
        ("nato", "NORTH ATLANTIC TREATY ORGANIZATION")]
    assert found(gazetteer, "North ATLANTIC Treaty Organization") == []


def test_any_whitespace_inside_a_name(gazetteer):
    text = "the North Atlantic\nTreaty  Organization\u00a0and the Czech\tRepublic"
    assert found(gazetteer, text) == [
        ("nato", "North Atlantic\nTreaty  Organization"), ("czechia", "Czech\tRepublic")]


def test_mentions_do_not_overlap_and_are_in_text_order(gazetteer):
    mentions = gazetteer.find("NATO/Russia: FSB, NATO-Russia, Czechia")
    assert [m.entity for m in mentions] == ["nato", "russia", "fsb", "nato", "russia", "czechia"]
    assert all(a.end <= b.start for a, b in zip(mentions, mentions[1:]))


def test_entities_in_lists_each_once_in_order_of_first_mention(gazetteer):
    assert gazetteer.entities_in("Russia, NATO, Russian diplomats and NATO again; FSB") == ["russia", "nato", "fsb"]
    assert gazetteer.entities_in("") == []


def test_decomposed_text_matches_and_offsets_index_the_original(gazetteer):
    text = "Cafe\u0301 talk: Andrej Babis\u030c met NATO"
    mentions = gazetteer.find(text)
    assert [(m.entity, m.surface) for m in mentions] == [("babis", "Andrej Babis\u030c"), ("nato", "NATO")]
    assert all(text[m.start:m.end] == m.surface for m in mentions)
    assert mentions[1].start == text.index("NATO")


def test_entities_in_reads_wrapped_and_decomposed_names_as_find_does(gazetteer):
    text = "The Czech\n  Republic and Andrej Babis\u030c met; NATO and the Czech  Republic again"
    assert gazetteer.entities_in(text) == list(dict.fromkeys(m.entity for m in gazetteer.find(text))) == \
        ["czechia", "babis", "nato"]


def test_decomposed_alias_matches_composed_text():
    gazetteer = Gazetteer({"babis": Entity("babis", "Andrej Babis\u030c", "person")})
    assert found(gazetteer, "Andrej Babiš said") == [("babis", "Andrej Babiš")]


def test_a_mark_after_a_name_makes_it_another_word(gazetteer):
    # NFC composes "a" + acute into "á", a letter: "Russiá" is not Russia.
    assert found(gazetteer, "Russia\u0301") == []


def test_shared_alias_is_reported_and_matches_neither():
    gazetteer = Gazetteer({
        "georgia": Entity("georgia", "Georgia", "country", demonyms=("Georgian",)),
        "georgia-us": Entity("georgia-us", "Georgia", "place", aliases=("State of Georgia",)),
        "nato": Entity("nato", "NATO", "organization", aliases=("NATO",)),
    })
    assert gazetteer.conflicts == [("Georgia", ["georgia", "georgia-us"])]
    assert found(gazetteer, "Georgia, GEORGIA, a Georgian, the State of Georgia, NATO") == [
        ("georgia", "Georgian"), ("georgia-us", "State of Georgia"), ("nato", "NATO")]


def test_a_written_form_beats_another_entitys_caps_variant():
    gazetteer = Gazetteer({"us": Entity("us", "United States", "country", aliases=("US",)),
                           "band": Entity("band", "Us", "organization")})
    assert gazetteer.conflicts == []
    assert found(gazetteer, "Us and US") == [("band", "Us"), ("us", "US")]


def test_empty_gazetteer_and_blank_aliases():
    assert Gazetteer({}).find("NATO") == []
    assert Gazetteer({"x": Entity("x", "X Corp", "organization", aliases=("", "  "))}).find("X Corp") == [
        Mention("x", 0, 6, "X Corp")]


def test_many_entities_and_a_very_long_name():
    entities = {f"p{i}": Entity(f"p{i}", f"Person Number{i}", "person", aliases=(f"PN{i}",)) for i in range(3000)}
    entities["long"] = Entity("long", " ".join(["Very"] * 2000), "organization")
    gazetteer = Gazetteer(entities)
    text = "PN17 met Person Number2999, not PN30000 or Person Number30000. " + " ".join(["Very"] * 2000)
    assert [m.entity for m in gazetteer.find(text)] == ["p17", "p2999", "long"]


# A reference matcher, slow and obvious: at each word start, the longest form that ends at a word end.
FORMS = {"NATO": "nato", "NATO Council": "council", "Russia": "russia", "Russian": "russia",
         "Russians": "russia", "Russian Federation": "russia", "FSB": "fsb", "Nord": "nord"}


def naive(text: str) -> list[tuple[str, int, int]]:
    word = re.compile(r"\w")
    out, i = [], 0
    while i < len(text):
        if i == 0 or not word.match(text[i - 1]):
            for form in sorted(FORMS, key=len, reverse=True):
                end = i + len(form)
                if text.startswith(form, i) and (end == len(text) or not word.match(text[end])):
                    out.append((FORMS[form], i, end))
                    i = end
                    break
            else:
                i += 1
        else:
            i += 1
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(sorted(FORMS) + ["", " ", "-", "'s", "s", "x", "P", "Federation", "Council", "_"]),
                max_size=12))
def test_agrees_with_a_naive_longest_match(pieces):
    gazetteer = Gazetteer({
        "nato": Entity("nato", "NATO", "organization"), "council": Entity("council", "NATO Council", "organization"),
        "russia": Entity("russia", "Russia", "country", aliases=("Russian Federation",), demonyms=("Russian",)),
        "fsb": Entity("fsb", "FSB", "organization"), "nord": Entity("nord", "Nord", "place"),
    })
    text = "".join(pieces)
    assert [(m.entity, m.start, m.end) for m in gazetteer.find(text)] == naive(text)
    assert gazetteer.entities_in(text) == list(dict.fromkeys(entity for entity, _, _ in naive(text)))


def test_a_body_names_entities_on_either_side_of_a_line_break(gazetteer):
    from digest.bodies import render_one_body

    class Item:  # just what render_one_body reads of an article
        content_type, body_line, hide_entities = "article", 1, ()
        body = "Officials from\nNATO met envoys of the\nCzech Republic and\nRussia."

    entry = render_one_body(Item, lambda kind, ident: f"/{kind}/{ident}/", gazetteer)
    assert entry["mentions"] == ["nato", "czechia", "russia"]
    assert entry["text"] == "Officials from NATO met envoys of the Czech Republic and Russia."
