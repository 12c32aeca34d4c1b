"""Bulk imports bypass model signals: the import hooks keep aggregates and tiers exact anyway."""

import csv
import io

import pytest

from opscenter.imports import services as import_services
from opscenter.imports.engine import ImportOptions
from opscenter.members import aggregates
from opscenter.members.models import MemberTier, TierChange

pytestmark = pytest.mark.django_db


def transactions_csv(phone: str, amounts_yuan: list[int]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["电话", "日期", "项目", "类别", "金额", "类型"])
    for day, amount in enumerate(amounts_yuan, start=1):
        writer.writerow([phone, f"2026-03-{day:02d}", "热玛吉", "皮肤", amount, "消费"])
    return out.getvalue().encode()


def run(personas, data: bytes):
    job = import_services.import_job_create(
        actor=personas.ops_b, kind="transactions", site_id=personas.site_b.pk, source=data,
        filename="t.csv", options=ImportOptions(),
    )  # fmt: skip
    import_services.import_job_commit(job=job, actor=personas.ops_b)
    job.refresh_from_db()
    return job


def test_imported_purchases_update_aggregates_and_tier_and_undo_reverts_them(
    personas, member, seed_rules, django_capture_on_commit_callbacks
):
    customer = member("王女士")

    with django_capture_on_commit_callbacks(execute=True):
        job = run(personas, transactions_csv(customer.phone, [20000, 9000]))
    assert aggregates.verify(site_id=personas.site_b.pk) == []
    # Two purchase days (criterion A) and ¥29,000 ≥ ¥28,000 (criterion B): two of three → AA.
    assert MemberTier.objects.get(customer=customer).tier == "AA"

    with django_capture_on_commit_callbacks(execute=True):
        import_services.import_job_undo(job=job, actor=personas.ops_b)
    assert aggregates.verify(site_id=personas.site_b.pk) == []
    # With its purchases gone the customer is no member any more; the history keeps both steps.
    assert not MemberTier.objects.filter(customer=customer).exists()
    assert list(
        TierChange.objects.filter(customer=customer).order_by("id").values_list("from_tier", "to_tier")
    ) == [
        ("", "AA"),
        ("AA", ""),
    ]


def test_the_aggregates_of_an_import_are_refreshed_by_a_follow_up_after_the_commit(
    personas, member, seed_rules, settings
):
    """The import transaction no longer recomputes the aggregates (that cost as much as writing the
    rows): it queues a follow-up that a worker runs after the commit — idempotently."""
    from opscenter.imports.followups import followup_run
    from opscenter.imports.models import ImportFollowUp

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # no worker yet
    customer = member("赵女士")
    job = run(personas, transactions_csv(customer.phone, [20000, 9000]))

    followup = ImportFollowUp.objects.get(job=job)
    assert (followup.name, followup.status) == ("members.refresh", "queued")
    # Until it has run, the customer's aggregates lag behind the rows (and `verify` says so).
    assert aggregates.verify(site_id=personas.site_b.pk) != []
    assert not MemberTier.objects.filter(customer=customer).exists()

    assert followup_run(followup_id=followup.pk) == "done"
    assert aggregates.verify(site_id=personas.site_b.pk) == []
    assert MemberTier.objects.get(customer=customer).tier == "AA"
    # A task delivered twice finds it done and does nothing.
    assert followup_run(followup_id=followup.pk) == "done"
    assert TierChange.objects.filter(customer=customer).count() == 1
