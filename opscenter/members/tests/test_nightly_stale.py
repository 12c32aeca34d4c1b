"""A nightly run whose worker died stays "running": it is skipped as running until it is older
than the staleness timeout, then marked failed with the reason and claimed again exactly once."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.utils import timezone

from opscenter.members import nightly, services
from opscenter.members.models import NightlyRun, TierEvaluation
from opscenter.members.nightly import claim, evaluate_all_sites, expire_stale_runs
from opscenter.members.tasks import evaluate_all_sites_task
from opscenter.members.tests.conftest import buy

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 6, 30)


class WorkerKilled(BaseException):
    """Stands for the process dying mid-run (not an Exception: nothing in the job catches it)."""


@pytest.fixture
def crashed(personas, member, seed_rules):
    """The site's run of DAY claimed, then the worker died during the evaluation."""
    buy(member("王富"), dt.date(2025, 1, 5), 30_000)
    with (
        mock.patch.object(services, "tiers_evaluate", side_effect=WorkerKilled),
        pytest.raises(WorkerKilled),
    ):
        evaluate_all_sites(as_of=DAY)
    return NightlyRun.objects.get(site=personas.site_b, day=DAY)


def _age(run: NightlyRun, minutes: int) -> None:
    NightlyRun.objects.filter(pk=run.pk).update(started_at=timezone.now() - dt.timedelta(minutes=minutes))


def _meilai(results):
    return {r.site: r for r in results}["meilai"]


def test_a_crash_leaves_the_run_running_and_it_is_not_claimed_again_before_the_timeout(crashed):
    assert (crashed.status, crashed.attempts, crashed.finished_at) == ("running", 1, None)
    _age(crashed, 119)
    assert _meilai(evaluate_all_sites(as_of=DAY)).status == "running"
    out = StringIO()
    call_command("tiers", "nightly", "--as-of", DAY.isoformat(), stdout=out)
    assert "meilai: 正在由其他进程运行（未超时），跳过" in out.getvalue()
    crashed.refresh_from_db()
    assert (crashed.status, crashed.attempts) == ("running", 1)
    assert not TierEvaluation.objects.exists()


def test_after_the_timeout_the_run_is_marked_failed_with_the_reason_and_claimed_once(personas, crashed):
    _age(crashed, 121)
    assert expire_stale_runs() == 1
    crashed.refresh_from_db()
    assert crashed.status == "failed" and crashed.finished_at is not None
    assert crashed.error.startswith("运行超时：开始后超过 120 分钟仍未完成")
    # Two workers racing for the row: one conditional UPDATE each, only the first wins.
    assert claim(personas.site_b.pk, DAY) is not None
    assert claim(personas.site_b.pk, DAY) is None
    assert expire_stale_runs() == 0  # freshly claimed: not stale


def test_the_scheduled_task_retries_a_stale_run_exactly_once(personas, crashed):
    _age(crashed, 121)
    result = evaluate_all_sites_task.enqueue(as_of=DAY.isoformat())  # immediate backend in tests
    first = {r["site"]: r for r in result.return_value}["meilai"]
    assert (first["status"], first["members"]) == ("done", 1)
    assert first["retried"].startswith("运行超时")
    assert _meilai(evaluate_all_sites(as_of=DAY)).status == "already"
    run = NightlyRun.objects.get(pk=crashed.pk)
    assert (run.status, run.attempts, run.evaluation.as_of) == ("done", 2, DAY)
    assert run.error.startswith("运行超时")  # why the first attempt failed stays visible
    assert TierEvaluation.objects.filter(site=personas.site_b, as_of=DAY).count() == 1


def test_the_command_retries_a_stale_run_and_says_so(crashed):
    _age(crashed, 121)
    out = StringIO()
    call_command("tiers", "nightly", "--as-of", DAY.isoformat(), stdout=out)
    assert "meilai: 会员 1，等级变动 1，新建关怀任务 " in out.getvalue()
    assert "（重新运行；上次：运行超时：开始后超过 120 分钟仍未完成" in out.getvalue()


def test_the_timeout_is_a_setting(settings, crashed):
    settings.OPSCENTER_TIERS_NIGHTLY_STALE_MINUTES = 10
    _age(crashed, 11)
    assert _meilai(evaluate_all_sites(as_of=DAY)).status == "done"


def test_a_stale_run_of_an_earlier_day_is_marked_failed_by_todays_run(personas, crashed):
    _age(crashed, 24 * 60)
    assert _meilai(evaluate_all_sites(as_of=DAY + dt.timedelta(days=1))).status == "done"
    crashed.refresh_from_db()
    assert crashed.status == "failed" and "运行超时" in crashed.error


def test_a_worker_given_up_on_does_not_overwrite_the_run_claimed_again(personas, crashed):
    """The late worker finishes after its run was declared stale and claimed by another one:
    its final write is filtered on its own claim time and leaves the new claim alone."""
    _age(crashed, 121)
    crashed.refresh_from_db()
    first_claim = crashed.started_at
    expire_stale_runs()
    second_claim = claim(personas.site_b.pk, DAY)
    nightly._run_site(personas.site_b, DAY, first_claim)  # the old worker completes
    run = NightlyRun.objects.get(pk=crashed.pk)
    assert (run.status, run.started_at, run.attempts) == ("running", second_claim, 2)
