"""A disputes import puts the member in C at once; undoing it takes them back at once too, in the
undo's own transaction — the members of the job one by one, or the site set-based when many."""

from __future__ import annotations

import csv
import datetime as dt
import io
from unittest import mock

import pytest
from django.utils import timezone

from opscenter.imports import services as import_services
from opscenter.imports.engine import ImportOptions
from opscenter.members import import_kinds, services
from opscenter.members.models import MemberTier, TierChange, TierEvaluation
from opscenter.members.tests.conftest import buy, rate

pytestmark = pytest.mark.django_db


def disputes_csv(*phones: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["电话", "发生日期", "类别", "描述"])
    for phone in phones:
        writer.writerow([phone, timezone.localdate().isoformat(), "效果", "术后效果不满意"])
    return out.getvalue().encode()


def commit(personas, data: bytes):
    job = import_services.import_job_create(
        actor=personas.ops_b, kind="disputes", site_id=personas.site_b.pk, source=data,
        filename="纠纷.csv", options=ImportOptions(),
    )  # fmt: skip
    import_services.import_job_commit(job=job, actor=personas.ops_b)
    job.refresh_from_db()
    assert job.status == "committed", job.message
    return job


@pytest.fixture
def aaa(personas, member, seed_rules):
    def make(name: str):
        c = member(name)
        buy(c, dt.date(2025, 1, 5), 20_000)
        buy(c, dt.date(2025, 3, 2), 8_000)
        rate(c, dt.date(2025, 4, 1), 5)
        services.member_refresh(customer_id=c.pk)  # what the on_commit bookkeeping does
        assert MemberTier.objects.get(customer=c).tier == "AAA"
        return c

    return make


def _tier(customer) -> str:
    return MemberTier.objects.get(customer=customer).tier


def _steps(customer) -> list[tuple[str, str, str]]:
    return list(
        TierChange.objects.filter(customer=customer)
        .order_by("id")
        .values_list("from_tier", "to_tier", "source")
    )


def test_undoing_a_disputes_import_puts_the_member_back_at_once_with_a_tier_change(personas, aaa):
    customer = aaa("王女士")
    job = commit(personas, disputes_csv(customer.phone))
    assert _tier(customer) == "C"
    evaluations = TierEvaluation.objects.count()

    import_services.import_job_undo(job=job, actor=personas.ops_b)  # no on_commit callbacks run

    assert _tier(customer) == "AAA"
    assert _steps(customer) == [("", "AAA", "refresh"), ("AAA", "C", "evaluation"), ("C", "AAA", "refresh")]
    assert TierEvaluation.objects.count() == evaluations  # the job's member only, not the site


def test_members_outside_the_job_are_not_touched_by_the_undo(personas, aaa):
    inside, outside = aaa("在批次内"), aaa("不在批次内")
    job = commit(personas, disputes_csv(inside.phone))
    before = _steps(outside)
    import_services.import_job_undo(job=job, actor=personas.ops_b)
    assert (_tier(inside), _tier(outside)) == ("AAA", "AAA")
    assert _steps(outside) == before


def test_beyond_the_refresh_limit_the_site_is_evaluated_set_based(personas, aaa):
    customers = [aaa(f"会员{n}") for n in range(3)]
    job = commit(personas, disputes_csv(*(c.phone for c in customers)))
    assert {_tier(c) for c in customers} == {"C"}
    evaluations = TierEvaluation.objects.count()
    with mock.patch.object(import_kinds, "MEMBER_REFRESH_LIMIT", 2):
        import_services.import_job_undo(job=job, actor=personas.ops_b)
    assert {_tier(c) for c in customers} == {"AAA"}
    assert TierEvaluation.objects.count() == evaluations + 1
    assert {_steps(c)[-1] for c in customers} == {("C", "AAA", "evaluation")}
