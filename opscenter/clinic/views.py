"""Clinic screens: thin views (scoped fetch → form → service → redirect)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opscenter.clinic import selectors, services
from opscenter.clinic.forms import (
    ClinicalAnswerForm,
    ClinicalAskForm,
    PointsGrantForm,
    PointsRedeemForm,
    QuoteAcceptForm,
    QuoteHeaderForm,
    QuoteLineFormSet,
    RefundForm,
    SessionConsumeForm,
)
from opscenter.core.exceptions import DomainError, NotFound, PermissionDenied
from opscenter.org.selectors import site_list
from opscenter.pipeline import selectors as pipeline
from opscenter.pipeline.forms import add_domain_error, yuan_to_fen
from opscenter.pipeline.periods import month_key
from opscenter.pipeline.selectors import parse_funnel_filters
from opscenter.pipeline.views._common import domain_errors


def _site(request: HttpRequest):
    sites = list(site_list(user=request.user))
    wanted = request.GET.get("site")
    site = next((s for s in sites if str(s.pk) == wanted), None) or next(
        (s for s in sites if s.kind in ("aesthetics", "hospital")), sites[0] if sites else None
    )
    return site, sites


def customer_post(request: HttpRequest, customer, form, *, run, invalid: str) -> HttpResponse:
    """A POSTed form on the customer's clinic page: when valid, `run(cleaned_data)` calls the
    service and returns the success message; a domain error becomes a message on that page (a
    missing or forbidden row stays the 404 / 403 it is); back to the page either way."""
    if form.is_valid():
        try:
            message = run(form.cleaned_data)
        except DomainError as exc:
            if isinstance(exc, NotFound | PermissionDenied):
                raise
            messages.error(request, exc.message)
        else:
            messages.success(request, message)
    else:
        messages.error(request, invalid)
    return redirect("clinic:customer_clinic", customer_id=customer.pk)


@domain_errors
def home(request: HttpRequest) -> HttpResponse:
    """The clinic overview of a site: this month's credited revenue by center, doctor and
    consultant (each linking to its rows), quote conversion, unused-session liability."""
    site, sites = _site(request)
    if site is None:
        raise Http404(_("没有可访问的院区"))
    month = month_key(timezone.localdate())
    split = selectors.credited_split(user=request.user, site_id=site.pk, month_from=month, month_to=month)
    base = reverse("clinic:credited_rows")
    period = f"month_from={month // 100}-{month % 100:02d}&month_to={month // 100}-{month % 100:02d}&site={site.pk}"
    for row in split["centers"]:
        row["url"] = f"{base}?{period}&department={row['center_id']}"
    for key, field in (("doctors", "doctor_id"), ("consultants", "consultant_id")):
        for row in split[key]:
            row["url"] = f"{base}?{period}&consultant={row[field]}"
    context = {
        "site": site,
        "sites": sites,
        "month": month,
        "split": split,
        "conversion": selectors.quote_conversion(
            user=request.user, site_id=site.pk, month_from=month, month_to=month
        ),
        "liability": selectors.unused_liability(user=request.user, site_id=site.pk),
        "quotes": selectors.quote_list(user=request.user, site_id=site.pk)[:20],
        "queue": selectors.clinical_queue(user=request.user)[:20],
        "gifts": selectors.gift_list(user=request.user, site_id=site.pk)[:10],
    }
    return render(request, "clinic/home.html", context)


@domain_errors
def customer_clinic(request: HttpRequest, customer_id: int) -> HttpResponse:
    """A customer's quotes, packages with balances, points and clinical follow-ups with answers."""
    customer = pipeline.customer_get(user=request.user, customer_id=customer_id)
    context = {
        "customer": customer,
        "quotes": selectors.quote_list(user=request.user).filter(customer_id=customer.pk),
        "packages": selectors.package_list(user=request.user, customer_id=customer.pk),
        "points": selectors.points_balance(user=request.user, customer_id=customer.pk),
        "points_history": selectors.points_history(user=request.user, customer_id=customer.pk)[:50],
        "clinical": selectors.clinical_followups(user=request.user, customer_id=customer.pk),
        "ask_form": ClinicalAskForm(centers=selectors.site_centers(site_id=customer.site_id)),
        "purchases": selectors.refundable_purchases(user=request.user, customer_id=customer.pk),
        "refund_form": RefundForm(disputes=pipeline.dispute_list(user=request.user, customer_id=customer.pk)),
        "redeem_form": PointsRedeemForm(
            deals=selectors.redeemable_deals(user=request.user, customer_id=customer.pk)
        ),
        "grant_form": PointsGrantForm(),
        "gifts": selectors.gift_list(user=request.user).filter(customer_id=customer.pk)[:20],
    }
    return render(request, "clinic/customer_clinic.html", context)


@domain_errors
def quote_create(request: HttpRequest) -> HttpResponse:
    customer = pipeline.customer_get(user=request.user, customer_id=_int(request.GET.get("customer")))
    centers = selectors.site_centers(site_id=customer.site_id)
    staff = selectors.site_staff_choices(site_id=customer.site_id)
    today = timezone.localdate()
    header = QuoteHeaderForm(
        request.POST or None, initial={"quoted_on": today, "valid_until": today + timezone.timedelta(days=30)}
    )
    lines = QuoteLineFormSet(request.POST or None, centers=centers, staff=staff, prefix="line")
    if request.method == "POST" and header.is_valid() and lines.is_valid():
        filled = [f.as_input() for f in lines.forms if f.has_changed() and f.cleaned_data]
        try:
            quote = services.quote_create(
                actor=request.user, customer_id=customer.pk, lines=filled, quoted_on=header.cleaned_data["quoted_on"],
                valid_until=header.cleaned_data["valid_until"], note=header.cleaned_data["note"] or "",
            )  # fmt: skip
        except DomainError as exc:
            add_domain_error(header, exc)
        else:
            messages.success(request, _("报价已生成"))
            return redirect("clinic:quote_detail", pk=quote.pk)
    return render(
        request, "clinic/quote_create.html", {"customer": customer, "header": header, "lines": lines}
    )


def _int(raw) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError) as exc:
        raise Http404(_("参数不正确")) from exc


@domain_errors
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    quote = selectors.quote_get(user=request.user, quote_id=pk)
    return render(
        request, "clinic/quote_detail.html",
        {"quote": quote, "form": QuoteAcceptForm(), "today": timezone.localdate()},
    )  # fmt: skip


@domain_errors
def quote_print(request: HttpRequest, pk: int) -> HttpResponse:
    quote = selectors.quote_get(user=request.user, quote_id=pk)
    return render(request, "clinic/quote_print.html", {"quote": quote})


@require_POST
@domain_errors
def quote_accept(request: HttpRequest, pk: int) -> HttpResponse:
    quote = selectors.quote_get(user=request.user, quote_id=pk)
    form = QuoteAcceptForm(request.POST)
    if form.is_valid():
        try:
            services.quote_accept(
                actor=request.user, quote_id=quote.pk, accepted_on=form.cleaned_data["accepted_on"],
                redeem_points=form.cleaned_data.get("redeem_points") or 0,
            )  # fmt: skip
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已成交，订单与疗程已生成"))
            return redirect("clinic:customer_clinic", customer_id=quote.customer_id)
    return render(
        request, "clinic/quote_detail.html", {"quote": quote, "form": form, "today": timezone.localdate()}
    )


@domain_errors
def package_detail(request: HttpRequest, pk: int) -> HttpResponse:
    package = selectors.package_get(user=request.user, package_id=pk)
    form = SessionConsumeForm(staff=selectors.site_staff_choices(site_id=package.site_id))
    return _package_page(request, package, form)


def _package_page(request, package, form):
    uses = selectors.session_uses(user=request.user, package_id=package.pk)
    return render(request, "clinic/package_detail.html", {"package": package, "uses": uses, "form": form,
                                                           "today": timezone.localdate()})  # fmt: skip


@require_POST
@domain_errors
def session_consume(request: HttpRequest, pk: int) -> HttpResponse:
    package = selectors.package_get(user=request.user, package_id=pk)
    form = SessionConsumeForm(request.POST, staff=selectors.site_staff_choices(site_id=package.site_id))
    if form.is_valid():
        try:
            use = services.session_consume(
                actor=request.user, package_id=package.pk, performed_by_id=form.cleaned_data["performed_by"].pk,
                used_at=form.used_at(), note=form.cleaned_data["note"] or "",
            )  # fmt: skip
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("已登记第 %(n)s 次治疗") % {"n": use.number})
            return redirect("clinic:package_detail", pk=package.pk)
    package.refresh_from_db()
    return _package_page(request, package, form)


@domain_errors
def clinical_queue(request: HttpRequest) -> HttpResponse:
    """The acting doctor's clinical follow-ups, due first, each with an answer form."""
    queue = selectors.clinical_queue(user=request.user)
    page = Paginator(queue, 50).get_page(request.GET.get("page"))
    return render(request, "clinic/clinical_queue.html", {"page": page, "form": ClinicalAnswerForm(),
                                                           "now": timezone.now()})  # fmt: skip


@require_POST
@domain_errors
def clinical_answer(request: HttpRequest, pk: int) -> HttpResponse:
    form = ClinicalAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.clinical_answer(actor=request.user, followup_id=pk, answer=form.cleaned_data["answer"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已答复，咨询师可在客户时间线上看到"))
    else:
        messages.error(request, _("请填写答复内容"))
    return redirect("clinic:clinical_queue")


@require_POST
@domain_errors
def clinical_ask(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = pipeline.customer_get(user=request.user, customer_id=customer_id)
    form = ClinicalAskForm(request.POST, centers=selectors.site_centers(site_id=customer.site_id))

    def run(d):
        followup = services.clinical_question_raise(
            actor=request.user, customer_id=customer.pk, question=d["question"],
            center_id=d["center"].pk if d.get("center") else None,
        )  # fmt: skip
        return _("已转交 %(name)s 医生答复") % {"name": followup.staff.name}

    return customer_post(request, customer, form, run=run, invalid=_("请填写客户的问题"))


@domain_errors
def credited_rows(request: HttpRequest) -> HttpResponse:
    """The transactions behind a credited-revenue number (targets' drill-down)."""
    try:
        filters = parse_funnel_filters(request.GET)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    rows = (
        selectors.credited_rows(user=request.user, filters=filters)
        .select_related("customer", "center", "doctor", "consultant")
        .order_by("occurred_on", "pk")
    )
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    total = sum(r.amount_fen if r.kind == "purchase" else -r.amount_fen for r in page.object_list)
    return render(
        request, "clinic/credited_rows.html", {"page": page, "filters": filters, "page_total": total}
    )


@require_POST
@domain_errors
def refund_record(request: HttpRequest, customer_id: int) -> HttpResponse:
    """A refund or compensation of one purchase, linked to the customer's dispute."""
    customer = pipeline.customer_get(user=request.user, customer_id=customer_id)
    form = RefundForm(
        request.POST, disputes=pipeline.dispute_list(user=request.user, customer_id=customer.pk)
    )

    def run(d):
        services.refund_record(
            actor=request.user, transaction_id=d["transaction"], amount_fen=yuan_to_fen(d["amount"]),
            dispute_id=d["dispute"].pk if d["dispute"] else None, outcome=d["outcome"], reason=d["reason"] or "",
        )  # fmt: skip
        return _("已登记退费，纠纷已结案，客户转为特殊存档")

    return customer_post(request, customer, form, run=run, invalid=_("请填写正确的退费金额"))
