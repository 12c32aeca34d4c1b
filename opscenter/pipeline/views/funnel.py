"""The funnel dashboard: the period's numbers, the ECharts data, and the rows behind any number."""

from __future__ import annotations

import contextlib
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from opscenter.core.exceptions import ValidationError
from opscenter.core.htmx import is_partial
from opscenter.org.selectors import scope_for
from opscenter.pipeline import screens, selectors
from opscenter.pipeline.choices import FunnelView
from opscenter.pipeline.constants import DRILL_PAGE_SIZE
from opscenter.pipeline.screens.queues import sees_many_sites
from opscenter.pipeline.views.exports import drill_rows_response, wants_xlsx


def _funnel_filters(request: HttpRequest):
    """Filters from the query string; bad input falls back to the default period with a message."""
    try:
        return selectors.parse_funnel_filters(request.GET), None
    except ValidationError as exc:
        return selectors.parse_funnel_filters({}), exc.message


@require_GET
def funnel(request: HttpRequest) -> HttpResponse:
    filters, error = _funnel_filters(request)
    result = selectors.funnel(user=request.user, filters=filters)
    header, month_rows = screens.funnel_month_table(result)
    params = filters.as_params()
    context = {
        "filters": filters,
        "filter_error": error,
        "choices": screens.funnel_filter_choices(user=request.user),
        "views": FunnelView.choices,
        "month_from": params["month_from"],
        "month_to": params["month_to"],
        "sections": screens.funnel_sections(result),
        "month_header": header,
        "month_rows": month_rows,
        "share_tables": screens.share_tables(user=request.user, filters=filters),
        "chart_query": urlencode(params),
        "periods": screens.period_shortcuts(filters, timezone.localdate()),
        "scope": scope_for(request.user),
    }
    if is_partial(request):
        return render(request, "pipeline/partials/_funnel_body.html", context)
    return render(request, "pipeline/funnel.html", context)


@require_GET
def funnel_data(request: HttpRequest) -> JsonResponse:
    """ECharts options: `chart=funnel` (the stages of the period) or `chart=trend` (by month)."""
    filters, _error = _funnel_filters(request)
    result = selectors.funnel(user=request.user, filters=filters)
    if request.GET.get("chart") == "trend":
        return JsonResponse(screens.funnel_trend_option(result))
    return JsonResponse(screens.funnel_chart_option(result))


def _dates(params) -> dict:
    """`date_from` / `date_to` of a day or week drill-down from the metric registry (a malformed
    value is ignored: the month's rows)."""
    import datetime as dt

    out = {}
    for name in ("date_from", "date_to"):
        with contextlib.suppress(ValueError):
            out[name] = dt.date.fromisoformat(params.get(name, ""))
    return out


@require_GET
def funnel_rows(request: HttpRequest) -> HttpResponse:
    """Exactly the rows behind one number of the funnel page (a funnel cell or a share line);
    `?format=xlsx` downloads all of them (not only the page)."""
    try:
        filters = selectors.parse_funnel_filters(request.GET)
        table = request.GET.get("table")
        if table:
            rows = selectors.share_rows(
                user=request.user,
                table=table,
                key=request.GET.get("key", ""),
                site_id=filters.site_id,
                month_from=filters.month_from,
                month_to=filters.month_to,
            )
            title = selectors.TABLES.get(table, table)
            line = request.GET.get("key", "")
            kind = "exit" if table == "exit_reason" else "customer"
            metric = ""
        else:
            metric = request.GET.get("metric", "")
            rows = selectors.funnel_rows(
                user=request.user, metric=metric, filters=filters, **_dates(request.GET)
            )
            title = selectors.metric_label(metric)
            line = ""
            kind = rows.model._meta.model_name
    except ValidationError as exc:
        raise Http404(exc.message) from exc
    if wants_xlsx(request):
        return drill_rows_response(title, kind, rows)
    # Rows of several sites (an executive's unfiltered funnel) say which site each one is.
    show_site = filters.site_id is None and sees_many_sites(request.user)
    if show_site:
        rows = rows.select_related("site")
    page = Paginator(rows, DRILL_PAGE_SIZE).get_page(request.GET.get("page"))
    screens.label_drill_rows(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    funnel_params = filters.as_params()
    context = {
        "page": page,
        "show_site": show_site,
        "kind": kind,
        "title": title,
        "line": line,
        "line_label": screens.share_line_label(table, line) if table else "",
        "metric": metric,
        "rate_note": screens.rate_note(metric),
        "filters": filters,
        "query": query.urlencode(),
        "back_url": f"{reverse('pipeline:funnel')}?{urlencode(funnel_params)}",
        "month_from": funnel_params["month_from"],
        "month_to": funnel_params["month_to"],
    }
    return render(request, "pipeline/funnel_rows.html", context)
