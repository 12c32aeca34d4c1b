"""The clinic demo step on the demo organization with a few hand-made 美莱 orders: credit by
center and doctor, packages with the sessions used so far, course-end follow-ups, points; twice
creates nothing new."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from opscenter.clinic import demo
from opscenter.clinic.models import Package, PointsEntry, SessionUse
from opscenter.core.testing import make_user
from opscenter.demo.org import build_org
from opscenter.org.models import Site, Staff
from opscenter.pipeline import services as pipeline
from opscenter.pipeline.models import Customer, FollowUp, Transaction

pytestmark = pytest.mark.django_db


def test_demo_step_credits_revenue_and_builds_packages_idempotently():
    build_org(seed=1, stdout=io.StringIO())
    site = Site.objects.get(code="meilai")
    admin = make_user("demo-admin-test", superuser=True)
    consultant = Staff.objects.filter(department__site=site, team__name="现场咨询组").order_by("pk").first()
    today = timezone.localdate()
    for n, (days_ago, item, category, sessions) in enumerate(
        [
            (100, "皮肤管理套餐", "skin_package", 6),
            (30, "皮肤管理套餐", "skin_package", 6),
            (20, "种植牙", "dental", 1),
        ]
    ):
        sold = today - dt.timedelta(days=days_ago)
        c = Customer.objects.create(site=site, name=f"客户{n}", phone=f"1360000000{n}", cohort_month=202601,
                                    first_contact_on=sold, status="customer",
                                    owner=consultant)  # fmt: skip
        pipeline.deal_sign(actor=admin, customer_id=c.pk, signed_on=sold, record_transactions=True,
                           consultant_id=consultant.pk,
                           lines=[{"item": item, "category": category, "amount_fen": 680_000, "sessions": sessions}])  # fmt: skip
    out = io.StringIO()
    demo.generate(seed=1, stdout=out)
    assert not Transaction.objects.filter(site=site, center__isnull=True).exists()
    assert set(Transaction.objects.filter(site=site).values_list("center__name", flat=True)) == {
        "皮肤美容中心", "口腔美容中心"
    }  # fmt: skip
    assert not Transaction.objects.filter(site=site, doctor__isnull=True).exists()
    packages = {p.sold_on: p for p in Package.objects.filter(site=site)}
    old, new = packages[today - dt.timedelta(days=100)], packages[today - dt.timedelta(days=30)]
    assert (old.sessions_used, old.status, new.sessions_used, new.status) == (6, "finished", 2, "active")
    assert SessionUse.objects.filter(site=site).count() == 8
    followup = FollowUp.objects.get(site=site, kind="clinical")
    assert followup.customer_id == old.customer_id and followup.answer
    assert PointsEntry.objects.filter(site=site, kind="earn").count() == 3
    counts = (
        Package.objects.count(),
        SessionUse.objects.count(),
        FollowUp.objects.count(),
        PointsEntry.objects.count(),
    )
    demo.generate(seed=1, stdout=io.StringIO())
    assert (Package.objects.count(), SessionUse.objects.count(), FollowUp.objects.count(),
            PointsEntry.objects.count()) == counts  # fmt: skip
    assert "疗程 2" in out.getvalue()
    # Quotes behind the deals (same amounts), gift orders approved by the center's head at cost,
    # next month's points rule versions, redemptions within the balance and the order.
    from django.db.models import Sum

    from opscenter.clinic.models import GiftOrder, PointsRule, Quote

    accepted = Quote.objects.filter(site=site, status="accepted").select_related("deal")
    assert accepted.exists() and all(q.total_fen == q.deal.amount_fen and q.quoted_on <= q.deal.signed_on
                                     for q in accepted)  # fmt: skip
    assert all(q.lines.aggregate(s=Sum("amount_fen"))["s"] == q.total_fen for q in accepted)
    gifts = list(GiftOrder.objects.filter(site=site))
    assert gifts and all(g.approver_id != g.requested_by_id for g in gifts)
    assert set(Transaction.objects.filter(site=site, kind="gift").values_list("amount_fen", flat=True)) == {0}
    assert Transaction.objects.filter(site=site, kind="gift").count() == len(gifts)
    assert PointsRule.objects.filter(site=site, tier="", version=2, valid_from__gt=today).exists()
    for customer_id in PointsEntry.objects.filter(kind="redeem").values_list("customer_id", flat=True):
        assert PointsEntry.objects.filter(customer_id=customer_id).aggregate(s=Sum("points"))["s"] >= 0
