"""Anomaly rules as data: create (validated against the metric registry) and evaluate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opscenter.commitments.choices import Comparison, Priority, Source
from opscenter.commitments.models import Anomaly, AnomalyRule
from opscenter.commitments.services.workorders import work_order_open
from opscenter.core.audit import as_actor
from opscenter.core.exceptions import ValidationError
from opscenter.metrics import (
    GRAINS,
    INTERVAL,
    INTERVAL_MINUTES,
    PERIODS,
    get_metric,
    interval_values,
    metric_values,
)
from opscenter.metrics.registry import period_start, period_starts
from opscenter.org.models import Department, Site, Staff, Team
from opscenter.org.selectors import scope_for

GRAIN_LABELS = {
    "site": _("院区"),
    "department": _("部门"),
    "team": _("小组"),
    "staff": _("员工"),
    "channel": _("渠道"),
}
PERIOD_LABELS = {"day": _("日"), "week": _("周"), "month": _("月"), INTERVAL: _("半小时")}


@transaction.atomic
@as_actor
def anomaly_rule_create(
    *,
    actor,
    site_id: int,
    name: str,
    metric: str,
    grain: str,
    period: str,
    comparison: str,
    bound: Decimal | str,
    consecutive: int,
    department_id: int,
) -> AnomalyRule:
    """A new rule; an unknown metric, a grain or period the metric does not answer, or a bad
    bound is refused naming the field."""
    if actor is not None:
        scope = scope_for(actor)
        scope.require("commitments.add_anomalyrule")
        scope.require_site(site_id, write=True)
    if not name.strip():
        raise ValidationError(gettext("请填写规则名称"), field="name")
    m = get_metric(metric)
    if grain not in GRAINS or period not in (*PERIODS, INTERVAL) or not m.supports(grain, period):
        raise ValidationError(
            gettext("指标“%(label)s”不支持按%(grain)s×%(period)s统计")
            % {
                "label": m.label,
                "grain": GRAIN_LABELS.get(grain, grain),
                "period": PERIOD_LABELS.get(period, period),
            },
            field="grain",
        )
    if comparison not in Comparison.values:
        raise ValidationError(gettext("比较方式不正确"), field="comparison")
    try:
        value = Decimal(str(bound))
    except InvalidOperation:
        raise ValidationError(gettext("界限不是数字：%(bound)s") % {"bound": bound}, field="bound") from None
    if not 1 <= int(consecutive) <= 12:
        raise ValidationError(gettext("连续周期数应为 1–12"), field="consecutive")
    if not Department.objects.filter(pk=department_id, site_id=site_id).exists():
        raise ValidationError(gettext("工单派往部门必须属于该院区"), field="department")
    return AnomalyRule.objects.create(
        site_id=site_id,
        name=name.strip(),
        metric=metric,
        grain=grain,
        period=period,
        comparison=comparison,
        bound=value,
        consecutive=int(consecutive),
        department_id=department_id,
    )


def _out(value: Decimal | None, rule: AnomalyRule) -> bool:
    if value is None:
        return False
    return value < rule.bound if rule.comparison == Comparison.BELOW else value > rule.bound


def _units_of_site(grain: str, site_id: int) -> dict[int, str]:
    if grain == "site":
        return dict(Site.objects.filter(pk=site_id).values_list("pk", "name"))
    if grain == "department":
        return dict(Department.objects.filter(site_id=site_id).values_list("pk", "name"))
    if grain == "team":
        return dict(Team.objects.filter(department__site_id=site_id).values_list("pk", "name"))
    if grain == "channel":
        from opscenter.pipeline.models import Channel

        return dict(Channel.objects.filter(site_id=site_id, is_active=True).values_list("pk", "name"))
    return dict(Staff.objects.filter(department__site_id=site_id, is_active=True).values_list("pk", "name"))


def evaluate_rules(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Evaluate every active rule over its last complete periods: open one episode (and one work
    order) per unit out of bounds for `consecutive` periods, close episodes that recovered.
    One `metric_values` call per rule, whatever the number of units."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    opened = closed = 0
    for rule in AnomalyRule.objects.filter(is_active=True).select_related("site"):
        if rule.period == INTERVAL:
            o, c = _evaluate_intervals(rule, now)
            opened += o
            closed += c
            continue
        current = period_start(today, rule.period)
        first = current
        for _step in range(rule.consecutive):
            first = period_start(first - dt.timedelta(days=1), rule.period)
        periods = period_starts(first, current - dt.timedelta(days=1), rule.period)  # complete periods only
        units = _units_of_site(rule.grain, rule.site_id)
        values = metric_values(
            rule.metric,
            grain=rule.grain,
            period=rule.period,
            start=first,
            end=current - dt.timedelta(days=1),
            unit_ids=units.keys(),
        )
        open_eps = {a.unit_id: a for a in Anomaly.objects.filter(rule=rule, closed_at__isnull=True)}
        for unit_id, label in units.items():
            series = [values.get((unit_id, p)) for p in periods]
            numbers = [v.value if v is not None else None for v in series]
            latest = numbers[-1] if numbers else None
            is_out = bool(numbers) and all(_out(v, rule) for v in numbers)
            episode = open_eps.get(unit_id)
            if is_out and episode is None:
                opened += _open_episode(rule, unit_id, label, periods[0], latest, now)
            elif episode is not None and latest is not None and not _out(latest, rule):
                closed += Anomaly.objects.filter(pk=episode.pk, closed_at__isnull=True).update(closed_at=now)
    return {"opened": opened, "closed": closed}


def _evaluate_intervals(rule: AnomalyRule, now: dt.datetime) -> tuple[int, int]:
    """A half-hour rule over the last `consecutive` complete half hours (today's, on the clock)."""
    local = timezone.localtime(now)
    current = local.replace(minute=local.minute - local.minute % INTERVAL_MINUTES, second=0, microsecond=0)
    step = dt.timedelta(minutes=INTERVAL_MINUTES)
    starts = [current - step * k for k in range(rule.consecutive, 0, -1)]
    units = _units_of_site(rule.grain, rule.site_id)
    values = interval_values(
        rule.metric, grain=rule.grain, start=starts[0], end=current, unit_ids=units.keys()
    )
    open_eps = {a.unit_id: a for a in Anomaly.objects.filter(rule=rule, closed_at__isnull=True)}
    opened = closed = 0
    for unit_id, label in units.items():
        numbers = [v.value if (v := values.get((unit_id, s))) is not None else None for s in starts]
        latest = numbers[-1]
        episode = open_eps.get(unit_id)
        if all(_out(v, rule) for v in numbers) and episode is None:
            opened += _open_episode(rule, unit_id, label, starts[0].date(), latest, now)
        elif episode is not None and latest is not None and not _out(latest, rule):
            closed += Anomaly.objects.filter(pk=episode.pk, closed_at__isnull=True).update(closed_at=now)
    return opened, closed


def _open_episode(rule: AnomalyRule, unit_id: int, label: str, first: dt.date, latest, now) -> int:
    m = get_metric(rule.metric)
    try:
        with transaction.atomic():
            episode = Anomaly.objects.create(
                rule=rule,
                unit_id=unit_id,
                unit_label=label,
                first_period=first,
                last_value=latest,
                opened_at=now,
            )
    except IntegrityError:  # another monitor opened this episode
        return 0
    shown = f"{latest * 100:.1f}%" if m.unit == "rate" and latest is not None else f"{latest}"
    work_order = work_order_open(
        department_id=rule.department_id,
        title=gettext("异动：%(name)s（%(label)s）") % {"name": rule.name, "label": label},
        description=(
            gettext(
                "%(label)s 的%(metric)s连续 %(consecutive)s 个%(period)s%(comparison)s %(bound)s，最新值 %(shown)s。"
            )
            % {
                "label": label,
                "metric": m.label,
                "consecutive": rule.consecutive,
                "period": PERIOD_LABELS[rule.period],
                "comparison": Comparison(rule.comparison).label,
                "bound": rule.bound,
                "shown": shown,
            }
        ),
        source=Source.ANOMALY,
        source_ref=str(episode.pk),
        priority=Priority.HIGH,
        now=now,
    )
    Anomaly.objects.filter(pk=episode.pk).update(work_order=work_order)
    return 1
