"""The protection window's registry: a registered source (marketing's channel grade, or any app's)
sets the days for its channel's customers; without an answer the site's default applies."""

import datetime as dt

import pytest

from opscenter.pipeline import protection

pytestmark = pytest.mark.django_db


def test_a_registered_source_sets_the_window_and_the_site_default_is_the_fallback(
    monkeypatch, personas, channels, make_customer
):
    asked = []

    def phone_only(*, site_id, channel_id):
        asked.append((site_id, channel_id))
        return protection.Protection(7, "测试来源") if channel_id == channels["phone"].pk else None

    monkeypatch.setattr(protection, "_SOURCES", [phone_only])
    phone = make_customer(kind="phone")
    online = make_customer(kind="online", name="李四")
    assert phone.protection() == protection.Protection(7, "测试来源")
    assert phone.protected_until() == phone.owner_since + dt.timedelta(days=7)
    days = personas.site_a.ownership_protection_days
    assert online.protection().days == days and online.protection().source == "院区默认保护期"
    assert online.is_protected(online.owner_since + dt.timedelta(days=days - 1))
    assert not phone.is_protected(phone.owner_since + dt.timedelta(days=8))
    assert (personas.site_a.pk, channels["phone"].pk) in asked
