"""Validation of content files and site.yaml: every problem, in one run, at its own line."""

from tests.conftest import build, messages

ARTICLE = """-- content/articles/good.md --
---
title: A good article
date: 2021-10-19
author: Jane Doe
tags: [NATO]
---
Body.
"""


def test_valid_article_builds_without_problems(project):
    outcome = build(project(ARTICLE))
    assert outcome.report.ok
    assert messages(outcome) == []


def test_every_problem_in_every_file_is_reported_with_its_line(project):
    root = project("""-- content/articles/one.md --
---
title: 2024
date: 2021-02-30
status: no
tags: [NATO, 12]
colour: red
---
Body.
-- content/articles/two.md --
---
title: Fine
summary: yes
date: Monday
source:
  url: not a url
  publisher: X
---
Body.
""")
    outcome = build(root)
    assert not outcome.report.ok
    assert messages(outcome) == [
        'content/articles/one.md:2: error: `title` should be text, but YAML read a number (2024); put it in quotes: title: "2024"',
        "content/articles/one.md:3: error: `2021-02-30` is not a real date (day is out of range for month)",
        "content/articles/one.md:4: error: `status: no` is not one of: draft, published",
        "content/articles/one.md:5: error: item 2 of `tags` should be text, but is a number (12); quote it",
        "content/articles/one.md:6: error: unknown key `colour` in front matter",
        "content/articles/two.md:4: error: `Monday` is not a date; write it as 2021-10-19, 2021-10 or 2021",
        "content/articles/two.md:6: error: `source.url` should be an http:// or https:// address, not `not a url`",
        "content/articles/two.md:7: error: unknown key `source.publisher` in front matter",
    ]


def test_typo_in_a_key_suggests_the_right_one(project):
    outcome = build(project("""-- content/articles/a.md --
---
title: A
dat: 2021-10-19
---
"""))
    assert "content/articles/a.md:3: error: unknown key `dat` in front matter (did you mean `date`?)" in messages(outcome)


def test_missing_title_and_bad_front_matter_shapes(project):
    outcome = build(project("""-- content/articles/a.md --
---
date: 2021
---
-- content/articles/b.md --
---
- a list
---
-- content/articles/c.md --
title: no fence
-- content/articles/d.md --
---
title: never closed
"""))
    assert messages(outcome) == [
        "content/articles/a.md:2: error: `title` is required",
        "content/articles/b.md:2: error: front matter should be `key: value` lines, not a list or a single value",
        "content/articles/c.md:1: error: no front matter: a content file starts with a line `---` (did you forget the opening `---` line?)",
        "content/articles/d.md:1: error: front matter opened on line 1 is never closed; did you forget the closing `---`?",
    ]


def test_undated_article_is_a_warning_and_is_shown_as_undated(project):
    root = project("""-- content/articles/undated.md --
---
title: No date here
---
Body.
""")
    outcome = build(root)
    assert outcome.report.ok
    assert messages(outcome) == ["content/articles/undated.md:2: warning: no date: the article is listed as undated"]
    page = (root / "site/articles/undated/index.html").read_text()
    assert "Date unknown" in page and "Author unknown" in page


def test_dangling_references_are_errors_at_their_lines(project):
    outcome = build(project("""-- content/articles/a.md --
---
title: A
date: 2021
incidents:
  - real
  - missing
---
See [this](incident:gone) and [that](article:a).
-- content/incidents/real.md --
---
title: Real
kind: expulsion
relations:
  - response-to: reall
  - answers: real
---
-- content/briefs/b.md --
---
title: B
found_with: nobody
---
"""))
    assert messages(outcome) == [
        "content/articles/a.md:6: error: unknown incident `missing` in `incidents`",
        "content/articles/a.md:8: error: link to unknown incident `gone`",
        "content/briefs/b.md:3: error: `found_with: nobody` is not an article id",
        "content/incidents/real.md:5: error: `response-to: reall` is not an incident id (did you mean `real`?)",
        "content/incidents/real.md:6: error: unknown relation `answers`; use one of: retaliation-for, response-to, follow-up, same-case, part-of",
    ]


def test_unsafe_file_names_are_refused_with_a_suggestion(project):
    outcome = build(project("""-- content/articles/Bad Name!.md --
---
title: x
---
"""))
    assert messages(outcome) == [
        "content/articles/Bad Name!.md:1: error: file name `Bad Name!.md` is not a safe id: use lowercase letters, "
        "digits and hyphens, e.g. `bad-name.md`"
    ]


def test_config_unknown_keys_warn_and_wrong_types_are_errors(project):
    root = project(ARTICLE, config="title: T\nbase_url: https://example.org/\nitems_per_pag: 5\nitems_per_page: many\nlanguage: 12\n")
    outcome = build(root)
    assert messages(outcome) == [
        "site.yaml:3: warning: unknown key `items_per_pag` in site.yaml (did you mean `items_per_page`?)",
        "site.yaml:4: error: `items_per_page` should be a whole number, but YAML read text (many)",
        'site.yaml:5: error: `language` should be text, but YAML read a number (12); put it in quotes: language: "12"',
    ]


def test_entities_file_is_checked(project):
    outcome = build(project("""-- content/entities.yaml --
nato:
  name: NATO
  type: organization
  aliases: [North Atlantic Treaty Organization]
russia:
  name: Russia
  type: nation
Bad_Id:
  name: X
  type: person
"""))
    assert messages(outcome) == [
        "content/entities.yaml:7: error: `russia.type: nation` is not one of: country, organization, person, place",
        "content/entities.yaml:8: error: `Bad_Id` is not a safe id: use lowercase letters, digits and hyphens",
    ]
