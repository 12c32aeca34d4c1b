"""Input bounds of the API schemas, derived from the models and `core.bounds` (never restated).

`column(Model, "field")` is the type of a text input stored in that column: at most the column's
`max_length` characters (TextFields: TEXT_LIMIT) and no NUL byte, which PostgreSQL refuses in text
and which has no business in a name or a note. `Money`, `Sessions` and `lines_field()` carry the
documented maximums. `NoNullPatch` is the base of PATCH schemas: a field may be left out, but sent
as null only when its column is nullable.

Batch endpoints take their items as `Batch[ItemSchema]`: one to `MAX_BATCH_ITEMS` items, the count
checked before any item is validated (a 422 naming the field, in Chinese). `check_batch(items)`
is the same rule for lists that do not come through a schema (ids in a query string).
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import Field
from pydantic import AfterValidator, BeforeValidator, StringConstraints, model_validator
from pydantic_core import PydanticCustomError

from opscenter.api.schema import Schema
from opscenter.core.bounds import MAX_AMOUNT_FEN, MAX_BATCH_ITEMS, MAX_DEAL_LINES, MAX_SESSIONS
from opscenter.core.exceptions import ValidationError

TEXT_LIMIT = 10_000  # characters of a free-text (TextField) input


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise PydanticCustomError("nul_byte", gettext("不能包含 NUL 字符"))
    return value


def column(model: type[models.Model], name: str) -> Any:
    """The str type of an input stored in `model.name`, bounded by the column."""
    max_length = getattr(model._meta.get_field(name), "max_length", None) or TEXT_LIMIT
    return Annotated[str, StringConstraints(max_length=max_length), AfterValidator(_no_nul)]


Text = Annotated[str, StringConstraints(max_length=TEXT_LIMIT), AfterValidator(_no_nul)]
Money = Annotated[
    int,
    Field(
        ge=0,
        le=MAX_AMOUNT_FEN,
        description=_("分，0 … %(MAX_AMOUNT_FEN)s") % {"MAX_AMOUNT_FEN": MAX_AMOUNT_FEN},
    ),
]
Sessions = Annotated[int, Field(ge=1, le=MAX_SESSIONS)]


def lines_field() -> Any:
    return Field(
        default_factory=list,
        max_length=MAX_DEAL_LINES,
        description=gettext("至多 %(MAX_DEAL_LINES)s 条") % {"MAX_DEAL_LINES": MAX_DEAL_LINES},
    )


def _batch_message(count: int) -> str | None:
    if count == 0:
        return gettext("至少提交 1 条")
    if count > MAX_BATCH_ITEMS:
        return gettext("一次最多提交 %(max)s 条（本次 %(count)s 条），请分批提交") % {
            "max": MAX_BATCH_ITEMS,
            "count": count,
        }
    return None


def _batch_size(value: Any) -> Any:
    if isinstance(value, list | tuple):
        message = _batch_message(len(value))
        if message:
            raise PydanticCustomError("batch_size", message)
    return value


def check_batch(items: Any, *, field: str = "items") -> None:
    """The batch rule for a list that does not come through a schema: a ValidationError naming
    `field` (a 422 at the API) unless it has 1 … MAX_BATCH_ITEMS items."""
    message = _batch_message(len(items))
    if message:
        raise ValidationError(message, field=field)


T = TypeVar("T")
# `Batch[ItemIn]`: the items of one batch request (the count is checked before the items are).
Batch = Annotated[
    list[T],
    BeforeValidator(_batch_size),
    Field(description=_("1 … %(MAX_BATCH_ITEMS)s 条") % {"MAX_BATCH_ITEMS": MAX_BATCH_ITEMS}),
]


class NoNullPatch(Schema):
    """PATCH body of a model (`PATCH_MODEL: ClassVar` on the subclass): null only for nullable columns."""

    @model_validator(mode="before")
    @classmethod
    def _nulls(cls, data: Any) -> Any:
        model = getattr(cls, "PATCH_MODEL", None)
        body = getattr(data, "_obj", data)  # ninja hands the body in wrapped
        if model is None or not isinstance(body, dict):
            return data
        for key, value in body.items():
            if value is not None:
                continue
            try:
                field = model._meta.get_field(key.removesuffix("_id"))
            except FieldDoesNotExist:  # not a column: left to the field's own type
                continue
            if not field.null:
                raise PydanticCustomError("not_null", gettext("字段 {field} 不能为 null"), {"field": key})
        return data
