"""Transactions (消费记录): key customer + date + item + amount (+ purchase/refund, + receipt no.).

Rows are what `pipeline.services.transaction_record` writes: non-negative fen, `month` from the
date, the customer's site. A negative amount is read as a refund of that amount unless the row
says it is a purchase.

Identical rows are real records (two sessions of the same item on one day): a row is identified
by its receipt / order number when the file has one, and otherwise by its content plus its
occurrence within the file — the second identical row is the second record. A row whose
occurrence is already stored is left alone, so re-importing a file creates nothing twice.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.imports.bulk import insert_adapter, insert_rows, select_in, select_matching, value_adapter
from opscenter.imports.constants import ITEM_CATEGORY_ALIASES, TRANSACTION_KIND_ALIASES
from opscenter.imports.engine import CREATE, UNCHANGED, Field, ImportContext, ImportKind, ParsedRow
from opscenter.imports.kinds import register
from opscenter.pipeline.choices import ItemCategory, TransactionKind
from opscenter.pipeline.import_kinds.refs import (
    create_missing_customers,
    remove_created_customers,
    resolve_customers,
)
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
    natural_key = ("customer_id", "occurred_on", "item", "amount_fen", "kind", "receipt_no")
    occurrences_are_records = True
    fields = (
        Field("phone", "电话", PHONE_ALIASES, type="phone"),
        Field("customer_name", "客户姓名", NAME_ALIASES, max_length=50),
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
        Field("kind", "类型", ("消费类型", "kind", "type"), type="choice", choices=TRANSACTION_KIND_ALIASES),
        Field(
            "receipt_no",
            "单号",
            ("收据号", "收据编号", "订单号", "流水号", "小票号", "单据号", "receipt", "order_no"),
            max_length=40,
        ),
    )

    def row_key(self, row: ParsedRow) -> tuple:
        v = row.values
        return (
            v["customer_id"],
            v["occurred_on"],
            v["item"],
            v["amount_fen"],
            v["kind"],
            v.get("receipt_no") or "",
        )

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

    def validate_rows(self, rows: list[ParsedRow], ctx: ImportContext) -> None:
        """`validate_row` over a batch: the plain rows (a purchase with a positive amount, dated
        up to today, category and sessions given or defaulted) take one tight loop."""
        today, validate = ctx.today, self.validate_row
        for row in rows:
            values = row.values
            if values["occurred_on"] > today or values["amount_fen"] < 0:
                validate(row, ctx)
                continue
            values["kind"] = values.get("kind") or PURCHASE
            values["category"] = values.get("category") or OTHER
            values["sessions"] = values.get("sessions") or 1

    def find_existing(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        """What is stored already, probed once per customer and then once per (customer, date) per
        import: customers first named in this batch are checked for any stored transaction (one
        index probe each, a plain IN list); only pairs of customers that have some are probed for
        their rows (a VALUES join on txn_customer_idx). A first import of a ledger — customers
        without transactions — so costs one cheap query per batch.

        Rows stored before the import are all that can match: a customer or pair this import wrote
        rows for was probed in the batch that first named it, before those rows existed, and the
        customers this import registered had none. Probing every pair of every batch instead made a
        skewed file (few customers, the same days again and again) re-read all the rows it had just
        written, batch after batch — quadratic, a third of the speed of the same rows spread over
        many customers (issue 10 §9)."""
        cache = ctx.cache
        checked: set[int] = cache.setdefault("txn_checked_customers", set())
        with_rows: set[int] = cache.setdefault("txn_customers_with_rows", set())
        probed: set[int] = cache.setdefault("txn_probed_pairs", set())
        stored: Counter = cache.setdefault("txn_stored", Counter())
        unchecked = {r.values["customer_id"] for r in batch} - checked
        if unchecked:
            registered = {c["id"] for c in cache.get("new_customers", {}).values()}
            ask = sorted(pk for pk in unchecked if pk > 0 and pk not in registered)
            table = Transaction._meta.db_table
            with_rows.update(
                pk
                for (pk,) in select_in(f"SELECT DISTINCT customer_id FROM {table} WHERE customer_id IN", ask)
            )
            checked.update(unchecked)
        pairs = {
            (r.values["customer_id"], r.values["occurred_on"])
            for r in batch
            if r.values["customer_id"] in with_rows
        }
        new = sorted(pair for pair in pairs if hash(pair) not in probed)
        if new:
            adapt = value_adapter(Transaction, "occurred_on")
            found = select_matching(
                Transaction,
                ("customer_id", "occurred_on"),
                [(pk, adapt(day)) for pk, day in new],
                ("customer_id", "occurred_on", "item", "amount_fen", "kind", "receipt_no"),
            )
            stored.update(
                (
                    pk,
                    day if isinstance(day, dt.date) else dt.date.fromisoformat(day),
                    item,
                    fen,
                    kind,
                    receipt,
                )
                for pk, day, item, fen, kind, receipt in found
            )
            probed.update(hash(pair) for pair in new)
        if not stored:
            for row in batch:
                row.action = CREATE
            return
        row_key = self.row_key
        for row in batch:
            row.action = UNCHANGED if row.extra["occurrence"] <= stored[row_key(row)] else CREATE

    def write(self, batch: list[ParsedRow], ctx: ImportContext) -> tuple[int, int]:
        create_missing_customers(batch, ctx, first_contact=lambda row: row.values["occurred_on"])
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
            "receipt_no",
            "deal_id",
            "import_job_id",
            "created_at",
        )
        job_id, site_id = ctx.job_id, ctx.site_id
        now = insert_adapter(Transaction, "created_at")(ctx.now)
        adapt = insert_adapter(Transaction, "occurred_on")
        # Each distinct date adapted once per batch, with its month: a file repeats its dates.
        days = {d: (adapt(d), d.year * 100 + d.month) for d in {r.values["occurred_on"] for r in batch}}
        count = insert_rows(
            Transaction,
            columns,
            [
                (
                    site_id,
                    v["customer_id"],
                    *days[v["occurred_on"]],
                    v["item"],
                    v["category"],
                    v["sessions"],
                    v["amount_fen"],
                    v["kind"],
                    v.get("receipt_no") or "",
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
        removed = qs._raw_delete(qs.db)
        remove_created_customers(job_id)
        return removed
