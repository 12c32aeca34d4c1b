"""Back-solving by source channel: the grouped funnel selector, the split of a unit's target across
channels, each part solved with the channel's own rates (falling back to the team's department,
then the site, in the same channel), the screen, overrides per channel and the CLI."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal as D

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from opscenter.core import audit
from opscenter.core.exceptions import ValidationError
from opscenter.core.testing import make_person
from opscenter.org.models import Team
from opscenter.pipeline import selectors as pipeline_selectors
from opscenter.pipeline import services as pipeline
from opscenter.pipeline.choices import FunnelView
from opscenter.pipeline.models import Channel
from opscenter.pipeline.selectors import ChannelFunnel, FunnelFilters, FunnelRow
from opscenter.targets import services
from opscenter.targets.models import RateOverride
from opscenter.targets.solving import plan_solution, solve_channels
from opscenter.targets.tests.conftest import TODAY, at
from opscenter.targets.units import Unit

pytestmark = pytest.mark.django_db

WINDOW = (202512, 202611)


@pytest.fixture
def channels(db):
    referral = Channel.objects.get(site__isnull=True, kind="referral")
    online = Channel.objects.get(site__isnull=True, kind="online")
    return referral, online


@pytest.fixture
def by_channel(personas, channels):
    """Site A, 市场部 with 一组 (咨询甲) and 二组 (咨询丙), two channels, cohort months in 2026:

    一组 · 转介绍: 10 phone consultations → 5 visits → 2 deals of ¥60,000.
    一组 · 线上:   18 online consultations → 4 visits → 1 deal of ¥40,000.
    二组 · 转介绍: 4 phone consultations → 2 visits → 1 deal of ¥80,000.
    二组 · 线上:   2 online consultations, no visit, 1 deal of ¥50,000 signed without a visit —
                   so 二组 has its own 人均贡献额 in 线上 but no 成交率 / 网络上门率 / 上门构成.
    Unowned · 线上: 5 phone consultations → 1 visit (no team: only the site counts them), so the
                   site has a 线上 电话上门率 (1/5) that 市场部 lacks.
    """
    referral, online = channels
    site = personas.site_a
    team_a = personas.consultant_a.staff.team
    team_b = Team.objects.create(department=team_a.department, name="二组")
    consultant_c = make_person("consultant_c", "consultant", site, "marketing", team=team_b, name="咨询丙")
    n = 0

    def story(actor, channel, mode, month, consults, visits, deals, amount_fen, *, owner=True, visitless=0):
        nonlocal n
        for i in range(consults):
            n += 1
            kwargs = {} if owner else {"owner_id": None}
            c = pipeline.customer_register(actor=actor, site_id=site.pk, name=f"客户{n}", phone=f"1380000{n:04d}",
                                           channel_id=channel.pk, **kwargs)  # fmt: skip
            pipeline.consultation_record(
                actor=actor, customer_id=c.pk, mode=mode, occurred_at=at(2026, month, 1 + i)
            )
            if i < visits:
                pipeline.visit_register(actor=actor, customer_id=c.pk, arrived_at=at(2026, month, 20 + i % 5))
            if i < deals or (i >= visits and i - visits < visitless):
                pipeline.deal_sign(actor=actor, customer_id=c.pk, signed_on=dt.date(2026, month, 27),
                                   amount_fen=amount_fen)  # fmt: skip

    story(personas.consultant_a, referral, "phone", 3, 10, 5, 2, 6_000_000)
    story(personas.consultant_a, online, "online", 4, 18, 4, 1, 4_000_000)
    story(consultant_c, referral, "phone", 5, 4, 2, 1, 8_000_000)
    story(consultant_c, online, "online", 5, 2, 0, 0, 5_000_000, visitless=1)
    story(personas.ops_a, online, "phone", 6, 5, 1, 0, 0, owner=False)
    return team_b


@pytest.fixture
def plan(personas, by_channel, frozen_today):
    """2027: ¥6,240,000 evenly → ¥520,000 a month at the site → ¥260,000 for each team."""
    plan = services.plan_create(actor=personas.ops_a, site_id=personas.site_a.pk, year=2027,
                                targets={"revenue_fen": 624_000_000}, month_split="even", today=TODAY)  # fmt: skip
    team_a = personas.consultant_a.staff.team
    services.plan_split_units(actor=personas.ops_a, plan_id=plan.pk, method="even", today=TODAY,
                              units=[f"team:{team_a.pk}", f"team:{by_channel.pk}"])  # fmt: skip
    return plan


def _line(solution, channel):
    return next(line for line in solution.channels.lines if line.channel_id == channel.pk)


# --- the grouped selector ---------------------------------------------------------------------


def test_channel_rows_are_the_funnels_numbers_and_add_up_to_its_total(personas, by_channel, channels,
                                                                     django_assert_max_num_queries):  # fmt: skip
    filters = FunnelFilters(month_from=WINDOW[0], month_to=WINDOW[1], view=FunnelView.COHORT,
                            site_id=personas.site_a.pk)  # fmt: skip
    with django_assert_max_num_queries(5):
        grouped = pipeline_selectors.funnel_by_channel(user=personas.ops_a, filters=filters)
    whole = pipeline_selectors.funnel(user=personas.ops_a, filters=filters).total
    for key in whole.counts:
        assert sum(row.counts[key] for row in grouped.rows.values()) == whole.counts[key], key
    assert sum(row.revenue_fen for row in grouped.rows.values()) == whole.revenue_fen == 29_000_000
    assert grouped.total.counts == whole.counts and grouped.total.deal_customers == whole.deal_customers
    for channel in channels:
        alone = pipeline_selectors.funnel(
            user=personas.ops_a, filters=FunnelFilters(**{**filters.__dict__, "channel_id": channel.pk})
        ).total
        row = grouped.row(channel.pk)
        assert (row.counts, row.revenue_fen, row.deal_customers) == (
            alone.counts, alone.revenue_fen, alone.deal_customers,
        )  # fmt: skip
    referral, online = channels
    assert grouped.row(referral.pk).counts["consultations_phone"] == 14
    assert grouped.row(online.pk).counts["visits_phone"] == 1


def test_the_grouped_selector_keeps_the_users_scope(personas, by_channel):
    filters = FunnelFilters(month_from=WINDOW[0], month_to=WINDOW[1], site_id=personas.site_a.pk)
    assert pipeline_selectors.funnel_by_channel(user=personas.ops_b, filters=filters).rows == {}
    mine = pipeline_selectors.funnel_by_channel(user=personas.consultant_a, filters=filters)
    assert mine.total.revenue_fen == 16_000_000  # 咨询甲 sees only their own customers


# --- exact arithmetic -------------------------------------------------------------------------


def test_a_team_splits_its_target_by_its_channel_revenue_and_solves_each_with_its_rates(
    personas, plan, by_channel, channels
):
    referral, online = channels
    solution = plan_solution(
        user=personas.ops_a, plan=plan, unit=Unit("team", by_channel.pk, "二组"), today=TODAY
    )
    lines = solution.channels
    assert lines.error == "" and lines.share_level == "unit"
    r, o = _line(solution, referral), _line(solution, online)
    # 二组's trailing revenue: 转介绍 ¥80,000, 线上 ¥50,000 → each ¥260,000 month: ¥160,000 + ¥100,000.
    assert (r.weight_fen, o.weight_fen) == (8_000_000, 5_000_000)
    assert [m.revenue_fen for m in r.months] == [16_000_000] * 12
    assert [m.revenue_fen for m in o.months] == [10_000_000] * 12
    # 转介绍, all its own: ¥160,000 ÷ ¥80,000 = 2 deals ÷ 50% = 4 visits, all by phone ÷ 50% = 8 calls.
    assert set(r.resolved.sources.values()) == {"unit", "missing"}
    need = r.months[0].need
    assert (need.deals, need.visits, need.visits_phone, need.consultations_phone, need.consultations_online) == (
        2, 4, 4, 8, 0,
    )  # fmt: skip
    # 线上: its own 人均贡献额 (¥50,000); 成交率 50%, 网络上门率 4/20 and the visit mix from 市场部;
    # 电话上门率 from the site (市场部 has no phone consultation in 线上).
    src = o.resolved.sources
    assert src["revenue_per_deal_fen"] == "unit" and src["online_appointment_rate"] == "unit"
    assert src["conversion_rate"] == src["online_visit_rate"] == src["mix_online"] == "department"
    assert src["phone_visit_rate"] == src["phone_appointment_rate"] == "site"
    rates = o.resolved.rates
    assert (rates.conversion_rate, rates.online_visit_rate, rates.phone_visit_rate) == (
        D("0.5"),
        D("0.2"),
        D("0.2"),
    )
    need = o.months[0].need
    assert (need.deals, need.visits, need.visits_online, need.consultations_online, need.consultations_phone) == (
        2, 4, 4, 20, 0,
    )  # fmt: skip
    assert (lines.total("deals"), lines.total("visits")) == (48, 96)
    assert (lines.total("consultations_phone"), lines.total("consultations_online")) == (96, 240)
    assert lines.month_total(202703, "consultations_online") == 20
    assert lines.revenue_fen == 312_000_000


def test_the_aggregate_rates_of_a_team_fall_back_to_its_department_before_the_site(
    personas, plan, by_channel
):
    team_b = Unit("team", by_channel.pk, "二组")
    solution = plan_solution(user=personas.ops_a, plan=plan, unit=team_b, today=TODAY)
    assert [u.kind for u, _rates in solution.parents] == ["department", "site"]
    # 二组 as a whole: 2 visits, 2 deals → its own 成交率 100%; no online visit → 网络上门率 from 市场部.
    assert solution.resolved.sources["conversion_rate"] == "unit"
    assert solution.resolved.sources["online_visit_rate"] == "department"
    assert solution.resolved.rates.online_visit_rate == D("0.2")


def test_a_team_without_any_history_takes_the_sites_channel_shares(personas, plan, channels):
    from opscenter.core.testing import make_department

    care = make_department(personas.site_a, "customer", "客户管理部")
    empty = Team.objects.create(department=care, name="三组")
    services.plan_split_units(actor=personas.ops_a, plan_id=plan.pk, method="even", today=TODAY,
                              units=[f"team:{empty.pk}"])  # fmt: skip
    solution = plan_solution(user=personas.ops_a, plan=plan, unit=Unit("team", empty.pk, "三组"), today=TODAY)
    referral, online = channels
    assert solution.channels.share_level == "site"
    assert (_line(solution, referral).weight_fen, _line(solution, online).weight_fen) == (
        20_000_000,
        9_000_000,
    )
    assert {s for line in solution.channels.lines for s in line.resolved.sources.values()} <= {
        "site",
        "missing",
    }
    for month in solution.channels.months:
        assert solution.channels.month_revenue(month) == next(m.revenue_fen for m in solution.months
                                                               if m.month == month)  # fmt: skip


# --- the split, as a property -----------------------------------------------------------------


def _funnel(revenue_by_channel: dict) -> ChannelFunnel:
    rows = {}
    for cid, revenue in revenue_by_channel.items():
        row = FunnelRow(month=None)
        row.revenue_fen = revenue
        row.counts["deals"] = row.deal_customers = 1 if revenue else 0
        row.counts["visits"] = row.counts["visits_walk_in"] = 2 if revenue else 0
        row.counts["consultations"] = 1  # some history, revenue or not
        rows[cid] = row
    return ChannelFunnel(
        filters=FunnelFilters(month_from=202601, month_to=202612), rows=rows, total=FunnelRow(None)
    )


@given(
    targets=st.lists(st.integers(min_value=0, max_value=10**12), min_size=1, max_size=12),
    revenue=st.lists(st.integers(min_value=0, max_value=10**10), min_size=1, max_size=8),
    unlabeled=st.integers(min_value=0, max_value=10**10),
)
def test_channel_parts_add_up_to_the_month_target_to_the_fen(targets, revenue, unlabeled):
    history = {cid: value for cid, value in enumerate(revenue, start=1)} | {None: unlabeled}
    funnel = _funnel(history)
    months = {202701 + i: value for i, value in enumerate(targets)}
    plan = solve_channels(months, [("unit", funnel)], {cid: f"渠道{cid}" for cid in history if cid})
    if not any(revenue):
        assert plan.error and all(not line.months for line in plan.lines)
        return
    for month, target in months.items():
        assert sum(line.months[month - 202701].revenue_fen for line in plan.lines) == target
    for line in plan.lines:
        if line.weight_fen == 0:  # no revenue share: no part
            assert all(m.revenue_fen == 0 for m in line.months)


def test_channels_with_no_history_anywhere_get_no_line():
    funnel = _funnel({1: 300, 2: 0})
    funnel.rows[3] = FunnelRow(month=None)  # a channel with an all-zero row
    plan = solve_channels({202701: 1_000}, [("unit", funnel)], {1: "甲", 2: "乙", 3: "丙", 4: "丁"})
    assert [line.name for line in plan.lines] == ["甲", "乙"]
    assert [line.months[0].revenue_fen for line in plan.lines] == [1_000, 0]


# --- overrides, bad input ----------------------------------------------------------------------


def test_overriding_one_channels_rate_changes_only_that_channels_need(personas, plan, by_channel, channels):
    referral, online = channels
    unit = Unit("team", by_channel.pk, "二组")
    before = plan_solution(user=personas.ops_a, plan=plan, unit=unit, today=TODAY)
    services.rate_overrides_set(actor=personas.ops_a, plan_id=plan.pk, unit_key=unit.key,
                                channel_id=online.pk, values={"conversion_rate": D("0.25")})  # fmt: skip
    after = plan_solution(user=personas.ops_a, plan=plan, unit=unit, today=TODAY)
    assert _line(after, online).resolved.sources["conversion_rate"] == "override"
    assert _line(after, online).months[0].need.consultations_online == 40  # 2 deals ÷ 25% = 8 visits ÷ 20%
    assert [m.need for m in _line(after, referral).months] == [m.need for m in _line(before, referral).months]
    assert after.resolved == before.resolved  # the unit's rates across channels are untouched
    assert [m.need for m in after.months] == [m.need for m in before.months]
    override = RateOverride.objects.get(plan=plan, channel=online)
    assert (override.unit_key, override.rate, override.value) == (unit.key, "conversion_rate", D("0.25"))
    entry = audit.history_for(override).get()
    assert entry.actor == personas.ops_a and entry.changes["channel_id"] == [None, online.pk]


def test_a_zero_channel_rate_is_a_message_naming_the_channel(personas, plan, by_channel, channels):
    referral, online = channels
    unit = Unit("team", by_channel.pk, "二组")
    services.rate_overrides_set(actor=personas.ops_a, plan_id=plan.pk, unit_key=unit.key,
                                channel_id=online.pk, values={"conversion_rate": D("0")})  # fmt: skip
    solution = plan_solution(user=personas.ops_a, plan=plan, unit=unit, today=TODAY)
    assert _line(solution, online).error == "渠道“线上”：成交率为 0，无法反推，请填写大于 0 的值"
    assert _line(solution, referral).error == "" and _line(solution, referral).months[0].need.deals == 2
    assert solution.channels.total("deals") is None  # a total without 线上 would be short


def test_channel_overrides_are_validated_with_the_channels_name(personas, plan, by_channel, channels):
    _referral, online = channels
    with pytest.raises(ValidationError, match="渠道“线上”：成交率应在 0 到 500% 之间"):
        services.rate_overrides_set(actor=personas.ops_a, plan_id=plan.pk, unit_key=f"team:{by_channel.pk}",
                                    channel_id=online.pk, values={"conversion_rate": D("5.5")})  # fmt: skip
    other_site = Channel.objects.create(site=personas.site_b, name="美莱合作方", kind="offline")
    with pytest.raises(ValidationError, match="渠道不存在或不属于该院区"):
        services.rate_overrides_set(actor=personas.ops_a, plan_id=plan.pk, unit_key="site",
                                    channel_id=other_site.pk, values={"conversion_rate": D("0.5")})  # fmt: skip


def test_revising_a_plan_keeps_channel_overrides(personas, plan, by_channel, channels):
    _referral, online = channels
    services.rate_overrides_set(actor=personas.ops_a, plan_id=plan.pk, unit_key="site",
                                values={"conversion_rate": D("0.3")})  # fmt: skip
    services.rate_overrides_set(actor=personas.ops_a, plan_id=plan.pk, unit_key="site", channel_id=online.pk,
                                values={"conversion_rate": D("0.4")})  # fmt: skip
    draft = services.plan_revise(actor=personas.ops_a, plan_id=plan.pk)
    copied = {(o.channel_id, o.value) for o in RateOverride.objects.filter(plan=draft)}
    assert copied == {(None, D("0.3000")), (online.pk, D("0.4000"))}


# --- the screen ----------------------------------------------------------------------------------


def test_solve_screen_shows_the_channel_plan_with_its_fallback_marks(client, personas, plan, by_channel, channels,
                                                                     django_assert_max_num_queries):  # fmt: skip
    referral, online = channels
    client.force_login(personas.ops_a)
    url = reverse("targets:plan_solve", args=[plan.pk]) + f"?unit=team:{by_channel.pk}"
    # Auth and scope, plan, units, the team's department, 3 × 5 funnel aggregates (team, 市场部,
    # site), channel names, overrides, allocations: whatever the number of channels.
    with django_assert_max_num_queries(30):
        page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and 'id="channel-plan"' in body and "按渠道分解" in body
    rows = {row.channel_id: row for row in page.context["channel_rows"]}
    marks = {cell.key: cell.mark for cell in rows[online.pk].cells}
    assert marks == {"revenue_per_deal_fen": "本单位", "conversion_rate": "部门",
                     "phone_visit_rate": "院区", "online_visit_rate": "部门"}  # fmt: skip
    assert rows[referral.pk].fallback_text == ""
    assert rows[referral.pk].cells[2].mark == "本单位"  # 转介绍's own 电话上门率
    assert rows[referral.pk].cells[3].mark == "不需要"  # no online visits in 转介绍: rate not needed
    assert (
        rows[online.pk].fallback_text
        == "成交率、网络上门率、上门构成取部门口径；电话上门率、电话预约率取院区口径"
    )
    assert 'id="channel-fallback-note"' in body and "成交率、网络上门率、上门构成取部门口径" in body
    assert rows[referral.pk].share == "61.5%" and rows[online.pk].share == "38.5%"
    assert page.context["channel_summary"].totals == {
        "deals": 48, "visits": 96, "consultations_phone": 96, "consultations_online": 240,
    }  # fmt: skip
    # Each number links to the rows behind it: 线上's 成交率 to 市场部's 线上 funnel.
    conversion = next(cell for cell in rows[online.pk].cells if cell.key == "conversion_rate")
    department = by_channel.department_id
    assert f"department={department}" in conversion.url and f"channel={online.pk}" in conversion.url
    assert f'href="{conversion.url.replace("&", "&amp;")}"' in body
    chart = client.get(reverse("targets:plan_solve_data", args=[plan.pk]),
                       {"unit": f"team:{by_channel.pk}", "chart": "channels"}).json()  # fmt: skip
    series = {s["name"]: s for s in chart["series"]}
    assert set(series) == {"转介绍/口碑", "线上"} and {s["stack"] for s in chart["series"]} == {
        "consultations"
    }
    assert series["线上"]["data"] == [20] * 12 and series["转介绍/口碑"]["data"] == [8] * 12


def test_the_channel_query_count_does_not_grow_with_channels(client, personas, plan, by_channel,
                                                            django_assert_max_num_queries):  # fmt: skip
    client.force_login(personas.ops_a)
    url = reverse("targets:plan_solve", args=[plan.pk]) + f"?unit=team:{by_channel.pk}"
    client.get(url)  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(url)
    extra = Channel.objects.create(site=personas.site_a, name="保险合作", kind="offline")
    customer = pipeline.customer_register(actor=personas.consultant_a, site_id=personas.site_a.pk, name="新客",
                                          phone="13900009999", channel_id=extra.pk)  # fmt: skip
    pipeline.consultation_record(actor=personas.consultant_a, customer_id=customer.pk, mode="phone",
                                 occurred_at=at(2026, 7, 1))  # fmt: skip
    with CaptureQueriesContext(connection) as after:
        page = client.get(url)
    assert extra.pk in {row.channel_id for row in page.context["channel_rows"]}
    assert len(after) == len(before)


def test_overriding_a_channel_rate_through_the_form(client, personas, plan, by_channel, channels):
    _referral, online = channels
    client.force_login(personas.ops_a)
    url = reverse("targets:plan_solve", args=[plan.pk])
    response = client.post(
        url, {"unit": f"team:{by_channel.pk}", "channel": online.pk, "conversion_rate": "25"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#channel-plan")
    override = RateOverride.objects.get(plan=plan, channel=online)
    assert override.value == D("0.2500") and override.unit_key == f"team:{by_channel.pk}"
    assert not RateOverride.objects.filter(plan=plan, channel__isnull=True).exists()
    page = client.get(url, {"unit": f"team:{by_channel.pk}"})
    row = next(r for r in page.context["channel_rows"] if r.channel_id == online.pk)
    assert (
        row.totals["consultations_online"] == 480
        and dict((k, v) for k, _l, v, _p in row.form)["conversion_rate"] == "25.00"
    )
    # Clearing the field clears the override.
    client.post(url, {"unit": f"team:{by_channel.pk}", "channel": online.pk, "conversion_rate": ""})
    assert not RateOverride.objects.filter(plan=plan).exists()


def test_a_zero_channel_rate_on_the_form_shows_the_channels_name(
    client, personas, plan, by_channel, channels
):
    _referral, online = channels
    client.force_login(personas.ops_a)
    url = reverse("targets:plan_solve", args=[plan.pk])
    client.post(url, {"unit": f"team:{by_channel.pk}", "channel": online.pk, "conversion_rate": "0"})
    page = client.get(url, {"unit": f"team:{by_channel.pk}"})
    assert page.status_code == 200
    assert "渠道“线上”：成交率为 0，无法反推，请填写大于 0 的值" in page.content.decode()


def test_channel_overrides_need_the_right_to_change_rates(client, personas, plan, by_channel, channels):
    _referral, online = channels
    client.force_login(personas.consultant_a)
    response = client.post(reverse("targets:plan_solve", args=[plan.pk]),
                           {"unit": f"team:{by_channel.pk}", "channel": online.pk, "conversion_rate": "25"})  # fmt: skip
    assert response.status_code == 403 and not RateOverride.objects.exists()
    client.force_login(personas.ops_b)
    response = client.post(reverse("targets:plan_solve", args=[plan.pk]),
                           {"unit": "site", "channel": online.pk, "conversion_rate": "25"})  # fmt: skip
    assert response.status_code == 403 and not RateOverride.objects.exists()


# --- the CLI ------------------------------------------------------------------------------------


def test_solve_command_by_channel(personas, by_channel, channels, frozen_today, capsys):
    referral, online = channels
    call_command("targets", "solve", "--revenue", "2900000", "--year", "2027", "--site", "sunshine", "--split",
                 "even", "--by-channel", "--json")  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    by_name = {c["name"]: c for c in data["channels"]}
    # The site's trailing revenue: 转介绍 ¥200,000, 线上 ¥90,000 → ¥2,900,000 splits 20 : 9.
    assert (
        by_name["转介绍/口碑"]["revenue_fen"] == 200_000_000 and by_name["线上"]["revenue_fen"] == 90_000_000
    )
    for i, month in enumerate(data["months"]):
        assert sum(c["months"][i]["revenue_fen"] for c in data["channels"]) == month["revenue_fen"]
    assert by_name["线上"]["sources"]["conversion_rate"] == "unit" and by_name["线上"]["share"] == "0.3103"
    assert (by_name["转介绍/口碑"]["channel_id"], by_name["线上"]["channel_id"]) == (referral.pk, online.pk)
    call_command("targets", "solve", "--revenue", "2900000", "--year", "2027", "--site", "sunshine",
                 "--by-channel")  # fmt: skip
    out = capsys.readouterr().out
    assert "按渠道分解" in out and "【转介绍/口碑】占比 69.0%" in out and "【线上】占比 31.0%" in out
    call_command("targets", "solve", "--revenue", "2900000", "--year", "2027", "--site", "sunshine", "--json")
    assert "channels" not in json.loads(capsys.readouterr().out)


# --- the fallback chain ---------------------------------------------------------------------------


def test_a_rate_comes_from_the_nearest_parent_that_has_it():
    from opscenter.targets.solver import Rates, resolve_rates

    unit = Rates(conversion_rate=D("0.3"))
    team = Rates(phone_visit_rate=D("0.4"))
    department = Rates(phone_visit_rate=D("0.5"), online_visit_rate=D("0.2"),
                       mix_phone=D("0.5"), mix_online=D("0.5"), mix_walk_in=D("0"))  # fmt: skip
    site = Rates(revenue_per_deal_fen=D(5_000_000), online_visit_rate=D("0.1"),
                 mix_phone=D("1"), mix_online=D("0"), mix_walk_in=D("0"))  # fmt: skip
    resolved = resolve_rates(unit, site, {"online_appointment_rate": D("0.6")},
                             parents=[("team", team), ("department", department)])  # fmt: skip
    assert resolved.sources == {
        "revenue_per_deal_fen": "site", "conversion_rate": "unit", "phone_visit_rate": "team",
        "online_visit_rate": "department", "phone_appointment_rate": "missing",
        "online_appointment_rate": "override", "mix_phone": "department", "mix_online": "department",
        "mix_walk_in": "department",
    }  # fmt: skip
    assert resolved.fallbacks_by_level() == {
        "team": ["phone_visit_rate"],
        "department": ["online_visit_rate", "mix_phone", "mix_online", "mix_walk_in"],
        "site": ["revenue_per_deal_fen"],
    }
    assert resolved.rates.mix_online == D("0.5")  # the mix comes whole from one level


def test_a_staff_member_falls_back_to_their_team_then_department_then_site(personas, plan, by_channel):
    from opscenter.targets.solving import unit_parents

    staff = by_channel.members.get()
    parents = unit_parents(
        user=personas.ops_a, site_id=personas.site_a.pk, unit=Unit("staff", staff.pk, staff.name)
    )
    assert [(u.kind, u.pk) for u in parents] == [
        ("team", by_channel.pk), ("department", by_channel.department_id), ("site", None),
    ]  # fmt: skip
    services.plan_split_units(actor=personas.ops_a, plan_id=plan.pk, method="even", today=TODAY,
                              parent=f"team:{by_channel.pk}", units=[f"staff:{staff.pk}"])  # fmt: skip
    solution = plan_solution(
        user=personas.ops_a, plan=plan, unit=Unit("staff", staff.pk, staff.name), today=TODAY
    )
    # 咨询丙 did all of 二组's work: every channel rate is their own, the same as 二组's.
    team = plan_solution(
        user=personas.ops_a, plan=plan, unit=Unit("team", by_channel.pk, "二组"), today=TODAY
    )
    assert [line.resolved.rates for line in solution.channels.lines] == [
        line.resolved.rates for line in team.channels.lines
    ]
