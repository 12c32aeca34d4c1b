"""Customer pipeline models (issue 3): channels, customers and ownership, funnel events, sales."""

from opscenter.pipeline.models.customers import Channel, Customer, ExitReason, OwnershipChange
from opscenter.pipeline.models.disputes import Dispute
from opscenter.pipeline.models.events import Appointment, Assessment, Consultation, Visit
from opscenter.pipeline.models.sales import Deal, DealLine, Exit, FollowUp, Transaction

__all__ = [
    "Appointment",
    "Assessment",
    "Channel",
    "Consultation",
    "Customer",
    "Deal",
    "DealLine",
    "Dispute",
    "Exit",
    "ExitReason",
    "FollowUp",
    "OwnershipChange",
    "Transaction",
    "Visit",
]
