from opscenter.marketing.views.campaigns import (
    campaign_action,
    campaign_create,
    campaign_detail,
    campaign_list,
    landing,
)
from opscenter.marketing.views.content import content_data, content_list, grading
from opscenter.marketing.views.partners import (
    partner_action,
    partner_detail,
    partner_list,
    statement_confirm,
    statement_detail,
    tour_list,
)
from opscenter.marketing.views.roi import budget, cost_line_list, cost_line_reverse, roi, roi_data, roi_rows

__all__ = [
    "budget",
    "campaign_action",
    "campaign_create",
    "campaign_detail",
    "campaign_list",
    "content_data",
    "content_list",
    "cost_line_list",
    "cost_line_reverse",
    "grading",
    "landing",
    "partner_action",
    "partner_detail",
    "partner_list",
    "roi",
    "roi_data",
    "roi_rows",
    "statement_confirm",
    "statement_detail",
    "tour_list",
]
