"""Payouts through the services: seed 003's year-end contract bonus from the partner register,
instalments, resignation and dismissal, the refusal for an unpublished period."""

from __future__ import annotations

import datetime as dt

import pytest

from opscenter.appraisal import services
from opscenter.appraisal.choices import InstalmentStatus, PeriodStatus, PlanKind
from opscenter.appraisal.models import Instalment, Partner, PartnerContract, Period
from opscenter.core.exceptions import ValidationError
from opscenter.core.testing import make_department, make_site, make_staff


def _contract(site, name, grade, signed):
    partner = Partner.objects.create(site=site, name=name, kind="target_hospital", grade=grade)
    return PartnerContract.objects.create(
        partner=partner,
        signed_on=signed,
        starts_on=signed,
        ends_on=signed + dt.timedelta(days=365),
        grade_at_signing=grade,
    )


@pytest.fixture
def company(personas):
    site = make_site("hq-hospital", "托管医院公司")
    mgmt = make_department(site, "management")
    gm = make_staff(department=mgmt, name="总经理")
    marketing = make_department(site, "marketing", name="市场部（目标医院）")
    mk_manager = make_staff(department=marketing, name="市场经理")
    marketing.manager = mk_manager
    marketing.save()
    mk = [make_staff(department=marketing, name=f"市场{i}") for i in range(3)]
    finance = make_department(site, "finance", name="财务部（测试）")
    fin_manager = make_staff(department=finance, name="财务经理")
    finance.manager = fin_manager
    finance.save()
    hr = make_department(site, "hr", name="人事部（测试）")
    hr_manager = make_staff(department=hr, name="人事经理")
    hr.manager = hr_manager
    hr.save()
    hr_staff = make_staff(department=hr, name="人事专员")
    # class at signing decides: this partner is graded C now, but was A at signing
    _contract(site, "第一医院", "A", dt.date(2026, 3, 1))
    _contract(site, "第二医院", "A", dt.date(2026, 6, 1))
    _contract(site, "第三医院", "B", dt.date(2026, 9, 1))
    _contract(site, "去年医院", "A", dt.date(2025, 12, 31))
    Partner.objects.filter(name="第一医院").update(grade="C")
    plan = services.plan_create(
        actor=None,
        site_id=site.pk,
        name="年终签约奖金",
        kind=PlanKind.CONTRACT_BONUS,
        params={"gm_staff_id": gm.pk, "marketing_department_id": marketing.pk},
    )
    return {
        "site": site,
        "gm": gm,
        "mk_manager": mk_manager,
        "mk": mk,
        "fin_manager": fin_manager,
        "hr_manager": hr_manager,
        "hr_staff": hr_staff,
        "plan": plan,
    }


def _publish_year(label="2026"):
    period = services.period_get_or_create(label=label)
    Period.objects.filter(pk=period.pk).update(status=PeriodStatus.PUBLISHED)
    return period


def test_a_payout_for_a_period_that_is_not_published_is_refused(company):
    services.period_get_or_create(label="2026")
    with pytest.raises(ValidationError, match="尚未发布"):
        services.payout_compute(actor=None, plan=company["plan"], period_label="2026")


def test_year_end_contract_bonus_by_class_at_signing_splits_to_the_fen(company):
    _publish_year()
    payout = services.payout_compute(actor=None, plan=company["plan"], period_label="2026")
    assert payout.total_fen == 260_000_00
    lines = list(payout.lines.all())
    assert sum(x.amount_fen for x in lines) == payout.total_fen

    def total(**kw):
        return sum(x.amount_fen for x in lines if all(getattr(x, k) == v for k, v in kw.items()))

    assert total(part="gm", staff_id=company["gm"].pk) == 78_000_00
    assert total(part="mk_manager", staff_id=company["mk_manager"].pk) == 52_000_00
    assert total(part="mk_allocated") == 32_500_00
    assert total(part="mk_equal") == 45_500_00
    assert {x.staff_id for x in lines if x.part == "mk_equal"} == {s.pk for s in company["mk"]}
    assert total(part="other_equal") + total(part="other_gm") == 52_000_00
    # finance: its manager is its only member → the manager gets the department's half of 33,800
    assert total(part="other_equal", staff_id=company["fin_manager"].pk) == 16_900_00
    assert total(part="other_equal", staff_id=company["hr_staff"].pk) == 16_900_00
    assert total(part="other_equal", staff_id=company["hr_manager"].pk) == 0


def test_resignation_forfeits_unpaid_instalments_and_dismissal_pays_only_equal_parts(company):
    _publish_year()
    payout = services.payout_compute(actor=None, plan=company["plan"], period_label="2026")
    services.payout_publish(actor=None, payout=payout)
    quitter, fired = company["mk"][0], company["mk"][1]
    rows = Instalment.objects.filter(line__staff=quitter)
    assert rows.count() == 8  # allocated + equal lines × 4 quarters
    assert sum(rows.values_list("amount_fen", flat=True)) == sum(
        payout.lines.filter(staff=quitter).values_list("amount_fen", flat=True)
    )
    services.instalments_pay_due(today=dt.date(2027, 3, 31))  # Q1 paid
    services.payout_staff_leave(actor=None, staff=quitter, reason="resigned", on=dt.date(2027, 4, 15))
    assert rows.filter(status=InstalmentStatus.FORFEITED).count() == 6
    assert rows.filter(status=InstalmentStatus.PAID).count() == 2
    services.payout_staff_leave(actor=None, staff=fired, reason="dismissed", on=dt.date(2027, 4, 15))
    fired_rows = Instalment.objects.filter(line__staff=fired)
    assert fired_rows.filter(status=InstalmentStatus.FORFEITED).count() == 3
    assert fired_rows.filter(status=InstalmentStatus.SETTLED).count() == 3
    settled = Instalment.objects.filter(line__staff=fired, status=InstalmentStatus.SETTLED)
    assert set(settled.values_list("line__part", flat=True)) == {"mk_equal"}
    assert Instalment.objects.filter(line__staff=fired).count() == 8  # nothing deleted


def test_bracket_table_with_a_gap_is_rejected_and_modes_are_labelled(company, personas):
    from decimal import Decimal as D

    from opscenter.appraisal.pay import Bracket

    plan = services.plan_create(
        actor=None,
        site_id=company["site"].pk,
        name="利润提成",
        kind=PlanKind.PROFIT_BRACKETS,
        params={"profit_fen": 250 * 1_000_000, "staff_id": company["gm"].pk},
    )
    with pytest.raises(ValidationError, match="空档"):
        services.plan_brackets_set(
            actor=None,
            plan=plan,
            mode="whole",
            brackets=[Bracket(0, 100, D(0), True), Bracket(200, None, D(10))],
        )
    services.plan_brackets_set(
        actor=None,
        plan=plan,
        mode="marginal",
        brackets=[
            Bracket(0, 50_000_000, D(0), True),
            Bracket(50_000_000, 100_000_000, D(10)),
            Bracket(100_000_000, None, D(20)),
        ],
    )
    _publish_year()
    payout = services.payout_compute(actor=None, plan=plan, period_label="2026")
    line = payout.lines.get()
    assert line.amount_fen == 5_000_000 + 30_000_000  # 50 万 × 10% + 150 万 × 20%
    assert "超额累进" in line.formula
