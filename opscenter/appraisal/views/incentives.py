"""Incentive screens of seeds 002/003: unit-price stages, sales contests with their leaderboard,
the GM's allocation of the year-end contract bonus, and a leaving employee's settlement."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opscenter.appraisal import points, selectors, selectors_incentives, services
from opscenter.appraisal.choices import SHARE_PARTS, PayoutStatus, PlanKind
from opscenter.appraisal.forms_incentives import ContestForm, StagesForm, parse_allocation
from opscenter.appraisal.models import Period
from opscenter.appraisal.services.allocation import ALLOCATED_PARTS, apply_allocation, eligible_for
from opscenter.appraisal.views.common import domain_errors, form_attempt, redirect
from opscenter.core.exceptions import DomainError, NotFound, PermissionDenied
from opscenter.org.selectors import scope_for, site_list, staff_list

__all__ = [
    "contest_detail",
    "contest_list",
    "payout_allocate",
    "plan_stages",
    "settlement_detail",
]


def _can_edit_site(user, site_id: int) -> bool:
    scope = scope_for(user)
    return scope.can("appraisal.change_incentiveplan") and scope.writes_site(site_id)


@require_POST
@domain_errors
def plan_stages(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Replace a points plan's unit-price stages (a new plan version once a payout is published)."""
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    form = StagesForm(request.POST)
    if form.is_valid():
        saved = form_attempt(
            form,
            lambda: services.plan_stages_set(
                actor=request.user, plan=plan, stages=form.cleaned_data["stages"]
            ),
        )
        if saved is not None:
            messages.success(request, _("已保存积分单价阶段"))
            return redirect(request, reverse("appraisal:plan_detail", args=[saved.pk]))
    for error in form.errors.get("stages", []) + form.non_field_errors():
        messages.error(request, error)
    return redirect(request, reverse("appraisal:plan_detail", args=[plan.pk]) + "#stages")


def _contest_form(request, site_id: int, data=None, initial=None) -> ContestForm:
    return ContestForm(
        data,
        initial=initial,
        plans=list(selectors_incentives.points_plans(user=request.user, site_id=site_id)),
        staff=list(
            staff_list(user=request.user, site_id=site_id).filter(is_active=True).order_by("employee_no")
        ),
    )


@domain_errors
def contest_list(request: HttpRequest) -> HttpResponse:
    contests = selectors_incentives.contest_list(user=request.user).order_by("-starts_on", "name")
    sites = [s for s in selectors.plan_list(user=request.user).values_list("site_id", flat=True).distinct()]
    site_id = int(request.GET.get("site") or request.POST.get("site") or (sites[0] if sites else 0))
    can_add = site_id in sites and _can_edit_site(request.user, site_id)
    form = (
        _contest_form(request, site_id, request.POST if request.method == "POST" else None)
        if can_add
        else None
    )
    if request.method == "POST" and can_add and form.is_valid():
        contest = form_attempt(
            form, lambda: services.contest_save(actor=request.user, site_id=site_id, **form.service_fields())
        )
        if contest is not None:
            messages.success(request, _("已创建竞赛"))
            return redirect(request, reverse("appraisal:contest_detail", args=[contest.pk]))
    return render(
        request,
        "appraisal/contest_list.html",
        {
            "contests": contests,
            "form": form,
            "site_id": site_id,
            "sites": site_list(user=request.user).filter(pk__in=sites).order_by("name"),
            "section": "pay",
        },
    )


@domain_errors
def contest_detail(request: HttpRequest, contest_id: int) -> HttpResponse:
    """The leaderboard (points per eligible person from the metrics, each count drilling to its
    rows) and the contest's rules; editable with a version check until it is paid."""
    contest = selectors_incentives.contest_get(user=request.user, contest_id=contest_id)
    can_edit = _can_edit_site(request.user, contest.site_id) and not contest.paid_by_id
    form = None
    if can_edit:
        initial = {
            "name": contest.name,
            "plan": contest.plan_id,
            "starts_on": f"{contest.starts_on:%Y-%m}",
            "ends_on": f"{contest.ends_on:%Y-%m}",
            "unit_price": "" if contest.unit_price_fen is None else f"{contest.unit_price_fen / 100:.2f}",
            "rules": "\n".join(f"{r['metric']}:{r['points']}" for r in contest.rules),
            "eligible": list(contest.eligible.values_list("pk", flat=True)),
            "notes": contest.notes,
            "version": contest.version,
        }
        form = _contest_form(
            request, contest.site_id, request.POST if request.method == "POST" else None, initial
        )
        if request.method == "POST" and form.is_valid():
            saved = form_attempt(
                form,
                lambda: services.contest_save(
                    actor=request.user,
                    site_id=contest.site_id,
                    contest=contest,
                    version=form.cleaned_data["version"],
                    **form.service_fields(),
                ),
            )
            if saved is not None:
                messages.success(request, _("已保存竞赛"))
                return redirect(request, reverse("appraisal:contest_detail", args=[contest.pk]))
    standings = selectors_incentives.contest_standings(contest)
    months = selectors_incentives.months_between(contest.starts_on, contest.ends_on)
    for s in standings:
        s.rows = selectors_incentives.row_drills(
            {"rows": s.rows, "months": [m.isoformat() for m in months]}, s.staff.pk
        )
    return render(
        request,
        "appraisal/contest_detail.html",
        {
            "contest": contest,
            "standings": standings,
            "form": form,
            "section": "pay",
        },
    )


@domain_errors
def payout_allocate(request: HttpRequest, payout_id: int) -> HttpResponse:
    """The GM's allocation screen: the marketing 25 % (the marketing manager and the GM, guided by
    the monthly scores shown beside each name; neither may receive it) and the GM's part of the
    other departments' pool. Validated and saved by `services.allocation_save`."""
    payout, _lines = selectors.payout_get(user=request.user, payout_id=payout_id)
    if payout.plan.kind != PlanKind.CONTRACT_BONUS:
        raise NotFound(_("只有年终签约奖金需要分配"))
    period = Period.objects.get(label=payout.period_label)
    ctx = selectors_incentives.bonus_context(payout.plan, period.start, period.end)
    allocation = selectors_incentives.allocation_for_plan(payout.plan, payout.period_label)
    saved = {}
    if allocation is not None:
        for e in allocation.entries.all():
            saved.setdefault(e.part, {})[e.staff_id] = e.amount_fen
    eligible = {part: eligible_for(ctx, part) for part in ALLOCATED_PARTS}
    posted: dict[str, dict[str, str]] = {}
    if request.method == "POST":
        posted = {part: {k.split("-", 1)[1]: v for k, v in request.POST.items() if k.startswith(f"{part}-")}
                  for part in ALLOCATED_PARTS}  # fmt: skip
        try:
            entries = parse_allocation(request.POST, ALLOCATED_PARTS, eligible)
            services.allocation_save(
                actor=request.user,
                payout=payout,
                entries=entries,
                version=int(request.POST.get("version") or 0),
                note=request.POST.get("note", ""),
            )
        except forms.ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已保存分配，发放已重算"))
            return redirect(request, reverse("appraisal:payout_allocate", args=[payout.pk]))
    try:
        current = apply_allocation(ctx, allocation)
        stale = ""
    except DomainError as exc:
        current, stale = ctx.shares, exc.message
    parts = []
    for part in ALLOCATED_PARTS:
        total = ctx.part_total(part)
        scores = {sid: ctx.scores.get(sid, {}).get("avg") for sid in eligible[part]}
        suggestion = points.suggest_allocation(total, scores) if part == "mk_allocated" else {}
        rows = [
            {
                "staff_id": sid,
                "name": name,
                "scores": ctx.scores.get(sid),
                "suggested": suggestion.get(sid),
                "value": posted.get(part, {}).get(str(sid))
                if posted
                else f"{saved.get(part, {}).get(sid, 0) / 100:.2f}"
                if part in saved
                else "",
            }
            for sid, name in eligible[part].items()
        ]
        parts.append({"code": part, "label": SHARE_PARTS[part], "total": total, "rows": rows,
                      "allocated": part in saved})  # fmt: skip
    return render(
        request,
        "appraisal/payout_allocate.html",
        {
            "payout": payout,
            "ctx": ctx,
            "parts": parts,
            "allocation": allocation,
            "version": allocation.version if allocation else 0,
            "stale": stale,
            "current": [c for c in current if c.part in ALLOCATED_PARTS],
            "names": {**ctx.mk_eligible, **ctx.other_eligible},
            "parts_labels": SHARE_PARTS,
            "editable": payout.status == PayoutStatus.DRAFT,
            "section": "pay",
        },
    )


@require_GET
@domain_errors
def settlement_detail(request: HttpRequest, settlement_id: int) -> HttpResponse:
    settlement = selectors_incentives.settlement_get(user=request.user, settlement_id=settlement_id)
    lines = list(settlement.lines.select_related("plan", "payout_line__payout").order_by("source", "pk"))
    return render(
        request,
        "appraisal/settlement_detail.html",
        {
            "settlement": settlement,
            "lines": lines,
            "parts": SHARE_PARTS,
            "due_fen": sum(x.paid_fen + x.forfeited_fen for x in lines),
            "print": request.GET.get("print") == "1",
            "section": "pay",
        },
    )
