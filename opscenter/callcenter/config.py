"""The call center's rules as data: queues (SL threshold and target, short-abandon threshold,
service hours) and business types (dispositions). Edited on the 规则设置 screen by call-center
managers and administrators only (`callcenter.change_queue` / `change_disposition`, checked here).

Every edit carries the version the editor saw: if someone else saved in between, the edit is
refused and nothing is written (optimistic version check). Each save is audited field by field
(the audit trail labels changes with the fields' Chinese names), so the screen shows who changed
which rule from what to what.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from opscenter.callcenter.models import Disposition, Queue
from opscenter.core.audit import as_actor
from opscenter.core.exceptions import NotFound, PermissionDenied, ValidationError
from opscenter.org.selectors import scope_for

MAX_SL_SECONDS = 600
MAX_SHORT_ABANDON_SECONDS = 60


def can_manage(user, site_id: int, model: str = "queue") -> bool:
    """Whether `user` may edit the site's queues (or business types): the change permission
    (call-center managers, administrators) and write access to the site."""
    scope = scope_for(user)
    return scope.can(f"callcenter.change_{model}") and scope.writes_site(site_id)


def _require_manage(actor, site_id: int, model: str) -> None:
    if not can_manage(actor, site_id, model):
        raise PermissionDenied(
            _("只有客服中心主管或管理员可以修改队列与业务类型"), log_message=f"missing change_{model}"
        )


def _stale() -> ValidationError:
    return ValidationError(_("该规则已被他人修改，请刷新后重新编辑"), field="version")


def _target(value) -> Decimal:
    try:
        target = Decimal(str(value).strip().rstrip("%"))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("服务水平目标应为 0–100 之间的百分数"), field="sl_target") from None
    if str(value).strip().endswith("%") or target > 1:
        target = target / 100
    if not Decimal(0) < target <= Decimal(1):
        raise ValidationError(_("服务水平目标应为 0–100 之间的百分数"), field="sl_target")
    return target.quantize(Decimal("0.0001"))


@transaction.atomic
@as_actor
def queue_update(
    *,
    actor,
    queue_id: int,
    version: int,
    name: str,
    sl_seconds: int,
    sl_target,
    short_abandon_seconds: int,
    opens_at: dt.time | None,
    closes_at: dt.time | None,
    is_active: bool = True,
) -> Queue:
    """Change a queue's service-level rule and hours. `sl_target` as 0.8, 80 or "80%"."""
    queue = Queue.objects.select_for_update().filter(pk=queue_id).first()
    if queue is None:
        raise NotFound(_("队列不存在"))
    _require_manage(actor, queue.site_id, "queue")
    if queue.version != version:
        raise _stale()
    if not name.strip():
        raise ValidationError(_("请填写队列名称"), field="name")
    if not 1 <= sl_seconds <= MAX_SL_SECONDS:
        raise ValidationError(
            _("服务水平时限应在 1–%(max)s 秒之间") % {"max": MAX_SL_SECONDS}, field="sl_seconds"
        )
    if not 0 <= short_abandon_seconds <= MAX_SHORT_ABANDON_SECONDS:
        raise ValidationError(
            _("短放弃阈值应在 0–%(max)s 秒之间") % {"max": MAX_SHORT_ABANDON_SECONDS},
            field="short_abandon_seconds",
        )
    if (opens_at is None) != (closes_at is None):
        raise ValidationError(_("服务时间请同时填写开始与结束，或都留空（24 小时）"), field="opens_at")
    if opens_at is not None and closes_at is not None and opens_at >= closes_at:
        raise ValidationError(_("结束服务时间须晚于开始服务时间"), field="closes_at")
    queue.name = name.strip()
    queue.sl_seconds = sl_seconds
    queue.sl_target = _target(sl_target)
    queue.short_abandon_seconds = short_abandon_seconds
    queue.opens_at, queue.closes_at = opens_at, closes_at
    queue.is_active = is_active
    queue.version += 1  # the row is locked: no other writer between the check and here
    queue.save()
    return queue


@transaction.atomic
@as_actor
def disposition_create(
    *, actor, site_id: int, name: str, opens_complaint: bool = False, completes_followup: bool = False
) -> Disposition:
    """A new business type of a site, placed last."""
    _require_manage(actor, site_id, "disposition")
    name = name.strip()
    if not name:
        raise ValidationError(_("请填写业务类型名称"), field="name")
    if Disposition.objects.filter(site_id=site_id, name=name).exists():
        raise ValidationError(_("业务类型“%(name)s”已存在") % {"name": name}, field="name")
    last = (
        Disposition.objects.filter(site_id=site_id).order_by("-position").values_list("position", flat=True)
    )
    return Disposition.objects.create(
        site_id=site_id,
        name=name,
        position=(last.first() or 0) + 1,
        opens_complaint=opens_complaint,
        completes_followup=completes_followup,
    )


@transaction.atomic
@as_actor
def disposition_update(
    *,
    actor,
    disposition_id: int,
    version: int,
    name: str,
    position: int,
    opens_complaint: bool,
    completes_followup: bool,
    is_active: bool,
) -> Disposition:
    """Rename, reorder, switch the complaint / follow-up behaviour or retire a business type
    (retired types stay on past calls; imports no longer accept them)."""
    disposition = Disposition.objects.select_for_update().filter(pk=disposition_id).first()
    if disposition is None:
        raise NotFound(_("业务类型不存在"))
    _require_manage(actor, disposition.site_id, "disposition")
    if disposition.version != version:
        raise _stale()
    name = name.strip()
    if not name:
        raise ValidationError(_("请填写业务类型名称"), field="name")
    if Disposition.objects.filter(site_id=disposition.site_id, name=name).exclude(pk=disposition.pk).exists():
        raise ValidationError(_("业务类型“%(name)s”已存在") % {"name": name}, field="name")
    if position < 0:
        raise ValidationError(_("排序不能为负数"), field="position")
    disposition.name = name
    disposition.position = position
    disposition.opens_complaint = opens_complaint
    disposition.completes_followup = completes_followup
    disposition.is_active = is_active
    disposition.version += 1
    disposition.save()
    return disposition
