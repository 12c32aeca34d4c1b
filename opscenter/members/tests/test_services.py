"""Rule-set versions, set-based evaluation with history only on change, refresh after a write,
what-if preview, care tasks, and the CLI."""

from __future__ import annotations

import copy
import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from opscenter.core.exceptions import PermissionDenied, ValidationError
from opscenter.members import aggregates, selectors, services
from opscenter.members.constants import LADDER, SEED_004
from opscenter.members.models import CareTask, MemberTier, TierChange, TierRuleSet
from opscenter.members.rules import RuleSetError
from opscenter.members.tests.conftest import buy, dispute, rate
from opscenter.pipeline import services as pipeline_services

D = dt.date
pytestmark = pytest.mark.django_db


def rich(member, name="王富"):
    c = member(name)
    buy(c, D(2025, 1, 5), 20_000)
    buy(c, D(2025, 3, 2), 8_000)
    rate(c, D(2025, 4, 1), 5)
    return c


def test_evaluation_writes_history_only_when_the_tier_changes(personas, member, seed_rules):
    c, other = rich(member), member("普通")
    buy(other, D(2025, 1, 5))
    run = services.tiers_evaluate(actor=personas.ops_b, site_id=personas.site_b.pk)
    assert run.counts == {"AAA": 1, "B": 1} and run.changes == 2
    again = services.tiers_evaluate(actor=personas.ops_b, site_id=personas.site_b.pk)
    assert again.changes == 0 and TierChange.objects.count() == 2
    dispute(c, D(2025, 5, 1))
    down = services.tiers_evaluate(actor=personas.ops_b, site_id=personas.site_b.pk)
    assert down.changes == 1
    change = TierChange.objects.get(evaluation=down)
    assert (change.from_tier, change.to_tier, change.rule_set_id) == ("AAA", "C", seed_rules.pk)
    assert MemberTier.objects.get(customer=c).tier == "C"


def test_a_consultant_cannot_run_an_evaluation(personas, seed_rules):
    with pytest.raises(PermissionDenied):
        services.tiers_evaluate(actor=personas.consultant_b, site_id=personas.site_b.pk)


def test_a_member_is_re_evaluated_right_after_a_service_write(
    personas, member, seed_rules, django_capture_on_commit_callbacks
):
    c = rich(member)
    services.tiers_evaluate(actor=personas.ops_b, site_id=personas.site_b.pk)
    with django_capture_on_commit_callbacks(execute=True):
        pipeline_services.dispute_open(
            actor=personas.ops_b,
            customer_id=c.pk,
            opened_on=D(2025, 6, 1),
            category="treatment",
            description="红肿",
        )
    assert MemberTier.objects.get(customer=c).tier == "C"
    d = c.disputes.get()
    with django_capture_on_commit_callbacks(execute=True):
        pipeline_services.dispute_settle(
            actor=personas.ops_b, dispute_id=d.pk, settled_on=timezone.localdate(), outcome="refunded"
        )
    assert MemberTier.objects.get(customer=c).tier == "J"
    assert list(TierChange.objects.filter(customer=c).values_list("to_tier", "source")) == [
        ("J", "refresh"),
        ("C", "refresh"),
        ("AAA", "evaluation"),
    ]


def test_aggregates_follow_every_orm_write_and_verify_against_raw_rows(personas, member):
    c = member()
    t = buy(c, D(2025, 1, 5), 100)
    buy(c, D(2025, 1, 5), 50, kind="refund")
    rate(c, D(2025, 2, 1), 4)
    t.amount_fen = 12_345
    t.save()
    assert aggregates.verify() == []
    t.delete()
    assert aggregates.verify() == []
    assert aggregates.rebuild() == 3  # January (refund only), February (rating), totals


def test_an_edit_is_a_new_version_and_activation_retires_the_previous(personas, seed_rules):
    edited = copy.deepcopy(seed_rules.definition)
    edited["criteria"][1]["conditions"][0]["threshold"] = 2_000_000
    v2 = services.tier_rules_create(
        actor=personas.ops_b,
        site_id=personas.site_b.pk,
        name=seed_rules.name,
        definition=edited,
        based_on_id=seed_rules.pk,
    )
    assert (v2.version, v2.status) == (2, "draft")
    services.tier_rules_activate(actor=personas.ops_b, rule_set_id=v2.pk)
    seed_rules.refresh_from_db()
    assert seed_rules.status == "retired"
    assert list(v2.events.values_list("from_status", "to_status")) == [("", "draft"), ("draft", "active")]
    with pytest.raises(ValidationError, match="不能从“已停用”变为“生效中”"):
        services.tier_rules_transition(actor=personas.ops_b, rule_set_id=seed_rules.pk, to_status="active")


def test_an_invalid_rule_set_can_never_become_active(personas, seed_rules):
    bad = copy.deepcopy(SEED_004)
    bad["levels"][0]["criteria"] = []
    with pytest.raises(RuleSetError, match="没有引用任何判定标准"):
        services.tier_rules_create(
            actor=personas.ops_b, site_id=personas.site_b.pk, name="坏规则", definition=bad
        )
    # Even a row corrupted behind the services' back is refused at activation.
    draft = TierRuleSet.objects.create(site=personas.site_b, name="坏规则", version=1, definition=bad)
    with pytest.raises(RuleSetError):
        services.tier_rules_activate(actor=personas.ops_b, rule_set_id=draft.pk)
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert TierRuleSet.objects.get(site=personas.site_b, status="active") == seed_rules


def test_preview_shows_the_transition_matrix_and_the_movers_without_writing(personas, member, seed_rules):
    c, small = rich(member), member("小额")
    buy(small, D(2025, 1, 5), 6_000)
    services.tiers_evaluate(actor=personas.ops_b, site_id=personas.site_b.pk)
    ladder = services.tier_rules_create(
        actor=personas.ops_b, site_id=personas.site_b.pk, name="消费折扣等级", definition=LADDER
    )
    preview = selectors.tier_preview(user=personas.ops_b, rule_set_id=ladder.pk)
    assert preview.matrix == {("AAA", "jade"): 1, ("B", "crystal"): 1}
    assert {m["customer_id"] for m in preview.movers} == {c.pk, small.pk}
    assert MemberTier.objects.get(customer=c).tier == "AAA"


def test_care_tasks_are_generated_once_and_closed_by_their_consultant(personas, member, seed_rules):
    c = rich(member)
    c.birthday = D(1980, 7, 10)
    c.save()
    services.tiers_evaluate(actor=personas.ops_b, site_id=personas.site_b.pk)
    as_of = D(2025, 6, 20)
    n = services.care_tasks_generate(site_id=personas.site_b.pk, as_of=as_of)
    kinds = set(CareTask.objects.values_list("kind", flat=True))
    assert kinds == {
        "followup",
        "birthday_call",
        "birthday_coupon",
        "birthday_discount",
        "quarterly_gift",
        "salon",
    }
    assert services.care_tasks_generate(site_id=personas.site_b.pk, as_of=as_of) == 0 and n == 6
    task = CareTask.objects.get(kind="salon")
    assert task.assignee == personas.consultant_b.staff and task.due_on == D(2025, 6, 30)
    with pytest.raises(ValidationError, match="跳过任务请填写原因"):
        services.care_task_close(actor=personas.consultant_b, task_id=task.pk, status="skipped")
    services.care_task_close(actor=personas.consultant_b, task_id=task.pk, status="done", note="已邀请")
    with pytest.raises(ValidationError, match="该任务已处理"):
        services.care_task_close(actor=personas.ops_b, task_id=task.pk, status="done")
    rows = selectors.care_completion(user=personas.ops_b, due_by=D(2025, 12, 31))
    assert [(r["assignee__name"], r["due"], r["done"]) for r in rows] == [("咨询乙", 6, 1)]


def test_cli_evaluates_and_explains_a_customer(personas, member, seed_rules):
    c = rich(member)
    out = StringIO()
    call_command("tiers", "evaluate", "--site", "meilai", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data[0]["counts"] == {"AAA": 1} and data[0]["moves"] == [
        {"from_tier": "", "to_tier": "AAA", "n": 1}
    ]
    out = StringIO()
    call_command("tiers", "explain", c.phone, stdout=out)
    text = out.getvalue()
    assert "等级：AAA级" in text and "2 个消费日：2025-01-05、2025-03-02" in text
    out = StringIO()
    call_command("tiers", "explain", str(c.pk), "--json", stdout=out)
    assert json.loads(out.getvalue())["tier"] == "AAA"
    out = StringIO()
    call_command("tiers", "rebuild", "--verify", stdout=out)
    assert "一致" in out.getvalue()
