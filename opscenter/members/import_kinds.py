"""The `disputes` import kind (纠纷): natural key customer + date opened + category.

Rows are what `pipeline.services.dispute_open` / `dispute_settle` write: the customer's site, a
category, a description, and — when the file gives a settlement date — the outcome (修复后满意 /
赔偿 / 退费). Disputes feed the member tiers, so after the last batch the site's members are
re-evaluated set-based (`finish`) inside the import's transaction. Undoing the import removes the
job's disputes and re-evaluates the members they belonged to at once, in the same transaction
(`undo`): one by one (`member_refresh`, each with a TierChange) up to MEMBER_REFRESH_LIMIT of them,
else the whole site set-based — so nobody keeps a dispute tier (C) until the nightly run.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.imports.bulk import insert_rows
from opscenter.imports.engine import CREATE, UNCHANGED, Field, ImportContext, ImportKind, ParsedRow
from opscenter.imports.kinds import register
from opscenter.members.constants import MEMBER_REFRESH_LIMIT
from opscenter.pipeline.choices import DisputeCategory, DisputeOutcome, DisputeStatus
from opscenter.pipeline.import_kinds.events import customer_fields
from opscenter.pipeline.import_kinds.refs import (
    create_missing_customers,
    remove_created_customers,
    resolve_customers,
)
from opscenter.pipeline.models import Dispute

CATEGORY_ALIASES: dict[str, str] = {  # i18n: data (synonyms matched against imported text)
    **{str(label): str(value) for value, label in DisputeCategory.choices},
    **{str(value): str(value) for value in DisputeCategory.values},
    "效果": DisputeCategory.TREATMENT.value,
    "服务": DisputeCategory.SERVICE.value,
    "价格": DisputeCategory.PRICE.value,
    "收费": DisputeCategory.PRICE.value,
    "并发症": DisputeCategory.SAFETY.value,
}
# The 状态 column of a dispute ledger: open (未解决, 处理中 …) or settled (已解决 …).
STATUS_ALIASES: dict[str, str] = {  # i18n: data
    **{str(label): str(value) for value, label in DisputeStatus.choices},
    **{str(value): str(value) for value in DisputeStatus.values},
    **dict.fromkeys(
        ("未解决", "待处理", "未处理", "跟进中", "进行中", "处理中", "open"), DisputeStatus.OPEN.value
    ),
    **dict.fromkeys(
        ("已解决", "已处理", "已结案", "结案", "已完成", "完成", "closed"), DisputeStatus.SETTLED.value
    ),
}
OUTCOME_ALIASES: dict[str, str] = {  # i18n: data
    **{str(label): str(value) for value, label in DisputeOutcome.choices},
    **{str(value): str(value) for value in DisputeOutcome.values},
    "修复": DisputeOutcome.REPAIRED.value,
    "满意": DisputeOutcome.REPAIRED.value,
    "退款": DisputeOutcome.REFUNDED.value,
    "赔付": DisputeOutcome.COMPENSATED.value,
}


@register
class DisputeImport(ImportKind):
    name = "disputes"
    label_zh = gettext_noop("纠纷")  # stays Chinese (data); screens translate it
    permission = "pipeline.add_dispute"
    fields = (  # i18n: data (the spreadsheet's Chinese headers and their aliases)
        *customer_fields(),
        Field("opened_on", "发生日期", ("纠纷日期", "日期", "opened_on", "date"), type="date", required=True),
        Field("category", "纠纷类别", ("类别", "类型", "category"), type="choice", choices=CATEGORY_ALIASES),
        Field("description", "纠纷描述", ("描述", "内容", "说明", "description"), required=True),
        Field("settled_on", "解决日期", ("处理日期", "settled_on"), type="date"),
        Field("outcome", "处理结果", ("结果", "outcome"), type="choice", choices=OUTCOME_ALIASES),
        Field("resolution", "处理说明", ("备注", "resolution")),
        Field("status", "状态", ("处理状态", "进度", "status"), type="choice", choices=STATUS_ALIASES),
    )

    def row_key(self, row: ParsedRow) -> tuple:
        v = row.values
        return (v["customer_id"], v["opened_on"], v["category"])

    def resolve_references(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        resolve_customers(batch, ctx)

    def validate_row(self, row: ParsedRow, ctx: ImportContext) -> None:
        values = row.values
        values["category"] = values.get("category") or DisputeCategory.OTHER.value
        opened, settled, outcome = values["opened_on"], values.get("settled_on"), values.get("outcome")
        if opened > ctx.today:
            row.error("opened_on", _("发生日期不能晚于今天"))
        if settled is not None:
            if settled > ctx.today:
                row.error("settled_on", _("解决日期不能晚于今天"))
            if settled < opened:
                row.error("settled_on", _("解决日期不能早于发生日期"))
            if not outcome:
                row.error("outcome", _("已填写解决日期，请填写处理结果（修复后满意、赔偿或退费）"))
        elif outcome:
            row.error("settled_on", _("已填写处理结果，请填写解决日期"))
        status = values.pop("status", None)
        if status == DisputeStatus.SETTLED and settled is None:
            row.error("settled_on", _("状态为“已解决”，请填写解决日期和处理结果"))
        elif status == DisputeStatus.OPEN and settled is not None:
            row.error("status", _("状态为“未解决/处理中”，但填写了解决日期：请核对"))

    def find_existing(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        existing = set(
            Dispute.objects.filter(customer_id__in={r.values["customer_id"] for r in batch}).values_list(
                "customer_id", "opened_on", "category"
            )
        )
        for row in batch:
            row.action = UNCHANGED if self.row_key(row) in existing else CREATE

    def write(self, batch: list[ParsedRow], ctx: ImportContext) -> tuple[int, int]:
        create_missing_customers(batch, ctx, first_contact=lambda row: row.values["opened_on"])
        columns = (
            "site_id", "customer_id", "opened_on", "category", "description", "status", "outcome",
            "settled_on", "resolution", "import_job_id", "created_at",
        )  # fmt: skip
        rows = []
        for v in (r.values for r in batch):
            settled = v.get("settled_on")
            rows.append(
                (
                    ctx.site_id,
                    v["customer_id"],
                    v["opened_on"],
                    v["category"],
                    v["description"],
                    DisputeStatus.SETTLED.value if settled else DisputeStatus.OPEN.value,
                    v.get("outcome") or "" if settled else "",
                    settled,
                    v.get("resolution") or "",
                    ctx.job_id,
                    ctx.now,
                )
            )
        return insert_rows(Dispute, columns, rows), 0

    def finish(self, ctx: ImportContext) -> None:
        from opscenter.members.services import active_rule_set, tiers_evaluate

        if ctx.site_id is not None and active_rule_set(ctx.site_id) is not None:
            tiers_evaluate(actor=None, site_id=ctx.site_id)

    def undo(self, job_id: int) -> int:
        qs = Dispute.objects.filter(import_job_id=job_id)
        affected = set(qs.order_by().values_list("site_id", "customer_id").distinct())
        removed = qs._raw_delete(qs.db)
        reevaluate_members(affected)
        remove_created_customers(job_id)
        return removed


def reevaluate_members(site_customers: set[tuple[int, int]]) -> None:
    """Re-evaluate these (site, customer) members now, under each site's active rule set: each
    member on their own while there are few, else the whole site in one set-based evaluation."""
    from opscenter.members.services import active_rule_set, member_refresh, tiers_evaluate

    by_site: dict[int, set[int]] = {}
    for site_id, customer_id in site_customers:
        by_site.setdefault(site_id, set()).add(customer_id)
    for site_id, customer_ids in sorted(by_site.items()):
        if active_rule_set(site_id) is None:
            continue
        if len(customer_ids) > MEMBER_REFRESH_LIMIT:
            tiers_evaluate(actor=None, site_id=site_id)
            continue
        for customer_id in sorted(customer_ids):
            member_refresh(customer_id=customer_id)
