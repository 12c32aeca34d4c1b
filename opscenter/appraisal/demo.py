"""Demo step: the shipped schemes for every demo site, two months of appraisals (the month before
last published with its monthly pay, last month computed as a draft with manual items waiting in
the appraisers' queues), target hospitals with contracts and seed 003's plans at 美莱.
Deterministic for a seed and the load date; idempotent: a site that has scorecards is skipped."""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from opscenter.appraisal import examples, services
from opscenter.appraisal.choices import ItemMethod, ScoreStatus
from opscenter.appraisal.models import ItemScore, Partner, PartnerContract, Scorecard
from opscenter.core.audit import audit_context
from opscenter.org.models import Department, Site, Staff

HOSPITALS = (("宁波第一医院", "A"), ("鄞州人民医院", "A"), ("北仑中医院", "B"), ("镇海康复医院", "C"))


def _month_label(day: dt.date) -> str:
    return f"{day.year}-{day.month:02d}"


def generate(*, seed: int, stdout, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    rng = random.Random(f"opscenter-appraisal-{seed}")
    last_month_end = today.replace(day=1) - dt.timedelta(days=1)
    before_end = last_month_end.replace(day=1) - dt.timedelta(days=1)
    sites = {s.code: s for s in Site.objects.filter(code__in=("sunshine", "meilai", "hotline"))}
    if not sites or Scorecard.objects.filter(site__in=sites.values()).exists():
        stdout.write("绩效考核演示数据已存在或没有演示院区，跳过")
        return
    with audit_context(None, "cli", "演示数据"), transaction.atomic():
        for code in ("sunshine", "meilai"):
            site = sites.get(code)
            marketing = Department.objects.filter(site=site, kind="marketing").first()
            if site is None or marketing is None:
                continue
            examples.scheme_customer_department(site, department=marketing)
        if "hotline" in sites:
            cc = Department.objects.filter(site=sites["hotline"], kind="call_center").first()
            appraiser = Staff.objects.filter(department=cc).order_by("pk").first()
            if cc and appraiser:
                examples.scheme_95518(sites["hotline"], department=cc, appraiser=appraiser)
        meilai = sites.get("meilai")
        if meilai is not None:
            examples.scheme_partner(meilai)
            for n, (name, grade) in enumerate(HOSPITALS):
                partner = Partner.objects.create(site=meilai, name=name, kind="target_hospital", grade=grade)
                signed = today.replace(month=1, day=1) + dt.timedelta(days=20 + 60 * n)
                if signed < today:
                    PartnerContract.objects.create(
                        partner=partner,
                        number=f"HZ-{today.year}-{n + 1:02d}",
                        signed_on=signed,
                        starts_on=signed,
                        ends_on=signed.replace(year=signed.year + 3),
                        grade_at_signing=grade,
                    )
            gm = (
                Staff.objects.filter(department__site=meilai, department__kind="management")
                .order_by("pk")
                .first()
            )
            marketing = Department.objects.filter(site=meilai, kind="marketing").first()
            plans = examples.incentive_plans(
                meilai, gm=gm, marketing=marketing, scorecard_name=examples.SCHEME_CUSTOMER
            )
            monthly = next(p for p in plans if p.kind == "monthly_pay")
            consultants = Staff.objects.filter(department=marketing, is_active=True).order_by("pk")
            services.plan_bases_set(actor=None, plan=monthly,
                                    bases={s.pk: rng.randrange(450_000, 850_000, 10_000) for s in consultants})  # fmt: skip
        referrals = _referrals(
            rng, [sites[c] for c in ("sunshine", "meilai") if c in sites], before_end, today
        )
        counts = {}
        for label, publish in ((_month_label(before_end), True), (_month_label(last_month_end), False)):
            period = services.period_get_or_create(label=label)
            summary = services.appraisal_run(period=period)
            counts[label] = summary.appraisals
            pending = ItemScore.objects.filter(
                appraisal__period=period, status=ScoreStatus.PENDING
            ).select_related("item")
            for row in pending:
                if not publish and rng.random() < 0.5:
                    continue  # left in the appraisers' queues
                if row.item.method == ItemMethod.CHECKLIST:
                    labels = [c["label"] for c in row.item.checklist if rng.random() < 0.8]
                    services.item_score_enter(actor=None, item_score=row, checked=labels)
                else:
                    services.item_score_enter(actor=None, item_score=row, score=str(rng.randrange(60, 100)))
            if publish:
                _backdate(services.period_publish(actor=None, period=period), period)
                if meilai is not None:
                    services.payout_compute(actor=None, plan=monthly, period_label=label)
                    referral_plan = next(p for p in plans if p.kind == "referral")
                    services.payout_compute(actor=None, plan=referral_plan, period_label=label)
            elif "sunshine" in sites:
                # last month: 阳光 publishes on its own (the other sites are still scoring)
                done = not period.appraisals.filter(site=sites["sunshine"], pending_items__gt=0).exists()
                if done and period.appraisals.filter(site=sites["sunshine"]).exists():
                    rows = services.period_publish(actor=None, period=period, site_ids=[sites["sunshine"].pk])
                    _backdate(rows, period, days_early=1)
        extra = {}
        if meilai is not None:
            from opscenter.appraisal import demo_incentives

            extra = demo_incentives.generate(
                meilai,
                today=today,
                published_label=_month_label(before_end),
                live_label=_month_label(last_month_end),
                rng=rng,
            )
    stdout.write(
        "绩效考核："
        + "，".join(f"{label} {n} 份" for label, n in counts.items())
        + f"（{_month_label(before_end)} 已发布）；全员营销推荐 {referrals} 条"
        + (f"；销售竞赛 {extra['contests']} 个" if extra.get("contests") else "")
        + ("、离职结算 1 份" if extra.get("settlements") else "")
    )


def _backdate(rows: list, period, days_early: int = 0) -> None:
    """Publications as a site would have made them: on the afternoon of the 3rd business day after
    the month (the on-time deadline), `days_early` before it — not at the moment the demo loads."""
    from opscenter.appraisal.metrics import publish_deadline
    from opscenter.appraisal.models import Period, PeriodPublication

    day = publish_deadline(period.end) - dt.timedelta(days=days_early)
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(17, 0)))
    if at >= timezone.now():
        return
    PeriodPublication.objects.filter(pk__in=[r.pk for r in rows]).update(published_at=at)
    Period.objects.filter(pk=period.pk, published_at__isnull=False).update(published_at=at)


def _referrals(rng: random.Random, sites: list, first_day_month_end: dt.date, today: dt.date) -> int:
    """全员营销: staff of every department refer customers registered in the last two months; some
    reach the threshold of 2 in a month, most refer one or none."""
    from opscenter.pipeline.models import Customer

    start = first_day_month_end.replace(day=1)
    made = 0
    for site in sites:
        staff = list(Staff.objects.filter(department__site=site, is_active=True).order_by("pk"))
        customers = list(
            Customer.objects.filter(site=site, is_deleted=False, first_contact_on__gte=start)
            .order_by("pk")
            .values_list("phone", "first_contact_on")[:400]
        )
        if not staff or not customers:
            continue
        referrers = rng.sample(staff, min(len(staff), 8))
        for phone, day in rng.sample(customers, min(len(customers), 24)):
            if day is None or day > today:
                continue
            services.referral_record(
                actor=None,
                site_id=site.pk,
                staff_id=rng.choice(referrers[:3] if rng.random() < 0.6 else referrers).pk,
                customer_phone=phone,
                referred_on=day,
                note="老客户介绍" if rng.random() < 0.5 else "",
            )
            made += 1
    return made
