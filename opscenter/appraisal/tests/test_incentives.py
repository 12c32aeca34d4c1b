# ruff: noqa: F811  (the `company` fixture is imported from test_payouts)
"""Seed 002's points pay (stages, 一单一奖励, contests) and seed 003's allocation and leave
settlement, through the services, to the fen."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opscenter.appraisal import points, services
from opscenter.appraisal.choices import InstalmentStatus, PeriodStatus, PlanKind
from opscenter.appraisal.models import (
    BonusAllocation,
    Instalment,
    LeaveSettlement,
    Period,
    PriceStage,
    SalesContest,
)
from opscenter.appraisal.selectors_incentives import months_between
from opscenter.appraisal.tests.conftest import TEST_VALUES
from opscenter.appraisal.tests.test_payouts import _contract, company  # noqa: F401
from opscenter.core.exceptions import PermissionDenied, ValidationError
from opscenter.core.models import AuditEntry
from opscenter.core.testing import make_department, make_staff

Stage = points.Stage


def _publish(label):
    period = services.period_get_or_create(label=label)
    Period.objects.filter(pk=period.pk).update(status=PeriodStatus.PUBLISHED)
    return Period.objects.get(pk=period.pk)


# ---------------------------------------------------------------- stages (pure)
def test_stages_must_be_whole_contiguous_months_without_overlap():
    q3 = Stage("三季度", dt.date(2026, 7, 1), dt.date(2026, 9, 30), 500)
    with pytest.raises(ValidationError, match="空档"):
        points.validate_stages([q3, Stage("冲刺", dt.date(2026, 11, 1), None, 600)])
    with pytest.raises(ValidationError, match="重叠"):
        points.validate_stages([q3, Stage("冲刺", dt.date(2026, 9, 1), None, 600)])
    with pytest.raises(ValidationError, match="1 日"):
        points.validate_stages([Stage("半月", dt.date(2026, 7, 15), None, 600)])
    with pytest.raises(ValidationError, match="月末"):
        points.validate_stages([Stage("半月", dt.date(2026, 7, 1), dt.date(2026, 7, 20), 600)])
    with pytest.raises(ValidationError, match="只有最后一个"):
        points.validate_stages(
            [Stage("a", dt.date(2026, 7, 1), None, 1), Stage("b", dt.date(2026, 8, 1), None, 2)]
        )
    ordered = points.validate_stages([Stage("四季度", dt.date(2026, 10, 1), None, 600), q3])
    assert points.stage_for(ordered, dt.date(2026, 10, 1)).unit_price_fen == 600
    assert points.stage_for(ordered, dt.date(2026, 9, 30)).unit_price_fen == 500
    assert points.stage_for(ordered, dt.date(2026, 6, 30)) is None


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    share=st.integers(min_value=0, max_value=10**10),
    scores=st.lists(
        st.one_of(st.none(), st.decimals(min_value=0, max_value=100, places=2)), min_size=1, max_size=15
    ),
)
def test_the_suggested_allocation_always_adds_up_and_one_fen_off_is_refused(share, scores):
    by_staff = dict(enumerate(scores, start=1))
    suggestion = points.suggest_allocation(share, by_staff)
    assert sum(suggestion.values()) == share
    eligible = {s: f"员工{s}" for s in by_staff}
    points.check_allocation(part_label="25%", share_fen=share, entries=suggestion, eligible=eligible)
    off = dict(suggestion)
    off[1] += 1
    with pytest.raises(ValidationError, match=r"多出 0\.01"):
        points.check_allocation(part_label="25%", share_fen=share, entries=off, eligible=eligible)


def test_an_allocation_to_someone_not_eligible_or_negative_is_refused():
    with pytest.raises(ValidationError, match="不能参与"):
        points.check_allocation(part_label="25%", share_fen=100, entries={9: 100}, eligible={1: "甲"})
    with pytest.raises(ValidationError, match="甲 的金额不能为负数"):
        points.check_allocation(
            part_label="25%", share_fen=100, entries={1: -1, 2: 101}, eligible={1: "甲", 2: "乙"}
        )
    with pytest.raises(ValidationError, match=r"还差 0\.50"):
        points.check_allocation(part_label="25%", share_fen=100, entries={1: 50}, eligible={1: "甲"})


# ---------------------------------------------------------------- points plan payouts
@pytest.fixture
def grid(personas, test_metric):
    site = personas.site_a
    dept = make_department(site, "marketing", name="网格营销部")
    people = [make_staff(department=dept, name=f"网格经理{i}") for i in range(3)]
    plan = services.plan_create(
        actor=None,
        site_id=site.pk,
        name="网格积分",
        kind=PlanKind.POINTS,
        params={"unit_price_fen": 500, "points": [{"metric": "test.deals", "points": "2.5"}]},
    )
    return {"site": site, "people": people, "plan": plan}


def test_points_pay_uses_the_unit_price_of_the_months_stage_and_per_deal_rewards(grid, personas):
    a, b, c = grid["people"]
    TEST_VALUES.update({a.pk: 7, b.pk: 3})
    plan = services.plan_stages_set(
        actor=personas.ops_a,
        plan=grid["plan"],
        stages=[
            Stage("三季度", dt.date(2026, 7, 1), dt.date(2026, 9, 30), 500),
            Stage("四季度冲刺", dt.date(2026, 10, 1), None, 633),
        ],
    )
    plan = services.plan_params_set(
        actor=personas.ops_a, plan=plan, params={"per_deal": [{"metric": "test.deals", "reward_fen": 20000}]}
    )
    _publish("2026-10")
    payout = services.payout_compute(actor=None, plan=plan, period_label="2026-10")
    lines = {(x.part, x.staff_id): x for x in payout.lines.all()}
    # a: 7 × 2.5 = 17.5 points × ¥6.33 = ¥110.775 → half-up ¥110.78; b: 7.5 × 6.33 = 47.475 → 47.48
    assert lines["points", a.pk].amount_fen == 11078
    assert lines["points", b.pk].amount_fen == 4748
    assert lines["points", a.pk].inputs["stage"] == "四季度冲刺"
    assert lines["points", a.pk].inputs["rows"] == [
        {"metric": "test.deals", "label": "测试成交数", "count": 7, "each": "2.5", "points": "17.5"}
    ]
    # 一单一奖励: 7 × ¥200 and 3 × ¥200; c counted nothing and has no line
    assert lines["per_deal", a.pk].amount_fen == 140000
    assert lines["per_deal", b.pk].amount_fen == 60000
    assert ("points", c.pk) not in lines and ("per_deal", c.pk) not in lines
    assert payout.total_fen == 11078 + 4748 + 140000 + 60000
    # September is in the first stage
    _publish("2026-09")
    sept = services.payout_compute(actor=None, plan=plan, period_label="2026-09")
    assert sept.lines.get(part="points", staff=a).amount_fen == 8750  # 17.5 × ¥5.00


def test_changing_stages_after_a_published_payout_makes_a_new_plan_version(grid, personas):
    plan = services.plan_stages_set(
        actor=None, plan=grid["plan"], stages=[Stage("全年", dt.date(2026, 1, 1), None, 500)]
    )
    TEST_VALUES.update({grid["people"][0].pk: 2})
    _publish("2026-10")
    services.payout_publish(
        actor=None, payout=services.payout_compute(actor=None, plan=plan, period_label="2026-10")
    )
    new = services.plan_stages_set(
        actor=None,
        plan=plan,
        stages=[
            Stage("上半年", dt.date(2026, 1, 1), dt.date(2026, 6, 30), 500),
            Stage("下半年", dt.date(2026, 7, 1), None, 800),
        ],
    )
    assert new.pk != plan.pk and new.version == plan.version + 1
    assert list(PriceStage.objects.filter(plan=plan).values_list("unit_price_fen", flat=True)) == [500]
    assert list(new.stages.values_list("unit_price_fen", flat=True)) == [500, 800]
    assert AuditEntry.objects.filter(object_id=str(new.pk), message__contains="下半年").exists()


def test_a_month_outside_every_stage_is_refused_with_a_message(grid):
    services.plan_stages_set(
        actor=None, plan=grid["plan"], stages=[Stage("四季度", dt.date(2026, 10, 1), None, 500)]
    )
    _publish("2026-09")
    with pytest.raises(ValidationError, match="不在任何积分单价阶段内"):
        services.payout_compute(actor=None, plan=grid["plan"], period_label="2026-09")


def test_bad_points_rules_are_refused_naming_the_row(grid):
    with pytest.raises(ValidationError, match="第 2 条规则"):
        services.plan_params_set(
            actor=None,
            plan=grid["plan"],
            params={
                "per_deal": [{"metric": "test.deals", "reward_fen": 100}, {"metric": "nope", "reward_fen": 1}]
            },
        )
    with pytest.raises(ValidationError, match="整数"):
        services.plan_params_set(
            actor=None,
            plan=grid["plan"],
            params={"per_deal": [{"metric": "test.deals", "reward_fen": "1.5"}]},
        )


@pytest.fixture
def monthly_metric():
    """`test.monthly`: staff × month, the same value (MONTHLY[staff]) in every month asked for."""
    from opscenter.metrics import Metric, MetricUnit, MetricValue, register
    from opscenter.metrics.registry import _REGISTRY

    values: dict[int, int] = {}

    def _values(query):
        months = months_between(query.start, query.end)
        return {(sid, m): MetricValue(n) for sid, n in values.items() for m in months}

    register(
        Metric(
            code="test.monthly",
            label="测试月度数",
            unit=MetricUnit.COUNT,
            values=_values,
            drill=lambda grain, unit_id, period, start: (
                f"/pipeline/deals/?consultant={unit_id}&month={start:%Y-%m}"
            ),
            grains=frozenset({"staff"}),
            periods=frozenset({"month"}),
            app="tests",
        )
    )
    yield values
    _REGISTRY.pop("test.monthly", None)


def test_a_contest_pays_its_own_points_at_its_own_price_once_and_is_then_frozen(
    grid, personas, monthly_metric
):
    a, b, c = grid["people"]
    monthly_metric.update({a.pk: 4, b.pk: 4, c.pk: 9})
    contest = services.contest_save(
        actor=personas.ops_a,
        site_id=grid["site"].pk,
        plan_id=grid["plan"].pk,
        name="四季度宽带竞赛",
        starts_on=dt.date(2026, 9, 1),
        ends_on=dt.date(2026, 10, 31),
        unit_price_fen=1000,
        rules=[{"metric": "test.monthly", "points": "3"}],
        eligible_ids=[a.pk, b.pk],
    )
    from opscenter.appraisal.selectors_incentives import contest_standings

    board = contest_standings(contest)
    # two months × 4 × 3 points = 24 each: a tie shares first place; c is not entered
    assert [(s.staff.pk, s.rank, s.points) for s in board] == [(a.pk, 1, D(24)), (b.pk, 1, D(24))]
    _publish("2026-10")
    payout = services.payout_compute(actor=None, plan=grid["plan"], period_label="2026-10")
    contest_lines = list(payout.lines.filter(part="contest").order_by("staff_id"))
    assert [(x.staff_id, x.amount_fen) for x in contest_lines] == [(a.pk, 24000), (b.pk, 24000)]
    assert contest_lines[0].inputs["months"] == ["2026-09-01", "2026-10-01"]
    services.payout_publish(actor=None, payout=payout)
    contest.refresh_from_db()
    assert contest.paid_by_id == payout.pk
    with pytest.raises(ValidationError, match="已随发放兑现"):
        services.contest_save(
            actor=None, site_id=grid["site"].pk, plan_id=grid["plan"].pk, name="改名",
            starts_on=contest.starts_on, ends_on=contest.ends_on, unit_price_fen=1000,
            rules=contest.rules, eligible_ids=[a.pk], contest=contest, version=contest.version,
        )  # fmt: skip


def test_contest_edits_check_the_version_and_whole_months(grid):
    a = grid["people"][0]
    args = dict(
        actor=None, site_id=grid["site"].pk, plan_id=grid["plan"].pk, name="竞赛",
        starts_on=dt.date(2026, 10, 1), ends_on=dt.date(2026, 12, 31), unit_price_fen=None,
        rules=[{"metric": "test.deals", "points": "1"}], eligible_ids=[a.pk],
    )  # fmt: skip
    contest = services.contest_save(**args)
    services.contest_save(**{**args, "name": "竞赛二"}, contest=contest, version=1)
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.contest_save(**{**args, "name": "竞赛三"}, contest=contest, version=1)
    assert SalesContest.objects.get(pk=contest.pk).name == "竞赛二"
    with pytest.raises(ValidationError, match="整月"):
        services.contest_save(**{**args, "name": "半月", "ends_on": dt.date(2026, 12, 15)})
    with pytest.raises(ValidationError, match="参赛员工"):
        services.contest_save(**{**args, "name": "无人", "eligible_ids": []})


# ---------------------------------------------------------------- the GM's allocation
def _draft_bonus(company):
    _publish("2026")
    return services.payout_compute(actor=None, plan=company["plan"], period_label="2026")


def _gm_user(company):
    from opscenter.core.testing import make_user

    user = make_user("gm-hq")
    company["gm"].user = user
    company["gm"].save()
    return user


def test_the_allocation_must_reconcile_to_the_fen_and_replaces_the_score_split(company):
    payout = _draft_bonus(company)
    gm = _gm_user(company)
    m0, m1, m2 = company["mk"]
    with pytest.raises(ValidationError, match=r"还差 0\.01"):
        services.allocation_save(
            actor=gm, payout=payout, version=0,
            entries={"mk_allocated": {m0.pk: 2_000_000, m1.pk: 1_000_000, m2.pk: 249_999}},
        )  # fmt: skip
    with pytest.raises(ValidationError, match="不能参与"):  # the marketing manager may not receive it
        services.allocation_save(
            actor=gm, payout=payout, version=0,
            entries={"mk_allocated": {m0.pk: 2_250_000, company["mk_manager"].pk: 1_000_000}},
        )  # fmt: skip
    services.allocation_save(
        actor=gm, payout=payout, version=0, note="张三全年第一",
        entries={
            "mk_allocated": {m0.pk: 2_000_000, m1.pk: 1_000_000, m2.pk: 250_000},
            "other_gm": {company["hr_staff"].pk: 1_820_000},
        },
    )  # fmt: skip
    payout.refresh_from_db()
    lines = list(payout.lines.all())
    assert payout.total_fen == sum(x.amount_fen for x in lines) == 260_000_00
    alloc = {x.staff_id: x.amount_fen for x in lines if x.part == "mk_allocated"}
    assert alloc == {m0.pk: 2_000_000, m1.pk: 1_000_000, m2.pk: 250_000}
    assert [(x.staff_id, x.amount_fen) for x in lines if x.part == "other_gm"] == [
        (company["hr_staff"].pk, 1_820_000)
    ]
    entry = AuditEntry.objects.get(content_type__model="bonusallocation", action="event")
    assert "市场0 20,000.00 元" in entry.message and "张三全年第一" in entry.message
    # a second editor who read version 0 is refused; version 1 goes through
    with pytest.raises(ValidationError, match="已由"):
        services.allocation_save(
            actor=gm, payout=payout, version=0,
            entries={"mk_allocated": {m0.pk: 3_250_000, m1.pk: 0, m2.pk: 0}},
        )  # fmt: skip
    services.allocation_save(
        actor=gm, payout=payout, version=1, entries={"mk_allocated": {m0.pk: 3_250_000, m1.pk: 0, m2.pk: 0}}
    )
    assert BonusAllocation.objects.get().version == 2


def test_only_the_gm_allocates_the_other_departments_part_and_nothing_after_publishing(company):
    from opscenter.core.testing import make_user

    payout = _draft_bonus(company)
    mm = make_user("mm-hq")
    company["mk_manager"].user = mm
    company["mk_manager"].save()
    m0, m1, m2 = company["mk"]
    with pytest.raises(PermissionDenied, match="总经理"):
        services.allocation_save(
            actor=mm, payout=payout, version=0, entries={"other_gm": {company["hr_staff"].pk: 1_820_000}}
        )
    services.allocation_save(
        actor=mm,
        payout=payout,
        version=0,
        entries={"mk_allocated": {m0.pk: 1_083_334, m1.pk: 1_083_333, m2.pk: 1_083_333}},
    )
    outsider = make_user("someone-hq")
    with pytest.raises(PermissionDenied):
        services.allocation_save(
            actor=outsider,
            payout=payout,
            version=1,
            entries={"mk_allocated": {m0.pk: 3_250_000, m1.pk: 0, m2.pk: 0}},
        )
    services.payout_publish(actor=None, payout=payout)
    with pytest.raises(ValidationError, match="已发布"):
        services.allocation_save(
            actor=None,
            payout=payout,
            version=1,
            entries={"mk_allocated": {m0.pk: 3_250_000, m1.pk: 0, m2.pk: 0}},
        )


def test_a_contract_signed_after_the_allocation_makes_it_stale_not_silently_off(company):
    payout = _draft_bonus(company)
    m0, m1, m2 = company["mk"]
    services.allocation_save(
        actor=None, payout=payout, version=0, entries={"mk_allocated": {m0.pk: 3_250_000, m1.pk: 0, m2.pk: 0}}
    )
    _contract(company["site"], "第四医院", "C", dt.date(2026, 11, 1))
    with pytest.raises(ValidationError, match=r"应为 37,500\.00 元"):
        services.payout_compute(actor=None, plan=company["plan"], period_label="2026")


# ---------------------------------------------------------------- leaving: forfeiture and early settlement
def test_dismissal_settles_last_years_instalments_and_this_years_contracts_paying_only_equal_parts(company):
    payout = _draft_bonus(company)
    services.payout_publish(actor=None, payout=payout)
    services.instalments_pay_due(today=dt.date(2027, 3, 31))  # Q1 of 2026's bonus paid
    _contract(company["site"], "二七医院", "A", dt.date(2027, 2, 1))
    _contract(company["site"], "五月医院", "C", dt.date(2027, 5, 10))
    _contract(company["site"], "离职后医院", "B", dt.date(2027, 7, 1))  # after the leaving day: not counted
    quitter, fired = company["mk"][0], company["mk"][1]

    resigned = services.payout_staff_leave(
        actor=None, staff=quitter, reason="resigned", on=dt.date(2027, 4, 15)
    )
    # 2026: equal 1,516,667 and allocated 1,083,334 fen, Q1 paid → 1,137,500 + 812,500 forfeited;
    # 2027 so far (one A, ¥100,000): equal 583,334 and allocated 416,667 fen, forfeited too
    assert resigned.paid_fen == 0
    assert resigned.forfeited_fen == 1_137_500 + 812_500 + 583_334 + 416_667
    assert Instalment.objects.filter(line__staff=quitter, status=InstalmentStatus.FORFEITED).count() == 6
    assert Instalment.objects.filter(line__staff=quitter, status=InstalmentStatus.PAID).count() == 2

    dismissed = services.payout_staff_leave(
        actor=None, staff=fired, reason="dismissed", on=dt.date(2027, 6, 15)
    )
    lines = {(x.source, x.part): x for x in dismissed.lines.all()}
    prior_equal, prior_alloc = lines["prior", "mk_equal"], lines["prior", "mk_allocated"]
    assert (prior_equal.amount_fen, prior_equal.already_paid_fen, prior_equal.paid_fen) == (
        1_516_667,
        379_167,
        1_137_500,
    )
    assert (prior_alloc.amount_fen, prior_alloc.already_paid_fen, prior_alloc.forfeited_fen) == (
        1_083_333,
        270_834,
        812_499,
    )
    # 2027 to 6-15: A + C = ¥140,000 → marketing ¥70,000; the April leaver is no longer in the split,
    # so equal 35 % ¥24,500 ÷ 2 is paid and allocated 25 % ¥17,500 ÷ 2 forfeited
    cur_equal, cur_alloc = lines["current", "mk_equal"], lines["current", "mk_allocated"]
    assert (cur_equal.amount_fen, cur_equal.paid_fen, cur_equal.forfeited_fen) == (1_225_000, 1_225_000, 0)
    assert (cur_alloc.amount_fen, cur_alloc.paid_fen, cur_alloc.forfeited_fen) == (875_000, 0, 875_000)
    assert cur_equal.inputs["contracts"] == 2 and cur_equal.inputs["pool_fen"] == 14_000_000
    assert dismissed.paid_fen == 1_137_500 + 1_225_000
    assert dismissed.forfeited_fen == 812_499 + 875_000
    settled = Instalment.objects.filter(line__staff=fired, status=InstalmentStatus.SETTLED)
    assert set(settled.values_list("line__part", flat=True)) == {"mk_equal"}
    assert sum(settled.values_list("amount_fen", flat=True)) == 1_137_500
    assert Instalment.objects.filter(line__staff=fired).count() == 8  # nothing deleted
    assert AuditEntry.objects.filter(
        content_type__model="leavesettlement", message__contains="提前结算 23,625.00 元"
    ).exists()
    with pytest.raises(ValidationError, match="已办理过离职结算"):
        services.payout_staff_leave(actor=None, staff=fired, reason="resigned", on=dt.date(2027, 6, 16))
    assert LeaveSettlement.objects.count() == 2
    # the year-end payout of 2027 leaves both out: settled apart, never paid twice
    _publish("2027")
    year_end = services.payout_compute(actor=None, plan=company["plan"], period_label="2027")
    assert not year_end.lines.filter(staff__in=[quitter, fired]).exists()
    assert year_end.total_fen == sum(year_end.lines.values_list("amount_fen", flat=True)) == 20_000_000


def test_a_dismissed_department_manager_alone_in_the_department_keeps_the_departments_equal_share(company):
    _contract(company["site"], "二七医院", "B", dt.date(2027, 3, 1))
    s = services.payout_staff_leave(
        actor=None, staff=company["fin_manager"], reason="dismissed", on=dt.date(2027, 4, 1)
    )
    # ¥60,000 → other departments ¥12,000 → 65 % ¥7,800 ÷ 2 departments = ¥3,900, all to the manager
    assert [(x.part, x.paid_fen) for x in s.lines.all()] == [("other_equal", 390_000)]
    assert s.paid_fen == 390_000 and s.forfeited_fen == 0
