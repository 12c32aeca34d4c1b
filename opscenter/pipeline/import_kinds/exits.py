"""`exits` (退出登记): natural key customer + exit date. Rows are what `services.exit_record` writes:
the reason from the editable exit-reason list (by name, code or a common wording such as 费用原因 →
价格原因; an unknown reason is named in the row's error so it can be added to the list), and the
customer moved to 已退出 (recorded for undo). With "create missing customers" a person not on file
is registered as an exited customer.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.imports.bulk import insert_rows
from opscenter.imports.changes import change_blockers, record_changes, undo_changes
from opscenter.imports.engine import CREATE, UNCHANGED, Field, ImportContext, ImportKind, ParsedRow
from opscenter.imports.kinds import register
from opscenter.imports.values import normalize_key
from opscenter.pipeline.choices import CustomerStatus
from opscenter.pipeline.import_kinds.events import customer_fields
from opscenter.pipeline.import_kinds.refs import (
    create_missing_customers,
    remove_created_customers,
    resolve_customers,
)
from opscenter.pipeline.models import Customer, Exit, ExitReason
from opscenter.pipeline.periods import month_key

# Common wordings of the shipped reasons (code → words); matched after the list's names and codes.
EXIT_REASON_WORDS: dict[str, tuple[str, ...]] = {  # i18n: data (synonyms matched against imported text)
    "death": ("去世", "过世", "病故", "死亡", "离世"),
    "hospital": ("住院", "转院", "转医院", "入院治疗"),
    "other_institution": ("转机构", "转其他机构", "转入其他养老机构"),
    "price": ("费用原因", "费用", "价格", "收费", "经济原因", "太贵"),
    "service": ("对服务不满意", "服务差", "不满意", "投诉"),
    "family": ("家属接回", "家属要求", "回家", "接回家", "子女接回"),
}
EXITED = CustomerStatus.EXITED.value


def _reasons(ctx: ImportContext) -> dict[str, int]:
    if "exit_reasons" not in ctx.cache:
        table: dict[str, int] = {}
        rows = list(ExitReason.objects.filter(is_active=True).values_list("id", "code", "name"))
        by_code = {code: pk for pk, code, _name in rows}
        for code, words in EXIT_REASON_WORDS.items():
            if code in by_code:
                for word in words:
                    table.setdefault(normalize_key(word), by_code[code])
        for pk, code, name in rows:  # the list's own names and codes win over the wordings
            table[normalize_key(name)] = pk
            table[normalize_key(code)] = pk
        ctx.cache["exit_reasons"] = table
        ctx.cache["exit_reason_names"] = _("、").join(name for _pk, _code, name in rows)
    return ctx.cache["exit_reasons"]


@register
class ExitImport(ImportKind):
    name = "exits"
    label_zh = gettext_noop("退出")  # stays Chinese (data); screens translate it
    permission = "pipeline.add_exit"
    fields = (  # i18n: data (column headers and aliases matched against imported files)
        *customer_fields(),
        Field(
            "exited_on",
            "退出日期",
            ("离院日期", "退住日期", "日期", "exited_on", "date"),
            type="date",
            required=True,
        ),
        Field("reason", "退出原因", ("原因", "离院原因", "reason"), required=True, max_length=100),
        Field("note", "说明", ("备注", "note", "remark")),
    )

    def row_key(self, row: ParsedRow) -> tuple:
        return (row.values["customer_id"], row.values["exited_on"])

    def resolve_references(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        resolve_customers(batch, ctx)
        ids = {r.values["customer_id"] for r in batch if r.ok}
        ctx.cache["batch_exits"] = set(
            Exit.objects.filter(customer_id__in=ids).values_list("customer_id", "exited_on")
        )
        reasons = _reasons(ctx)
        for row in batch:
            if not row.ok:
                continue
            text = str(row.values.pop("reason"))
            pk = reasons.get(normalize_key(text))
            if pk is None:
                row.error(
                    "reason",
                    _(
                        "退出原因“%(text)s”不在退出原因列表中：请先在列表中添加，或改用其中之一（%(exit_reason_names)s）"
                    )
                    % {"text": text, "exit_reason_names": ctx.cache["exit_reason_names"]},
                )
            else:
                row.values["reason_id"] = pk

    def validate_row(self, row: ParsedRow, ctx: ImportContext) -> None:
        if row.values["exited_on"] > ctx.today:
            row.error("exited_on", _("退出日期不能晚于今天"))
        exits = ctx.cache["batch_exits"]
        customer = row.extra["customer"]
        key = (customer["id"], row.values["exited_on"])
        if customer["status"] == EXITED and key not in exits:
            on_file = sorted(day for pk, day in exits if pk == customer["id"])
            when = _("（%(on_file)s）") % {"on_file": on_file[0]} if on_file else ""
            row.error("exited_on", _("该客户已登记退出%(when)s，请核对退出日期") % {"when": when})

    def find_existing(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        for row in batch:
            row.action = UNCHANGED if self.row_key(row) in ctx.cache["batch_exits"] else CREATE

    def write(self, batch: list[ParsedRow], ctx: ImportContext) -> tuple[int, int]:
        create_missing_customers(batch, ctx, first_contact=lambda row: row.values["exited_on"], status=EXITED)
        actor_id = getattr(ctx.actor, "pk", None)
        columns = (
            "site_id", "customer_id", "exited_on", "month", "reason_id", "note", "recorded_by_id", "created_at",
            "import_job_id",
        )  # fmt: skip
        rows = [
            (
                ctx.site_id,
                v["customer_id"],
                v["exited_on"],
                month_key(v["exited_on"]),
                v["reason_id"],
                v.get("note") or "",
                actor_id,
                ctx.now,
                ctx.job_id,
            )
            for v in (r.values for r in batch)
        ]
        insert_rows(Exit, columns, rows)
        moving = {
            r.extra["customer"]["id"]: r.extra["customer"]["status"]
            for r in batch
            if r.extra["customer"]["status"] != EXITED
        }
        if moving:
            Customer.objects.filter(pk__in=list(moving)).update(status=EXITED)
            record_changes(
                ctx.job_id,
                Customer,
                [(pk, {"status": old}, {"status": EXITED}) for pk, old in moving.items()],
            )
            for row in batch:
                row.extra["customer"]["status"] = EXITED
        return len(rows), 0

    def undo_blockers(self, job_id: int) -> list[str]:
        return change_blockers(job_id)

    def undo(self, job_id: int) -> int:
        rows = Exit.objects.filter(import_job_id=job_id)
        removed = rows._raw_delete(rows.db)
        undo_changes(job_id)
        remove_created_customers(job_id)
        return removed
