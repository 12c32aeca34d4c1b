"""Bookkeeping signals (STYLE.md allows signals only for bookkeeping).

When a transaction, follow-up or dispute is saved or deleted through the ORM, the customer's
running aggregates (`MemberMonth`) are refreshed inside the same database transaction, so they are
exact the moment it commits. The tier re-evaluation is not bookkeeping and is not done here: it
runs after the commit (`transaction.on_commit`) through `services.member_refresh`.

Bulk writes (imports) send no signals. A committed import of transactions, follow-ups or deals
queues a follow-up (`opscenter.imports.hooks.register_followup`) that a background task runs:
the aggregates of the customers the job touched are recomputed from their rows, then the site's
tiers are re-evaluated set-based. Recomputing from the rows makes it idempotent (a re-run, a
late run or a run after an undo is harmless); the import's page shows it while it runs, and
until it has run those customers' aggregates lag behind their rows (`aggregates.verify` would
name them). Doing it inside the import's transaction cost as much as writing the rows.
"""

from __future__ import annotations

import contextlib
import logging

from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_noop

from opscenter.imports import hooks
from opscenter.members import aggregates
from opscenter.pipeline.models import Customer, Deal, Dispute, FollowUp, Transaction

logger = logging.getLogger(__name__)
PENDING = "_opscenter_tier_refresh_pending"


def _refresh_tiers() -> None:
    """After the commit: re-evaluate the tier of every customer whose rows the transaction wrote.

    The write is committed by now; this is derived data, idempotent, and the nightly evaluation
    catches up with anything missed, so a failure here is logged and never reported as the
    write's failure (on_commit(robust=True) and the per-customer guard). Each refresh is its own
    short transaction, retried when it loses a race with a concurrent writer.
    """
    from opscenter.core.db import retrying
    from opscenter.members.services import member_refresh

    pending = getattr(connection, PENDING, set())
    setattr(connection, PENDING, set())
    for customer_id in sorted(pending):
        try:
            retrying(member_refresh, customer_id=customer_id, aggregates_exact=True)
        except Exception:
            logger.exception(
                "tier refresh of customer %s failed; the nightly evaluation will catch up", customer_id
            )


def _changed(sender, instance, raw: bool = False, **kwargs) -> None:
    if raw:  # loaddata
        return
    if sender is not Dispute:
        aggregates.refresh_customers([instance.customer_id])
    refresh_tier_after_commit(instance.customer_id)


def refresh_tier_after_commit(customer_id: int) -> None:
    """Re-evaluate the customer's tier once the current transaction commits (also for facts other
    apps own, e.g. a consumed course session: `members.sources`)."""
    # One refresh per customer per commit however many rows were written (a deal's lines): the
    # pending set lives on the connection and the first on_commit callback to run empties it.
    pending = getattr(connection, PENDING, None)
    if pending is None:
        pending = set()
        setattr(connection, PENDING, pending)
    pending.add(customer_id)
    transaction.on_commit(_refresh_tiers, robust=True)


# Import kinds whose rows feed the aggregates (customers' own rows carry no purchases).
FEEDING_KINDS = {"transactions", "followups", "deals", "sessions", "clinic_orders"}


def _evaluate_site(site_id: int | None) -> None:
    from opscenter.members.services import active_rule_set, tiers_evaluate

    if site_id is not None and active_rule_set(site_id) is not None:
        tiers_evaluate(actor=None, site_id=site_id)


def _refresh_after_import(*, job_id: int, kind: str, site_id: int | None) -> None:
    """The import follow-up: aggregates of every customer with rows of the job, then the site's
    tiers. Customers are read from the job's rows (`import_job_id`), so nothing travels with the
    task and an undone job (rows gone) refreshes nobody — its undo already did."""
    from opscenter.imports.bulk import bulk_session

    customer_ids: set[int] = set()
    for model in (Transaction, FollowUp, Deal):
        customer_ids.update(
            model.objects.filter(import_job_id=job_id).values_list("customer_id", flat=True).distinct()
        )
    with bulk_session():
        if customer_ids:
            aggregates.refresh_customers(customer_ids)
        _evaluate_site(site_id)


@contextlib.contextmanager
def _around_undo(*, kind: str, job_id: int):
    if kind not in FEEDING_KINDS:
        yield
        return
    customer_ids = set(Transaction.objects.filter(import_job_id=job_id).values_list("customer_id", flat=True))
    customer_ids |= set(FollowUp.objects.filter(import_job_id=job_id).values_list("customer_id", flat=True))
    site_ids = set(Customer.objects.filter(pk__in=customer_ids).values_list("site_id", flat=True).distinct())
    yield
    if customer_ids:
        aggregates.refresh_customers(customer_ids)
        for site_id in site_ids:
            transaction.on_commit(lambda site_id=site_id: _evaluate_site(site_id))


def connect() -> None:
    hooks.register_followup(
        name="members.refresh",
        label=gettext_noop("会员汇总与等级刷新"),
        kinds=FEEDING_KINDS,
        run=_refresh_after_import,
    )
    hooks.on_undo(_around_undo)
    for model in (Transaction, FollowUp, Dispute):
        post_save.connect(_changed, sender=model, dispatch_uid=f"members-aggregates-save-{model.__name__}")
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"members-aggregates-delete-{model.__name__}"
        )
