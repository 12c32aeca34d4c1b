"""The funnel page's tables: labelled cells that link to their rows, share tables, period links."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opscenter.org.selectors import department_list, site_list, team_list
from opscenter.pipeline import selectors
from opscenter.pipeline.choices import ChannelKind
from opscenter.pipeline.models import ExitReason
from opscenter.pipeline.periods import month_add, month_key
from opscenter.pipeline.screens.customers import staff_choices
from opscenter.pipeline.selectors import (
    METRICS,
    RATES,
    TABLES,
    Funnel,
    FunnelFilters,
    FunnelRow,
    metric_label,
)


def drill_url(filters: FunnelFilters, metric: str, month: int | None = None) -> str:
    """The drill-down list of one funnel cell (a month of the trend table, or the whole period)."""
    return f"{_drill_prefix(filters, month, get_script_prefix())}&{urlencode({'metric': metric})}"


@lru_cache(maxsize=512)
def _drill_prefix(filters: FunnelFilters, month: int | None, _script_prefix: str) -> str:
    """The drill-down URL up to the metric: the same for every cell of a row, so a page of about a
    hundred cells reverses and encodes each row's filters once (filters are immutable)."""
    cell = filters.for_month(month) if month else filters
    return f"{reverse('pipeline:funnel_rows')}?{urlencode(cell.as_params())}"


def funnel_filter_choices(*, user) -> dict[str, QuerySet]:
    """Sites, channels, departments, teams and consultants the user may filter the funnel by."""
    return {
        "sites": site_list(user=user).order_by("name"),
        "channels": selectors.channel_list(user=user),
        "departments": department_list(user=user).order_by("site__name", "name"),
        "teams": team_list(user=user).order_by("department__site__name", "name"),
        "staff": staff_choices(user=user),
    }


def fmt_rate(rate) -> str:
    """0.3142 → "31.4%"; no denominator → "—"."""
    if rate is None:
        return "—"
    return f"{(Decimal(rate) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def fmt_yuan(fen: int | None) -> str:
    if fen is None:
        return "—"
    return f"¥{(Decimal(fen) / 100).quantize(Decimal('0.01'), ROUND_HALF_UP):,}"


# (section title, cell keys): counts from METRICS, rates from RATES, money keys of the funnel row.
FUNNEL_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        gettext_lazy("咨询"),
        (
            "consultations",
            "consultations_phone",
            "consultations_online_local",
            "consultations_online_remote",
            "consultations_onsite",
        ),
    ),
    (
        gettext_lazy("预约"),
        (
            "appointments",
            "appointments_phone",
            "phone_appointment_rate",
            "appointments_online_local",
            "online_appointment_rate",
            "appointments_online_remote",
            "appointments_no_show",
            "no_show_rate",
        ),
    ),
    (
        gettext_lazy("上门"),
        (
            "visits",
            "visits_phone",
            "phone_visit_rate",
            "visits_online_local",
            "online_visit_rate",
            "visits_online_remote",
            "visits_walk_in",
        ),
    ),
    (
        gettext_lazy("成交"),
        (
            "deals",
            "deals_new",
            "deals_history",
            "new_customer_conversion_rate",
            "total_conversion_rate",
            "revenue_fen",
            "revenue_per_customer_fen",
            "revenue_per_deal_fen",
        ),
    ),
)


@dataclass(frozen=True)
class FunnelCell:
    key: str
    label: str
    value: str
    url: str
    kind: str  # count | rate | money
    hint: str = ""


def _cell(row: FunnelRow, filters: FunnelFilters, key: str, month: int | None = None) -> FunnelCell:
    url = drill_url(filters, key, month)
    if key in RATES:
        label, num, den = RATES[key]
        hint = f"{METRICS[num].label} {row.counts[num]} ÷ {METRICS[den].label} {row.counts[den]}"
        return FunnelCell(key, label, fmt_rate(row.rates[key]), url, "rate", hint)
    if key == "revenue_fen":
        return FunnelCell(key, _("成交金额"), fmt_yuan(row.revenue_fen), url, "money", _("已签约成交合计"))
    if key == "revenue_per_customer_fen":
        hint = _("成交金额 ÷ 成交客户 %(deal_customers)s 人") % {"deal_customers": row.deal_customers}
        return FunnelCell(key, _("人均贡献额"), fmt_yuan(row.revenue_per_customer_fen), url, "money", hint)
    if key == "revenue_per_deal_fen":
        hint = _("成交金额 ÷ 签约成交 %(deals)s 笔") % {"deals": row.counts["deals"]}
        return FunnelCell(key, _("单笔贡献额"), fmt_yuan(row.revenue_per_deal_fen), url, "money", hint)
    return FunnelCell(key, metric_label(key), str(row.counts[key]), url, "count")


def funnel_sections(funnel: Funnel) -> list[tuple[str, list[FunnelCell]]]:
    """The period's numbers in the page's four sections, each cell with its drill-down link."""
    return [
        (title, [_cell(funnel.total, funnel.filters, key) for key in keys]) for title, keys in FUNNEL_SECTIONS
    ]


MONTH_TABLE_KEYS = (
    "consultations",
    "appointments",
    "visits",
    "deals",
    "total_conversion_rate",
    "revenue_fen",
)


def funnel_month_table(funnel: Funnel) -> tuple[list[str], list[tuple[str, list[FunnelCell]]]]:
    """Header labels and one row of linked cells per month (newest first), then the total."""
    header = [_cell(funnel.total, funnel.filters, key).label for key in MONTH_TABLE_KEYS]
    rows = [
        (row.label, [_cell(row, funnel.filters, key, row.month) for key in MONTH_TABLE_KEYS])
        for row in reversed(funnel.months)
    ]
    rows.append((_("合计"), [_cell(funnel.total, funnel.filters, key) for key in MONTH_TABLE_KEYS]))
    return header, rows


@dataclass(frozen=True)
class ShareLine:
    label: str
    count: int
    percent: str
    url: str


def share_tables(*, user, filters: FunnelFilters) -> list[tuple[str, str, list[ShareLine]]]:
    """Source, profession and exit-reason tables for the funnel's period and site, with links."""
    base = {"month_from": filters.month_from, "month_to": filters.month_to, "site_id": filters.site_id}
    params = {k: v for k, v in filters.as_params().items() if k in ("view", "month_from", "month_to", "site")}
    tables = []
    for table, title in TABLES.items():
        lines = [
            ShareLine(
                label=share.label,
                count=share.count,
                percent=f"{share.percent}%",
                url=f"{reverse('pipeline:funnel_rows')}?{urlencode({**params, 'table': table, 'key': share.key})}",
            )
            for share in selectors.share_table(user=user, table=table, **base)
        ]
        tables.append((table, title, lines))
    return tables


def share_line_label(table: str, key: str) -> str:
    """The label of one share-table line, for the drill-down page's heading."""
    if table == "source":
        return dict(ChannelKind.choices).get(key, key)
    if table == "exit_reason":
        return (
            ExitReason.objects.filter(pk=int(key)).values_list("name", flat=True).first() or key
            if key.isdigit()
            else key
        )
    return key or _("未填写")


def rate_note(metric: str) -> str:
    """A rate or money cell drills down to the rows it is computed from: say which."""
    if metric in RATES:
        label, num, den = RATES[metric]
        return _("%(label)s = %(numerator)s ÷ %(denominator)s；下列为分子“%(numerator)s”的明细") % {
            "label": label,
            "numerator": METRICS[num].label,
            "denominator": METRICS[den].label,
        }
    if metric in ("revenue_fen", "revenue_per_customer_fen", "revenue_per_deal_fen", "deal_customers"):
        return _("%(metric_label)s由下列已签约成交计算") % {"metric_label": metric_label(metric)}
    return ""


def label_drill_rows(rows) -> None:
    """Display values of a drill-down page's rows (amounts in yuan, cohort month as 2026-07)."""
    for row in rows:
        if hasattr(row, "amount_fen"):
            row.amount_display = fmt_yuan(row.amount_fen)
        if hasattr(row, "cohort_month") and row.cohort_month:
            row.cohort_label = f"{row.cohort_month // 100}-{row.cohort_month % 100:02d}"


def period_shortcuts(filters: FunnelFilters, today: dt.date) -> list[tuple[str, str, bool]]:
    """Links for 本月 / 上月 / 本季度 / 今年 / 近12个月, keeping the other filters: (label, url, current)."""
    this = month_key(today)
    quarter_first = (today.year * 100) + ((today.month - 1) // 3) * 3 + 1
    ranges = (
        (_("本月"), this, this),
        (_("上月"), month_add(this, -1), month_add(this, -1)),
        (_("本季度"), quarter_first, this),
        (_("今年"), today.year * 100 + 1, this),
        (_("近12个月"), month_add(this, -11), this),
    )
    base = {k: v for k, v in filters.as_params().items() if k not in ("month_from", "month_to")}
    links = []
    for label, first, last in ranges:
        params = {
            **base,
            "month_from": f"{first // 100}-{first % 100:02d}",
            "month_to": f"{last // 100}-{last % 100:02d}",
        }
        current = (filters.month_from, filters.month_to) == (first, last)
        links.append((label, f"{reverse('pipeline:funnel')}?{urlencode(params)}", current))
    return links
