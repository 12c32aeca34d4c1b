"""The `care_residents` import kind (入住长者): a community's residents and their stays in beds.

Columns: 姓名, 电话 (the customer at the site, by phone or a unique name; with "create missing
customers" a new one is registered), 身份证号 (checked: 18 characters, birth date, check
character), 分区 / 房号 / 床号 (an existing bed, in that zone), 入住类型 (试住/短住/长住 and
synonyms), 入住日期, 计划离院日期, 离院日期, 责任护理员, 紧急联系人, 紧急联系电话.

One resident per bed at any moment: a stay overlapping another on its bed — stored, or an earlier
row of the same file — is rejected naming the other resident; so is a second stay of the same
person overlapping the first. Natural key: customer + 入住日期, so importing the file again creates
nothing. Undo removes the job's stays (refused once incidents, risk assessments or transfers
refer to them) and the customers the job registered.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.care.choices import ResidencyStatus
from opscenter.care.import_kinds._common import STAY_TYPE_ALIASES
from opscenter.care.models import Bed, Incident, Occupancy, Residency, RiskAssessment, Transfer, Zone
from opscenter.imports.constants import CUSTOMER_PHONE_ALIASES
from opscenter.imports.engine import CREATE, UNCHANGED, Field, ImportContext, ImportKind, ParsedRow
from opscenter.imports.kinds import register
from opscenter.pipeline.choices import CustomerStatus, StayType
from opscenter.pipeline.import_kinds.refs import (
    create_missing_customers,
    remove_created_customers,
    resolve_customers,
    resolve_staff,
)


def _overlaps(a_start: int, a_end: int | None, b_start: int, b_end: int | None) -> bool:
    return (b_end is None or a_start < b_end) and (a_end is None or b_start < a_end)


@register
class ResidentImport(ImportKind):
    name = "care_residents"
    label_zh = gettext_noop("入住长者")  # stays Chinese (data); screens translate it
    permission = "care.add_residency"
    natural_key = ("customer_id", "started_on")
    fields = (  # i18n: data (column headers and aliases matched against imported files)
        Field("customer_name", "姓名", ("长者姓名", "老人姓名", "客户姓名", "name"), required=True, max_length=50),
        Field("phone", "电话", CUSTOMER_PHONE_ALIASES, type="phone"),
        Field("id_number", "身份证号", ("身份证", "身份证号码", "证件号", "证件号码", "id_number"), type="id_number"),
        Field("zone", "分区", ("区域", "护理区", "入住分区", "zone"), required=True, max_length=50),
        Field("room", "房号", ("房间", "房间号", "room"), required=True, max_length=20),
        Field("bed", "床号", ("床位", "床位号", "bed"), required=True, max_length=20),
        Field("stay_type", "入住类型", ("类型", "入住方式", "stay_type"), type="choice", choices=STAY_TYPE_ALIASES),
        Field("started_on", "入住日期", ("入院日期", "入住时间", "started_on"), type="date", required=True),
        Field("planned_end_on", "计划离院日期", ("计划离开日期", "planned_end_on"), type="date"),
        Field("ended_on", "离院日期", ("出院日期", "退住日期", "ended_on"), type="date"),
        Field("nurse", "责任护理员", ("护理员", "责任护工", "nurse"), reference="staff", max_length=50),
        Field("emergency_contact", "紧急联系人", ("联系人", "家属", "家属姓名"), max_length=50),
        Field("emergency_phone", "紧急联系电话", ("联系人电话", "家属电话", "紧急电话"), type="phone"),
    )  # fmt: skip

    def _beds(self, ctx: ImportContext) -> dict[tuple[str, str], dict]:
        if "beds" not in ctx.cache:
            zones = {z.pk: z for z in Zone.objects.filter(site_id=ctx.site_id)}
            ctx.cache["zone_names"] = {z.name: z.pk for z in zones.values()} | {
                str(z.get_care_zone_display()): z.pk for z in zones.values()
            }
            ctx.cache["beds"] = {
                (number, label): {"id": pk, "zone_id": zone_id, "zone": zones[zone_id].name, "active": active}
                for pk, number, label, zone_id, active in Bed.objects.filter(site_id=ctx.site_id).values_list(
                    "pk", "room__number", "label", "zone_id", "is_active"
                )
            }
            ctx.cache["in_file"] = {}  # bed id → [(start, end, row_no, name)] of the file's rows so far
        return ctx.cache["beds"]

    def resolve_references(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        resolve_customers(batch, ctx)
        resolve_staff(batch, ctx, field="nurse", target="nurse_id", label=_("责任护理员"))
        beds = self._beds(ctx)
        for row in batch:
            v = row.values
            if not row.ok:
                continue
            bed = beds.get((v["room"], v["bed"]))
            if bed is None:
                row.error(
                    "bed", _("房号「%(room)s」没有床号「%(bed)s」") % {"room": v["room"], "bed": v["bed"]}
                )
                continue
            v["_bed"] = bed
        wanted = {r.values["_bed"]["id"] for r in batch if r.ok and "_bed" in r.values}
        held: dict[int, list] = {}
        for bed_id, start, end, customer_id, started_on, name in Occupancy.objects.filter(
            bed_id__in=wanted
        ).values_list("bed_id", "start_day", "end_day", "residency__customer_id", "residency__started_on",
                      "residency__customer__name"):  # fmt: skip
            held.setdefault(bed_id, []).append((start, end, customer_id, started_on, name))
        ctx.cache["held"] = held
        customers = {
            r.values["customer_id"] for r in batch if r.ok and (r.values.get("customer_id") or 0) > 0
        }
        stays: dict[int, list] = {}
        for customer_id, started_on, ended_on in Residency.objects.filter(
            customer_id__in=customers
        ).values_list("customer_id", "started_on", "ended_on"):
            stays.setdefault(customer_id, []).append((started_on, ended_on))
        ctx.cache["stays"] = stays

    def validate_row(self, row: ParsedRow, ctx: ImportContext) -> None:
        v = row.values
        bed = v["_bed"]
        zone_id = ctx.cache["zone_names"].get(v["zone"])
        if zone_id is None:
            row.error("zone", _("院区没有分区「%(zone)s」") % {"zone": v["zone"]})
        elif zone_id != bed["zone_id"]:
            row.error(
                "zone",
                _("该床位在%(bed_zone)s，不在「%(zone)s」") % {"bed_zone": bed["zone"], "zone": v["zone"]},
            )
        if not bed["active"]:
            row.error("bed", _("床位已停用"))
        start, planned, end = v["started_on"], v.get("planned_end_on"), v.get("ended_on")
        if start > ctx.today:
            row.error("started_on", _("入住日期不能晚于今天"))
        if end is not None and end <= start:
            row.error("ended_on", _("离院日期必须晚于入住日期"))
        if end is not None and end > ctx.today:
            row.error("ended_on", _("离院日期不能晚于今天（计划中的离院请填“计划离院日期”）"))
        if planned is not None and planned <= start:
            row.error("planned_end_on", _("计划离院日期必须晚于入住日期"))
        if not row.ok:
            return
        s, e = start.toordinal(), end.toordinal() if end else None
        customer_id = v["customer_id"]
        for h_start, h_end, h_customer, h_started_on, h_name in ctx.cache["held"].get(bed["id"], []):
            if h_customer == customer_id and h_started_on == start:
                continue  # this very stay, imported before
            if _overlaps(s, e, h_start, h_end):
                row.error(
                    "bed",
                    _("该床位在这段时间已有长者“%(name)s”入住，一张床同一时间只能住一位长者")
                    % {"name": h_name},
                )
                return
        for f_start, f_end, f_row, f_name in ctx.cache["in_file"].get(bed["id"], []):
            if _overlaps(s, e, f_start, f_end):
                row.error(
                    "bed", _("与第 %(row)s 行的“%(name)s”同一床位、时间重叠") % {"row": f_row, "name": f_name}
                )
                return
        for other_start, other_end in ctx.cache["stays"].get(customer_id, []):
            if other_start != start and _overlaps(
                s, e, other_start.toordinal(), other_end.toordinal() if other_end else None
            ):
                row.error("started_on", _("该长者在 %(day)s 已有一段入住，时间重叠") % {"day": other_start})
                return
        ctx.cache["in_file"].setdefault(bed["id"], []).append((s, e, row.row_no, v["customer_name"]))
        v["zone_id"] = bed["zone_id"]
        v["stay_type"] = v.get("stay_type") or StayType.LONG.value

    def find_existing(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        existing = set(
            Residency.objects.filter(
                site_id=ctx.site_id, customer_id__in={r.values["customer_id"] for r in batch}
            ).values_list("customer_id", "started_on")
        )
        for row in batch:
            row.action = UNCHANGED if self.row_key(row) in existing else CREATE

    def write(self, batch: list[ParsedRow], ctx: ImportContext) -> tuple[int, int]:
        create_missing_customers(
            batch,
            ctx,
            first_contact=lambda row: row.values["started_on"],
            status=CustomerStatus.CUSTOMER.value,
        )
        stays = []
        for row in batch:
            v = row.values
            stays.append(
                Residency(
                    site_id=ctx.site_id, customer_id=v["customer_id"], stay_type=v["stay_type"], zone_id=v["zone_id"],
                    bed_id=v["_bed"]["id"], nurse_id=v.get("nurse_id"), started_on=v["started_on"],
                    planned_end_on=v.get("planned_end_on"), ended_on=v.get("ended_on"),
                    status=ResidencyStatus.ENDED if v.get("ended_on") else ResidencyStatus.ACTIVE,
                    id_number=v["id_number"].number if v.get("id_number") else "",
                    emergency_contact=v.get("emergency_contact") or "",
                    emergency_phone=v["emergency_phone"].number if v.get("emergency_phone") else "",
                    import_job_id=ctx.job_id,
                )
            )  # fmt: skip
        stays = Residency.objects.bulk_create(stays)
        Occupancy.objects.bulk_create(
            [
                Occupancy(
                    site_id=ctx.site_id, residency_id=stay.pk, bed_id=stay.bed_id, zone_id=stay.zone_id,
                    start_day=stay.started_on.toordinal(), end_day=stay.ended_on.toordinal() if stay.ended_on else None,
                )
                for stay in stays
            ]
        )  # fmt: skip
        return len(stays), 0

    def undo_blockers(self, job_id: int) -> list[str]:
        stays = Residency.objects.filter(import_job_id=job_id).values("pk")
        used = (
            Incident.objects.filter(residency_id__in=stays).exists()
            or RiskAssessment.objects.filter(Q(residency_id__in=stays), Q(import_job_id__isnull=True) | ~Q(import_job_id=job_id)).exists()
            or Transfer.objects.filter(residency_id__in=stays).exists()
        )  # fmt: skip
        return [_("本次导入的长者已有护理事件、风险评估或转床记录，请先撤销或处理这些记录")] if used else []

    def undo(self, job_id: int) -> int:
        stays = Residency.objects.filter(import_job_id=job_id)
        Occupancy.objects.filter(residency__in=stays).delete()
        removed, _counts = stays.delete()
        remove_created_customers(job_id)
        return removed
