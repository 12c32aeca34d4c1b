"""Import kind `clinic_orders` (订单明细): the clinic's order ledger, one row per order line — an
order of three items is three rows sharing its order number (订单号 / 收费单号).

* Header cells (开单日期, 客户电话/姓名, 咨询师, 备注) may be filled on the order's first row only: the
  later rows of the order take them from it; a later row that names something else is rejected
  ("与本订单第 N 行的…不一致"). Each line names its item, center (科室/中心, by name), amount and,
  optionally, the doctor, category, sessions and validity (a line with more than one session is a
  course package and needs 有效天数).
* Checked like `clinic.services.order_place` (and the pipeline's `deal_sign` under it): a customer
  of the site who has consulted, an order date not in the future nor before the first contact,
  a center and staff of the site, no negative amount. Every problem names its row and column.
* Atomic per order: if any row of an order is bad, none of its rows is imported (each says which
  row spoiled it); with "stop on error" nothing of the file is.
* Idempotent by order number: a number already imported for the site is not imported again (the
  rows count as unchanged); if the file's lines no longer match what was imported (item count or
  total), the order is reported, never changed.
* Written through `order_place` (deal, lines credited to center/doctor/consultant, purchase
  transactions with the order number as receipt, packages, points), stamped with the job.
* Undo removes the job's orders, lines, transactions, packages and points — refused while a later
  record hangs on them (a consumed session, a refund, a redemption on another order).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.clinic.import_kinds import CATEGORY_ALIASES, _by_name, _centers
from opscenter.clinic.models import OrderNumber, Package, PointsEntry, SessionUse
from opscenter.imports.engine import CREATE, UNCHANGED, Field, ImportContext, ImportKind, ParsedRow
from opscenter.imports.kinds import register
from opscenter.imports.kinds.events import customer_fields
from opscenter.imports.kinds.refs import resolve_customers
from opscenter.org.models import Staff
from opscenter.pipeline.choices import CustomerStatus, ItemCategory, TransactionKind
from opscenter.pipeline.models import Deal, DealLine, Transaction

HEADER_FIELDS = ("signed_on", "phone", "customer_name", "consultant", "note")
MAX_ORDER_ROWS = 50_000  # one batch: every line of an order must be seen together


def _active_staff(ctx: ImportContext) -> dict[str, int]:
    return _by_name(
        ctx, "active_staff", Staff.objects.filter(department__site_id=ctx.site_id, is_active=True)
    )


def _same(a, b) -> bool:
    return getattr(a, "number", a) == getattr(b, "number", b)


def _blank(value) -> bool:
    return value is None or value == ""


@register
class OrderImport(ImportKind):
    name = "clinic_orders"
    label_zh = gettext_noop("订单明细")  # stays Chinese (data); screens translate it
    permission = "clinic.add_package"
    batch_size = MAX_ORDER_ROWS
    fields = (  # i18n: data (the spreadsheet's Chinese headers and their aliases)
        Field("order_no", "订单号", ("单号", "收费单号", "开单号", "order_no"), required=True, max_length=40),
        Field("signed_on", "开单日期", ("日期", "收费日期", "成交日期", "signed_on"), type="date"),
        *customer_fields(),
        Field("consultant", "咨询师", ("开单咨询师", "销售顾问", "consultant"), max_length=50),
        Field("item", "项目", ("项目名称", "收费项目", "item"), required=True, max_length=100),
        Field("category", "类别", ("项目类别", "category"), type="choice", choices=CATEGORY_ALIASES),
        Field("center", "科室/中心", ("科室", "中心", "center"), required=True, max_length=100),
        Field("doctor", "医生", ("主治医生", "doctor"), max_length=50),
        Field("amount_fen", "金额", ("实收金额", "应收金额", "amount"), type="amount", required=True),
        Field("sessions", "次数", ("疗程次数", "sessions"), type="int", minimum=1, maximum=999),
        Field("valid_days", "有效天数", ("疗程有效天数", "valid_days"), type="int", minimum=1, maximum=3660),
        Field("note", "备注", ("说明", "note"), max_length=300),
    )  # fmt: skip

    def row_key(self, row: ParsedRow) -> None:
        return None  # two identical lines of one order are two lines

    def prepare_batch(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        """Group the rows by order number; later rows take blank header cells from the first."""
        earlier: set[str] = ctx.cache.setdefault("orders_in_earlier_batches", set())
        groups: dict[str, list[ParsedRow]] = defaultdict(list)
        for row in batch:
            number = (row.values.get("order_no") or "").strip()
            if not number:
                continue
            row.values["order_no"] = number
            if number in earlier:
                row.error("order_no", _("同一订单的明细须连续放在前 %(n)s 行内") % {"n": MAX_ORDER_ROWS})
            groups[number].append(row)
        for rows in groups.values():
            first = rows[0]
            for row in rows[1:]:
                for name in HEADER_FIELDS:
                    mine, theirs = row.values.get(name), first.values.get(name)
                    if _blank(mine):
                        if not _blank(theirs):
                            row.values[name] = theirs
                    elif not _blank(theirs) and not _same(mine, theirs):
                        row.error(
                            name,
                            _("与本订单第 %(row)s 行的“%(label)s”不一致")
                            % {"row": first.row_no, "label": self.field(name).label_zh},
                        )
        earlier.update(groups)
        ctx.cache["order_groups"] = groups

    def resolve_references(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        resolve_customers(batch, ctx)

    def validate_row(self, row: ParsedRow, ctx: ImportContext) -> None:
        v, customer = row.values, row.extra.get("customer")
        if customer is None:
            row.error(
                "phone", _("电话“%(number)s”在该院区没有登记客户，请先登记客户") % {"number": _phone(v)}
            )
            return
        if not v.get("signed_on"):
            row.error(
                "signed_on", _("请填写开单日期（可只填在订单的第一行）"), column="开单日期"
            )  # i18n: data
        elif v["signed_on"] > ctx.today:
            row.error("signed_on", _("开单日期不能晚于今天"))
        elif customer["first_contact_on"] is None:
            row.error("phone", _("该客户还没有咨询或上门记录，不能登记订单"))
        elif v["signed_on"] < customer["first_contact_on"]:
            row.error(
                "signed_on",
                _("开单日期 %(day)s 早于客户首次咨询日期 %(first)s")
                % {"day": v["signed_on"], "first": customer["first_contact_on"]},
            )
        if customer["status"] == CustomerStatus.EXITED:
            row.error("phone", _("客户已退出，请先恢复为潜在客户再登记订单"))
        staff = _active_staff(ctx)
        if v.get("consultant"):
            v["consultant_id"] = staff.get(v["consultant"])
            if v["consultant_id"] is None:
                row.error("consultant", _("本院区没有在职员工“%(name)s”") % {"name": v["consultant"]})
        else:
            v["consultant_id"] = customer["owner_id"] if customer["owner_id"] in staff.values() else None
            if v["consultant_id"] is None:
                row.error(
                    "consultant", _("请填写咨询师（客户没有在职的归属咨询师）"), column="咨询师"
                )  # i18n: data
        v["center_id"] = _centers(ctx).get(v["center"])
        if v["center_id"] is None:
            row.error("center", _("本院区没有科室/中心“%(name)s”") % {"name": v["center"]})
        v["doctor_id"] = None
        if v.get("doctor"):
            v["doctor_id"] = staff.get(v["doctor"])
            if v["doctor_id"] is None:
                row.error("doctor", _("本院区没有在职员工“%(name)s”") % {"name": v["doctor"]})
        if v["amount_fen"] < 0:
            row.error("amount_fen", _("金额不能为负数"))
        v["category"] = v.get("category") or ItemCategory.OTHER.value
        v["sessions"] = v.get("sessions") or 1
        if v["sessions"] > 1 and not v.get("valid_days"):
            row.error(
                "valid_days", _("疗程套餐（次数大于 1）请填写有效天数"), column="有效天数"
            )  # i18n: data

    def find_existing(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        """Whole orders only: an order with a bad row is rejected on every row; an order number
        already imported is unchanged (or reported when its lines differ)."""
        groups: dict[str, list[ParsedRow]] = ctx.cache.get("order_groups", {})
        valid = defaultdict(list)
        for row in batch:
            valid[row.values["order_no"]].append(row)
        known = dict(
            OrderNumber.objects.filter(site_id=ctx.site_id, number__in=list(valid)).values_list(
                "number", "deal_id"
            )
        )
        deals = {
            pk: (amount, n)
            for pk, amount, n in Deal.objects.filter(pk__in=known.values())
            .annotate(n=Count("lines"))
            .values_list("pk", "amount_fen", "n")
        }
        for number, rows in valid.items():
            bad = [r.row_no for r in groups.get(number, rows) if r.errors]
            if bad:
                message = _("本订单第 %(rows)s 行有错误，整单未导入") % {"rows": _("、").join(map(str, bad))}
                for row in rows:
                    row.error("order_no", message)
                continue
            if number in known:
                amount, n = deals[known[number]]
                total = sum(r.values["amount_fen"] for r in rows)
                if (amount, n) != (total, len(rows)):
                    message = _(
                        "订单号“%(number)s”已导入（%(n)s 项，¥%(yuan).2f），与本文件的 %(m)s 项、¥%(yuan2).2f 不一致；"
                        "已导入的订单不会被修改，如需更正请退费后重新开单"
                    ) % {"number": number, "n": n, "yuan": amount / 100, "m": len(rows), "yuan2": total / 100}
                    for row in rows:
                        row.error("order_no", message)
                    continue
            for row in rows:
                row.action = UNCHANGED if number in known else CREATE

    def write(self, batch: list[ParsedRow], ctx: ImportContext) -> tuple[int, int]:
        from opscenter.clinic.services import OrderLine, order_place

        orders: dict[str, list[ParsedRow]] = defaultdict(list)
        for row in batch:
            orders[row.values["order_no"]].append(row)
        for number, rows in orders.items():
            head = rows[0].values
            deal = order_place(
                actor=ctx.actor, customer_id=head["customer_id"], signed_on=head["signed_on"],
                consultant_id=head["consultant_id"], note=(head.get("note") or _("导入订单 %(n)s") % {"n": number})[:300],
                lines=[
                    OrderLine(
                        item=r.values["item"], category=r.values["category"], amount_fen=r.values["amount_fen"],
                        center_id=r.values["center_id"], doctor_id=r.values["doctor_id"],
                        sessions=r.values["sessions"], valid_days=r.values.get("valid_days"),
                    )
                    for r in rows
                ],
            )  # fmt: skip
            OrderNumber.objects.create(
                site_id=ctx.site_id, number=number, deal=deal, import_job_id=ctx.job_id
            )
            Deal.objects.filter(pk=deal.pk).update(import_job_id=ctx.job_id)
            Transaction.objects.filter(deal=deal).update(import_job_id=ctx.job_id, receipt_no=number[:40])
            Package.objects.filter(deal_line__deal=deal).update(import_job_id=ctx.job_id)
        return len(batch), 0

    def undo_blockers(self, job_id: int) -> list[str]:
        deals = OrderNumber.objects.filter(import_job_id=job_id).values("deal_id")
        blockers = []
        checks = (
            (SessionUse.objects.filter(package__deal_line__deal__in=deals), _("次疗程消耗")),
            (
                Transaction.objects.filter(reverses__deal__in=deals, kind=TransactionKind.REFUND),
                _("笔退费/赔偿"),
            ),
            (PointsEntry.objects.filter(deal__in=deals, kind="redeem"), _("笔积分抵扣")),
        )
        for qs, label in checks:
            count = qs.count()
            if count:
                blockers.append(
                    _("本次导入的订单已有 %(count)s %(label)s，不能撤销") % {"count": count, "label": label}
                )
        return blockers

    def undo(self, job_id: int) -> int:
        numbers = OrderNumber.objects.filter(import_job_id=job_id)
        deal_ids = list(numbers.values_list("deal_id", flat=True))
        PointsEntry.objects.filter(deal_id__in=deal_ids).delete()
        Package.objects.filter(deal_line__deal_id__in=deal_ids).delete()
        numbers.delete()
        Transaction.objects.filter(deal_id__in=deal_ids).delete()  # signals refresh the member aggregates
        DealLine.objects.filter(deal_id__in=deal_ids).delete()
        Deal.objects.filter(pk__in=deal_ids).delete()
        return len(deal_ids)


def _phone(values) -> str:
    phone = values.get("phone")
    return getattr(phone, "number", "") or str(values.get("customer_name") or "")
