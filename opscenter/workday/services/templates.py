"""Writes of submission templates and their dated versions (rules as data).

A template says who submits and who approves; when it is due and what it asks is a version:
version 1 is published with the template, later ones are drafted, previewed (the next deadlines on
the site's business calendar) and published to take effect from a later date. Published versions
are never changed, so every submission keeps the deadline and fields it was made under. Each
write checks the template's `revision` (optimistic: two people editing at once do not overwrite
each other) and is audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core.audit import as_actor
from opscenter.core.calendars import work_calendar_for
from opscenter.core.exceptions import DomainError, NotFound, ValidationError
from opscenter.org.models import Department, Site, Staff
from opscenter.org.selectors import scope_for
from opscenter.workday.choices import FieldKind, HolidayShift, ScheduleKind, VersionStatus
from opscenter.workday.models import SubmissionTemplate, SubmissionTemplateVersion
from opscenter.workday.schedule import Schedule, validate_schedule
from opscenter.workday.versions import describe_changes


class ConflictError(DomainError):
    """Someone else changed the record since it was read (optimistic version check)."""


def _clean_fields(fields: Sequence[dict]) -> list[dict]:
    out, keys = [], set()
    for n, raw in enumerate(fields, start=1):
        key = str(raw.get("key") or "").strip()
        label = str(raw.get("label") or "").strip()
        kind = raw.get("kind") or FieldKind.NUMBER
        if not key or not label:
            raise ValidationError(
                _("第 %(n)s 个填报项缺少编码或名称") % {"n": n},
                field="fields",
                log_message=f"field {n} incomplete",
            )
        if key in keys:
            raise ValidationError(_("填报项编码重复：%(key)s") % {"key": key}, field="fields")
        if kind not in FieldKind.values:
            raise ValidationError(_("填报项「%(label)s」的类型不正确") % {"label": label}, field="fields")
        keys.add(key)
        out.append({"key": key, "label": label, "kind": kind, "required": bool(raw.get("required"))})
    return out


def _rule(
    site: Site,
    *,
    effective_from: dt.date,
    schedule_kind: str,
    due_time: dt.time,
    weekday: int | None,
    business_day: int | None,
    holiday_shift: str,
    fields: Sequence[dict],
    text_required: bool,
    prefill_pipeline: bool,
) -> dict:
    """The version's columns, checked: a known schedule that falls on the site's working days in
    the year from `effective_from`, and well-formed fields."""
    if schedule_kind not in ScheduleKind.values:
        raise ValidationError(_("提交周期不正确"), field="schedule_kind")
    if holiday_shift not in HolidayShift.values:
        raise ValidationError(_("节假日处理方式不正确"), field="holiday_shift")
    schedule = Schedule(schedule_kind, due_time, weekday, business_day, holiday_shift)
    validate_schedule(schedule, work_calendar_for(site.calendar), today=effective_from)
    return {
        "effective_from": effective_from,
        "schedule_kind": schedule_kind,
        "due_time": due_time,
        "weekday": weekday if schedule_kind == ScheduleKind.WEEKLY else None,
        "business_day": business_day if schedule_kind == ScheduleKind.MONTHLY else None,
        "holiday_shift": holiday_shift,
        "fields": _clean_fields(fields),
        "text_required": text_required,
        "prefill_pipeline": prefill_pipeline,
    }


def _who(departments, positions, staff) -> tuple[list, list, list]:
    departments, positions, staff = list(departments), list(positions), list(staff)
    if not (departments or positions or staff):
        raise ValidationError(_("请指定提交人：部门、岗位或员工至少选一项"), field="departments")
    return departments, positions, staff


def _unique_name(site_id: int, name: str, exclude: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError(_("请填写模板名称"), field="name")
    clash = SubmissionTemplate.objects.filter(site_id=site_id, name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError(_("本院区已有同名模板：%(name)s") % {"name": name}, field="name")
    return name


def _locked_template(actor, template_id: int) -> SubmissionTemplate:
    """The template, locked, after checking the actor may change it (None: the system)."""
    from opscenter.workday.selectors import template_list

    source = SubmissionTemplate.objects.all() if actor is None else template_list(user=actor)
    template = (
        source.select_for_update(of=("self",)).select_related("site__calendar").filter(pk=template_id).first()
    )
    if template is None:
        raise NotFound(_("提交模板不存在或无权访问"))
    if actor is not None:
        scope = scope_for(actor)
        scope.require("workday.change_submissiontemplate")
        scope.require_site(template.site_id, write=True)
    return template


def _check_revision(template: SubmissionTemplate, revision: int | None) -> None:
    if revision is not None and int(revision) != template.revision:
        raise ConflictError(
            _("该模板已被他人修改，请刷新页面查看最新内容后再操作"),
            field="revision",
            log_message=f"template {template.pk} revision {revision} != {template.revision}",
        )


def _bump(template: SubmissionTemplate) -> None:
    template.revision += 1
    template.save(update_fields=["revision"])


def _latest_published(template: SubmissionTemplate) -> SubmissionTemplateVersion | None:
    return (
        template.versions.filter(status=VersionStatus.PUBLISHED)
        .order_by("-effective_from", "-number")
        .first()
    )


def _check_effective_from(template: SubmissionTemplate, effective_from: dt.date, today: dt.date):
    """A new version starts after today (items already generated keep their version) and after the
    latest published version's start. Returns that latest published version."""
    if effective_from <= today:
        raise ValidationError(
            _("新版本的生效日期须晚于今天（%(today)s）：今天及以前的事项已按现行版本生成")
            % {"today": today.isoformat()},
            field="effective_from",
            log_message="version effective not after today",
        )
    latest = _latest_published(template)
    if latest is not None and effective_from <= latest.effective_from:
        raise ValidationError(
            _("生效日期须晚于第 %(n)s 版的生效日期 %(day)s")
            % {"n": latest.number, "day": latest.effective_from.isoformat()},
            field="effective_from",
            log_message="version effective not after the latest published one",
        )
    return latest


@as_actor
@transaction.atomic
def template_create(
    *,
    actor,
    site: Site,
    name: str,
    schedule_kind: str,
    due_time: dt.time,
    weekday: int | None = None,
    business_day: int | None = None,
    holiday_shift: str = HolidayShift.PREVIOUS,
    fields: Sequence[dict] = (),
    departments: Iterable[Department] = (),
    positions: Iterable = (),
    staff: Iterable[Staff] = (),
    approver: Staff | None = None,
    text_required: bool = True,
    prefill_pipeline: bool = False,
    description: str = "",
    today: dt.date | None = None,
    effective_from: dt.date | None = None,
) -> SubmissionTemplate:
    """Create a template with its first version (published, in force from `effective_from`,
    default today; staff may not start one in the past, the system loading history may)."""
    if actor is not None:  # None: the system (demo data, commands)
        scope = scope_for(actor)
        scope.require("workday.add_submissiontemplate")
        scope.require_site(site.pk, write=True)
    name = _unique_name(site.pk, name)
    departments, positions, staff = _who(departments, positions, staff)
    today = today or timezone.localdate()
    effective_from = effective_from or today
    if actor is not None and effective_from < today:
        raise ValidationError(_("生效日期不能早于今天"), field="effective_from")
    rule = _rule(
        site,
        effective_from=effective_from,
        schedule_kind=schedule_kind,
        due_time=due_time,
        weekday=weekday,
        business_day=business_day,
        holiday_shift=holiday_shift,
        fields=fields,
        text_required=text_required,
        prefill_pipeline=prefill_pipeline,
    )
    template = SubmissionTemplate.objects.create(
        site=site, name=name, description=description, approver=approver
    )
    template.departments.set(departments)
    template.positions.set(positions)
    template.staff.set(staff)
    SubmissionTemplateVersion.objects.create(
        template=template,
        number=1,
        status=VersionStatus.PUBLISHED,
        created_by=actor,
        published_by=actor,
        published_at=timezone.now(),
        **rule,
    )
    return template


@as_actor
@transaction.atomic
def template_update(
    *,
    actor,
    template_id: int,
    name: str,
    revision: int | None = None,
    departments: Iterable[Department] = (),
    positions: Iterable = (),
    staff: Iterable[Staff] = (),
    approver: Staff | None = None,
    description: str = "",
    is_active: bool = True,
) -> SubmissionTemplate:
    """Change who submits, who approves, the name or whether the template is in use (audited,
    from now on). When it is due and what it asks changes only by a new version."""
    template = _locked_template(actor, template_id)
    _check_revision(template, revision)
    template.name = _unique_name(template.site_id, name, exclude=template.pk)
    departments, positions, staff = _who(departments, positions, staff)
    template.description = description
    template.approver = approver
    template.is_active = is_active
    template.revision += 1
    template.save()
    template.departments.set(departments)
    template.positions.set(positions)
    template.staff.set(staff)
    return template


@as_actor
@transaction.atomic
def template_version_draft(
    *,
    actor,
    template_id: int,
    effective_from: dt.date,
    schedule_kind: str,
    due_time: dt.time,
    revision: int | None = None,
    weekday: int | None = None,
    business_day: int | None = None,
    holiday_shift: str = HolidayShift.PREVIOUS,
    fields: Sequence[dict] = (),
    text_required: bool = True,
    prefill_pipeline: bool = False,
    note: str = "",
    today: dt.date | None = None,
) -> SubmissionTemplateVersion:
    """Save the template's draft version (one at a time; created on first save). It changes
    nothing until published; it must start after today and after the latest published version,
    and differ from it."""
    template = _locked_template(actor, template_id)
    _check_revision(template, revision)
    today = today or timezone.localdate()
    latest = _check_effective_from(template, effective_from, today)
    rule = _rule(
        template.site,
        effective_from=effective_from,
        schedule_kind=schedule_kind,
        due_time=due_time,
        weekday=weekday,
        business_day=business_day,
        holiday_shift=holiday_shift,
        fields=fields,
        text_required=text_required,
        prefill_pipeline=prefill_pipeline,
    )
    draft = template.versions.filter(status=VersionStatus.DRAFT).first()
    if draft is None:
        last = template.versions.order_by("-number").values_list("number", flat=True).first() or 0
        draft = SubmissionTemplateVersion(template=template, number=last + 1, created_by=actor)
    for key, value in rule.items():
        setattr(draft, key, value)
    draft.note = note.strip()
    if latest is not None and not describe_changes(latest, draft):
        raise ValidationError(
            _("草稿与现行第 %(n)s 版的规则相同，无需新版本") % {"n": latest.number},
            field="schedule_kind",
            log_message="draft equals the published version",
        )
    draft.save()
    _bump(template)
    return draft


def _locked_draft(actor, version_id: int, revision: int | None) -> SubmissionTemplateVersion:
    template_id = (
        SubmissionTemplateVersion.objects.filter(pk=version_id).values_list("template_id", flat=True).first()
    )
    if template_id is None:
        raise NotFound(_("模板版本不存在或无权访问"))
    template = _locked_template(actor, template_id)
    _check_revision(template, revision)
    version = template.versions.filter(pk=version_id).first()
    if version is None or version.status != VersionStatus.DRAFT:
        raise ValidationError(
            _("只有草稿可以发布或放弃；已发布的版本不能修改"), field="status", log_message="not a draft"
        )
    version.template = template
    return version


@as_actor
@transaction.atomic
def template_version_publish(
    *,
    actor,
    version_id: int,
    revision: int | None = None,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
) -> SubmissionTemplateVersion:
    """Publish a draft: from its effective date the template's new occurrences follow it; earlier
    periods keep the version they were in force under. The dates are checked again (a draft saved
    last week may have a start date that has since passed)."""
    version = _locked_draft(actor, version_id, revision)
    template = version.template
    _check_effective_from(template, version.effective_from, today or timezone.localdate())
    version.status = VersionStatus.PUBLISHED
    version.published_by = actor
    version.published_at = now or timezone.now()
    version.save()
    _bump(template)
    return version


@as_actor
@transaction.atomic
def template_version_discard(*, actor, version_id: int, revision: int | None = None) -> None:
    """Throw a draft away (it was never in force; the audit trail keeps what it said)."""
    version = _locked_draft(actor, version_id, revision)
    template = version.template
    version.delete()
    _bump(template)
