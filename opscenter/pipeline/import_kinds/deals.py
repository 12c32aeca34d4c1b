"""Deals (成交/签约): natural key customer + signing date + amount.

Rows are what `pipeline.services.deal_sign` writes for a contract with one amount (elder care:
stay type and care zone): the funnel columns copied from the customer, `month` of the signing,
`is_new_customer` on the customer's first signed deal, and the customer moved from prospect to
customer (recorded for undo). Refused like `deal_sign`: a negative amount, a date in the future,
an exited customer. Clinic orders with lines come in as transactions.

Historical ledgers (签约台账 from before the system) name customers with no consultation or visit
before the signing: such a deal is accepted as imported history (`is_history`): it counts in
revenue and tiers, and the funnel shows it apart from its conversion rates. Consultants who have
left are matched to inactive staff or registered as departed (`resolve_staff(departed=True)`);
with "create missing customers" unknown customers are registered as customers of that date.
"""

from __future__ import annotations

from django.db import connection
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.imports.bulk import insert_rows
from opscenter.imports.changes import change_blockers, record_changes, undo_changes
from opscenter.imports.constants import CARE_ZONE_ALIASES, STAY_TYPE_ALIASES
from opscenter.imports.engine import CREATE, UNCHANGED, Field, ImportContext, ImportKind, ParsedRow
from opscenter.imports.kinds import register
from opscenter.pipeline.choices import CustomerStatus, DealStatus
from opscenter.pipeline.import_kinds.events import EVENT_COLUMNS, customer_fields, event_values
from opscenter.pipeline.import_kinds.refs import (
    create_missing_customers,
    remove_created_customers,
    resolve_customers,
    resolve_staff,
)
from opscenter.pipeline.models import Customer, Deal, FollowUp, Transaction


@register
class DealImport(ImportKind):
    name = "deals"
    label_zh = gettext_noop("成交")  # stays Chinese (data); screens translate it
    permission = "pipeline.add_deal"
    fields = (  # i18n: data
        Field(
            "signed_on",
            "签约日期",
            ("成交日期", "签单日期", "日期", "signed_on", "date"),
            type="date",
            required=True,
        ),
        *customer_fields(),
        Field(
            "amount_fen",
            "成交金额",
            ("金额", "签约金额", "合同金额", "月费", "收费标准", "amount"),
            type="amount",
            required=True,
        ),
        Field(
            "consultant",
            "成交咨询师",
            ("咨询师", "签约人", "顾问", "咨询顾问", "销售顾问", "consultant"),
            reference="staff",
            required=True,
        ),
        Field(
            "stay_type", "入住类型", ("入住方式", "stay_type"), type="choice", choices=STAY_TYPE_ALIASES
        ),  # i18n: data
        Field(
            "care_zone",
            "入住区域",
            ("区域", "护理区域", "care_zone"),
            type="choice",
            choices=CARE_ZONE_ALIASES,
        ),
        Field("note", "备注", ("note", "remark"), max_length=300),  # i18n: data
    )

    def row_key(self, row: ParsedRow) -> tuple:
        return (row.values["customer_id"], row.values["signed_on"], row.values["amount_fen"])

    def resolve_references(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        resolve_customers(batch, ctx)
        resolve_staff(
            [r for r in batch if r.ok],
            ctx,
            field="consultant",
            target="consultant_id",
            label=_("成交咨询师"),
            departed=True,
        )

    def validate_row(self, row: ParsedRow, ctx: ImportContext) -> None:
        values, customer = row.values, row.extra["customer"]
        if values["signed_on"] > ctx.today:
            row.error("signed_on", _("签约日期不能晚于今天"))
        if values["amount_fen"] < 0:
            row.error("amount_fen", _("成交金额不能为负数"))
        first = customer["first_contact_on"]
        # No consultation or visit before the signing: a contract from before the system existed.
        values["is_history"] = first is None or values["signed_on"] < first
        if customer["status"] == CustomerStatus.EXITED:
            row.error(
                "phone", _("客户已退出，请先恢复为潜在客户再登记成交"), column="客户"
            )  # i18n: data (header)

    def find_existing(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        existing = set(
            Deal.objects.filter(customer_id__in={r.values["customer_id"] for r in batch}).values_list(
                "customer_id", "signed_on", "amount_fen"
            )
        )
        for row in batch:
            row.action = UNCHANGED if self.row_key(row) in existing else CREATE

    def write(self, batch: list[ParsedRow], ctx: ImportContext) -> tuple[int, int]:
        create_missing_customers(
            batch,
            ctx,
            first_contact=lambda row: row.values["signed_on"],
            status=CustomerStatus.CUSTOMER.value,
        )
        columns = (
            *EVENT_COLUMNS,
            "consultant_id",
            "signed_on",
            "amount_fen",
            "stay_type",
            "care_zone",
            "status",
            "status_changed_at",
            "is_new_customer",
            "is_history",
            "visit_id",
            "note",
        )
        rows = []
        for row in batch:
            v = row.values
            rows.append(
                (
                    *event_values(
                        row.extra["customer"], v["signed_on"].year * 100 + v["signed_on"].month, ctx
                    ),
                    v["consultant_id"],
                    v["signed_on"],
                    v["amount_fen"],
                    v.get("stay_type") or "",
                    v.get("care_zone") or "",
                    DealStatus.SIGNED.value,
                    None,
                    True,
                    v["is_history"],
                    None,
                    v.get("note") or "",
                )
            )
        insert_rows(Deal, columns, rows)
        customers = {row.extra["customer"]["id"]: row.extra["customer"] for row in batch}
        self._mark_new_customer_deals(sorted(customers), ctx)
        prospects = sorted(pk for pk, c in customers.items() if c["status"] == CustomerStatus.PROSPECT)
        if prospects:
            Customer.objects.filter(pk__in=prospects, status=CustomerStatus.PROSPECT).update(
                status=CustomerStatus.CUSTOMER
            )
            record_changes(
                ctx.job_id,
                Customer,
                [
                    (pk, {"status": CustomerStatus.PROSPECT.value}, {"status": CustomerStatus.CUSTOMER.value})
                    for pk in prospects
                ],
            )
            for pk in prospects:
                customers[pk]["status"] = CustomerStatus.CUSTOMER.value
        return len(rows), 0

    @staticmethod
    def _mark_new_customer_deals(customer_ids: list[int], ctx: ImportContext) -> None:
        """`is_new_customer` on this job's deals: no other signed deal of the customer on an
        earlier day (or the same day, written before) — `deal_sign`'s rule, set-based."""
        qn = connection.ops.quote_name
        table = qn(Deal._meta.db_table)
        signed = DealStatus.SIGNED.value
        with connection.cursor() as cursor:
            for start in range(0, len(customer_ids), 5000):
                chunk = customer_ids[start : start + 5000]
                cursor.execute(
                    f"UPDATE {table} SET is_new_customer = NOT EXISTS (SELECT 1 FROM {table} d2 "
                    f"WHERE d2.customer_id = {table}.customer_id AND d2.status = %s AND d2.id <> {table}.id "
                    f"AND (d2.signed_on < {table}.signed_on OR (d2.signed_on = {table}.signed_on "
                    f"AND d2.id < {table}.id))) "
                    f"WHERE import_job_id = %s AND customer_id IN ({', '.join(['%s'] * len(chunk))})",
                    [signed, ctx.job_id, *chunk],
                )

    def undo_blockers(self, job_id: int) -> list[str]:
        blockers = []
        for model, label in ((Transaction, _("消费记录")), (FollowUp, _("回访"))):
            count = model.objects.filter(deal__import_job_id=job_id).exclude(import_job_id=job_id).count()
            if count:
                blockers.append(
                    _("%(count)s 条%(label)s关联了本次导入的成交") % {"count": count, "label": label}
                )
        return blockers + change_blockers(job_id)

    def undo(self, job_id: int) -> int:
        rows = Deal.objects.filter(import_job_id=job_id)
        removed = rows._raw_delete(rows.db)
        undo_changes(job_id)
        remove_created_customers(job_id)
        return removed
