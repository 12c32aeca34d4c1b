"""Demo step: example trees for every demo site; a year of the delivery example and of complaints,
and the pipeline instances of the last half year from the pipeline demo's own events (what the
monitor's sync covers, `pipeline_sync.WINDOW_DAYS`); work orders in every state,
anomaly rules, and one monitor pass so the monitoring page and reports are populated.
Idempotent: a site that already has complaints is left alone."""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from opscenter.commitments import examples, services
from opscenter.commitments.choices import Channel, Event, Severity, WorkOrderStatus
from opscenter.commitments.models import AnomalyRule, Complaint, WorkOrder
from opscenter.commitments.monitor import run_monitor
from opscenter.commitments.pipeline_sync import sync_pipeline
from opscenter.core.audit import audit_context
from opscenter.core.businesstime import add_business_time
from opscenter.core.calendars import work_calendar_for
from opscenter.org.models import Department, Site

SITE_CODES = ("sunshine", "meilai", "hotline")
OPS_LOGINS = {"sunshine": "demo-ops", "meilai": "demo-ops-meilai", "hotline": "demo-callcenter"}
CATEGORIES = {
    "sunshine": ("护理服务", "餐饮质量", "设施维修", "收费疑问", "探视安排"),
    "meilai": ("术后恢复", "等候时间", "收费争议", "服务态度", "预约改期"),
    "hotline": ("接通等待", "答复不准确", "服务态度", "转办延误"),
}
CHANNELS = (Channel.PHONE, Channel.PHONE, Channel.IN_PERSON, Channel.ONLINE, Channel.FEEDBACK_BOX,
            Channel.HEAD_OFFICE, Channel.FOLLOWUP)  # fmt: skip
DAYS = 365
ORDERS = 80
COMPLAINTS = 50


def generate(*, seed: int, stdout) -> None:
    rng = random.Random(f"opscenter-commitments-{seed}")
    now = timezone.now()
    User = get_user_model()
    created = False
    for code in SITE_CODES:
        site = Site.objects.filter(code=code).select_related("calendar").first()
        if site is None:
            stdout.write(f"院区 {code} 不存在，跳过服务承诺")
            continue
        if Complaint.objects.filter(site=site).exists():
            stdout.write(f"{site.name}：服务承诺演示数据已存在，跳过")
            continue
        actor = User.objects.filter(username=OPS_LOGINS[code]).first()
        with audit_context(None, "cli", "演示数据"), transaction.atomic():
            examples.delivery_tree(site)
            examples.complaint_tree(site)
            examples.pipeline_tree(site)
            orders = _deliveries(site, rng, now)
            recorded = sync_pipeline(now=now, site_id=site.pk)
            complaints = _complaints(site, actor, rng, now)
            _rules(site)
        created = True
        stdout.write(f"{site.name}：送货示例 {orders} 单，客户流程测量 {recorded} 个，投诉 {complaints} 件")
    if not created:
        return  # loading again changes nothing (not even a monitor pass)
    result = run_monitor(now, sync=False)
    stdout.write(f"承诺监控：预警 {result.warned}，超时 {result.breached}，异动 {result.anomalies_opened}")


def _deliveries(site: Site, rng: random.Random, now: dt.datetime) -> int:
    """Seed 001's delivery example: orders over the year, mostly on time, some waiting too long in
    dispatch or in logistics (so breaches are attributed to either stage), a few still open."""
    tree = examples.delivery_tree(site)
    commitments = list(tree.commitments.all())
    calendar = work_calendar_for(site.calendar)
    n = 0
    for i in range(ORDERS):
        # The last dozen orders are this week's: still running, so the demo's monitor pass moves
        # them into warning and breach (notices, breach work orders) as it would live.
        recent = i >= ORDERS - 10
        placed = now - dt.timedelta(
            days=rng.uniform(0, 4) if recent else rng.uniform(0, DAYS), hours=rng.uniform(0, 8)
        )
        entered = add_business_time(
            placed, dt.timedelta(minutes=rng.choice((20, 45, 90, 110, 150))), calendar
        )
        waiting = rng.choice((60, 120, 180, 200, 230, 420, 600))
        shipped = add_business_time(entered, dt.timedelta(minutes=waiting), calendar)
        transit = rng.choice((300, 480, 600, 700, 800, 1100))
        delivered = add_business_time(shipped, dt.timedelta(minutes=transit), calendar)
        events = {Event.ORDER_PLACED: placed, Event.ORDER_ENTERED: entered, Event.SHIPPED: shipped,
                  Event.DELIVERED: delivered}  # fmt: skip
        events = {k: v for k, v in events.items() if v <= now}
        services.measurement_record(
            tree=tree,
            subject_kind="order",
            subject_ref=f"SO-{site.code}-{i + 1:04d}",
            label=f"订单 SO-{i + 1:04d}",
            events=events,
            calendar=calendar,
            commitments=commitments,
            now=None if recent else now,
        )
        n += 1
    return n


def _complaints(site: Site, actor, rng: random.Random, now: dt.datetime) -> int:
    """Complaints over the year against the site's front-line departments; older ones closed,
    recent ones in every state of the loop."""
    departments = list(
        Department.objects.filter(
            site=site, kind__in=("nursing", "customer", "medical", "call_center", "marketing")
        )
    )
    if not departments or actor is None:
        return 0
    calendar = work_calendar_for(site.calendar)
    count = 0
    for i in range(COMPLAINTS):
        age = rng.uniform(0, DAYS) if i >= 8 else rng.uniform(0, 6)
        received = now - dt.timedelta(days=age)
        received = add_business_time(received, dt.timedelta(0), calendar)
        if received > now:
            received = now - dt.timedelta(hours=1)
        channel = rng.choice(CHANNELS)
        escalated = rng.random() < 0.12
        complaint = services.complaint_register(
            actor=actor,
            department_id=rng.choice(departments).pk,
            customer_name=f"客户{i + 1:03d}",
            channel=channel,
            category=rng.choice(CATEGORIES[site.code]),
            content="演示投诉内容",
            severity=rng.choice((Severity.LOW, Severity.LOW, Severity.MEDIUM, Severity.HIGH)),
            escalated=escalated,
            escalated_to="总公司客服部" if escalated else "",
            received_at=received,
        )
        count += 1
        wo = WorkOrder.objects.get(source="complaint", source_ref=str(complaint.pk))
        if wo.status != WorkOrderStatus.DISPATCHED:
            continue
        steps = rng.choice((0, 1, 2, 3, 3, 3, 3, 3)) if age < 6 else 3
        at = received
        for step, to in enumerate(
            (WorkOrderStatus.IN_PROGRESS, WorkOrderStatus.RESOLVED, WorkOrderStatus.VERIFIED)
        ):
            if step >= steps:
                break
            at = add_business_time(at, dt.timedelta(minutes=rng.choice((30, 120, 300, 600, 900))), calendar)
            if at > now:
                break
            wo.refresh_from_db()
            services.work_order_transition(
                actor=actor,
                work_order_id=wo.pk,
                to_status=to,
                version=wo.version,
                now=at,
                resolution="已联系客户并整改" if to == WorkOrderStatus.RESOLVED else "",
                satisfaction=rng.choice((3, 4, 5, 5)) if to == WorkOrderStatus.VERIFIED else None,
            )
    return count


def _rules(site: Site) -> None:
    target = (
        Department.objects.filter(site=site, kind="operations").first()
        or Department.objects.filter(site=site).first()
    )
    if target is None or AnomalyRule.objects.filter(site=site).exists():
        return
    services.anomaly_rule_create(
        actor=None,
        site_id=site.pk,
        name="部门周承诺按时率低于 60%（连续 2 周）",
        metric="commitments.on_time_rate",
        grain="department",
        period="week",
        comparison="below",
        bound="0.6",
        consecutive=2,
        department_id=target.pk,
    )
    services.anomaly_rule_create(
        actor=None,
        site_id=site.pk,
        name="部门月投诉数高于 4 件",
        metric="commitments.complaints",
        grain="department",
        period="month",
        comparison="above",
        bound="4",
        consecutive=1,
        department_id=target.pk,
    )
