"""Elder-care admission assessments (评估): record one, disagree with it (second opinion), and a
manager's resolution. Opinions are never overwritten; the timeline shows all three."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from opscenter.pipeline import selectors, services
from opscenter.pipeline.forms import (
    AssessmentRecordForm,
    AssessmentResolveForm,
    AssessmentSecondOpinionForm,
)
from opscenter.pipeline.views._common import customer_url, domain_errors, entry, redirect, require_ability


def _assessment_and_customer(request: HttpRequest, assessment_id: int, *, second_opinion: bool):
    """A scoped assessment of the kind the action applies to (an original or a second opinion)."""
    assessment = selectors.assessment_get(user=request.user, assessment_id=assessment_id)
    if (assessment.second_opinion_of_id is not None) != second_opinion:
        raise Http404(_("评估记录不存在或无权访问"))
    customer = selectors.customer_get(user=request.user, customer_id=assessment.customer_id)
    return assessment, customer


@domain_errors
def assessment_record(request: HttpRequest, customer_id: int) -> HttpResponse:
    """An admission assessment by the signed-in staff member (nursing, marketing, operations)."""
    customer = selectors.customer_get(user=request.user, customer_id=customer_id)
    require_ability(request.user, customer, "can_assess")
    form = AssessmentRecordForm(request.POST or None)

    def save(data):
        services.assessment_record(
            actor=request.user,
            customer_id=customer.pk,
            zone=data["zone"],
            notes=data.get("notes") or "",
            assessed_at=data["assessed_at"],
        )

    return entry(
        request,
        customer,
        form,
        save,
        name="assessment_record",
        pk=customer.pk,
        title=_("入住评估"),
        submit=_("保存评估"),
        success=_("评估已记录"),
        extra={"assessor": getattr(request.user, "staff", None)},
    )


@domain_errors
def assessment_second_opinion(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """Disagree with an assessment: a new opinion pointing at it, the original left as given."""
    original, customer = _assessment_and_customer(request, assessment_id, second_opinion=False)
    require_ability(request.user, customer, "can_assess")
    form = AssessmentSecondOpinionForm(request.POST or None)

    def save(data):
        services.assessment_second_opinion(
            actor=request.user, assessment_id=original.pk, zone=data["zone"], notes=data.get("notes") or ""
        )

    return entry(
        request,
        customer,
        form,
        save,
        name="assessment_second_opinion",
        pk=original.pk,
        title=_("提出评估异议"),
        submit=_("保存异议"),
        success=_("异议意见已记录，待主管裁定"),
        extra={"original": original},
    )


@domain_errors
def assessment_resolve(request: HttpRequest, assessment_id: int) -> HttpResponse:
    """A manager settles a disagreement; the decision is written on the second opinion only."""
    opinion, customer = _assessment_and_customer(request, assessment_id, second_opinion=True)
    require_ability(request.user, customer, "can_resolve")
    if opinion.resolved_zone:
        messages.info(request, _("该评估分歧已裁定"))
        return redirect(request, customer_url(customer.pk))
    form = AssessmentResolveForm(request.POST or None)

    def save(data):
        services.assessment_resolve(
            actor=request.user,
            second_opinion_id=opinion.pk,
            zone=data["zone"],
            resolution=data.get("resolution") or "",
        )

    return entry(
        request,
        customer,
        form,
        save,
        name="assessment_resolve",
        pk=opinion.pk,
        title=_("裁定评估分歧"),
        submit=_("保存裁定"),
        success=_("评估分歧已裁定"),
        extra={"original": opinion.second_opinion_of, "opinion": opinion},
    )
