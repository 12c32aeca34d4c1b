"""Incentive plans, payouts (statements, xlsx), leaving staff; the partner register."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opscenter.appraisal import pay, selectors, services
from opscenter.appraisal.choices import SHARE_PARTS, LeaveReason, PayoutStatus, PlanKind
from opscenter.appraisal.forms import ContractForm, PartnerForm, PlanForm
from opscenter.appraisal.models import SalesContest
from opscenter.appraisal.selectors_incentives import row_drills, settlements_by_staff
from opscenter.appraisal.views.common import attempt, domain_errors, form_attempt, redirect
from opscenter.core.excel import Column, xlsx_response
from opscenter.core.exceptions import DomainError, NotFound
from opscenter.org.selectors import scope_for, site_list, staff_list

__all__ = [
    "partner_detail",
    "partner_list",
    "payout_compute",
    "payout_detail",
    "payout_export",
    "payout_publish",
    "plan_detail",
    "plan_list",
    "staff_leave",
]

WAN = 1_000_000  # fen in 1 万元


def _writable_sites(user):
    scope = scope_for(user)
    sites = site_list(user=user).filter(is_active=True).order_by("name")
    return sites if scope.is_superuser else sites.filter(pk__in=scope.site_ids)


@domain_errors
def plan_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    # Everyone sees their own pay here (self-service); the plans need the plan view permission.
    plans = (
        selectors.plan_list(user=request.user).order_by("site__name", "name", "-version")
        if scope.can("appraisal.view_incentiveplan")
        else []
    )
    can_add = scope.can("appraisal.add_incentiveplan")
    form = PlanForm(request.POST or None, sites=list(_writable_sites(request.user)) if can_add else [])
    if request.method == "POST" and can_add and form.is_valid():
        d = form.cleaned_data
        plan = form_attempt(
            form,
            lambda: services.plan_create(
                actor=request.user,
                site_id=d["site"],
                name=d["name"],
                kind=d["kind"],
                scorecard_name=d["scorecard_name"],
            ),
        )
        if plan is not None:
            return redirect(request, reverse("appraisal:plan_detail", args=[plan.pk]))
    my_lines = (
        selectors.payout_lines_visible(request.user).filter(staff_id=scope.staff_id) if scope.staff_id else []
    )
    return render(
        request,
        "appraisal/plan_list.html",
        {
            "plans": plans,
            "form": form,
            "can_add": can_add,
            "my_lines": my_lines[:50] if my_lines else [],
            "section": "pay",
        },
    )


def _param_value(raw: str):
    raw = raw.strip()
    if raw[:1] in "[{":
        return json.loads(raw)
    if raw.lower() in ("true", "false"):
        return raw.lower() == "true"
    if raw in ("", "null"):
        return None
    return raw


def _brackets_from_text(text: str) -> list[pay.Bracket]:
    """Lines "下限万:上限万:比例%" (上限 empty = open; 比例 '-' = explicit 不提成)."""
    out = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip().replace("：", ":")  # i18n: data (full-width colon typed by users)
        if not line:
            continue
        parts = [p.strip() for p in line.split(":")]
        if len(parts) != 3:
            raise DomainError(
                _("第 %(n)s 档应写成 下限(万元):上限(万元):比例(%%)") % {"n": n}, field="brackets"
            )
        try:
            lower = int(Decimal(parts[0]) * WAN)
            upper = int(Decimal(parts[1]) * WAN) if parts[1] else None
            none = parts[2] in ("-", "不提成")  # i18n: data (typed by users)
            rate = Decimal(0) if none else Decimal(parts[2].rstrip("%"))
        except InvalidOperation as exc:
            raise DomainError(_("第 %(n)s 档有不是数字的内容") % {"n": n}, field="brackets") from exc
        out.append(pay.Bracket(lower, upper, rate, none))
    return out


def _brackets_text(plan) -> str:
    rows = []
    for b in plan.brackets.all():
        upper = "" if b.upper_fen is None else format(Decimal(b.upper_fen) / WAN, "f")
        rows.append(
            f"{format(Decimal(b.lower_fen) / WAN, 'f')}:{upper}:{'-' if b.no_commission else format(b.rate_pct.normalize(), 'f')}"
        )
    return "\n".join(rows)


@domain_errors
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    scope = scope_for(request.user)
    can_edit = scope.can("appraisal.change_incentiveplan") and scope.writes_site(plan.site_id)
    preview = None
    if request.method == "POST" and can_edit:
        action = request.POST.get("action")
        if action == "params":
            try:
                params = {k[6:]: _param_value(v) for k, v in request.POST.items() if k.startswith("param_")}
            except json.JSONDecodeError:
                messages.error(request, _("参数格式不对（列表或对象请写 JSON）"))
            else:
                holder = {}
                if attempt(
                    request,
                    _("已保存参数"),
                    lambda: holder.setdefault(
                        "p", services.plan_params_set(actor=request.user, plan=plan, params=params)
                    ),
                ):
                    return redirect(request, reverse("appraisal:plan_detail", args=[holder["p"].pk]))
        elif action == "brackets":
            try:
                brackets = _brackets_from_text(request.POST.get("brackets", ""))
            except DomainError as exc:
                messages.error(request, exc.message)
            else:
                mode = request.POST.get("mode", pay.WHOLE)
                if request.POST.get("preview"):
                    # what-if: the changed table next to the stored one, nothing saved
                    profit = int(plan.params.get("profit_fen") or 0)
                    try:
                        before = (
                            pay.bracket_commission(
                                profit_fen=profit,
                                brackets=[
                                    pay.Bracket(b.lower_fen, b.upper_fen, b.rate_pct, b.no_commission)
                                    for b in plan.brackets.all()
                                ],
                                mode=plan.bracket_mode,
                            ).amount_fen
                            if plan.brackets.exists()
                            else None
                        )
                        after = pay.bracket_commission(
                            profit_fen=profit, brackets=brackets, mode=mode
                        ).amount_fen
                        preview = {
                            "before": before,
                            "after": after,
                            "text": request.POST.get("brackets", ""),
                            "mode": mode,
                        }
                    except DomainError as exc:
                        messages.error(request, exc.message)
                elif attempt(
                    request,
                    _("已保存提成档位"),
                    lambda: services.plan_brackets_set(
                        actor=request.user, plan=plan, brackets=brackets, mode=mode
                    ),
                ):
                    return redirect(request, reverse("appraisal:plan_detail", args=[plan.pk]))
        elif action == "bases":
            try:
                bases = {}
                numbers = dict(
                    staff_list(user=request.user, site_id=plan.site_id).values_list("employee_no", "pk")
                )
                for n, line in enumerate(request.POST.get("bases", "").splitlines(), start=1):
                    line = line.strip().replace("：", ":")  # i18n: data (full-width colon typed by users)
                    if not line:
                        continue
                    no, _sep, amount = line.partition(":")
                    if no.strip() not in numbers:
                        raise DomainError(_("第 %(n)s 行：工号 %(no)s 不存在") % {"n": n, "no": no.strip()})
                    bases[numbers[no.strip()]] = int(Decimal(amount.strip()) * 100)
            except (DomainError, InvalidOperation) as exc:
                messages.error(request, getattr(exc, "message", _("基本工资须为数字（元）")))
            else:
                if attempt(
                    request,
                    _("已保存基本工资"),
                    lambda: services.plan_bases_set(actor=request.user, plan=plan, bases=bases),
                ):
                    return redirect(request, reverse("appraisal:plan_detail", args=[plan.pk]))
    params = [
        (
            k,
            json.dumps(v, ensure_ascii=False)
            if isinstance(v, (dict, list))
            else ("" if v is None else str(v).lower() if isinstance(v, bool) else v),
        )
        for k, v in plan.params.items()
    ]
    return render(
        request,
        "appraisal/plan_detail.html",
        {
            "plan": plan,
            "params": params,
            "can_edit": can_edit,
            "payouts": plan.payouts.order_by("-period_label"),
            "brackets_text": preview["text"] if preview else _brackets_text(plan),
            "preview": preview,
            "is_brackets": plan.kind == PlanKind.PROFIT_BRACKETS,
            "is_monthly": plan.kind == PlanKind.MONTHLY_PAY,
            "bases": plan.bases.select_related("staff").order_by("staff__employee_no"),
            "is_points": plan.kind == PlanKind.POINTS,
            "stages": list(plan.stages.all()),
            "contests": SalesContest.objects.filter(
                plan__site_id=plan.site_id, plan__name=plan.name
            ).order_by("-starts_on")
            if plan.kind == PlanKind.POINTS
            else [],
            "section": "pay",
        },
    )


@require_POST
@domain_errors
def payout_compute(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, plan_id=plan_id)
    holder = {}
    if attempt(
        request,
        _("已计算发放"),
        lambda: holder.setdefault(
            "p",
            services.payout_compute(
                actor=request.user, plan=plan, period_label=request.POST.get("period", "")
            ),
        ),
    ):
        return redirect(request, reverse("appraisal:payout_detail", args=[holder["p"].pk]))
    return redirect(request, reverse("appraisal:plan_detail", args=[plan.pk]))


@require_GET
@domain_errors
def payout_detail(request: HttpRequest, payout_id: int) -> HttpResponse:
    """The pay statement: each line with its formula and inputs; the total reconciles to the fen."""
    payout, lines = selectors.payout_get(user=request.user, payout_id=payout_id)
    scope = scope_for(request.user)
    full = scope.can("appraisal.view_payout") and (scope.is_superuser or scope.sees_site(payout.plan.site_id))
    return render(
        request,
        "appraisal/payout_detail.html",
        {
            "payout": payout,
            "lines": lines,
            "parts": SHARE_PARTS,
            "full": full,
            "lines_total": sum(x.amount_fen for x in lines),
            "can_publish": scope.can("appraisal.change_payout")
            and payout.status == PayoutStatus.DRAFT
            and scope.writes_site(payout.plan.site_id),
            "leave_reasons": LeaveReason.choices,
            "settlements": settlements_by_staff({x.staff_id for x in lines if x.staff_id}),
            "drills": {x.pk: row_drills(x.inputs, x.staff_id) for x in lines if x.inputs.get("rows")},
            "can_allocate": payout.plan.kind == PlanKind.CONTRACT_BONUS
            and payout.status == PayoutStatus.DRAFT,
            "print": request.GET.get("print") == "1",
            "section": "pay",
        },
    )


@require_POST
@domain_errors
def payout_publish(request: HttpRequest, payout_id: int) -> HttpResponse:
    payout, _lines = selectors.payout_get(user=request.user, payout_id=payout_id)
    attempt(request, _("发放已发布"), lambda: services.payout_publish(actor=request.user, payout=payout))
    return redirect(request, reverse("appraisal:payout_detail", args=[payout.pk]))


@require_GET
@domain_errors
def payout_export(request: HttpRequest, payout_id: int) -> HttpResponse:
    payout, lines = selectors.payout_get(user=request.user, payout_id=payout_id)
    columns = [
        Column(_("周期")),
        Column(_("工号")),
        Column(_("员工")),
        Column(_("部门")),
        Column(_("组成部分")),
        Column(_("金额(元)"), "yuan"),
        Column(_("公式")),
        Column(_("输入")),
    ]
    rows = [
        [
            payout.period_label,
            x.staff.employee_no if x.staff else "",
            x.staff.name if x.staff else "",
            x.department.name if x.department else "",
            str(SHARE_PARTS.get(x.part, x.part)),
            x.amount_fen,
            _(x.formula),
            json.dumps(x.inputs, ensure_ascii=False),
        ]
        for x in lines
    ]
    return xlsx_response(f"payout-{payout.plan_id}-{payout.period_label}.xlsx", columns=columns, rows=rows)


@require_POST
@domain_errors
def staff_leave(request: HttpRequest, payout_id: int) -> HttpResponse:
    """Resignation / dismissal of a staff member on a published year-end payout."""
    payout, lines = selectors.payout_get(user=request.user, payout_id=payout_id)
    line = next((x for x in lines if str(x.staff_id) == request.POST.get("staff")), None)
    if line is None:
        raise NotFound(_("员工不在该发放中"))
    try:
        on = dt.date.fromisoformat(request.POST.get("on", ""))
    except ValueError:
        messages.error(request, _("请填写离职日期"))
    else:
        holder = {}
        if attempt(
            request,
            "",
            lambda: holder.setdefault(
                "s",
                services.payout_staff_leave(
                    actor=request.user, staff=line.staff, reason=request.POST.get("reason", ""), on=on
                ),
            ),
        ):
            s = holder["s"]
            messages.success(
                request,
                _("%(name)s：提前结算 %(p)s 元，作废 %(f)s 元")
                % {
                    "name": line.staff.name,
                    "p": f"{s.paid_fen / 100:,.2f}",
                    "f": f"{s.forfeited_fen / 100:,.2f}",
                },
            )
            return redirect(request, reverse("appraisal:settlement_detail", args=[s.pk]))
    return redirect(request, reverse("appraisal:payout_detail", args=[payout.pk]))


# ---------------------------------------------------------------- partner register
@domain_errors
def partner_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    partners = (
        selectors.partner_list(user=request.user).prefetch_related("contracts").order_by("site__name", "name")
    )
    can_add = scope.can("appraisal.add_partner")
    form = PartnerForm(request.POST or None, sites=list(_writable_sites(request.user)) if can_add else [])
    if request.method == "POST" and can_add and form.is_valid():
        d = form.cleaned_data
        partner = form_attempt(
            form,
            lambda: services.partner_save(
                actor=request.user,
                site_id=d["site"],
                name=d["name"],
                kind=d["kind"],
                grade=d["grade"],
                address=d["address"],
                notes=d["notes"],
            ),
        )
        if partner is not None:
            return redirect(request, reverse("appraisal:partner_detail", args=[partner.pk]))
    return render(
        request,
        "appraisal/partner_list.html",
        {"partners": partners, "form": form, "can_add": can_add, "section": "partners"},
    )


@domain_errors
def partner_detail(request: HttpRequest, partner_id: int) -> HttpResponse:
    partner = selectors.partner_list(user=request.user).filter(pk=partner_id).first()
    if partner is None:
        raise NotFound(_("合作机构不存在或无权查看"))
    scope = scope_for(request.user)
    can_edit = scope.can("appraisal.change_partner") and scope.writes_site(partner.site_id)
    initial = {
        "name": partner.name,
        "kind": partner.kind,
        "grade": partner.grade,
        "site": partner.site_id,
        "address": partner.address,
        "notes": partner.notes,
    }
    sites = list(_writable_sites(request.user)) or [partner.site]
    form = PartnerForm(
        request.POST if request.POST.get("action") == "edit" else None, sites=sites, initial=initial
    )
    contract_form = ContractForm(request.POST if request.POST.get("action") == "contract" else None)
    if request.method == "POST" and can_edit:
        if request.POST.get("action") == "edit" and form.is_valid():
            d = form.cleaned_data
            saved = form_attempt(
                form,
                lambda: services.partner_save(
                    actor=request.user,
                    partner=partner,
                    site_id=d["site"],
                    name=d["name"],
                    kind=d["kind"],
                    grade=d["grade"],
                    address=d["address"],
                    notes=d["notes"],
                ),
            )
            if saved is not None:
                messages.success(request, _("已保存"))
                return redirect(request, reverse("appraisal:partner_detail", args=[partner.pk]))
        if request.POST.get("action") == "contract" and contract_form.is_valid():
            added = form_attempt(
                contract_form,
                lambda: services.contract_add(
                    actor=request.user, partner=partner, **contract_form.cleaned_data
                ),
            )
            if added is not None:
                messages.success(request, _("已登记合同"))
                return redirect(request, reverse("appraisal:partner_detail", args=[partner.pk]))
    grades = (
        selectors.appraisal_visible(request.user)
        .filter(subject_kind="partner", subject_id=partner.pk)
        .select_related("period")
        .order_by("-period__start")[:12]
    )
    return render(
        request,
        "appraisal/partner_detail.html",
        {
            "partner": partner,
            "form": form,
            "contract_form": contract_form,
            "can_edit": can_edit,
            "contracts": partner.contracts.all(),
            "grades": grades,
            "section": "partners",
        },
    )
