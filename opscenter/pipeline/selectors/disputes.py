"""Scoped reads of disputes (纠纷): the user's sites and, for consultants, their own customers."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from opscenter.pipeline.models import Dispute
from opscenter.pipeline.selectors.records import _get, _scoped_events


def dispute_list(
    *, user, customer_id: int | None = None, site_id: int | None = None, status: str | None = None
) -> QuerySet[Dispute]:
    """Disputes the user may see, newest first; `status` open / settled."""
    qs = _scoped_events(user, Dispute, customer_id=customer_id, site_id=site_id)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("customer", "site")


def dispute_get(*, user, dispute_id: int) -> Dispute:
    return _get(dispute_list(user=user), dispute_id, _("纠纷记录"))
