"""WeChat content reach and channel grading screens."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from opscenter.core.exceptions import DomainError
from opscenter.marketing import selectors, services
from opscenter.marketing.forms import ContentPostForm, GradeRunForm, GradeSchemeForm, add_domain_error
from opscenter.marketing.screens import follower_chart
from opscenter.marketing.selectors.content import content_reach
from opscenter.marketing.views._common import domain_errors, done, page_of, require_view, writable_sites
from opscenter.pipeline.periods import parse_month


@domain_errors
@require_http_methods(["GET", "POST"])
def content_list(request: HttpRequest) -> HttpResponse:
    require_view(request, "marketing.view_contentpost")
    form = ContentPostForm(request.POST or None, sites=writable_sites(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.content_post_record(
                actor=request.user,
                site_id=data["site"].pk,
                title=data["title"],
                published_on=data["published_on"],
                reads=data["reads"],
                shares=data["shares"],
                new_followers=data["new_followers"],
                campaign_code=data["campaign_code"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return done(request, reverse("marketing:content_list"), _("图文已登记"))
    posts = selectors.content_post_list(user=request.user)
    reach = content_reach(user=request.user, posts=posts)
    context = {"form": form, "page": page_of(request, posts), "reach": reach}
    return render(
        request, "marketing/content_list.html", context, status=400 if request.method == "POST" else 200
    )


@domain_errors
@require_GET
def content_data(request: HttpRequest) -> JsonResponse:
    require_view(request, "marketing.view_contentpost")
    reach = content_reach(user=request.user, posts=selectors.content_post_list(user=request.user))
    return JsonResponse(follower_chart(reach.points))


@domain_errors
@require_http_methods(["GET", "POST"])
def grading(request: HttpRequest) -> HttpResponse:
    """Grade scheme (data, versioned), a grading run and the grade history."""
    require_view(request, "marketing.view_channelgrade")
    sites = writable_sites(request.user)
    action = request.POST.get("action", "")
    scheme_form = GradeSchemeForm(request.POST if action == "scheme" else None, sites=sites)
    run_form = GradeRunForm(request.POST if action == "run" else None, sites=sites)
    if action == "scheme" and scheme_form.is_valid():
        try:
            services.grade_scheme_create(
                actor=request.user,
                site_id=scheme_form.cleaned_data["site"].pk,
                thresholds=scheme_form.thresholds(),
                window_months=scheme_form.cleaned_data["window_months"],
                commission_factor_pct=scheme_form.factors(),
            )
        except DomainError as exc:
            add_domain_error(scheme_form, exc)
        else:
            return done(request, reverse("marketing:grading"), _("分级方案已保存为新版本"))
    if action == "run" and run_form.is_valid():
        try:
            graded = services.channels_grade(
                actor=request.user,
                site_id=run_form.cleaned_data["site"].pk,
                month=parse_month(run_form.cleaned_data["month"]),
            )
        except DomainError as exc:
            add_domain_error(run_form, exc)
        else:
            return done(
                request, reverse("marketing:grading"), _("已评级 %(count)s 个渠道") % {"count": len(graded)}
            )
    context = {
        "scheme_form": scheme_form,
        "run_form": run_form,
        "schemes": selectors.grade_scheme_list(user=request.user)[:10],
        "page": page_of(request, selectors.channel_grade_list(user=request.user)),
    }
    return render(request, "marketing/grading.html", context, status=400 if request.method == "POST" else 200)
