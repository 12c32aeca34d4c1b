"""Writes of the report center: draft, narrative, publish (freeze), scheduled delivery."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core.audit import as_actor
from opscenter.core.calendars import work_calendar_for
from opscenter.core.exceptions import DomainError, NotFound, ValidationError
from opscenter.org.models import Site
from opscenter.org.selectors import scope_for
from opscenter.reports.build import build_report_data
from opscenter.reports.choices import ReportKind, ReportStatus
from opscenter.reports.models import Report, ReportSubscription
from opscenter.reports.periods import Period, containing, previous


class ConflictError(DomainError):
    """Someone else changed the report since it was read."""


def report_data(report: Report) -> dict:
    """What the report shows: its frozen snapshot once published, live numbers while a draft."""
    if report.status == ReportStatus.PUBLISHED and report.snapshot is not None:
        return report.snapshot
    period = Period(report.kind, report.period_start, report.period_end, report.label)
    return build_report_data(site=report.site, period=period, department=report.department)


@as_actor
@transaction.atomic
def report_create(*, actor, site: Site, period: Period, department=None) -> Report:
    """The (draft) report of a site or department for a period; the existing one if there is one."""
    if actor is not None:
        scope = scope_for(actor)
        scope.require("reports.add_report")
        scope.require_site(site.pk, write=True)
    if department is not None and department.site_id != site.pk:
        raise ValidationError(_("部门不属于该院区"), field="department")
    report, _created = Report.objects.get_or_create(
        kind=period.kind,
        site=site,
        department=department,
        period_start=period.start,
        defaults={"period_end": period.end, "label": period.label, "created_by": actor},
    )
    return report


def _locked(actor, report_id: int) -> Report:
    from opscenter.reports.selectors import report_list

    qs = report_list(user=actor) if actor is not None else Report.objects.all()
    report = qs.select_for_update(of=("self",)).filter(pk=report_id).first()
    if report is None:
        raise NotFound(_("报告不存在或无权访问"))
    if actor is not None:
        scope_for(actor).require("reports.change_report")
        scope_for(actor).require_site(report.site_id, write=True)
    return report


@as_actor
@transaction.atomic
def report_save_narrative(*, actor, report_id: int, narrative: str, version: int | None = None) -> Report:
    """Save the author's 趋势研判; a published report is final."""
    report = _locked(actor, report_id)
    if version is not None and int(version) != report.version:
        raise ConflictError(_("该报告已被他人更新，请刷新页面后再操作"), field="version")
    if report.status == ReportStatus.PUBLISHED:
        raise ValidationError(_("报告已发布，不能再修改"), field="narrative")
    report.narrative = narrative.strip()
    report.version += 1
    report.save()
    return report


@as_actor
@transaction.atomic
def report_publish(*, actor, report_id: int, now: dt.datetime | None = None) -> Report:
    """Freeze the numbers: the snapshot records the data and the moment it was read; afterwards the
    report never changes."""
    now = now or timezone.now()
    report = _locked(actor, report_id)
    if report.status == ReportStatus.PUBLISHED:
        raise ValidationError(_("报告已发布"), field="status")
    report.snapshot = report_data(report)
    report.snapshot["source"]["published_at"] = now.isoformat()
    report.data_as_of = now
    report.status = ReportStatus.PUBLISHED
    report.published_at = now
    report.version += 1
    report.save()
    return report


def _delivery_periods(today: dt.date, calendar) -> list[Period]:
    """Last week's report on the first workday of a week (Monday unless a holiday), last month's on
    the first workday of a month."""
    out = []
    monday = today - dt.timedelta(days=today.weekday())
    first_workday_of_week = next(
        (
            monday + dt.timedelta(days=i)
            for i in range(7)
            if calendar.is_workday(monday + dt.timedelta(days=i))
        ),
        None,
    )
    if first_workday_of_week == today:
        out.append(previous(containing(ReportKind.WEEKLY, today)))
    first = today.replace(day=1)
    first_workday_of_month = next(
        (
            first + dt.timedelta(days=i)
            for i in range(31)
            if calendar.is_workday(first + dt.timedelta(days=i))
        ),
        None,
    )
    if first_workday_of_month == today:
        out.append(previous(containing(ReportKind.MONTHLY, today)))
    return out


def report_deliver_due(*, today: dt.date | None = None, now: dt.datetime | None = None) -> int:
    """Scheduled delivery: on its day, build and publish each subscribed site's report for the
    period just ended and notify the recipients (once: the report's `delivered_at` is the claim)."""
    from opscenter.commitments.services.notify import notify

    now = now or timezone.now()
    today = today or timezone.localtime(now).date()
    delivered = 0
    for sub in ReportSubscription.objects.select_related("site__calendar").prefetch_related(
        "recipients__user"
    ):
        calendar = work_calendar_for(sub.site.calendar)
        for period in _delivery_periods(today, calendar):
            if period.kind != sub.kind:
                continue
            with transaction.atomic():
                report = report_create(actor=None, site=sub.site, period=period)
                if report.status == ReportStatus.DRAFT:
                    report = report_publish(actor=None, report_id=report.pk, now=now)
                if (
                    Report.objects.filter(pk=report.pk, delivered_at__isnull=True).update(delivered_at=now)
                    != 1
                ):
                    continue
                users = [s.user for s in sub.recipients.all() if s.user_id]
                notify(
                    users,
                    title=_("%(site)s %(label)s %(kind)s已发布")
                    % {"site": sub.site.name, "label": report.label, "kind": report.get_kind_display()},
                    link=reverse("reports:report_detail", args=[report.pk]),
                )
                delivered += 1
    return delivered
