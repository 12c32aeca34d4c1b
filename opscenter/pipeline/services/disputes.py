"""Disputes (纠纷): open one on a customer, settle it with an outcome.

The member tiers follow automatically: the members app's bookkeeping signal refreshes the
customer's running aggregates and re-evaluates their tier when the transaction commits.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from opscenter.core.audit import as_actor
from opscenter.core.exceptions import NotFound, ValidationError
from opscenter.pipeline.choices import (
    DISPUTE_TRANSITIONS,
    DisputeCategory,
    DisputeOutcome,
    DisputeStatus,
)
from opscenter.pipeline.models import Dispute
from opscenter.pipeline.services._common import customer_for_write, past_date, scope_requiring


@as_actor
@transaction.atomic
def dispute_open(*, actor, customer_id: int, opened_on: dt.date, category: str, description: str) -> Dispute:
    """Open a dispute (纠纷) on a customer: date (not in the future), category and what happened."""
    scope = scope_requiring(actor, "pipeline.add_dispute")
    customer = customer_for_write(scope, customer_id)
    opened_on = past_date(opened_on, field="opened_on", label=_("发生日期"))
    if category not in DisputeCategory.values:
        raise ValidationError(_("纠纷类别不正确"), field="category")
    description = (description or "").strip()
    if not description:
        raise ValidationError(_("请填写纠纷描述"), field="description")
    return Dispute.objects.create(
        site_id=customer.site_id,
        customer=customer,
        opened_on=opened_on,
        category=category,
        description=description,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )


@as_actor
@transaction.atomic
def dispute_settle(
    *, actor, dispute_id: int, settled_on: dt.date, outcome: str, resolution: str = ""
) -> Dispute:
    """Settle an open dispute (open → settled) with its outcome: satisfied after repair,
    compensated, or refunded. The settlement date may not precede the opening date."""
    scope = scope_requiring(actor, "pipeline.change_dispute")
    dispute = Dispute.objects.select_for_update().filter(pk=dispute_id).first()
    if dispute is None:
        raise NotFound(_("纠纷记录不存在或无权访问"))
    customer_for_write(scope, dispute.customer_id)
    if DisputeStatus.SETTLED not in DISPUTE_TRANSITIONS.get(dispute.status, set()):
        raise ValidationError(
            _("该纠纷已解决"), field="status", log_message=f"dispute {dispute.pk} settled twice"
        )
    settled_on = past_date(settled_on, field="settled_on", label=_("解决日期"))
    if settled_on < dispute.opened_on:
        raise ValidationError(
            _("解决日期 %(settled_on)s 早于发生日期 %(opened_on)s")
            % {"settled_on": settled_on, "opened_on": dispute.opened_on},
            field="settled_on",
        )
    if outcome not in DisputeOutcome.values:
        raise ValidationError(_("请选择处理结果"), field="outcome")
    dispute.status, dispute.outcome, dispute.settled_on = DisputeStatus.SETTLED, outcome, settled_on
    dispute.resolution = (resolution or "").strip()
    dispute.save(update_fields=["status", "outcome", "settled_on", "resolution"])
    return dispute
