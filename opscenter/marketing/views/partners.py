"""Partners (the appraisal register, extended): commission rules, statements, group tours."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opscenter.core.exceptions import DomainError
from opscenter.marketing import selectors, services
from opscenter.marketing.forms import (
    CommissionRuleForm,
    ContactForm,
    GroupTourForm,
    StatementForm,
    add_domain_error,
    yuan_to_fen,
)
from opscenter.marketing.views._common import domain_errors, done, page_of, require_view, site_staff
from opscenter.pipeline.periods import parse_month


@domain_errors
def partner_list(request: HttpRequest) -> HttpResponse:
    require_view(request, "marketing.view_commissionrule")
    partners = selectors.partner_list(user=request.user)
    return render(request, "marketing/partner_list.html", {"page": page_of(request, partners)})


def _partner_forms(request, partner, data=None, which=""):
    bound = {name: (data if which == name else None) for name in ("rule", "statement", "tour", "contact")}
    return {
        "contact_form": ContactForm(bound["contact"]),
        "rule_form": CommissionRuleForm(bound["rule"]),
        "statement_form": StatementForm(bound["statement"]),
        "tour_form": GroupTourForm(
            bound["tour"],
            staff=site_staff(request.user, partner.site_id),
            campaigns=selectors.campaign_list(user=request.user, site_id=partner.site_id).order_by(
                "-starts_on"
            ),
        ),
    }


def _render_partner(request, partner, forms_, status=200) -> HttpResponse:
    context = {
        "partner": partner,
        **forms_,
        "contacts": selectors.partner_contacts(partner=partner),
        "rules": selectors.partner_rules(partner=partner),
        "tours": selectors.partner_tours(partner=partner)[:50],
        "statements": selectors.statement_list(user=request.user, partner_id=partner.pk)[:24],
    }
    return render(request, "marketing/partner_detail.html", context, status=status)


@domain_errors
def partner_detail(request: HttpRequest, partner_id: int) -> HttpResponse:
    require_view(request, "marketing.view_commissionrule")
    partner = selectors.partner_get(user=request.user, partner_id=partner_id)
    return _render_partner(request, partner, _partner_forms(request, partner))


@domain_errors
@require_POST
def partner_action(request: HttpRequest, partner_id: int, action: str) -> HttpResponse:
    partner = selectors.partner_get(user=request.user, partner_id=partner_id)
    forms_ = _partner_forms(request, partner, request.POST, action)
    form = forms_.get(f"{action}_form")
    url = reverse("marketing:partner_detail", args=[partner.pk])
    if form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "rule":
                services.commission_rule_create(
                    actor=request.user,
                    partner_id=partner.pk,
                    kind=data["kind"],
                    rate_pct=data["rate_pct"],
                    fixed_fen=yuan_to_fen(data["fixed"]) if data["fixed"] is not None else None,
                    tiers=data["tiers"],
                    valid_from=data["valid_from"],
                    valid_to=data["valid_to"],
                )
                return done(request, url, _("佣金规则已添加"))
            if action == "contact":
                services.partner_contact_add(
                    actor=request.user,
                    partner_id=partner.pk,
                    name=data["name"],
                    role=data["role"],
                    phone=data["phone"],
                )
                return done(request, url, _("联系人已添加"))
            if action == "statement":
                statement = services.statement_generate(
                    actor=request.user, partner_id=partner.pk, month=parse_month(data["month"])
                )
                return done(
                    request, reverse("marketing:statement_detail", args=[statement.pk]), _("佣金结算单已生成")
                )
            services.group_tour_record(
                actor=request.user,
                partner_id=partner.pk,
                team_name=data["team_name"],
                toured_on=data["toured_on"],
                headcount=data["headcount"],
                guide_id=data["guide"].pk if data["guide"] else None,
                campaign_id=data["campaign"].pk if data["campaign"] else None,
                visitors=data["visitors"],
            )
            return done(request, url, _("团队参观已登记"))
        except DomainError as exc:
            add_domain_error(form, exc)
    return _render_partner(request, partner, forms_, status=400)


@domain_errors
def statement_detail(request: HttpRequest, statement_id: int) -> HttpResponse:
    require_view(request, "marketing.view_commissionstatement")
    statement = selectors.statement_get(user=request.user, statement_id=statement_id)
    lines = selectors.statement_line_list(statement=statement)
    return render(request, "marketing/statement_detail.html", {"statement": statement, "lines": lines})


@domain_errors
@require_POST
def statement_confirm(request: HttpRequest, statement_id: int) -> HttpResponse:
    statement = services.statement_confirm(actor=request.user, statement_id=statement_id)
    return done(request, reverse("marketing:statement_detail", args=[statement.pk]), _("结算单已确认"))


@domain_errors
def tour_list(request: HttpRequest) -> HttpResponse:
    require_view(request, "marketing.view_grouptour")
    return render(
        request,
        "marketing/tour_list.html",
        {"page": page_of(request, selectors.tour_list(user=request.user))},
    )


__all__ = [
    "partner_action",
    "partner_detail",
    "partner_list",
    "statement_confirm",
    "statement_detail",
    "tour_list",
]
