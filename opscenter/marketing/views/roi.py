"""ROI, the spend ledger and budget vs actual."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from opscenter.core.exceptions import DomainError, ValidationError
from opscenter.marketing import selectors, services
from opscenter.marketing.choices import AttributionModel
from opscenter.marketing.forms import BudgetForm, CostLineForm, ReverseForm, add_domain_error, yuan_to_fen
from opscenter.marketing.screens import (
    funnel_rows_url,
    month_params,
    roi_chart,
    roi_rows_url,
    spend_rows_url,
)
from opscenter.marketing.views._common import (
    domain_errors,
    done,
    page_of,
    require_view,
    site_channels,
    writable_sites,
)
from opscenter.org.selectors import site_list
from opscenter.pipeline import selectors as pipeline_selectors
from opscenter.pipeline.periods import month_add, month_key, parse_month

TABS = ("campaign", "channel", "month")


def _filters(request):
    return pipeline_selectors.parse_funnel_filters(request.GET)


def _tab(request) -> str:
    tab = request.GET.get("tab", "campaign")
    return tab if tab in TABS else "campaign"


def _table(request, filters, tab):
    """Rows of the chosen tab with their drill-down links."""
    user = request.user
    spend_months = {
        "month_from": filters.as_params()["month_from"],
        "month_to": filters.as_params()["month_to"],
    }
    if tab == "campaign":
        rows = selectors.roi_by_campaign(user=user, filters=filters)
        return [
            {
                "row": r,
                "spend_url": spend_rows_url(campaign=r.campaign.pk, **spend_months),
                "links": {
                    model: {
                        m: roi_rows_url(filters, campaign_id=r.campaign.pk, metric=m, model=model)
                        for m in ("consultations", "visits", "deals")
                    }
                    for model in AttributionModel.values
                },
            }
            for r in rows
        ], None
    if tab == "channel":
        rows, total = selectors.roi_by_channel(user=user, filters=filters)
    else:
        rows, total = selectors.roi_by_month(user=user, filters=filters)
    out = []
    for r in rows:
        if tab == "channel":
            narrow = {"channel": r.key} if r.key else None
            spend_url = (
                spend_rows_url(channel=r.key, **spend_months)
                if r.key
                else spend_rows_url(no_channel=1, **spend_months)
            )
        else:
            narrow = month_params(filters, r.key)
            spend_url = spend_rows_url(**narrow)
        links = (
            {m: funnel_rows_url(filters, metric=m, **narrow) for m in ("consultations", "visits", "deals")}
            if narrow is not None
            else {}
        )
        out.append({"row": r, "spend_url": spend_url, "links": links})
    return out, total


@domain_errors
@require_GET
def roi(request: HttpRequest) -> HttpResponse:
    require_view(request, "marketing.view_costline")
    tab = _tab(request)
    try:
        filters = _filters(request)
    except ValidationError as exc:
        filters, error = pipeline_selectors.parse_funnel_filters({}), exc.message
    else:
        error = None
    rows, total = _table(request, filters, tab)
    query = request.GET.copy()
    query.pop("tab", None)
    context = {
        "tab": tab,
        "filters": filters,
        "rows": rows,
        "total": total,
        "error": error,
        "query": query.urlencode(),
        "sites": site_list(user=request.user),
        "month_from": filters.as_params()["month_from"],
        "month_to": filters.as_params()["month_to"],
    }
    return render(request, "marketing/roi.html", context)


@domain_errors
@require_GET
def roi_data(request: HttpRequest) -> JsonResponse:
    require_view(request, "marketing.view_costline")
    tab = _tab(request)
    filters = _filters(request)
    if tab == "campaign":
        rows = [r.first for r in selectors.roi_by_campaign(user=request.user, filters=filters)]
        title = _("各活动费用与成交(首次触达)")
    elif tab == "channel":
        rows, _total = selectors.roi_by_channel(user=request.user, filters=filters)
        title = _("各渠道费用与成交")
    else:
        rows, _total = selectors.roi_by_month(user=request.user, filters=filters)
        title = _("每月费用与成交")
    return JsonResponse(roi_chart(rows, title))


@domain_errors
@require_GET
def roi_rows(request: HttpRequest) -> HttpResponse:
    """The events behind a campaign's number under one attribution model."""
    require_view(request, "marketing.view_touch")
    filters = _filters(request)
    raw = request.GET.get("campaign", "")
    campaign = selectors.campaign_get(user=request.user, campaign_id=int(raw) if raw.isdigit() else 0)
    metric = request.GET.get("metric", "deals")
    model = request.GET.get("model", AttributionModel.FIRST_TOUCH)
    rows = (
        selectors.attributed(user=request.user, filters=filters, metric=metric, model=model)
        .filter(campaign_credit=campaign.pk)
        .select_related("customer", "owner")
        .order_by(filters.month_field, "pk")
    )
    labels = {"consultations": _("咨询"), "visits": _("上门"), "deals": _("成交")}
    context = {
        "campaign": campaign,
        "metric": metric,
        "metric_label": labels.get(metric, metric),
        "model_label": AttributionModel(model).label,
        "filters": filters,
        "page": page_of(request, rows),
    }
    return render(request, "marketing/roi_rows.html", context)


def _month_arg(request, name: str):
    raw = request.GET.get(name)
    return parse_month(raw, name) if raw else None


@domain_errors
@require_http_methods(["GET", "POST"])
def cost_line_list(request: HttpRequest) -> HttpResponse:
    """The ledger (filtered: campaign, channel, months) with its total and the entry form."""
    require_view(request, "marketing.view_costline")
    sites = writable_sites(request.user)
    form = CostLineForm(
        request.POST or None,
        sites=sites,
        campaigns=selectors.campaign_list(user=request.user).order_by("-starts_on"),
        channels=site_channels(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.cost_line_record(
                actor=request.user,
                site_id=data["site"].pk,
                campaign_id=data["campaign"].pk if data["campaign"] else None,
                channel_id=data["channel"].pk if data["channel"] else None,
                item=data["item"],
                quantity=data["quantity"],
                unit_price_fen=yuan_to_fen(data["unit_price"]),
                supplier=data["supplier"],
                invoice_no=data["invoice_no"],
                spent_on=data["spent_on"],
                note=data["note"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return done(request, reverse("marketing:cost_line_list"), _("费用已登记"))
    try:
        lines = selectors.cost_line_list(
            user=request.user,
            campaign_id=int(request.GET.get("campaign") or 0) or None,
            channel_id=int(request.GET.get("channel") or 0) or None,
            unassigned_channel=bool(request.GET.get("no_channel")),
            month_from=_month_arg(request, "month_from"),
            month_to=_month_arg(request, "month_to"),
        )
    except (ValueError, DomainError):
        lines = selectors.cost_line_list(user=request.user).none()
    context = {
        "form": form,
        "page": page_of(request, lines),
        "total_fen": selectors.cost_total(lines),
        "filtered": any(
            request.GET.get(k) for k in ("campaign", "channel", "month_from", "month_to", "no_channel")
        ),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "marketing/cost_line_list.html", context, status=status)


@domain_errors
@require_POST
def cost_line_reverse(request: HttpRequest, cost_line_id: int) -> HttpResponse:
    form = ReverseForm(request.POST)
    url = reverse("marketing:cost_line_list")
    if form.is_valid():
        services.cost_line_reverse(
            actor=request.user, cost_line_id=cost_line_id, reason=form.cleaned_data["reason"]
        )
        return done(request, url, _("费用已冲销"))
    return done(request, url, _("请填写冲销原因"))


@domain_errors
@require_http_methods(["GET", "POST"])
def budget(request: HttpRequest) -> HttpResponse:
    """Budget vs actual per month and channel, share of spend in revenue, and the budget form."""
    require_view(request, "marketing.view_budget")
    sites = writable_sites(request.user)
    form = BudgetForm(request.POST or None, sites=sites, channels=site_channels(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.budget_set(
                actor=request.user,
                site_id=data["site"].pk,
                channel_id=data["channel"].pk,
                month=data["month"],
                amount_fen=yuan_to_fen(data["amount"]),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return done(request, reverse("marketing:budget"), _("预算已保存"))
    current = month_key(timezone.localdate())
    try:
        last = _month_arg(request, "month_to") or current
        first = _month_arg(request, "month_from") or month_add(last, -5)
    except ValidationError:
        first, last = month_add(current, -5), current
    raw_site = request.GET.get("site", "")
    site_id = int(raw_site) if raw_site.isdigit() else None
    table = selectors.budget_vs_actual(user=request.user, site_id=site_id, month_from=first, month_to=last)
    context = {"form": form, "table": table, "sites": site_list(user=request.user), "site_id": site_id}
    return render(request, "marketing/budget.html", context, status=400 if request.method == "POST" else 200)
