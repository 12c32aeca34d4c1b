"""Care's block in weekly / monthly reports (site reports: its metrics answer sites).

The incident rate per 1,000 resident-days is left out: the reports show a rate as a percentage."""

from django.utils.translation import gettext_lazy as _

from opscenter.reports.blocks import ReportBlock, register_block

register_block(
    ReportBlock(
        "care",
        _("照护与风险"),
        (
            "care.resident_days",
            "care.occupancy",
            "care.incidents",
            "care.overdue_reviews",
            "care.disagreement_rate",
        ),
        order=70,
    )
)
