"""Demo data of the workday app and the report center: seed 001 篇4's templates for each elder-care
and clinic site's marketing department, three weeks of submissions (most on time, some late, a few
missing, reviewed), registers, announcements, delivery lists and one published weekly and monthly
report per site. Set-based writes; deterministic for a seed and the load date; idempotent."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from opscenter.core.audit import audit_context
from opscenter.org.models import Department, Site, Staff
from opscenter.workday.choices import (
    AnnouncementAudience,
    AnnouncementKind,
    EventKind,
    SubmissionStatus,
    VisitTargetKind,
)
from opscenter.workday.examples import install_marketing_templates
from opscenter.workday.models import (
    AnnouncementRead,
    CardIssue,
    OutboundVisit,
    Submission,
    SubmissionEvent,
    SubmissionTemplate,
    WorkLog,
)
from opscenter.workday.services import (
    announcement_post,
    occurrence_rows,
    submissions_mark_missing,
    template_version_draft,
    template_version_publish,
)

SITE_CODES = ("sunshine", "meilai")
WEEKS = 3


def generate(*, seed: int, stdout, today: dt.date | None = None) -> None:
    rng = random.Random(f"opscenter-workday-{seed}")
    now = timezone.now()
    today = today or timezone.localdate()
    for code in SITE_CODES:
        site = Site.objects.filter(code=code).first()
        department = (
            Department.objects.filter(site=site, kind="marketing").order_by("pk").first() if site else None
        )
        if department is None:
            stdout.write(f"院区 {code} 没有市场部，跳过工作日清")
            continue
        if SubmissionTemplate.objects.filter(site=site).exists():
            stdout.write(f"{site.name}：工作日清演示数据已存在，跳过")
            continue
        with audit_context(None, "cli", "演示数据"), transaction.atomic():
            approver = (
                department.manager
                or Staff.objects.filter(department=department, is_active=True).order_by("pk").first()
            )
            start = today - dt.timedelta(days=7 * WEEKS)
            install_marketing_templates(
                actor=None, department=department, approver=approver, today=today, effective_from=start
            )
            _revise_summary(site, start, today)
            rows = occurrence_rows(day_from=start, day_to=today - dt.timedelta(days=1), site_id=site.pk)
            answered = _answer(rows, rng, approver, now)
            missing = submissions_mark_missing(now=now)
            logs, visits = _registers(site, department, rng, start, today)
            cards = _cards(site, department, rng, today)
            _announcements(site, department, rng)
        stdout.write(
            f"{site.name}：工作提交 {answered} 份（缺交 {missing}），工作日志 {logs} 条，拜访 {visits} 次，体检卡 {cards} 张"
        )
    _reports(stdout, today, now)


def _revise_summary(site, start: dt.date, today: dt.date) -> None:
    """A rule change in the history: the daily summary moved from 16:30 to 17:00 a week into the
    demo period (drafted the day before, as staff would), and a draft for next week's 工作日清
    asking for the day's deals too, left for operations to preview and publish."""
    template = SubmissionTemplate.objects.filter(
        site=site, name="当日工作总结（工作日清表）"
    ).first()  # i18n: data
    if template is None:
        return
    current = template.versions.get(number=1)
    fields = list(current.fields)
    rule = {
        "schedule_kind": current.schedule_kind,
        "holiday_shift": current.holiday_shift,
        "prefill_pipeline": current.prefill_pipeline,
    }
    changed_on = start + dt.timedelta(days=7 - start.weekday())
    draft = template_version_draft(
        actor=None,
        template_id=template.pk,
        effective_from=changed_on,
        due_time=dt.time(17, 0),
        fields=fields,
        note="下午拜访较多，总结截止时间推迟半小时",  # i18n: data
        today=changed_on - dt.timedelta(days=1),
        **rule,
    )
    template_version_publish(actor=None, version_id=draft.pk, today=changed_on - dt.timedelta(days=1))
    next_monday = today + dt.timedelta(days=7 - today.weekday())
    template_version_draft(
        actor=None,
        template_id=template.pk,
        effective_from=next_monday,
        due_time=dt.time(17, 0),
        fields=[
            *fields,
            {"key": "deals", "label": "签约数", "kind": "number", "required": False},
        ],  # i18n: data
        note="月底冲刺，日清表增加签约数",  # i18n: data
        today=today,
        **rule,
    )


def _answer(rows: list[Submission], rng: random.Random, approver, now: dt.datetime) -> int:
    """Most items handed in (one in eight late), one in twelve left to be marked missing; of the
    handed-in ones most approved, a few sent back. Rows are answered before the one bulk insert."""
    events = []
    changed = []
    for sub in rows:
        roll = rng.random()
        if roll < 0.08:
            continue  # missing
        late = roll > 0.88
        sub.submitted_at = sub.due_at + (
            dt.timedelta(minutes=rng.randint(5, 180)) if late else -dt.timedelta(minutes=rng.randint(5, 240))
        )
        sub.late = late
        sub.values = {
            f["key"]: (rng.randint(0, 8) if f["kind"] == "number" else "—")
            for f in sub.template_version.fields
        }
        sub.text = "按计划完成"  # i18n: data
        sub.status = SubmissionStatus.SUBMITTED
        events.append(SubmissionEvent(submission=sub, kind=EventKind.SUBMITTED, at=sub.submitted_at))
        review = rng.random()
        if approver is not None and review < 0.85 and sub.submitted_at + dt.timedelta(hours=2) < now:
            sent_back = review < 0.05
            sub.status = SubmissionStatus.SENT_BACK if sent_back else SubmissionStatus.APPROVED
            sub.reviewer = approver
            sub.reviewed_at = sub.submitted_at + dt.timedelta(hours=1)
            sub.review_comment = "请补充拜访对象" if sent_back else ""  # i18n: data
            events.append(
                SubmissionEvent(
                    submission=sub,
                    kind=EventKind.SENT_BACK if sent_back else EventKind.APPROVED,
                    at=sub.reviewed_at,
                    comment=sub.review_comment,
                )
            )
        changed.append(sub)
    Submission.objects.bulk_create(rows, batch_size=500)  # primary keys come back (RETURNING)
    for event in events:
        event.submission_id = event.submission.pk
    SubmissionEvent.objects.bulk_create(events, batch_size=500)
    return len(changed)


def _registers(site, department, rng, start: dt.date, today: dt.date) -> tuple[int, int]:
    staff = list(Staff.objects.filter(department=department, is_active=True).order_by("pk"))
    logs, visits = [], []
    day = start
    activities = [
        "电话回访老客户",
        "整理客户资料",
        "社区义诊宣传",
        "陪同客户参观",
        "渠道合作洽谈",
    ]  # i18n: data
    targets = [
        ("白云社区", VisitTargetKind.COMMUNITY),
        ("人寿保险营业部", VisitTargetKind.PARTNER),
        ("镇卫生院", VisitTargetKind.PARTNER),
    ]  # i18n: data
    while day < today:
        if day.weekday() < 5:
            for person in staff:
                logs.append(
                    WorkLog(
                        staff=person, site=site, day=day, activity=rng.choice(activities), result="已完成"
                    )  # i18n: data
                )
                if rng.random() < 0.3:
                    name, kind = rng.choice(targets)
                    visits.append(
                        OutboundVisit(
                            staff=person,
                            site=site,
                            day=day,
                            target_kind=kind,
                            target_name=name,
                            purpose="介绍健康管理服务",
                            outcome="约定下周再访",  # i18n: data
                        )
                    )
        day += dt.timedelta(days=1)
    WorkLog.objects.bulk_create(logs, batch_size=500)
    OutboundVisit.objects.bulk_create(visits, batch_size=500)
    return len(logs), len(visits)


def _cards(site, department, rng, today: dt.date) -> int:
    from opscenter.pipeline.models import Customer

    staff = list(Staff.objects.filter(department=department, is_active=True).order_by("pk")[:3])
    if not staff:
        return 0
    customers = list(Customer.objects.filter(site=site, is_deleted=False).order_by("pk")[:6])
    cards = []
    for i in range(20):
        issued = today - dt.timedelta(days=rng.randint(5, 40))
        customer = customers[i] if i < len(customers) and i % 3 == 0 else None
        cards.append(
            CardIssue(
                site=site,
                staff=staff[i % len(staff)],
                card_no=f"TJ{site.pk:02d}{i + 1:04d}",
                issued_on=issued,
                recipient_name=customer.name if customer else f"领卡人{i + 1}",  # i18n: data
                place="社区义诊",  # i18n: data
                customer=customer,
                used_on=issued + dt.timedelta(days=3) if customer else None,
            )
        )
    CardIssue.objects.bulk_create(cards)
    return len(cards)


def _announcements(site, department, rng) -> None:
    posts = [
        (
            "国庆节放假及调休安排",
            "10月1日至7日放假，9月20日（周日）、10月10日（周六）上班。",
            AnnouncementAudience.SITE,
            True,
            AnnouncementKind.NOTICE,
        ),  # i18n: data
        (
            "本月签约之星",
            "恭喜市场部本月签约第一名，奖励见绩效公示。",
            AnnouncementAudience.DEPARTMENT,
            False,
            AnnouncementKind.INCENTIVE,
        ),  # i18n: data
        (
            "降温提醒",
            "本周气温下降，外出拜访注意保暖。",
            AnnouncementAudience.SITE,
            False,
            AnnouncementKind.CARE,
        ),  # i18n: data
    ]
    for title, body, audience, pinned, kind in posts:
        a = announcement_post(
            actor=None,
            title=title,
            body=body,
            audience=audience,
            site=site,
            department=department if audience == AnnouncementAudience.DEPARTMENT else None,
            pinned=pinned,
            kind=kind,
            source="demo",
            notify_users=False,
        )
        User = get_user_model()
        readers = list(User.objects.filter(staff__department__site=site, is_active=True).order_by("pk"))
        AnnouncementRead.objects.bulk_create(
            [AnnouncementRead(announcement=a, user=u) for u in readers if rng.random() < 0.6],
            ignore_conflicts=True,
        )


def _reports(stdout, today: dt.date, now: dt.datetime) -> None:
    """One published weekly (last week) and monthly (last month) report per site, with delivery
    lists of the site's operations and management staff."""
    from django.apps import apps

    if not apps.is_installed("opscenter.reports"):
        return
    from opscenter.reports import periods
    from opscenter.reports.models import Report, ReportSubscription
    from opscenter.reports.services import report_create, report_publish

    for code in SITE_CODES:
        site = Site.objects.filter(code=code).first()
        if site is None or Report.objects.filter(site=site).exists():
            continue
        with audit_context(None, "cli", "演示数据"), transaction.atomic():
            readers = Staff.objects.filter(
                department__site=site, department__kind__in=["operations", "management"], is_active=True
            )
            for kind in ("weekly", "monthly"):
                sub, _created = ReportSubscription.objects.get_or_create(site=site, kind=kind)
                sub.recipients.add(*readers)
                period = periods.previous(periods.containing(kind, today))
                report = report_create(actor=None, site=site, period=period)
                report.narrative = (
                    "咨询量较上期平稳，上门转化仍是短板；下周重点跟进未到院预约。"  # i18n: data
                )
                report.save(update_fields=["narrative"])
                report_publish(actor=None, report_id=report.pk, now=now)
        stdout.write(f"{site.name}：已发布周报与月报各 1 份")
