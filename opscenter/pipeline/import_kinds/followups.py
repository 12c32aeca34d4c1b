"""Follow-ups (回访): natural key customer + planned date + channel.

Rows are what `pipeline.services.followup_schedule` writes (customer's site, `month` of the
planned date, the follow-up staff member), completed as `followup_complete` would when the file
gives a completion date: an outcome other than 待回访 is then required, and a reached customer
needs a satisfaction rating (the member tiers read it).

A ledger row with a satisfaction or an outcome and a planned date that has passed records a
follow-up that happened: it is completed on that date (a satisfaction alone means 已回访), never
stored as pending with its satisfaction ignored.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.imports.bulk import insert_rows
from opscenter.imports.constants import (
    FOLLOWUP_CHANNEL_ALIASES,
    FOLLOWUP_OUTCOME_ALIASES,
    SATISFACTION_ALIASES,
)
from opscenter.imports.engine import CREATE, UNCHANGED, Field, ImportContext, ImportKind, ParsedRow
from opscenter.imports.kinds import register
from opscenter.pipeline.choices import FollowUpChannel, FollowUpOutcome
from opscenter.pipeline.import_kinds.events import customer_fields
from opscenter.pipeline.import_kinds.refs import (
    create_missing_customers,
    remove_created_customers,
    resolve_customers,
    resolve_staff,
)
from opscenter.pipeline.models import FollowUp

PENDING, REACHED = FollowUpOutcome.PENDING.value, FollowUpOutcome.REACHED.value


@register
class FollowUpImport(ImportKind):
    name = "followups"
    label_zh = gettext_noop("回访")  # stays Chinese (data); screens translate it
    permission = "pipeline.add_followup"
    fields = (  # i18n: data
        Field(
            "scheduled_on",
            "计划日期",
            ("回访日期", "计划回访日期", "日期", "scheduled_on", "date"),
            type="date",
            required=True,
        ),
        *customer_fields(),
        Field(
            "channel", "回访方式", ("方式", "channel"), type="choice", choices=FOLLOWUP_CHANNEL_ALIASES
        ),  # i18n: data
        Field("staff", "回访人", ("回访员", "负责人", "staff"), reference="staff"),  # i18n: data
        Field("done_on", "完成日期", ("实际回访日期", "done_on"), type="date"),  # i18n: data
        Field(
            "outcome", "回访结果", ("结果", "outcome"), type="choice", choices=FOLLOWUP_OUTCOME_ALIASES
        ),  # i18n: data
        Field(
            "satisfaction", "满意度", ("satisfaction",), type="choice", choices=SATISFACTION_ALIASES
        ),  # i18n: data
        Field("note", "回访记录", ("备注", "内容", "note")),  # i18n: data
    )

    def row_key(self, row: ParsedRow) -> tuple:
        return (row.values["customer_id"], row.values["scheduled_on"], row.values["channel"])

    def resolve_references(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        resolve_customers(batch, ctx)
        resolve_staff([r for r in batch if r.ok], ctx, field="staff", target="staff_id", label=_("回访人"))

    def validate_row(self, row: ParsedRow, ctx: ImportContext) -> None:
        values = row.values
        values["channel"] = values.get("channel") or FollowUpChannel.PHONE.value
        done_on, outcome = values.get("done_on"), values.get("outcome")
        if outcome is None and values.get("satisfaction") is not None:
            outcome = REACHED  # rated, so the customer was reached
        outcome = outcome or PENDING
        if done_on is None and outcome != PENDING and values["scheduled_on"] <= ctx.today:
            done_on = values["done_on"] = values["scheduled_on"]  # a past follow-up with its result: done
        if done_on is not None:
            if done_on > ctx.today:
                row.error("done_on", _("完成日期不能晚于今天"))
            if outcome == PENDING:
                row.error("outcome", _("已填写完成日期，请填写回访结果（已回访、未接通、投诉或再次预约）"))
        elif outcome != PENDING:
            row.error("done_on", _("已填写回访结果，请填写完成日期"))
        if outcome == REACHED and values.get("satisfaction") is None:
            row.error("satisfaction", _("已回访请填写满意度"))
        values["outcome"] = outcome

    def find_existing(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        existing = set(
            FollowUp.objects.filter(customer_id__in={r.values["customer_id"] for r in batch}).values_list(
                "customer_id", "scheduled_on", "channel"
            )
        )
        for row in batch:
            row.action = UNCHANGED if self.row_key(row) in existing else CREATE

    def write(self, batch: list[ParsedRow], ctx: ImportContext) -> tuple[int, int]:
        create_missing_customers(batch, ctx, first_contact=lambda row: row.values["scheduled_on"])
        columns = (
            "site_id",
            "customer_id",
            "staff_id",
            "channel",
            "scheduled_on",
            "month",
            "done_on",
            "outcome",
            "satisfaction",
            "note",
            "deal_id",
            "import_job_id",
            "created_at",
        )
        rows = [
            (
                ctx.site_id,
                v["customer_id"],
                v.get("staff_id"),
                v["channel"],
                v["scheduled_on"],
                v["scheduled_on"].year * 100 + v["scheduled_on"].month,
                v.get("done_on"),
                v["outcome"],
                v.get("satisfaction"),
                v.get("note") or "",
                None,
                ctx.job_id,
                ctx.now,
            )
            for v in (row.values for row in batch)
        ]
        return insert_rows(FollowUp, columns, rows), 0

    def undo(self, job_id: int) -> int:
        rows = FollowUp.objects.filter(import_job_id=job_id)
        removed = rows._raw_delete(rows.db)
        remove_created_customers(job_id)
        return removed
