"""Quotes (报价): the discount ladder with the birthday-month 8.8折 on top, campaign prices,
validity, acceptance into an order, and the quote-to-order conversion rate."""

import datetime as dt
from decimal import Decimal

import pytest

from opscenter.clinic import selectors, services
from opscenter.clinic.models import Package
from opscenter.clinic.pricing import price_line
from opscenter.clinic.tests.conftest import spend
from opscenter.core.exceptions import ValidationError
from opscenter.members.services import member_refresh
from opscenter.pipeline.models import Deal, Transaction

pytestmark = pytest.mark.django_db
QUOTED = dt.date(2026, 3, 10)


def _line(clinic, **kw):
    base = {"item": "光子嫩肤", "category": "skin", "center_id": clinic.skin.pk, "list_price_fen": 1_000_000,
            "doctor_id": clinic.doctor.pk}  # fmt: skip
    return {**base, **kw}


def _member(customer, ladder, *, birthday):
    c = customer(birthday=birthday)
    spend(c, dt.date(2026, 2, 1), 6_000)  # ≥ ¥5,000: 水晶级 (9.5折)
    tier = member_refresh(customer_id=c.pk, as_of=dt.date(2026, 3, 1))
    assert tier.tier == "crystal"
    return c


def test_member_discount_and_birthday_discount_on_top(personas, clinic, customer, ladder):
    c = _member(customer, ladder, birthday=dt.date(1990, 3, 22))
    quote = services.quote_create(
        actor=personas.consultant_b, customer_id=c.pk, quoted_on=QUOTED, valid_until=dt.date(2026, 3, 31),
        lines=[_line(clinic, quantity=2), _line(clinic, item="水光针", list_price_fen=333_333)],
    )  # fmt: skip
    lines = list(quote.lines.order_by("pk"))
    # ¥10,000 × 2 × 0.95 × 0.88 = ¥16,720.00; ¥3,333.33 × 0.95 × 0.88 = ¥2,786.66 (2786.6663 → half up)
    assert [ln.amount_fen for ln in lines] == [1_672_000, 278_666]
    assert quote.list_total_fen == 2_333_333 and quote.total_fen == 1_950_666
    assert (quote.member_rate, quote.birthday_rate) == (Decimal("0.950"), Decimal("0.880"))
    assert lines[0].rule == "会员9.5折，生日当月8.8折（折上折）"
    assert (
        "水晶级" in quote.rule_note and f"v{ladder.version}" in quote.rule_note and quote.rule_set == ladder
    )


def test_no_birthday_discount_outside_the_birthday_month_or_when_the_tier_lacks_it(
    personas, clinic, customer, ladder
):
    c = _member(customer, ladder, birthday=dt.date(1990, 7, 1))
    quote = services.quote_create(actor=personas.consultant_b, customer_id=c.pk, quoted_on=QUOTED,
                                  valid_until=QUOTED, lines=[_line(clinic)])  # fmt: skip
    assert quote.total_fen == 950_000 and quote.birthday_rate is None
    fashion = customer(
        name="新客", birthday=dt.date(1991, 3, 3)
    )  # < ¥5,000: 时尚级 9.8折, no birthday discount
    spend(fashion, dt.date(2026, 2, 1), 100)
    assert member_refresh(customer_id=fashion.pk, as_of=QUOTED).tier == "fashion"
    quote = services.quote_create(actor=personas.consultant_b, customer_id=fashion.pk, quoted_on=QUOTED,
                                  valid_until=QUOTED, lines=[_line(clinic)])  # fmt: skip
    assert quote.total_fen == 980_000 and quote.birthday_rate is None


def test_campaign_price_replaces_the_discounts():
    assert price_line(list_price_fen=100_000, quantity=3, member_rate=Decimal("0.9"),
                      birthday_rate=Decimal("0.88"), campaign_price_fen=59_900).amount_fen == 179_700  # fmt: skip
    assert price_line(list_price_fen=100_000, quantity=1).rule == "原价"


def test_accepting_a_quote_signs_the_order_credited_to_center_and_doctor_and_opens_packages(
    personas, clinic, customer
):
    c = customer()
    quote = services.quote_create(
        actor=personas.consultant_b, customer_id=c.pk, quoted_on=QUOTED, valid_until=dt.date(2026, 3, 20),
        lines=[_line(clinic, item="皮肤疗程", category="skin_package", sessions=6, valid_days=180),
               _line(clinic, item="洁牙", category="dental", center_id=clinic.dental.pk,
                     doctor_id=clinic.dentist.pk, list_price_fen=50_000)],
    )  # fmt: skip
    services.quote_accept(actor=personas.consultant_b, quote_id=quote.pk, accepted_on=dt.date(2026, 3, 12))
    quote.refresh_from_db()
    deal = Deal.objects.get(pk=quote.deal_id)
    assert (quote.status, deal.amount_fen, deal.consultant_id) == (
        "accepted",
        1_050_000,
        clinic.consultant.pk,
    )
    txns = list(Transaction.objects.filter(deal=deal).order_by("pk"))
    assert [(t.center_id, t.doctor_id, t.consultant_id, t.channel_owner_id, t.amount_fen) for t in txns] == [
        (clinic.skin.pk, clinic.doctor.pk, clinic.consultant.pk, clinic.consultant.pk, 1_000_000),
        (clinic.dental.pk, clinic.dentist.pk, clinic.consultant.pk, clinic.consultant.pk, 50_000),
    ]
    package = Package.objects.get(customer=c)
    assert (package.sessions_total, package.valid_until, package.amount_fen) == (
        6,
        dt.date(2026, 9, 8),
        1_000_000,
    )


def test_expired_quote_cannot_be_accepted_and_nothing_is_written(personas, clinic, customer):
    c = customer()
    quote = services.quote_create(actor=personas.consultant_b, customer_id=c.pk, quoted_on=QUOTED,
                                  valid_until=dt.date(2026, 3, 15), lines=[_line(clinic)])  # fmt: skip
    with pytest.raises(ValidationError, match="报价已于 2026-03-15 过期"):
        services.quote_accept(
            actor=personas.consultant_b, quote_id=quote.pk, accepted_on=dt.date(2026, 3, 16)
        )
    quote.refresh_from_db()
    assert quote.status == "draft" and not Deal.objects.filter(customer=c).exists()


def test_bad_quote_lines_name_the_row(personas, clinic, customer):
    c = customer()
    with pytest.raises(ValidationError, match="第2行：疗程套餐请填写有效天数"):
        services.quote_create(actor=personas.consultant_b, customer_id=c.pk, quoted_on=QUOTED, valid_until=QUOTED,
                              lines=[_line(clinic), _line(clinic, sessions=6)])  # fmt: skip
    with pytest.raises(ValidationError, match="第1行：请选择本院区的科室/中心"):
        services.quote_create(actor=personas.consultant_b, customer_id=c.pk, quoted_on=QUOTED, valid_until=QUOTED,
                              lines=[_line(clinic, center_id=personas.consultant_a.staff.department_id)])  # fmt: skip


def test_quote_to_order_conversion_rate(personas, clinic, customer):
    quotes = [
        services.quote_create(actor=personas.consultant_b, customer_id=customer(name=f"客{i}").pk, quoted_on=QUOTED,
                              valid_until=dt.date(2026, 3, 31), lines=[_line(clinic)])
        for i in range(4)
    ]  # fmt: skip
    services.quote_accept(actor=personas.consultant_b, quote_id=quotes[0].pk, accepted_on=QUOTED)
    services.quote_cancel(actor=personas.consultant_b, quote_id=quotes[1].pk, reason="客户考虑价格")
    conv = selectors.quote_conversion(
        user=personas.ops_b, site_id=clinic.site.pk, month_from=202603, month_to=202603
    )
    assert (conv.quotes, conv.accepted, conv.rate) == (4, 1, Decimal("0.25"))
    assert selectors.quote_conversion(user=personas.consultant_a, site_id=None, month_from=202603,
                                      month_to=202603).quotes == 0  # fmt: skip
