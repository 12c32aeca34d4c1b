"""`followups_complete_by_contact`: contacts recorded by another app complete pending follow-ups."""

import datetime as dt

import pytest

from opscenter.core.exceptions import ValidationError
from opscenter.core.testing import make_site
from opscenter.pipeline.models import Customer, FollowUp
from opscenter.pipeline.services import FollowUpContact, followups_complete_by_contact

DAY = dt.date(2026, 3, 10)


@pytest.fixture
def customer(db):
    site = make_site("contact-site")
    return Customer.objects.create(
        site=site,
        name="李先生",
        phone="13900001111",
        cohort_month=202601,
        first_contact_on=dt.date(2026, 1, 5),
    )


def _followup(customer, day, **kw):
    return FollowUp.objects.create(
        site_id=customer.site_id, customer=customer, scheduled_on=day, month=day.year * 100 + day.month, **kw
    )


def _contact(customer, key="c1", **kw):
    values = {
        "customer_id": customer.pk,
        "on": DAY,
        "outcome": "reached",
        "satisfaction": 4,
        "via": "来电 c1",
    }
    values.update(kw)
    return FollowUpContact(key=key, **values)


def test_each_contact_completes_the_earliest_pending_care_followup_once(customer):
    clinical = _followup(customer, DAY - dt.timedelta(days=9), kind="clinical")
    first = _followup(customer, DAY - dt.timedelta(days=3))
    second = _followup(customer, DAY + dt.timedelta(days=7))
    third = _followup(customer, DAY + dt.timedelta(days=8))
    done = followups_complete_by_contact(
        site_id=customer.site_id,
        contacts=[_contact(customer, "b"), _contact(customer, "a", satisfaction=2, note="嫌等待久")],
    )
    assert done == {"a": first.pk, "b": second.pk}
    first.refresh_from_db()
    assert (first.outcome, first.satisfaction, first.note, first.done_via) == (
        "reached",
        2,
        "嫌等待久",
        "来电 c1",
    )
    for row in (clinical, third):
        row.refresh_from_db()
        assert row.done_on is None


def test_other_sites_customers_never_match_and_bad_contacts_are_refused(customer):
    _followup(customer, DAY)
    other = make_site("contact-other")
    assert followups_complete_by_contact(site_id=other.pk, contacts=[_contact(customer)]) == {}
    with pytest.raises(ValidationError, match="已回访请选择满意度"):
        followups_complete_by_contact(
            site_id=customer.site_id, contacts=[_contact(customer, satisfaction=None)]
        )
    with pytest.raises(ValidationError, match="回访结果不正确"):
        followups_complete_by_contact(
            site_id=customer.site_id, contacts=[_contact(customer, outcome="pending")]
        )
    assert FollowUp.objects.filter(done_on__isnull=False).count() == 0
