"""The form renderer writes selects in Python with exactly the markup of Django's templates."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from opscenter.core.renderers import FormRenderer, select_html

CHOICES = [
    ("", "全部"),
    ("a&b", 'Tom "&" <Jerry>'),
    (mark_safe("safe"), mark_safe("<b>已转义</b>")),
    ("lazy", gettext_lazy("客户")),
    ("组一", [("x", "甲"), ("y", "乙")]),
]


class SampleForm(forms.Form):
    one = forms.ChoiceField(choices=CHOICES, required=False)
    many = forms.MultipleChoiceField(choices=CHOICES, required=False)
    flagged = forms.ChoiceField(
        choices=CHOICES,
        widget=forms.Select(
            attrs={"class": 'c "q"', "hx-get": "/x?a=1&b=2", "disabled": True, "hidden": False}
        ),
    )
    numbers = forms.TypedChoiceField(choices=[(1, 1), (2, 2)], coerce=int)


@pytest.mark.parametrize(
    "data", [None, {"one": "a&b", "many": ["x", "lazy"], "flagged": "y", "numbers": "2"}]
)
@pytest.mark.parametrize("field", ["one", "many", "flagged", "numbers"])
def test_selects_render_exactly_as_the_django_templates_do(field, data):
    fast = SampleForm(data, renderer=FormRenderer())[field].as_widget()
    templates = SampleForm(data, renderer=DjangoTemplates())[field].as_widget()
    assert fast == templates


def test_the_python_path_is_taken_for_text_labels_and_left_for_others():
    text = SampleForm()["one"]
    assert select_html(text.field.widget.get_context("one", "", {"id": "id_one"})["widget"]) is not None
    numbers = SampleForm()["numbers"]
    # Integer labels localise in templates: left to them.
    assert select_html(numbers.field.widget.get_context("numbers", "", {})["widget"]) is None


def test_the_project_uses_the_renderer(settings):
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FormRenderer)
