"""Writes of the commitments app (STYLE.md: `<entity>_<verb>`, keyword-only, atomic)."""

from opscenter.commitments.services.anomalies import anomaly_rule_create, evaluate_rules
from opscenter.commitments.services.complaints import (
    complaint_answered,
    complaint_from_followup,
    complaint_register,
)
from opscenter.commitments.services.measurements import events_for_subject, measurement_record
from opscenter.commitments.services.meetings import (
    meeting_agenda,
    meeting_decision_record,
    review_meeting_create,
)
from opscenter.commitments.services.perception import perception_point_create, perception_point_update
from opscenter.commitments.services.trees import (
    NodeSpec,
    commitment_add,
    commitment_remove,
    commitment_tree_create,
    commitment_tree_revise,
    commitment_tree_transition,
    commitment_update,
)
from opscenter.commitments.services.workorders import (
    ConflictError,
    work_order_attach,
    work_order_change_due,
    work_order_comment,
    work_order_open,
    work_order_transition,
)

__all__ = [
    "ConflictError",
    "NodeSpec",
    "anomaly_rule_create",
    "commitment_add",
    "commitment_remove",
    "commitment_tree_create",
    "commitment_tree_revise",
    "commitment_tree_transition",
    "commitment_update",
    "complaint_answered",
    "complaint_from_followup",
    "complaint_register",
    "evaluate_rules",
    "events_for_subject",
    "measurement_record",
    "meeting_agenda",
    "meeting_decision_record",
    "perception_point_create",
    "perception_point_update",
    "review_meeting_create",
    "work_order_attach",
    "work_order_change_due",
    "work_order_comment",
    "work_order_open",
    "work_order_transition",
]
