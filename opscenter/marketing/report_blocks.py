"""Marketing's block in weekly / monthly reports (the ratios answer months only, so a weekly
report shows spend and attendance)."""

from django.utils.translation import gettext_lazy as _

from opscenter.reports.blocks import ReportBlock, register_block

register_block(
    ReportBlock(
        "marketing",
        _("营销投入"),
        (
            "marketing.spend",
            "marketing.cost_per_deal",
            "marketing.return_on_spend",
            "marketing.spend_share",
            "marketing.invitations_attended",
        ),
        order=65,
    )
)
