"""Writes of the customer pipeline. Every service takes `actor` (a user), checks the role's
permission and the site, and (for consultants) that the customer is their own.

Import from here: `from opscenter.pipeline import services; services.customer_register(...)`.
"""

from opscenter.pipeline.services.bulk import customers_reassign, followups_schedule
from opscenter.pipeline.services.contacts import FollowUpContact, followups_complete_by_contact
from opscenter.pipeline.services.customers import (
    channel_create,
    channel_update,
    customer_claim,
    customer_delete,
    customer_reassign,
    customer_register,
    customer_transition,
    customer_update,
    customer_version,
    exit_reason_create,
    exit_reason_update,
)
from opscenter.pipeline.services.disputes import dispute_open, dispute_settle
from opscenter.pipeline.services.events import (
    appointment_book,
    appointment_reschedule,
    appointment_transition,
    assessment_record,
    assessment_resolve,
    assessment_second_opinion,
    consultation_record,
    visit_register,
    visit_set_outcome,
    visit_triage,
)
from opscenter.pipeline.services.sales import (
    DealLineInput,
    deal_sign,
    deal_transition,
    exit_record,
    followup_complete,
    followup_schedule,
    transaction_record,
)

__all__ = [
    "DealLineInput",
    "FollowUpContact",
    "appointment_book",
    "appointment_reschedule",
    "appointment_transition",
    "assessment_record",
    "assessment_resolve",
    "assessment_second_opinion",
    "channel_create",
    "channel_update",
    "consultation_record",
    "customer_claim",
    "customer_delete",
    "customer_reassign",
    "customer_register",
    "customer_transition",
    "customer_update",
    "customer_version",
    "customers_reassign",
    "deal_sign",
    "deal_transition",
    "dispute_open",
    "dispute_settle",
    "exit_reason_create",
    "exit_reason_update",
    "exit_record",
    "followup_complete",
    "followup_schedule",
    "followups_complete_by_contact",
    "followups_schedule",
    "transaction_record",
    "visit_register",
    "visit_set_outcome",
    "visit_triage",
]
