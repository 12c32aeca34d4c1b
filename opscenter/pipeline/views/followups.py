"""Follow-ups (回访): schedule one on a customer, record its outcome, the list due today, and the
follow-ups behind a completion number (targets' 回访完成量)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from opscenter.core.exceptions import ValidationError
from opscenter.org.selectors import scope_for
from opscenter.pipeline import screens, selectors, services
from opscenter.pipeline.constants import DRILL_PAGE_SIZE
from opscenter.pipeline.forms import FollowUpCompleteForm, FollowUpScheduleForm
from opscenter.pipeline.screens.queues import sees_many_sites
from opscenter.pipeline.views._common import domain_errors, entry
from opscenter.pipeline.views.exports import followup_rows_response, followups_due_response, wants_xlsx


@domain_errors
def followup_schedule(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    form = FollowUpScheduleForm(request.POST or None)

    def save(data):
        services.followup_schedule(
            actor=request.user,
            customer_id=customer.pk,
            scheduled_on=data["scheduled_on"],
            channel=data["channel"],
            note=data.get("note") or "",
        )

    return entry(
        request,
        customer,
        form,
        save,
        name="followup_schedule",
        pk=customer.pk,
        title=_("安排回访"),
        submit=_("保存回访计划"),
        success=_("回访已安排"),
    )


@domain_errors
def followup_complete(request: HttpRequest, followup_id: int) -> HttpResponse:
    """Record the outcome; opened from the due list (`?next=due`) it returns there."""
    followup = selectors.followup_get(user=request.user, followup_id=followup_id)
    customer = selectors.customer_get(user=request.user, customer_id=followup.customer_id)
    form = FollowUpCompleteForm(request.POST or None, initial={"note": followup.note})
    from_due = request.GET.get("next") == "due"

    def save(data):
        services.followup_complete(
            actor=request.user,
            followup_id=followup.pk,
            done_on=data["done_on"],
            outcome=data["outcome"],
            satisfaction=data.get("satisfaction"),
            note=data.get("note") or "",
        )

    return entry(
        request,
        customer,
        form,
        save,
        name="followup_complete",
        pk=followup.pk,
        title=_("完成回访"),
        submit=_("保存回访结果"),
        success=_("回访已完成"),
        query="?next=due" if from_due else "",
        next_url=reverse("pipeline:followups_due") if from_due else None,
    )


@require_GET
def followups_due(request: HttpRequest) -> HttpResponse:
    """Open follow-ups due today or overdue, per consultant (a consultant sees their own);
    `?format=xlsx` downloads the same rows."""
    today = timezone.localdate()
    if wants_xlsx(request):
        rows = selectors.followup_list(user=request.user, due_by=today, done=False)
        return followups_due_response(
            rows.order_by("staff__name", "staff_id", "scheduled_on", "pk"), today=today
        )
    groups = screens.followups_due(user=request.user, today=today)
    context = {
        "groups": groups,
        "today": today,
        "overdue_total": sum(len(g.overdue) for g in groups),
        "today_total": sum(len(g.today) for g in groups),
    }
    return render(request, "pipeline/followups_due.html", context)


@require_GET
@domain_errors
def followup_rows(request: HttpRequest) -> HttpResponse:
    """The follow-ups behind a completion number: `metric` followups_done (default) or
    followups_scheduled, with the funnel's filter parameters (`parse_funnel_filters`); the page
    also shows done ÷ scheduled for the same filters. `?format=xlsx` downloads every row."""
    scope_for(request.user).require("pipeline.view_followup")
    metric = request.GET.get("metric") or "followups_done"
    try:
        filters = selectors.parse_funnel_filters(request.GET)
        rows = selectors.followup_rows(user=request.user, filters=filters, metric=metric)
    except ValidationError as exc:
        raise Http404(exc.message) from exc
    title = selectors.followup_metric_label(metric)
    if wants_xlsx(request):
        return followup_rows_response(title, rows)
    months = selectors.followup_counts(user=request.user, filters=filters)
    done = sum(m["followups_done"] for m in months.values())
    scheduled = sum(m["followups_scheduled"] for m in months.values())
    show_site = filters.site_id is None and sees_many_sites(request.user)
    if show_site:
        rows = rows.select_related("site")
    page = Paginator(rows, DRILL_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    params = filters.as_params()
    base = reverse("pipeline:followup_rows")
    context = {
        "page": page,
        "show_site": show_site,
        "title": title,
        "metric": metric,
        "filters": filters,
        "query": query.urlencode(),
        "month_from": params["month_from"],
        "month_to": params["month_to"],
        "done": done,
        "scheduled": scheduled,
        "rate": f"{done / scheduled * 100:.1f}%" if scheduled else "—",
        "done_url": f"{base}?{urlencode({**params, 'metric': 'followups_done'})}",
        "scheduled_url": f"{base}?{urlencode({**params, 'metric': 'followups_scheduled'})}",
    }
    return render(request, "pipeline/followup_rows.html", context)
