from opscenter.commitments.models.anomalies import Anomaly, AnomalyRule
from opscenter.commitments.models.complaints import Complaint
from opscenter.commitments.models.measurements import Measurement, StageMeasurement
from opscenter.commitments.models.meetings import MeetingDecision, ReviewMeeting
from opscenter.commitments.models.trees import Commitment, CommitmentTree, PerceptionPoint
from opscenter.commitments.models.workorders import WorkOrder, WorkOrderAttachment, WorkOrderEvent

__all__ = [
    "Anomaly",
    "AnomalyRule",
    "Commitment",
    "CommitmentTree",
    "Complaint",
    "Measurement",
    "MeetingDecision",
    "PerceptionPoint",
    "ReviewMeeting",
    "StageMeasurement",
    "WorkOrder",
    "WorkOrderAttachment",
    "WorkOrderEvent",
]
