"""Follow-up completion (回访完成): how many of the follow-ups scheduled in a month were done.

Counting model, kept in one place so a number and its drill-down are the same rows:

* A follow-up counts in the month it was **scheduled** for (`FollowUp.month`, of `scheduled_on`),
  whenever it was done: the plan is "get this month's follow-ups done", so one scheduled for
  March and done on 2 April completes March (March's number may still grow after the month).
  The funnel's view (cohort / event) does not apply: follow-ups have no first-contact month.
* **Completed** (`followups_done`): `done_on` is set and the outcome is not 未接通. `done_on` is
  stamped for every recorded outcome, an unanswered call included — it closes the to-do — but
  the point of a follow-up is to reach the customer (and hear their satisfaction), so an
  unreachable attempt is not a completed follow-up. Reached, complaint and rebooked are.
* **Scheduled** (`followups_scheduled`): every follow-up of the month; completion rate =
  completed ÷ scheduled.
* Scope: the user's sites; a consultant sees the follow-ups assigned to them (`staff`, the person
  credited with doing it — the funnel credits the event's owner the same way). Filters: `site`;
  `consultant` is the follow-up's staff; `team` / `department` go through the staff's team
  (FollowUp has no team column, so this is the staff member's current team, and a department is
  the follow-ups of its teams, as in the funnel); `channel` / `channel_kind` are the customer's
  source channel. Follow-ups of deleted customers are left out, as in the follow-up lists.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opscenter.core.exceptions import ValidationError
from opscenter.org.selectors import scope_for
from opscenter.pipeline.choices import FollowUpOutcome
from opscenter.pipeline.models import FollowUp
from opscenter.pipeline.periods import month_span
from opscenter.pipeline.selectors.funnel import FunnelFilters

_DONE = Q(done_on__isnull=False) & ~Q(outcome=FollowUpOutcome.UNREACHABLE)

# key → (label, condition)
FOLLOWUP_METRICS: dict[str, tuple[str, Q]] = {
    "followups_done": (_("回访完成量"), _DONE),
    "followups_scheduled": (_("计划回访量"), Q()),
}


def _followups(user, filters: FunnelFilters) -> QuerySet[FollowUp]:
    """Scoped follow-ups scheduled in the period, with the funnel's filters applied."""
    scope = scope_for(user)
    if not scope.can("pipeline.view_followup"):
        return FollowUp.objects.none()
    qs = scope.filter_sites(FollowUp.objects.filter(customer__is_deleted=False), "site")
    if scope.own_only and not scope.is_superuser:
        qs = qs.filter(staff_id=scope.staff_id) if scope.staff_id else qs.none()
    qs = qs.filter(month__gte=filters.month_from, month__lte=filters.month_to)
    wanted = {
        "site_id": filters.site_id,
        "staff_id": filters.consultant_id,
        "staff__team_id": filters.team_id,
        "staff__team__department_id": filters.department_id,
        "customer__channel_id": filters.channel_id,
        "customer__channel_kind": filters.channel_kind,
    }
    return qs.filter(**{k: v for k, v in wanted.items() if v is not None})


def followup_counts(
    *, user, filters: FunnelFilters, keys: Iterable[str] = tuple(FOLLOWUP_METRICS)
) -> dict[int, dict[str, int]]:
    """{yyyymm: {key: n}} for every month of the period (zeros included); one grouped query."""
    wanted = list(dict.fromkeys(keys))
    for key in wanted:
        if key not in FOLLOWUP_METRICS:
            raise ValidationError(gettext("未知的回访指标：%(key)s") % {"key": key}, field="metric")
    months = {month: dict.fromkeys(wanted, 0) for month in month_span(filters.month_from, filters.month_to)}
    grouped = (
        _followups(user, filters)
        .values("month")
        .annotate(**{key: Count("pk", filter=FOLLOWUP_METRICS[key][1]) for key in wanted})
        .order_by("month")
    )
    for values in grouped:
        for key in wanted:
            months[values["month"]][key] = values[key]
    return months


def followup_rows(*, user, filters: FunnelFilters, metric: str = "followups_done") -> QuerySet[FollowUp]:
    """Exactly the follow-ups counted under `metric` (narrow to a month with `filters.for_month`)."""
    if metric not in FOLLOWUP_METRICS:
        raise ValidationError(gettext("未知的回访指标：%(metric)s") % {"metric": metric}, field="metric")
    return (
        _followups(user, filters)
        .filter(FOLLOWUP_METRICS[metric][1])
        .select_related("customer", "staff")
        .order_by("scheduled_on", "pk")
    )


def followup_metric_label(metric: str) -> str:
    return FOLLOWUP_METRICS[metric][0] if metric in FOLLOWUP_METRICS else metric
