"""Writes of the workday app: the submission lifecycle, deadlines, registers, notices.

Templates and their dated versions are in `services/templates.py`. Every service checks the actor's permission and site on the server; approved submissions are
read-only until reopened (`submission_reopen`, recorded in the event log and the audit trail).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core.audit import as_actor
from opscenter.core.calendars import work_calendar_for
from opscenter.core.exceptions import NotFound, PermissionDenied, ValidationError
from opscenter.org.models import Department, Site, Staff
from opscenter.org.selectors import scope_for
from opscenter.workday.choices import (
    EDITABLE,
    TRANSITIONS,
    AnnouncementAudience,
    AnnouncementKind,
    EventKind,
    FieldKind,
    SubmissionStatus,
    VersionStatus,
)
from opscenter.workday.models import (
    Announcement,
    AnnouncementRead,
    CardIssue,
    OutboundVisit,
    Submission,
    SubmissionEvent,
    SubmissionTemplate,
    SubmissionTemplateVersion,
    WorkLog,
)
from opscenter.workday.schedule import Dated, Schedule, versioned_occurrences
from opscenter.workday.services.templates import (  # noqa: F401  (re-exported: one `services` namespace)
    ConflictError,
    template_create,
    template_update,
    template_version_discard,
    template_version_draft,
    template_version_publish,
)


def schedule_of(version: SubmissionTemplateVersion) -> Schedule:
    """The pure schedule of a template version."""
    return Schedule(
        kind=version.schedule_kind,
        due_time=version.due_time,
        weekday=version.weekday,
        business_day=version.business_day,
        holiday_shift=version.holiday_shift,
    )


def template_assignees(template: SubmissionTemplate) -> QuerySet[Staff]:
    """Active staff who must submit: named staff, plus staff of the departments (narrowed to the
    positions when both are given) or of the positions within the template's site."""
    department_ids = [d.pk for d in template.departments.all()]
    position_ids = [p.pk for p in template.positions.all()]
    group = Q(pk__in=[])
    if department_ids and position_ids:
        group = Q(department_id__in=department_ids, position_id__in=position_ids)
    elif department_ids:
        group = Q(department_id__in=department_ids)
    elif position_ids:
        group = Q(position_id__in=position_ids, department__site_id=template.site_id)
    named = Q(pk__in=[s.pk for s in template.staff.all()])
    return Staff.objects.filter(is_active=True).filter(group | named)


def occurrence_rows(
    *, day_from: dt.date, day_to: dt.date, staff_ids: Iterable[int] | None = None, site_id: int | None = None
) -> list[Submission]:
    """Unsaved submission rows of every active template due in [day_from, day_to] for the staff
    who must submit, each under the template version in force on the first day of its period (a
    few queries per template, whatever the number of staff, days or versions)."""
    published = SubmissionTemplateVersion.objects.filter(status=VersionStatus.PUBLISHED)
    templates = SubmissionTemplate.objects.filter(is_active=True).select_related("site__calendar")
    if site_id is not None:
        templates = templates.filter(site_id=site_id)
    wanted = set(staff_ids) if staff_ids is not None else None
    calendars: dict[int | None, object] = {}
    rows: list[Submission] = []
    templates = templates.prefetch_related(
        "departments", "positions", "staff", Prefetch("versions", queryset=published, to_attr="published")
    )
    for template in templates:
        cal_id = template.site.calendar_id
        if cal_id not in calendars:
            calendars[cal_id] = work_calendar_for(template.site.calendar)
        calendar = calendars[cal_id]
        dated = [Dated(v.effective_from, schedule_of(v), v) for v in template.published]
        found = versioned_occurrences(dated, day_from, day_to, calendar)
        if not found:
            continue
        people = template_assignees(template)
        if wanted is not None:
            people = people.filter(pk__in=wanted)
        people = list(people.values_list("pk", "department_id", "department__site_id"))
        for version, occurrence in found:
            due_at = occurrence.due_at(calendar.tz)
            for staff_id, department_id, staff_site in people:
                rows.append(
                    Submission(
                        template=template,
                        template_version=version,
                        staff_id=staff_id,
                        site_id=staff_site,
                        department_id=department_id,
                        period=occurrence.period,
                        due_at=due_at,
                    )
                )
    return rows


@transaction.atomic
def submissions_materialize(
    *, day_from: dt.date, day_to: dt.date, staff_ids: Iterable[int] | None = None, site_id: int | None = None
) -> int:
    """Create the submission rows due in [day_from, day_to] (idempotent: existing ones are kept).
    Returns how many were new. Queries: a few per template, bulk inserts."""
    rows = occurrence_rows(day_from=day_from, day_to=day_to, staff_ids=staff_ids, site_id=site_id)
    before = Submission.objects.count()
    Submission.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return Submission.objects.count() - before


@transaction.atomic
def submissions_mark_missing(*, now: dt.datetime | None = None) -> int:
    """Mark every pending submission whose deadline has passed as missing (claim by status, so two
    workers never mark one twice); one event row each. Returns how many were marked."""
    now = now or timezone.now()
    ids = list(
        Submission.objects.filter(status=SubmissionStatus.PENDING, due_at__lt=now).values_list(
            "pk", flat=True
        )
    )
    if not ids:
        return 0
    claimed = []
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        Submission.objects.filter(pk__in=chunk, status=SubmissionStatus.PENDING).update(
            status=SubmissionStatus.MISSING
        )
        claimed += chunk
    SubmissionEvent.objects.bulk_create(
        [SubmissionEvent(submission_id=pk, kind=EventKind.MISSING, at=now) for pk in claimed], batch_size=500
    )
    return len(claimed)


def run_deadlines(*, now: dt.datetime | None = None) -> dict[str, int]:
    """The scheduled pass: today's (and yesterday's) items exist, overdue pending ones are missing."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    created = submissions_materialize(day_from=today - dt.timedelta(days=1), day_to=today)
    missing = submissions_mark_missing(now=now)
    return {"created": created, "missing": missing}


def _locked(actor, submission_id: int) -> Submission:
    from opscenter.workday.selectors import submission_list

    submission = submission_list(user=actor).select_for_update(of=("self",)).filter(pk=submission_id).first()
    if submission is None:
        raise NotFound(_("该工作提交不存在或无权访问"))
    return submission


def _check_version(submission: Submission, version: int | None) -> None:
    if version is not None and int(version) != submission.version:
        raise ConflictError(_("该提交已被他人更新，请刷新页面后再操作"), field="version")


def _move(submission: Submission, to_status: str) -> None:
    if to_status not in TRANSITIONS[submission.status]:
        if submission.status == SubmissionStatus.APPROVED:
            raise ValidationError(
                _("该提交已审批，如需修改请先重开"),
                field="status",
                log_message=f"submission {submission.pk} is approved; reopen first",
            )
        raise ValidationError(
            _("提交当前为「%(status)s」，不能改为「%(to)s」")
            % {"status": submission.get_status_display(), "to": SubmissionStatus(to_status).label},
            field="status",
        )


def clean_values(template: SubmissionTemplateVersion, values: dict, text: str) -> dict:
    """The answers checked against the template version the item was made under: required fields filled (the field is named),
    numbers whole and not negative."""
    out = {}
    for spec in template.fields:
        raw = values.get(spec["key"])
        raw = "" if raw is None else str(raw).strip()
        if not raw:
            if spec.get("required"):
                raise ValidationError(
                    _("请填写「%(label)s」") % {"label": spec["label"]},
                    field=spec["key"],
                    log_message=f"required field {spec['key']} is empty",
                )
            continue
        if spec["kind"] == FieldKind.NUMBER:
            try:
                number = int(raw)
            except ValueError:
                number = -1
            if number < 0:
                raise ValidationError(
                    _("「%(label)s」应为不小于 0 的整数") % {"label": spec["label"]}, field=spec["key"]
                )
            out[spec["key"]] = number
        else:
            out[spec["key"]] = raw[:2000]
    if template.text_required and not text.strip():
        raise ValidationError(_("请填写「文字说明」"), field="text", log_message="text is required")
    return out


@as_actor
@transaction.atomic
def submission_submit(
    *,
    actor,
    submission_id: int,
    values: dict,
    text: str = "",
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Submission:
    """Hand in (or correct before review) one's own submission. Late when first handed in after
    the deadline; an approved one must be reopened first."""
    now = now or timezone.now()
    submission = _locked(actor, submission_id)
    scope = scope_for(actor)
    if submission.staff_id != scope.staff_id:
        raise PermissionDenied(_("只能提交本人的工作事项"), log_message="submit someone else's submission")
    _check_version(submission, version)
    _move(submission, SubmissionStatus.SUBMITTED)
    submission.values = clean_values(submission.template_version, values, text)
    submission.text = text.strip()
    if submission.submitted_at is None:
        submission.late = now > submission.due_at
    submission.submitted_at = now
    submission.status = SubmissionStatus.SUBMITTED
    submission.version += 1
    submission.save()
    SubmissionEvent.objects.create(submission=submission, kind=EventKind.SUBMITTED, actor=actor, at=now)
    return submission


def can_review(scope, submission: Submission) -> bool:
    """The template's approver, else the submitter's department head or team leader; operations
    managers of the site and superusers always."""
    if scope.is_superuser:
        return True
    if "operations" in scope.roles and submission.site_id in scope.site_ids:
        return True
    if scope.staff_id is None or scope.staff_id == submission.staff_id:
        return False
    template = submission.template
    if template.approver_id:
        return template.approver_id == scope.staff_id
    staff = submission.staff
    return scope.staff_id in {staff.department.manager_id, staff.team.leader_id if staff.team_id else None}


@as_actor
@transaction.atomic
def submission_review(
    *,
    actor,
    submission_id: int,
    approve: bool,
    comment: str = "",
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Submission:
    """Approve, or send back with a comment (required), a handed-in submission."""
    from opscenter.commitments.services.notify import notify

    now = now or timezone.now()
    submission = _locked(actor, submission_id)
    scope = scope_for(actor)
    if not can_review(scope, submission):
        raise PermissionDenied(_("您不是该提交的审批人"), log_message="not the approver")
    _check_version(submission, version)
    to_status = SubmissionStatus.APPROVED if approve else SubmissionStatus.SENT_BACK
    _move(submission, to_status)
    if not approve and not comment.strip():
        raise ValidationError(_("退回时请填写审批意见"), field="comment")
    submission.status = to_status
    submission.reviewed_at = now
    submission.reviewer_id = scope.staff_id
    submission.review_comment = comment.strip()
    submission.version += 1
    submission.save()
    SubmissionEvent.objects.create(
        submission=submission,
        kind=EventKind.APPROVED if approve else EventKind.SENT_BACK,
        actor=actor,
        comment=comment.strip(),
        at=now,
    )
    if not approve and submission.staff.user_id:
        notify(
            [submission.staff.user],
            title=_("「%(name)s」被退回：%(comment)s")
            % {"name": submission.template.name, "comment": comment[:80]},
            link=reverse("workday:submission_detail", args=[submission.pk]),
        )
    return submission


@as_actor
@transaction.atomic
def submission_reopen(
    *, actor, submission_id: int, reason: str, version: int | None = None, now: dt.datetime | None = None
) -> Submission:
    """Reopen an approved submission so it can be edited again (approvers only; reason required,
    recorded in the event log and the audit trail)."""
    now = now or timezone.now()
    submission = _locked(actor, submission_id)
    if not can_review(scope_for(actor), submission):
        raise PermissionDenied(_("只有审批人可以重开已审批的提交"), log_message="reopen by non-approver")
    _check_version(submission, version)
    _move(submission, SubmissionStatus.REOPENED)
    if not reason.strip():
        raise ValidationError(_("请填写重开原因"), field="reason")
    submission.status = SubmissionStatus.REOPENED
    submission.version += 1
    submission.save()
    SubmissionEvent.objects.create(
        submission=submission, kind=EventKind.REOPENED, actor=actor, comment=reason.strip(), at=now
    )
    return submission


def is_editable(submission: Submission) -> bool:
    return submission.status in EDITABLE


# --- registers -------------------------------------------------------------------------------


def _own_staff(actor) -> Staff:
    scope = scope_for(actor)
    if scope.staff_id is None:
        raise PermissionDenied(_("您的账号未关联员工档案"), log_message="no staff record")
    return Staff.objects.select_related("department").get(pk=scope.staff_id)


@as_actor
@transaction.atomic
def work_log_add(*, actor, day: dt.date, activity: str, result: str = "") -> WorkLog:
    """One line in one's own work log (业务员工作日志)."""
    staff = _own_staff(actor)
    if not activity.strip():
        raise ValidationError(_("请填写「工作内容」"), field="activity")
    return WorkLog.objects.create(
        staff=staff,
        site_id=staff.department.site_id,
        day=day,
        activity=activity.strip(),
        result=result.strip(),
    )


@as_actor
@transaction.atomic
def outbound_visit_add(
    *,
    actor,
    day: dt.date,
    target_kind: str,
    target_name: str,
    purpose: str,
    outcome: str = "",
    contact: str = "",
    customer=None,
) -> OutboundVisit:
    """One outbound visit in one's own register (客户拜访登记表)."""
    staff = _own_staff(actor)
    if not target_name.strip():
        raise ValidationError(_("请填写「拜访对象」"), field="target_name")
    if not purpose.strip():
        raise ValidationError(_("请填写「拜访目的」"), field="purpose")
    if customer is not None and customer.site_id != staff.department.site_id:
        raise ValidationError(_("客户不属于本院区"), field="customer")
    return OutboundVisit.objects.create(
        staff=staff,
        site_id=staff.department.site_id,
        day=day,
        target_kind=target_kind,
        target_name=target_name.strip(),
        customer=customer,
        contact=contact.strip(),
        purpose=purpose.strip(),
        outcome=outcome.strip(),
    )


@as_actor
@transaction.atomic
def card_issue(
    *,
    actor,
    card_no: str,
    issued_on: dt.date,
    recipient_name: str,
    recipient_phone: str = "",
    place: str = "",
) -> CardIssue:
    """Record a free check-up card handed out (发放体检卡登记表); card numbers are unique per site."""
    staff = _own_staff(actor)
    card_no = card_no.strip()
    if not card_no:
        raise ValidationError(_("请填写「卡号」"), field="card_no")
    if not recipient_name.strip():
        raise ValidationError(_("请填写「领卡人」"), field="recipient_name")
    if CardIssue.objects.filter(site_id=staff.department.site_id, card_no=card_no).exists():
        raise ValidationError(_("卡号 %(no)s 已登记过") % {"no": card_no}, field="card_no")
    return CardIssue.objects.create(
        site_id=staff.department.site_id,
        staff=staff,
        card_no=card_no,
        issued_on=issued_on,
        recipient_name=recipient_name.strip(),
        recipient_phone=recipient_phone.strip(),
        place=place.strip(),
    )


@as_actor
@transaction.atomic
def card_use(*, actor, card_id: int, customer, used_on: dt.date) -> CardIssue:
    """Link a card's use to the customer who came with it (once)."""
    from opscenter.workday.selectors import card_list

    card = card_list(user=actor).select_for_update(of=("self",)).filter(pk=card_id).first()
    if card is None:
        raise NotFound(_("体检卡不存在或无权访问"))
    scope_for(actor).require_site(card.site_id, write=True)
    if card.used_on is not None:
        raise ValidationError(_("该卡已于 %(day)s 使用") % {"day": card.used_on}, field="card")
    if customer is None or customer.site_id != card.site_id:
        raise ValidationError(_("请选择本院区的客户"), field="customer")
    if used_on < card.issued_on:
        raise ValidationError(_("使用日期不能早于发放日期"), field="used_on")
    card.customer = customer
    card.used_on = used_on
    card.save()
    return card


# --- announcements ---------------------------------------------------------------------------


def announcement_recipients(announcement: Announcement) -> QuerySet:
    from opscenter.core.models import User

    users = User.objects.filter(is_active=True, staff__is_active=True)
    if announcement.audience == AnnouncementAudience.SITE:
        users = users.filter(staff__department__site_id=announcement.site_id)
    elif announcement.audience == AnnouncementAudience.DEPARTMENT:
        users = users.filter(staff__department_id=announcement.department_id)
    return users


@as_actor
@transaction.atomic
def announcement_post(
    *,
    actor,
    title: str,
    body: str,
    audience: str,
    site: Site | None = None,
    department: Department | None = None,
    pinned: bool = False,
    kind: str = AnnouncementKind.NOTICE,
    source: str = "",
    notify_users: bool = True,
) -> Announcement:
    """Post an announcement (通告). Other apps call this to post incentive news (kind=incentive,
    source=their app); `actor=None` posts as the system. Everyone in the audience gets a notice."""
    from opscenter.commitments.services.notify import notify

    if actor is not None:
        scope = scope_for(actor)
        scope.require("workday.add_announcement")
        wide = scope.is_superuser or scope.all_sites or "operations" in scope.roles
        if audience == AnnouncementAudience.EVERYONE and not wide:
            raise PermissionDenied(_("只有运营管理或管理层可以向全体发布通告"))
    if not title.strip():
        raise ValidationError(_("请填写「标题」"), field="title")
    if not body.strip():
        raise ValidationError(_("请填写「内容」"), field="body")
    if audience not in AnnouncementAudience.values:
        raise ValidationError(_("发布范围不正确"), field="audience")
    if audience == AnnouncementAudience.SITE and site is None:
        raise ValidationError(_("请选择院区"), field="site")
    if audience == AnnouncementAudience.DEPARTMENT:
        if department is None:
            raise ValidationError(_("请选择部门"), field="department")
        site = department.site
    if actor is not None and site is not None:
        scope_for(actor).require_site(site.pk, write=True)
    announcement = Announcement.objects.create(
        title=title.strip(),
        body=body.strip(),
        kind=kind,
        audience=audience,
        site=site if audience != AnnouncementAudience.EVERYONE else None,
        department=department if audience == AnnouncementAudience.DEPARTMENT else None,
        pinned=pinned,
        author=actor,
        source=source,
    )
    if notify_users:
        notify(
            list(announcement_recipients(announcement)),
            title=_("通告：%(title)s") % {"title": announcement.title},
            link=reverse("workday:announcement_detail", args=[announcement.pk]),
        )
    return announcement


@transaction.atomic
def announcement_mark_read(*, actor, announcement: Announcement) -> bool:
    """Record the first read (a receipt); later reads change nothing. True when newly recorded."""
    _obj, created = AnnouncementRead.objects.get_or_create(announcement=announcement, user=actor)
    return created
