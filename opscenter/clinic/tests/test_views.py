"""The clinic screens end to end through the test client: quote form → printable quote → accept →
consume sessions → the doctor answers; drill-down and scoping; query counts pinned."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from opscenter.clinic import services
from opscenter.clinic.models import Package, Quote
from opscenter.clinic.services import OrderLine
from opscenter.pipeline.models import FollowUp

pytestmark = pytest.mark.django_db


def _line_post(clinic, n=0, **kw):
    data = {"item": "皮肤疗程", "category": "skin_package", "center": clinic.skin.pk, "doctor": clinic.doctor.pk,
            "quantity": 1, "sessions": 3, "valid_days": 90, "list_price": "3,000", "campaign_price": ""}  # fmt: skip
    data.update(kw)
    return {f"line-{n}-{k}": v for k, v in data.items()}


def test_quote_form_to_accepted_order_to_sessions_to_answer(client, personas, clinic, customer):
    c = customer()
    client.force_login(personas.consultant_b)
    url = reverse("clinic:quote_create") + f"?customer={c.pk}"
    assert client.get(url).status_code == 200
    today = timezone.localdate()
    post = {"quoted_on": today, "valid_until": today + dt.timedelta(days=10), "note": "",
            "line-TOTAL_FORMS": 1, "line-INITIAL_FORMS": 0, **_line_post(clinic)}  # fmt: skip
    response = client.post(url, post)
    quote = Quote.objects.get(customer=c)
    assert response.status_code == 302 and quote.total_fen == 300_000
    page = client.get(reverse("clinic:quote_print", args=[quote.pk])).content.decode()
    assert "报价单" in page and "3,000.00" in page
    response = client.post(reverse("clinic:quote_accept", args=[quote.pk]), {"accepted_on": today})
    assert response.status_code == 302
    package = Package.objects.get(customer=c)
    client.force_login(personas.ops_b)
    for _ in range(3):
        response = client.post(reverse("clinic:session_consume", args=[package.pk]),
                               {"performed_by": clinic.doctor.pk, "used_on": today, "used_time": "00:01"})  # fmt: skip
        assert response.status_code == 302
    followup = FollowUp.objects.get(kind="clinical", customer=c)
    client.force_login(clinic.doctor_user)
    queue = client.get(reverse("clinic:clinical_queue")).content.decode()
    assert "疗程结束回访：皮肤疗程（共 3 次）" in queue
    client.post(reverse("clinic:clinical_answer", args=[followup.pk]), {"answer": "恢复良好，注意防晒"})
    client.force_login(personas.consultant_b)
    timeline = client.get(reverse("pipeline:customer_detail", args=[c.pk]) + "?tab=timeline").content.decode()
    assert "医生答复：恢复良好，注意防晒" in timeline
    assert "恢复良好，注意防晒" in client.get(reverse("clinic:customer_clinic", args=[c.pk])).content.decode()


def test_consuming_an_empty_package_shows_the_message(client, personas, clinic, customer):
    c = customer()
    services.order_place(actor=personas.consultant_b, customer_id=c.pk, signed_on=dt.date(2026, 3, 1),
                         lines=[OrderLine(item="皮肤疗程", category="skin_package", amount_fen=100, sessions=2,
                                          valid_days=3, center_id=clinic.skin.pk)])  # fmt: skip
    package = Package.objects.get(customer=c)
    client.force_login(personas.ops_b)
    response = client.post(reverse("clinic:session_consume", args=[package.pk]),
                           {"performed_by": clinic.doctor.pk, "used_on": "2026-03-10", "used_time": "10:00"})  # fmt: skip
    assert response.status_code == 200 and "已于 2026-03-04 过期，不能再消耗" in response.content.decode()


def test_pages_are_scoped_to_the_site(client, personas, clinic, customer):
    c = customer()
    quote = services.quote_create(actor=personas.consultant_b, customer_id=c.pk, valid_until=dt.date(2099, 1, 1),
                                  lines=[{"item": "洁牙", "category": "dental", "center_id": clinic.dental.pk,
                                          "list_price_fen": 30_000}])  # fmt: skip
    client.force_login(personas.ops_a)
    assert client.get(reverse("clinic:quote_detail", args=[quote.pk])).status_code == 404
    assert client.get(reverse("clinic:customer_clinic", args=[c.pk])).status_code == 404


def test_home_and_drill_down(client, personas, clinic, customer, django_assert_max_num_queries):
    today = timezone.localdate()
    for i in range(3):
        services.order_place(actor=personas.consultant_b, customer_id=customer(name=f"客{i}").pk, signed_on=today,
                             lines=[OrderLine(item="光子嫩肤", category="skin", amount_fen=100_000,
                                              center_id=clinic.skin.pk, doctor_id=clinic.doctor.pk)])  # fmt: skip
    client.force_login(personas.ops_b)
    with django_assert_max_num_queries(25):
        page = client.get(reverse("clinic:home") + f"?site={clinic.site.pk}").content.decode()
    assert "皮肤中心" in page and "¥3,000.00" in page
    month = f"{today:%Y-%m}"
    rows = client.get(reverse("clinic:credited_rows") + f"?month_from={month}&month_to={month}&site={clinic.site.pk}"
                      f"&department={clinic.skin.pk}")  # fmt: skip
    assert rows.status_code == 200 and rows.content.decode().count("光子嫩肤") == 3


def test_refund_form_reverses_revenue_and_names_a_too_large_amount(client, personas, clinic, customer):
    from opscenter.pipeline import services as pipeline
    from opscenter.pipeline.models import Transaction

    c = customer()
    services.order_place(actor=personas.consultant_b, customer_id=c.pk, signed_on=dt.date(2026, 3, 1),
                         lines=[OrderLine(item="光子嫩肤", category="skin", amount_fen=100_000,
                                          center_id=clinic.skin.pk, doctor_id=clinic.doctor.pk)])  # fmt: skip
    dispute = pipeline.dispute_open(actor=personas.ops_b, customer_id=c.pk, opened_on=dt.date(2026, 3, 5),
                                    category="treatment", description="效果不满意")  # fmt: skip
    purchase = Transaction.objects.get(customer=c)
    client.force_login(personas.ops_b)
    page = client.get(reverse("clinic:customer_clinic", args=[c.pk])).content.decode()
    assert "¥1,000.00" in page
    url = reverse("clinic:refund_record", args=[c.pk])
    data = {"transaction": purchase.pk, "amount": "1000.01", "dispute": dispute.pk, "outcome": "refunded"}
    response = client.post(url, data, follow=True)
    assert "超过该笔消费尚可退金额 ¥1000.00" in response.content.decode()
    client.post(url, {**data, "amount": "400"})
    refund = Transaction.objects.get(customer=c, kind="refund")
    assert (refund.amount_fen, refund.reverses_id, refund.dispute_id) == (40_000, purchase.pk, dispute.pk)
    assert "¥600.00" in client.get(reverse("clinic:customer_clinic", args=[c.pk])).content.decode()
