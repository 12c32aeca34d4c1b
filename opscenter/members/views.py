"""Member screens: members by tier, a member's tier with its explanation and history, the rule
editor with what-if preview and activation, care tasks and completion, disputes."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opscenter.core.exceptions import ValidationError
from opscenter.members import selectors, services
from opscenter.members.choices import CareTaskStatus, RuleSetStatus
from opscenter.members.constants import EXAMPLES
from opscenter.members.forms import (
    EDITOR_CHOICES,
    CareTaskCloseForm,
    DisputeOpenForm,
    DisputeSettleForm,
    MemberFilterForm,
    blank_criterion,
    definition_from_post,
    editor_rows,
    today,
)
from opscenter.members.rules import RuleSetError, tier_labels
from opscenter.org.models import Site
from opscenter.org.selectors import scope_for
from opscenter.pipeline import selectors as pipeline_selectors
from opscenter.pipeline import services as pipeline_services
from opscenter.pipeline.views._common import domain_errors

PAGE_SIZE = 50


def _labels(user) -> dict[str, str]:
    scope = scope_for(user)
    labels: dict[str, str] = {}
    for rule_set in scope.filter_sites(selectors.TierRuleSet.objects.filter(status=RuleSetStatus.ACTIVE)):
        labels.update(tier_labels(rule_set.definition))
    return labels


@login_required
def member_list(request: HttpRequest) -> HttpResponse:
    labels = _labels(request.user)
    form = MemberFilterForm(request.GET or None, tiers=list(labels.items()))
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.member_list(user=request.user, tier=data.get("tier") or None, search=data.get("q") or "")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.tier_counts(user=request.user)
    return render(
        request,
        "members/member_list.html",
        {"form": form, "page": page, "labels": labels, "counts": counts, "section": "members"},
    )


@login_required
@domain_errors
def member_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.member_get(user=request.user, customer_id=customer_id)
    rule_set = selectors.active_rule_set(site_id=customer.site_id)
    explained = selectors.explain(customer_id=customer.pk, rule_set=rule_set) if rule_set else None
    scope = scope_for(request.user)
    current = selectors.tier_of(customer_id=customer.pk)
    return render(
        request,
        "members/member_detail.html",
        {
            "customer": customer,
            "current": current,
            "benefits": selectors.tier_benefits(rule_set=rule_set, tier=current.tier if current else None),
            "rule_set": rule_set,
            "explained": explained,
            "labels": tier_labels(rule_set.definition) if rule_set else {},
            "history": selectors.tier_history(user=request.user, customer_id=customer.pk)[:50],
            "disputes": pipeline_selectors.dispute_list(user=request.user, customer_id=customer.pk),
            "open_form": DisputeOpenForm(),
            "settle_form": DisputeSettleForm(),
            "can_dispute": scope.can("pipeline.add_dispute") and scope.writes_site(customer.site_id),
            "section": "members",
        },
    )


@login_required
@require_POST
@domain_errors
def dispute_open(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.member_get(user=request.user, customer_id=customer_id)
    form = DisputeOpenForm(request.POST)
    if form.is_valid():
        try:
            pipeline_services.dispute_open(actor=request.user, customer_id=customer.pk, **form.cleaned_data)
            messages.success(request, _("纠纷已登记，会员等级已更新"))
        except ValidationError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("请填写纠纷的日期、类别和描述"))
    return redirect("members:member_detail", customer_id=customer.pk)


@login_required
@require_POST
@domain_errors
def dispute_settle(request: HttpRequest, dispute_id: int) -> HttpResponse:
    dispute = pipeline_selectors.dispute_get(user=request.user, dispute_id=dispute_id)
    form = DisputeSettleForm(request.POST)
    if form.is_valid():
        try:
            pipeline_services.dispute_settle(actor=request.user, dispute_id=dispute.pk, **form.cleaned_data)
            messages.success(request, _("纠纷已解决，会员等级已更新"))
        except ValidationError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("请填写解决日期和处理结果"))
    return redirect("members:member_detail", customer_id=dispute.customer_id)


@login_required
def dispute_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    qs = pipeline_selectors.dispute_list(user=request.user, status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "members/dispute_list.html", {"page": page, "status": status, "section": "disputes"}
    )


@login_required
def ruleset_list(request: HttpRequest) -> HttpResponse:
    scope = scope_for(request.user)
    sites = (
        Site.objects.filter(pk__in=scope.site_ids).order_by("name")
        if not scope.is_superuser
        else Site.objects.order_by("name")
    )
    return render(
        request,
        "members/ruleset_list.html",
        {
            "rule_sets": selectors.rule_set_list(user=request.user),
            "examples": list(EXAMPLES),
            "sites": sites,
            "can_edit": scope.can("members.add_tierruleset"),
            "section": "rules",
        },
    )


@login_required
@require_POST
@domain_errors
def ruleset_new(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("example", "")
    if name not in EXAMPLES:
        messages.error(request, _("请选择示例规则"))
        return redirect("members:ruleset_list")
    try:
        rule_set = services.tier_rules_create(
            actor=request.user,
            site_id=int(request.POST.get("site_id") or 0),
            name=name,
            definition=EXAMPLES[name],
        )
    except ValidationError as exc:
        messages.error(request, exc.message)
        return redirect("members:ruleset_list")
    return redirect("members:ruleset_edit", rule_set_id=rule_set.pk)


@login_required
@domain_errors
def ruleset_edit(request: HttpRequest, rule_set_id: int) -> HttpResponse:
    """Edit a version; saving always creates the next version (a draft), then shows its preview."""
    rule_set = selectors.rule_set_get(user=request.user, rule_set_id=rule_set_id)
    definition, errors = rule_set.definition, []
    if request.method == "POST":
        definition = definition_from_post(request.POST, rule_set.definition)
        action = request.POST.get("action", "save")
        if action == "add-criterion":
            definition["criteria"].append(blank_criterion(len(definition["criteria"]) + 1))
        elif action.startswith("add-condition-"):
            index = int(action.rsplit("-", 1)[1])
            definition["criteria"][index]["conditions"].append(blank_criterion(0)["conditions"][0])
        elif action == "add-level":
            definition["levels"].append({"tier": "", "match": "all", "criteria": [], "priority": None})
        else:
            try:
                new = services.tier_rules_create(
                    actor=request.user,
                    site_id=rule_set.site_id,
                    name=rule_set.name,
                    definition=definition,
                    based_on_id=rule_set.pk,
                    note=request.POST.get("note", ""),
                )
            except RuleSetError as exc:
                errors = exc.errors
            except ValidationError as exc:
                errors = [exc.message]
            else:
                messages.success(
                    request, _("已保存为新版本 v%(version)s（草稿），请预览后生效") % {"version": new.version}
                )
                return redirect("members:ruleset_preview", rule_set_id=new.pk)
    return render(
        request,
        "members/ruleset_edit.html",
        {
            "rule_set": rule_set,
            "rows": editor_rows(definition),
            "errors": errors,
            "choices": EDITOR_CHOICES,
            "section": "rules",
        },
    )


@login_required
@domain_errors
def ruleset_preview(request: HttpRequest, rule_set_id: int) -> HttpResponse:
    preview = selectors.tier_preview(user=request.user, rule_set_id=rule_set_id)
    return render(
        request,
        "members/ruleset_preview.html",
        {"preview": preview, "rule_set": preview.rule_set, "section": "rules"},
    )


@login_required
@require_POST
@domain_errors
def ruleset_activate(request: HttpRequest, rule_set_id: int) -> HttpResponse:
    rule_set = selectors.rule_set_get(user=request.user, rule_set_id=rule_set_id)
    try:
        run = services.tier_rules_activate(actor=request.user, rule_set_id=rule_set.pk)
    except ValidationError as exc:
        messages.error(request, exc.message)
        return redirect("members:ruleset_preview", rule_set_id=rule_set.pk)
    messages.success(
        request,
        _("%(rule_set)s 已生效：评定会员 %(members)s 人，等级变动 %(changes)s 人")
        % {"rule_set": rule_set, "members": run.members, "changes": run.changes},
    )
    return redirect("members:member_list")


@login_required
def caretask_list(request: HttpRequest) -> HttpResponse:
    """My care tasks (a consultant's own; managers see their sites'), open ones due within 30 days."""
    horizon = today() + dt.timedelta(days=30)
    status = request.GET.get("status") or CareTaskStatus.OPEN
    qs = selectors.care_task_list(
        user=request.user, status=status, due_by=horizon if status == CareTaskStatus.OPEN else None
    )
    scope = scope_for(request.user)
    if not scope.own_only and request.GET.get("mine") and scope.staff_id:
        qs = qs.filter(assignee_id=scope.staff_id)
    # The drill-down of `members.care_tasks_done`: done tasks of a site on the dates from … to.
    site_id, date_from, date_to = _drill_filters(request)
    if site_id is not None:
        qs = qs.filter(site_id=site_id)
    if status == CareTaskStatus.DONE and (date_from or date_to):
        qs = selectors.done_between(qs, date_from, date_to)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    form = CareTaskCloseForm()
    return render(
        request,
        "members/caretask_list.html",
        {
            "page": page,
            "status": status,
            "form": form,
            # Translated once for the page, not once per row's close form.
            "close_options": [(value, str(label)) for value, label in form.fields["status"].choices],
            "today": today(),
            "section": "care",
            "date_from": date_from,
            "date_to": date_to,
        },
    )


def _drill_filters(request: HttpRequest) -> tuple[int | None, dt.date | None, dt.date | None]:
    """`site`, `from`, `to` of a metric drill-down; a malformed value is ignored (the full list)."""

    def date(name: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(request.GET.get(name, ""))
        except ValueError:
            return None

    site = request.GET.get("site", "")
    return (int(site) if site.isdigit() else None), date("from"), date("to")


@login_required
def tier_upgrade_list(request: HttpRequest) -> HttpResponse:
    """Member upgrades of the user's sites by evaluation date: the rows behind `members.tier_upgrades`."""
    site_id, date_from, date_to = _drill_filters(request)
    qs = selectors.tier_upgrade_list(user=request.user, site_id=site_id, date_from=date_from, date_to=date_to)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "members/tier_upgrade_list.html",
        {"page": page, "date_from": date_from, "date_to": date_to, "section": "members"},
    )


@login_required
@require_POST
@domain_errors
def caretask_close(request: HttpRequest, task_id: int) -> HttpResponse:
    form = CareTaskCloseForm(request.POST)
    if form.is_valid():
        try:
            services.care_task_close(actor=request.user, task_id=task_id, **form.cleaned_data)
            messages.success(request, _("关怀任务已处理"))
        except ValidationError as exc:
            messages.error(request, exc.message)
    return redirect(reverse("members:caretask_list"))


@login_required
def care_completion(request: HttpRequest) -> HttpResponse:
    rows = selectors.care_completion(user=request.user)
    return render(
        request, "members/care_completion.html", {"rows": rows, "today": today(), "section": "completion"}
    )
