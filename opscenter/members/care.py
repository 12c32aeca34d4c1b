"""Care tasks (关怀任务) from the benefits of each member's tier: generation and closing.

Generation is idempotent: every task has a key (kind + period) unique per customer, so running it
twice — nightly, on demand, from the demo — creates nothing new. Periods: follow-ups every
`followup_days` days (counted from 2000-01-01, the task due at the end of the period), birthday
tasks when the birthday falls within the next 30 days (due on the birthday), quarterly gift and
salon invitation once per calendar quarter (due on the quarter's last day). A task carries the
benefit's value as it stood when the task was made (`benefit_values`): the birthday coupon's amount
and name, the birthday-month discount as a rate, the quarterly gift's description.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core import audit
from opscenter.core.audit import as_actor
from opscenter.core.exceptions import NotFound, PermissionDenied, ValidationError
from opscenter.members.choices import CARE_TASK_TRANSITIONS, CareTaskKind, CareTaskStatus, RuleSetStatus
from opscenter.members.models import CareTask, MemberTier, TierRuleSet
from opscenter.members.rules import discount_rate
from opscenter.org.selectors import scope_for

EPOCH = dt.date(2000, 1, 1)
BIRTHDAY_LOOKAHEAD_DAYS = 30
BATCH = 2000


def _birthday_in(year: int, birthday: dt.date) -> dt.date:
    try:
        return birthday.replace(year=year)
    except ValueError:  # 29 February in a common year
        return dt.date(year, 2, 28)


def _quarter_end(day: dt.date) -> tuple[str, dt.date]:
    q = (day.month - 1) // 3 + 1
    end = dt.date(day.year + (q == 4), 1 if q == 4 else q * 3 + 1, 1) - dt.timedelta(days=1)
    return f"{day.year}Q{q}", end


def benefit_values(benefits: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Kind → the CareTask fields that carry the benefit's value (only kinds that have one). A
    version saved before 10 折 was refused may still say "10": no discount, so no rate."""
    rate = discount_rate(benefits.get("discount"))
    coupon = benefits.get("coupon_fen")
    return {
        CareTaskKind.BIRTHDAY_COUPON: {
            "amount_fen": coupon if isinstance(coupon, int) and coupon >= 0 else None,
            "detail": (benefits.get("coupon_name") or "")[:100],
        },
        CareTaskKind.BIRTHDAY_DISCOUNT: {
            "discount_rate": rate if rate is not None and 0 < rate < 1 else None
        },
        CareTaskKind.QUARTERLY_GIFT: {"detail": (benefits.get("gift") or "")[:100]},
    }


def tasks_for(benefits: dict[str, Any], *, tier: str, birthday: dt.date | None, as_of: dt.date):
    """(kind, key, due_on) of the tasks a member with these benefits is due for as of a date."""
    out = []
    days = benefits.get("followup_days") or 0
    if days:
        period = (as_of - EPOCH).days // days
        due = EPOCH + dt.timedelta(days=(period + 1) * days - 1)
        out.append((CareTaskKind.FOLLOWUP, f"followup:{days}:{period}", due))
    if birthday is not None and benefits.get("birthday"):
        for year in (as_of.year, as_of.year + 1):
            day = _birthday_in(year, birthday)
            if 0 <= (day - as_of).days <= BIRTHDAY_LOOKAHEAD_DAYS:
                out.extend((kind, f"{kind}:{year}", day) for kind in benefits["birthday"])
    label, end = _quarter_end(as_of)
    if benefits.get("quarterly_gift"):
        out.append((CareTaskKind.QUARTERLY_GIFT, f"gift:{label}", end))
    if benefits.get("salon"):
        out.append((CareTaskKind.SALON, f"salon:{label}", end))
    return out


@transaction.atomic
def care_tasks_generate(*, site_id: int, as_of: dt.date | None = None) -> int:
    """Create the care tasks the site's members are due for under the active rule set's benefits,
    assigned to each customer's owning consultant. Idempotent; returns how many were created."""
    as_of = as_of or timezone.localdate()
    rule_set = TierRuleSet.objects.filter(site_id=site_id, status=RuleSetStatus.ACTIVE).first()
    if rule_set is None:
        return 0
    benefits = {t["code"]: t.get("benefits") or {} for t in rule_set.definition.get("tiers", [])}
    values = {code: benefit_values(b) for code, b in benefits.items()}
    rows = (
        MemberTier.objects.filter(site_id=site_id, customer__is_deleted=False)
        .values_list("customer_id", "tier", "customer__owner_id", "customer__birthday")
        .order_by("customer_id")
        .iterator(chunk_size=BATCH)
    )
    created, batch = 0, []
    for customer_id, tier, owner_id, birthday in rows:
        for kind, key, due in tasks_for(benefits.get(tier, {}), tier=tier, birthday=birthday, as_of=as_of):
            batch.append(
                CareTask(
                    site_id=site_id,
                    customer_id=customer_id,
                    assignee_id=owner_id,
                    kind=kind,
                    tier=tier,
                    due_on=due,
                    key=key,
                    **values.get(tier, {}).get(kind, {}),
                )
            )
        if len(batch) >= BATCH:
            created += _insert(batch)
            batch = []
    return created + _insert(batch)


def _insert(batch: list[CareTask]) -> int:
    if not batch:
        return 0
    keys = {(t.customer_id, t.key) for t in batch}
    existing = set(
        CareTask.objects.filter(
            customer_id__in={c for c, _ in keys}, key__in={k for _, k in keys}
        ).values_list("customer_id", "key")
    )
    fresh = [t for t in batch if (t.customer_id, t.key) not in existing]
    CareTask.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


@as_actor
@transaction.atomic
def care_task_close(*, actor, task_id: int, status: str, note: str = "") -> CareTask:
    """Mark a care task done or skipped (跳过 needs a reason). The assigned consultant closes their
    own tasks; members managers (change permission) close any task of their site. Claimed with a
    conditional UPDATE so two people never close the same task twice."""
    task = CareTask.objects.filter(pk=task_id).first()
    scope = scope_for(actor)
    if task is None or not scope.sees_site(task.site_id):
        raise NotFound(_("关怀任务不存在或无权访问"))
    own = scope.staff_id is not None and task.assignee_id == scope.staff_id
    if not own and not (scope.can("members.change_caretask") and scope.writes_site(task.site_id)):
        raise PermissionDenied(_("只能处理分配给自己的关怀任务"), log_message=f"care task {task.pk} not own")
    if status not in CARE_TASK_TRANSITIONS.get(CareTaskStatus.OPEN, set()):
        raise ValidationError(_("任务状态不正确"), field="status")
    note = (note or "").strip()
    if status == CareTaskStatus.SKIPPED and not note:
        raise ValidationError(_("跳过任务请填写原因"), field="note")
    claimed = CareTask.objects.filter(pk=task.pk, status=CareTaskStatus.OPEN).update(
        status=status,
        note=note[:300],
        done_at=timezone.now(),
        done_by=actor if getattr(actor, "pk", None) else None,
    )
    if claimed != 1:
        raise ValidationError(
            _("该任务已处理"), field="status", log_message=f"care task {task.pk} already closed"
        )
    task.refresh_from_db()
    audit.record_event(  # i18n: data (stored with the record)
        task, f"关怀任务{task.get_status_display()}", {"status": [CareTaskStatus.OPEN.value, status]}
    )
    return task
