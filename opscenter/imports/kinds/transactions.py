"""Transactions (消费记录): natural key customer + date + item + amount (+ purchase/refund).

Rows are what `pipeline.services.transaction_record` writes: non-negative fen, `month` from the
date, the customer's site. A negative amount is read as a refund of that amount unless the row
says it is a purchase. A row already in the database under the same key is left alone
(re-importing a file creates nothing twice).
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.imports.bulk import insert_adapter, insert_rows, select_matching, value_adapter
from opscenter.imports.constants import ITEM_CATEGORY_ALIASES, TRANSACTION_KIND_ALIASES
from opscenter.imports.engine import CREATE, UNCHANGED, Field, ImportContext, ImportKind, ParsedRow
from opscenter.imports.kinds import register
from opscenter.imports.kinds.refs import resolve_customers
from opscenter.pipeline.choices import ItemCategory, TransactionKind
from opscenter.pipeline.models import Transaction

PURCHASE, REFUND, OTHER = (
    TransactionKind.PURCHASE.value,
    TransactionKind.REFUND.value,
    ItemCategory.OTHER.value,
)
PHONE_ALIASES = ("手机", "手机号", "客户电话", "联系电话", "phone", "mobile")  # i18n: data
NAME_ALIASES = ("姓名", "客户", "客户姓名", "customer", "name")  # i18n: data


@register
class TransactionImport(ImportKind):
    name = "transactions"
    label_zh = gettext_noop("消费记录")  # stays Chinese (data); screens translate it
    permission = "pipeline.add_transaction"
    natural_key = ("customer_id", "occurred_on", "item", "amount_fen", "kind")
    fields = (  # i18n: data
        Field("phone", "电话", PHONE_ALIASES, type="phone"),  # i18n: data
        Field("customer_name", "客户姓名", NAME_ALIASES, max_length=50),  # i18n: data
        Field(
            "occurred_on", "消费日期", ("日期", "消费时间", "交易日期", "date"), type="date", required=True
        ),
        Field(
            "item", "项目", ("消费项目", "项目名称", "服务项目", "item"), required=True, max_length=100
        ),  # i18n: data
        Field(
            "category", "类别", ("项目类别", "分类", "category"), type="choice", choices=ITEM_CATEGORY_ALIASES
        ),
        Field(
            "sessions", "次数", ("疗程", "数量", "sessions", "qty"), type="int", minimum=1, maximum=32767
        ),  # i18n: data
        Field(
            "amount_fen", "金额", ("消费金额", "实收金额", "金额(元)", "amount"), type="amount", required=True
        ),
        Field(
            "kind", "类型", ("消费类型", "kind", "type"), type="choice", choices=TRANSACTION_KIND_ALIASES
        ),  # i18n: data
    )

    def row_key(self, row: ParsedRow) -> tuple:
        v = row.values
        return (v["customer_id"], v["occurred_on"], v["item"], v["amount_fen"], v["kind"])

    def resolve_references(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        resolve_customers(batch, ctx, cache=True)

    def validate_row(self, row: ParsedRow, ctx: ImportContext) -> None:
        values = row.values
        if values["occurred_on"] > ctx.today:
            row.error("occurred_on", _("消费日期不能晚于今天"))
        amount = values["amount_fen"]
        if amount < 0:
            if values.get("kind") == PURCHASE:
                row.error("amount_fen", _("消费金额不能为负数（退款请将类型填为“退款”）"))
                return
            values["amount_fen"], values["kind"] = -amount, REFUND
        values["kind"] = values.get("kind") or PURCHASE
        values["category"] = values.get("category") or OTHER
        values["sessions"] = values.get("sessions") or 1

    def find_existing(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        """One index probe per (customer, date) of the batch (a VALUES join on txn_customer_idx):
        the cost follows the batch, not the size of the table. Rows this job wrote in earlier
        batches cannot match — the in-file duplicate check already turned those into errors."""
        pairs = sorted({(r.values["customer_id"], r.values["occurred_on"]) for r in batch})
        adapt = value_adapter(Transaction, "occurred_on")
        found = select_matching(
            Transaction,
            ("customer_id", "occurred_on"),
            [(pk, adapt(day)) for pk, day in pairs],
            ("customer_id", "occurred_on", "item", "amount_fen", "kind"),
        )
        existing = {
            (pk, day if isinstance(day, dt.date) else dt.date.fromisoformat(day), item, fen, kind)
            for pk, day, item, fen, kind in found
        }
        for row in batch:
            row.action = UNCHANGED if self.row_key(row) in existing else CREATE

    def write(self, batch: list[ParsedRow], ctx: ImportContext) -> tuple[int, int]:
        columns = (
            "site_id",
            "customer_id",
            "occurred_on",
            "month",
            "item",
            "category",
            "sessions",
            "amount_fen",
            "kind",
            "deal_id",
            "import_job_id",
            "created_at",
        )
        job_id, site_id = ctx.job_id, ctx.site_id
        now = insert_adapter(Transaction, "created_at")(ctx.now)
        day = insert_adapter(Transaction, "occurred_on")
        count = insert_rows(
            Transaction,
            columns,
            [
                (
                    site_id,
                    v["customer_id"],
                    day(v["occurred_on"]),
                    v["occurred_on"].year * 100 + v["occurred_on"].month,
                    v["item"],
                    v["category"],
                    v["sessions"],
                    v["amount_fen"],
                    v["kind"],
                    None,
                    job_id,
                    now,
                )
                for v in (r.values for r in batch)
            ],
            adapted=True,
        )
        return count, 0

    def undo(self, job_id: int) -> int:
        qs = Transaction.objects.filter(import_job_id=job_id)
        return qs._raw_delete(qs.db)
