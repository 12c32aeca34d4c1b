"""Screens of the commitments app. Thin: scoped fetch → form → service → redirect."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opscenter.commitments import screens, selectors, services
from opscenter.commitments.choices import (
    WORK_ORDER_TRANSITIONS,
    Channel,
    Source,
    StageStatus,
    TreeStatus,
    WorkOrderStatus,
)
from opscenter.commitments.forms import (
    AnomalyRuleForm,
    CommitmentNodeForm,
    ComplaintForm,
    DecisionForm,
    DueChangeForm,
    MeetingForm,
    PerceptionPointForm,
    TransitionForm,
    WorkOrderForm,
)
from opscenter.commitments.models import WorkOrderEvent
from opscenter.core.exceptions import DomainError, NotFound, PermissionDenied, ValidationError
from opscenter.core.htmx import post_action, redirect_to
from opscenter.metrics import all_metrics
from opscenter.org.selectors import department_list, scope_for, site_list, staff_list

PAGE_SIZE = 50


def domain_errors(view):
    """Out of role or out of one's sites → 403; missing → 404."""

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


def _require_view(request: HttpRequest) -> None:
    if not request.user.has_module_perms("commitments"):
        raise PermissionDenied(_("您没有查看服务承诺/工单的权限"))


def _writable_departments(user):
    scope = scope_for(user)
    qs = department_list(user=user).order_by("site__code", "name")
    return qs if scope.is_superuser else qs.filter(site_id__in=scope.site_ids)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except (ValueError, InvalidOperation):
        return None


def _params(request: HttpRequest) -> dict:
    p = {k: v for k, v in request.GET.items() if v}
    for key in ("from", "to"):
        if key in p:
            p[key] = _date(p[key])
    return p


def _page(request: HttpRequest, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


@require_GET
@domain_errors
def work_order_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    params = _params(request)
    params.setdefault("list", "mine" if scope_for(request.user).staff_id else "all")
    qs = selectors.work_order_list(user=request.user, params=params)
    return render(
        request,
        "commitments/work_order_list.html",
        {
            "page": _page(request, qs),
            "current": params["list"],
            "lists": [
                ("mine", _("我的")),
                ("department", _("本部门")),
                ("overdue", _("已超期")),
                ("all", _("全部")),
            ],
            "sources": Source.choices,
            "source": params.get("source", ""),
            "now": timezone.now(),
        },
    )


@domain_errors
def work_order_create(request: HttpRequest) -> HttpResponse:
    scope_for(request.user).require("commitments.add_workorder")
    departments = _writable_departments(request.user)
    form = WorkOrderForm(request.POST or None, departments=departments)
    if request.method == "POST" and form.is_valid():
        try:
            wo = services.work_order_open(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("工单已创建并派发给联络员"))
            return _redirect(request, reverse("commitments:work_order_detail", args=[wo.pk]))
    return render(request, "commitments/work_order_create.html", {"form": form})


@require_GET
@domain_errors
def work_order_detail(request: HttpRequest, work_order_id: int) -> HttpResponse:
    _require_view(request)
    wo = selectors.work_order_get(user=request.user, work_order_id=work_order_id)
    events = WorkOrderEvent.objects.filter(work_order=wo).select_related("actor")
    attachments = wo.attachments.all()
    return render(
        request,
        "commitments/work_order_detail.html",
        {
            "wo": wo,
            "events": events,
            "attachments": attachments,
            "allowed": [(s, WorkOrderStatus(s).label) for s in sorted(WORK_ORDER_TRANSITIONS[wo.status])],
            "can_change": scope_for(request.user).can("commitments.change_workorder"),
            "overdue": wo.is_overdue(),
            "due_form": DueChangeForm(initial={"version": wo.version}),
        },
    )


@require_POST
@domain_errors
def work_order_transition(request: HttpRequest, work_order_id: int) -> HttpResponse:
    form = TransitionForm(request.POST)
    url = reverse("commitments:work_order_detail", args=[work_order_id])
    if not form.is_valid():
        messages.error(request, _("提交的内容不完整，请重试"))
        return _redirect(request, url)
    data = form.cleaned_data
    return post_action(
        request,
        action=lambda: services.work_order_transition(
            actor=request.user,
            work_order_id=work_order_id,
            to_status=data["to_status"],
            version=data["version"],
            note=data["note"],
            resolution=data["resolution"],
            satisfaction=data["satisfaction"],
            feedback=data["feedback"],
        ),
        success=_("工单状态已更新"),
        url=url,
    )


@require_POST
@domain_errors
def work_order_comment(request: HttpRequest, work_order_id: int) -> HttpResponse:
    return post_action(
        request,
        action=lambda: services.work_order_comment(
            actor=request.user, work_order_id=work_order_id, note=request.POST.get("note", "")
        ),
        success=None,  # the note itself appears in the order's log
        url=reverse("commitments:work_order_detail", args=[work_order_id]),
    )


@require_POST
@domain_errors
def work_order_due(request: HttpRequest, work_order_id: int) -> HttpResponse:
    form = DueChangeForm(request.POST)
    url = reverse("commitments:work_order_detail", args=[work_order_id])
    if not form.is_valid():
        messages.error(request, _("请填写新的时限和协商说明"))
        return _redirect(request, url)
    return post_action(
        request,
        action=lambda: services.work_order_change_due(
            actor=request.user, work_order_id=work_order_id, **form.cleaned_data
        ),
        success=_("协商时限已调整"),
        url=url,
    )


@require_POST
@domain_errors
def work_order_attach(request: HttpRequest, work_order_id: int) -> HttpResponse:
    upload = request.FILES.get("file")
    url = reverse("commitments:work_order_detail", args=[work_order_id])
    if upload is None:
        messages.error(request, _("请选择要上传的文件"))
        return _redirect(request, url)
    return post_action(
        request,
        action=lambda: services.work_order_attach(
            actor=request.user, work_order_id=work_order_id, upload=upload
        ),
        success=_("附件已上传"),
        url=url,
    )


@require_GET
@domain_errors
def work_order_attachment(request: HttpRequest, work_order_id: int, attachment_id: int) -> FileResponse:
    _require_view(request)
    wo = selectors.work_order_get(user=request.user, work_order_id=work_order_id)
    attachment = wo.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


@require_GET
@domain_errors
def complaint_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    qs = selectors.complaint_list(user=request.user, params=_params(request))
    return render(
        request, "commitments/complaint_list.html", {"page": _page(request, qs), "channels": Channel.choices}
    )


@domain_errors
def complaint_create(request: HttpRequest) -> HttpResponse:
    scope_for(request.user).require("commitments.add_complaint")
    form = ComplaintForm(request.POST or None, departments=_writable_departments(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            complaint = services.complaint_register(
                actor=request.user, department_id=form.cleaned_data.pop("department"), **form.cleaned_data
            )
        except DomainError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("投诉已登记，工单已派发给被投诉部门的联络员"))
            from opscenter.commitments.models import WorkOrder

            wo = WorkOrder.objects.filter(source=Source.COMPLAINT, source_ref=str(complaint.pk)).first()
            return _redirect(request, reverse("commitments:work_order_detail", args=[wo.pk]))
    return render(request, "commitments/complaint_create.html", {"form": form})


@require_GET
@domain_errors
def monitor(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    today = timezone.localdate()
    return render(
        request,
        "commitments/monitor.html",
        {
            "rows": screens.live_counts(user=request.user, today=today),
            "breaches": screens.breaches_by_stage(
                user=request.user, start=today - dt.timedelta(days=29), end=today
            ),
            "anomalies": selectors.anomaly_list(user=request.user).filter(closed_at__isnull=True)[:20],
        },
    )


@require_GET
@domain_errors
def monitor_data(request: HttpRequest) -> JsonResponse:
    _require_view(request)
    if request.GET.get("chart") == "departments":
        return JsonResponse(screens.on_time_by_department_option(user=request.user))
    return JsonResponse(screens.on_time_by_week_option(user=request.user))


@require_GET
@domain_errors
def stage_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    qs = selectors.stage_list(user=request.user, params=_params(request))
    return render(
        request, "commitments/stage_list.html", {"page": _page(request, qs), "statuses": StageStatus.choices}
    )


@require_GET
@domain_errors
def measurement_detail(request: HttpRequest, measurement_id: int) -> HttpResponse:
    _require_view(request)
    m = selectors.measurement_get(user=request.user, measurement_id=measurement_id)
    stages = m.stages.select_related("commitment", "department").order_by(
        "level", "commitment__position_in_tree"
    )
    return render(request, "commitments/measurement_detail.html", {"m": m, "stages": stages})


@require_GET
@domain_errors
def tree_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    return render(request, "commitments/tree_list.html", {"trees": selectors.tree_list(user=request.user)})


def _node_form(request: HttpRequest, tree, nodes, data=None) -> CommitmentNodeForm:
    from opscenter.org.models import Position

    return CommitmentNodeForm(
        data,
        parents=[n.commitment for n in nodes if n.commitment.level < 3],
        departments=department_list(user=request.user).filter(site_id=tree.site_id).order_by("name"),
        positions=Position.objects.order_by("name"),
    )


@domain_errors
def tree_detail(request: HttpRequest, tree_id: int) -> HttpResponse:
    """The tree and its versions; POST adds a promise under another (a new draft version when the
    tree is active, see `commitment_add`)."""
    _require_view(request)
    tree = selectors.tree_get(user=request.user, tree_id=tree_id)
    scope = scope_for(request.user)
    nodes = selectors.tree_nodes(tree=tree)
    form = _node_form(request, tree, nodes, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        node = services.NodeSpec(
            name=data["name"],
            wording=data["wording"],
            start_event=data["start_event"],
            end_event=data["end_event"],
            allowance_kind=data["allowance_kind"],
            allowance_minutes=int(((data["allowance_hours"] or 0) * 60).to_integral_value()),
            value_key=data["value_key"].strip(),
            value_comparison=data["value_comparison"],
            value_bound=data["value_bound"],
            value_unit=data["value_unit"],
            warning_pct=data["warning_pct"],
            department_id=data["department"],
            position_id=data["position"],
            opens_work_order=data["opens_work_order"],
        )
        try:
            added = services.commitment_add(actor=request.user, parent_id=data["parent"], node=node)
        except DomainError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if added.tree_id != tree.pk:
                messages.success(request, _("已在新的草稿版本中增加承诺；生效前现有测量仍按原版本"))
            else:
                messages.success(request, _("承诺已增加"))
            return _redirect(request, reverse("commitments:tree_detail", args=[added.tree_id]))
    return render(
        request,
        "commitments/tree_detail.html",
        {
            "tree": tree,
            "nodes": nodes,
            "versions": selectors.tree_list(user=request.user).filter(site=tree.site, family=tree.family),
            "can_edit": scope.can("commitments.change_commitmenttree") and scope.writes_site(tree.site_id),
            "is_draft": tree.status == TreeStatus.DRAFT,
            "node_form": form,
        },
        status=422 if request.method == "POST" else 200,
    )


@require_POST
@domain_errors
def commitment_remove(request: HttpRequest, tree_id: int, commitment_id: int) -> HttpResponse:
    tree = selectors.tree_get(user=request.user, tree_id=tree_id)
    commitment = tree.commitments.filter(pk=commitment_id).first()
    if commitment is None:
        raise Http404
    return post_action(
        request,
        action=lambda: services.commitment_remove(actor=request.user, commitment_id=commitment.pk),
        success=lambda changed: (
            _("承诺「%(name)s」已删除") % {"name": commitment.name}
            if changed.pk == tree.pk
            else _("已在新的草稿版本中删除承诺「%(name)s」；生效前现有测量仍按原版本")
            % {"name": commitment.name}
        ),
        url=reverse("commitments:tree_detail", args=[tree.pk]),
        success_url=lambda changed: reverse("commitments:tree_detail", args=[changed.pk]),
    )


@domain_errors
def perception_point_list(request: HttpRequest) -> HttpResponse:
    """Perception points of the user's sites; POST adds one (managers of the site)."""
    _require_view(request)
    scope = scope_for(request.user)
    sites = site_list(user=request.user)
    if not scope.is_superuser:
        sites = sites.filter(pk__in=scope.site_ids)
    form = PerceptionPointForm(request.POST or None, sites=sites)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.perception_point_create(actor=request.user, site_id=data.pop("site"), **data)
        except DomainError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("客户感知点已增加"))
            return _redirect(request, reverse("commitments:perception_point_list"))
    return render(
        request,
        "commitments/perception_point_list.html",
        {
            "points": selectors.perception_point_list(user=request.user),
            "form": form,
            "can_add": scope.can("commitments.add_perceptionpoint"),
            "can_change": scope.can("commitments.change_perceptionpoint"),
        },
    )


@require_POST
@domain_errors
def perception_point_edit(request: HttpRequest, point_id: int) -> HttpResponse:
    point = selectors.perception_point_get(user=request.user, point_id=point_id)
    return post_action(
        request,
        action=lambda: services.perception_point_update(
            actor=request.user,
            point_id=point.pk,
            touchpoint=request.POST.get("touchpoint", ""),
            perception=request.POST.get("perception", ""),
            importance=request.POST.get("importance", ""),
            satisfaction_pct=request.POST.get("satisfaction_pct", ""),
        ),
        success=_("客户感知点已修改"),
        url=reverse("commitments:perception_point_list"),
    )


@require_POST
@domain_errors
def tree_activate(request: HttpRequest, tree_id: int) -> HttpResponse:
    tree = selectors.tree_get(user=request.user, tree_id=tree_id)
    return post_action(
        request,
        action=lambda: services.commitment_tree_transition(
            actor=request.user, tree_id=tree.pk, to_status=TreeStatus.ACTIVE
        ),
        success=_("新版本已生效，旧版本已停用"),
        url=reverse("commitments:tree_detail", args=[tree.pk]),
    )


@require_POST
@domain_errors
def tree_revise(request: HttpRequest, tree_id: int) -> HttpResponse:
    tree = selectors.tree_get(user=request.user, tree_id=tree_id)
    return post_action(
        request,
        action=lambda: services.commitment_tree_revise(actor=request.user, tree_id=tree.pk),
        success=_("已创建新的草稿版本"),
        url=reverse("commitments:tree_detail", args=[tree.pk]),
        success_url=lambda new: reverse("commitments:tree_detail", args=[new.pk]),
    )


@require_POST
@domain_errors
def commitment_edit(request: HttpRequest, tree_id: int, commitment_id: int) -> HttpResponse:
    tree = selectors.tree_get(user=request.user, tree_id=tree_id)
    commitment = tree.commitments.filter(pk=commitment_id).first()
    if commitment is None:
        raise Http404

    def update():
        if commitment.is_value:
            return services.commitment_update(
                actor=request.user, commitment_id=commitment.pk, value_bound=request.POST.get("value_bound")
            )
        try:
            hours = request.POST.get("allowance_hours", "")
            minutes = int((Decimal(hours) * 60).to_integral_value()) if hours else None
            warning_pct = int(request.POST.get("warning_pct") or 0)
        except (ValueError, InvalidOperation) as exc:
            raise ValidationError(_("时限必须是数字（小时）"), field="allowance_hours") from exc
        return services.commitment_update(
            actor=request.user,
            commitment_id=commitment.pk,
            allowance_minutes=minutes,
            warning_pct=warning_pct,
        )

    return post_action(
        request,
        action=update,
        success=_("承诺已修改"),
        url=reverse("commitments:tree_detail", args=[tree.pk]),
        success_url=lambda updated: reverse("commitments:tree_detail", args=[updated.tree_id]),
    )


@domain_errors
def anomaly_rule_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    scope = scope_for(request.user)
    sites = site_list(user=request.user)
    if not scope.is_superuser:
        sites = sites.filter(pk__in=scope.site_ids)
    metrics = sorted(all_metrics().values(), key=lambda m: m.code)
    form = AnomalyRuleForm(
        request.POST or None, sites=sites, departments=_writable_departments(request.user), metrics=metrics
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.anomaly_rule_create(
                actor=request.user, site_id=data.pop("site"), department_id=data.pop("department"), **data
            )
        except DomainError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("异动规则已保存，下一次监控时生效"))
            return _redirect(request, reverse("commitments:anomaly_rule_list"))
    return render(
        request,
        "commitments/anomaly_rule_list.html",
        {
            "rules": selectors.anomaly_rule_list(user=request.user),
            "anomalies": selectors.anomaly_list(user=request.user)[:50],
            "form": form,
            "can_add": scope.can("commitments.add_anomalyrule"),
            "labels": {m.code: m.label for m in metrics},
        },
    )


@require_GET
@domain_errors
def report_view(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    period = "month" if request.GET.get("period") == "month" else "week"
    day = _date(request.GET.get("day")) or timezone.localdate()
    rep = screens.report(user=request.user, period=period, day=day)
    if request.GET.get("format") == "xlsx":
        from opscenter.commitments.exports import report_xlsx

        return report_xlsx(rep)
    return render(request, "commitments/report.html", {"rep": rep, "print": request.GET.get("print") == "1"})


@domain_errors
def meeting_list(request: HttpRequest) -> HttpResponse:
    _require_view(request)
    scope = scope_for(request.user)
    sites = site_list(user=request.user)
    if not scope.is_superuser:
        sites = sites.filter(pk__in=scope.site_ids)
    form = MeetingForm(request.POST or None, sites=sites, initial={"held_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.review_meeting_create(actor=request.user, site_id=data.pop("site"), **data)
        except DomainError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("会商已创建，议题已按本期异动、超时和超期工单生成"))
            return _redirect(request, reverse("commitments:meeting_detail", args=[meeting.pk]))
    return render(
        request,
        "commitments/meeting_list.html",
        {
            "meetings": selectors.meeting_list(user=request.user)[:100],
            "form": form,
            "can_add": scope.can("commitments.add_reviewmeeting"),
        },
    )


@domain_errors
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    _require_view(request)
    meeting = selectors.meeting_get(user=request.user, meeting_id=meeting_id)
    staff = staff_list(user=request.user, site_id=meeting.site_id).filter(is_active=True).order_by("name")
    form = DecisionForm(request.POST or None, staff=staff)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.meeting_decision_record(
                actor=request.user, meeting_id=meeting.pk, owner_id=data.pop("owner"), **data
            )
        except DomainError as exc:
            if isinstance(exc, (NotFound, PermissionDenied)):
                raise
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("决定已记录"))
            return _redirect(request, reverse("commitments:meeting_detail", args=[meeting.pk]))
    return render(
        request,
        "commitments/meeting_detail.html",
        {
            "meeting": meeting,
            "decisions": meeting.decisions.select_related("owner__department", "work_order"),
            "form": form,
            "can_add": scope_for(request.user).can("commitments.add_meetingdecision"),
        },
    )
