"""Pipeline screens: customer list/export/page, quick entry forms, assessments, follow-ups due,
funnel dashboard.

Thin function views: scoped fetch (selectors) → form → service → redirect (HX-Redirect for htmx)
or the form again with the service's message next to its field. Records out of the user's reach
are 404, actions outside their role 403 (`_common.domain_errors`).
"""

from opscenter.pipeline.views.assessments import (
    assessment_record,
    assessment_resolve,
    assessment_second_opinion,
)
from opscenter.pipeline.views.customers import (
    customer_bulk,
    customer_claim,
    customer_detail,
    customer_edit,
    customer_export,
    customer_list,
    customer_reassign,
    customer_register,
)
from opscenter.pipeline.views.events import (
    appointment_book,
    appointment_transition,
    consultation_quick,
    deal_cancel,
    deal_record,
    exit_record,
    visit_quick,
    visit_triage,
)
from opscenter.pipeline.views.followups import (
    followup_complete,
    followup_rows,
    followup_schedule,
    followups_due,
)
from opscenter.pipeline.views.funnel import funnel, funnel_data, funnel_rows
from opscenter.pipeline.views.queues import appointment_calendar, assessment_queue, deal_list, visit_list

__all__ = [
    "appointment_book",
    "appointment_calendar",
    "appointment_transition",
    "assessment_queue",
    "assessment_record",
    "assessment_resolve",
    "assessment_second_opinion",
    "consultation_quick",
    "customer_bulk",
    "customer_claim",
    "customer_detail",
    "customer_edit",
    "customer_export",
    "customer_list",
    "customer_reassign",
    "customer_register",
    "deal_cancel",
    "deal_list",
    "deal_record",
    "exit_record",
    "followup_complete",
    "followup_rows",
    "followup_schedule",
    "followups_due",
    "funnel",
    "funnel_data",
    "funnel_rows",
    "visit_list",
    "visit_quick",
    "visit_triage",
]
