"""Demo step for 阳光颐养社区: the admission workflow around the pipeline demo's assessments, stays
for its signed elder-care deals (beds allocated without overlap, some 跨区 transfers, discharges
linked to the pipeline exits), a year of risk assessments and reviews, incidents with their work
orders, and the nurse roster. Bulk writes; incidents go through the service so each opens its work
order. Deterministic for a seed and the load date; idempotent (a site with stays is left alone)."""

from __future__ import annotations

import datetime as dt
import math
import random
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from opscenter.care import admission_commitment, scales, services
from opscenter.care.choices import AdmissionStatus, IncidentKind, RiskKind, Severity, Shift, ViewRole
from opscenter.care.models import (
    AdmissionRequest,
    AdmissionView,
    Bed,
    NurseAssignment,
    Occupancy,
    Residency,
    RiskAssessment,
    RiskMeasure,
    Room,
    Transfer,
    Zone,
)
from opscenter.core.audit import audit_context
from opscenter.core.businesstime import business_time_between
from opscenter.core.calendars import work_calendar_for
from opscenter.org.models import Site, Staff
from opscenter.pipeline.choices import AssessorRole, DealStatus
from opscenter.pipeline.models import Assessment, Deal, Exit

SITE_CODE = "sunshine"
TRIAL_DAYS, SHORT_DAYS = 14, 60
INCIDENT_RATE = 0.004  # per resident-day (4 per 1,000), all kinds
KIND_WEIGHTS = {
    IncidentKind.FALL: 40,
    IncidentKind.ILLNESS: 15,
    IncidentKind.HOSPITAL: 10,
    IncidentKind.PRESSURE: 8,
    IncidentKind.WANDERING: 6,
    IncidentKind.CONFLICT: 10,
    IncidentKind.COMPLAINT: 10,
    IncidentKind.DEATH: 1,
}


def _answers_for(zone: str, rng: random.Random, rule: scales.ZoneRule) -> dict:
    """Scale answers whose suggested zone is `zone` (drawn until they match): the lower half of each
    Barthel item for the nursing zones, the upper half for assisted care."""
    for _attempt in range(500):
        barthel = {}
        for item in scales.BARTHEL.items:
            values = sorted(item.values)
            half = len(values) // 2
            barthel[item.code] = rng.choice(values[: max(half, 1)] if zone != "assisted" else values[half:])
        impaired = zone == "dementia"
        cognitive = {"recall": rng.choice([0, 1] if impaired else [2, 3]), "clock": 0 if impaired else 2}
        if rule.cognitive_screen == "mmse":
            cognitive = {i.code: (i.minimum if impaired else i.maximum) for i in scales.MMSE.items}
        morse = {i.code: rng.choice(sorted(i.values)) for i in scales.MORSE.items}
        suggested = scales.suggested_zone(
            barthel=sum(barthel.values()), cognitive=sum(cognitive.values()), rule=rule
        )
        if suggested == zone:
            return {"barthel": barthel, "cognitive": cognitive, "morse": morse}
    raise RuntimeError(f"no answers for {zone}")


def generate(*, seed: int, stdout) -> None:
    site = Site.objects.filter(code=SITE_CODE).select_related("calendar").first()
    if site is None:
        stdout.write("阳光颐养社区不存在，跳过养老照护演示数据 (skipped)")
        return
    if Residency.objects.filter(site=site).exists():
        stdout.write(f"{site.name}：养老照护演示数据已存在，跳过")
        return
    rng = random.Random(f"opscenter-care-{seed}")
    ops = get_user_model().objects.filter(username="demo-ops").first()
    with audit_context(None, "cli", "演示数据"), transaction.atomic():
        services.zones_ensure(site_id=site.pk)
        requests = _admissions(site, rng)
        stays, transfers = _stays(site, rng)
        risks = _risks(site, rng)
        measures = _measures(site, rng)
        rostered = _roster(site)
        incidents = _incidents(site, rng, ops)
    stdout.write(
        f"{site.name}：入住评估申请 {requests} 件，入住 {stays} 人次，跨区 {transfers} 次，"
        f"风险评估 {risks} 条，防范措施 {measures} 条，护理排班 {rostered} 人，护理事件 {incidents} 件"
    )


def _admissions(site: Site, rng: random.Random) -> int:
    """One request per assessed customer around the pipeline's opinions (the nursing original, the
    marketing second opinion when disputed, else an agreeing marketing opinion added here)."""
    rule = services.zone_rule_for(site.pk)
    calendar = work_calendar_for(site.calendar)
    originals = list(
        Assessment.objects.filter(site=site, second_opinion_of__isnull=True)
        .select_related("customer__owner__department", "assessor__department")
        .order_by("customer_id", "assessed_at")
    )
    seconds = {
        a.second_opinion_of_id: a
        for a in Assessment.objects.filter(site=site, second_opinion_of__isnull=False)
    }
    deals = defaultdict(list)
    for deal in (
        Deal.objects.filter(site=site, status=DealStatus.SIGNED).exclude(stay_type="").order_by("signed_on")
    ):
        deals[deal.customer_id].append(deal)
    arbiter = (
        Staff.objects.filter(department__site=site, department__kind="operations").order_by("pk").first()
    )
    seen, agreeing, plans = set(), [], []
    for original in originals:
        customer = original.customer
        if customer.pk in seen or customer.owner is None or arbiter is None:
            continue
        seen.add(customer.pk)
        second = seconds.get(original.pk)
        if second is None:
            second = Assessment(
                site=site,
                customer=customer,
                assessor=customer.owner,
                assessor_role=AssessorRole.MARKETING,
                assessed_at=original.assessed_at + dt.timedelta(hours=2),
                zone=original.zone,
                notes="",
            )
            agreeing.append(second)
        plans.append((original, second))
    Assessment.objects.bulk_create(agreeing, batch_size=500)
    rows, views, panels = [], [], []
    now = timezone.now()
    for original, second in plans:
        customer = original.customer
        requested_at = original.assessed_at - dt.timedelta(hours=rng.randint(2, 40))
        disputed = second.second_opinion_of_id is not None
        decided_zone = (second.resolved_zone if disputed else original.zone) or ""
        decided_at = (second.resolved_at if disputed else second.assessed_at) if decided_zone else None
        customer_deals = deals.get(customer.pk, [])
        status = AdmissionStatus.DECIDED if decided_zone else AdmissionStatus.DISPUTED
        if not customer_deals and now - requested_at > dt.timedelta(days=14):
            status = AdmissionStatus.LOST
        request = AdmissionRequest(
            site=site,
            customer=customer,
            deal=customer_deals[0] if customer_deals else None,
            requested_by=customer.owner,
            requested_at=requested_at,
            arbiter=arbiter,
            status=status,
            disputed=disputed,
            disputed_at=second.assessed_at if disputed else None,
            decided_zone=decided_zone,
            decided_at=decided_at,
            decision_reason=second.resolution if disputed else "",
            cycle_minutes=int(business_time_between(requested_at, decided_at, calendar).total_seconds() // 60)
            if decided_at
            else None,
            lost_reason="不接受评估分区" if status == AdmissionStatus.LOST else "",
        )
        rows.append((request, original, second))
    AdmissionRequest.objects.bulk_create([r for r, _o, _s in rows], batch_size=500)
    # Each request is an instance of the admission commitment (due time, breaches, work orders).
    admission_commitment.record_many(site.pk, [r for r, _o, _s in rows], now=now)
    for request, original, second in rows:
        for assessment, role in ((original, ViewRole.NURSING), (second, ViewRole.MARKETING)):
            answers = _answers_for(assessment.zone, rng, rule)
            totals = {k: sum(v.values()) for k, v in answers.items()}
            views.append(
                AdmissionView(
                    request=request,
                    role=role,
                    assessment=assessment,
                    assessor=assessment.assessor,
                    department_id=assessment.assessor.department_id,
                    answers=answers,
                    barthel=totals["barthel"],
                    cognitive_scale=rule.cognitive_screen,
                    cognitive=totals["cognitive"],
                    morse=totals["morse"],
                    suggested_zone=assessment.zone,
                    zone=assessment.zone,
                    recorded_at=assessment.assessed_at,
                )
            )
        panels += [
            AdmissionRequest.panel.through(admissionrequest_id=request.pk, staff_id=original.assessor_id),
            AdmissionRequest.panel.through(admissionrequest_id=request.pk, staff_id=second.assessor_id),
        ]
    AdmissionView.objects.bulk_create(views, batch_size=500)
    AdmissionRequest.panel.through.objects.bulk_create(panels, batch_size=1000, ignore_conflicts=True)
    return len(rows)


class _Beds:
    """Greedy allocation: a bed is free from the day its last stay ended (None: still occupied);
    rooms of two beds are added as needed. Stays never overlap on a bed: a stay takes a bed only
    from the day the bed's last stay ended."""

    def __init__(self, site: Site):
        self.site, self.free = site, defaultdict(list)  # zone id → [[free_from, bed]]
        self.counter = 0

    def room(self, zone: Zone) -> list[Bed]:
        self.counter += 1
        room = Room.objects.create(
            site=self.site, zone=zone, number=f"{zone.sort_order // 10 + 1}{self.counter:02d}"
        )
        return Bed.objects.bulk_create(
            [Bed(site=self.site, zone=zone, room=room, label=str(i)) for i in (1, 2)]
        )

    def take(self, zone: Zone, start: int, end: int | None) -> Bed:
        for slot in self.free[zone.pk]:
            if slot[0] is not None and slot[0] <= start:
                slot[0] = end
                return slot[1]
        first, second = self.room(zone)
        self.free[zone.pk] += [[end, first], [0, second]]
        return first


def _stays(site: Site, rng: random.Random) -> tuple[int, int]:
    today = timezone.localdate()
    zones = {z.care_zone: z for z in Zone.objects.filter(site=site)}
    decided = dict(
        AdmissionRequest.objects.filter(site=site)
        .exclude(decided_zone="")
        .values_list("customer_id", "decided_zone")
    )
    exits = {e.customer_id: e for e in Exit.objects.filter(site=site).order_by("exited_on")}
    nurses = list(Staff.objects.filter(department__site=site, department__kind="nursing", is_active=True))
    by_customer = defaultdict(list)
    for deal in (
        Deal.objects.filter(site=site, status=DealStatus.SIGNED).exclude(stay_type="").order_by("signed_on")
    ):
        by_customer[deal.customer_id].append(deal)
    beds = _Beds(site)
    plans = []
    for customer_id, deals in sorted(by_customer.items(), key=lambda kv: kv[1][0].signed_on):
        first, last = deals[0], deals[-1]
        start = min(first.signed_on + dt.timedelta(days=rng.randint(0, 5)), today)
        end = None
        exit_row, linked_exit = exits.get(customer_id), None
        if exit_row is not None and exit_row.exited_on > start:
            end, linked_exit = exit_row.exited_on, exit_row
        elif len(deals) == 1 and last.stay_type != "long":
            planned = start + dt.timedelta(days=TRIAL_DAYS if last.stay_type == "trial" else SHORT_DAYS)
            end = planned if planned <= today else None
        if end is not None and end <= start:
            end = start + dt.timedelta(days=1)
        zone = zones[decided.get(customer_id) or first.care_zone or "assisted"]
        plans.append((customer_id, last, first, zone, start, end, linked_exit))
    residencies, segments, transfers = [], [], []
    for customer_id, deal, _first, zone, start, end, exit_row in plans:
        s, e = start.toordinal(), end.toordinal() if end else None
        move_day = None
        if rng.random() < 0.06 and (e or today.toordinal()) - s > 20:
            move_day = s + rng.randint(10, (e or today.toordinal()) - s - 1)
            target = zones[rng.choice([z for z in zones if z != zone.care_zone])]
        bed = beds.take(zone, s, move_day or e)
        final_zone, final_bed = zone, bed
        residency = Residency(
            site=site,
            customer_id=customer_id,
            deal=deal,
            stay_type=deal.stay_type,
            zone=zone,
            bed=bed,
            nurse=rng.choice(nurses) if nurses else None,
            started_on=start,
            ended_on=end,
            status="ended" if end else "active",
            exit=exit_row,
        )
        segs = [(bed, zone, s, move_day or e)]
        if move_day:
            new_bed = beds.take(target, move_day, e)
            segs.append((new_bed, target, move_day, e))
            final_zone, final_bed = target, new_bed
            transfers.append((residency, bed, new_bed, zone, target, dt.date.fromordinal(move_day)))
        residency.zone, residency.bed = final_zone, final_bed
        residencies.append(residency)
        segments.append((residency, segs))
    Residency.objects.bulk_create(residencies, batch_size=500)
    Occupancy.objects.bulk_create(
        [
            Occupancy(site=site, residency=r, bed=b, zone=z, start_day=a, end_day=c)
            for r, segs in segments
            for b, z, a, c in segs
        ],
        batch_size=1000,
    )
    decider = Staff.objects.filter(department__site=site, department__kind="nursing").order_by("pk").first()
    Transfer.objects.bulk_create(
        [
            Transfer(
                site=site,
                residency=r,
                from_bed=a,
                to_bed=b,
                from_zone=za,
                to_zone=zb,
                moved_on=day,
                reason="身体状况变化，护理评估后转区",
                decided_by=decider,
            )
            for r, a, b, za, zb, day in transfers
        ]
    )
    AdmissionRequest.objects.filter(site=site, customer_id__in=[r.customer_id for r in residencies]).exclude(
        status=AdmissionStatus.LOST
    ).exclude(decided_zone="").update(status=AdmissionStatus.ADMITTED)
    for zone in zones.values():  # a spare room per zone, so vacancies show
        beds.room(zone)
    return len(residencies), len(transfers)


def _risks(site: Site, rng: random.Random) -> int:
    """Fall and pressure-sore assessments at admission, reviewed on the interval their level sets;
    wandering for the dementia zone, illness for about a third."""
    settings = services.care_settings_for(site.pk)
    today = timezone.localdate()
    assessors = list(Staff.objects.filter(department__site=site, department__kind="nursing", is_active=True))
    if not assessors:
        return 0
    rows = []
    for r in Residency.objects.filter(site=site).select_related("zone"):
        kinds = [RiskKind.FALL, RiskKind.PRESSURE]
        if r.zone.care_zone == "dementia":
            kinds.append(RiskKind.WANDERING)
        if rng.random() < 0.33:
            kinds.append(RiskKind.ILLNESS)
        last_day = min(r.ended_on or today, today)
        for kind in kinds:
            scale = scales.RISK_SCALE[kind]
            day = r.started_on
            previous = None
            while day <= last_day:
                answers = {i.code: rng.choice(sorted(i.values)) for i in scale.items}
                score = sum(answers.values())
                level = scales.risk_level(kind, score)
                row = RiskAssessment(
                    site=site,
                    residency=r,
                    kind=kind,
                    answers=answers,
                    score=score,
                    level=level,
                    assessed_on=day,
                    assessor=rng.choice(assessors),
                    next_review_on=day + dt.timedelta(days=settings.review_days(level)),
                )
                if previous is not None:
                    previous.superseded_on = day
                rows.append(row)
                previous = row
                # some reviews are done late, so the overdue list is not empty
                day = row.next_review_on + dt.timedelta(days=rng.choice([0, 0, 0, 1, 3]))
    RiskAssessment.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


# The share of a zone's ratio limit the demo roster aims at, per zone and shift: most rows green,
# the dementia day shift at its limit (amber), the dementia night shift short-handed (red).
ROSTER_TARGET = {
    ("assisted", Shift.DAY): Decimal("0.75"),
    ("assisted", Shift.NIGHT): Decimal("0.7"),
    ("rehab", Shift.DAY): Decimal("0.8"),
    ("rehab", Shift.NIGHT): Decimal("0.9"),
    ("dementia", Shift.DAY): Decimal("1.0"),
    ("dementia", Shift.NIGHT): Decimal("1.4"),
}


def _roster(site: Site) -> int:
    """The care workers (护理员) on shifts: each works one zone on one shift, as many per zone and
    shift as today's residents and planned admissions need at the zone's ROSTER_TARGET share of
    its ratio limit (while care workers last). The head nurse and the assessors are not rostered."""
    from opscenter.care.selectors.census import staffing

    zones = {z.pk: z for z in Zone.objects.filter(site=site)}
    workers = list(
        Staff.objects.filter(
            department__site=site, department__kind="nursing", is_active=True, position__name="护理员"
        ).order_by("pk")
    )
    needs = []
    for row in staffing(site_id=site.pk, today=timezone.localdate()):
        zone = row["zone"]
        shift = Shift.DAY if row["shift"] == Shift.DAY.label else Shift.NIGHT
        load = row["residents"] + row["planned"]
        share = ROSTER_TARGET.get((zone.care_zone, shift), Decimal("0.75"))
        needed = max(1, math.ceil(load / (zone.ratio_limit(shift) * share))) if load else 0
        needs.append([zones[zone.pk], shift, needed])
    rows = []
    # Every zone shift with residents gets one worker first, then each is filled up to its need.
    for first_pass in (True, False):
        for need in needs:
            zone, shift, needed = need
            take = min(1 if first_pass else needed, needed, len(workers))
            rows += [
                NurseAssignment(site=site, zone=zone, staff=workers.pop(0), shift=shift) for _i in range(take)
            ]
            need[2] -= take
    NurseAssignment.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


MEASURES = {  # i18n: data (demo measures per risk kind)
    RiskKind.FALL: ("床栏与夜灯，夜间每两小时巡视", "穿防滑鞋，如厕时陪同", "康复师平衡训练每周三次"),
    RiskKind.PRESSURE: ("每两小时翻身并记录", "使用气垫床", "营养师评估并加餐"),
    RiskKind.WANDERING: ("佩戴定位手环", "门禁提醒，出入登记"),
    RiskKind.ILLNESS: ("每日测量血压血糖", "家属沟通病情，制定送医预案"),
}


def _measures(site: Site, rng: random.Random) -> int:
    """Measures for medium and high risks: one or two per assessment, due within a few days, owned
    by the resident's nurse. Past ones were mostly done (some late); a few of the current
    assessments' measures are still open past their date, so the overdue list is not empty."""
    today = timezone.localdate()
    owners = list(
        Staff.objects.filter(department__site=site, department__kind="nursing", is_active=True).order_by("pk")
    )
    if not owners:
        return 0
    rows = []
    risks = RiskAssessment.objects.filter(site=site, level__in=["medium", "high"]).select_related("residency")
    for risk in risks.order_by("pk"):
        texts = MEASURES[risk.kind]
        for text in rng.sample(texts, k=min(len(texts), 1 if risk.level == "medium" else 2)):
            due = risk.assessed_on + dt.timedelta(days=rng.randint(2, 10))
            done = None
            if due < today:
                roll = rng.random()
                if risk.superseded_on is not None or roll < 0.8:
                    done = min(due - dt.timedelta(days=rng.randint(0, 2)), today)
                elif roll < 0.93:
                    done = min(due + dt.timedelta(days=rng.randint(1, 6)), today)
            elif rng.random() < 0.3:
                done = today
            done = max(done, risk.assessed_on) if done else None
            owner = risk.residency.nurse or rng.choice(owners)
            rows.append(
                RiskMeasure(
                    risk=risk,
                    description=text,
                    owner=owner,
                    due_on=due,
                    done_on=done,
                    done_by=owner if done else None,
                )
            )
    RiskMeasure.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


def _incidents(site: Site, rng: random.Random, ops) -> int:
    """Incidents at about 4 per 1,000 resident-days, each through the service (its work order);
    those older than a week are worked and resolved by the liaison's department."""
    from opscenter.commitments.services import work_order_transition
    from opscenter.core.exceptions import DomainError, ValidationError

    if ops is None:
        return 0
    today = timezone.localdate()
    tz = timezone.get_default_timezone()
    kinds, weights = zip(*KIND_WEIGHTS.items(), strict=True)
    places = ("房间", "卫生间", "走廊", "餐厅", "活动室", "花园")
    planned = []
    for r in Residency.objects.filter(site=site).order_by("pk"):
        last = min(r.ended_on - dt.timedelta(days=1) if r.ended_on else today, today)
        days = (last - r.started_on).days + 1
        for _i in range(sum(1 for _d in range(max(days, 0) // 25) if rng.random() < INCIDENT_RATE * 25)):
            day = r.started_on + dt.timedelta(days=rng.randint(0, days - 1))
            planned.append((r, day, rng.choices(kinds, weights)[0]))
    n = 0
    for residency, day, kind in sorted(planned, key=lambda p: p[1]):
        at = dt.datetime.combine(day, dt.time(rng.randint(6, 21), rng.choice([0, 15, 30, 45])), tzinfo=tz)
        if at > timezone.now():
            at = timezone.now() - dt.timedelta(hours=1)
        severity = rng.choices(list(Severity.values), [50, 35, 12, 3])[0]
        if kind == IncidentKind.DEATH:
            severity = Severity.CRITICAL
        try:
            incident = services.incident_record(
                actor=ops,
                residency_id=residency.pk,
                kind=kind,
                occurred_at=at,
                place=rng.choice(places),
                severity=severity,
                immediate_action="现场处置并通知医生",
                people="当班护理员",
                family_informed_at=at + dt.timedelta(minutes=rng.randint(10, 120))
                if at + dt.timedelta(hours=2) < timezone.now()
                else None,
                family_informed_by_id=residency.nurse_id if residency.nurse_id else None,
                follow_up="护理部跟进，落实防范措施",
                now=at,
            )
        except ValidationError:
            continue
        n += 1
        if (today - day).days > 7:
            order = incident.work_order
            for to in ("in_progress", "resolved"):
                try:
                    order = work_order_transition(
                        actor=ops,
                        work_order_id=order.pk,
                        to_status=to,
                        version=None,
                        resolution="已落实防范措施" if to == "resolved" else "",
                        now=at + dt.timedelta(hours=4 if to == "in_progress" else 30),
                    )
                except DomainError:  # a work order without a liaison stays where it is
                    break
    return n
