"""Concurrent writers on the same few customers: follow-ups, visits and deals (with purchases, so
each one re-evaluates the member tier after its commit) posted from many threads at once.

Every request must answer 2xx or a 4xx, never a 5xx; every row answered 2xx must be in the
database, and no row may be there that was not answered 2xx (a committed write reported as an
error is retried by its user into a duplicate). On PostgreSQL the threads really race — the lock
order (customer row first, in the write and in the tier refresh) and the conflict retry are what
keep deadlocks away. SQLite's in-memory test database takes table locks without waiting, so there
the requests queue on a lock, as writers queue on a file database's busy timeout.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
from contextlib import nullcontext

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from opscenter.members import services as member_services
from opscenter.members.constants import SEED_004, SEED_004_NAME
from opscenter.members.models import MemberTier
from opscenter.pipeline import services
from opscenter.pipeline.models import Channel, Deal, FollowUp, Visit

THREADS, REQUESTS = 8, 6


@pytest.mark.django_db(transaction=True)
def test_concurrent_writes_to_the_same_customers_never_fail_and_never_half_succeed(personas):
    ops = personas.ops_a
    # A transactional test may run after another one flushed the migrations' default channels.
    channel, _ = Channel.objects.get_or_create(site=None, name="电话", defaults={"kind": "phone"})
    start = timezone.now() - dt.timedelta(days=30)
    customers = []
    for n in range(3):
        c = services.customer_register(
            actor=ops,
            site_id=personas.site_a.pk,
            channel_id=channel.pk,
            name=f"并发{n}",
            phone=f"1390000100{n}",
        )
        services.consultation_record(actor=ops, customer_id=c.pk, mode="phone", occurred_at=start)
        customers.append(c.pk)
    rule_set = member_services.tier_rules_create(
        actor=ops, site_id=personas.site_a.pk, name=SEED_004_NAME, definition=SEED_004
    )
    member_services.tier_rules_activate(actor=ops, rule_set_id=rule_set.pk)
    today = timezone.localdate().isoformat()
    serial = threading.Lock() if connection.vendor == "sqlite" else None
    results: list[tuple[str, str, int]] = []
    failures: list[BaseException] = []

    def request(client: Client, kind: str, marker: str, customer_id: int) -> int:
        if kind == "followup":
            body = {"customer_id": customer_id, "scheduled_on": today, "note": marker}
            url = "/api/pipeline/followups"
        elif kind == "visit":
            body = {"customer_id": customer_id, "arrived_at": timezone.now().isoformat(), "note": marker}
            url = "/api/pipeline/visits"
        else:
            line = {"item": "护理", "category": "skin", "amount_fen": 1_500_000, "sessions": 3}
            body = {"customer_id": customer_id, "signed_on": today, "lines": [line], "note": marker}
            body["record_transactions"] = True
            url = "/api/pipeline/deals"
        with serial or nullcontext():
            return client.post(url, body, content_type="application/json").status_code

    def worker(n: int) -> None:
        try:
            client = Client(raise_request_exception=False)
            with serial or nullcontext():
                client.force_login(ops)
            rng = random.Random(n)
            for j in range(REQUESTS):
                kind = ("followup", "visit", "deal")[(n + j) % 3]
                marker = f"t{n}-{j}"
                results.append((kind, marker, request(client, kind, marker, rng.choice(customers))))
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not failures, failures
    assert len(results) == THREADS * REQUESTS
    assert [r for r in results if r[2] >= 500] == []
    ok = {(kind, marker) for kind, marker, status in results if 200 <= status < 300}
    stored = (
        {
            ("followup", m)
            for m in FollowUp.objects.filter(note__startswith="t").values_list("note", flat=True)
        }
        | {("visit", m) for m in Visit.objects.filter(note__startswith="t").values_list("note", flat=True)}
        | {("deal", m) for m in Deal.objects.filter(note__startswith="t").values_list("note", flat=True)}
    )
    assert stored == ok
    assert len(ok) == THREADS * REQUESTS  # nothing here is a bad request: every write goes through
    # The tier refresh after each deal ran: every customer who bought is a member now.
    bought = set(Deal.objects.values_list("customer_id", flat=True))
    assert bought and bought <= set(MemberTier.objects.values_list("customer_id", flat=True))
