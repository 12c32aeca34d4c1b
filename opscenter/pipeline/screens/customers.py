"""The customer list's filters and export rows, and the staff a screen offers to pick."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from opscenter.core.lists import Column
from opscenter.org.models import Staff
from opscenter.org.selectors import scope_for, staff_list
from opscenter.pipeline import selectors
from opscenter.pipeline.choices import ChannelKind, CustomerStatus, Gender
from opscenter.pipeline.models import Customer

# The customer list's columns (sortable ones name their ORM fields); the site column only when the
# user sees more than one site (`customer_columns`).
_NAME = Column("name", _("姓名"), ("name",))
_PHONE = Column("phone", _("电话"), ("phone",))
_STATUS = Column("status", _("状态"), ("status",))
_CHANNEL = Column("channel", _("来源渠道"), ("channel__name",))
_OWNER = Column("owner", _("归属咨询师"), ("owner__name",))
_SITE = Column("site", _("院区"), ("site__name",))
_FIRST = Column("first_contact", _("首次咨询"), ("first_contact_on",))
_CREATED = Column("created", _("登记时间"), ("created_at",), css="col-optional")
CUSTOMER_DEFAULT_SORT = "-created"


def customer_columns(*, with_site: bool) -> tuple[Column, ...]:
    middle = (_SITE,) if with_site else ()
    return (_NAME, _PHONE, _STATUS, _CHANNEL, _OWNER, *middle, _FIRST, _CREATED)


def staff_choices(*, user, site_id: int | None = None) -> QuerySet[Staff]:
    """Active staff the user may pick in a filter or a form, by name; a consultant only themselves."""
    scope = scope_for(user)
    qs = staff_list(user=user, site_id=site_id).filter(is_active=True).order_by("name")
    if scope.own_only and not scope.is_superuser:
        qs = qs.filter(pk=scope.staff_id)
    return qs


def customer_search(
    *,
    user,
    search: str = "",
    status: str | None = None,
    channel_id: int | None = None,
    owner_id: int | None = None,
    site_id: int | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Customer]:
    """The customer list with the screen's filters; the date range is on the first-contact date."""
    qs = selectors.customer_list(
        user=user,
        search=search,
        status=status or None,
        channel_id=channel_id,
        owner_id=owner_id,
        site_id=site_id,
    )
    if date_from is not None:
        qs = qs.filter(first_contact_on__gte=date_from)
    if date_to is not None:
        qs = qs.filter(first_contact_on__lte=date_to)
    return qs


# (header, cell kind, customer field) of the Excel export, in column order.
_EXPORT: tuple[tuple[str, str, str], ...] = (
    (_("客户编号"), "int", "pk"),
    (_("姓名"), "text", "name"),
    (_("电话"), "text", "phone"),
    (_("院区"), "text", "site__name"),
    (_("状态"), "text", "status"),
    (_("来源渠道"), "text", "channel__name"),
    (_("渠道类型"), "text", "channel_kind"),
    (_("归属咨询师"), "text", "owner__name"),
    (_("性别"), "text", "gender"),
    (_("年龄"), "int", "age"),
    (_("职业"), "text", "profession"),
    (_("所在城市"), "text", "city"),
    (_("本市"), "bool", "is_local"),
    (_("首次咨询日期"), "date", "first_contact_on"),
    (_("登记时间"), "datetime", "created_at"),
    (_("标签"), "text", "tags"),
    (_("备注"), "text", "note"),
)
EXPORT_COLUMNS: tuple[tuple[str, str], ...] = tuple((header, kind) for header, kind, _field in _EXPORT)


def customer_export_rows(qs: QuerySet[Customer]) -> Iterator[tuple[Any, ...]]:
    """The export's rows, streamed: one query, read in chunks, choice codes turned into labels."""
    labels = {
        "status": dict(CustomerStatus.choices),
        "channel_kind": dict(ChannelKind.choices),
        "gender": dict(Gender.choices),
    }
    fields = [field for _header, _kind, field in _EXPORT]
    values = qs.select_related(None).values(*fields)
    for row in values.iterator(chunk_size=2000):
        for field, names in labels.items():
            row[field] = names.get(row[field], row[field])
        row["tags"] = _("、").join(row["tags"] or [])
        yield tuple(row[field] for field in fields)
