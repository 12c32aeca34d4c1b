"""Demo year of the medical-aesthetics clinic (美莱, seed 004): ~5,000 customers, ~60,000 transactions.

Phone / online / walk-in funnel as in seed 004's 指标分解: the phone team (电话咨询组) and the
online team (网络咨询组, a quarter of its leads out of town) book appointments, the channel team
(渠道拓展组) brings partner leads, walk-ins arrive on their own; the on-site consultants
(现场咨询组) receive the visits (分诊) and own the walk-ins. Deals are orders of skin, plastic and
dental items; paying customers come back for sessions and purchases (transactions), sometimes a
refund; follow-ups carry satisfaction.
"""

from __future__ import annotations

import datetime as dt
import random

from opscenter.org.models import Site
from opscenter.pipeline.choices import (
    AppointmentStatus,
    ChannelKind,
    FollowUpOutcome,
    VisitKind,
    VisitOutcome,
)
from opscenter.pipeline.demo import common
from opscenter.pipeline.demo.common import TZ, Faker, consultants, shared_channels, site_channel
from opscenter.pipeline.demo.writer import Writer

CUSTOMERS = 5000
SOURCE = {"phone": 30, "online": 35, "walk_in": 25, "offline": 5, "referral": 5}
SEASON = [9, 7, 6, 8, 9, 9, 8, 9, 8, 8, 9, 10]  # Dec … Nov (Spring Festival dip, summer and Double-11 peaks)
# (item, category, typical price in yuan, sessions)
CATALOG = {
    "skin": [("光子嫩肤", "skin", 1980, 1), ("水光针", "skin", 2680, 1), ("皮秒祛斑", "skin", 3800, 1),
             ("果酸换肤", "skin", 680, 1), ("热玛吉", "skin", 16800, 1), ("皮肤管理套餐", "skin_package", 6800, 6)],
    "non_invasive": [("玻尿酸填充", "non_invasive", 4800, 1), ("肉毒素除皱", "non_invasive", 3200, 1),
                     ("线雕提升", "non_invasive", 12800, 1)],
    "plastic": [("双眼皮", "plastic", 8800, 1), ("隆鼻", "plastic", 18800, 1), ("吸脂塑形", "plastic", 26800, 1)],
    "dental": [("洁牙", "dental", 298, 1), ("补牙", "dental", 600, 1), ("牙齿美白", "dental", 2800, 1),
               ("种植牙", "dental", 12800, 1), ("隐形矫正", "dental", 32000, 1)],
}  # fmt: skip
CENTER_SHARE = {"skin": 52, "non_invasive": 20, "plastic": 12, "dental": 16}
SESSION_ITEMS = {
    "skin": "皮肤护理疗程",
    "non_invasive": "术后复查护理",
    "plastic": "术后护理",
    "dental": "口腔复诊",
}
PROFESSIONS = {
    "企业职员": 38,
    "个体经营": 14,
    "教师": 7,
    "医务人员": 5,
    "公务员": 5,
    "学生": 9,
    "自由职业": 12,
    "": 10,
}
PRODUCTS = ["医用修复面膜", "院装精华", "防晒霜", "漱口水套装"]
REMOTE_CITIES = ["杭州", "绍兴", "台州", "舟山", "上海"]
SATISFACTION = {5: 35, 4: 40, 3: 17, 2: 6, 1: 2}


def _price(rng: random.Random, yuan: int) -> int:
    """A price near the list price (discounts, packages) in fen, rounded to ten yuan."""
    return int(round(yuan * rng.uniform(0.7, 1.1), -1)) * 100


def build_clinic(site: Site, rng: random.Random) -> dict[str, int]:
    fake = Faker(rng)
    w = Writer(site)
    phone_team = consultants(site, "电话咨询组")
    online_team = consultants(site, "网络咨询组")
    channel_team = consultants(site, "渠道拓展组")
    onsite_team = consultants(site, "现场咨询组")
    if not (phone_team and online_team and onsite_team):
        return {"跳过（缺少咨询组）": 0}
    channel_team = channel_team or phone_team
    shared = shared_channels()
    channels = {
        "phone": [shared[ChannelKind.PHONE], site_channel(site, "电视广告热线", ChannelKind.PHONE)],
        "online": [
            site_channel(site, "百度竞价", ChannelKind.ONLINE),
            site_channel(site, "美团/大众点评", ChannelKind.ONLINE),
            site_channel(site, "小红书", ChannelKind.ONLINE),
        ],
        "walk_in": [shared[ChannelKind.WALK_IN]],
        "offline": [
            site_channel(site, "异业合作·美容院", ChannelKind.OFFLINE, "鄞州区合作美容院"),
            site_channel(site, "企业团购", ChannelKind.OFFLINE, "宁波企业工会"),
        ],
        "referral": [shared[ChannelKind.REFERRAL]],
    }
    team_of = {
        "phone": phone_team,
        "online": online_team,
        "walk_in": onsite_team,
        "offline": channel_team,
        "referral": onsite_team,
    }

    for _ in range(CUSTOMERS):
        kind = fake.pick(SOURCE)
        owner = rng.choice(team_of[kind])
        female = rng.random() < 0.82
        remote = kind == "online" and rng.random() < 0.25
        first_day = fake.day(SEASON)
        first_at = fake.moment(first_day, 9, 21)
        customer = w.customer(
            name=fake.name(female),
            phone=fake.phone(),
            gender="female" if female else "male",
            birthday=fake.birthday(19, 58),
            profession=fake.pick(PROFESSIONS),
            city=rng.choice(REMOTE_CITIES) if remote else "宁波",
            channel=rng.choice(channels[kind]),
            owner=owner,
            first_at=first_at,
        )
        onsite = rng.choice(onsite_team)
        if kind == "walk_in":
            w.consultation(customer, mode="onsite", at=first_at, staff=onsite, first=True)
            visit_at, source, appointment = first_at, "walk_in", None
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
            for _extra in range(rng.choice([0, 0, 1, 1, 2])):
                later = fake.after(first_day, 1, 10)
                if later:
                    w.consultation(
                        customer, mode=mode, at=fake.moment(later, 9, 21), staff=owner, first=False
                    )
            book_rate = {"phone": 0.62, "online": 0.18 if remote else 0.52}.get(mode, 0.6)
            if rng.random() > book_rate:
                continue
            scheduled_day = fake.after(first_day, 1, 10, upcoming=True)
            if scheduled_day is None:
                continue
            status = fake.pick(
                {
                    AppointmentStatus.ARRIVED: 70,
                    AppointmentStatus.NO_SHOW: 18,
                    AppointmentStatus.CANCELLED: 7,
                    "re": 5,
                }
            )
            if scheduled_day >= common.TODAY:  # booked for today or the coming week: still open
                status = AppointmentStatus.BOOKED
            booked_at = first_at + dt.timedelta(minutes=15)
            appointment = w.appointment(
                customer, mode=mode, booked_at=booked_at, scheduled_for=fake.moment(scheduled_day), status=status,
                booked_by=owner,
            ) if status != "re" else None  # fmt: skip
            if status == "re":
                old = w.appointment(
                    customer, mode=mode, booked_at=booked_at, scheduled_for=fake.moment(scheduled_day),
                    status=AppointmentStatus.RESCHEDULED, booked_by=owner,
                )  # fmt: skip
                new_day = fake.after(scheduled_day, 2, 7)
                if new_day is None:
                    continue
                status = fake.pick({AppointmentStatus.ARRIVED: 75, AppointmentStatus.NO_SHOW: 25})
                appointment = w.appointment(
                    customer, mode=mode, booked_at=booked_at, scheduled_for=fake.moment(new_day), status=status,
                    booked_by=owner, replaces=old,
                )  # fmt: skip
            if status != AppointmentStatus.ARRIVED:
                continue
            visit_at, source = appointment.scheduled_for, mode
        visit = w.visit(
            customer,
            at=visit_at,
            source=source,
            kind=VisitKind.CONSULTATION,
            appointment=appointment,
            new=True,
            onsite=onsite,
        )
        if rng.random() > 0.66:
            visit.outcome = rng.choice([VisitOutcome.CONSIDERING, VisitOutcome.LOST])
            continue
        visit.outcome = VisitOutcome.DEAL
        _purchases(w, fake, customer, visit, visit_at.astimezone(TZ).date(), onsite)
    return w.flush()


def _order(w: Writer, fake: Faker, customer, *, on: dt.date, consultant, new: bool, visit, center: str):
    rng = fake.rng
    items = rng.sample(CATALOG[center], k=min(len(CATALOG[center]), rng.choice([1, 1, 1, 2, 2, 3])))
    priced = [(item, category, _price(rng, yuan), sessions) for item, category, yuan, sessions in items]
    deal = w.deal(
        customer,
        on=on,
        amount_fen=sum(p for _, _, p, _ in priced),
        consultant=consultant,
        new=new,
        visit=visit,
    )
    for item, category, price, sessions in priced:
        w.line(deal, item=item, category=category, sessions=sessions, amount_fen=price)
        w.transaction(
            customer, on=on, item=item, category=category, sessions=sessions, amount_fen=price, deal=deal
        )
    return deal


def _purchases(w: Writer, fake: Faker, customer, visit, day: dt.date, onsite) -> None:
    """The first order, then a year of sessions, repeat orders, the odd refund, and follow-ups."""
    rng = fake.rng
    center = fake.pick(CENTER_SHARE)
    deal = _order(w, fake, customer, on=day, consultant=onsite, new=True, visit=visit, center=center)
    customer.status = "member"  # 凡是有过消费记录的顾客均是会员 (seed 004)
    # Sessions and small purchases (each visit to the clinic is a transaction row).
    sessions = rng.randint(20, 70) if center in ("skin", "non_invasive") else rng.randint(6, 30)
    current = day
    for _ in range(sessions):
        current = fake.after(current, 2, 9)
        if current is None:
            break
        item = SESSION_ITEMS[center] if rng.random() < 0.7 else rng.choice(CATALOG["skin"])[0]
        w.transaction(customer, on=current, item=item, category=center if center != "plastic" else "skin",
                      sessions=1, amount_fen=rng.choice([0, 19800, 29800, 39800, 68000]))  # fmt: skip
        if rng.random() < 0.35:  # home-care products bought at the same visit
            w.transaction(customer, on=current, item=rng.choice(PRODUCTS), category="other", sessions=1,
                          amount_fen=rng.choice([16800, 28800, 45800]))  # fmt: skip
    if rng.random() < 0.3:  # a repeat order on a later visit (not a new customer any more)
        again = fake.after(day, 20, 200)
        if again:
            at = fake.moment(again)
            repeat_visit = w.visit(customer, at=at, source=visit.source, kind=VisitKind.CONSULTATION, appointment=None,
                                   new=False, onsite=onsite, outcome=VisitOutcome.DEAL)  # fmt: skip
            _order(
                w,
                fake,
                customer,
                on=again,
                consultant=onsite,
                new=False,
                visit=repeat_visit,
                center=fake.pick(CENTER_SHARE),
            )
    if rng.random() < 0.015:
        refund_day = fake.after(day, 3, 30)
        if refund_day:
            w.transaction(customer, on=refund_day, item="退款", category="other", sessions=1,
                          amount_fen=deal.amount_fen // 2, kind="refund", deal=deal)  # fmt: skip
    scheduled = fake.after(day, 3, 7, upcoming=True)
    if scheduled:
        done = fake.after(scheduled, 0, 2) if scheduled < common.TODAY else None
        w.followup(
            customer,
            scheduled_on=scheduled,
            staff=onsite,
            channel=rng.choice(["phone", "wechat"]),
            done_on=done,
            outcome=FollowUpOutcome.REACHED if done else FollowUpOutcome.PENDING,
            satisfaction=fake.pick(SATISFACTION) if done else None,
            deal=deal,
        )
