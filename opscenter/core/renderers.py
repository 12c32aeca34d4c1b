"""The form renderer: Django's, with `<select>` widgets written in Python.

Django renders every `<option>` through two included templates; a filter form with the site's
staff and channels made that a third of a list page's time under load (issue 11, speed under
load). `FormRenderer` writes the exact markup of `django/forms/widgets/select.html` directly —
same escaping, same whitespace — and falls back to the templates for anything it does not know
(a custom option template, a label that is not text, a project override of the templates).
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.functional import Promise
from django.utils.html import conditional_escape

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"


def _text(value: Any) -> str | None:
    """`{{ value }}` of a text value (None when it is not text: numbers and dates localise)."""
    if isinstance(value, Promise):
        value = str(value)
    return conditional_escape(value) if isinstance(value, str) else None


def _attrs(attrs: dict[str, Any]) -> str:
    """`django/forms/widgets/attrs.html`."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {conditional_escape(name)}")
        if value is not True:
            out.append(f'="{conditional_escape(str(value))}"')
    return "".join(out)


def select_html(widget: dict[str, Any]) -> str | None:
    """The markup `select.html` renders for this widget context, or None to use the templates."""
    name = _text(widget["name"])
    if name is None:
        return None
    parts = [f'<select name="{name}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            label = _text(group_name)
            if label is None:
                return None
            parts.append(f'\n  <optgroup label="{label}">')
        for option in group_choices:
            label = _text(option["label"])
            if option["template_name"] != OPTION or label is None:
                return None
            value = conditional_escape(str(option["value"]))
            # The option template's file ends with a newline, which the include keeps.
            parts.append(f'\n  <option value="{value}"{_attrs(option["attrs"])}>{label}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class FormRenderer(DjangoTemplates):
    """Django's default renderer, with selects rendered by `select_html` (settings.FORM_RENDERER)."""

    def render(self, template_name: str, context: dict[str, Any], request=None) -> str:
        if template_name == SELECT and "widget" in context:
            html = select_html(context["widget"])
            if html is not None:
                return html
        return super().render(template_name, context, request=request)
