"""The risk register's reads: due reviews and the periodic risk-resident summary (定期汇总风险客户)."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import F, Prefetch, Q

from opscenter.care.choices import RiskKind, RiskLevel
from opscenter.care.models import Incident, Residency, RiskAssessment, RiskMeasure, Transfer


def current_risks_at(site_id: int, day: dt.date):
    """The risk assessments current on `day`: assessed by then and not superseded by then."""
    return RiskAssessment.objects.filter(site_id=site_id, assessed_on__lte=day).filter(
        Q(superseded_on__isnull=True) | Q(superseded_on__gt=day)
    )


def due_reviews(
    *,
    site_id: int,
    today: dt.date,
    zone_id: int | None = None,
    nurse_id: int | None = None,
    within_days: int = 7,
):
    """Current risk assessments of residents in residence whose review is due within `within_days`
    (overdue ones first)."""
    qs = RiskAssessment.objects.filter(
        site_id=site_id,
        superseded_on__isnull=True,
        residency__ended_on__isnull=True,
        next_review_on__lte=today + dt.timedelta(days=within_days),
    ).select_related("residency__customer", "residency__zone", "residency__bed__room", "residency__nurse")
    if zone_id:
        qs = qs.filter(residency__zone_id=zone_id)
    if nurse_id:
        qs = qs.filter(residency__nurse_id=nurse_id)
    return qs.order_by("next_review_on", "pk")


def _flagged(site_id: int, start: dt.date, end: dt.date) -> dict[int, dict]:
    """Residents on the list for [start, end]: a medium/high risk current at `end`, or a cross-zone
    transfer or an incident in the period. {residency id: reasons}."""
    out: dict[int, dict] = defaultdict(lambda: {"risks": [], "transfers": [], "incidents": []})
    risks = (
        current_risks_at(site_id, end)
        .filter(level__in=[RiskLevel.MEDIUM, RiskLevel.HIGH])
        .filter(Q(residency__ended_on__isnull=True) | Q(residency__ended_on__gt=end))
        .prefetch_related(Prefetch("measures", queryset=RiskMeasure.objects.select_related("owner")))
    )
    for risk in risks:
        out[risk.residency_id]["risks"].append(risk)
    for transfer in Transfer.objects.filter(
        site_id=site_id, moved_on__gte=start, moved_on__lte=end
    ).select_related("from_zone", "to_zone"):
        if transfer.from_zone_id != transfer.to_zone_id:
            out[transfer.residency_id]["transfers"].append(transfer)
    for incident in Incident.objects.filter(
        site_id=site_id, day__gte=start.toordinal(), day__lte=end.toordinal()
    ):
        out[incident.residency_id]["incidents"].append(incident)
    return out


def risk_summary(*, site_id: int, start: dt.date, end: dt.date) -> dict:
    """The summary for [start, end] compared with the previous period (the previous calendar month
    when `start` is a month's first day, else the same length just before): the
    residents on the list with their risks, measures, cross-zone moves and incidents; counts by
    kind and level now and before; who is new on the list and who left it."""
    prev_end = start - dt.timedelta(days=1)
    if start.day == 1:  # a month (the current one possibly up to today): the previous whole month
        prev_start = prev_end.replace(day=1)
    else:
        prev_start = prev_end - dt.timedelta(days=(end - start).days)
    now = _flagged(site_id, start, end)
    before = _flagged(site_id, prev_start, prev_end)
    residencies = {
        r.pk: r
        for r in Residency.objects.filter(pk__in=set(now) | set(before)).select_related(
            "customer", "zone", "bed__room", "nurse"
        )
    }

    def counts(flagged):
        c = Counter()
        for reasons in flagged.values():
            for risk in reasons["risks"]:
                c[(risk.kind, risk.level)] += 1
        return c

    c_now, c_before = counts(now), counts(before)
    table = [
        {
            "kind": label,
            "levels": [
                {
                    "level": level_label,
                    "now": c_now[(kind, level)],
                    "before": c_before[(kind, level)],
                    "change": c_now[(kind, level)] - c_before[(kind, level)],
                }
                for level, level_label in (
                    (RiskLevel.HIGH, RiskLevel.HIGH.label),
                    (RiskLevel.MEDIUM, RiskLevel.MEDIUM.label),
                )
            ],
        }
        for kind, label in RiskKind.choices
    ]
    rows = [
        {"residency": residencies[pk], "new": pk not in before, **reasons}
        for pk, reasons in sorted(now.items(), key=lambda kv: residencies[kv[0]].customer.name)
    ]
    return {
        "start": start,
        "end": end,
        "prev_start": prev_start,
        "prev_end": prev_end,
        "rows": rows,
        "table": table,
        "count": len(now),
        "count_before": len(before),
        "left": [residencies[pk] for pk in before if pk not in now],
    }


MEASURE_STATUSES = ("open", "overdue", "done", "late", "all")


def measure_list(
    *,
    user,
    site_id: int,
    today: dt.date,
    status: str = "open",
    zone_id: int | None = None,
    owner_id: int | None = None,
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
):
    """Risk measures (防范措施) of the site's residents, scoped to what `user` sees: `open` (not done,
    overdue first), `overdue` (not done and past their date), `done`, `late` (not done by their
    date: still open past it, or done after it — the `care.overdue_measures` metric's rows) or
    `all`; by the resident's current zone, owner and due dates. Each row is annotated `is_overdue` (not done by its date, or done
    after it) and `days_late`."""
    from django.db.models import BooleanField, Case, Value, When

    from opscenter.org.selectors import scope_for

    qs = scope_for(user).filter_sites(RiskMeasure.objects.filter(risk__site_id=site_id), "risk__site")
    if status == "open":
        qs = qs.filter(done_on__isnull=True)
    elif status == "overdue":
        qs = qs.filter(done_on__isnull=True, due_on__lt=today)
    elif status == "done":
        qs = qs.filter(done_on__isnull=False)
    elif status == "late":
        qs = qs.filter(Q(done_on__isnull=True, due_on__lt=today) | Q(done_on__gt=F("due_on")))
    if due_from:
        qs = qs.filter(due_on__gte=due_from)
    if due_to:
        qs = qs.filter(due_on__lte=due_to)
    if zone_id:
        qs = qs.filter(risk__residency__zone_id=zone_id)
    if owner_id:
        qs = qs.filter(owner_id=owner_id)
    qs = qs.annotate(
        is_overdue=Case(
            When(done_on__isnull=True, due_on__lt=today, then=Value(True)),
            When(done_on__gt=F("due_on"), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    ).select_related(
        "risk__residency__customer", "risk__residency__zone", "risk__residency__bed__room", "owner", "done_by"
    )
    order = ["due_on", "pk"] if status in ("open", "overdue") else ["-due_on", "-pk"]
    return qs.order_by(*order)


def measure_counts(*, user, site_id: int, today: dt.date) -> dict[str, int]:
    """Open and overdue measures of the site (the numbers on the list's tabs): one query."""
    from django.db.models import Count

    from opscenter.org.selectors import scope_for

    qs = scope_for(user).filter_sites(
        RiskMeasure.objects.filter(risk__site_id=site_id, done_on__isnull=True), "risk__site"
    )
    return qs.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
