"""Periods, runs, statements, the appraiser queue, appeals and interviews."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.db.models import F, Window
from django.db.models.functions import Rank
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from opscenter.appraisal import selectors, services
from opscenter.appraisal.choices import ItemMethod, PeriodStatus, RuleKind
from opscenter.appraisal.models import Appeal, AppraisalRun, Interview, ItemScore
from opscenter.appraisal.views.common import attempt, domain_errors, redirect
from opscenter.core.excel import Column, xlsx_response
from opscenter.core.exceptions import NotFound
from opscenter.org.selectors import scope_for

__all__ = [
    "appeal_decide",
    "appeal_file",
    "appraisal_list",
    "appraiser_queue",
    "interview_record",
    "item_score_enter",
    "period_detail",
    "period_export",
    "period_partner_grades",
    "period_publish",
    "period_run",
    "rule_event_add",
    "run_status",
    "statement",
    "statement_export",
]


@require_GET
@domain_errors
def appraisal_list(request: HttpRequest) -> HttpResponse:
    """Home: my own appraisals (self-service 绩效查询), the periods, my queue, open appeals."""
    scope = scope_for(request.user)
    mine = (
        selectors.appraisal_visible(request.user)
        .filter(staff_id=scope.staff_id)
        .select_related("period", "scorecard")
        .order_by("-period__start")[:24]
        if scope.staff_id
        else []
    )
    return render(
        request,
        "appraisal/appraisal_list.html",
        {
            "mine": mine,
            "periods": selectors.period_list(user=request.user)[:36],
            "queue_count": selectors.appraiser_queue(user=request.user).count(),
            "appeals": selectors.open_appeals(user=request.user)[:50],
            "can_run": scope.can("appraisal.change_appraisal"),
            "section": "home",
        },
    )


@require_POST
@domain_errors
def period_run(request: HttpRequest) -> HttpResponse:
    label = request.POST.get("period", "")
    name = request.POST.get("scorecard", "").strip()
    holder = {}

    def go():
        period = services.period_get_or_create(label=label)
        holder["period"] = period
        holder["run"] = services.run_enqueue(period=period, scorecard_name=name, actor=request.user)

    if attempt(request, _("已提交后台计算，完成后本页自动刷新"), go):
        url = reverse("appraisal:period_detail", args=[holder["period"].label])
        return redirect(request, f"{url}?run={holder['run'].pk}")
    return redirect(request, reverse("appraisal:appraisal_list"))


@require_GET
@domain_errors
def run_status(request: HttpRequest, run_id: int) -> HttpResponse:
    run = AppraisalRun.objects.filter(pk=run_id, requested_by=request.user).select_related("period").first()
    if run is None:
        raise NotFound(_("计算任务不存在"))
    return render(request, "appraisal/partials/_run_status.html", {"run": run})


@require_GET
@domain_errors
def period_detail(request: HttpRequest, label: str) -> HttpResponse:
    period = selectors.period_get(user=request.user, label=label)
    rows = (
        selectors.appraisal_visible(request.user)
        .filter(period=period)
        .select_related("scorecard", "site", "department", "interview")
        .order_by("site_id", "scorecard__name", "subject_name")
    )
    run = None
    if request.GET.get("run"):
        run = AppraisalRun.objects.filter(pk=request.GET["run"], requested_by=request.user).first()
    scope = scope_for(request.user)
    has_partners = period.status == PeriodStatus.PUBLISHED and rows.filter(subject_kind="partner").exists()
    sites = selectors.period_sites(user=request.user, period=period)
    filters = {k: request.GET.get(k, "") for k in ("site", "department", "team", "staff", "grade", "band")}
    rows = selectors.appraisals_filtered(rows, filters)
    if any(filters.values()):  # a drill-down (report block, cockpit): rank order
        rows = rows.annotate(
            rank=Window(
                Rank(), partition_by=[F("scorecard_id")], order_by=F("final_score").desc(nulls_last=True)
            )
        ).order_by("site_id", "scorecard__name", "rank", "subject_name")
    return render(
        request,
        "appraisal/period_detail.html",
        {
            "period": period,
            "rows": rows[:2000],
            "run": run,
            "sites": sites,
            "filters": filters,
            "ranked": any(filters.values()),
            "can_run": scope.can("appraisal.change_appraisal") and period.status != PeriodStatus.PUBLISHED,
            "can_publish": any(s.can_publish for s in sites),
            "can_grade_partners": has_partners and scope.can("appraisal.change_partner"),
        },
    )


@require_POST
@domain_errors
def period_publish(request: HttpRequest, label: str) -> HttpResponse:
    period = selectors.period_get(user=request.user, label=label)
    attempt(
        request,
        _("%(p)s 考核结果已发布并冻结") % {"p": period.label},
        lambda: services.period_publish(
            actor=request.user,
            period=period,
            site_ids=[int(x) for x in request.POST.getlist("sites") if x.isdigit()] or None,
        ),
    )
    return redirect(request, reverse("appraisal:period_detail", args=[period.label]))


@require_POST
@domain_errors
def period_partner_grades(request: HttpRequest, label: str) -> HttpResponse:
    """Set partners' current grade from this published period's partner appraisals (own sites)."""
    period = selectors.period_get(user=request.user, label=label)
    scope = scope_for(request.user)
    site_ids = set(
        selectors.appraisal_visible(request.user)
        .filter(period=period, subject_kind="partner")
        .values_list("site_id", flat=True)
    )
    changed = {"n": 0}

    def go():
        for site_id in sorted(site_ids):
            if scope.writes_site(site_id):
                changed["n"] += services.partner_grade_from_appraisals(
                    actor=request.user, period_label=period.label, site_id=site_id
                )

    if attempt(request, "", go):
        messages.success(request, _("已按评定结果更新 %(n)s 家合作机构的等级") % {"n": changed["n"]})
    return redirect(request, reverse("appraisal:period_detail", args=[period.label]))


APPRAISAL_COLUMNS = [
    Column(_("周期")),
    Column(_("院区")),
    Column(_("部门")),
    Column(_("对象")),
    Column(_("考核方案")),
    Column(_("加权得分"), "number"),
    Column(_("最终得分"), "number"),
    Column(_("等级")),
    Column(_("绩效系数"), "number"),
]


@require_GET
@domain_errors
def period_export(request: HttpRequest, label: str) -> HttpResponse:
    """The period's appraisals the user may see, for payroll."""
    period = selectors.period_get(user=request.user, label=label)
    rows = (
        selectors.appraisal_visible(request.user)
        .filter(period=period)
        .select_related("site", "department", "scorecard")
        .order_by("site_id", "subject_name")
    )
    data = (
        [
            period.label,
            a.site.name,
            a.department.name if a.department else "",
            a.subject_name,
            str(a.scorecard),
            a.weighted_score,
            a.final_score,
            a.grade,
            a.coefficient,
        ]
        for a in rows.iterator()
    )
    return xlsx_response(f"appraisal-{period.label}.xlsx", columns=APPRAISAL_COLUMNS, rows=data)


@require_GET
@domain_errors
def statement(request: HttpRequest, appraisal_id: int) -> HttpResponse:
    """The statement: each item with its data and drill-down, score, weight, rules fired, grade."""
    appraisal = selectors.appraisal_get(user=request.user, appraisal_id=appraisal_id)
    scope = scope_for(request.user)
    lines = selectors.statement(user=request.user, appraisal=appraisal)
    manage = selectors.can_manage(request.user, appraisal)
    interview = Interview.objects.filter(appraisal=appraisal).first()
    complaints = []
    published = services.is_published(appraisal)
    if manage and not published:
        from opscenter.commitments.models import Complaint

        complaints = list(
            Complaint.objects.filter(
                site_id=appraisal.site_id,
                received_at__date__gte=appraisal.period.start,
                received_at__date__lte=appraisal.period.end,
            ).order_by("-received_at")[:100]
        )
    return render(
        request,
        "appraisal/statement.html",
        {
            "a": appraisal,
            "lines": lines,
            "events": appraisal.events.select_related("rule", "complaint").order_by("rule__order", "pk"),
            "rules": appraisal.scorecard.rules.all(),
            "manage": manage,
            "own": scope.staff_id is not None and scope.staff_id == appraisal.staff_id,
            "published": published,
            "interview": interview,
            "complaints": complaints,
            "deduction": RuleKind.DEDUCTION,
            "print": request.GET.get("print") == "1",
            "pay_lines": selectors.payout_lines_visible(request.user)
            .filter(appraisal=appraisal)
            .select_related("payout__plan"),
        },
    )


@require_GET
@domain_errors
def statement_export(request: HttpRequest, appraisal_id: int) -> HttpResponse:
    appraisal = selectors.appraisal_get(user=request.user, appraisal_id=appraisal_id)
    lines = selectors.statement(user=request.user, appraisal=appraisal)
    columns = [
        Column(_("项目")),
        Column(_("类别")),
        Column(_("指标")),
        Column(_("指标值"), "number"),
        Column(_("得分"), "number"),
        Column(_("权重(%)"), "number"),
        Column(_("加权得分"), "number"),
    ]
    rows = [
        [
            ln.row.item.name,
            ln.row.item.get_kind_display(),
            ln.metric_label,
            ln.row.value,
            ln.row.score,
            ln.row.item.weight,
            ln.weighted,
        ]
        for ln in lines
    ]
    rows.append([_("加权得分"), "", "", None, None, None, appraisal.weighted_score])
    for fired in appraisal.explanation.get("rules", []):
        rows.append([fired["rule"], fired["kind"], fired["reason"], None, None, None, None])
    rows.append([_("最终得分"), appraisal.grade, "", None, appraisal.final_score, None, None])
    return xlsx_response(
        f"statement-{appraisal.period.label}-{appraisal.subject_id}.xlsx", columns=columns, rows=rows
    )


def _statement_url(appraisal_id: int) -> str:
    return reverse("appraisal:statement", args=[appraisal_id])


def _item_score(request, item_score_id: int) -> ItemScore:
    row = ItemScore.objects.filter(pk=item_score_id).select_related("appraisal").first()
    if row is None:
        raise NotFound(_("考核项目不存在"))
    # visible through the appraisal scoping, or the named appraiser of the item
    staff_id = scope_for(request.user).staff_id
    if row.item.appraiser_id != staff_id:
        selectors.appraisal_get(user=request.user, appraisal_id=row.appraisal_id)
    return row


@require_POST
@domain_errors
def item_score_enter(request: HttpRequest, item_score_id: int) -> HttpResponse:
    row = _item_score(request, item_score_id)
    attempt(
        request,
        _("已保存“%(item)s”的得分") % {"item": row.item.name},
        lambda: services.item_score_enter(
            actor=request.user,
            item_score=row,
            score=request.POST.get("score"),
            checked=request.POST.getlist("checked"),
            note=request.POST.get("note", ""),
        ),
    )
    back = request.POST.get("next") or _statement_url(row.appraisal_id)
    if not back.startswith("/"):
        back = _statement_url(row.appraisal_id)
    return redirect(request, back)


@require_POST
@domain_errors
def rule_event_add(request: HttpRequest, appraisal_id: int) -> HttpResponse:
    appraisal = selectors.appraisal_get(user=request.user, appraisal_id=appraisal_id)
    rule = appraisal.scorecard.rules.filter(pk=request.POST.get("rule") or 0).first()
    if rule is None:
        messages.error(request, _("请选择规则"))
    else:
        complaint = request.POST.get("complaint") or None
        attempt(
            request,
            _("已登记“%(rule)s”") % {"rule": rule.name},
            lambda: services.rule_event_add(
                actor=request.user,
                appraisal=appraisal,
                rule=rule,
                reason=request.POST.get("reason", ""),
                points=request.POST.get("points") or 0,
                complaint_id=int(complaint) if complaint and complaint.isdigit() else None,
            ),
        )
    return redirect(request, _statement_url(appraisal.pk))


@require_POST
@domain_errors
def appeal_file(request: HttpRequest, item_score_id: int) -> HttpResponse:
    row = _item_score(request, item_score_id)
    selectors.appraisal_get(user=request.user, appraisal_id=row.appraisal_id)
    attempt(
        request,
        _("申诉已提交，等待处理"),
        lambda: services.appeal_file(
            actor=request.user, item_score=row, reason=request.POST.get("reason", "")
        ),
    )
    return redirect(request, _statement_url(row.appraisal_id))


@require_POST
@domain_errors
def appeal_decide(request: HttpRequest, appeal_id: int) -> HttpResponse:
    appeal = Appeal.objects.filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound(_("申诉不存在"))
    selectors.appraisal_get(user=request.user, appraisal_id=appeal.appraisal_id)
    upheld = request.POST.get("upheld") == "1"
    attempt(
        request,
        _("申诉成立，已重新计算") if upheld else _("申诉已驳回"),
        lambda: services.appeal_decide(
            actor=request.user,
            appeal=appeal,
            upheld=upheld,
            decision=request.POST.get("decision", ""),
            new_score=request.POST.get("new_score"),
        ),
    )
    return redirect(request, _statement_url(appeal.appraisal_id))


@require_POST
@domain_errors
def interview_record(request: HttpRequest, appraisal_id: int) -> HttpResponse:
    appraisal = selectors.appraisal_get(user=request.user, appraisal_id=appraisal_id)
    interview = Interview.objects.filter(appraisal=appraisal).first()
    if interview is None:
        raise NotFound(_("没有待面谈记录"))
    try:
        held_on = dt.date.fromisoformat(request.POST.get("held_on", ""))
    except ValueError:
        messages.error(request, _("请填写面谈日期"))
    else:
        attempt(
            request,
            _("面谈已记录"),
            lambda: services.interview_record(
                actor=request.user, interview=interview, held_on=held_on, notes=request.POST.get("notes", "")
            ),
        )
    return redirect(request, _statement_url(appraisal.pk))


@require_GET
@domain_errors
def appraiser_queue(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.appraiser_queue(user=request.user)[:500])
    return render(
        request,
        "appraisal/queue.html",
        {"rows": rows, "checklist": ItemMethod.CHECKLIST, "section": "queue"},
    )
