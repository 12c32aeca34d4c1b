"""Visits (上门/到院/参观): natural key customer + arrival time.

Rows are what `pipeline.services.visit_register` writes: the funnel columns copied from the
customer, `month` of the arrival, `is_new_customer` while the customer had no signed deal before
that day, and the source — the file's, else the mode of the customer's first consultation
(phone/online), else walk-in. A visit earlier than the customer's first contact moves it (and the
cohort month on the customer and their event rows), recorded for undo. A named on-site consultant
is the triage (分诊) of the visit; an import never changes who owns the customer (as for the
customers kind: ownership moves through the pipeline screens and their rules).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.imports.bulk import insert_rows
from opscenter.imports.changes import change_blockers
from opscenter.imports.constants import VISIT_KIND_ALIASES, VISIT_OUTCOME_ALIASES, VISIT_SOURCE_ALIASES
from opscenter.imports.engine import CREATE, UNCHANGED, Field, ImportContext, ImportKind, ParsedRow
from opscenter.imports.kinds import register
from opscenter.pipeline.choices import ConsultationMode, DealStatus, VisitKind, VisitOutcome, VisitSource
from opscenter.pipeline.import_kinds.consultations import restore_first_contacts, touch_first_contact
from opscenter.pipeline.import_kinds.events import EVENT_COLUMNS, customer_fields, event_values
from opscenter.pipeline.import_kinds.refs import (
    create_missing_customers,
    remove_created_customers,
    resolve_customers,
    resolve_staff,
)
from opscenter.pipeline.models import Consultation, Deal, Visit
from opscenter.pipeline.periods import month_key

SOURCE_BY_MODE = {
    ConsultationMode.PHONE.value: VisitSource.PHONE.value,
    ConsultationMode.ONLINE.value: VisitSource.ONLINE.value,
}


@register
class VisitImport(ImportKind):
    name = "visits"
    label_zh = gettext_noop("上门")  # stays Chinese (data); screens translate it
    permission = "pipeline.add_visit"
    fields = (  # i18n: data
        Field(
            "arrived_at",
            "到院时间",
            ("上门时间", "到访时间", "参观时间", "到院日期", "日期", "时间", "arrived_at", "date"),
            type="datetime",
            required=True,
        ),
        *customer_fields(),
        Field(
            "source", "上门来源", ("来源", "上门方式", "source"), type="choice", choices=VISIT_SOURCE_ALIASES
        ),
        Field("kind", "类型", ("上门类型", "kind"), type="choice", choices=VISIT_KIND_ALIASES),  # i18n: data
        Field(
            "onsite_consultant",
            "现场咨询师",
            ("接待", "接待人", "现场咨询", "分诊", "consultant"),
            reference="staff",
        ),
        Field(
            "outcome", "结果", ("上门结果", "outcome"), type="choice", choices=VISIT_OUTCOME_ALIASES
        ),  # i18n: data
        Field("note", "备注", ("note", "remark"), max_length=300),  # i18n: data
    )

    def row_key(self, row: ParsedRow) -> tuple:
        return (row.values["customer_id"], row.values["arrived_at"])

    def resolve_references(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        resolve_customers(batch, ctx)
        resolve_staff(
            [r for r in batch if r.ok],
            ctx,
            field="onsite_consultant",
            target="onsite_consultant_id",
            label=_("现场咨询师"),
        )
        ids = {r.values["customer_id"] for r in batch if r.ok}
        ctx.cache["first_modes"] = dict(
            Consultation.objects.filter(customer_id__in=ids, is_first=True).values_list("customer_id", "mode")
        )
        ctx.cache["first_deals"] = dict(
            Deal.objects.filter(customer_id__in=ids, status=DealStatus.SIGNED)
            .values("customer_id")
            .annotate(first=Min("signed_on"))
            .values_list("customer_id", "first")
        )

    def validate_row(self, row: ParsedRow, ctx: ImportContext) -> None:
        values = row.values
        if values["arrived_at"] > ctx.now + dt.timedelta(minutes=5):
            row.error("arrived_at", _("到院时间不能晚于当前时间"))
            return
        customer_id = values["customer_id"]
        values["source"] = values.get("source") or SOURCE_BY_MODE.get(
            ctx.cache["first_modes"].get(customer_id), VisitSource.WALK_IN.value
        )
        values["kind"] = values.get("kind") or VisitKind.CONSULTATION.value
        values["outcome"] = values.get("outcome") or VisitOutcome.PENDING.value
        first_deal = ctx.cache["first_deals"].get(customer_id)
        values["is_new_customer"] = (
            first_deal is None or first_deal >= timezone.localtime(values["arrived_at"]).date()
        )

    def find_existing(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        times = [r.values["arrived_at"] for r in batch]
        existing = set(
            Visit.objects.filter(
                customer_id__in={r.values["customer_id"] for r in batch},
                arrived_at__gte=min(times),
                arrived_at__lte=max(times),
            ).values_list("customer_id", "arrived_at")
        )
        for row in batch:
            row.action = UNCHANGED if self.row_key(row) in existing else CREATE

    def write(self, batch: list[ParsedRow], ctx: ImportContext) -> tuple[int, int]:
        create_missing_customers(
            batch, ctx, first_contact=lambda row: timezone.localtime(row.values["arrived_at"]).date()
        )
        actor_id = getattr(ctx.actor, "pk", None)
        columns = (
            *EVENT_COLUMNS,
            "arrived_at",
            "source",
            "kind",
            "appointment_id",
            "is_new_customer",
            "onsite_consultant_id",
            "triaged_by_id",
            "triaged_at",
            "outcome",
            "note",
        )
        rows, first_dates = [], {}
        for row in batch:
            v, customer = row.values, row.extra["customer"]
            consultant = v.get("onsite_consultant_id")
            rows.append(
                (
                    *event_values(customer, month_key(v["arrived_at"]), ctx),
                    v["arrived_at"],
                    v["source"],
                    v["kind"],
                    None,
                    v["is_new_customer"],
                    consultant,
                    actor_id if consultant else None,
                    ctx.now if consultant else None,
                    v["outcome"],
                    v.get("note") or "",
                )
            )
            day = timezone.localtime(v["arrived_at"]).date()
            if customer["id"] not in first_dates or day < first_dates[customer["id"]]:
                first_dates[customer["id"]] = day
        insert_rows(Visit, columns, rows)
        touch_first_contact(first_dates, job_id=ctx.job_id)
        return len(rows), 0

    def undo_blockers(self, job_id: int) -> list[str]:
        deals = Deal.objects.filter(visit__import_job_id=job_id).exclude(import_job_id=job_id).count()
        blockers = [_("%(deals)s 条成交关联了本次导入的上门记录") % {"deals": deals}] if deals else []
        return blockers + change_blockers(job_id)

    def undo(self, job_id: int) -> int:
        rows = Visit.objects.filter(import_job_id=job_id)
        removed = rows._raw_delete(rows.db)
        restore_first_contacts(job_id)
        remove_created_customers(job_id)
        return removed
