"""Appraisal's block in monthly reports (site and department reports): published results of the
month — average score, top and lowest band counts, on-time publication — and 全员营销 referrals.
Each value drills down to the period's results ranked for the unit (scoped like the statements)."""

from django.utils.translation import gettext_lazy as _

from opscenter.reports.blocks import ReportBlock, register_block

register_block(
    ReportBlock(
        "appraisal",
        _("绩效考核"),
        (
            "appraisal.average_score",
            "appraisal.top_grade_count",
            "appraisal.lowest_grade_count",
            "appraisal.published_on_time",
            "appraisal.referrals",
        ),
        order=90,
    )
)
