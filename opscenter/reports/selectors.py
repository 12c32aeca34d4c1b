"""Reads of the report center, scoped by site."""

from __future__ import annotations

from django.db.models import QuerySet

from opscenter.org.selectors import scope_for
from opscenter.reports.models import Report


def report_list(*, user) -> QuerySet[Report]:
    scope = scope_for(user)
    if not scope.can("reports.view_report"):
        return Report.objects.none()
    return scope.filter_sites(Report.objects.select_related("site", "department"))


def report_get(*, user, report_id: int) -> Report | None:
    return report_list(user=user).filter(pk=report_id).first()
