"""Demo step: two consultants of 阳光颐养社区's 市场部 have left (seed 000: the marketing team
shrinking and the customers lost with the people), their work handed over — one to a named
colleague, one spread over the team — through `staff_hand_over`, so the staff pages, the
customers' history and the workforce figures (org:workforce) show it. Idempotent: skipped when a
staff member of the site has already left."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max

from opscenter.core.models import User
from opscenter.org.models import Site, Staff
from opscenter.pipeline.demo.common import consultants
from opscenter.pipeline.models import Consultation
from opscenter.pipeline.services.handover import staff_hand_over

# (team, days before the demo's last day, to the team leader by name or to the team)
LEAVERS = (("销售二组", 60, False), ("销售一组", 12, True))
MOVED_LABELS = {"customers": "客户", "followups": "回访", "appointments": "预约", "care_tasks": "关怀任务"}


def generate(*, seed: int, stdout) -> None:
    site = Site.objects.filter(code="sunshine").first()
    actor = User.objects.filter(username="demo-ops").first()
    if site is None or actor is None:
        stdout.write("阳光颐养社区或 demo-ops 不存在，跳过离职交接 (skipped)")
        return
    if Staff.objects.filter(department__site=site, left_on__isnull=False).exists():
        stdout.write(f"{site.name} 已有离职员工，跳过离职交接")
        return
    last = Consultation.objects.filter(site=site).aggregate(last=Max("occurred_at"))["last"]
    if last is None:
        stdout.write(f"{site.name} 没有客户数据，跳过离职交接")
        return
    last_day = last.date()
    for team_name, days_before, to_leader in LEAVERS:
        team = [
            s for s in consultants(site, team_name) if not (s.user and s.user.username == "demo-consultant")
        ]
        if len(team) < 2:
            continue
        leaver, receiver = team[-1], team[0]
        left_on = last_day - dt.timedelta(days=days_before)
        if leaver.hired_on and leaver.hired_on > left_on:
            leaver.hired_on = left_on - dt.timedelta(days=400)
            leaver.save(update_fields=["hired_on"])
        result = staff_hand_over(actor=actor, staff_id=leaver.pk, to_staff_id=receiver.pk if to_leader else None,
                                 reason="员工离职（演示数据）", left_on=left_on)  # fmt: skip
        moved = "，".join(f"{MOVED_LABELS.get(k, k)} {v}" for k, v in result.moved.items())
        stdout.write(f"{site.name}：{leaver.name} {left_on} 离职，交接 {moved}")
