"""Quick entry on a customer: consultation, appointment (and closing it), arrival with triage,
deal and exit. Each is a scoped fetch, a form and one service call (`_common.entry`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from opscenter.core.exceptions import ValidationError
from opscenter.org.choices import SiteKind
from opscenter.org.selectors import scope_for
from opscenter.pipeline import screens, selectors, services
from opscenter.pipeline.choices import AppointmentStatus, DealStatus
from opscenter.pipeline.forms import (
    AppointmentBookForm,
    ConsultationQuickForm,
    DealCancelForm,
    DealRecordForm,
    ExitRecordForm,
    VisitQuickForm,
    VisitTriageForm,
    yuan_to_fen,
)
from opscenter.pipeline.views._common import (
    customer_url,
    domain_errors,
    done,
    entry,
    redirect,
    require_ability,
)


@domain_errors
def consultation_quick(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    form = ConsultationQuickForm(request.POST or None)

    def save(data):
        services.consultation_record(
            actor=request.user,
            customer_id=customer.pk,
            mode=data["mode"],
            occurred_at=data["occurred_at"],
            content=data.get("content") or "",
            intent=data["intent"],
            next_step=data.get("next_step") or "",
            next_step_on=data.get("next_step_on"),
        )

    return entry(
        request,
        customer,
        form,
        save,
        name="consultation_quick",
        pk=customer.pk,
        title=_("记录咨询"),
        submit=_("保存咨询"),
        success=_("咨询已记录"),
    )


@domain_errors
def visit_quick(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Register an arrival (and triage it at once when a consultant is chosen)."""
    user = request.user
    customer = selectors.customer_get(user=user, customer_id=customer_id)
    appointments = selectors.appointment_list(
        user=user, customer_id=customer.pk, status=AppointmentStatus.BOOKED
    ).order_by("scheduled_for")
    staff = screens.staff_choices(user=user, site_id=customer.site_id)
    initial = {}
    due = next(iter(appointments), None) if request.method == "GET" else None
    if due is not None:
        initial["appointment"] = request.GET.get("appointment") or due.pk
    if customer.owner_id and staff.filter(pk=customer.owner_id).exists():
        initial["consultant"] = customer.owner_id
    elif scope_for(user).staff_id:
        initial["consultant"] = scope_for(user).staff_id
    form = VisitQuickForm(request.POST or None, appointments=appointments, staff=staff, initial=initial)

    def save(data):
        services.visit_register(
            actor=user,
            customer_id=customer.pk,
            arrived_at=data["arrived_at"],
            kind=data["kind"],
            appointment_id=data["appointment"].pk if data.get("appointment") else None,
            onsite_consultant_id=data["consultant"].pk if data.get("consultant") else None,
            note=data.get("note") or "",
        )

    return entry(
        request,
        customer,
        form,
        save,
        name="visit_quick",
        pk=customer.pk,
        title=_("登记到院"),
        submit=_("登记到院"),
        success=_("到院已登记"),
    )


@domain_errors
def appointment_book(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    form = AppointmentBookForm(request.POST or None)

    def save(data):
        services.appointment_book(
            actor=request.user,
            customer_id=customer.pk,
            mode=data["mode"],
            scheduled_for=data["scheduled_for"],
            note=data.get("note") or "",
        )

    return entry(
        request,
        customer,
        form,
        save,
        name="appointment_book",
        pk=customer.pk,
        title=_("预约到院"),
        submit=_("保存预约"),
        success=_("预约已登记"),
    )


@require_POST
@domain_errors
def appointment_transition(request: HttpRequest, appointment_id: int) -> HttpResponse:
    """Close a booked appointment as no-show or cancelled (buttons on the timeline)."""
    appointment = selectors.appointment_get(user=request.user, appointment_id=appointment_id)
    url = customer_url(appointment.customer_id)
    try:
        services.appointment_transition(
            actor=request.user, appointment_id=appointment.pk, to_status=request.POST.get("to_status", "")
        )
    except ValidationError as exc:
        messages.error(request, exc.message)
        return redirect(request, url)
    return done(request, url, _("预约状态已更新"))


@domain_errors
def visit_triage(request: HttpRequest, visit_id: int) -> HttpResponse:
    """Arrival triage (分诊): pick the on-site consultant (default: the customer's owner)."""
    visit = selectors.visit_get(user=request.user, visit_id=visit_id)
    customer = selectors.customer_get(user=request.user, customer_id=visit.customer_id)
    staff = screens.staff_choices(user=request.user, site_id=customer.site_id)
    initial = {"consultant": customer.owner_id} if customer.owner_id else {}
    form = VisitTriageForm(request.POST or None, staff=staff, initial=initial)

    def save(data):
        consultant = data.get("consultant")
        services.visit_triage(
            actor=request.user, visit_id=visit.pk, consultant_id=consultant.pk if consultant else None
        )

    return entry(
        request,
        customer,
        form,
        save,
        name="visit_triage",
        pk=visit.pk,
        title=_("到院分诊"),
        submit=_("确认分诊"),
        success=_("已分诊"),
    )


@domain_errors
def deal_record(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Record a signed contract (elder care: stay type, zone, term, monthly fee, deposit) or a paid
    order (clinics: item and category; with an item, the order line and its transaction)."""
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    visits = selectors.visit_list(user=request.user, customer_id=customer.pk).order_by("-arrived_at")
    latest = visits.first()
    elder_care = customer.site.kind == SiteKind.ELDER_CARE
    form = DealRecordForm(
        request.POST or None,
        visits=visits,
        elder_care=elder_care,
        initial={"visit": latest.pk} if latest else {},
    )

    def fen(value):
        return yuan_to_fen(value) if value is not None else None

    def save(data):
        amount_fen = fen(data.get("amount"))
        item = (data.get("item") or "").strip()
        lines = (
            [services.DealLineInput(item=item, category=data["category"], amount_fen=amount_fen)]
            if item and amount_fen is not None
            else []
        )
        services.deal_sign(
            actor=request.user,
            customer_id=customer.pk,
            signed_on=data["signed_on"],
            amount_fen=amount_fen,
            lines=lines,
            stay_type=data.get("stay_type") or "",
            care_zone=data.get("care_zone") or "",
            contract_months=data.get("contract_months"),
            monthly_fee_fen=fen(data.get("monthly_fee")),
            deposit_fen=fen(data.get("deposit")),
            visit_id=data["visit"].pk if data.get("visit") else None,
            record_transactions=bool(lines),
            note=data.get("note") or "",
        )

    return entry(
        request,
        customer,
        form,
        save,
        name="deal_record",
        pk=customer.pk,
        title=_("登记入住签约") if elder_care else _("登记成交"),
        submit=_("保存成交"),
        success=_("签约已登记") if elder_care else _("成交已登记"),
        extra={"elder_care": elder_care},
    )


@domain_errors
def exit_record(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    form = ExitRecordForm(request.POST or None, reasons=selectors.exit_reason_list(user=request.user))

    def save(data):
        services.exit_record(
            actor=request.user,
            customer_id=customer.pk,
            exited_on=data["exited_on"],
            reason_id=data["reason"].pk if data.get("reason") else None,
            note=data.get("note") or "",
        )

    return entry(
        request,
        customer,
        form,
        save,
        name="exit_record",
        pk=customer.pk,
        title=_("登记退出"),
        submit=_("确认退出"),
        success=_("客户退出已登记"),
    )


@domain_errors
def deal_cancel(request: HttpRequest, deal_id: int) -> HttpResponse:
    """Cancel (作废) a signed deal with a reason: it stays on the timeline marked cancelled, leaves
    the funnel's counts and revenue, and its purchases are reversed (member tier included)."""
    deal = selectors.deal_get(user=request.user, deal_id=deal_id)
    customer = selectors.customer_get(user=request.user, customer_id=deal.customer_id)
    require_ability(request.user, customer, "can_cancel_deal")
    if deal.status != DealStatus.SIGNED:
        messages.info(request, _("该成交已作废"))
        return redirect(request, customer_url(customer.pk))
    form = DealCancelForm(request.POST or None)

    def save(data):
        services.deal_transition(
            actor=request.user,
            deal_id=deal.pk,
            to_status=DealStatus.CANCELLED,
            reason=data.get("reason") or "",
        )

    return entry(
        request,
        customer,
        form,
        save,
        name="deal_cancel",
        pk=deal.pk,
        title=_("作废成交"),
        submit=_("确认作废"),
        success=_("成交已作废，业绩与会员等级已冲回"),
        extra={"deal": deal},
    )
