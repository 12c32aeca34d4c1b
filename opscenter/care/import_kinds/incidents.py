"""The `care_incidents` import kind (护理事件): an incident register.

Columns: 姓名 / 电话 (a resident of the site), 事件类型 (跌倒, 压疮, 患病, 急救送医, 死亡, 走失, 冲突,
家属投诉 and synonyms such as 摔倒, 褥疮, 送医, 去世), 发生时间 (within the stay), 地点, 严重程度
(轻微/一般/严重/危重 and synonyms), 现场处置, 相关人员, 通知家属时间 and 通知人 (both or neither; not
before the incident), 后续跟进, 责任部门 (default: the nursing department).

As when recorded on screen, each incident gets the zone the resident was in that day and the risk
assessment of its kind known then, and opens its work order to the responsible department through
the commitments app (dated when the incident happened). Natural key: resident + kind + time.
Undo removes the job's incidents with their work orders, refused once any work order was worked on.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.care.choices import INCIDENT_RISK
from opscenter.care.import_kinds._common import INCIDENT_KIND_ALIASES, SEVERITY_ALIASES, resolve_stays
from opscenter.care.models import Incident, Occupancy, RiskAssessment
from opscenter.care.services.incidents import incident_work_order_open
from opscenter.imports.engine import CREATE, UNCHANGED, Field, ImportContext, ImportKind, ParsedRow
from opscenter.imports.exceptions import ImportRefused
from opscenter.imports.kinds import register
from opscenter.org.models import Department
from opscenter.pipeline.import_kinds.events import customer_fields
from opscenter.pipeline.import_kinds.refs import resolve_customers, resolve_staff


def _source_ref(pk: int) -> str:
    return f"care.incident:{pk}"  # as `incident_work_order_open` writes it


@register
class IncidentImport(ImportKind):
    name = "care_incidents"
    label_zh = gettext_noop("护理事件")  # stays Chinese (data); screens translate it
    permission = "care.add_incident"
    natural_key = ("residency_id", "kind", "occurred_at")
    fields = (  # i18n: data (column headers and aliases matched against imported files)
        *customer_fields(),
        Field("kind", "事件类型", ("类型", "事件", "kind"), type="choice", choices=INCIDENT_KIND_ALIASES, required=True),
        Field("occurred_at", "发生时间", ("时间", "发生日期", "日期", "occurred_at"), type="datetime", required=True),
        Field("place", "地点", ("发生地点", "place"), required=True, max_length=100),
        Field("severity", "严重程度", ("程度", "伤害程度", "severity"), type="choice", choices=SEVERITY_ALIASES, required=True),
        Field("immediate_action", "现场处置", ("处置", "处理措施", "immediate_action"), required=True, max_length=2000),
        Field("people", "相关人员", ("当事人", "在场人员", "people"), max_length=200),
        Field("family_informed_at", "通知家属时间", ("家属通知时间",), type="datetime"),
        Field("informer", "通知人", ("通知家属人",), reference="staff", max_length=50),
        Field("follow_up", "后续跟进", ("跟进", "处理结果", "follow_up"), max_length=2000),
        Field("department", "责任部门", ("部门", "department"), reference="department", max_length=50),
    )  # fmt: skip

    def resolve_references(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        resolve_customers(batch, ctx)
        resolve_staff(batch, ctx, field="informer", target="informer_id", label=_("通知人"))
        resolve_stays(batch, ctx, day_field="occurred_at")
        if "departments" not in ctx.cache:
            departments = Department.objects.filter(site_id=ctx.site_id).order_by("pk")
            ctx.cache["departments"] = {d.name: d.pk for d in departments}
            ctx.cache["nursing"] = next((d.pk for d in departments if d.kind == "nursing"), None)
        for row in batch:
            if not row.ok:
                continue
            name = row.values.pop("department", None)
            pk = ctx.cache["departments"].get(name) if name else ctx.cache["nursing"]
            if pk is None:
                row.error(
                    "department",
                    _("院区没有部门「%(name)s」") % {"name": name}
                    if name
                    else _("请填写责任部门（院区没有护理部）"),
                    column=None if name else "责任部门",  # i18n: data (header)
                )
            row.values["department_id"] = pk

    def validate_row(self, row: ParsedRow, ctx: ImportContext) -> None:
        v = row.values
        stay = row.extra["residency"]
        if v["occurred_at"] > ctx.now:
            row.error("occurred_at", _("发生时间不能晚于当前时间"))
        informed, informer = v.get("family_informed_at"), v.get("informer_id")
        if informed is not None and informed < v["occurred_at"]:
            row.error("family_informed_at", _("通知家属时间不能早于事件发生时间"))
        if informed is not None and not informer:
            row.error(
                "informer", _("填写了通知家属时间，请填写通知人"), column="通知人"
            )  # i18n: data (header)
        if informer and informed is None:
            row.error(
                "family_informed_at", _("填写了通知人，请填写通知家属时间"), column="通知家属时间"
            )  # i18n: data
        v["day"] = timezone.localtime(v["occurred_at"]).date().toordinal()
        v["_stay"] = stay

    def find_existing(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        existing = set(
            Incident.objects.filter(residency_id__in={r.values["residency_id"] for r in batch}).values_list(
                "residency_id", "kind", "occurred_at"
            )
        )
        for row in batch:
            row.action = UNCHANGED if self.row_key(row) in existing else CREATE

    def write(self, batch: list[ParsedRow], ctx: ImportContext) -> tuple[int, int]:
        stay_ids = {r.values["residency_id"] for r in batch}
        zones: dict[int, list] = {}
        for residency_id, start, end, zone_id in Occupancy.objects.filter(
            residency_id__in=stay_ids
        ).values_list("residency_id", "start_day", "end_day", "zone_id"):
            zones.setdefault(residency_id, []).append((start, end, zone_id))
        risks: dict[tuple[int, str], list] = {}
        for risk in RiskAssessment.objects.filter(residency_id__in=stay_ids).order_by("assessed_on", "pk"):
            risks.setdefault((risk.residency_id, risk.kind), []).append(risk)
        incidents = []
        for v in (r.values for r in batch):
            day = v["day"]
            zone_id = next(
                (z for s, e, z in zones.get(v["residency_id"], []) if s <= day and (e is None or day < e)),
                v["_stay"].zone_id,
            )
            known = [
                r for r in risks.get((v["residency_id"], INCIDENT_RISK.get(v["kind"], "")), [])
                if r.assessed_on.toordinal() <= day
            ]  # fmt: skip
            incidents.append(
                Incident(
                    site_id=ctx.site_id, residency_id=v["residency_id"], zone_id=zone_id, kind=v["kind"],
                    occurred_at=v["occurred_at"], day=day, place=v["place"], people=v.get("people") or "",
                    severity=v["severity"], immediate_action=v["immediate_action"],
                    family_informed_at=v.get("family_informed_at"), family_informed_by_id=v.get("informer_id"),
                    follow_up=v.get("follow_up") or "", department_id=v["department_id"],
                    risk_assessment=known[-1] if known else None,
                    recorded_by=ctx.actor if getattr(ctx.actor, "pk", None) else None, import_job_id=ctx.job_id,
                )
            )  # fmt: skip
        incidents = Incident.objects.bulk_create(incidents)
        names = dict(
            Incident.objects.filter(pk__in=[i.pk for i in incidents]).values_list(
                "pk", "residency__customer__name"
            )
        )
        for incident in incidents:
            incident.work_order = incident_work_order_open(
                incident, name=names[incident.pk], now=incident.occurred_at
            )
        Incident.objects.bulk_update(incidents, ["work_order"], batch_size=500)
        return len(incidents), 0

    def undo_blockers(self, job_id: int) -> list[str]:
        worked = (
            Incident.objects.filter(import_job_id=job_id, work_order__isnull=False)
            .exclude(work_order__status__in=["opened", "dispatched"])
            .exists()
        )
        return [_("本次导入的护理事件的工单已在处理，不能撤销")] if worked else []

    def undo(self, job_id: int) -> int:
        from opscenter.commitments.choices import Source
        from opscenter.commitments.services.workorders import work_orders_withdraw

        qs = Incident.objects.filter(import_job_id=job_id)
        refs = [_source_ref(pk) for pk in qs.values_list("pk", flat=True)]
        orders = list(qs.exclude(work_order__isnull=True).values_list("work_order_id", flat=True))
        qs.update(work_order=None)
        _withdrawn, worked = work_orders_withdraw(source=Source.INCIDENT, source_refs=refs)
        if worked:
            raise ImportRefused(
                _("本次导入的护理事件的工单已在处理，不能撤销"),
                log_message=f"undo of job {job_id}: {worked} of {len(orders)} work orders worked on",
            )
        removed, _counts = qs.delete()
        return removed
