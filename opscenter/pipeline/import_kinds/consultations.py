"""Consultations (咨询): natural key customer + time + mode.

Rows are what `pipeline.services.consultation_record` writes: the funnel columns copied from the
customer (cohort month, channel, 本市, owner and the owner's team), `month` of the consultation,
`is_first` on the customer's earliest consultation, and the customer's first contact (and cohort
month, on the customer and on all their event rows) moved earlier when a consultation predates it.
These follow-ups are set-based: a few UPDATE statements per batch, never one per row.
With "create missing customers" an unknown phone registers the customer (name from the row).
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.imports.bulk import insert_rows
from opscenter.imports.changes import change_blockers, record_changes, undo_changes
from opscenter.imports.constants import CONSULTATION_MODE_ALIASES, INTENT_ALIASES
from opscenter.imports.engine import CREATE, UNCHANGED, Field, ImportContext, ImportKind, ParsedRow
from opscenter.imports.kinds import register
from opscenter.pipeline.choices import IntentLevel
from opscenter.pipeline.import_kinds.refs import create_missing_customers, resolve_customers, resolve_staff
from opscenter.pipeline.models import Appointment, Consultation, Customer, Deal, Visit
from opscenter.pipeline.periods import month_key

EVENT_MODELS = (Consultation, Appointment, Visit, Deal)


def touch_first_contact(customer_dates: dict[int, dt.date], *, job_id: int | None = None) -> None:
    """Set-based `touch_first_contact`: move each customer's first contact (and cohort month, also
    on every event row of theirs) earlier when the given date precedes it. The values before are
    kept as `ImportChange` rows of the job, so undo can put them back."""
    if not customer_dates:
        return
    current = {
        pk: (first, cohort)
        for pk, first, cohort in Customer.objects.filter(pk__in=customer_dates).values_list(
            "id", "first_contact_on", "cohort_month"
        )
    }
    moved = [
        (d, month_key(d), pk)
        for pk, d in customer_dates.items()
        if current.get(pk, (None,))[0] is None or d < current[pk][0]
    ]
    if not moved:
        return
    record_changes(
        job_id,
        Customer,
        [
            (
                pk,
                {"first_contact_on": current[pk][0], "cohort_month": current[pk][1]},
                {"first_contact_on": d, "cohort_month": m},
            )
            for d, m, pk in moved
            if pk in current
        ],
    )
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {qn(Customer._meta.db_table)} SET first_contact_on = %s, cohort_month = %s WHERE id = %s",
            [(connection.ops.adapt_datefield_value(d), m, pk) for d, m, pk in moved],
        )
        ids = [pk for _, _, pk in moved]
        customer_table = qn(Customer._meta.db_table)
        for model in EVENT_MODELS:
            table = qn(model._meta.db_table)
            for start in range(0, len(ids), 5000):
                chunk = ids[start : start + 5000]
                cursor.execute(
                    f"UPDATE {table} SET cohort_month = (SELECT c.cohort_month FROM {customer_table} c "
                    f"WHERE c.id = {table}.customer_id) WHERE customer_id IN ({', '.join(['%s'] * len(chunk))})",
                    chunk,
                )


def mark_first_consultations(customer_ids: list[int]) -> None:
    """`is_first` on each customer's earliest consultation (ties: the earlier row), off elsewhere."""
    qn = connection.ops.quote_name
    table = qn(Consultation._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(customer_ids), 5000):
            chunk = customer_ids[start : start + 5000]
            cursor.execute(
                f"UPDATE {table} SET is_first = (id = (SELECT c2.id FROM {table} c2 WHERE c2.customer_id = "
                f"{table}.customer_id ORDER BY c2.occurred_at, c2.id LIMIT 1)) "
                f"WHERE customer_id IN ({', '.join(['%s'] * len(chunk))})",
                chunk,
            )


@register
class ConsultationImport(ImportKind):
    name = "consultations"
    label_zh = gettext_noop("咨询")  # stays Chinese (data); screens translate it
    permission = "pipeline.add_consultation"
    natural_key = ("customer_key", "occurred_at", "mode")
    fields = (  # i18n: data
        Field(
            "occurred_at",
            "咨询时间",
            ("时间", "日期", "咨询日期", "来电时间", "time", "date"),
            type="datetime",
            required=True,
        ),
        Field(
            "customer_name",
            "客户姓名",
            ("客户称呼", "姓名", "称呼", "客户", "name", "customer"),
            max_length=50,
        ),
        Field(
            "phone", "电话", ("手机", "手机号", "联系电话", "客户电话", "phone", "mobile"), type="phone"
        ),  # i18n: data
        Field(
            "mode",
            "咨询方式",
            ("方式", "渠道", "来源", "mode"),
            type="choice",
            choices=CONSULTATION_MODE_ALIASES,
            required=True,
        ),
        Field("content", "咨询内容", ("咨询项目", "内容", "项目", "content", "item")),  # i18n: data
        Field(
            "intent", "意向程度", ("意向", "意向等级", "intent"), type="choice", choices=INTENT_ALIASES
        ),  # i18n: data
        Field(
            "staff",
            "接待咨询师",
            ("接待人", "咨询师", "接待", "顾问", "staff"),
            reference="staff",
            required=True,
        ),
        Field("next_step", "下一步", ("跟进计划", "备注", "next_step", "note"), max_length=200),  # i18n: data
    )

    def row_key(self, row: ParsedRow) -> tuple | None:
        customer = row.values.get("customer_id") or ("new", row.values["phone"].number)
        return (customer, row.values["occurred_at"], row.values["mode"])

    def resolve_references(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        resolve_customers(batch, ctx)
        resolve_staff(
            [r for r in batch if r.ok],
            ctx,
            field="staff",
            target="staff_id",
            label=_("接待咨询师"),
            departed=True,
        )

    def validate_row(self, row: ParsedRow, ctx: ImportContext) -> None:
        if row.values["occurred_at"] > ctx.now + dt.timedelta(minutes=5):
            row.error("occurred_at", _("咨询时间不能晚于当前时间"))
        row.values["intent"] = row.values.get("intent") or IntentLevel.MEDIUM.value

    def find_existing(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        ids = {r.values["customer_id"] for r in batch if r.values.get("customer_id")}
        existing = (
            set(
                Consultation.objects.filter(customer_id__in=ids).values_list(
                    "customer_id", "occurred_at", "mode"
                )
            )
            if ids
            else set()
        )
        for row in batch:
            key = (row.values.get("customer_id"), row.values["occurred_at"], row.values["mode"])
            row.action = UNCHANGED if key in existing else CREATE

    def write(self, batch: list[ParsedRow], ctx: ImportContext) -> tuple[int, int]:
        create_missing_customers(batch, ctx)
        columns = (
            "site_id",
            "customer_id",
            "month",
            "cohort_month",
            "channel_id",
            "channel_kind",
            "is_local",
            "owner_id",
            "team_id",
            "mode",
            "staff_id",
            "occurred_at",
            "content",
            "intent",
            "next_step",
            "next_step_on",
            "is_first",
            "import_job_id",
            "created_at",
        )
        rows = []
        first_dates: dict[int, dt.date] = {}
        for row in batch:
            v, c = row.values, row.extra["customer"]
            rows.append(
                (
                    ctx.site_id,
                    c["id"],
                    month_key(v["occurred_at"]),
                    c["cohort_month"],
                    c["channel_id"],
                    c["channel_kind"],
                    c["is_local"],
                    c["owner_id"],
                    c["owner__team_id"],
                    v["mode"],
                    v["staff_id"],
                    v["occurred_at"],
                    v.get("content") or "",
                    v["intent"],
                    v.get("next_step") or "",
                    None,
                    False,
                    ctx.job_id,
                    ctx.now,
                )
            )
            day = timezone.localtime(v["occurred_at"]).date()
            if c["id"] not in first_dates or day < first_dates[c["id"]]:
                first_dates[c["id"]] = day
        insert_rows(Consultation, columns, rows)
        touch_first_contact(first_dates, job_id=ctx.job_id)
        mark_first_consultations(sorted(first_dates))
        return len(rows), 0

    def undo_blockers(self, job_id: int) -> list[str]:
        created = Customer.objects.filter(import_job_id=job_id).values("id")
        later = Consultation.objects.filter(customer_id__in=created).exclude(import_job_id=job_id).count()
        blockers = (
            [_("%(later)s 条后来登记的咨询引用了本次导入新建的客户") % {"later": later}] if later else []
        )
        return blockers + change_blockers(job_id)

    def undo(self, job_id: int) -> int:
        rows = Consultation.objects.filter(import_job_id=job_id)
        customer_ids = sorted(set(rows.values_list("customer_id", flat=True)))
        removed = rows._raw_delete(rows.db)
        new_customers = Customer.objects.filter(import_job_id=job_id)
        new_customers._raw_delete(new_customers.db)
        restore_first_contacts(job_id)
        remaining = list(Customer.objects.filter(pk__in=customer_ids).values_list("id", flat=True))
        if remaining:
            mark_first_consultations(remaining)
        return removed


def restore_first_contacts(job_id: int) -> None:
    """Undo `touch_first_contact`: the customers' first contact and cohort month as they were,
    and the cohort month copied back onto their event rows."""
    restored = undo_changes(job_id).get(Customer._meta.label_lower, [])
    if restored:
        copy_cohort_to_events(restored)


def copy_cohort_to_events(customer_ids: list[int]) -> None:
    qn = connection.ops.quote_name
    customer_table = qn(Customer._meta.db_table)
    with connection.cursor() as cursor:
        for model in EVENT_MODELS:
            table = qn(model._meta.db_table)
            for start in range(0, len(customer_ids), 5000):
                chunk = customer_ids[start : start + 5000]
                cursor.execute(
                    f"UPDATE {table} SET cohort_month = (SELECT c.cohort_month FROM {customer_table} c "
                    f"WHERE c.id = {table}.customer_id) WHERE customer_id IN ({', '.join(['%s'] * len(chunk))})",
                    chunk,
                )
