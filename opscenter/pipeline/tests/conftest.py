"""Pipeline test helpers: shared channels by kind, local datetimes, a customer factory."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

import pytest

from opscenter.pipeline import services
from opscenter.pipeline.models import Channel

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
_phones = itertools.count(13800000001)


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An aware datetime in Asia/Shanghai."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def next_phone() -> str:
    return str(next(_phones))


@pytest.fixture
def channels(db) -> dict[str, Channel]:
    """The shared default channels (created by migration 0002), by kind."""
    return {c.kind: c for c in Channel.objects.filter(site__isnull=True)}


@pytest.fixture
def make_customer(personas, channels):
    """Register a customer as `actor` (default consultant_a) at the actor's site."""

    def make(actor=None, *, kind: str = "phone", site=None, **kwargs):
        actor = actor or personas.consultant_a
        site = site or actor.staff.department.site
        kwargs.setdefault("name", "张三")
        kwargs.setdefault("phone", next_phone())
        return services.customer_register(
            actor=actor, site_id=site.pk, channel_id=channels[kind].pk, **kwargs
        )

    return make
