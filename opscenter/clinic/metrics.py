"""Credited revenue (归属营收): the clinic's revenue credited to whoever earned it, registered as
a target metric so that allocations to centers (科室/中心) and doctors get real actuals.

Net revenue = purchases − refunds of the pipeline's transactions in the month (event view; gifts
have no price and never count). Under a unit's filters:
* site: every transaction of the site;
* department: rows credited to it as the treatment center, or sold by a consultant of it;
* team: rows sold by a consultant of the team;
* staff: rows where the person is the performing doctor or the selling consultant (a row counts
  once even when both are the same person).
Drill-down: `clinic:credited_rows` lists exactly the rows summed.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from opscenter.org.choices import SiteKind
from opscenter.targets.metrics import TargetMetric, register

CREDITED_REVENUE = "credited_revenue_fen"


def _counts(user, filters, keys):
    from opscenter.clinic.selectors import credited_revenue_by_month

    months = credited_revenue_by_month(user=user, filters=filters)
    return {month: {CREDITED_REVENUE: value} for month, value in months.items()}


def _drill(filters) -> str:
    params = {k: v for k, v in filters.as_params().items() if k != "view"}
    return f"{reverse('clinic:credited_rows')}?{urlencode(params)}"


register(
    TargetMetric(
        CREDITED_REVENUE,
        _("归属营收（科室/医生/咨询师）"),
        money=True,
        counts=_counts,
        drill=_drill,
        site_kinds=frozenset({SiteKind.AESTHETICS, SiteKind.HOSPITAL}),
    )
)


def _expose_in_the_registry() -> None:
    """The one metric registry exposes the targets' metrics as `targets.<key>`; it listed them when
    the metrics app became ready, before this app registered, so list them again (replaces)."""
    from opscenter.metrics.adapters.targets import register_all

    register_all()


_expose_in_the_registry()
