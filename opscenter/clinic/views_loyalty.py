"""Clinic screens for gift orders (赠送开单), points redemption outside a quote and the points rules
(积分规则): thin views — scoped fetch → form → service → redirect. Permissions are the services'."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opscenter.clinic import selectors, services
from opscenter.clinic.forms import (
    GiftLineFormSet,
    GiftOrderForm,
    PointsGrantForm,
    PointsRedeemForm,
    PointsRuleForm,
)
from opscenter.clinic.views import _int, _site, customer_post
from opscenter.core.exceptions import DomainError
from opscenter.org.selectors import scope_for
from opscenter.pipeline import selectors as pipeline
from opscenter.pipeline.forms import add_domain_error
from opscenter.pipeline.views._common import domain_errors


@domain_errors
def gift_list(request: HttpRequest) -> HttpResponse:
    """A site's gift orders, newest first, with their approver and cost (counted apart from revenue)."""
    site, sites = _site(request)
    if site is None:
        raise Http404(_("没有可访问的院区"))
    gifts = selectors.gift_list(user=request.user, site_id=site.pk).prefetch_related("transactions")
    page = Paginator(gifts, 50).get_page(request.GET.get("page"))
    return render(request, "clinic/gift_list.html", {"site": site, "sites": sites, "page": page})


@domain_errors
def gift_detail(request: HttpRequest, pk: int) -> HttpResponse:
    gift = selectors.gift_get(user=request.user, gift_id=pk)
    return render(request, "clinic/gift_detail.html", {"gift": gift})


@domain_errors
def gift_create(request: HttpRequest) -> HttpResponse:
    """赠送开单 for a customer: reason, approver (a department manager of the site), lines at cost."""
    customer = pipeline.customer_get(user=request.user, customer_id=_int(request.GET.get("customer")))
    centers = selectors.site_centers(site_id=customer.site_id)
    header = GiftOrderForm(
        request.POST or None, initial={"customer": customer.pk},
        approvers=selectors.gift_approvers(site_id=customer.site_id),
        disputes=pipeline.dispute_list(user=request.user, customer_id=customer.pk),
    )  # fmt: skip
    lines = GiftLineFormSet(request.POST or None, centers=centers, staff=None, prefix="line")
    if request.method == "POST" and header.is_valid() and lines.is_valid():
        d = header.cleaned_data
        try:
            gift = services.gift_order_create(
                actor=request.user, customer_id=customer.pk, reason=d["reason"],
                benefit_choice=d.get("benefit_choice") or "", approver_id=d["approver"].pk if d.get("approver") else None,
                given_on=d["given_on"], dispute_id=d["dispute"].pk if d.get("dispute") else None, note=d["note"] or "",
                lines=[f.as_input() for f in lines.forms if f.has_changed() and f.cleaned_data],
            )  # fmt: skip
        except DomainError as exc:
            add_domain_error(header, exc)
        else:
            messages.success(request, _("赠送单已开具"))
            return redirect("clinic:gift_detail", pk=gift.pk)
    return render(
        request, "clinic/gift_create.html", {"customer": customer, "header": header, "lines": lines}
    )


@require_POST
@domain_errors
def points_redeem(request: HttpRequest, customer_id: int) -> HttpResponse:
    """积分抵扣 on one of the customer's orders (outside a quote)."""
    customer = pipeline.customer_get(user=request.user, customer_id=customer_id)
    deals = selectors.redeemable_deals(user=request.user, customer_id=customer.pk)

    def run(d):
        entry = services.points_redeem(
            actor=request.user,
            customer_id=customer.pk,
            points=d["points"],
            deal_id=d["deal"],
            on=d["redeemed_on"],
        )
        return _("已抵扣 %(points)s 积分（¥%(yuan).2f）") % {
            "points": -entry.points,
            "yuan": entry.value_fen / 100,
        }

    form = PointsRedeemForm(request.POST, deals=deals)
    return customer_post(request, customer, form, run=run, invalid=_("请选择订单并填写抵扣积分"))


@require_POST
@domain_errors
def points_grant(request: HttpRequest, customer_id: int) -> HttpResponse:
    """赠送积分 (e.g. the B-tier benefit choice)."""
    customer = pipeline.customer_get(user=request.user, customer_id=customer_id)

    def run(d):
        services.points_grant(
            actor=request.user, customer_id=customer.pk, points=d["points"], note=d["note"] or ""
        )
        return _("已赠送 %(points)s 积分") % {"points": d["points"]}

    return customer_post(
        request, customer, PointsGrantForm(request.POST), run=run, invalid=_("请填写赠送积分")
    )


@domain_errors
def points_rules(request: HttpRequest) -> HttpResponse:
    """A site's points rules: the version in force per tier with a form for the next version, and
    every earlier version. Saving checks the version the editor saw (two editors: one wins)."""
    site, sites = _site(request)
    if site is None:
        raise Http404(_("没有可访问的院区"))
    scope = scope_for(request.user)
    can_edit = (
        scope.can("clinic.change_pointsrule")
        and scope.can("members.change_tierruleset")
        and not scope.own_only
        and scope.writes_site(site.pk)
    )  # fmt: skip  (the service checks the same)
    posted = PointsRuleForm(request.POST) if request.method == "POST" else None
    if posted is not None and posted.is_valid():
        d = posted.cleaned_data
        try:
            rule = services.points_rule_save(
                actor=request.user, site_id=site.pk, tier=d["tier"] or "", expected_version=d["expected_version"],
                points_per_yuan=d["points_per_yuan"], fen_per_point=d["fen_per_point"],
                expiry_months=d["expiry_months"], valid_from=d["valid_from"], note=d["note"] or "",
            )  # fmt: skip
        except DomainError as exc:
            add_domain_error(posted, exc)
        else:
            messages.success(request, _("积分规则已保存为第 %(version)s 版") % {"version": rule.version})
            return redirect(f"{request.path}?site={site.pk}")
    rows = []
    for row in selectors.points_rule_current(user=request.user, site_id=site.pk):
        rule = row["rule"]
        if posted is not None and (posted.data.get("tier") or "") == row["tier"]:
            form = posted
        else:
            initial = {"tier": row["tier"], "expected_version": rule.version if rule else 0}
            if rule is not None:
                initial.update(points_per_yuan=rule.points_per_yuan, fen_per_point=rule.fen_per_point,
                               expiry_months=rule.expiry_months)  # fmt: skip
            else:
                initial.update(points_per_yuan=1, fen_per_point=1, expiry_months=12)
            form = PointsRuleForm(initial=initial)
        rows.append({**row, "form": form})
    context = {
        "site": site, "sites": sites, "rows": rows, "can_edit": can_edit,
        "history": selectors.points_rules(user=request.user, site_id=site.pk),
    }  # fmt: skip
    return render(request, "clinic/points_rules.html", context)


def _date(raw, default):
    import datetime as dt

    try:
        return dt.date.fromisoformat(raw) if raw else default
    except ValueError as exc:
        raise Http404(_("日期格式不正确")) from exc


@domain_errors
def quote_rows(request: HttpRequest) -> HttpResponse:
    """The quotes behind a figure of the quote funnel (or of the registry metrics clinic.*)."""
    import datetime as dt

    g = request.GET
    date_from = _date(g.get("date_from"), dt.date.today().replace(day=1))
    date_to = _date(g.get("date_to"), dt.date.today())
    units = {}
    for name, key in (
        ("site", "site_id"),
        ("department", "department_id"),
        ("team", "team_id"),
        ("staff", "staff_id"),
    ):
        if g.get(name):
            units[key] = _int(g.get(name))
    status = g.get("status", "")
    rows = selectors.quote_rows(
        user=request.user, date_from=date_from, date_to=date_to, status=status, **units
    )
    page = Paginator(rows, 100).get_page(g.get("page"))
    query = g.copy()
    query.pop("page", None)
    context = {"page": page, "date_from": date_from, "date_to": date_to, "accepted": status == "accepted",
               "query": query.urlencode()}  # fmt: skip
    return render(request, "clinic/quote_rows.html", context)


@domain_errors
def quote_funnel(request: HttpRequest) -> HttpResponse:
    """The clinic's funnel: 上门 → 报价 → 报价成交 with their rates, by month, each figure linked."""
    from django.utils import timezone

    from opscenter.pipeline.periods import month_add, month_key, month_span

    site, sites = _site(request)
    if site is None:
        raise Http404(_("没有可访问的院区"))
    this = month_key(timezone.localdate())
    months = list(month_span(month_add(this, -11), this))
    rows, header = selectors.quote_funnel(user=request.user, site_id=site.pk, months=months)
    return render(
        request, "clinic/quote_funnel.html", {"site": site, "sites": sites, "rows": rows, "header": header}
    )
