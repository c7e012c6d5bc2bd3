"""Metadata lines: dates, date lines, bylines, footers, tag lines and publication names, in many site styles."""

from __future__ import annotations

import datetime

import pytest

from digest.ingest import bylines, fields
from digest.ingest.dates import find_dates


def day(text: str) -> datetime.date | str | None:
    meta = fields.read_date_line(text)
    return meta.date.value() if meta and meta.date else None


@pytest.mark.parametrize("line, expected", [
    ("October 19, 2021", datetime.date(2021, 10, 19)),
    ("19 October 2021", datetime.date(2021, 10, 19)),
    ("Jan. 4, 2023", datetime.date(2023, 1, 4)),
    ("Sept. 30, 2022", datetime.date(2022, 9, 30)),
    ("2021-10-19", datetime.date(2021, 10, 19)),
    ("2021-10-19T08:30:00Z", datetime.date(2021, 10, 19)),
    ("2021/10/19", datetime.date(2021, 10, 19)),
    ("19.10.2021", datetime.date(2021, 10, 19)),
    ("10/19/2021", datetime.date(2021, 10, 19)),  # month first only when day first is impossible
    ("Tuesday, October 19th, 2021", datetime.date(2021, 10, 19)),
    ("Tue 19 Oct 2021 10:32 BST", datetime.date(2021, 10, 19)),
    ("19th of October 2021", datetime.date(2021, 10, 19)),
    ("OCTOBER 19, 2021", datetime.date(2021, 10, 19)),
    ("October 2021", "2021-10"),
])
def test_dates_in_the_formats_news_pages_use(line, expected):
    assert day(line) == expected


@pytest.mark.parametrize("line, expected_date, expected_author", [
    ("October 19, 2021 Leave a comment", datetime.date(2021, 10, 19), None),
    ("January 26, 2026 by Joseph Fitsanakis 1 Comment", datetime.date(2026, 1, 26), "Joseph Fitsanakis"),
    ("Posted on March 3, 2022 by Marta Zielinski", datetime.date(2022, 3, 3), "Marta Zielinski"),
    ("Published: 4 Jan 2023 | Updated: 5 Jan 2023", datetime.date(2023, 1, 4), None),
    ("Updated 5 Jan 2023, Published 4 Jan 2023", datetime.date(2023, 1, 4), None),
    ("Jan. 4, 2023 12:01 a.m. ET", datetime.date(2023, 1, 4), None),
    ("August 25, 2020 · 2 min read", datetime.date(2020, 8, 25), None),
    ("PRAGUE, 27 March 2024 — By Jana Novakova", datetime.date(2024, 3, 27), "Jana Novakova"),
    ("► 12 May 2022 | No Comments", datetime.date(2022, 5, 12), None),
    ("First published on Fri 13 May 2022 07.00 BST", datetime.date(2022, 5, 13), None),
    ("Posted on May 3, 2022 by Jane Doe in World, Europe", datetime.date(2022, 5, 3), "Jane Doe"),
])
def test_date_lines_glued_to_bylines_and_comment_counts(line, expected_date, expected_author):
    meta = fields.read_date_line(line)
    assert meta is not None
    assert meta.date.value() == expected_date
    assert meta.author == expected_author


@pytest.mark.parametrize("sentence", [
    "But on Wednesday, October 6, 2021, the Western military alliance announced the expulsion.",
    "Russia suspended its mission to NATO in October 2021.",
    "In October 2021, NATO expelled eight members of Russia’s mission.",
    "The trial opened on 3 March 2022 in Vilnius and lasted a week.",
    "Speaking in Moscow on Monday, the minister said he would respond.",
    "By 2030 the alliance wants 300,000 troops on high readiness.",
])
def test_dates_inside_sentences_are_never_a_date_line(sentence):
    assert fields.read_date_line(sentence) is None


def test_an_updated_date_alone_is_marked_as_such():
    meta = fields.read_date_line("Last updated: 5 Jan 2023")
    assert meta.updated_only and meta.date.value() == datetime.date(2023, 1, 5)


def test_ambiguous_numeric_dates_are_flagged():
    [date] = find_dates("04/05/2021")
    assert date.ambiguous and date.value() == datetime.date(2021, 5, 4)
    [date] = find_dates("25/05/2021")
    assert not date.ambiguous


def test_impossible_dates_are_not_dates():
    assert find_dates("February 30, 2021") == []
    assert find_dates("2021-13-01") == []


@pytest.mark.parametrize("line, author, publication", [
    ("By Jane Doe", "Jane Doe", None),
    ("by Jane Doe", "Jane Doe", None),
    ("BY JANE DOE", "JANE DOE", None),
    ("Author: Joseph Fitsanakis", "Joseph Fitsanakis", None),
    ("Article by: Pieter de Vries", "Pieter de Vries", None),
    ("Written by Erik Lindqvist", "Erik Lindqvist", None),
    ("By Sophie Gruber |", "Sophie Gruber", None),
    ("By Jane Doe | The Daily Example", "Jane Doe", "The Daily Example"),
    ("By Jane Doe for The Guardian", "Jane Doe", "The Guardian"),
    ("By Jane Doe, Senior Correspondent", "Jane Doe", None),
    ("By Jane Doe | Staff Writer | March 3, 2022", "Jane Doe", None),
    ("By Anna Kowalska and Piotr Nowak", "Anna Kowalska and Piotr Nowak", None),
    ("By J. R. Hartley", "J. R. Hartley", None),
    ("(Reporting by Sabine Siebold; Editing by Alex Richardson)", "Sabine Siebold", None),
    ("Posted by Tomás Ó Briain", "Tomás Ó Briain", None),
    ("By Jane Doe, Kyiv", "Jane Doe", None),  # after a comma: a place or a role, never the publication
    ("By Jane Doe, Senior Correspondent | Reuters", "Jane Doe", "Reuters"),
    ("By Jane Doe in World, Europe", "Jane Doe", None),  # the categories it was posted in
    ("By JOHN SMITH Associated Press", "JOHN SMITH", "Associated Press"),
])
def test_bylines_in_many_styles(line, author, publication):
    meta = bylines.read_byline(line)
    assert meta is not None
    assert meta.author == author
    assert meta.publication == publication


@pytest.mark.parametrize("sentence", [
    "By Monday, the troops had left the city.",
    "By using forged credentials he rose through the ranks.",
    "By the end of the year, NATO will have doubled its presence.",
    "By contrast, Hungary did not expel anyone.",
    "By 2030 the alliance wants more troops.",
    "Joseph Fitsanakis wrote about the case last year.",
    "Authorities said the man was detained by police.",
])
def test_names_in_sentences_are_never_authors(sentence):
    assert bylines.read_byline(sentence) is None
    assert fields.read_date_line(sentence) is None
    assert fields.read_meta_line(sentence) is None


def test_generic_accounts_are_not_authors_and_user_names_are_doubted():
    meta = bylines.read_byline("By admin")
    assert meta.author is None and "not a person" in meta.author_doubt
    meta = fields.read_date_line("Posted on May 2, 2022 by jdoe77")
    assert meta.author == "jdoe77" and "user name" in meta.author_doubt


@pytest.mark.parametrize("line, author, date, permalink", [
    ("► Author: Joseph Fitsanakis | Date: 19 October 2021 | Permalink", "Joseph Fitsanakis", datetime.date(2021, 10, 19), None),
    ("Author: Jane Doe · Published: 2022-03-04", "Jane Doe", datetime.date(2022, 3, 4), None),
    ("Permalink: https://example.org/2022/03/story | Comments (4)", None, None, "https://example.org/2022/03/story"),
    ("Date: 10/12/2020", None, datetime.date(2020, 12, 10), None),
])
def test_labelled_footers(line, author, date, permalink):
    meta = fields.read_date_line(line) or fields.read_meta_line(line)
    assert meta is not None
    assert meta.author == author
    assert (meta.date.value() if meta.date else None) == date
    assert meta.url == permalink


@pytest.mark.parametrize("line, tags, category", [
    ("Filed under Expert news and commentary on intelligence, espionage, spies and spying Tagged with "
     "Danish National Police, DDIS (Denmark), Denmark, NATO, News",
     ["Danish National Police", "DDIS (Denmark)", "Denmark", "NATO", "News"], True),
    ("Tags: NATO, Russia, espionage", ["NATO", "Russia", "espionage"], False),
    ("Tagged: Belarus; Lithuania", ["Belarus", "Lithuania"], False),
    ("Posted in Europe, Diplomacy | Tagged Belarus, Lithuania, expulsions | 3 Comments",
     ["Belarus", "Lithuania", "expulsions"], True),
    ("Topics: Russia | NATO | Baltic states", ["Russia", "NATO", "Baltic states"], False),
    ("#NATO #Russia #spying", ["NATO", "Russia", "spying"], False),
    ("Keywords: NATO, nato, Russia", ["NATO", "Russia"], False),  # deduplicated, first spelling kept
    ("Posted in World, Europe", [], True),
    ("Categories: Analysis", [], True),
])
def test_tag_lines_give_tags_as_written_and_categories_are_not_tags(line, tags, category):
    meta = fields.read_tag_line(line) or fields.read_meta_line(line)
    assert meta is not None
    assert meta.tags == tags
    assert meta.category == category


@pytest.mark.parametrize("sentence", [
    "Topics discussed included the war in Ukraine and the sanctions regime.",
    "Tagged as a traitor by the state media, he fled the country in 2019.",
    "Posted in Kyiv for three years, the diplomat was recalled in March.",
])
def test_sentences_that_start_like_tag_lines_are_not(sentence):
    assert fields.read_tag_line(sentence) is None


@pytest.mark.parametrize("line, name", [
    ("© 2023 The Warsaw Ledger. All rights reserved.", "The Warsaw Ledger"),
    ("Copyright © 2021 Counterspy Media", "Counterspy Media"),
    ("(c) Baltic Observer 2020", "Baltic Observer"),
    ("This article first appeared on Example News.", "Example News"),
    ("Originally published by The Kyiv Courier", "The Kyiv Courier"),
    ("Copyright infringement cases rose sharply last year.", None),
])
def test_publication_names_from_copyright_and_origin_lines(line, name):
    assert fields.read_publication_line(line) == name


@pytest.mark.parametrize("line, expected, updated_only", [
    ("March 3, 2025 10:14 AM GMT+1 Updated 2 hours ago", datetime.date(2025, 3, 3), False),
    ("Jan. 4, 2023 5:02 p.m. ET", datetime.date(2023, 1, 4), False),
    ("2021-10-19T08:30:00Z", datetime.date(2021, 10, 19), False),
    ("2021-10-19T08:30:00+02:00", datetime.date(2021, 10, 19), False),
    ("Published 12 Jan 2024, 14:05 GMT | Updated 13 Jan 2024", datetime.date(2024, 1, 12), False),
    ("March 3, 2025 10:14 a.m. UTC-05:00", datetime.date(2025, 3, 3), False),
    ("12 January 2024 14:05 CET Updated 1 day ago", datetime.date(2024, 1, 12), False),
    ("October 5, 2024 at 3:30 pm (GMT+2), updated an hour ago", datetime.date(2024, 10, 5), False),
    ("Updated 9:41 PM EST, Fri March 14, 2025", datetime.date(2025, 3, 14), True),
])
def test_date_lines_with_times_zones_and_updates(line, expected, updated_only):
    meta = fields.read_date_line(line)
    assert meta is not None and meta.date.value() == expected
    assert meta.updated_only is updated_only


@pytest.mark.parametrize("sentence", [
    "March 3, 2025 10:14 AM GMT+1 Police arrested two men near the airport",
    "On March 3, 2025 at 10:14 GMT+1 the suspects were detained, prosecutors said.",
    "March 3, 2025 was two hours ago for the people of Warsaw",
])
def test_a_timed_date_followed_by_words_is_not_a_date_line(sentence):
    assert fields.read_date_line(sentence) is None


def test_wire_datelines_with_the_day_name_the_agency():
    assert fields.read_wire_dateline("WARSAW, March 3 (Reuters) - Polish authorities have arrested") == "Reuters"
    assert fields.read_wire_dateline("KYIV, 19 October (AFP) — Ukraine said") == "AFP"
    assert fields.read_wire_dateline("LONDON, Jan. 4, 2023 (Reuters) - Britain said") == "Reuters"
    assert fields.read_wire_dateline("Warsaw, March 3 (Reuters) - a sentence, not a dateline") is None
    assert fields.read_wire_dateline("On March 3 (a Monday) - the day of the arrests") is None


def test_wire_datelines_name_the_agency():
    assert fields.read_wire_dateline("MOSCOW (Reuters) - Russia said on Monday") == "Reuters"
    assert fields.read_wire_dateline("WASHINGTON, D.C. (AP) — The State Department") == "AP"
    assert fields.read_wire_dateline("According to Reuters (citing sources), the man fled") is None


def test_source_label_gives_a_name_or_a_url():
    assert fields.read_meta_line("Source: The Baltic Times").publication == "The Baltic Times"
    assert fields.read_meta_line("Source: https://example.nl/a").url == "https://example.nl/a"
