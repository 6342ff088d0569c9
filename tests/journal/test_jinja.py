"""The Jinja2 environment of the long lists (journal.jinja): everything printed
is escaped as Django escapes it, markup passes as it is, and mistakes are loud."""

import pytest
from django.template import engines
from django.utils.html import escape
from django.utils.safestring import mark_safe
from jinja2 import UndefinedError

from journal.jinja import environment
from journal.sanitize import stored_html

HOSTILE = "<script>alert(\"x\" + 'y')</script> & more"


def render(source: str, **context) -> str:
    return engines["jinja2"].from_string(source).render(context)


def test_text_is_escaped_exactly_as_django_escapes_it():
    django_page = (
        engines["django"].from_string("{{ value }}").render({"value": HOSTILE})
    )

    printed = render("{{ value }}", value=HOSTILE)

    assert printed == escape(HOSTILE) == django_page
    assert "<script>" not in printed


def test_numbers_none_and_objects_are_printed_escaped():
    class Named:
        def __str__(self):
            return "<i>me</i>"

    assert render(
        "{{ n }}|{{ f }}|{{ none }}|{{ obj }}", n=7, f=1.5, none=None, obj=Named()
    ) == ("7|1.5|None|&lt;i&gt;me&lt;/i&gt;")


def test_markup_passes_as_it_is():
    body = stored_html("<p>clean <b>body</b></p>")

    assert render("{{ body }}|{{ safe }}", body=body, safe=mark_safe("<br>")) == (
        "<p>clean <b>body</b></p>|<br>"
    )


def test_attributes_calls_and_items():
    class Comment:
        pk = 5

        def label(self, upper):
            return "<anon>".upper() if upper else "<anon>"

    reasons = [
        {"action": "hold", "message": "<links>"},
        {"action": "note", "message": "x"},
    ]
    printed = render(
        "{{ c.pk }} {{ c.label(upper=True) }} {{ c.label(False) }}"
        '{% for r in reasons if r["action"] == "hold" %} {{ r["message"] }}'
        "{% endfor %}",
        c=Comment(),
        reasons=reasons,
    )

    assert printed == "5 &lt;ANON&gt; &lt;anon&gt; &lt;links&gt;"


def test_a_misspelt_name_or_attribute_fails_instead_of_printing_nothing():
    class Comment:
        pk = 5

    with pytest.raises(UndefinedError):
        render("{{ commnet }}", comment=Comment())
    with pytest.raises(AttributeError):
        render("{{ comment.pkk }}", comment=Comment())


def test_autoescape_cannot_be_switched_off():
    env = environment(autoescape=False)
    assert env.from_string("{{ v }}").render(v=HOSTILE) == escape(HOSTILE)

    with pytest.raises(RuntimeError, match="journal.jinja.environment"):
        env.from_string("{% autoescape false %}{{ v }}{% endautoescape %}")
