"""Demo step for the clinic (美莱, seed 004), consistent with the pipeline's demo transactions and
the members' tiers. Set-based and idempotent:

* credit: every deal line and transaction of the site gets its center by category (皮肤/无创 →
  皮肤美容中心, 整形 → 整形美容中心, 口腔 → 口腔美容中心), a doctor of that center (by customer), the
  selling consultant (the deal's, else the owner) and the channel owner — a few UPDATEs;
* packages: every 皮肤管理套餐 purchase becomes a 6-session package valid 180 days, with the sessions
  used so far (one visit every two weeks after the sale) and, for finished courses, a course-end
  clinical follow-up (answered when more than a week old) — bulk inserts;
* points: a default rule (1 point per yuan, 12 months) and one earn row per signed deal;
* the 皮肤 and 口腔 treatment-journey example trees; each center's head is its first doctor;
* quotes, gift orders, points rule versions and redemptions (`clinic.demo_loyalty`), then the
  site's tiers evaluated again (the course criterion counts the sessions written here).
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import transaction
from django.db.models import Case, F, IntegerField, OuterRef, Subquery, Value, When
from django.utils import timezone

from opscenter.clinic import demo_loyalty, journey
from opscenter.clinic.choices import PackageStatus, PointsKind
from opscenter.clinic.models import Package, PointsEntry, PointsRule, SessionUse
from opscenter.clinic.services.points import add_months, points_expire
from opscenter.org.models import Department, Site, Staff
from opscenter.pipeline.choices import DealStatus, FollowUpKind, FollowUpOutcome, TransactionKind
from opscenter.pipeline.models import Deal, DealLine, FollowUp, Transaction

SITE_CODE = "meilai"
CENTERS = {  # category → center name (the demo org's departments)
    "skin": "皮肤美容中心",
    "skin_package": "皮肤美容中心",
    "non_invasive": "皮肤美容中心",
    "plastic": "整形美容中心",
    "dental": "口腔美容中心",
}
PACKAGE_DAYS = 180
SESSION_EVERY = dt.timedelta(days=14)
BATCH = 2000


def generate(*, seed: int, stdout) -> None:
    started = time.monotonic()
    site = Site.objects.filter(code=SITE_CODE).first()
    if site is None:
        stdout.write(f"院区 {SITE_CODE} 不存在，跳过诊疗与订单")
        return
    centers = {d.name: d for d in Department.objects.filter(site=site, name__in=set(CENTERS.values()))}
    if len(centers) < 3:
        stdout.write("缺少皮肤/整形/口腔中心，跳过诊疗与订单")
        return
    doctors = {
        name: list(Staff.objects.filter(department=c, is_active=True).order_by("pk"))
        for name, c in centers.items()
    }
    with transaction.atomic():
        for name, center in centers.items():
            if center.manager_id is None and doctors[name]:
                center.manager = doctors[name][0]
                center.save(update_fields=["manager"])
        credited = _credit(site, centers, doctors)
        packages, uses, followups = _packages(site)
        points = _points(site)
        points_expire(site_id=site.pk)
        trees = journey.install_examples(site)
        more = demo_loyalty.generate(site, centers)
        tiers = _reevaluate(site)
    stdout.write(
        f"{site.name}：归属 {credited} 条消费，疗程 {packages}（消耗 {uses} 次，诊疗回访 {followups}），"
        f"积分 {points} 条，价值链承诺 {len(trees)}，报价 {more['quotes']}，赠送单 {more['gifts']}，"
        f"积分规则新版本 {more['rules']}，积分抵扣 {more['redeemed']}，会员重评 {tiers}"
        f"（{time.monotonic() - started:.1f} 秒）"
    )


def _reevaluate(site: Site) -> int:
    """The tier condition 疗程已消耗次数 reads the sessions just written: evaluate the site again."""
    from opscenter.members.services import active_rule_set, tiers_evaluate

    if active_rule_set(site.pk) is None:
        return 0
    return tiers_evaluate(actor=None, site_id=site.pk).members


def _credit(site: Site, centers, doctors) -> int:
    """Center, doctor, consultant and channel owner on the site's deal lines and transactions."""
    center_case = Case(
        *[When(category=cat, then=Value(centers[name].pk)) for cat, name in CENTERS.items()],
        default=None,
        output_field=IntegerField(),
    )
    txns = Transaction.objects.filter(site=site, center__isnull=True)
    n = txns.update(center_id=center_case)
    for category, name in CENTERS.items():
        staff = doctors.get(name) or []
        for i, doctor in enumerate(staff):
            Transaction.objects.filter(site=site, category=category, doctor__isnull=True).annotate(
                slot=F("customer_id") % len(staff)
            ).filter(slot=i).update(doctor_id=doctor.pk)
            DealLine.objects.filter(deal__site=site, category=category, doctor__isnull=True).annotate(
                slot=F("deal__customer_id") % len(staff)
            ).filter(slot=i).update(doctor_id=doctor.pk)
    DealLine.objects.filter(deal__site=site, center__isnull=True).update(center_id=center_case)
    deal_consultant = Deal.objects.filter(pk=OuterRef("deal_id")).values("consultant_id")[:1]
    deal_owner = Deal.objects.filter(pk=OuterRef("deal_id")).values("owner_id")[:1]
    Transaction.objects.filter(site=site, consultant__isnull=True, deal__isnull=False).update(
        consultant_id=Subquery(deal_consultant), channel_owner_id=Subquery(deal_owner)
    )
    owner = Transaction.objects.filter(pk=OuterRef("pk")).values("customer__owner_id")[:1]
    Transaction.objects.filter(site=site, consultant__isnull=True).update(
        consultant_id=Subquery(owner), channel_owner_id=Subquery(owner)
    )
    return n


def _packages(site: Site) -> tuple[int, int, int]:
    """Packages from the 皮肤管理套餐 purchases, their sessions so far, course-end follow-ups."""
    if Package.objects.filter(site=site).exists():
        return 0, 0, 0
    today = timezone.localdate()
    now = timezone.now()
    rows = list(
        Transaction.objects.filter(
            site=site, kind=TransactionKind.PURCHASE, category="skin_package", sessions__gt=1
        )
        .exclude(deal__status=DealStatus.CANCELLED)
        .values_list(
            "pk", "customer_id", "item", "center_id", "doctor_id", "sessions", "amount_fen", "occurred_on"
        )
    )
    packages = []
    for _pk, customer_id, item, center_id, doctor_id, sessions, amount, sold in rows:
        if center_id is None or doctor_id is None:
            continue
        used = min(sessions, max(0, (today - sold) // SESSION_EVERY))
        finished = used == sessions
        packages.append(
            Package(
                site=site, customer_id=customer_id, item=item, category="skin_package", center_id=center_id,
                doctor_id=doctor_id, sessions_total=sessions, sessions_used=used, amount_fen=amount, sold_on=sold,
                valid_until=sold + dt.timedelta(days=PACKAGE_DAYS),
                status=PackageStatus.FINISHED if finished else PackageStatus.ACTIVE,
                finished_on=sold + SESSION_EVERY * sessions if finished else None,
            )
        )  # fmt: skip
    Package.objects.bulk_create(packages, batch_size=BATCH)
    uses, followups = [], []
    tz = timezone.get_current_timezone()
    for p in Package.objects.filter(site=site).order_by("pk"):
        for n in range(1, p.sessions_used + 1):
            day = p.sold_on + SESSION_EVERY * n
            used_at = dt.datetime.combine(day, dt.time(10 + n % 6, 0), tzinfo=tz)
            uses.append(
                SessionUse(package=p, site=site, customer_id=p.customer_id, center_id=p.center_id,
                           performed_by_id=p.doctor_id, used_at=used_at, month=day.year * 100 + day.month, number=n)
            )  # fmt: skip
        if p.status == PackageStatus.FINISHED:
            ended = dt.datetime.combine(p.finished_on, dt.time(16, 0), tzinfo=tz)
            due = ended + dt.timedelta(days=1)
            answered = (now - ended).days > 7
            followups.append(
                FollowUp(
                    site=site, customer_id=p.customer_id, staff_id=p.doctor_id, scheduled_on=due.date(),
                    month=due.year * 100 + due.month, kind=FollowUpKind.CLINICAL,
                    question=f"疗程结束回访：{p.item}（共 {p.sessions_total} 次）",  # i18n: data
                    due_at=due, answer="恢复良好，已告知居家护理要点" if answered else "",  # i18n: data
                    answered_at=due if answered else None, done_on=due.date() if answered else None,
                    outcome=FollowUpOutcome.REACHED if answered else FollowUpOutcome.PENDING,
                )
            )  # fmt: skip
    SessionUse.objects.bulk_create(uses, batch_size=BATCH)
    FollowUp.objects.bulk_create(followups, batch_size=BATCH)
    return len(packages), len(uses), len(followups)


def _points(site: Site) -> int:
    """A default points rule and one earn row per signed deal (expired ones are left for the
    nightly expiry job to write)."""
    rule, _ = PointsRule.objects.get_or_create(
        site=site,
        tier="",
        valid_from=dt.date(2020, 1, 1),
        defaults={"points_per_yuan": 1, "expiry_months": 12},
    )
    if PointsEntry.objects.filter(site=site).exists():
        return 0
    entries = [
        PointsEntry(
            site=site, customer_id=customer_id, kind=PointsKind.EARN, points=amount // 100, occurred_on=signed,
            expires_on=add_months(signed, rule.expiry_months), deal_id=deal_id, rule=rule,
        )
        for deal_id, customer_id, amount, signed in Deal.objects.filter(site=site, status=DealStatus.SIGNED)
        .filter(amount_fen__gte=100)
        .values_list("pk", "customer_id", "amount_fen", "signed_on")
    ]  # fmt: skip
    PointsEntry.objects.bulk_create(entries, batch_size=BATCH)
    return len(entries)
