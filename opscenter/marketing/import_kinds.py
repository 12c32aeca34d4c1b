"""Import kinds of the marketing app: the finance sheet of marketing spend (营销费用) and WeChat
article statistics (微信图文). Validation first (per row, naming the row and column), then one
atomic bulk write per batch through the imports engine; undo removes exactly the job's rows."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.imports.bulk import insert_rows
from opscenter.imports.engine import CREATE, UNCHANGED, Field, ImportContext, ImportKind, ParsedRow
from opscenter.imports.kinds import register
from opscenter.marketing.models import Campaign, ContentPost, CostLine
from opscenter.pipeline.models import Channel
from opscenter.pipeline.periods import month_key


@register
class CostLineImport(ImportKind):
    """A finance sheet of marketing spend: date, item, quantity, unit price or amount, supplier,
    invoice, and the campaign (by source code) or channel (by name) it is booked to."""

    name = "marketing_costs"
    label_zh = gettext_noop("营销费用")  # stays Chinese (data); screens translate it
    permission = "marketing.add_costline"
    occurrences_are_records = True
    fields = (  # i18n: data (the spreadsheet's Chinese headers and their aliases)
        Field("spent_on", "日期", ("费用日期", "发生日期", "报销日期", "date"), type="date", required=True),
        Field("item", "费用项目", ("项目", "摘要", "内容", "item"), required=True, max_length=100),
        Field("quantity", "数量", ("份数", "件数", "quantity"), type="int", minimum=1, maximum=10_000_000),
        Field("unit_price_fen", "单价", ("单价(元)", "unit_price"), type="amount"),
        Field("amount_fen", "金额", ("金额(元)", "费用", "合计", "amount"), type="amount"),
        Field("supplier", "供应商", ("供货商", "收款单位", "supplier"), max_length=100),
        Field("invoice_no", "发票号", ("发票号码", "票号", "invoice"), max_length=50),
        Field("campaign_code", "活动来源码", ("来源码", "活动编码", "campaign"), max_length=40),
        Field("channel_name", "渠道", ("渠道名称", "channel"), max_length=100),
    )

    def resolve_references(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        codes = {(r.values.get("campaign_code") or "").strip().lower() for r in batch} - {""}
        campaigns = dict(
            Campaign.objects.filter(site_id=ctx.site_id, code__in=codes).values_list("code", "pk")
        )
        channel_of = dict(
            Campaign.objects.filter(site_id=ctx.site_id, code__in=codes).values_list("pk", "channel_id")
        )
        names = {(r.values.get("channel_name") or "").strip() for r in batch} - {""}
        channels = dict(
            Channel.objects.filter(Q(site__isnull=True) | Q(site_id=ctx.site_id), name__in=names).values_list(
                "name", "pk"
            )
        )
        for row in batch:
            code = (row.values.get("campaign_code") or "").strip().lower()
            name = (row.values.get("channel_name") or "").strip()
            row.values["campaign_id"] = campaigns.get(code)
            row.values["channel_id"] = channels.get(name)
            if code and row.values["campaign_id"] is None:
                row.error("campaign_code", _("来源码“%(code)s”在本院区没有对应的活动") % {"code": code})
            if name and row.values["channel_id"] is None:
                row.error("channel_name", _("渠道“%(name)s”不存在") % {"name": name})
            if row.values["channel_id"] is None and row.values["campaign_id"] is not None:
                row.values["channel_id"] = channel_of.get(row.values["campaign_id"])

    def validate_row(self, row: ParsedRow, ctx: ImportContext) -> None:
        v = row.values
        if not v.get("campaign_code") and not v.get("channel_name"):
            row.error("campaign_code", _("费用必须归属一个活动或一个渠道"))
        if v["spent_on"] > ctx.today:
            row.error("spent_on", _("费用日期不能晚于今天"))
        quantity = v.get("quantity") or 1
        price, amount = v.get("unit_price_fen"), v.get("amount_fen")
        if price is None and amount is None:
            row.error("amount_fen", _("请填写单价或金额"))
            return
        if (price is not None and price < 0) or (amount is not None and amount < 0):
            row.error(
                "amount_fen" if price is None else "unit_price_fen", _("费用不能为负数（冲销请在系统中操作）")
            )
            return
        if price is None:
            if amount % quantity:
                row.error("amount_fen", _("金额不能被数量整除到分，请填写单价"))
                return
            price = amount // quantity
        elif amount is not None and amount != price * quantity:
            row.error("amount_fen", _("金额与数量 × 单价不符"))
            return
        v["quantity"], v["unit_price_fen"], v["amount_fen"] = quantity, price, price * quantity

    def row_key(self, row: ParsedRow) -> tuple:
        v = row.values
        return (
            v["spent_on"],
            v["item"],
            v["amount_fen"],
            v.get("invoice_no") or "",
            row.extra.get("occurrence", 1),
        )

    def find_existing(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        stored: dict[tuple, int] = {}
        days = {r.values["spent_on"] for r in batch}
        for key in CostLine.objects.filter(
            site_id=ctx.site_id, spent_on__in=days, reversal_of__isnull=True
        ).values_list("spent_on", "item", "amount_fen", "invoice_no"):
            stored[key] = stored.get(key, 0) + 1
        for row in batch:
            *key, occurrence = self.row_key(row)
            row.action = UNCHANGED if stored.get(tuple(key), 0) >= occurrence else CREATE

    def write(self, batch: list[ParsedRow], ctx: ImportContext) -> tuple[int, int]:
        columns = (
            "site_id", "campaign_id", "channel_id", "item", "quantity", "unit_price_fen", "amount_fen",
            "supplier", "invoice_no", "spent_on", "month", "note", "import_job_id", "created_by_id", "created_at",
        )  # fmt: skip
        actor_id = getattr(ctx.actor, "pk", None)
        rows = [
            (
                ctx.site_id,
                v.get("campaign_id"),
                v.get("channel_id"),
                v["item"],
                v["quantity"],
                v["unit_price_fen"],
                v["amount_fen"],
                v.get("supplier") or "",
                v.get("invoice_no") or "",
                v["spent_on"],
                month_key(v["spent_on"]),
                "",
                ctx.job_id,
                actor_id,
                ctx.now,
            )
            for v in (r.values for r in batch)
        ]
        return insert_rows(CostLine, columns, rows), 0

    def undo_blockers(self, job_id: int) -> list[str]:
        if CostLine.objects.filter(reversal_of__import_job_id=job_id).exists():
            return [_("本批费用中已有冲销记录，不能撤销导入")]
        return []

    def undo(self, job_id: int) -> int:
        qs = CostLine.objects.filter(import_job_id=job_id)
        return qs._raw_delete(qs.db)


@register
class ContentPostImport(ImportKind):
    """WeChat article statistics (公众号后台导出): title, date, reads, shares, new followers."""

    name = "wechat_posts"
    label_zh = gettext_noop("微信图文")
    permission = "marketing.add_contentpost"
    fields = (  # i18n: data
        Field("title", "标题", ("图文标题", "文章标题", "title"), required=True, max_length=200),
        Field("published_on", "发布日期", ("发布时间", "日期", "date"), type="date", required=True),
        Field("reads", "阅读数", ("阅读", "阅读人数", "图文阅读人数", "reads"), type="int", minimum=0),
        Field("shares", "分享数", ("分享", "转发", "分享人数", "shares"), type="int", minimum=0),
        Field(
            "new_followers", "新增关注", ("新关注", "净增关注", "followers"), type="int", minimum=-1_000_000
        ),
        Field("campaign_code", "来源码", ("活动来源码", "campaign"), max_length=40),
    )
    natural_key = ("published_on", "title")

    def resolve_references(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        codes = {(r.values.get("campaign_code") or "").strip().lower() for r in batch} - {""}
        campaigns = dict(
            Campaign.objects.filter(site_id=ctx.site_id, code__in=codes).values_list("code", "pk")
        )
        for row in batch:
            code = (row.values.get("campaign_code") or "").strip().lower()
            row.values["campaign_id"] = campaigns.get(code)
            if code and row.values["campaign_id"] is None:
                row.error("campaign_code", _("来源码“%(code)s”在本院区没有对应的活动") % {"code": code})

    def find_existing(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        stored = set(
            ContentPost.objects.filter(
                site_id=ctx.site_id, published_on__in={r.values["published_on"] for r in batch}
            ).values_list("published_on", "title")
        )
        for row in batch:
            row.action = UNCHANGED if self.row_key(row) in stored else CREATE

    def write(self, batch: list[ParsedRow], ctx: ImportContext) -> tuple[int, int]:
        columns = (
            "site_id",
            "title",
            "published_on",
            "reads",
            "shares",
            "new_followers",
            "campaign_id",
            "import_job_id",
        )
        rows = [
            (
                ctx.site_id,
                v["title"],
                v["published_on"],
                v.get("reads") or 0,
                v.get("shares") or 0,
                v.get("new_followers") or 0,
                v.get("campaign_id"),
                ctx.job_id,
            )
            for v in (r.values for r in batch)
        ]
        return insert_rows(ContentPost, columns, rows), 0

    def undo(self, job_id: int) -> int:
        qs = ContentPost.objects.filter(import_job_id=job_id)
        return qs._raw_delete(qs.db)
