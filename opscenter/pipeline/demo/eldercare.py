"""Demo year of the elder-care community (阳光, seed 000): ~900 prospects, ~300 new residents.

Channel mix like seed 000's 表1 (referral 31.4%, offline 52.9%, online 6.7%, the rest phone /
walk-in / other); three sales teams; tours (参观) after phone or online bookings; a nursing
assessment before admission, with marketing second opinions now and then; stays of trial / short /
long with monthly charges as transactions; follow-ups with satisfaction; exits with reasons.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model

from opscenter.org.choices import DepartmentKind
from opscenter.org.models import Site, Staff
from opscenter.pipeline.choices import (
    AppointmentStatus,
    AssessorRole,
    CareZone,
    ChannelKind,
    FollowUpOutcome,
    StayType,
    VisitKind,
    VisitOutcome,
)
from opscenter.pipeline.constants import PROFESSION_SUGGESTIONS
from opscenter.pipeline.demo import common
from opscenter.pipeline.demo.common import TZ, Faker, consultants, exit_reasons, shared_channels, site_channel
from opscenter.pipeline.demo.writer import Writer

PROSPECTS = 900
TEAMS = ("销售一组", "销售二组", "销售三组")
# Prospects by channel kind, tuned so residents come out near seed 000's table 1.
SOURCE = {"referral": 31.4, "offline": 52.9, "online": 6.7, "phone": 4.0, "walk_in": 3.0, "other": 2.0}
SEASON = [7, 8, 9, 8, 8, 9, 8, 7, 7, 9, 11, 9]  # Dec … Nov: autumn is the busy season (seed 000)
PROFESSIONS = dict(zip(PROFESSION_SUGGESTIONS, (24, 18, 9, 22, 6, 5, 7, 4, 3, 2), strict=True))
MONTHLY_FEE_YUAN = {CareZone.ASSISTED: 6800, CareZone.REHAB: 9800, CareZone.DEMENTIA: 12800}
STAY_MONTHS = {StayType.TRIAL: 1, StayType.SHORT: 3, StayType.LONG: 12}
EXIT_REASONS = {
    "death": 35,
    "hospital": 20,
    "other_institution": 14,
    "price": 11,
    "service": 7,
    "family": 10,
    "other": 3,
}
SATISFACTION = {5: 45, 4: 38, 3: 12, 2: 4, 1: 1}
CITIES = {"宁波": 88, "杭州": 4, "上海": 4, "绍兴": 4}


def _month_starts(first: dt.date, months: int, last: dt.date) -> list[dt.date]:
    days, year, month = [], first.year, first.month
    for _ in range(months):
        day = dt.date(year, month, min(first.day, 28))
        if day > last:
            break
        days.append(day)
        year, month = year + (month == 12), month % 12 + 1
    return days


def _maybe_convert_to_long_stay(w, customer, *, site: Site, trial_on: dt.date, zone: str, owner) -> None:
    """About 4 in 10 trial residents sign a 12-month long stay when the trial month ends (试住转长住,
    seed 000). Drawn from the customer's own generator, so the rest of the demo stays as it was."""
    draw = random.Random(f"convert-{site.code}-{customer.name}-{trial_on}")
    converted_on = trial_on + dt.timedelta(days=draw.randint(26, 35))
    if draw.random() >= 0.4 or converted_on > dt.date(2026, 11, 23):
        return
    fee_fen = MONTHLY_FEE_YUAN[zone] * 100
    deal = w.deal(customer, on=converted_on, amount_fen=fee_fen * 12, consultant=owner, new=False,
                  stay_type=StayType.LONG, care_zone=zone)  # fmt: skip
    w.line(deal, item=f"{StayType.LONG.label}·{CareZone(zone).label}", category="accommodation", sessions=12,
           amount_fen=fee_fen * 12)  # fmt: skip


def build_eldercare(site: Site, rng: random.Random) -> dict[str, int]:
    fake = Faker(rng)
    w = Writer(site)
    teams = {name: consultants(site, name) for name in TEAMS}
    sellers = [s for staff in teams.values() for s in staff]
    nurses = list(
        Staff.objects.filter(department__site=site, department__kind=DepartmentKind.NURSING).order_by(
            "employee_no"
        )
    )
    if not sellers or not nurses:
        return {"跳过（缺少销售组或护理部）": 0}
    resolver = get_user_model().objects.filter(staff__department__site=site, groups__name="运营管理").first()
    shared = shared_channels()
    channels = {
        "referral": [shared[ChannelKind.REFERRAL], site_channel(site, "老住户介绍", ChannelKind.REFERRAL)],
        "offline": [
            site_channel(site, "泰康保险渠道", ChannelKind.OFFLINE, "泰康人寿宁波分公司销售团队"),
            site_channel(site, "平安保险渠道", ChannelKind.OFFLINE, "平安人寿宁波销售团队"),
            site_channel(site, "医院转介", ChannelKind.OFFLINE, "宁波市第二医院老年科"),
            site_channel(site, "社区活动", ChannelKind.OFFLINE, "街道社区"),
        ],
        "online": [site_channel(site, "微信公众号", ChannelKind.ONLINE), shared[ChannelKind.ONLINE]],
        "phone": [shared[ChannelKind.PHONE]],
        "walk_in": [shared[ChannelKind.WALK_IN]],
        "other": [shared[ChannelKind.OTHER]],
    }
    reasons = exit_reasons()

    for _ in range(PROSPECTS):
        kind = fake.pick(SOURCE)
        owner = rng.choice(sellers)
        female = rng.random() < 0.58
        first_day = fake.day(SEASON)
        first_at = fake.moment(first_day)
        customer = w.customer(
            name=fake.name(female),
            phone=fake.phone(landline_share=0.15),
            gender="female" if female else "male",
            birthday=fake.birthday(62, 94),
            profession=fake.pick(PROFESSIONS),
            city=fake.pick(CITIES),
            channel=rng.choice(channels[kind]),
            owner=owner,
            first_at=first_at,
        )
        # First contact: walk-ins arrive for a tour; online leads chat; the rest call (family members).
        if kind == "walk_in":
            w.consultation(customer, mode="onsite", at=first_at, staff=owner, first=True, intent="medium")
            tour_at, source, appointment = first_at, "walk_in", None
        else:
            mode = "online" if kind == "online" else "phone"
            w.consultation(
                customer,
                mode=mode,
                at=first_at,
                staff=owner,
                first=True,
                intent=rng.choice(["high", "medium", "low"]),
            )
            for _extra in range(rng.choice([0, 1, 1, 2])):
                later = fake.after(first_day, 2, 20)
                if later:
                    w.consultation(customer, mode="phone", at=fake.moment(later), staff=owner, first=False)
            if rng.random() > 0.68:  # no tour booked
                continue
            scheduled_day = fake.after(first_day, 2, 14, upcoming=True)
            if scheduled_day is None:
                continue
            status = fake.pick(
                {AppointmentStatus.ARRIVED: 80, AppointmentStatus.NO_SHOW: 12, AppointmentStatus.CANCELLED: 8}
            )
            if scheduled_day >= common.TODAY:  # booked for today or the coming week: still open
                status = AppointmentStatus.BOOKED
            appointment = w.appointment(
                customer,
                mode=mode,
                booked_at=first_at + dt.timedelta(minutes=20),
                scheduled_for=fake.moment(scheduled_day, 9, 16),
                status=status,
                booked_by=owner,
            )
            if status != AppointmentStatus.ARRIVED:
                continue
            tour_at, source = appointment.scheduled_for, mode
        visit = w.visit(
            customer,
            at=tour_at,
            source=source,
            kind=VisitKind.TOUR,
            appointment=appointment,
            new=True,
            onsite=owner,
        )
        if rng.random() > 0.6:
            visit.outcome = rng.choice([VisitOutcome.CONSIDERING, VisitOutcome.LOST])
            continue
        # Admission assessment by nursing; marketing disagrees now and then (seed 000 ⑥).
        tour_day = tour_at.astimezone(TZ).date()
        assessed_day = fake.after(tour_day, 1, 4)
        if assessed_day is None:
            continue
        zone = fake.pick({CareZone.ASSISTED: 50, CareZone.REHAB: 35, CareZone.DEMENTIA: 15})
        first_opinion = w.assessment(
            customer,
            assessor=rng.choice(nurses),
            role=AssessorRole.NURSING,
            at=fake.moment(assessed_day),
            zone=zone,
        )
        if rng.random() < 0.12:
            other = rng.choice([z for z in CareZone.values if z != zone])
            settled = rng.choice([zone, other]) if rng.random() < 0.8 else ""
            w.assessment(
                customer,
                assessor=owner,
                role=AssessorRole.MARKETING,
                at=first_opinion.assessed_at + dt.timedelta(hours=3),
                zone=other,
                notes="家属认为老人自理能力较好，建议复评",
                disputes=first_opinion,
                resolved=(settled, "评估小组复核后裁定", resolver) if settled else None,
            )
            zone = settled or zone
        signed_on = fake.after(assessed_day, 0, 6)
        if signed_on is None:
            continue
        stay = fake.pick({StayType.TRIAL: 35, StayType.SHORT: 15, StayType.LONG: 50})
        months = STAY_MONTHS[stay]
        fee_fen = MONTHLY_FEE_YUAN[zone] * 100
        visit.outcome = VisitOutcome.DEAL
        deal = w.deal(
            customer, on=signed_on, amount_fen=fee_fen * months, consultant=owner, new=True, visit=visit,
            stay_type=stay, care_zone=zone,
        )  # fmt: skip
        w.line(
            deal,
            item=f"{StayType(stay).label}·{CareZone(zone).label}",
            category="accommodation",
            sessions=months,
            amount_fen=fee_fen * months,
        )
        if stay == StayType.TRIAL:
            _maybe_convert_to_long_stay(w, customer, site=site, trial_on=signed_on, zone=zone, owner=owner)
        charges = _month_starts(signed_on, months, common.LAST_DAY)
        for day in charges:
            w.transaction(
                customer,
                on=day,
                item=f"{CareZone(zone).label}月费",
                category="accommodation",
                sessions=1,
                amount_fen=fee_fen,
                deal=deal,
            )
            if rng.random() < 0.3:
                w.transaction(
                    customer,
                    on=day,
                    item="康复理疗",
                    category="care",
                    sessions=4,
                    amount_fen=rng.choice([80000, 120000]),
                )
        for offset in (7, 30, 90):
            scheduled = fake.after(signed_on, offset, offset, upcoming=True)
            if scheduled is None:
                break
            done = fake.after(scheduled, 0, 3) if scheduled < common.TODAY else None
            w.followup(
                customer,
                scheduled_on=scheduled,
                staff=owner,
                channel=rng.choice(["phone", "visit"]),
                done_on=done,
                outcome=FollowUpOutcome.REACHED if done else FollowUpOutcome.PENDING,
                satisfaction=fake.pick(SATISFACTION) if done else None,
                deal=deal,
            )
        if rng.random() < 0.09:
            exit_day = fake.after(signed_on, 20, 200)
            if exit_day:
                w.exit(customer, on=exit_day, reason=reasons[fake.pick(EXIT_REASONS)])
    return w.flush()
