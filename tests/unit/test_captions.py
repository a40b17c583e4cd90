"""Figure captions as reStructuredText: the escaping that keeps agreement text literal in the report."""

import html
import re

import docutils.core
import pytest

from rnnchaos.plotting import rst_escape

NASTY = [
    r"median |difference| 3.1%",                          # a substitution reference unless escaped
    "<x*^2> of the points, mu*(y) and x*_i",              # emphasis start, reference end
    "a `literal` and a trailing_ name_ and *stars*",
    r"a back\slash \* and \| already there",
]


def rendered(rst: str) -> str:
    """The text docutils renders, and its system messages (none expected)."""
    parts = docutils.core.publish_parts(rst, writer="html", settings_overrides={"report_level": 1, "halt_level": 5})
    return parts["body"]


@pytest.mark.parametrize("text", NASTY)
def test_escaped_text_renders_literally_without_system_messages(text):
    body = rendered(rst_escape(text))
    assert "System Message" not in body and "system-message" not in body, body
    plain = html.unescape(re.sub(r"<[^>]+>", "", body)).strip()
    assert plain == text


def test_unescaped_difference_is_an_undefined_substitution():
    """The failure the escaping prevents (report captions showed 'Undefined substitution referenced')."""
    assert "Undefined substitution" in rendered(NASTY[0])


def test_escape_is_exact():
    assert rst_escape(r"a|b*c`d_e\f") == r"a\|b\*c\`d\_e\\f"
    assert rst_escape("plain text, 1.5 +- 0.2 (g = 2)") == "plain text, 1.5 +- 0.2 (g = 2)"
