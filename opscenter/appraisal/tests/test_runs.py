"""Scorecards, runs, rules, publish, appeals and interviews through the services (seed 001)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from opscenter.appraisal import services
from opscenter.appraisal.choices import AppealStatus, ItemKind, ItemMethod, PeriodStatus, ScoreStatus
from opscenter.appraisal.models import Appraisal, Interview, ItemScore, Rule
from opscenter.appraisal.tests.conftest import make_card
from opscenter.core.exceptions import PermissionDenied, ValidationError
from opscenter.core.testing import make_department, make_staff


@pytest.fixture
def setup(personas, test_metric):
    site = personas.site_a
    dept = make_department(site, "call_center")
    appraiser = personas.callcenter_a.staff
    card = make_card(site, department=dept, appraiser=appraiser)
    people = [make_staff(department=dept, name=f"坐席{i}") for i in range(3)]
    return site, dept, card, people, appraiser


def _enter_all(appraisal, manual="90", checked=("上报报告", "组织竞赛", "队伍培训", "员工稳定")):
    for row in appraisal.scores.select_related("item"):
        if row.item.method == ItemMethod.MANUAL and row.item.kind == ItemKind.SCORED:
            services.item_score_enter(actor=None, item_score=row, score=manual)
        elif row.item.method == ItemMethod.CHECKLIST:
            services.item_score_enter(actor=None, item_score=row, checked=list(checked))
    appraisal.refresh_from_db()
    return appraisal


def test_weights_not_totalling_100_cannot_be_published_and_the_message_says_by_how_much(personas):
    card = services.scorecard_create(
        actor=None, site_id=personas.site_a.pk, name="客服部", subject_kind="staff"
    )
    services.scorecard_item_save(
        actor=None, scorecard=card, name="甲", weight="40", method="manual", appraiser=personas.ops_a.staff
    )
    services.scorecard_item_save(
        actor=None, scorecard=card, name="乙", weight="50", method="manual", appraiser=personas.ops_a.staff
    )
    with pytest.raises(ValidationError, match="还差 10%"):
        services.scorecard_publish(actor=None, scorecard=card)
    services.scorecard_item_save(
        actor=None, scorecard=card, name="丙", weight="20", method="manual", appraiser=personas.ops_a.staff
    )
    with pytest.raises(ValidationError, match="超出 100% 共 10%"):
        services.scorecard_publish(actor=None, scorecard=card)


def test_a_published_version_is_frozen_and_a_new_version_is_a_draft_copy(setup):
    _site, _dept, card, _people, _appraiser = setup
    with pytest.raises(ValidationError, match="已发布"):
        services.scorecard_item_save(actor=None, scorecard=card, name="新", weight="1", method="manual")
    draft = services.scorecard_new_version(actor=None, scorecard=card)
    assert (draft.version, draft.status) == (2, "draft")
    assert draft.items.count() == card.items.count() == 4
    assert draft.rules.count() == 3


def test_run_scores_auto_items_and_queues_manual_ones_then_publish(setup):
    _site, _dept, _card, people, _appraiser = setup
    from opscenter.appraisal.tests.conftest import TEST_VALUES

    TEST_VALUES.update({people[0].pk: 10, people[1].pk: 5, people[2].pk: 0})
    period = services.period_get_or_create(label="2026-10")
    summary = services.appraisal_run(period=period)
    assert summary.appraisals == 4  # the three agents and the persona 客服甲 of the same department
    a0 = Appraisal.objects.get(period=period, staff=people[0])
    auto = a0.scores.get(item__name="服务质量")
    assert (auto.value, auto.score, auto.status) == (D(10), D(100), ScoreStatus.AUTO)
    assert a0.scores.get(item__name="主要业务").status == ScoreStatus.PENDING
    assert a0.pending_items == 2
    with pytest.raises(ValidationError, match="待打分"):
        services.period_publish(actor=None, period=period)
    for a in Appraisal.objects.filter(period=period):
        _enter_all(a)
    a0.refresh_from_db()
    # 100 × 40% + 90 × 40% + 100 × 20% = 96
    assert (a0.final_score, a0.grade) == (D("96.00"), "优秀")
    a1 = Appraisal.objects.get(period=period, staff=people[1])
    assert (a1.final_score, a1.grade) == (D("76.00"), "合格")  # 50 × 40% + 36 + 20
    services.period_publish(actor=None, period=period)
    period.refresh_from_db()
    assert period.status == PeriodStatus.PUBLISHED
    with pytest.raises(ValidationError, match="已发布"):
        services.appraisal_run(period=period)
    with pytest.raises(ValidationError, match="已发布"):
        services.item_score_enter(actor=None, item_score=a0.scores.get(item__name="主要业务"), score="10")


def test_only_the_named_appraiser_may_score_and_scores_outside_0_100_are_rejected(setup, personas):
    _site, _dept, _card, people, _appraiser = setup
    period = services.period_get_or_create(label="2026-10")
    services.appraisal_run(period=period)
    row = ItemScore.objects.get(appraisal__staff=people[0], item__name="主要业务")
    with pytest.raises(PermissionDenied):
        services.item_score_enter(actor=personas.consultant_a, item_score=row, score="80")
    for bad in ("101", "-1", "abc", "NaN"):
        with pytest.raises(ValidationError):
            services.item_score_enter(actor=personas.callcenter_a, item_score=row, score=bad)
    services.item_score_enter(actor=personas.callcenter_a, item_score=row, score="80")
    row.refresh_from_db()
    assert (row.score, row.status, row.entered_by) == (D("80.00"), ScoreStatus.ENTERED, personas.callcenter_a)


def _complaint(site, dept, channel="head_office"):
    from opscenter.commitments.services import complaint_register

    return complaint_register(
        actor=None,
        department_id=dept.pk,
        customer_name="张先生",
        channel=channel,
        category="服务态度",
        content="态度差",
    )


def test_veto_overrides_95_and_downgrade_by_two_and_complaint_deductions(setup):
    site, dept, card, people, _appraiser = setup
    from opscenter.appraisal.tests.conftest import TEST_VALUES

    TEST_VALUES.update({p.pk: 10 for p in people})
    period = services.period_get_or_create(label="2026-10")
    services.appraisal_run(period=period)
    a_veto, a_down, a_ded = (Appraisal.objects.get(period=period, staff=p) for p in people)
    _enter_all(a_veto, manual="87.5")  # 40 + 35 + 20 = 95
    assert (a_veto.final_score, a_veto.grade) == (D("95.00"), "优秀")
    veto = Rule.objects.get(scorecard=card, kind="veto")
    services.rule_event_add(actor=None, appraisal=a_veto, rule=veto, reason="人为干预制造虚假报案")
    a_veto.refresh_from_db()
    assert (a_veto.final_score, a_veto.grade) == (D("95.00"), "不合格")
    assert a_veto.explanation["rules"][0]["rule"] == "人为干预制造虚假报案"

    _enter_all(a_down, manual="50", checked=["上报报告", "组织竞赛"])  # 40 + 20 + 10 = 70 → 合格
    _enter_all(a_down, manual="75", checked=["上报报告", "组织竞赛", "队伍培训", "员工稳定"])  # 40+30+20 = 90
    services.item_score_enter(actor=None, item_score=a_down.scores.get(item__name="主要业务"), score="60")
    a_down.refresh_from_db()
    assert (a_down.final_score, a_down.grade) == (D("84.00"), "良好")
    down = Rule.objects.get(scorecard=card, kind="downgrade")
    services.rule_event_add(actor=None, appraisal=a_down, rule=down, reason="接报案仍在分公司受理")
    a_down.refresh_from_db()
    assert a_down.grade == "基本合格"

    _enter_all(a_ded, manual="80")  # 40 + 32 + 20 = 92 → 优秀
    deduction = Rule.objects.get(scorecard=card, kind="deduction")
    with pytest.raises(ValidationError, match="关联一条投诉"):
        services.rule_event_add(actor=None, appraisal=a_ded, rule=deduction, reason="总公司投诉", points="2")
    c1, c2 = _complaint(site, dept), _complaint(site, dept)
    with pytest.raises(ValidationError, match="1–3"):
        services.rule_event_add(
            actor=None, appraisal=a_ded, rule=deduction, reason="x", points="4", complaint_id=c1.pk
        )
    services.rule_event_add(
        actor=None, appraisal=a_ded, rule=deduction, reason="总公司投诉", points="3", complaint_id=c1.pk
    )
    services.rule_event_add(
        actor=None, appraisal=a_ded, rule=deduction, reason="总公司投诉", points="1.5", complaint_id=c2.pk
    )
    with pytest.raises(ValidationError, match="已计入"):
        services.rule_event_add(
            actor=None, appraisal=a_ded, rule=deduction, reason="重复", points="1", complaint_id=c1.pk
        )
    a_ded.refresh_from_db()
    assert (a_ded.weighted_score, a_ded.final_score, a_ded.grade) == (D("92.00"), D("87.50"), "良好")
    assert [r["effect"] for r in a_ded.explanation["rules"]] == ["-3.00", "-1.50"]
    assert a_ded.events.filter(complaint__isnull=False).count() == 2


def test_appeal_reopens_one_item_and_recomputes_when_upheld(setup, personas):
    _site, _dept, _card, people, _appraiser = setup
    period = services.period_get_or_create(label="2026-10")
    services.appraisal_run(period=period)
    for a in Appraisal.objects.filter(period=period):
        _enter_all(a, manual="50")
    services.period_publish(actor=None, period=period)
    a = Appraisal.objects.get(period=period, staff=people[0])
    assert (a.final_score, a.grade) == (D("40.00"), "不合格")  # 0 + 20 + 20
    row = a.scores.get(item__name="主要业务")
    with pytest.raises(ValidationError, match="申诉理由"):
        services.appeal_file(actor=None, item_score=row, reason=" ")
    appeal = services.appeal_file(actor=None, item_score=row, reason="本月主要业务漏记了 12 单")
    row.refresh_from_db()
    assert row.status == ScoreStatus.REOPENED
    services.appeal_decide(actor=None, appeal=appeal, upheld=True, new_score="100", decision="核实漏记")
    a.refresh_from_db()
    appeal.refresh_from_db()
    assert (a.final_score, a.grade) == (D("60.00"), "基本合格")
    assert (appeal.status, appeal.old_score, appeal.new_score, appeal.old_grade) == (
        AppealStatus.UPHELD,
        D("50.00"),
        D("100.00"),
        "不合格",
    )


def test_interview_is_due_on_business_days_4_to_6_of_the_next_month(setup):
    period = services.period_get_or_create(label="2026-09")
    services.appraisal_run(period=period)
    interview = Interview.objects.filter(appraisal__period=period).first()
    # October 2026: 1–8 National Day holiday (10-10 a Saturday make-up workday) → 9, 10, 12 are days 1–3
    from opscenter.core.calendars import default_work_calendar

    cal = default_work_calendar()
    workdays = [
        d for d in (dt.date(2026, 10, 1) + dt.timedelta(days=i) for i in range(31)) if cal.is_workday(d)
    ]
    assert (interview.due_from, interview.due_by) == (workdays[3], workdays[5])


def test_run_reads_metrics_in_a_bounded_number_of_queries(
    personas, test_metric, django_assert_max_num_queries
):
    site = personas.site_a
    dept = make_department(site, "call_center")
    make_card(site, department=dept, appraiser=personas.callcenter_a.staff)
    for i in range(5):
        make_staff(department=dept, name=f"甲{i}")
    period = services.period_get_or_create(label="2026-10")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        services.appraisal_run(period=period)
    for i in range(40):
        make_staff(department=dept, name=f"乙{i}")
    period2 = services.period_get_or_create(label="2026-11")
    with django_assert_max_num_queries(len(small.captured_queries) + 4):
        services.appraisal_run(period=period2)


def test_team_coefficient_follows_the_teams_average_and_multiplies_the_individual_one(setup, personas):
    from opscenter.org.models import Team

    _site, dept, _card, people, _appraiser = setup
    team = Team.objects.create(department=dept, name="一班")
    from opscenter.org.models import Staff

    Staff.objects.filter(pk__in=[p.pk for p in people[:2]]).update(team=team)
    from opscenter.appraisal.tests.conftest import TEST_VALUES

    TEST_VALUES.update({people[0].pk: 10, people[1].pk: 10})
    period = services.period_get_or_create(label="2026-10")
    services.appraisal_run(period=period)
    a0, a1 = (Appraisal.objects.get(period=period, staff=p) for p in people[:2])
    _enter_all(a0, manual="100")  # 100 → 优秀 1.20
    _enter_all(a1, manual="50")  # 40 + 20 + 20 = 80 → 良好 1.00; team average 90 → 优秀 1.20
    a0.refresh_from_db()
    a1.refresh_from_db()
    assert (a0.team_coefficient, a1.team_coefficient) == (D("1.20"), D("1.20"))
    assert (a0.coefficient, a1.coefficient) == (D("1.4400"), D("1.2000"))
    assert a1.explanation["team_average"] == "90.00"


def test_a_background_run_is_claimed_once_and_records_its_progress(setup, django_capture_on_commit_callbacks):
    period = services.period_get_or_create(label="2026-10")
    run = services.run_enqueue(period=period, actor=None)
    assert services.run_execute(run.pk) == "done"
    assert services.run_execute(run.pk) == "skipped"
    run.refresh_from_db()
    assert (run.status, run.done, run.total, run.queries) == ("done", 4, 4, 1)
