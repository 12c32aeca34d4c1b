"""Marketing: campaigns with invitations and attribution, the spend ledger, channel grading,
partner commission and group tours, WeChat content reach."""

from opscenter.marketing.models.campaigns import Campaign, Invitation, Touch
from opscenter.marketing.models.content import ContentPost
from opscenter.marketing.models.grading import ChannelGrade, GradeScheme
from opscenter.marketing.models.partners import (
    CommissionLine,
    CommissionRule,
    CommissionStatement,
    GroupTour,
    PartnerContact,
)
from opscenter.marketing.models.spend import Budget, CostLine

__all__ = [
    "Budget",
    "Campaign",
    "ChannelGrade",
    "CommissionLine",
    "CommissionRule",
    "CommissionStatement",
    "ContentPost",
    "CostLine",
    "GradeScheme",
    "GroupTour",
    "Invitation",
    "PartnerContact",
    "Touch",
]
