"""Writes of the appraisal app (STYLE.md: `<entity>_<verb>`, keyword-only, atomic)."""

from opscenter.appraisal.services.allocation import allocation_save  # noqa: F401
from opscenter.appraisal.services.incentives import contest_save, plan_stages_set  # noqa: F401
from opscenter.appraisal.services.partners import contract_add, partner_grade_from_appraisals, partner_save  # noqa: F401
from opscenter.appraisal.services.pay import (  # noqa: F401
    instalments_pay_due,
    payout_compute,
    payout_publish,
    plan_bases_set,
    plan_brackets_set,
    plan_create,
    plan_params_set,
)
from opscenter.appraisal.services.referrals import referral_record, referral_withdraw  # noqa: F401
from opscenter.appraisal.services.runs import (  # noqa: F401
    appeal_decide,
    appeal_file,
    appraisal_recompute,
    appraisal_run,
    interview_record,
    is_published,
    item_score_enter,
    parse_period,
    period_get_or_create,
    period_publish,
    published_site_ids,
    rule_event_add,
    run_enqueue,
    run_execute,
)
from opscenter.appraisal.services.scorecards import (  # noqa: F401
    scorecard_bands_set,
    scorecard_create,
    scorecard_item_delete,
    scorecard_item_save,
    scorecard_new_version,
    scorecard_publish,
    scorecard_rule_delete,
    scorecard_rule_save,
    weight_gap,
)
from opscenter.appraisal.services.settlement import payout_staff_leave  # noqa: F401
