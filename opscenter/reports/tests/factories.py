"""Pipeline rows for report tests, written through the pipeline's services."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

from opscenter.pipeline import services
from opscenter.pipeline.models import Channel

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
_phones = itertools.count(13900000001)


def consult(personas, when: dt.datetime, *, deal_fen: int | None = None, user=None):
    """A customer of site A with one phone consultation at `when` (and a deal that day)."""
    user = user or personas.consultant_a
    channel = Channel.objects.filter(site__isnull=True, kind="phone").first()
    customer = services.customer_register(
        actor=user, site_id=personas.site_a.pk, channel_id=channel.pk, name="客户", phone=str(next(_phones))
    )
    services.consultation_record(actor=user, customer_id=customer.pk, mode="phone", occurred_at=when)
    if deal_fen is not None:
        services.deal_sign(actor=user, customer_id=customer.pk, signed_on=when.date(), amount_fen=deal_fen)
    return customer


def at(y: int, m: int, d: int, h: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=SHANGHAI)
