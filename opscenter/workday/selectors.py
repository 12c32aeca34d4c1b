"""Reads of the workday app, scoped by the acting user."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from opscenter.org.models import Staff
from opscenter.org.selectors import scope_for
from opscenter.workday.choices import AnnouncementAudience, SubmissionStatus, VersionStatus
from opscenter.workday.models import (
    Announcement,
    AnnouncementRead,
    CardIssue,
    OutboundVisit,
    Submission,
    SubmissionTemplate,
    SubmissionTemplateVersion,
    WorkLog,
)
from opscenter.workday.schedule import MAX_SHIFT_DAYS, next_occurrences

OPEN = (
    SubmissionStatus.PENDING,
    SubmissionStatus.SENT_BACK,
    SubmissionStatus.REOPENED,
    SubmissionStatus.MISSING,
)


def _team_q(scope, prefix: str = "") -> Q:
    """Rows of oneself and of the people one supervises (department head, team leader, approver)."""
    me = scope.staff_id
    if me is None:
        return Q(pk__in=[])
    return (
        Q(**{f"{prefix}staff_id": me})
        | Q(**{f"{prefix}staff__department__manager_id": me})
        | Q(**{f"{prefix}staff__team__leader_id": me})
    )


def _sees_site_wide(scope) -> bool:
    return scope.is_superuser or scope.all_sites or "operations" in scope.roles


def submission_list(*, user) -> QuerySet[Submission]:
    """Submissions the user may see: site-wide for operations and executives, otherwise one's own,
    one's team's / department's when one leads it, and those one approves."""
    scope = scope_for(user)
    qs = Submission.objects.select_related("template", "template_version", "staff__department", "staff__team")
    if _sees_site_wide(scope):
        return scope.filter_sites(qs)
    if scope.staff_id is None:
        return qs.none()
    return scope.filter_sites(qs).filter(_team_q(scope) | Q(template__approver_id=scope.staff_id))


def submission_get(*, user, submission_id: int) -> Submission | None:
    return submission_list(user=user).filter(pk=submission_id).first()


def due_today(*, user, now: dt.datetime | None = None) -> list[Submission]:
    """One's own items due today, plus earlier ones still open (sent back, reopened, missing)."""
    scope = scope_for(user)
    if scope.staff_id is None:
        return []
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    tz = timezone.get_default_timezone()
    start = dt.datetime.combine(today, dt.time.min, tzinfo=tz)
    end = start + dt.timedelta(days=1)
    week_ago = start - dt.timedelta(days=7)
    return list(
        Submission.objects.select_related("template", "template_version")
        .filter(staff_id=scope.staff_id)
        .filter(
            Q(due_at__gte=start, due_at__lt=end) | Q(status__in=OPEN, due_at__gte=week_ago, due_at__lt=end)
        )
        .order_by("due_at", "template__name")
    )


def team_staff(*, user, department_id: int | None = None) -> QuerySet[Staff]:
    """The people whose submissions the user oversees (for the grid)."""
    scope = scope_for(user)
    qs = Staff.objects.filter(is_active=True).select_related("department", "team")
    if _sees_site_wide(scope):
        qs = scope.filter_sites(qs, "department__site")
    elif scope.staff_id is None:
        return qs.none()
    else:
        me = scope.staff_id
        qs = qs.filter(Q(pk=me) | Q(department__manager_id=me) | Q(team__leader_id=me))
    if department_id:
        qs = qs.filter(department_id=department_id)
    return qs.order_by("department__name", "name")


@dataclass
class Grid:
    days: list[dt.date]
    rows: list[tuple[Staff, list[list[Submission]]]] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)


def submission_grid(*, user, start: dt.date, days: int = 7, department_id: int | None = None) -> Grid:
    """People × days: each cell the submissions due that day (two queries whatever the size)."""
    tz = timezone.get_default_timezone()
    dates = [start + dt.timedelta(days=i) for i in range(days)]
    people = list(team_staff(user=user, department_id=department_id))
    lo = dt.datetime.combine(dates[0], dt.time.min, tzinfo=tz)
    hi = dt.datetime.combine(dates[-1] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    subs = (
        submission_list(user=user)
        .filter(staff__in=[p.pk for p in people], due_at__gte=lo, due_at__lt=hi)
        .order_by("due_at", "template__name")
    )
    cells: dict[tuple[int, dt.date], list[Submission]] = {}
    totals = {"late": 0, "missing": 0, "approved": 0, "sent_back": 0, "pending": 0}
    for sub in subs:
        cells.setdefault((sub.staff_id, timezone.localtime(sub.due_at).date()), []).append(sub)
        if sub.late:
            totals["late"] += 1
        if sub.status in totals:
            totals[sub.status] += 1
    grid = Grid(days=dates, totals=totals)
    grid.rows = [(p, [cells.get((p.pk, d), []) for d in dates]) for p in people]
    return grid


def template_list(*, user) -> QuerySet[SubmissionTemplate]:
    return scope_for(user).filter_sites(SubmissionTemplate.objects.select_related("site", "approver"))


def template_get(*, user, template_id: int) -> SubmissionTemplate | None:
    return template_list(user=user).filter(pk=template_id).first()


def in_force(versions: list[SubmissionTemplateVersion], day: dt.date) -> SubmissionTemplateVersion | None:
    """Of a template's versions, the published one in force on `day` (None before the first)."""
    published = [v for v in versions if v.status == VersionStatus.PUBLISHED and v.effective_from <= day]
    return max(published, key=lambda v: (v.effective_from, v.number), default=None)


def templates_with_versions(*, user) -> list[SubmissionTemplate]:
    """The template list with, on each, `current` (the version in force today), `upcoming` (a
    published version starting later) and `draft` — two queries besides the assignee prefetch."""
    today = timezone.localdate()
    out = list(
        template_list(user=user).prefetch_related(
            "departments", "positions", "staff", Prefetch("versions", to_attr="all_versions")
        )
    )
    for template in out:
        _attach(template, template.all_versions, today)
    return out


def _attach(template: SubmissionTemplate, versions: list[SubmissionTemplateVersion], today: dt.date) -> None:
    template.current = in_force(versions, today)
    later = [v for v in versions if v.status == VersionStatus.PUBLISHED and v.effective_from > today]
    template.upcoming = min(later, key=lambda v: v.effective_from, default=None)
    template.draft = next((v for v in versions if v.status == VersionStatus.DRAFT), None)


@dataclass
class VersionRow:
    version: SubmissionTemplateVersion
    changes: list[str]
    submissions: int


def template_history(*, template: SubmissionTemplate) -> list[VersionRow]:
    """Every version of a (scoped) template, newest first, each with what it changed from the
    published version before it in people's words and how many submissions were made under it."""
    from opscenter.workday.versions import describe_changes

    versions = list(
        template.versions.select_related("created_by", "published_by")
        .annotate(n=Count("submissions"))
        .order_by("number")
    )
    _attach(template, versions, timezone.localdate())
    rows, previous = [], None
    for version in versions:
        rows.append(VersionRow(version, describe_changes(previous, version), version.n))
        if version.status == VersionStatus.PUBLISHED:
            previous = version
    return rows[::-1]


@dataclass
class PreviewRow:
    period: dt.date
    due_at: dt.datetime
    current_due_at: dt.datetime | None

    @property
    def changed(self) -> bool:
        return self.current_due_at != self.due_at


def version_preview(
    *, version: SubmissionTemplateVersion, count: int = 10, today: dt.date | None = None
) -> list[PreviewRow]:
    """The next `count` deadlines a (draft) version would set on the site's business calendar from
    its effective date, beside the deadline the latest published version sets for the same period
    (None: that period has no item under it) — the preview before publishing."""
    from opscenter.core.calendars import work_calendar_for
    from opscenter.workday.schedule import occurrences
    from opscenter.workday.services import schedule_of

    template = version.template
    calendar = work_calendar_for(template.site.calendar)
    since = max(version.effective_from, today or timezone.localdate())
    upcoming = next_occurrences(schedule_of(version), since, calendar, count=count)
    if not upcoming:
        return []
    # The version these dates would follow without the draft: the latest published one.
    published = [
        v for v in template.versions.all() if v.status == VersionStatus.PUBLISHED and v.pk != version.pk
    ]
    current = max(published, key=lambda v: (v.effective_from, v.number), default=None)
    before = {}
    if current is not None:
        lo = min(o.due_date for o in upcoming) - dt.timedelta(days=MAX_SHIFT_DAYS)
        hi = max(o.due_date for o in upcoming) + dt.timedelta(days=MAX_SHIFT_DAYS)
        before = {
            o.period: o.due_at(calendar.tz) for o in occurrences(schedule_of(current), lo, hi, calendar)
        }
    return [PreviewRow(o.period, o.due_at(calendar.tz), before.get(o.period)) for o in upcoming]


def pipeline_prefill(*, user, staff_id: int, day: dt.date) -> dict[str, int]:
    """Today's pipeline work of a staff member, read through the pipeline's selectors (scoped by
    the acting user), plus the outbound visits in the visit register."""
    from opscenter.pipeline import selectors as pipeline

    tz = timezone.get_default_timezone()
    lo = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    hi = lo + dt.timedelta(days=1)
    consultations = (
        pipeline.consultation_list(user=user, staff_id=staff_id)
        .filter(occurred_at__gte=lo, occurred_at__lt=hi)
        .count()
    )
    visits = (
        pipeline.visit_list(user=user)
        .filter(onsite_consultant_id=staff_id, arrived_at__gte=lo, arrived_at__lt=hi)
        .count()
    )
    followups = pipeline.followup_list(user=user, done=True).filter(staff_id=staff_id, done_on=day).count()
    outbound = OutboundVisit.objects.filter(staff_id=staff_id, day=day).count()
    return {"consultations": consultations, "visits": visits + outbound, "followups_done": followups}


def work_log_list(*, user) -> QuerySet[WorkLog]:
    scope = scope_for(user)
    qs = WorkLog.objects.select_related("staff")
    return scope.filter_sites(qs) if _sees_site_wide(scope) else qs.filter(_team_q(scope))


def outbound_visit_list(*, user) -> QuerySet[OutboundVisit]:
    scope = scope_for(user)
    qs = OutboundVisit.objects.select_related("staff", "customer")
    return scope.filter_sites(qs) if _sees_site_wide(scope) else qs.filter(_team_q(scope))


def card_list(*, user) -> QuerySet[CardIssue]:
    return scope_for(user).filter_sites(CardIssue.objects.select_related("staff", "customer"))


def announcement_list(*, user) -> QuerySet[Announcement]:
    """What the user's audience includes: everyone, their site, their department (executives
    and superusers see all); annotated with `is_read` and `read_count`."""
    scope = scope_for(user)
    qs = Announcement.objects.select_related("site", "department")
    if not (scope.is_superuser or scope.all_sites):
        qs = qs.filter(
            Q(audience=AnnouncementAudience.EVERYONE)
            | Q(audience=AnnouncementAudience.SITE, site_id__in=scope.site_ids)
            | Q(audience=AnnouncementAudience.DEPARTMENT, department_id__in=scope.department_ids)
        )
    mine = AnnouncementRead.objects.filter(announcement=OuterRef("pk"), user_id=user.pk)
    return qs.annotate(is_read=Exists(mine), read_count=Count("reads", distinct=True))
