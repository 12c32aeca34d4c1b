"""Screens of the workday app. Thin: scoped fetch → form → service → redirect."""

from __future__ import annotations

import datetime as dt
import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opscenter.core.exceptions import DomainError, NotFound, PermissionDenied
from opscenter.core.history import history_page
from opscenter.core.htmx import post_action, redirect_to
from opscenter.org.models import Position
from opscenter.org.selectors import department_list, scope_for, site_list, staff_list
from opscenter.workday import selectors, services
from opscenter.workday.choices import AnnouncementAudience, SubmissionStatus
from opscenter.workday.forms import (
    AnnouncementForm,
    CardIssueForm,
    CardUseForm,
    OutboundVisitForm,
    TemplateForm,
    TemplateSettingsForm,
    VersionForm,
    WorkLogForm,
)

PAGE = 200


def domain_errors(view):
    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(exc.message) from exc

    return wrapper


_redirect = redirect_to


def _need(request: HttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied(_("您没有执行此操作的权限"))


def _date(value: str | None, default: dt.date | None = None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


@domain_errors
def today(request: HttpRequest) -> HttpResponse:
    """My due items today (created on the fly if the scheduler has not yet), and the registers."""
    _need(request, "workday.view_submission")
    scope = scope_for(request.user)
    day = timezone.localdate()
    if scope.staff_id:
        services.submissions_materialize(day_from=day, day_to=day, staff_ids=[scope.staff_id])
    items = selectors.due_today(user=request.user)
    pinned = list(selectors.announcement_list(user=request.user).filter(pinned=True)[:5])
    return render(
        request, "workday/today.html", {"items": items, "day": day, "pinned": pinned, "now": timezone.now()}
    )


@domain_errors
def submission_detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = selectors.submission_get(user=request.user, submission_id=submission_id)
    if submission is None:
        raise NotFound(_("该工作提交不存在或无权访问"))
    scope = scope_for(request.user)
    mine = submission.staff_id == scope.staff_id
    editable = mine and services.is_editable(submission)
    values = dict(submission.values)
    prefill = {}
    version = submission.template_version
    if editable and version.prefill_pipeline:
        prefill = selectors.pipeline_prefill(
            user=request.user, staff_id=submission.staff_id, day=timezone.localtime(submission.due_at).date()
        )
        for key, n in prefill.items():
            values.setdefault(key, n)
    fields = [{**spec, "value": values.get(spec["key"], "")} for spec in version.fields]
    return render(
        request,
        "workday/submission_detail.html",
        {
            "submission": submission,
            "fields": fields,
            "prefill": prefill,
            "editable": editable,
            "can_review": services.can_review(scope, submission) and not mine,
            "events": submission.events.select_related("actor"),
        },
    )


@require_POST
@domain_errors
def submission_submit(request: HttpRequest, submission_id: int) -> HttpResponse:
    _need(request, "workday.change_submission")
    submission = selectors.submission_get(user=request.user, submission_id=submission_id)
    if submission is None:
        raise NotFound(_("该工作提交不存在或无权访问"))
    values = {
        spec["key"]: request.POST.get(f"f_{spec['key']}", "") for spec in submission.template_version.fields
    }
    try:
        services.submission_submit(
            actor=request.user,
            submission_id=submission.pk,
            values=values,
            text=request.POST.get("text", ""),
            version=request.POST.get("version") or None,
        )
        messages.success(request, _("已提交"))
    except DomainError as exc:
        messages.error(request, exc.message)
    return _redirect(request, reverse("workday:submission_detail", args=[submission.pk]))


@require_POST
@domain_errors
def submission_review(request: HttpRequest, submission_id: int) -> HttpResponse:
    return post_action(
        request,
        action=lambda: services.submission_review(
            actor=request.user,
            submission_id=submission_id,
            approve=request.POST.get("decision") == "approve",
            comment=request.POST.get("comment", ""),
            version=request.POST.get("version") or None,
        ),
        success=_("已处理"),
        url=reverse("workday:submission_detail", args=[submission_id]),
    )


@require_POST
@domain_errors
def submission_reopen(request: HttpRequest, submission_id: int) -> HttpResponse:
    return post_action(
        request,
        action=lambda: services.submission_reopen(
            actor=request.user,
            submission_id=submission_id,
            reason=request.POST.get("reason", ""),
            version=request.POST.get("version") or None,
        ),
        success=_("已重开，提交人可以修改"),
        url=reverse("workday:submission_detail", args=[submission_id]),
    )


@domain_errors
def submission_list(request: HttpRequest) -> HttpResponse:
    """Filterable list (the drill-down target of the workday metrics)."""
    _need(request, "workday.view_submission")
    qs = selectors.submission_list(user=request.user)
    get = request.GET
    tz = timezone.get_default_timezone()
    start, end = _date(get.get("from")), _date(get.get("to"))
    if start:
        qs = qs.filter(due_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz))
    if end:
        qs = qs.filter(due_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))
    filters = (
        ("staff", "staff_id"),
        ("department", "department_id"),
        ("site", "site_id"),
        ("template_version", "template_version_id"),
    )
    for key, column in filters:
        if get.get(key, "").isdigit():
            qs = qs.filter(**{column: int(get[key])})
    if get.get("late") == "1":
        qs = qs.filter(late=True)
    if get.get("status") in SubmissionStatus.values:
        qs = qs.filter(status=get["status"])
    total = qs.count()
    rows = list(qs.order_by("-due_at", "staff__name")[:PAGE])
    return render(request, "workday/submission_list.html", {"rows": rows, "total": total, "shown": len(rows)})


@domain_errors
def grid(request: HttpRequest) -> HttpResponse:
    """The supervisor's view: people × days with each day's submissions and their status."""
    _need(request, "workday.view_submission")
    today_ = timezone.localdate()
    start = _date(request.GET.get("start"), today_ - dt.timedelta(days=today_.weekday()))
    dept = request.GET.get("department")
    data = selectors.submission_grid(
        user=request.user, start=start, days=7, department_id=int(dept) if dept and dept.isdigit() else None
    )
    return render(
        request,
        "workday/grid.html",
        {
            "grid": data,
            "start": start,
            "prev": start - dt.timedelta(days=7),
            "next": start + dt.timedelta(days=7),
            "departments": department_list(user=request.user).order_by("site__code", "name"),
            "department": dept,
        },
    )


@domain_errors
def template_list(request: HttpRequest) -> HttpResponse:
    _need(request, "workday.view_submissiontemplate")
    templates = selectors.templates_with_versions(user=request.user)
    return render(request, "workday/template_list.html", {"templates": templates})


def _template_choices(request: HttpRequest, site_id: int | None = None) -> dict:
    scope = scope_for(request.user)
    departments = department_list(user=request.user)
    if site_id is not None:
        departments = departments.filter(site_id=site_id).order_by("name")
    elif scope.is_superuser:
        departments = departments.order_by("site__code", "name")
    else:
        departments = departments.filter(site_id__in=scope.site_ids).order_by("name")
    people = staff_list(user=request.user, **({"site_id": site_id} if site_id else {}))
    return {
        "departments": departments,
        "positions": Position.objects.order_by("name"),
        "staff": people.filter(is_active=True).order_by("name"),
    }


def _form_error(form, exc: DomainError) -> None:
    if isinstance(exc, NotFound | PermissionDenied):
        raise exc
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _rule_kwargs(data: dict) -> dict:
    keys = ("schedule_kind", "due_time", "weekday", "business_day", "holiday_shift")
    rule = {key: data[key] for key in keys}
    return {
        **rule,
        "effective_from": data["effective_from"],
        "fields": data["fields_text"],
        "text_required": data["text_required"],
        "prefill_pipeline": data["prefill_pipeline"],
    }


@domain_errors
def template_create(request: HttpRequest) -> HttpResponse:
    _need(request, "workday.add_submissiontemplate")
    scope = scope_for(request.user)
    form = TemplateForm(request.POST or None, **_template_choices(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = list(data["departments"]) or list(data["staff"])
        site = chosen[0].site if data["departments"] else (chosen[0].department.site if chosen else None)
        if site is None:
            site = site_list(user=request.user).filter(pk__in=scope.site_ids).first()
        try:
            if site is None:
                raise DomainError(_("请指定提交人：部门、岗位或员工至少选一项"), field="departments")
            template = services.template_create(
                actor=request.user,
                site=site,
                name=data["name"],
                description=data["description"],
                departments=data["departments"],
                positions=data["positions"],
                staff=data["staff"],
                approver=data["approver"],
                **_rule_kwargs(data),
            )
            messages.success(request, _("已创建模板：%(name)s") % {"name": template.name})
            return _redirect(request, reverse("workday:template_detail", args=[template.pk]))
        except DomainError as exc:
            _form_error(form, exc)
    return render(request, "workday/template_create.html", {"form": form})


def _template(request: HttpRequest, template_id: int):
    template = selectors.template_get(user=request.user, template_id=template_id)
    if template is None:
        raise NotFound(_("提交模板不存在或无权访问"))
    return template


@domain_errors
def template_detail(request: HttpRequest, template_id: int) -> HttpResponse:
    """The template: who submits, the version in force, a draft with its preview (the next
    deadlines on the business calendar) and the version history in people's words."""
    _need(request, "workday.view_submissiontemplate")
    template = _template(request, template_id)
    history = selectors.template_history(template=template)
    preview = selectors.version_preview(version=template.draft) if template.draft else []
    return render(
        request,
        "workday/template_detail.html",
        {
            "template": template,
            "history": history,
            "preview": preview,
            "audit": history_page(template, limit=30),
            "can_change": request.user.has_perm("workday.change_submissiontemplate"),
        },
    )


@domain_errors
def template_edit(request: HttpRequest, template_id: int) -> HttpResponse:
    """Who submits, who approves, name, in use — effective at once (the rule changes by version)."""
    _need(request, "workday.change_submissiontemplate")
    template = _template(request, template_id)
    initial = {
        "name": template.name,
        "description": template.description,
        "departments": list(template.departments.all()),
        "positions": list(template.positions.all()),
        "staff": list(template.staff.all()),
        "approver": template.approver,
        "is_active": template.is_active,
        "revision": template.revision,
    }
    form = TemplateSettingsForm(
        request.POST or None, initial=initial, **_template_choices(request, template.site_id)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.template_update(
                actor=request.user,
                template_id=template.pk,
                revision=data["revision"],
                name=data["name"],
                description=data["description"],
                departments=data["departments"],
                positions=data["positions"],
                staff=data["staff"],
                approver=data["approver"],
                is_active=data["is_active"],
            )
            messages.success(request, _("模板已保存"))
            return _redirect(request, reverse("workday:template_detail", args=[template.pk]))
        except DomainError as exc:
            _form_error(form, exc)
    return render(request, "workday/template_edit.html", {"form": form, "template": template})


@domain_errors
def template_draft(request: HttpRequest, template_id: int) -> HttpResponse:
    """Write (or rework) the draft of the next version; it is previewed and published on the
    template page."""
    _need(request, "workday.change_submissiontemplate")
    template = _template(request, template_id)
    history = selectors.template_history(template=template)  # attaches current / draft
    base = template.draft or template.upcoming or template.current
    initial = {"revision": template.revision}
    if base is not None:
        initial |= {
            "schedule_kind": base.schedule_kind,
            "due_time": base.due_time,
            "weekday": base.weekday,
            "business_day": base.business_day,
            "holiday_shift": base.holiday_shift,
            "fields_text": VersionForm.fields_as_text(base.fields),
            "text_required": base.text_required,
            "prefill_pipeline": base.prefill_pipeline,
        }
    if template.draft is not None:
        initial |= {"effective_from": template.draft.effective_from, "note": template.draft.note}
    else:
        initial["effective_from"] = timezone.localdate() + dt.timedelta(days=1)
    form = VersionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.template_version_draft(
                actor=request.user,
                template_id=template.pk,
                revision=data["revision"],
                note=data["note"],
                **_rule_kwargs(data),
            )
            messages.success(request, _("草稿已保存，请核对下方预览的截止时间后发布"))
            return _redirect(request, reverse("workday:template_detail", args=[template.pk]) + "#draft")
        except DomainError as exc:
            _form_error(form, exc)
    return render(
        request,
        "workday/template_draft.html",
        {"form": form, "template": template, "base": base, "history": history[:3]},
    )


def _version_action(request: HttpRequest, template_id: int, version_id: int, service, success: str):
    """Publish or discard a draft of a template in scope, with the revision the page was read at."""
    if not _template(request, template_id).versions.filter(pk=version_id).exists():
        raise NotFound(_("模板版本不存在或无权访问"))
    return post_action(
        request,
        action=lambda: service(
            actor=request.user, version_id=version_id, revision=request.POST.get("revision") or None
        ),
        success=success,
        url=reverse("workday:template_detail", args=[template_id]),
    )


@require_POST
@domain_errors
def template_version_publish(request: HttpRequest, template_id: int, version_id: int) -> HttpResponse:
    return _version_action(
        request,
        template_id,
        version_id,
        services.template_version_publish,
        _("新版本已发布，到生效日期起按新版本生成事项"),
    )


@require_POST
@domain_errors
def template_version_discard(request: HttpRequest, template_id: int, version_id: int) -> HttpResponse:
    return _version_action(
        request, template_id, version_id, services.template_version_discard, _("草稿已放弃")
    )


def _register_page(request, *, perm_add, form_class, service, rows, template, title):
    form = form_class(request.POST or None)
    if request.method == "POST":
        _need(request, perm_add)
        if form.is_valid():
            try:
                service(actor=request.user, **form.cleaned_data)
                messages.success(request, _("已登记"))
                return _redirect(request, request.path)
            except DomainError as exc:
                if isinstance(exc, PermissionDenied):
                    raise
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, template, {"form": form, "rows": rows[:100], "title": title})


@domain_errors
def work_log(request: HttpRequest) -> HttpResponse:
    _need(request, "workday.view_worklog")
    return _register_page(
        request,
        perm_add="workday.add_worklog",
        form_class=WorkLogForm,
        service=services.work_log_add,
        rows=selectors.work_log_list(user=request.user),
        template="workday/work_log.html",
        title=_("业务员工作日志"),
    )


@domain_errors
def outbound_visits(request: HttpRequest) -> HttpResponse:
    _need(request, "workday.view_outboundvisit")
    return _register_page(
        request,
        perm_add="workday.add_outboundvisit",
        form_class=OutboundVisitForm,
        service=services.outbound_visit_add,
        rows=selectors.outbound_visit_list(user=request.user),
        template="workday/outbound_visits.html",
        title=_("客户拜访登记表"),
    )


@domain_errors
def cards(request: HttpRequest) -> HttpResponse:
    _need(request, "workday.view_cardissue")
    return _register_page(
        request,
        perm_add="workday.add_cardissue",
        form_class=CardIssueForm,
        service=services.card_issue,
        rows=selectors.card_list(user=request.user),
        template="workday/cards.html",
        title=_("发放体检卡登记表"),
    )


@domain_errors
def card_use(request: HttpRequest, card_id: int) -> HttpResponse:
    _need(request, "workday.change_cardissue")
    from opscenter.pipeline.selectors import customer_list

    card = selectors.card_list(user=request.user).filter(pk=card_id).first()
    if card is None:
        raise NotFound(_("体检卡不存在或无权访问"))
    customers = customer_list(user=request.user).filter(site_id=card.site_id).order_by("name")
    form = CardUseForm(request.POST or None, customers=customers)
    if request.method == "POST" and form.is_valid():
        try:
            services.card_use(actor=request.user, card_id=card.pk, **form.cleaned_data)
            messages.success(request, _("已关联使用客户"))
            return _redirect(request, reverse("workday:cards"))
        except DomainError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, "workday/card_use.html", {"form": form, "card": card})


@domain_errors
def announcement_list(request: HttpRequest) -> HttpResponse:
    _need(request, "workday.view_announcement")
    rows = list(selectors.announcement_list(user=request.user)[:100])
    return render(request, "workday/announcement_list.html", {"rows": rows})


@domain_errors
def announcement_detail(request: HttpRequest, announcement_id: int) -> HttpResponse:
    _need(request, "workday.view_announcement")
    announcement = selectors.announcement_list(user=request.user).filter(pk=announcement_id).first()
    if announcement is None:
        raise NotFound(_("通告不存在或无权访问"))
    services.announcement_mark_read(actor=request.user, announcement=announcement)
    recipients = services.announcement_recipients(announcement).count()
    readers = None
    if request.user.has_perm("workday.change_announcement") or announcement.author_id == request.user.pk:
        readers = announcement.reads.select_related("user__staff").order_by("read_at")
    return render(
        request,
        "workday/announcement_detail.html",
        {
            "a": announcement,
            "recipients": recipients,
            "readers": readers,
            "read_count": announcement.reads.count(),
        },
    )


@domain_errors
def announcement_create(request: HttpRequest) -> HttpResponse:
    _need(request, "workday.add_announcement")
    form = AnnouncementForm(
        request.POST or None,
        sites=site_list(user=request.user),
        departments=department_list(user=request.user).order_by("site__code", "name"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            a = services.announcement_post(
                actor=request.user,
                title=data["title"],
                body=data["body"],
                audience=data["audience"] or AnnouncementAudience.SITE,
                site=data["site"],
                department=data["department"],
                pinned=data["pinned"],
            )
            return _redirect(request, reverse("workday:announcement_detail", args=[a.pk]))
        except DomainError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
    return render(request, "workday/announcement_create.html", {"form": form})
