"""The call center's block in weekly / monthly reports (site reports: its metrics answer sites)."""

from django.utils.translation import gettext_lazy as _

from opscenter.reports.blocks import ReportBlock, register_block

register_block(
    ReportBlock(
        "callcenter",
        _("客服中心"),
        (
            "callcenter.offered",
            "callcenter.answered",
            "callcenter.service_level",
            "callcenter.abandon_rate",
            "callcenter.asa",
            "callcenter.aht",
            "callcenter.fcr",
            "callcenter.qa_average",
        ),
        order=60,
    )
)
