"""全员营销 (seed 001): referrals attributed to the referring employee, counted by the registered
metric the 全员营销 plan reads (2 in the month → ¥400, otherwise a ¥100 fine), drill-down to the
referred customers, scoped; a wrong attribution is withdrawn, never deleted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from opscenter.appraisal import services
from opscenter.appraisal.choices import PlanKind
from opscenter.appraisal.models import Referral
from opscenter.core.exceptions import PermissionDenied, ValidationError
from opscenter.core.testing import make_department, make_staff
from opscenter.metrics import get_metric, metric_values
from opscenter.pipeline import services as pipeline

OCT = dt.date(2026, 10, 1)


@pytest.fixture
def customers(personas):
    return [
        pipeline.customer_register(actor=personas.ops_a, site_id=personas.site_a.pk, name=name, phone=phone)
        for name, phone in (("李阿姨", "13800000001"), ("周先生", "13800000002"), ("吴女士", "13800000003"))
    ]


def _refer(personas, staff, phone, day=OCT + dt.timedelta(days=4)):
    return services.referral_record(
        actor=personas.ops_a,
        site_id=personas.site_a.pk,
        staff_id=staff.pk,
        customer_phone=phone,
        referred_on=day,
    )


def _count(staff_id, code="appraisal.referrals", grain="staff"):
    values = metric_values(
        code, grain=grain, period="month", start=OCT, end=dt.date(2026, 10, 31), unit_ids=[staff_id]
    )
    got = values.get((staff_id, OCT))
    return got.numerator if got else 0


def test_referrals_count_for_the_referring_employee_and_a_withdrawal_takes_one_off(personas, customers):
    nurse = personas.nursing_a.staff
    first = _refer(personas, nurse, "138 0000 0001")
    _refer(personas, nurse, "13800000002")
    _refer(personas, personas.customer_a.staff, "13800000003", day=dt.date(2026, 11, 2))  # November
    assert _count(nurse.pk) == 2
    assert _count(personas.customer_a.staff.pk) == 0
    assert _count(personas.site_a.pk, grain="site") == 2
    services.referral_withdraw(actor=personas.ops_a, referral=first, reason="客户自己来的")
    assert _count(nurse.pk) == 1
    assert Referral.objects.filter(pk=first.pk, is_withdrawn=True).exists()  # kept


def test_one_referrer_per_customer_and_bad_input_is_named(personas, customers):
    nurse = personas.nursing_a.staff
    _refer(personas, nurse, "13800000001")
    with pytest.raises(ValidationError, match="已由 护理甲 于 2026-10-05 推荐"):
        _refer(personas, personas.customer_a.staff, "13800000001")
    with pytest.raises(ValidationError, match="没有电话为 13899999999 的客户"):
        _refer(personas, nurse, "13899999999")
    with pytest.raises(ValidationError, match="格式不正确"):
        _refer(personas, nurse, "12345")
    with pytest.raises(ValidationError, match="不属于该院区"):
        _refer(personas, personas.consultant_b.staff, "13800000002")
    with pytest.raises(PermissionDenied):
        services.referral_record(
            actor=personas.consultant_a, site_id=personas.site_a.pk, staff_id=nurse.pk,
            customer_phone="13800000002", referred_on=OCT,
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.referral_record(
            actor=personas.ops_b, site_id=personas.site_a.pk, staff_id=nurse.pk,
            customer_phone="13800000002", referred_on=OCT,
        )  # fmt: skip


def test_the_quanyuan_plan_reads_the_metric_400_yuan_for_two_and_a_100_yuan_fine_otherwise(
    personas, customers, test_metric
):
    from opscenter.appraisal.tests.conftest import make_card

    dept = make_department(personas.site_a, "call_center")
    make_card(personas.site_a, department=dept, appraiser=personas.callcenter_a.staff, publish=True)
    make_staff(department=dept, name="坐席")
    period = services.period_get_or_create(label="2026-10")
    services.appraisal_run(period=period)
    from opscenter.appraisal.models import Appraisal, ItemScore

    for row in ItemScore.objects.filter(appraisal__period=period, item__method__in=["manual", "checklist"]):
        if row.item.method == "checklist":
            services.item_score_enter(actor=None, item_score=row, checked=["上报报告"])
        elif row.item.kind == "scored":
            services.item_score_enter(actor=None, item_score=row, score="80")
    assert Appraisal.objects.filter(period=period, pending_items__gt=0).count() == 0
    services.period_publish(actor=None, period=period)
    nurse = personas.nursing_a.staff
    _refer(personas, nurse, "13800000001")
    _refer(personas, nurse, "13800000002")
    _refer(personas, personas.customer_a.staff, "13800000003")
    plan = services.plan_create(
        actor=None, site_id=personas.site_a.pk, name="全员营销", kind=PlanKind.REFERRAL
    )
    assert plan.params["metric"] == "appraisal.referrals"
    payout = services.payout_compute(actor=None, plan=plan, period_label="2026-10")
    amounts = {line.staff_id: line.amount_fen for line in payout.lines.all()}
    assert amounts[nurse.pk] == 40000
    assert amounts[personas.customer_a.staff.pk] == -10000


def test_the_drill_down_lists_the_referred_customers_scoped(client, personas, customers):
    nurse = personas.nursing_a.staff
    _refer(personas, nurse, "13800000001")
    _refer(personas, personas.customer_a.staff, "13800000002")
    url = get_metric("appraisal.referrals").drill("staff", nurse.pk, "month", OCT)
    client.force_login(personas.ops_a)
    page = client.get(url).content.decode()
    assert "李阿姨" in page and "周先生" not in page
    client.force_login(personas.nursing_a)  # staff see their own referrals
    page = client.get(reverse("appraisal:referral_list")).content.decode()
    assert "李阿姨" in page and "周先生" not in page
    client.force_login(personas.ops_b)  # another site's manager sees none of them
    page = client.get(reverse("appraisal:referral_list")).content.decode()
    assert "李阿姨" not in page and "周先生" not in page


def test_recording_on_the_page(client, personas, customers):
    client.force_login(personas.ops_a)
    nurse = personas.nursing_a.staff
    client.post(
        reverse("appraisal:referral_record"),
        {"staff": nurse.pk, "customer_phone": "13800000003", "referred_on": "2026-10-08", "note": "邻居"},
    )
    row = Referral.objects.get()
    assert (row.staff_id, row.customer.name, row.recorded_by_id) == (nurse.pk, "吴女士", personas.ops_a.pk)
    client.post(reverse("appraisal:referral_withdraw", args=[row.pk]), {"reason": " "})
    row.refresh_from_db()
    assert not row.is_withdrawn  # a reason is required
