"""The Excel downloads of the pipeline's list pages other than the customer list: the follow-ups
due, the rows behind a funnel number and the follow-ups behind a completion number. Each table
mirrors the columns its page shows and goes through `imports.tables` (one query, yuan and dates
formatted, formula-like text neutralised); the views pass the same scoped, filtered queryset they
page through on screen."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from opscenter.imports.tables import ExportColumn, choice_labels, export_response
from opscenter.pipeline.choices import ChannelKind
from opscenter.pipeline.models import Appointment, Consultation, Customer, Deal, FollowUp, Visit

XLSX = "xlsx"  # ?format=xlsx on a list page's own URL: the same filters, as a download


def wants_xlsx(request) -> bool:
    return request.GET.get("format") == XLSX


def cohort_label(month: int | None) -> str:
    """yyyymm → "2024-03" (as the drill-down page shows it)."""
    return f"{month // 100}-{month % 100:02d}" if month else ""


def _customer_column() -> ExportColumn:
    return ExportColumn(gettext_lazy("客户"), "customer__name")


def _local() -> ExportColumn:
    return ExportColumn(
        gettext_lazy("本市"),
        "is_local",
        "text",
        labels={True: gettext_lazy("本市"), False: gettext_lazy("外地")},
    )


def _owner() -> ExportColumn:
    return ExportColumn(gettext_lazy("归属咨询师"), "owner__name")


def _cohort() -> ExportColumn:
    return ExportColumn(gettext_lazy("首次咨询月"), "cohort_month", convert=cohort_label)


# The columns of each kind of funnel drill-down row, in the page's order.
DRILL_TABLES: dict[str, tuple[ExportColumn, ...]] = {
    "customer": (
        ExportColumn(gettext_lazy("客户"), "name"),
        ExportColumn(gettext_lazy("电话"), "phone"),
        ExportColumn(gettext_lazy("状态"), "status", labels=choice_labels(Customer, "status")),
        ExportColumn(gettext_lazy("来源渠道"), "channel__name"),
        ExportColumn(gettext_lazy("渠道类型"), "channel_kind", labels=dict(ChannelKind.choices)),
        ExportColumn(gettext_lazy("职业"), "profession"),
        _owner(),
        ExportColumn(gettext_lazy("首次咨询"), "first_contact_on", "date"),
    ),
    "exit": (
        _customer_column(),
        ExportColumn(gettext_lazy("退出日期"), "exited_on", "date"),
        ExportColumn(gettext_lazy("退出原因"), "reason__name"),
        ExportColumn(gettext_lazy("说明"), "note", width=40),
    ),
    "consultation": (
        _customer_column(),
        ExportColumn(gettext_lazy("时间"), "occurred_at", "datetime"),
        ExportColumn(gettext_lazy("类型"), "mode", labels=choice_labels(Consultation, "mode")),
        ExportColumn(gettext_lazy("意向"), "intent", labels=choice_labels(Consultation, "intent")),
        _local(),
        _owner(),
        _cohort(),
    ),
    "appointment": (
        _customer_column(),
        ExportColumn(gettext_lazy("时间"), "booked_at", "datetime"),
        ExportColumn(gettext_lazy("类型"), "mode", labels=choice_labels(Appointment, "mode")),
        ExportColumn(gettext_lazy("状态"), "status", labels=choice_labels(Appointment, "status")),
        _local(),
        _owner(),
        _cohort(),
    ),
    "visit": (
        _customer_column(),
        ExportColumn(gettext_lazy("时间"), "arrived_at", "datetime"),
        ExportColumn(gettext_lazy("类型"), "source", labels=choice_labels(Visit, "source")),
        ExportColumn(gettext_lazy("状态"), "outcome", labels=choice_labels(Visit, "outcome")),
        _local(),
        _owner(),
        _cohort(),
    ),
    "deal": (
        _customer_column(),
        ExportColumn(gettext_lazy("签约日期"), "signed_on", "date"),
        ExportColumn(
            gettext_lazy("类型"),
            "is_new_customer",
            labels={True: gettext_lazy("新顾客成交"), False: gettext_lazy("老顾客成交")},
        ),
        ExportColumn(gettext_lazy("状态"), "status", labels=choice_labels(Deal, "status")),
        _local(),
        _owner(),
        ExportColumn(gettext_lazy("金额"), "amount_fen", "yuan"),
        _cohort(),
    ),
}


def drill_rows_response(title: str, kind: str, rows: QuerySet) -> FileResponse:
    """The rows behind a number; the site comes last (a funnel may mix sites)."""
    table = (*DRILL_TABLES[kind], ExportColumn(_("院区"), "site__name"))
    return export_response(_("%(title)s明细") % {"title": title}, table, rows, sheet_name=title)


def followups_due_response(rows: QuerySet[FollowUp], *, today: dt.date) -> FileResponse:
    """The due list as on screen: who is to call, the customer, the date (逾期 / 今日), the note."""
    table = (
        ExportColumn(_("回访人"), "staff__name", convert=lambda name: name or _("未指定回访人")),
        ExportColumn(_("客户"), "customer__name"),
        ExportColumn(_("电话"), "customer__phone"),
        ExportColumn(_("计划日期"), "scheduled_on", "date"),
        ExportColumn(_("到期"), "scheduled_on", convert=lambda day: _("逾期") if day < today else _("今日")),
        ExportColumn(_("回访方式"), "channel", labels=choice_labels(FollowUp, "channel")),
        ExportColumn(_("回访要点"), "note", width=40),
        ExportColumn(_("归属咨询师"), "customer__owner__name"),
    )
    return export_response(_("今日回访"), table, rows)


def followup_rows_response(title: str, rows: QuerySet[FollowUp]) -> FileResponse:
    """The follow-ups behind a completion number, with the columns of their page."""
    table = (
        ExportColumn(_("客户"), "customer__name"),
        ExportColumn(_("计划日期"), "scheduled_on", "date"),
        ExportColumn(_("完成日期"), "done_on", "date"),
        ExportColumn(_("结果"), "outcome", labels=choice_labels(FollowUp, "outcome")),
        ExportColumn(_("满意度"), "satisfaction", labels=choice_labels(FollowUp, "satisfaction")),
        ExportColumn(_("回访人"), "staff__name", convert=lambda name: name or _("未指定回访人")),
        ExportColumn(_("回访方式"), "channel", labels=choice_labels(FollowUp, "channel")),
        ExportColumn(_("院区"), "site__name"),
    )
    return export_response(_("%(title)s明细") % {"title": title}, table, rows, sheet_name=title)


# The work-queue lists (issue 12 item 5), as on screen; the site column is always exported.
def _site() -> ExportColumn:
    return ExportColumn(_("院区"), "site__name")


APPOINTMENT_TABLE = (
    ExportColumn(gettext_lazy("预约到院时间"), "scheduled_for", "datetime"),
    _customer_column(),
    ExportColumn(gettext_lazy("电话"), "customer__phone"),
    _site(),
    ExportColumn(gettext_lazy("预约方式"), "mode", labels=choice_labels(Appointment, "mode")),
    ExportColumn(gettext_lazy("状态"), "status", labels=choice_labels(Appointment, "status")),
    _owner(),
    ExportColumn(gettext_lazy("备注"), "note", width=40),
)
VISIT_TABLE = (
    ExportColumn(gettext_lazy("到院时间"), "arrived_at", "datetime"),
    _customer_column(),
    _site(),
    ExportColumn(gettext_lazy("上门来源"), "source", labels=choice_labels(Visit, "source")),
    ExportColumn(gettext_lazy("类型"), "kind", labels=choice_labels(Visit, "kind")),
    ExportColumn(gettext_lazy("现场咨询师"), "onsite_consultant__name"),
    _owner(),
    ExportColumn(gettext_lazy("结果"), "outcome", labels=choice_labels(Visit, "outcome")),
)
DEAL_TABLE = (
    ExportColumn(gettext_lazy("签约日期"), "signed_on", "date"),
    _customer_column(),
    _site(),
    ExportColumn(gettext_lazy("入住类型"), "stay_type", labels=choice_labels(Deal, "stay_type")),
    ExportColumn(gettext_lazy("金额"), "amount_fen", "yuan"),
    ExportColumn(
        gettext_lazy("类型"),
        "is_new_customer",
        labels={True: gettext_lazy("新顾客成交"), False: gettext_lazy("老顾客成交")},
    ),
    ExportColumn(gettext_lazy("状态"), "status", labels=choice_labels(Deal, "status")),
    ExportColumn(gettext_lazy("成交咨询师"), "consultant__name"),
)
QUEUE_TABLES = {"appointment": APPOINTMENT_TABLE, "visit": VISIT_TABLE, "deal": DEAL_TABLE}


def queue_response(title: str, kind: str, rows: QuerySet) -> FileResponse:
    return export_response(title, QUEUE_TABLES[kind], rows, sheet_name=title)
