"""Import kinds of the clinic's own ledgers (seed 004: 套餐开单 kept by hand):

* `packages` (疗程套餐): customer, item, category, center (by name), doctor (by name, optional),
  total and used sessions, amount paid, sale date, valid-until date. Natural key: customer +
  item + sale date. Each row is checked like `order_place` would (a center of the site, used ≤
  total, valid-until not before the sale) and named by row and column when it is not.
* `sessions` (疗程消耗): customer, item, treatment time, performed by (name). The row consumes a
  session of the customer's open package of that item, like `session_consume`: no session left
  or past its validity is rejected; within one file the rows of a package are taken in time order.

Undo removes the job's rows (and gives the sessions back to their packages).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.clinic.choices import PackageStatus
from opscenter.clinic.models import Package, SessionUse
from opscenter.imports.engine import CREATE, UNCHANGED, Field, ImportContext, ImportKind, ParsedRow
from opscenter.imports.kinds import register
from opscenter.imports.kinds.events import customer_fields
from opscenter.imports.kinds.refs import create_missing_customers, remove_created_customers, resolve_customers
from opscenter.org.models import Department, Staff
from opscenter.pipeline.choices import ItemCategory
from opscenter.pipeline.periods import local_date, month_key

CATEGORY_ALIASES: dict[str, str] = {  # i18n: data (synonyms matched against imported text)
    **{str(label): str(value) for value, label in ItemCategory.choices},
    **{str(value): str(value) for value in ItemCategory.values},
    "皮肤": "skin",
    "皮肤疗程": "skin_package",
    "套餐": "skin_package",
    "微整": "non_invasive",
    "无创": "non_invasive",
    "整形": "plastic",
    "口腔": "dental",
}


def _by_name(ctx: ImportContext, key: str, qs) -> dict[str, int]:
    if key not in ctx.cache:
        ctx.cache[key] = {name: pk for pk, name in qs.values_list("pk", "name")}
    return ctx.cache[key]


def _centers(ctx: ImportContext) -> dict[str, int]:
    return _by_name(ctx, "centers", Department.objects.filter(site_id=ctx.site_id))


def _staff(ctx: ImportContext) -> dict[str, int]:
    return _by_name(ctx, "staff", Staff.objects.filter(department__site_id=ctx.site_id, is_active=True))


@register
class PackageImport(ImportKind):
    name = "packages"
    label_zh = gettext_noop("疗程套餐")  # stays Chinese (data); screens translate it
    permission = "clinic.add_package"
    fields = (  # i18n: data (the spreadsheet's Chinese headers and their aliases)
        *customer_fields(),
        Field("item", "项目", ("套餐", "套餐名称", "项目名称", "item"), required=True, max_length=100),
        Field("category", "类别", ("项目类别", "category"), type="choice", choices=CATEGORY_ALIASES),
        Field("center", "科室/中心", ("科室", "中心", "center"), required=True, max_length=100),
        Field("doctor", "医生", ("主治医生", "doctor"), max_length=50),
        Field("sessions_total", "总次数", ("次数", "疗程次数", "sessions"), type="int", required=True, minimum=1,
              maximum=999),
        Field("sessions_used", "已用次数", ("已做次数", "used"), type="int", minimum=0, maximum=999),
        Field("amount_fen", "金额", ("实收金额", "套餐金额", "amount"), type="amount", required=True),
        Field("sold_on", "购买日期", ("开单日期", "日期", "sold_on"), type="date", required=True),
        Field("valid_until", "有效期至", ("到期日期", "有效期", "valid_until"), type="date", required=True),
    )  # fmt: skip

    def row_key(self, row: ParsedRow) -> tuple:
        v = row.values
        return (v["customer_id"], v["item"], v["sold_on"])

    def resolve_references(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        resolve_customers(batch, ctx)

    def validate_row(self, row: ParsedRow, ctx: ImportContext) -> None:
        v = row.values
        v["category"] = v.get("category") or ItemCategory.SKIN_PACKAGE.value
        v["sessions_used"] = v.get("sessions_used") or 0
        center = _centers(ctx).get(v.get("center") or "")
        if center is None:
            row.error("center", _("本院区没有科室/中心“%(name)s”") % {"name": v.get("center")})
        v["center_id"] = center
        v["doctor_id"] = None
        if v.get("doctor"):
            v["doctor_id"] = _staff(ctx).get(v["doctor"])
            if v["doctor_id"] is None:
                row.error("doctor", _("本院区没有员工“%(name)s”") % {"name": v["doctor"]})
        if v["sessions_used"] > v["sessions_total"]:
            row.error("sessions_used", _("已用次数不能超过总次数"))
        if v["amount_fen"] < 0:
            row.error("amount_fen", _("金额不能为负数"))
        if v["sold_on"] > ctx.today:
            row.error("sold_on", _("购买日期不能晚于今天"))
        if v["valid_until"] < v["sold_on"]:
            row.error("valid_until", _("有效期不能早于购买日期"))

    def find_existing(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        existing = set(
            Package.objects.filter(customer_id__in={r.values["customer_id"] for r in batch}).values_list(
                "customer_id", "item", "sold_on"
            )
        )
        for row in batch:
            row.action = UNCHANGED if self.row_key(row) in existing else CREATE

    def write(self, batch: list[ParsedRow], ctx: ImportContext) -> tuple[int, int]:
        create_missing_customers(batch, ctx, first_contact=lambda row: row.values["sold_on"])
        packages = []
        for v in (r.values for r in batch):
            finished = v["sessions_used"] == v["sessions_total"]
            packages.append(
                Package(
                    site_id=ctx.site_id, customer_id=v["customer_id"], item=v["item"], category=v["category"],
                    center_id=v["center_id"], doctor_id=v["doctor_id"], sessions_total=v["sessions_total"],
                    sessions_used=v["sessions_used"], amount_fen=v["amount_fen"], sold_on=v["sold_on"],
                    valid_until=v["valid_until"], import_job_id=ctx.job_id,
                    status=PackageStatus.FINISHED if finished else PackageStatus.ACTIVE,
                )
            )  # fmt: skip
        Package.objects.bulk_create(packages, batch_size=1000)
        return len(packages), 0

    def undo(self, job_id: int) -> int:
        SessionUse.objects.filter(package__import_job_id=job_id).delete()
        removed, _ = Package.objects.filter(import_job_id=job_id).delete()
        remove_created_customers(job_id)
        return removed


@register
class SessionImport(ImportKind):
    name = "sessions"
    label_zh = gettext_noop("疗程消耗")  # stays Chinese (data); screens translate it
    permission = "clinic.add_sessionuse"
    fields = (  # i18n: data (the spreadsheet's Chinese headers and their aliases)
        *customer_fields(),
        Field("item", "项目", ("套餐", "套餐名称", "项目名称", "item"), required=True, max_length=100),
        Field("used_at", "治疗时间", ("消耗时间", "时间", "日期", "used_at"), type="datetime", required=True),
        Field("performed_by", "治疗人", ("医生", "操作人", "performed_by"), required=True, max_length=50),
        Field("note", "备注", ("说明", "note"), max_length=300),
    )

    def row_key(self, row: ParsedRow) -> tuple:
        v = row.values
        return (v["customer_id"], v["item"], v["used_at"])

    def resolve_references(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        resolve_customers(batch, ctx)

    def validate_row(self, row: ParsedRow, ctx: ImportContext) -> None:
        v = row.values
        if not v.get("customer_id"):
            row.error("phone", _("找不到该客户，请先导入其疗程套餐"))
            return
        v["performed_by_id"] = _staff(ctx).get(v.get("performed_by") or "")
        if v["performed_by_id"] is None:
            row.error("performed_by", _("本院区没有员工“%(name)s”") % {"name": v.get("performed_by")})
        if local_date(v["used_at"]) > ctx.today:
            row.error("used_at", _("治疗时间不能晚于今天"))

    def find_existing(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        """Match each row to the customer's open package of the item and check its balance and
        validity, taking the file's rows of a package in time order."""
        customers = {r.values["customer_id"] for r in batch if r.values.get("customer_id")}
        packages = defaultdict(list)
        for p in Package.objects.filter(customer_id__in=customers, status=PackageStatus.ACTIVE).order_by(
            "sold_on"
        ):
            packages[(p.customer_id, p.item)].append(p)
        seen = set(
            SessionUse.objects.filter(customer_id__in=customers).values_list(
                "customer_id", "package__item", "used_at"
            )
        )
        taken: dict[int, int] = ctx.cache.setdefault("taken", {})
        for row in sorted(batch, key=lambda r: r.values["used_at"]):
            v = row.values
            if self.row_key(row) in seen:
                row.action = UNCHANGED
                continue
            day = local_date(v["used_at"])
            candidates = [p for p in packages.get((v["customer_id"], v["item"]), []) if p.sold_on <= day]
            package = next(
                (p for p in candidates if p.valid_until >= day and p.sessions_used + taken.get(p.pk, 0) < p.sessions_total),
                None,
            )  # fmt: skip
            if package is None:
                if any(p.valid_until < day for p in candidates):
                    row.error("item", _("“%(item)s”已过期，不能再消耗") % {"item": v["item"]})
                elif candidates:
                    row.error("item", _("“%(item)s”已无剩余次数") % {"item": v["item"]})
                else:
                    row.error("item", _("该客户没有“%(item)s”的疗程套餐") % {"item": v["item"]})
                continue
            taken[package.pk] = taken.get(package.pk, 0) + 1
            v["package"] = package
            row.action = CREATE

    def write(self, batch: list[ParsedRow], ctx: ImportContext) -> tuple[int, int]:
        uses, per_package = [], defaultdict(int)
        for v in sorted((r.values for r in batch), key=lambda v: v["used_at"]):
            package = v["package"]
            per_package[package.pk] += 1
            uses.append(
                SessionUse(
                    package=package, site_id=ctx.site_id, customer_id=v["customer_id"], center_id=package.center_id,
                    performed_by_id=v["performed_by_id"], used_at=v["used_at"], month=month_key(v["used_at"]),
                    number=package.sessions_used + per_package[package.pk], note=v.get("note") or "",
                    import_job_id=ctx.job_id,
                )
            )  # fmt: skip
        SessionUse.objects.bulk_create(uses, batch_size=1000)
        for pk, n in per_package.items():  # one UPDATE per package touched (a handful per file)
            Package.objects.filter(pk=pk).update(sessions_used=F("sessions_used") + n)
        Package.objects.filter(pk__in=list(per_package), sessions_used=F("sessions_total")).update(
            status=PackageStatus.FINISHED
        )
        return len(uses), 0

    def undo(self, job_id: int) -> int:
        from opscenter.members.signals import refresh_tier_after_commit

        counts = defaultdict(int)
        customers = set()
        for pk, customer_id in SessionUse.objects.filter(import_job_id=job_id).values_list(
            "package_id", "customer_id"
        ):
            counts[pk] += 1
            customers.add(customer_id)
        for customer_id in customers:  # the tier condition 疗程已消耗次数 changed
            refresh_tier_after_commit(customer_id)
        removed, _ = SessionUse.objects.filter(import_job_id=job_id).delete()
        for pk, n in counts.items():
            Package.objects.filter(pk=pk).update(
                sessions_used=F("sessions_used") - n, status=PackageStatus.ACTIVE
            )
        return removed


from opscenter.clinic import import_orders  # noqa: E402, F401  (registers `clinic_orders`)
