"""Campaign screens: list, create, detail with invitations (集中邀约), attribution and spend."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from opscenter.core.exceptions import DomainError
from opscenter.marketing import selectors, services
from opscenter.marketing.forms import (
    AttributeConsultationForm,
    AttributeDealForm,
    CampaignForm,
    CostLineForm,
    InvitationStatusForm,
    InviteForm,
    LandingForm,
    add_domain_error,
    yuan_to_fen,
)
from opscenter.marketing.screens import campaign_summary
from opscenter.marketing.views._common import (
    domain_errors,
    done,
    page_of,
    require_view,
    site_channels,
    site_staff,
    writable_sites,
)
from opscenter.pipeline import selectors as pipeline_selectors


@domain_errors
def campaign_list(request: HttpRequest) -> HttpResponse:
    require_view(request)
    campaigns = selectors.campaign_list(user=request.user).order_by("-starts_on", "-pk")
    return render(request, "marketing/campaign_list.html", {"page": page_of(request, campaigns)})


@domain_errors
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    sites = writable_sites(request.user)
    form = CampaignForm(
        request.POST or None,
        sites=sites,
        channels=site_channels(request.user),
        staff=site_staff(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.campaign_create(
                actor=request.user,
                site_id=data["site"].pk,
                name=data["name"],
                code=data["code"],
                kind=data["kind"],
                channel_id=data["channel"].pk if data["channel"] else None,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                budget_fen=yuan_to_fen(data["budget"]) if data["budget"] is not None else 0,
                owner_id=data["owner"].pk if data["owner"] else None,
                audience=data["audience"],
                notes=data["notes"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return done(request, reverse("marketing:campaign_detail", args=[campaign.pk]), _("活动已创建"))
    return render(request, "marketing/campaign_create.html", {"form": form})


def _detail_forms(request, campaign, data=None, which: str = ""):
    site_id = campaign.site_id
    customers = pipeline_selectors.customer_list(user=request.user).filter(site_id=site_id)
    query = request.GET.get("q", "").strip()
    if query:
        customers = customers.filter(name__contains=query) | customers.filter(phone__contains=query)
    invited = selectors.invitation_list(user=request.user, campaign_id=campaign.pk)
    customers = customers.exclude(pk__in=invited.values("customer_id")).order_by("name", "pk")[:100]
    consultations = pipeline_selectors.consultation_list(user=request.user, site_id=site_id).order_by(
        "-occurred_at", "-pk"
    )[:100]
    deals = (
        pipeline_selectors.deal_list(user=request.user, site_id=site_id)
        .filter(status="signed")
        .order_by("-signed_on", "-pk")[:100]
    )
    bound = {
        name: (data if which == name else None) for name in ("invite", "status", "consult", "deal", "cost")
    }
    return {
        "invite_form": InviteForm(bound["invite"], customers=customers),
        "status_form": InvitationStatusForm(bound["status"], invitations=invited),
        "consult_form": AttributeConsultationForm(
            bound["consult"], consultations=consultations, initial={"code": campaign.code}
        ),
        "deal_form": AttributeDealForm(bound["deal"], deals=deals),
        "cost_form": CostLineForm(
            bound["cost"],
            sites=writable_sites(request.user).filter(pk=site_id),
            campaigns=selectors.campaign_list(user=request.user).filter(pk=campaign.pk),
            channels=site_channels(request.user, site_id),
            initial={"campaign": campaign.pk},
        ),
        "invitations": invited,
    }


@domain_errors
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    require_view(request)
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    return _render_detail(request, campaign, _detail_forms(request, campaign))


def _render_detail(request, campaign, forms_) -> HttpResponse:
    context = {
        "campaign": campaign,
        **forms_,
        "summary": campaign_summary(user=request.user, campaign=campaign),
        "touches": selectors.touch_list(user=request.user, campaign_id=campaign.pk)[:200],
        "cost_lines": selectors.cost_line_list(user=request.user, campaign_id=campaign.pk),
        "query": request.GET.get("q", ""),
    }
    return render(request, "marketing/campaign_detail.html", context)


@domain_errors
@require_POST
def campaign_action(request: HttpRequest, campaign_id: int, action: str) -> HttpResponse:
    """The detail page's forms: invite, change invitation status, attribute, add a cost line."""
    campaign = selectors.campaign_get(user=request.user, campaign_id=campaign_id)
    forms_ = _detail_forms(request, campaign, request.POST, action)
    url = reverse("marketing:campaign_detail", args=[campaign.pk])
    form = forms_.get(f"{action}_form")
    if form is None:
        raise Http404
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "invite":
                created = services.invitation_bulk_create(
                    actor=request.user,
                    campaign_id=campaign.pk,
                    customer_ids=data["customer_ids"],
                    note=data["note"],
                )
                message = _("已邀约 %(count)s 位客户") % {"count": len(created)}
            elif action == "status":
                moved = services.invitation_transition(
                    actor=request.user, invitation_ids=data["invitation_ids"], to_status=data["status"]
                )
                message = _("已更新 %(count)s 条邀约") % {"count": moved}
            elif action == "consult":
                services.consultation_attribute(
                    actor=request.user, consultation_id=data["consultation"], code=data["code"]
                )
                message = _("咨询已归因到活动")
            elif action == "deal":
                services.deal_attribute(actor=request.user, deal_id=data["deal"], campaign_id=campaign.pk)
                message = _("成交已归因到活动")
            else:
                services.cost_line_record(
                    actor=request.user,
                    site_id=campaign.site_id,
                    campaign_id=campaign.pk,
                    channel_id=data["channel"].pk if data["channel"] else None,
                    item=data["item"],
                    quantity=data["quantity"],
                    unit_price_fen=yuan_to_fen(data["unit_price"]),
                    supplier=data["supplier"],
                    invoice_no=data["invoice_no"],
                    spent_on=data["spent_on"],
                    note=data["note"],
                )
                message = _("费用已登记")
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return done(request, url, message)
    response = _render_detail(request, campaign, forms_)
    response.status_code = 400
    return response


@domain_errors
@require_http_methods(["GET", "POST"])
def landing(request: HttpRequest) -> HttpResponse:
    """The landing form (落地页表单) staff fill in for a web or WeChat lead carrying a source code."""
    form = LandingForm(
        request.POST or None, sites=writable_sites(request.user), initial={"code": request.GET.get("src", "")}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            touch = services.landing_submit(
                actor=request.user,
                site_id=data["site"].pk,
                code=data["code"],
                name=data["name"],
                phone=data["phone"],
                content=data["content"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return done(
                request,
                reverse("marketing:campaign_detail", args=[touch.campaign_id]),
                _("线索已登记并归因到活动"),
            )
    return render(request, "marketing/landing.html", {"form": form})
