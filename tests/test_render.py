"""Printing values in layouts: `{{ value }}` gives exactly markupsafe's escaping, whatever the value."""

from __future__ import annotations

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup, escape

from digest.render import _WatchingEnvironment


class Html:
    def __html__(self):
        return "<b>safe</b>"


@pytest.fixture(scope="module")
def env():
    return _WatchingEnvironment(autoescape=True, undefined=jinja2.StrictUndefined)


@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=False), st.none(), st.booleans(),
                 st.lists(st.text(max_size=5), max_size=3), st.text().map(Markup)))
def test_a_printed_value_is_escaped_as_markupsafe_escapes_it(env, value):
    assert env.from_string("{{ v }}|{{ v }}").render(v=value) == f"{escape(value)}|{escape(value)}"


def test_html_objects_print_their_html_and_autoescape_can_be_turned_off(env):
    page = env.from_string('{{ h }} {{ s }} {% autoescape false %}{{ s }}{% endautoescape %} {{ s|safe }}')
    assert page.render(h=Html(), s="<i>&") == "<b>safe</b> &lt;i&gt;&amp; <i>& <i>&"


def test_blocks_macros_and_set_blocks_stay_safe_text(env):
    page = env.from_string('{% macro m(x) %}<p>{{ x }}</p>{% endmacro %}{% set b %}<em>{{ "<" }}</em>{% endset %}'
                           '{{ m("&") }}{{ b }}{{ m("<")|upper }}')
    assert page.render() == "<p>&amp;</p><em>&lt;</em><P>&LT;</P>"


def test_an_undefined_value_still_fails(env):
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ missing }}").render()
