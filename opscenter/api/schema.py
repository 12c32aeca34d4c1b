"""The API's schema base: ninja's `Schema`, accepting lazily translated text where a `str` is due.

Model verbose names, choice labels and metric labels are `gettext_lazy` proxies (the screens
translate them per request); pydantic's `str` fields would refuse them, so every field converts
a proxy to the text of the active language first (inside lists and dicts too).
"""

from typing import Any

from django.utils.functional import Promise
from ninja import Schema as NinjaSchema
from pydantic import field_validator


def _plain_text(value: Any) -> Any:
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, list | tuple):
        return type(value)(_plain_text(v) for v in value)
    if isinstance(value, dict):
        return {_plain_text(k): _plain_text(v) for k, v in value.items()}
    return value


class Schema(NinjaSchema):
    @field_validator("*", mode="before")
    @classmethod
    def _lazy_text_as_str(cls, value: Any) -> Any:
        return _plain_text(value)
