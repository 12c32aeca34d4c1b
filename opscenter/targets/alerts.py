"""Targets at risk: when a unit's run-rate projection for the current month falls below the plan's
alert share of its target, its manager gets an in-app notification — once per allocation.

Idempotent "claim one": an allocation is claimed with
`UPDATE … SET alert_sent_at = now WHERE id = … AND alert_sent_at IS NULL` before anyone is told,
so the scheduled task and the command, run twice or at once, notify once.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core.audit import audit_context
from opscenter.org.models import Department, Staff, Team
from opscenter.org.roles import ROLE_BY_CODE
from opscenter.pipeline.periods import month_key
from opscenter.targets import actuals
from opscenter.targets.choices import Light, PlanStatus, UnitKind
from opscenter.targets.constants import PROGRESS_ALERT_MIN_ELAPSED
from opscenter.targets.metrics import is_money, metric_label
from opscenter.targets.models import Allocation, Notification, TargetPlan
from opscenter.targets.progress import Period, ProgressLine, plan_progress

log = logging.getLogger(__name__)


def _site_managers(site_id: int) -> list:
    ops = Group.objects.filter(name=ROLE_BY_CODE["operations"].name).first()
    staff = Staff.objects.filter(department__site_id=site_id, is_active=True, user__isnull=False,
                                 user__is_active=True)  # fmt: skip
    if ops is not None:
        staff = staff.filter(user__groups=ops)
    return [s.user for s in staff.select_related("user")]


def managers_of(site_id: int, line: ProgressLine) -> list:
    """Who hears about a unit: a department's manager, a team's leader (else its department's
    manager), a staff member's team leader, and for the site (or when nobody else is set) its
    operations managers."""
    leader = None
    if line.unit.kind == UnitKind.DEPARTMENT:
        department = Department.objects.select_related("manager__user").filter(pk=line.unit.pk).first()
        if department is not None:
            leader = department.manager
    elif line.unit.kind == UnitKind.TEAM:
        team = (
            Team.objects.select_related("leader__user", "department__manager__user")
            .filter(pk=line.unit.pk)
            .first()
        )
        if team is not None:
            leader = team.leader if team.leader_id else team.department.manager
    elif line.unit.kind == UnitKind.STAFF and line.unit.team_id:
        team = Team.objects.select_related("leader__user").filter(pk=line.unit.team_id).first()
        if team is not None and team.leader_id and team.leader_id != line.unit.pk:
            leader = team.leader
    if leader is not None and leader.user_id and leader.user.is_active:
        return [leader.user]
    return _site_managers(site_id)


def _fmt(value: int, money: bool) -> str:
    return f"¥{Decimal(value) / 100:,.2f}" if money else f"{value:,}"


def check_alerts(*, today: dt.date | None = None) -> int:
    """Check the current month of every active plan; returns the number of notifications sent."""
    today = today or timezone.localdate()
    month = month_key(today)
    period = Period(month, month)
    elapsed = period.elapsed(today)
    if elapsed < PROGRESS_ALERT_MIN_ELAPSED or elapsed >= 1:
        return 0
    plan_ids = (
        Allocation.objects.filter(
            month=month, alert_sent_at__isnull=True, plan_metric__plan__status=PlanStatus.ACTIVE
        )
        .values_list("plan_metric__plan_id", flat=True)
        .distinct()
    )
    sent = 0
    with audit_context(None, "task", _("目标预警")):
        for plan in TargetPlan.objects.filter(pk__in=list(plan_ids)).select_related("site"):
            progress = plan_progress(user=actuals.SYSTEM, plan=plan, period=period, today=today)
            cells = {
                (metric, key): pk
                for pk, metric, key in Allocation.objects.filter(
                    plan_metric__plan=plan, month=month, alert_sent_at__isnull=True
                ).values_list("pk", "plan_metric__metric", "unit_key")
            }
            for metric, lines in progress.lines.items():
                for line in lines:
                    pk = cells.get((metric, line.unit.key))
                    if pk is None or line.light != Light.RED:
                        continue
                    sent += _notify(plan, line, pk, month)
    return sent


def _notify(plan: TargetPlan, line: ProgressLine, allocation_id: int, month: int) -> int:
    with transaction.atomic():
        if (
            Allocation.objects.filter(pk=allocation_id, alert_sent_at__isnull=True).update(
                alert_sent_at=timezone.now()
            )
            != 1
        ):
            return 0  # claimed by another run
        money = is_money(line.metric)
        title = _("目标预警：%(label)s %(value)s年%(value2)s月%(metric_label)s") % {
            "label": line.unit.label,
            "value": month // 100,
            "value2": month % 100,
            "metric_label": metric_label(line.metric),
        }
        ratio = (
            _("，%(ratio_note)s") % {"ratio_note": line.ratio_note} if line.ratio_note else ""
        )  # follow-ups: 完成率 of those scheduled
        body = _(
            "%(name)s：目标 %(fmt)s，至今完成 %(fmt2)s%(ratio)s，按当前进度预计月底 %(fmt3)s，低于目标的 %(value)s%%。"
        ) % {
            "name": plan.site.name,
            "fmt": _fmt(line.target, money),
            "fmt2": _fmt(line.actual, money),
            "ratio": ratio,
            "fmt3": _fmt(line.projection or 0, money),
            "value": format(plan.alert_share * 100, ".0f"),
        }
        link = f"{reverse('targets:plan_progress', args=[plan.pk])}?period={month // 100}-{month % 100:02d}&metric={line.metric}"
        recipients = managers_of(plan.site_id, line)
        Notification.objects.bulk_create(
            Notification(recipient=user, title=title, body=body, link=link) for user in recipients
        )
    log.info("target alert %s sent to %d", allocation_id, len(recipients))
    return len(recipients)
