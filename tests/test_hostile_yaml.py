"""Hostile YAML in front matter, entities.yaml and site.yaml: tags run nothing, alias bombs and
deep nesting fail fast (and never crash the process, whichever YAML engine is in use), duplicate
keys, impossible dates, huge numbers and non-mapping documents are errors at `path:line`.

Neighbours: tests/test_source.py (the loader on its own: tags, aliases, YAML 1.1 words, lines),
tests/test_load.py (wrong types and shapes of fields).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

from tests.conftest import REPO, build, messages

NOT_ALLOWED = "is not allowed; only plain data is"


def errors(outcome) -> list[str]:
    return [str(p) for p in outcome.report.errors]


def front_matter_errors(project, front: str) -> list[str]:
    root = project(f"-- content/articles/a.md --\n---\n{front}\n---\nBody.\n")
    return errors(build(root))


@pytest.mark.parametrize("front, expected", [
    ('title: !!python/object/apply:os.system ["touch MARK"]',
     f"2: error: YAML tag `tag:yaml.org,2002:python/object/apply:os.system` {NOT_ALLOWED}"),
    ('title: !!python/object/apply:builtins.exec ["open(\'MARK\', \'w\')"]',
     f"2: error: YAML tag `tag:yaml.org,2002:python/object/apply:builtins.exec` {NOT_ALLOWED}"),
    ("title: !!python/name:os.system", f"2: error: YAML tag `tag:yaml.org,2002:python/name:os.system` {NOT_ALLOWED}"),
    ("title: !!python/module:os", f"2: error: YAML tag `tag:yaml.org,2002:python/module:os` {NOT_ALLOWED}"),
    ("title: !include /etc/passwd", f"2: error: YAML tag `!include` {NOT_ALLOWED}"),
    ("title: !<tag:yaml.org,2002:python/object:builtins.str> x",
     f"2: error: YAML tag `tag:yaml.org,2002:python/object:builtins.str` {NOT_ALLOWED}"),
    ("title: T\n!!python/str summary: S", f"3: error: YAML tag `tag:yaml.org,2002:python/str` {NOT_ALLOWED}"),
    ("title: T\nsummary: !!binary aGk=", f"3: error: YAML tag `tag:yaml.org,2002:binary` {NOT_ALLOWED}"),
    ("title: T\ndate: !!timestamp 2021-10-19", f"3: error: YAML tag `tag:yaml.org,2002:timestamp` {NOT_ALLOWED}"),
    ("title: T\ntags: !!set {a, b}", f"3: error: YAML tag `tag:yaml.org,2002:set` {NOT_ALLOWED}"),
    ("title: T\ntags: !!omap [a: 1]", f"3: error: YAML tag `tag:yaml.org,2002:omap` {NOT_ALLOWED}"),
    ("title: T\ntags: !!pairs [a: 1]", f"3: error: YAML tag `tag:yaml.org,2002:pairs` {NOT_ALLOWED}"),
])
def test_unsafe_tags_are_errors_and_nothing_runs(project, tmp_path, monkeypatch, front, expected):
    monkeypatch.chdir(tmp_path)
    assert front_matter_errors(project, front) == [f"content/articles/a.md:{expected}"]
    assert not (tmp_path / "MARK").exists()


@pytest.mark.parametrize("front, expected", [
    ("title: &a T\nsummary: *a", ["3: error: YAML aliases (`*name`) are not allowed; write the value out"]),
    # In a list, the line of the list that holds it (the composer keeps no line for the alias itself).
    ("title: T\ntags: &t [a]\nincidents:\n  - x\n  - *t", ["5: error: YAML aliases (`*name`) are not allowed; write the value out"]),
    ("title: T\nsummary: *nowhere", ["3: error: YAML: found undefined alias"]),
    ("title: T\ntitle: U\ndate: 2021", ["3: error: duplicate key `title` (first given on line 2)"]),
    ("title: T\ndate: 2021\nsource:\n  name: a\n  name: b", ["6: error: duplicate key `name` (first given on line 5)"]),
    ("title: T\ndate: 2021\ntags: [a]\ntitle: U\ntags: [b]", ["5: error: duplicate key `title` (first given on line 2)",
                                                           "6: error: duplicate key `tags` (first given on line 4)"]),
    ("title: T\ndate: 2021\n<<: {summary: S}", ["4: error: unknown key `<<` in front matter"]),
    ("title: T\n? [a]\n: b", ["3: error: keys must be plain words (no merge keys `<<`, lists or mappings)"]),
    ("title: T\n? {a: b}\n: c", ["3: error: keys must be plain words (no merge keys `<<`, lists or mappings)"]),
    ("title: T\ndate: 2021\n2021: x", ["4: error: unknown key `2021` in front matter"]),
    ("tіtle: Cyrillic i\ndate: 2021", ["2: error: `title` is required",
                                      "2: error: unknown key `tіtle` in front matter (did you mean `title`?)"]),
    ('title: T\ndate: 2021\n"sum\\nmary": S', ["4: error: unknown key `sum\\nmary` in front matter (did you mean `summary`?)"]),
])
def test_aliases_duplicate_and_odd_keys_are_errors_at_their_lines(project, front, expected):
    assert front_matter_errors(project, front) == [f"content/articles/a.md:{e}" for e in expected]


@pytest.mark.parametrize("date, expected", [
    ("2021-02-29", "`2021-02-29` is not a real date (day is out of range for month)"),
    ("2020-02-30", "`2020-02-30` is not a real date (day is out of range for month)"),
    ("2021-04-31", "`2021-04-31` is not a real date (day is out of range for month)"),
    ("2021-13-01", "`2021-13-01` is not a real date (month must be in 1..12)"),
    ("2021-00", "`2021-00` is not a real date (months and days count from 1)"),
    ("2021-10-00", "`2021-10-00` is not a real date (months and days count from 1)"),
    ("0000", "`0` is not a date; write it as 2021-10-19, 2021-10 or 2021"),
    ('"0000"', "`0000` is not a real date (year 0 is out of range)"),
    ("99999", "`99999` is not a date; write it as 2021-10-19, 2021-10 or 2021"),
    ("2021-10-19T10:00:00", "`2021-10-19T10:00:00` is not a date; write it as 2021-10-19, 2021-10 or 2021"),
    ("19/10/2021", "`19/10/2021` is not a date; write it as 2021-10-19, 2021-10 or 2021"),
    ("-2021", "`-2021` is not a date; write it as 2021-10-19, 2021-10 or 2021"),
    ("yesterday", "`yesterday` is not a date; write it as 2021-10-19, 2021-10 or 2021"),
    ("[2021]", "`date` should be a date like 2021-10-19, 2021-10 or 2021, but YAML read a list"),
    ("2021.5", "`date` should be a date like 2021-10-19, 2021-10 or 2021, but YAML read a number (2021.5)"),
])
def test_impossible_dates_are_errors_at_their_line(project, date, expected):
    assert front_matter_errors(project, f"title: T\ndate: {date}") == [f"content/articles/a.md:3: error: {expected}"]


@pytest.mark.parametrize("value, expected", [
    ("1e400", "number `1e400` is too large"),
    ("-1e400", "number `-1e400` is too large"),
    ("9" * 31, "number `99999999999999999999…` is too large"),
    ("0x" + "f" * 40, "number `0xffffffffffffffffff…` is too large"),
    ("1." + "0" * 60, "number `1.000000000000000000…` is too long"),
])
def test_huge_numbers_are_errors_not_infinities(project, value, expected):
    assert front_matter_errors(project, f"title: T\ndate: 2021\nsummary: {value}") == [
        f"content/articles/a.md:4: error: {expected}"]


@pytest.mark.parametrize("front", ["- a list", "just a sentence", "42", "[title, T]", "~", '"quoted"'])
def test_front_matter_that_is_not_a_mapping_is_an_error(project, front):
    expected = [] if front == "~" else [
        "content/articles/a.md:2: error: front matter should be `key: value` lines, not a list or a single value"]
    if front == "~":  # an empty document: no fields at all
        expected = ["content/articles/a.md:2: error: `title` is required"]
    assert front_matter_errors(project, front) == expected


@pytest.mark.parametrize("escape, code", [("\\x07", "0007"), ("\\0", "0000"), ("\\e[31m", "001B"), ("\\x7f", "007F"),
                                          ("\\x85", "0085"), ("\\b", "0008"), ("\\uFFFE", "FFFE")])
def test_control_characters_from_yaml_escapes_are_errors(project, escape, code):
    assert front_matter_errors(project, f'title: T\ndate: 2021\nsummary: "a{escape}b"') == [
        f"content/articles/a.md:4: error: text contains the invisible control character U+{code} "
        "(from a YAML escape?); remove it"]


def test_escaped_tabs_newlines_and_line_separators_are_text(project):
    root = project('-- content/articles/a.md --\n---\ntitle: "a\\tb"\ndate: 2021\nsummary: "one\\ntwo \\u2028 three"\n---\n')
    outcome = build(root)
    assert outcome.report.ok, messages(outcome)


def test_a_raw_line_separator_would_shift_every_line_so_it_is_refused(project):
    assert front_matter_errors(project, "title: T\ndate: 2021\nsummary: a\u2028b\nbad: [") == [
        "content/articles/a.md:4: error: contains an invisible line separator (U+2028), which YAML reads as a line "
        "break; replace it with a space"]


def test_syntax_errors_point_at_their_line(project):
    assert front_matter_errors(project, "title: T\ndate: 2021\nsummary: [unclosed") == [
        "content/articles/a.md:4: error: YAML: while parsing a flow sequence: did not find expected ',' or ']'"]
    assert front_matter_errors(project, "title: T\n  summary: S") == [
        "content/articles/a.md:3: error: YAML: mapping values are not allowed in this context"]


# --- bombs and depth: a quick error, never a crash ------------------------------------------

# Python expressions, evaluated in the subprocess (the texts are too long for a command line).
DEEP = {
    "flow sequences": '"tags: " + "[" * 200_000',
    "closed flow sequences": '"tags: " + "[" * 100_000 + "]" * 100_000',
    "flow mappings": '"tags: " + "{a: " * 100_000',
    "block sequences": '"tags:\\n  " + "- " * 200_000 + "x"',
    "complex keys": '"? " * 200_000 + "x"',
    "quotes hiding closers": '"tags: " + \'[ "]", \' * 50_000',
}


def _in_a_subprocess(code: str) -> subprocess.CompletedProcess:
    """Run code in a fresh interpreter: a C-level crash fails this test instead of the whole run."""
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=60, cwd=REPO)


@pytest.mark.parametrize("shape", sorted(DEEP))
def test_deep_nesting_is_a_quick_error_for_every_yaml_engine(shape):
    result = _in_a_subprocess(f"""
        import time
        from digest import source
        from digest.source import SourceError, load_yaml
        text = "title: T\\n" + {DEEP[shape]}
        for loader in {{source._StrictLoader, source._PureStrictLoader}}:
            source._StrictLoader = loader
            started = time.perf_counter()
            try:
                load_yaml(text, first_line=2)
            except SourceError as exc:
                print(exc.line, exc.message, round(time.perf_counter() - started, 3))
    """)
    assert result.returncode == 0, (result.returncode, result.stderr[-500:])  # -11 was a segfault
    lines = result.stdout.splitlines()
    assert lines and all(" YAML nests deeper than 20 levels " in line for line in lines), result.stdout
    assert all(float(line.rsplit(" ", 1)[1]) < 5 for line in lines), result.stdout


def test_deep_nesting_in_every_file_the_tools_read_is_reported_not_crashed_on(project):
    deep = "[" * 200_000
    root = project(f"-- content/articles/a.md --\n---\ntitle: T\nsource: {{seed: seeds/x.txt}}\ntags: {deep}\n---\n"
                   f"-- content/entities.yaml --\nnato: {deep}\n")
    (root / "seeds").mkdir()
    (root / "seeds/new.txt").write_text("Spies expelled\nBy Jane Doe\nMay 1, 2022\nBody text here. More.\n",
                                        encoding="utf-8")
    for command in (["build", "--no-search"], ["check"], ["import"]):
        result = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root), *command],
                                capture_output=True, text=True, timeout=60)
        assert result.returncode in (0, 1), (command, result.returncode, result.stderr[-300:])
        assert "Traceback" not in result.stderr
        if command != ["import"]:
            assert "content/articles/a.md:4: error: YAML nests deeper than 20 levels" in result.stderr
            assert "content/entities.yaml:1: error: YAML nests deeper than 20 levels" in result.stderr
    config = root / "site.yaml"
    config.write_text(f"title: T\nrelated: {deep}\n", encoding="utf-8")
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "--root", str(root), "check"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "site.yaml:2: error: YAML nests deeper than 20 levels" in result.stderr


def test_an_alias_bomb_in_the_entities_file_fails_fast(project):
    levels = "".join(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * 9) + "]\n" for n in range(1, 12))
    root = project("-- content/entities.yaml --\nl0: &l0 [lol]\n" + levels)
    started = time.perf_counter()
    outcome = build(root)
    assert time.perf_counter() - started < 5
    assert errors(outcome) == [  # at the first line that uses an alias, not at its anchor
        "content/entities.yaml:2: error: YAML aliases (`*name`) are not allowed; write the value out"]


# --- the other YAML files -------------------------------------------------------------------

def test_entities_file_problems_are_errors_at_their_lines(project):
    root = project("""-- content/entities.yaml --
nato:
  name: NATO
  type: organization
nato:
  name: Other
  type: country
russia: !!python/object:os.system
  name: R
""")
    assert errors(build(root)) == [
        "content/entities.yaml:7: error: YAML tag `tag:yaml.org,2002:python/object:os.system` is not allowed; "
        "only plain data is"]
    (root / "content/entities.yaml").write_text("nato:\n  name: NATO\n  type: organization\nnato:\n  name: X\n")
    assert errors(build(root)) == ["content/entities.yaml:4: error: duplicate key `nato` (first given on line 1)"]
    for text, expected in [("- a\n- b\n", "content/entities.yaml:1: error: entities.yaml should map ids to entities "
                                          "(`nato: {name: NATO, …}`)"),
                           ("a: 1\n---\nb: 2\n", "content/entities.yaml:1: error: YAML: expected a single document "
                                                 "in the stream: but found another document")]:
        (root / "content/entities.yaml").write_text(text)
        assert errors(build(root)) == [expected]


@pytest.mark.parametrize("config, expected", [
    ('title: T\nbase_url: "javascript:alert(1)//"',
     "site.yaml:2: error: `base_url` should be an http:// or https:// address, not `javascript:alert(1)//`"),
    ('title: T\nbase_url: "https://example.org/\\"><script>"',
     'site.yaml:2: error: `base_url` should be an http:// or https:// address, not `https://example.org/"><script>`'),
    ('title: T\nlanguage: "en\\"><script>"', 'site.yaml:2: error: `language: en"><script>` is not a language tag like en or en-GB'),
    ("title: !!python/object/apply:os.system [x]",
     f"site.yaml:1: error: YAML tag `tag:yaml.org,2002:python/object/apply:os.system` {NOT_ALLOWED}"),
    ("title: T\nitems_per_page: 100000000000000000000000000000000", "site.yaml:2: error: number `10000000000000000000…` is too large"),
    ("title: T\nitems_per_page: 10000000000", "site.yaml:2: error: `items_per_page` should be between 1 and 1000, not 10000000000"),
    ("title: T\nrelated:\n  threshold: .inf", "site.yaml:3: error: `related.threshold` should be between 0 and 1e+06, not inf"),
    ("title: T\nrelated:\n  threshold: .nan", "site.yaml:3: error: `related.threshold` should be between 0 and 1e+06, not nan"),
    ("title: T\ntitle: U", "site.yaml:2: error: duplicate key `title` (first given on line 1)"),
    ("- a list", "site.yaml:1: error: site.yaml should be a mapping of `key: value` lines, but is a list"),
])
def test_site_config_problems_are_errors_at_their_lines(project, config, expected):
    root = project("-- content/articles/a.md --\n---\ntitle: A\ndate: 2021\n---\n", config=config)
    found = errors(build(root))
    if config == "- a list":  # the missing title is a consequence, but a true one
        assert found == ["site.yaml:1: error: `title` is required", expected]
    else:
        assert found == [expected]
