"""Clinical follow-ups (诊疗回访): questions during treatment go to medical staff, not the
consultant (seed 004: 诊疗过程中的回访由咨询师回访，很多专业问题无法解答)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.clinic import journey
from opscenter.clinic.constants import CLINICAL_DUE
from opscenter.clinic.models import Package, SessionUse
from opscenter.commitments.choices import Event
from opscenter.core.audit import as_actor
from opscenter.core.businesstime import add_business_time
from opscenter.core.calendars import default_work_calendar
from opscenter.core.exceptions import NotFound, PermissionDenied, ValidationError
from opscenter.org.models import Department, Staff
from opscenter.pipeline.choices import FollowUpChannel, FollowUpKind, FollowUpOutcome, TransactionKind
from opscenter.pipeline.models import FollowUp, Transaction
from opscenter.pipeline.periods import month_key
from opscenter.pipeline.services._common import customer_for_write, scope_requiring


def clinical_due(start: dt.datetime) -> dt.datetime:
    """When a clinical question must be answered: CLINICAL_DUE of business time after it came."""
    return add_business_time(start, CLINICAL_DUE, default_work_calendar())


def route_clinical(*, customer_id: int, center_id: int | None = None) -> Staff | None:
    """Who answers a clinical question: the doctor who last treated the customer (in the center,
    when given), else the doctor on the customer's latest credited purchase there, else the
    center's on-duty doctor (its manager)."""
    uses = SessionUse.objects.filter(customer_id=customer_id)
    txns = Transaction.objects.filter(
        customer_id=customer_id, kind=TransactionKind.PURCHASE, doctor__isnull=False
    )
    if center_id is not None:
        uses, txns = uses.filter(center_id=center_id), txns.filter(center_id=center_id)
    last = uses.select_related("performed_by").order_by("-used_at", "-pk").first()
    if last is not None and last.performed_by.is_active:
        return last.performed_by
    txn = txns.select_related("doctor").order_by("-occurred_on", "-pk").first()
    if txn is not None and txn.doctor.is_active:
        return txn.doctor
    if center_id is not None:
        center = Department.objects.select_related("manager").filter(pk=center_id).first()
        if center is not None and center.manager is not None and center.manager.is_active:
            return center.manager
    return None


def _clinical(*, customer, doctor: Staff, question: str, start: dt.datetime, deal_id: int | None) -> FollowUp:
    due = clinical_due(start)
    day = timezone.localtime(due).date()
    return FollowUp.objects.create(
        site_id=customer.site_id, customer_id=customer.pk, staff=doctor, channel=FollowUpChannel.PHONE,
        scheduled_on=day, month=month_key(day), kind=FollowUpKind.CLINICAL, question=question, due_at=due,
        deal_id=deal_id,
    )  # fmt: skip


@as_actor
@transaction.atomic
def clinical_question_raise(
    *,
    actor,
    customer_id: int,
    question: str,
    center_id: int | None = None,
    raised_at: dt.datetime | None = None,
) -> FollowUp:
    """A customer's clinical question (e.g. raised to the consultant) goes to the performing
    doctor's queue — or the center's on-duty doctor — with a due time on business time."""
    scope = scope_requiring(actor, "pipeline.add_followup")
    customer = customer_for_write(scope, customer_id, any_owner=True)
    question = (question or "").strip()
    if not question:
        raise ValidationError(_("请填写客户的问题"), field="question")
    if (
        center_id is not None
        and not Department.objects.filter(pk=center_id, site_id=customer.site_id).exists()
    ):
        raise ValidationError(_("请选择本院区的科室/中心"), field="center_id")
    doctor = route_clinical(customer_id=customer.pk, center_id=center_id)
    if doctor is None:
        raise ValidationError(
            _("找不到为该客户治疗的医生，且该科室未设置负责（值班）医生"), field="center_id",
            log_message=f"no doctor to route customer {customer.pk}",
        )  # fmt: skip
    return _clinical(
        customer=customer, doctor=doctor, question=question, start=raised_at or timezone.now(), deal_id=None
    )


def course_end_followup(*, package: Package, last_use: SessionUse) -> FollowUp:
    """The course has ended (疗程结束): a clinical follow-up with the doctor who performed the
    last session, due on business time. Called inside `session_consume`'s transaction."""
    deal_id = package.deal_line.deal_id if package.deal_line_id else None
    return _clinical(
        customer=package.customer, doctor=last_use.performed_by,
        question=_("疗程结束回访：%(item)s（共 %(n)s 次）") % {"item": package.item, "n": package.sessions_total},
        start=last_use.used_at, deal_id=deal_id,
    )  # fmt: skip


@as_actor
@transaction.atomic
def clinical_answer(*, actor, followup_id: int, answer: str) -> FollowUp:
    """The doctor answers a clinical follow-up; the answer shows on the customer's timeline.
    Only the assigned doctor (or a manager of the site) may answer, once."""
    scope = scope_requiring(actor, "pipeline.change_followup")
    followup = FollowUp.objects.select_for_update().filter(pk=followup_id, kind=FollowUpKind.CLINICAL).first()
    if followup is None:
        raise NotFound(_("诊疗回访不存在或无权访问"))
    customer_for_write(scope, followup.customer_id, any_owner=True)
    is_manager = scope.is_superuser or (not scope.own_only and scope.can("pipeline.change_customer"))
    if followup.staff_id != scope.staff_id and not is_manager:
        raise PermissionDenied(
            _("只有被指派的医生可以答复"), log_message=f"followup {followup.pk} not assigned"
        )
    if followup.done_on is not None:
        raise ValidationError(_("该回访已答复"), field="answer")
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError(_("请填写答复内容"), field="answer")
    now = timezone.now()
    followup.answer, followup.answered_at = answer, now
    followup.done_on, followup.outcome = timezone.localdate(), FollowUpOutcome.REACHED
    followup.save(update_fields=["answer", "answered_at", "done_on", "outcome"])
    center_id = followup.staff.department_id if followup.staff_id else None
    if followup.deal_id and center_id:
        journey.record_for_deal(
            deal_id=followup.deal_id, center_id=center_id, events={Event.CLINICAL_FOLLOWUP: now}
        )
    return followup
