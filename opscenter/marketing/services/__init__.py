"""Writes of the marketing app (STYLE.md: `<entity>_<verb>`, keyword-only, atomic)."""

from opscenter.marketing.services.campaigns import (
    campaign_create,
    consultation_attribute,
    deal_attribute,
    invitation_bulk_create,
    invitation_transition,
    landing_submit,
    touch_record,
    touch_withdraw,
)
from opscenter.marketing.services.content import content_post_record
from opscenter.marketing.services.grading import channels_grade, channels_grade_due, grade_scheme_create
from opscenter.marketing.services.partners import (
    commission_rule_create,
    group_tour_record,
    partner_contact_add,
    statement_confirm,
    statement_generate,
    statement_lines,
)
from opscenter.marketing.services.spend import (
    budget_set,
    cost_line_build,
    cost_line_record,
    cost_line_reverse,
)

__all__ = [
    "budget_set",
    "campaign_create",
    "channels_grade",
    "channels_grade_due",
    "commission_rule_create",
    "consultation_attribute",
    "content_post_record",
    "cost_line_build",
    "cost_line_record",
    "cost_line_reverse",
    "deal_attribute",
    "grade_scheme_create",
    "group_tour_record",
    "invitation_bulk_create",
    "invitation_transition",
    "landing_submit",
    "partner_contact_add",
    "statement_confirm",
    "statement_generate",
    "statement_lines",
    "touch_record",
    "touch_withdraw",
]
