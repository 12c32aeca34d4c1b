"""The demo year: deterministic for a seed, plausible counts, consistent denormalized columns."""

from __future__ import annotations

import io

import pytest
from django.db.models import Count, F, Min

from opscenter.core.models import User
from opscenter.demo.org import build_org
from opscenter.org.models import Site
from opscenter.pipeline import selectors
from opscenter.pipeline.demo import generate
from opscenter.pipeline.models import (
    Appointment,
    Assessment,
    Consultation,
    Customer,
    Deal,
    Exit,
    FollowUp,
    OwnershipChange,
    Transaction,
    Visit,
)

pytestmark = pytest.mark.django_db


def _load(seed: int = 7) -> None:
    build_org(seed=2026, stdout=io.StringIO())
    generate(seed=seed, stdout=io.StringIO())


def _fingerprint():
    return (
        list(
            Customer.objects.order_by("pk").values_list("name", "phone", "channel__name", "cohort_month")[:50]
        ),
        list(Deal.objects.order_by("pk").values_list("signed_on", "amount_fen")[:50]),
        Transaction.objects.count(),
        sum(Transaction.objects.values_list("amount_fen", flat=True)),
    )


def test_demo_year_has_plausible_sizes_looks_like_the_seeds_and_its_columns_agree():
    # How fast it loads is a benchmark's business (timings depend on the machine's load), not a test's.
    _load()
    sunshine, meilai = Site.objects.get(code="sunshine"), Site.objects.get(code="meilai")
    residents = Deal.objects.filter(site=sunshine, is_new_customer=True).count()
    assert 250 <= residents <= 350
    assert set(Deal.objects.filter(site=sunshine).values_list("stay_type", flat=True)) == {
        "trial",
        "short",
        "long",
    }
    assert set(Deal.objects.filter(site=sunshine).values_list("care_zone", flat=True)) == {
        "assisted",
        "rehab",
        "dementia",
    }
    assert Assessment.objects.filter(site=sunshine, second_opinion_of__isnull=False).exists()
    assert Exit.objects.filter(site=sunshine).count() > 5
    assert 4500 <= Customer.objects.filter(site=meilai).count() <= 5500
    assert 50_000 <= Transaction.objects.filter(site=meilai).count() <= 70_000
    assert FollowUp.objects.filter(site=meilai, satisfaction__isnull=False).exists()
    _looks_like_the_seeds_and_its_columns_agree(sunshine, meilai)


def _looks_like_the_seeds_and_its_columns_agree(sunshine, meilai):
    # Part of the test above: loading the whole demo year once is the expensive part of both.
    superuser = User.objects.get(username="admin")
    # Seed 000 表1: residents by source ≈ 31.4% referral, 52.9% offline, 6.7% online.
    shares = {
        s.key: s.percent
        for s in selectors.share_table(user=superuser, table="source", site_id=sunshine.pk, signed_only=True)
    }
    assert 24 <= shares["referral"] <= 39 and 45 <= shares["offline"] <= 61 and shares["online"] <= 12
    # Seed 004: phone / online (本市, out of town apart) / walk-in funnel.
    total = selectors.funnel(
        user=superuser, filters=selectors.FunnelFilters(month_from=202512, month_to=202611, site_id=meilai.pk)
    ).total
    rates = total.rates
    assert 0.25 < rates["phone_appointment_rate"] < 0.8 and 0.2 < rates["online_appointment_rate"] < 0.7
    assert 0.2 < rates["phone_visit_rate"] < 0.6 and 0.15 < rates["online_visit_rate"] < 0.5
    assert total.counts["visits_walk_in"] > 1000 and total.counts["visits_online_remote"] > 0
    assert 0.5 < rates["new_customer_conversion_rate"] < 0.8
    assert 300_000 < total.revenue_per_customer_fen < 3_000_000  # ¥3,000 – ¥30,000
    # The denormalized columns are what the services would have written.
    for model in (Consultation, Appointment, Visit, Deal):
        assert not model.objects.exclude(cohort_month=F("customer__cohort_month")).exists(), model
        assert not model.objects.exclude(channel_kind=F("customer__channel_kind")).exists(), model
    firsts = Consultation.objects.filter(is_first=True).values("customer").annotate(n=Count("pk"))
    assert all(row["n"] == 1 for row in firsts)
    earliest = Consultation.objects.values("customer").annotate(m=Min("month"))
    cohort = dict(Customer.objects.values_list("pk", "cohort_month"))
    assert all(cohort[row["customer"]] == row["m"] for row in earliest)


def test_same_seed_same_data_and_a_second_run_adds_nothing():
    build_org(seed=2026, stdout=io.StringIO())
    generate(seed=11, stdout=io.StringIO(), sites=("sunshine",))
    first = _fingerprint()
    counts = Customer.objects.count()
    generate(seed=11, stdout=io.StringIO(), sites=("sunshine",))
    assert Customer.objects.count() == counts
    Assessment.objects.filter(second_opinion_of__isnull=False).delete()
    for model in (
        Transaction,
        FollowUp,
        Assessment,
        Exit,
        Deal,
        Visit,
        Appointment,
        Consultation,
        OwnershipChange,
    ):
        model.objects.all().delete()
    Customer.objects.all().delete()
    generate(seed=11, stdout=io.StringIO(), sites=("sunshine",))
    assert _fingerprint() == first
    generate(seed=12, stdout=io.StringIO(), sites=("sunshine",))  # skipped: the site has customers
    assert _fingerprint() == first


def test_the_demo_year_ends_yesterday_with_todays_appointments_and_follow_ups_open():
    import datetime as dt

    from django.db.models import Max

    today = dt.date(2027, 3, 15)
    build_org(seed=2026, stdout=io.StringIO())
    generate(seed=7, stdout=io.StringIO(), today=today, sites=("sunshine",))
    assert Deal.objects.aggregate(last=Max("signed_on"))["last"] == today - dt.timedelta(days=1)
    assert Deal.objects.aggregate(first=Min("signed_on"))["first"] >= dt.date(2026, 3, 15)
    assert not Transaction.objects.filter(occurred_on__gte=today).exists()
    assert not FollowUp.objects.filter(done_on__gte=today).exists()
    open_followups = FollowUp.objects.filter(scheduled_on__gte=today, outcome="pending")
    assert open_followups.filter(scheduled_on=today).exists() or open_followups.count() > 5
    booked = Appointment.objects.filter(status="booked")
    assert booked.exists()
    assert all(a.scheduled_for.date() >= today - dt.timedelta(days=1) for a in booked[:200])


def test_the_work_queue_step_books_today_and_cancels_one_deal_once():
    """Issue 12: after `make demo` the home page counts today's appointments and a cancelled deal
    is on record (reversed, not deleted); a second run adds nothing."""
    from django.utils import timezone

    from opscenter.pipeline.demo import queues

    build_org(seed=2026, stdout=io.StringIO())
    generate(seed=11, stdout=io.StringIO(), sites=("sunshine",))
    queues.generate(seed=11, stdout=io.StringIO())
    today = timezone.localdate()
    booked = Appointment.objects.filter(note=queues.DEMO_NOTE, status="booked")
    assert booked.filter(scheduled_for__date=today).count() == 4
    cancelled = Deal.objects.filter(status="cancelled", note__contains=queues.CANCEL_REASON)
    assert cancelled.count() == 1
    queues.generate(seed=11, stdout=io.StringIO())
    assert booked.count() == 6 and cancelled.count() == 1
