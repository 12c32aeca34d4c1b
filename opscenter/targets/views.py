"""Target screens: plans, the allocation grid, the solve screen, actual vs target, notifications.
Thin: scoped fetch → form → service → redirect or partial."""

from __future__ import annotations

import functools
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opscenter.core.exceptions import NotFound, PermissionDenied, ValidationError
from opscenter.core.htmx import hx_redirect, is_partial
from opscenter.org.selectors import department_list, scope_for, site_list, staff_list, team_list
from opscenter.targets import screens, selectors, services
from opscenter.targets.choices import PlanStatus, UnitKind
from opscenter.targets.constants import MONEY_METRIC
from opscenter.targets.forms import AllocationForm, PlanCreateForm, RatesForm, SplitForm, yuan_to_fen
from opscenter.targets.metrics import is_money, metric_label
from opscenter.targets.models import Allocation, PlanMetric
from opscenter.targets.progress import parse_period, plan_progress, rate_progress
from opscenter.targets.solving import SITE_UNIT, plan_solution
from opscenter.targets.units import Unit, parse_unit_key


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


def _redirect(request: HttpRequest, url: str) -> HttpResponse:
    return hx_redirect(url) if is_partial(request) else HttpResponseRedirect(url)


def _detail_url(plan_id: int, metric: str | None = None) -> str:
    url = reverse("targets:plan_detail", args=[plan_id])
    return f"{url}?metric={metric}" if metric else url


def _writable_sites(user):
    scope = scope_for(user)
    sites = site_list(user=user).filter(is_active=True).order_by("name")
    return sites if scope.is_superuser else sites.filter(pk__in=scope.site_ids)


def _can_edit(user, plan) -> bool:
    scope = scope_for(user)
    return scope.writes_site(plan.site_id) and scope.can("targets.change_allocation")


@require_GET
@domain_errors
def plan_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    scope.require("targets.view_targetplan")
    plans = list(selectors.plan_list(user=request.user).prefetch_related("metrics"))
    for plan in plans:
        revenue = next((m for m in plan.metrics.all() if m.metric == MONEY_METRIC), None)
        plan.revenue_display = screens.fmt_value(revenue.annual_target, True) if revenue else "—"
        plan.metric_count = len(plan.metrics.all())
    return render(
        request,
        "targets/plan_list.html",
        {"plans": plans, "can_add": scope.can("targets.add_targetplan"), "section": "plans"},
    )


@domain_errors
def plan_create(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    scope.require("targets.add_targetplan")
    sites = list(_writable_sites(request.user))
    initial = {"year": timezone.localdate().year + 1, "solve_from_revenue": True, "month_split": "seasonal"}
    form = PlanCreateForm(request.POST or None, sites=sites, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = services.plan_create(
                actor=request.user,
                site_id=data["site"],
                year=data["year"],
                targets=form.targets(),
                month_split=data["month_split"],
                solve_from_revenue=data["solve_from_revenue"],
                name=data["name"],
            )
        except ValidationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                _("已创建 %(year)s 年目标计划（草稿 v%(version)s）")
                % {"year": plan.year, "version": plan.version},
            )
            return _redirect(request, _detail_url(plan.pk))
    return render(request, "targets/plan_create.html", {"form": form, "section": "plans"})


def _split_choices(user, plan) -> list[tuple[str, str]]:
    """What the site's targets split to: its departments, or directly its teams."""
    departments = department_list(user=user).filter(site_id=plan.site_id, teams__isnull=False).distinct()
    teams = team_list(user=user).filter(department__site_id=plan.site_id).order_by("department__name", "name")
    return [(f"department:{d.pk}", d.name) for d in departments.order_by("name")] + [
        (f"team:{t.pk}", _("%(name)s（%(name2)s）") % {"name": t.name, "name2": t.department.name})
        for t in teams
    ]


def _team_choices(user, plan, department_id: int) -> list[tuple[str, str]]:
    teams = team_list(user=user).filter(department_id=department_id, department__site_id=plan.site_id)
    return [(f"team:{t.pk}", t.name) for t in teams.order_by("name")]


def _choices_for(user, plan, parent: str) -> list[tuple[str, str]]:
    kind, pk = parse_unit_key(parent)
    if kind == UnitKind.SITE:
        return _split_choices(user, plan)
    if kind == UnitKind.DEPARTMENT:
        return _team_choices(user, plan, pk)
    return _staff_choices(user, plan, pk)


def _staff_choices(user, plan, team_id: int) -> list[tuple[str, str]]:
    staff = (
        staff_list(user=user, site_id=plan.site_id).filter(team_id=team_id, is_active=True).order_by("name")
    )
    return [(f"staff:{s.pk}", s.name) for s in staff]


def _grid_context(request: HttpRequest, plan, metric: PlanMetric) -> dict:
    grid = selectors.allocation_grid(metric=metric)
    return {"plan": plan, "grid": grid, "metric": metric, "can_edit": plan.status == PlanStatus.DRAFT
            and _can_edit(request.user, plan)}  # fmt: skip


@require_GET
@domain_errors
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    metrics = selectors.plan_metrics(plan=plan)
    if not metrics:
        raise Http404(_("计划没有指标"))
    chosen = next((m for m in metrics if m.metric == request.GET.get("metric")), metrics[0])
    chosen.plan = plan
    context = _grid_context(request, plan, chosen)
    team_rows = [row for row in context["grid"].rows if row.unit.kind == UnitKind.TEAM]
    department_rows = [row for row in context["grid"].rows if row.unit.kind == UnitKind.DEPARTMENT]
    split_form = SplitForm(unit_choices=_split_choices(request.user, plan))
    boxes = list(split_form["units"])
    context.update(
        {
            "metrics": [(m, metric_label(m.metric)) for m in metrics],
            "versions": selectors.plan_versions(plan=plan),
            "comparison": selectors.version_comparison(plan=plan),
            "split_form": split_form,
            "split_groups": [
                (label, group)
                for label, group in (
                    (_("部门"), [b for b in boxes if b.data["value"].startswith("department:")]),
                    (_("小组"), [b for b in boxes if b.data["value"].startswith("team:")]),
                )
                if group
            ],
            "department_splits": [
                (
                    row.unit,
                    SplitForm(
                        unit_choices=_team_choices(request.user, plan, row.unit.pk),
                        initial={"parent": row.unit.key},
                    ),
                )
                for row in department_rows
            ]
            if context["can_edit"]
            else [],
            "team_splits": [
                (
                    row.unit,
                    SplitForm(
                        unit_choices=_staff_choices(request.user, plan, row.unit.pk),
                        initial={"parent": row.unit.key},
                    ),
                )
                for row in team_rows
            ]
            if context["can_edit"]
            else [],
            "can_manage": scope_for(request.user).writes_site(plan.site_id)
            and scope_for(request.user).can("targets.change_targetplan"),
            "section": "plans",
        }
    )
    if is_partial(request) and request.GET.get("part") == "grid":
        return render(request, "targets/partials/_grid.html", context)
    return render(request, "targets/plan_detail.html", context)


@require_POST
@domain_errors
def allocation_edit(request: HttpRequest, allocation_id: int) -> HttpResponse:
    # The role first, then the row looked up only among the plans the user may see: nobody learns
    # from a 403 / 404 difference which allocation ids exist in another site.
    scope_for(request.user).require("targets.view_targetplan")
    allocation = (
        Allocation.objects.select_related("plan_metric__plan__site")
        .filter(pk=allocation_id, plan_metric__plan__in=selectors.plan_list(user=request.user))
        .first()
    )
    if allocation is None:
        raise Http404(_("目标分解不存在"))
    plan = selectors.plan_get(user=request.user, plan_id=allocation.plan_metric.plan_id)
    form = AllocationForm(request.POST)
    error = ""
    if form.is_valid():
        value = form.cleaned_data["target"]
        target = yuan_to_fen(value) if is_money(allocation.plan_metric.metric) else int(value)
        try:
            services.allocation_update(actor=request.user, allocation_id=allocation.pk, target=target)
        except ValidationError as exc:
            error = exc.message
    else:
        error = _("请输入数字")
    metric = PlanMetric.objects.get(pk=allocation.plan_metric_id)
    metric.plan = plan
    context = {**_grid_context(request, plan, metric), "grid_error": error}
    if is_partial(request):
        return render(request, "targets/partials/_grid.html", context, status=422 if error else 200)
    if error:
        messages.error(request, error)
    return HttpResponseRedirect(_detail_url(plan.pk, metric.metric))


@require_POST
@domain_errors
def plan_split(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    parent = request.POST.get("parent", "site")
    form = SplitForm(request.POST, unit_choices=_choices_for(request.user, plan, parent))
    metric = request.POST.get("metric") or None
    if form.is_valid():
        try:
            count = services.plan_split_units(
                actor=request.user,
                plan_id=plan.pk,
                units=form.cleaned_data["units"],
                method=form.cleaned_data["method"],
                parent=parent,
            )
        except ValidationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("已分解到 %(len)s 个单位（%(count)s 条月度目标）")
                % {"len": len(form.cleaned_data["units"]), "count": count},
            )
    else:
        messages.error(request, _("请选择至少一个分解对象"))
    return _redirect(request, _detail_url(plan.pk, metric))


@require_POST
@domain_errors
def plan_sync_annual(request: HttpRequest, plan_id: int, metric_id: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    metric = PlanMetric.objects.filter(pk=metric_id, plan=plan).first()
    if metric is None:
        raise Http404(_("计划指标不存在"))
    try:
        services.plan_metric_sync_annual(actor=request.user, plan_metric_id=metric.pk)
    except ValidationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(metric_label)s的年度目标已更新为各月合计") % {"metric_label": metric_label(metric.metric)},
        )
    return _redirect(request, _detail_url(plan.pk, metric.metric))


@require_POST
@domain_errors
def plan_activate(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    try:
        services.plan_transition(actor=request.user, plan_id=plan.pk, to=PlanStatus.ACTIVE)
    except ValidationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("v%(version)s 已启用，原执行中的版本已标记为已被替代") % {"version": plan.version}
        )
    return _redirect(request, _detail_url(plan.pk))


@require_POST
@domain_errors
def plan_revise(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    new = services.plan_revise(actor=request.user, plan_id=plan.pk)
    messages.success(
        request,
        _("已由 v%(version)s 生成修订草稿 v%(version2)s")
        % {"version": plan.version, "version2": new.version},
    )
    return _redirect(request, _detail_url(new.pk))


def _solve_unit(request: HttpRequest, plan) -> tuple[Unit, list[Unit]]:
    units = selectors.plan_units(plan=plan)
    wanted = request.GET.get("unit") or request.POST.get("unit") or SITE_UNIT.key
    unit = next((u for u in units if u.key == wanted), units[0] if units else SITE_UNIT)
    return unit, units


def _solve_url(plan, unit: Unit, anchor: str = "") -> str:
    return f"{reverse('targets:plan_solve', args=[plan.pk])}?unit={unit.key}{anchor}"


def _posted_channel(request: HttpRequest) -> int | None:
    """The channel of a by-channel override form (None: the unit's rates across channels)."""
    raw = request.POST.get("channel") or ""
    if not raw:
        return None
    if not raw.isdigit():
        raise ValidationError(_("渠道不正确"), field="channel")
    return int(raw)


@domain_errors
def plan_solve(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    unit, units = _solve_unit(request, plan)
    form = RatesForm(request.POST or None)
    can_edit = scope_for(request.user).writes_site(plan.site_id) and plan.status != PlanStatus.SUPERSEDED
    if request.method == "POST" and request.POST.get("form") == "monthly":
        try:
            services.rate_targets_set(actor=request.user, plan_id=plan.pk, unit_key=unit.key,
                                      values=screens.parse_monthly_rates(request.POST, plan.year))  # fmt: skip
        except ValidationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已保存%(unit)s的月度转化率目标") % {"unit": unit.label})
        return _redirect(request, _solve_url(plan, unit, "#monthly-rates"))
    if request.method == "POST":
        anchor = "#channel-plan" if request.POST.get("channel") else ""
        if form.is_valid():
            try:
                channel_id = _posted_channel(request)
                services.rate_overrides_set(actor=request.user, plan_id=plan.pk, unit_key=unit.key,
                                            values=form.values(), channel_id=channel_id)  # fmt: skip
            except ValidationError as exc:
                messages.error(request, exc.message)
            else:
                what = _("各渠道") if channel_id is None else _("该渠道")
                messages.success(
                    request, _("已保存%(label)s%(what)s的转化率设定") % {"label": unit.label, "what": what}
                )
        else:
            messages.error(request, _("转化率应为数字"))
        return _redirect(request, _solve_url(plan, unit, anchor))
    solution = plan_solution(user=request.user, plan=plan, unit=unit)
    context = {
        "plan": plan,
        "unit": unit,
        "units": units,
        "solution": solution,
        "rates": screens.rate_rows(solution, solution.overrides),
        "parent_columns": screens.parent_columns(solution),
        "fallbacks": screens.fallback_notes(solution),
        "channels": solution.channels,
        "channel_rows": screens.channel_rows(solution),
        "channel_months": screens.channel_month_totals(solution),
        "channel_summary": screens.channel_summary(solution),
        "monthly_rates": screens.monthly_rate_rows(solution, plan.year),
        "can_edit": can_edit,
        "section": "plans",
    }
    return render(request, "targets/plan_solve.html", context)


@require_GET
@domain_errors
def plan_solve_data(request: HttpRequest, plan_id: int) -> JsonResponse:
    """The solve screen's charts: the unit as a whole, or `?chart=channels` the consultations
    each channel needs (stacked by month)."""
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    unit, _units = _solve_unit(request, plan)
    solution = plan_solution(user=request.user, plan=plan, unit=unit)
    if request.GET.get("chart") == "channels":
        return JsonResponse(screens.channel_chart_option(solution))
    return JsonResponse(screens.solve_chart_option(solution))


def _progress(request: HttpRequest, plan):
    try:
        period = parse_period(plan, request.GET.get("period"))
        error = ""
    except ValidationError as exc:
        period, error = parse_period(plan, None), exc.message
    return plan_progress(user=request.user, plan=plan, period=period), error


@require_GET
@domain_errors
def plan_progress_view(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    progress, error = _progress(request, plan)
    keys = [m.metric for m in progress.metrics]
    metric = request.GET.get("metric") if request.GET.get("metric") in keys else keys[0]
    periods = [(str(plan.year), _("全年"))] + [
        (f"{plan.year}-{m:02d}", _("%(m)s月") % {"m": m}) for m in range(1, 13)
    ]
    summary = [(m.metric, metric_label(m.metric), progress.site_line(m.metric)) for m in progress.metrics]
    unit, units = _solve_unit(request, plan)
    context = {
        "unit": unit,
        "units": units,
        "rate_lines": rate_progress(user=request.user, plan=plan, unit=unit),
        "plan": plan,
        "progress": progress,
        "metric": metric,
        "metric_label": metric_label(metric),
        "money": is_money(metric),
        "lines": progress.lines.get(metric, []),
        "ranking": progress.ranking(metric),
        "summary": summary,
        "periods": periods,
        "period_error": error,
        "elapsed_pct": screens.fmt_pct(
            Decimal(progress.elapsed.numerator) / Decimal(progress.elapsed.denominator)
        ),
        "section": "plans",
    }
    return render(request, "targets/plan_progress.html", context)


@require_GET
@domain_errors
def plan_progress_data(request: HttpRequest, plan_id: int) -> JsonResponse:
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    progress, _error = _progress(request, plan)
    metric = request.GET.get("metric") or MONEY_METRIC
    return JsonResponse(screens.progress_chart_option(progress.lines.get(metric, []), is_money(metric)))


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = list(selectors.notification_list(user=request.user)[:200])
    return render(
        request,
        "targets/notification_list.html",
        {"notifications": notifications, "section": "notifications"},
    )


@require_POST
def notification_read(request: HttpRequest) -> HttpResponse:
    raw = request.POST.get("id")
    services.notification_mark_read(
        actor=request.user, notification_id=int(raw) if raw and raw.isdigit() else None
    )
    return _redirect(request, reverse("targets:notification_list"))
