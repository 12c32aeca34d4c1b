"""Writes of the member tiers: rule-set versions and their lifecycle, evaluation (set-based for
a site, or one member right after a write), care tasks (see `members.care`).

Import from here: `from opscenter.members import services; services.tier_rules_activate(...)`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.core.audit import as_actor
from opscenter.core.exceptions import NotFound, ValidationError
from opscenter.core.scoping import Scope
from opscenter.members import aggregates
from opscenter.members.care import care_task_close, care_tasks_generate
from opscenter.members.choices import RULE_SET_TRANSITIONS, ChangeSource, RuleSetStatus
from opscenter.members.evaluation import compile_rule_set, evaluate_rows
from opscenter.members.models import MemberTier, TierChange, TierEvaluation, TierRuleSet, TierRuleSetEvent
from opscenter.members.rules import validate_rule_set
from opscenter.org.models import Site
from opscenter.org.selectors import scope_for
from opscenter.pipeline.models import Customer

__all__ = [
    "care_task_close",
    "care_tasks_generate",
    "member_refresh",
    "tier_rules_activate",
    "tier_rules_create",
    "tier_rules_transition",
    "tiers_evaluate",
]


def _scope(actor, perm: str, site_id: int) -> Scope | None:
    """The actor's scope after checking the permission and the site; None for the system
    (actor=None: the demo, management commands, nightly tasks)."""
    if actor is None:
        return None
    scope = scope_for(actor)
    scope.require(perm)
    scope.require_site(site_id, write=True)
    return scope


def _actor_user(actor):
    return actor if getattr(actor, "pk", None) else None


@as_actor
@transaction.atomic
def tier_rules_create(
    *,
    actor,
    site_id: int,
    name: str,
    definition: dict[str, Any],
    based_on_id: int | None = None,
    note: str = "",
) -> TierRuleSet:
    """Save rules as a new draft version (版本号 = the name's latest + 1). Versions that have been
    active are never edited: an edit of any version is saved through here as the next version.
    The definition is validated first (`rules.validate_rule_set`) and stored normalized."""
    _scope(actor, "members.add_tierruleset", site_id)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("请填写规则名称"), field="name")
    normalized = validate_rule_set(definition)
    based_on = None
    if based_on_id is not None:
        based_on = TierRuleSet.objects.filter(pk=based_on_id, site_id=site_id).first()
        if based_on is None:
            raise NotFound(_("规则版本不存在或无权访问"))
    latest = TierRuleSet.objects.filter(site_id=site_id, name=name).aggregate(v=Max("version"))["v"] or 0
    rule_set = TierRuleSet.objects.create(
        site_id=site_id,
        name=name,
        version=latest + 1,
        definition=normalized,
        based_on=based_on,
        note=(note or "").strip()[:300],
        created_by=_actor_user(actor),
    )
    TierRuleSetEvent.objects.create(
        rule_set=rule_set, to_status=RuleSetStatus.DRAFT, actor=_actor_user(actor), at=timezone.now()
    )
    return rule_set


@as_actor
@transaction.atomic
def tier_rules_transition(*, actor, rule_set_id: int, to_status: str) -> TierRuleSet:
    """Move a version along RULE_SET_TRANSITIONS (draft → active → retired, or draft → retired).
    Activating re-validates the definition — an invalid rule set can never become active — and
    retires the site's previously active version. Use `tier_rules_activate` to also evaluate."""
    rule_set = TierRuleSet.objects.select_for_update().filter(pk=rule_set_id).first()
    if rule_set is None:
        raise NotFound(_("规则版本不存在或无权访问"))
    _scope(actor, "members.change_tierruleset", rule_set.site_id)
    if to_status not in RULE_SET_TRANSITIONS.get(rule_set.status, set()):
        raise ValidationError(
            _("规则版本不能从“%(get_status_display)s”变为“%(label)s”")
            % {"get_status_display": rule_set.get_status_display(), "label": RuleSetStatus(to_status).label},
            field="status",
            log_message=f"rule set {rule_set.pk} {rule_set.status} -> {to_status}",
        )
    now, user = timezone.now(), _actor_user(actor)
    if to_status == RuleSetStatus.ACTIVE:
        rule_set.definition = validate_rule_set(rule_set.definition)
        previous = TierRuleSet.objects.select_for_update().filter(
            site_id=rule_set.site_id, status=RuleSetStatus.ACTIVE
        )
        for old in previous:
            old.status, old.retired_at = RuleSetStatus.RETIRED, now
            old.save(update_fields=["status", "retired_at"])
            TierRuleSetEvent.objects.create(
                rule_set=old,
                from_status=RuleSetStatus.ACTIVE,
                to_status=RuleSetStatus.RETIRED,
                actor=user,
                at=now,
            )
        rule_set.activated_at = now
    else:
        rule_set.retired_at = now
    TierRuleSetEvent.objects.create(
        rule_set=rule_set, from_status=rule_set.status, to_status=to_status, actor=user, at=now
    )
    rule_set.status = to_status
    rule_set.save(update_fields=["status", "definition", "activated_at", "retired_at"])
    return rule_set


@as_actor
@transaction.atomic
def tier_rules_activate(*, actor, rule_set_id: int, as_of: dt.date | None = None) -> TierEvaluation:
    """Activate a draft version and evaluate every member of its site under it at once."""
    rule_set = tier_rules_transition(actor=actor, rule_set_id=rule_set_id, to_status=RuleSetStatus.ACTIVE)
    return tiers_evaluate(actor=actor, site_id=rule_set.site_id, as_of=as_of)


def active_rule_set(site_id: int) -> TierRuleSet | None:
    return TierRuleSet.objects.filter(site_id=site_id, status=RuleSetStatus.ACTIVE).first()


def _run(sql: str, params: Any = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params if params is not None else [])
        return cursor.rowcount


@as_actor
@transaction.atomic
def tiers_evaluate(*, actor, site_id: int, as_of: dt.date | None = None) -> TierEvaluation:
    """Evaluate every member of the site under its active rule set, set-based: the compiled
    statement fills a temporary table keyed by customer (new tier beside the current MemberTier
    row), then a few INSERT … SELECT / UPDATE … FROM statements write a TierChange for each member
    whose tier changed (upgrade, downgrade, first tier, or no longer a member) and bring MemberTier
    up to date. Nothing is written for members whose tier is unchanged, and no row passes through
    Python, so memory stays flat at any number of members. Returns the run with counts per tier."""
    _scope(actor, "members.change_membertier", site_id)
    if not Site.objects.filter(pk=site_id).exists():
        raise NotFound(_("院区不存在"))
    rule_set = active_rule_set(site_id)
    if rule_set is None:
        raise ValidationError(_("该院区还没有生效的会员分级规则"), field="site_id")
    as_of = as_of or timezone.localdate()
    run = TierEvaluation.objects.create(
        site_id=site_id, rule_set=rule_set, as_of=as_of, started_at=timezone.now(), actor=_actor_user(actor)
    )
    compiled = compile_rule_set(rule_set.definition, site_id=site_id, as_of=as_of)
    ev = f"members_eval_{uuid.uuid4().hex[:12]}"
    mt, tc = MemberTier._meta.db_table, TierChange._meta.db_table
    ops = connection.ops
    day, now = ops.adapt_datefield_value(as_of), ops.adapt_datetimefield_value(timezone.now())
    rs, gone = rule_set.pk, ""  # to_tier of a member no more
    # Keyed by customer: SQLite stores the rows in customer order (an INTEGER PRIMARY KEY is the
    # rowid), so the writes below append to the indexes in order and every lookup is by rowid.
    key = "INTEGER PRIMARY KEY" if connection.vendor == "sqlite" else "BIGINT PRIMARY KEY"
    _run(
        f"CREATE TEMPORARY TABLE {ev} (customer_id {key}, tier VARCHAR(20) NOT NULL, "
        f"old_tier VARCHAR(20) NULL, old_site BIGINT NULL, old_rule_set BIGINT NULL)"
    )
    _run(
        f"""INSERT INTO {ev} (customer_id, tier, old_tier, old_site, old_rule_set)
            SELECT e.customer_id, e.tier, m.tier, m.site_id, m.rule_set_id
            FROM ({compiled.sql}) e LEFT JOIN {mt} m ON m.customer_id = e.customer_id""",
        compiled.params,
    )
    if connection.vendor == "postgresql":
        _run(f"ANALYZE {ev}")  # temporary tables get no statistics otherwise
    # One pass for the counts and for what needs writing: first tiers and changed tiers, rows of
    # this site still on an older rule set, and how many of the site's MemberTier rows were seen.
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT tier, COUNT(*),
                    SUM(CASE WHEN old_tier IS NULL OR old_tier <> tier THEN 1 ELSE 0 END),
                    SUM(CASE WHEN old_tier IS NULL THEN 1 ELSE 0 END),
                    SUM(CASE WHEN old_site = %s THEN 1 ELSE 0 END),
                    SUM(CASE WHEN old_tier = tier AND old_site = %s AND old_rule_set <> %s THEN 1 ELSE 0 END)
                FROM {ev} GROUP BY tier""",
            [site_id, site_id, rs],
        )
        rows = cursor.fetchall()
        counts = {tier: int(n) for tier, n, *_ in rows}
        changed, new, seen, stale = (sum(int(r[i] or 0) for r in rows) for i in range(2, 6))
        moved = changed - new  # members whose tier changed
        cursor.execute(f"SELECT COUNT(*) FROM {mt} WHERE site_id = %s", [site_id])
        current = cursor.fetchone()[0]
    if current > seen:
        # Members with no purchases left (an undone import, deleted rows) are members no more: the
        # change is recorded (to "") and their tier row removed, rather than a stale tier kept.
        changed += _run(
            f"""INSERT INTO {ev} (customer_id, tier, old_tier, old_site, old_rule_set)
                SELECT m.customer_id, %s, m.tier, m.site_id, m.rule_set_id FROM {mt} m
                WHERE m.site_id = %s AND NOT EXISTS (SELECT 1 FROM {ev} t WHERE t.customer_id = m.customer_id)""",
            [gone, site_id],
        )
        _run(f"DELETE FROM {mt} WHERE customer_id IN (SELECT customer_id FROM {ev} WHERE tier = %s)", [gone])
    changes = 0
    if changed:
        changes = _run(
            f"""INSERT INTO {tc} (customer_id, site_id, from_tier, to_tier, rule_set_id, evaluation_id, source, as_of, changed_at)
                SELECT customer_id, %s, COALESCE(old_tier, ''), tier, %s, %s, %s, %s, %s
                FROM {ev} WHERE old_tier IS NULL OR old_tier <> tier""",
            [site_id, rs, run.pk, ChangeSource.EVALUATION.value, day, now],
        )
    if moved:  # portable UPDATE … FROM (SQLite ≥ 3.33, PostgreSQL)
        _run(
            f"""UPDATE {mt} SET tier = t.tier, since = %s, rule_set_id = %s, site_id = %s FROM {ev} t
                WHERE t.customer_id = {mt}.customer_id AND t.old_tier IS NOT NULL AND t.old_tier <> t.tier""",
            [day, rs, site_id],
        )
    if stale:  # same tier under the new version: only the rule set moves (and only its index)
        _run(
            f"UPDATE {mt} SET rule_set_id = %s WHERE site_id = %s AND rule_set_id <> %s",
            [rs, site_id, rs],
        )
    if new:
        _run(
            f"""INSERT INTO {mt} (customer_id, site_id, tier, rule_set_id, since)
                SELECT customer_id, %s, tier, %s, %s FROM {ev} WHERE old_tier IS NULL""",
            [site_id, rs, day],
        )
    _run(f"DROP TABLE {ev}")  # on an error the rollback drops it
    run.counts, run.changes, run.members = counts, changes, sum(counts.values())
    run.finished_at = timezone.now()
    run.save(update_fields=["counts", "changes", "members", "finished_at"])
    return run


@transaction.atomic
def member_refresh(
    *, customer_id: int, as_of: dt.date | None = None, aggregates_exact: bool = False
) -> MemberTier | None:
    """Bring one member up to date right after a write to their data: refresh their running
    aggregates (unless the caller knows them exact: the bookkeeping signal refreshed them inside
    the write's transaction), evaluate them under their site's active rule set and, if the tier
    changed, write MemberTier and a TierChange. Bookkeeping called by the system (no actor, no
    permission check). Returns the member's tier row (None: not a member, or no active rule set).

    The customer row is locked first, as every pipeline write does (`customer_for_write`), so a
    refresh and a concurrent write to the same customer queue up instead of deadlocking on the
    aggregate and tier rows; it also keeps two refreshes of one customer from both inserting."""
    customer = Customer.objects.select_for_update().filter(pk=customer_id).values("site_id").first()
    if customer is None:
        return None
    if not aggregates_exact:
        aggregates.refresh_customers([customer_id])
    rule_set = active_rule_set(customer["site_id"])
    if rule_set is None:
        return None
    as_of = as_of or timezone.localdate()
    rows = evaluate_rows(
        rule_set.definition, site_id=customer["site_id"], as_of=as_of, customer_ids=[customer_id]
    )
    current = MemberTier.objects.select_for_update().filter(customer_id=customer_id).first()
    if not rows:
        # No purchases left (e.g. an undone import): no longer a member; the history keeps the step.
        if current is not None:
            TierChange.objects.create(
                customer_id=customer_id,
                site_id=customer["site_id"],
                from_tier=current.tier,
                to_tier="",
                rule_set=rule_set,
                source=ChangeSource.REFRESH,
                as_of=as_of,
                changed_at=timezone.now(),
            )
            current.delete()
        return None
    tier = rows[0][1]
    if current is not None and current.tier == tier:
        if current.rule_set_id != rule_set.pk:
            current.rule_set = rule_set
            current.save(update_fields=["rule_set"])
        return current
    TierChange.objects.create(
        customer_id=customer_id,
        site_id=customer["site_id"],
        from_tier=current.tier if current else "",
        to_tier=tier,
        rule_set=rule_set,
        source=ChangeSource.REFRESH,
        as_of=as_of,
        changed_at=timezone.now(),
    )
    if current is None:
        return MemberTier.objects.create(
            customer_id=customer_id, site_id=customer["site_id"], tier=tier, rule_set=rule_set, since=as_of
        )
    current.tier, current.rule_set, current.since, current.site_id = (
        tier,
        rule_set,
        as_of,
        customer["site_id"],
    )
    current.save(update_fields=["tier", "rule_set", "since", "site"])
    return current
