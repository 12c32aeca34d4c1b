"""The nightly job (`members.nightly`, `opscenter tiers nightly`, `members.tasks`): evaluation and
care tasks once per site and day, sites without active rules skipped, per-site counts printed."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command

from opscenter.members import services
from opscenter.members.models import CareTask, NightlyRun, TierEvaluation
from opscenter.members.nightly import evaluate_all_sites
from opscenter.members.tasks import evaluate_all_sites_task
from opscenter.members.tests.conftest import buy, rate

pytestmark = pytest.mark.django_db
D = dt.date
DAY = D(2025, 6, 30)


@pytest.fixture
def rich_member(member):
    c = member("王富", birthday=D(1990, 7, 10))
    buy(c, D(2025, 1, 5), 20_000)
    buy(c, D(2025, 3, 2), 8_000)
    rate(c, D(2025, 4, 1), 5)
    return c


def _by_site(results):
    return {r.site: r for r in results}


def test_running_twice_the_same_day_evaluates_and_generates_care_tasks_once(
    personas, rich_member, seed_rules
):
    first = _by_site(evaluate_all_sites(as_of=DAY))["meilai"]
    assert (first.status, first.members, first.changes) == ("done", 1, 1)
    assert first.care_tasks == CareTask.objects.count() > 0
    again = _by_site(evaluate_all_sites(as_of=DAY))["meilai"]
    assert again.status == "already"
    assert TierEvaluation.objects.filter(site=personas.site_b, as_of=DAY).count() == 1
    run = NightlyRun.objects.get(site=personas.site_b, day=DAY)
    assert (run.status, run.care_tasks, run.evaluation.as_of) == ("done", first.care_tasks, DAY)
    assert _by_site(evaluate_all_sites(as_of=DAY + dt.timedelta(days=1)))["meilai"].status == "done"


def test_a_site_without_an_active_rule_set_is_skipped(personas, rich_member, seed_rules):
    results = _by_site(evaluate_all_sites(as_of=DAY))
    assert results["sunshine"].status == "no_rules"
    assert not NightlyRun.objects.filter(site=personas.site_a).exists()
    assert not TierEvaluation.objects.filter(site=personas.site_a).exists()


def test_a_failed_site_is_recorded_and_retried_by_the_next_run(personas, rich_member, seed_rules):
    with mock.patch.object(services, "care_tasks_generate", side_effect=RuntimeError("disk full")):
        failed = _by_site(evaluate_all_sites(as_of=DAY))["meilai"]
    assert failed.status == "failed" and "disk full" in failed.error
    assert NightlyRun.objects.get(site=personas.site_b, day=DAY).status == "failed"
    assert _by_site(evaluate_all_sites(as_of=DAY))["meilai"].status == "done"


def test_the_command_prints_per_site_counts_and_runs_once(personas, rich_member, seed_rules):
    out = StringIO()
    call_command("tiers", "nightly", "--as-of", DAY.isoformat(), stdout=out)
    text = out.getvalue()
    n = CareTask.objects.count()
    assert f"meilai: 会员 1，等级变动 1，新建关怀任务 {n}" in text
    assert "sunshine: 没有生效的会员分级规则，跳过" in text
    out = StringIO()
    call_command("tiers", "nightly", "--as-of", DAY.isoformat(), "--json", stdout=out)
    rows = {r["site"]: r for r in json.loads(out.getvalue())}
    assert rows["meilai"]["status"] == "already"


def test_the_task_and_enqueue_run_the_same_function(personas, rich_member, seed_rules):
    out = StringIO()
    call_command("tiers", "nightly", "--as-of", DAY.isoformat(), "--enqueue", stdout=out)  # immediate backend
    assert "已加入任务队列" in out.getvalue()
    assert NightlyRun.objects.get(site=personas.site_b, day=DAY).status == "done"
    result = evaluate_all_sites_task.enqueue(as_of=DAY.isoformat())
    assert {r["site"]: r["status"] for r in result.return_value}["meilai"] == "already"
