"""A hand-built pipeline history for site A (阳光养老社区) in the trailing window, and the URLs."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from opscenter.org.models import Team
from opscenter.pipeline import services as pipeline
from opscenter.pipeline.models import Channel

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 11, 24)


def at(year: int, month: int, day: int) -> dt.datetime:
    return dt.datetime(year, month, day, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def team_b(personas):
    """A second sales team of site A with no history at all."""
    return Team.objects.create(department=personas.consultant_a.staff.department, name="二组")


@pytest.fixture
def history(personas):
    """Site A, team 一组 (consultant_a): in March 2026, 10 phone consultations → 4 visits → 2 deals
    of ¥50,000; in June 2026 5 online (local) consultations → 2 visits → 1 deal of ¥30,000; one
    walk-in in June that signs for ¥20,000. Counts per rate are easy to check by hand:
    phone visit rate 4/10, online 2/5, conversion 4 deals / 7 visits, revenue per customer
    ¥150,000 / 4 customers = ¥37,500."""
    phone = Channel.objects.get(site__isnull=True, kind="phone")
    online = Channel.objects.get(site__isnull=True, kind="online")
    walk_in = Channel.objects.get(site__isnull=True, kind="walk_in")
    actor = personas.consultant_a
    site = personas.site_a
    n = 0

    def customer(channel):
        nonlocal n
        n += 1
        return pipeline.customer_register(
            actor=actor, site_id=site.pk, name=f"客户{n}", phone=f"1390000{n:04d}", channel_id=channel.pk
        )

    for i in range(10):
        c = customer(phone)
        pipeline.consultation_record(
            actor=actor, customer_id=c.pk, mode="phone", occurred_at=at(2026, 3, 2 + i)
        )
        if i < 4:
            pipeline.visit_register(actor=actor, customer_id=c.pk, arrived_at=at(2026, 3, 20 + i))
        if i < 2:
            pipeline.deal_sign(
                actor=actor, customer_id=c.pk, signed_on=dt.date(2026, 3, 28), amount_fen=5_000_000
            )
    for i in range(5):
        c = customer(online)
        pipeline.consultation_record(
            actor=actor, customer_id=c.pk, mode="online", occurred_at=at(2026, 6, 2 + i)
        )
        if i < 2:
            pipeline.visit_register(actor=actor, customer_id=c.pk, arrived_at=at(2026, 6, 20 + i))
        if i < 1:
            pipeline.deal_sign(
                actor=actor, customer_id=c.pk, signed_on=dt.date(2026, 6, 28), amount_fen=3_000_000
            )
    c = customer(walk_in)
    pipeline.visit_register(actor=actor, customer_id=c.pk, arrived_at=at(2026, 6, 15))
    pipeline.deal_sign(actor=actor, customer_id=c.pk, signed_on=dt.date(2026, 6, 15), amount_fen=2_000_000)
    return site


@pytest.fixture
def frozen_today(monkeypatch):
    """`timezone.localdate()` is 2026-11-24 (the trailing window is Dec 2025 – Nov 2026)."""
    from django.utils import timezone

    original = timezone.localdate

    def localdate(value=None, timezone=None):
        return TODAY if value is None else original(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return TODAY
