"""Customer perception points (客户感知点), edited on their own screen."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from opscenter.commitments.models import PerceptionPoint
from opscenter.core.audit import as_actor
from opscenter.core.exceptions import NotFound, ValidationError
from opscenter.org.selectors import scope_for


def _clean(touchpoint: str, perception: str, importance: int, satisfaction_pct) -> dict:
    if not (touchpoint or "").strip():
        raise ValidationError(_("请填写接触点"), field="touchpoint")
    if not (perception or "").strip():
        raise ValidationError(_("请填写客户感知"), field="perception")
    try:
        importance = int(importance)
    except (TypeError, ValueError):
        importance = 0
    if not 1 <= importance <= 5:
        raise ValidationError(_("重要度应为 1–5"), field="importance")
    pct = None
    if satisfaction_pct not in (None, ""):
        try:
            pct = Decimal(str(satisfaction_pct)).quantize(Decimal("0.01"))
        except InvalidOperation:
            raise ValidationError(_("满意度不是数字"), field="satisfaction_pct") from None
        if not Decimal(0) <= pct <= Decimal(100):
            raise ValidationError(_("满意度应在 0–100% 之间"), field="satisfaction_pct")
    return {
        "touchpoint": touchpoint.strip(),
        "perception": perception.strip(),
        "importance": importance,
        "satisfaction_pct": pct,
    }


@transaction.atomic
@as_actor
def perception_point_create(
    *, actor, site_id: int, touchpoint: str, perception: str, importance: int = 3, satisfaction_pct=None
) -> PerceptionPoint:
    """A new perception point of a site the actor writes."""
    if actor is not None:
        scope = scope_for(actor)
        scope.require("commitments.add_perceptionpoint")
        scope.require_site(site_id, write=True)
    return PerceptionPoint.objects.create(
        site_id=site_id, **_clean(touchpoint, perception, importance, satisfaction_pct)
    )


@transaction.atomic
@as_actor
def perception_point_update(
    *, actor, point_id: int, touchpoint: str, perception: str, importance: int, satisfaction_pct=None
) -> PerceptionPoint:
    """Change a perception point (audited); an example point stops being an example once edited."""
    point = PerceptionPoint.objects.select_for_update().filter(pk=point_id).first()
    if point is None:
        raise NotFound(_("客户感知点不存在或无权访问"))
    if actor is not None:
        scope = scope_for(actor)
        scope.require("commitments.change_perceptionpoint")
        scope.require_site(point.site_id, write=True)
    for name, value in _clean(touchpoint, perception, importance, satisfaction_pct).items():
        setattr(point, name, value)
    point.is_example = False
    point.save()
    return point
