"""Screens of the appraisal app. Thin: scoped fetch → input → service → redirect."""

from opscenter.appraisal.views.appraisals import *  # noqa: F403
from opscenter.appraisal.views.incentives import *  # noqa: F403
from opscenter.appraisal.views.pay import *  # noqa: F403
from opscenter.appraisal.views.referrals import *  # noqa: F403
from opscenter.appraisal.views.scorecards import *  # noqa: F403
