"""Share tables with percentages (seed 000 表1–3): customer source, profession, exit reason.

"31.4% referral": each table is one GROUP BY over the user's scoped rows. Percentages are of the
table's total, to one decimal (half up); the rows behind a line come from `share_rows`.
Customers are counted by their cohort (first-contact) month when a period is given;
`signed_only` restricts to customers with a signed deal (the residents of seed 000).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opscenter.core.exceptions import ValidationError
from opscenter.pipeline.choices import ChannelKind, DealStatus
from opscenter.pipeline.models import Customer, Deal, Exit, ExitReason
from opscenter.pipeline.selectors.records import customer_list, exit_list

TABLES = {"source": _("客户来源"), "profession": _("客户职业"), "exit_reason": _("客户退出原因")}
UNKNOWN_PROFESSION = _("未填写")


@dataclass(frozen=True)
class Share:
    """One line of a share table: `key` (what `share_rows` takes), label, count, percent."""

    key: str
    label: str
    count: int
    percent: Decimal

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, "count": self.count, "percent": float(self.percent)}


def _percent(count: int, total: int) -> Decimal:
    if not total:
        return Decimal("0.0")
    return (Decimal(count * 100) / Decimal(total)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _customers(
    user, *, site_id: int | None, month_from: int | None, month_to: int | None, signed_only: bool
) -> QuerySet[Customer]:
    qs = customer_list(user=user, site_id=site_id).select_related(None).order_by()
    if month_from is not None:
        qs = qs.filter(cohort_month__gte=month_from)
    if month_to is not None:
        qs = qs.filter(cohort_month__lte=month_to)
    if signed_only:
        qs = qs.filter(Exists(Deal.objects.filter(customer=OuterRef("pk"), status=DealStatus.SIGNED)))
    return qs


def _exits(user, *, site_id: int | None, month_from: int | None, month_to: int | None) -> QuerySet[Exit]:
    qs = exit_list(user=user, site_id=site_id).select_related(None).order_by()
    if month_from is not None:
        qs = qs.filter(month__gte=month_from)
    if month_to is not None:
        qs = qs.filter(month__lte=month_to)
    return qs


def share_table(
    *,
    user,
    table: str,
    site_id: int | None = None,
    month_from: int | None = None,
    month_to: int | None = None,
    signed_only: bool = False,
) -> list[Share]:
    """`table` is "source" (by channel kind), "profession" or "exit_reason"; largest share first."""
    if table == "source":
        qs = _customers(
            user, site_id=site_id, month_from=month_from, month_to=month_to, signed_only=signed_only
        )
        counts = {row["channel_kind"]: row["n"] for row in qs.values("channel_kind").annotate(n=Count("pk"))}
        labels = dict(ChannelKind.choices)
    elif table == "profession":
        qs = _customers(
            user, site_id=site_id, month_from=month_from, month_to=month_to, signed_only=signed_only
        )
        counts = {row["profession"]: row["n"] for row in qs.values("profession").annotate(n=Count("pk"))}
        labels = {key: key or UNKNOWN_PROFESSION for key in counts}
    elif table == "exit_reason":
        qs = _exits(user, site_id=site_id, month_from=month_from, month_to=month_to)
        by_id = {row["reason_id"]: row["n"] for row in qs.values("reason_id").annotate(n=Count("pk"))}
        names = dict(ExitReason.objects.filter(pk__in=by_id).values_list("pk", "name"))
        counts = {str(pk): n for pk, n in by_id.items()}
        labels = {str(pk): names[pk] for pk in by_id}
    else:
        raise ValidationError(gettext("未知的统计表：%(table)s") % {"table": table}, field="table")
    total = sum(counts.values())
    shares = [
        Share(key=str(k), label=labels[k], count=n, percent=_percent(n, total)) for k, n in counts.items()
    ]
    return sorted(shares, key=lambda s: (-s.count, s.label))


def share_rows(
    *,
    user,
    table: str,
    key: str,
    site_id: int | None = None,
    month_from: int | None = None,
    month_to: int | None = None,
    signed_only: bool = False,
) -> QuerySet:
    """The customers (or exits) behind one line of `share_table`."""
    if table == "source":
        qs = _customers(
            user, site_id=site_id, month_from=month_from, month_to=month_to, signed_only=signed_only
        )
        return qs.filter(channel_kind=key).select_related("owner", "channel").order_by("pk")
    if table == "profession":
        qs = _customers(
            user, site_id=site_id, month_from=month_from, month_to=month_to, signed_only=signed_only
        )
        return qs.filter(profession="" if key in ("", UNKNOWN_PROFESSION) else key).order_by("pk")
    if table == "exit_reason":
        if not str(key).isdigit():
            raise ValidationError(gettext("退出原因参数不正确"), field="key")
        qs = _exits(user, site_id=site_id, month_from=month_from, month_to=month_to)
        return qs.filter(reason_id=int(key)).select_related("customer", "reason").order_by("pk")
    raise ValidationError(gettext("未知的统计表：%(table)s") % {"table": table}, field="table")
