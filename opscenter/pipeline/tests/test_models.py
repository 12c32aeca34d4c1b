"""Model invariants, month keys and the phone parser (property-based)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from opscenter.core.exceptions import ValidationError
from opscenter.pipeline.choices import (
    APPOINTMENT_TRANSITIONS,
    CUSTOMER_TRANSITIONS,
    AppointmentStatus,
    CustomerStatus,
    Satisfaction,
)
from opscenter.pipeline.models import Customer, ExitReason
from opscenter.pipeline.periods import month_add, month_key, month_span
from opscenter.pipeline.phones import normalize_phone, parse_phone
from opscenter.pipeline.tests.conftest import at

separators = st.sampled_from(["", " ", "-", ".", "  "])


@given(
    prefix=st.sampled_from(["13", "14", "15", "16", "17", "18", "19"]),
    rest=st.text("0123456789", min_size=9, max_size=9),
    sep=separators,
    country=st.sampled_from(["", "+86", "0086", "+86 "]),
)
def test_any_mobile_with_separators_normalizes_to_its_eleven_digits(prefix, rest, sep, country):
    digits = prefix + rest
    typed = country + sep.join([digits[:3], digits[3:7], digits[7:]])
    assert parse_phone(typed) == digits


@given(
    area=st.sampled_from(["010", "021", "025", "0574", "0311", "0755"]),
    first=st.sampled_from("23456789"),
    rest=st.text("0123456789", min_size=6, max_size=7),
    style=st.sampled_from(["{a}-{l}", "({a}){l}", "{a} {l}", "{a}{l}"]),
)
def test_landline_with_area_code_normalizes_to_area_dash_local(area, first, rest, style):
    local = first + rest
    assert parse_phone(style.format(a=area, l=local)) == f"{area}-{local}"


@given(st.text(max_size=20))
def test_parser_never_crashes_and_its_output_is_a_fixed_point(raw):
    phone = parse_phone(raw)
    if phone is not None:
        assert parse_phone(phone) == phone


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "12345678901",
        "1381234567",
        "138123456789",
        "87654321",
        "0574-0765432",
        "0574-876543",
        "abc",
        "138-1234-567a",
    ],
)
def test_invalid_phones_are_rejected_with_a_chinese_message(raw):
    assert parse_phone(raw) is None
    with pytest.raises(ValidationError) as err:
        normalize_phone(raw)
    assert err.value.field == "phone"
    assert "电话号码" in err.value.message


def test_month_key_is_taken_in_shanghai_local_time():
    # 2026-01-31 20:00 UTC is 2026-02-01 04:00 in Shanghai.
    assert month_key(dt.datetime(2026, 1, 31, 20, 0, tzinfo=dt.UTC)) == 202602
    assert month_key(dt.date(2026, 12, 31)) == 202612
    assert month_add(202612, 1) == 202701 and month_add(202601, -1) == 202512
    assert month_span(202511, 202602) == [202511, 202512, 202601, 202602]


def test_phone_is_unique_per_site_among_live_customers_only(personas):
    Customer.objects.create(site=personas.site_a, name="甲", phone="13800000000", cohort_month=202601)
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(site=personas.site_a, name="乙", phone="13800000000", cohort_month=202601)
    # Another site may hold the same number, and a deleted customer frees it.
    Customer.objects.create(site=personas.site_b, name="丙", phone="13800000000", cohort_month=202601)
    Customer.objects.filter(site=personas.site_a).update(is_deleted=True)
    Customer.objects.create(site=personas.site_a, name="丁", phone="13800000000", cohort_month=202601)


def test_protection_window_runs_site_days_from_owner_since(personas):
    personas.site_a.ownership_protection_days = 30
    personas.site_a.save()
    customer = Customer(
        site=personas.site_a,
        owner=personas.consultant_a.staff,
        owner_since=at(2026, 3, 1),
        cohort_month=202603,
    )
    assert customer.protected_until() == at(2026, 3, 31)
    assert customer.is_protected(at(2026, 3, 30, 23))
    assert not customer.is_protected(at(2026, 3, 31, 10))


def test_lifecycle_maps_cover_every_status():
    assert set(CUSTOMER_TRANSITIONS) == set(CustomerStatus.values)
    assert set(APPOINTMENT_TRANSITIONS) == set(AppointmentStatus.values)
    assert CustomerStatus.CUSTOMER in CUSTOMER_TRANSITIONS[CustomerStatus.PROSPECT]
    assert APPOINTMENT_TRANSITIONS[AppointmentStatus.NO_SHOW] == set()
    assert Satisfaction.SATISFIED > Satisfaction.AVERAGE > Satisfaction.DISSATISFIED


def test_default_exit_reasons_are_shipped_as_editable_rows(db):
    names = list(ExitReason.objects.values_list("name", flat=True))
    assert names[:3] == ["去世", "转入医院", "转入其他机构"]
    assert {"价格原因", "服务不满意", "家属决定", "其他"} <= set(names)
