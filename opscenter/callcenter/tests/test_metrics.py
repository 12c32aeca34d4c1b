"""The call center's registered metrics, and an anomaly rule on consecutive half hours."""

import datetime as dt
from decimal import Decimal

from opscenter.callcenter.tests.conftest import record
from opscenter.callcenter.tests.test_stats import DAY, _hand_built
from opscenter.metrics import metric_values, period_start


def test_registered_metrics_answer_by_site_and_agent_per_day_week_and_month(cc):
    record(cc, _hand_built(cc))
    for period in ("day", "week", "month"):
        key = (cc.site.pk, period_start(DAY, period))
        sl = metric_values("callcenter.service_level", grain="site", period=period, start=DAY, end=DAY)
        assert sl[key].value == Decimal("0.5")  # a1, a3, t1 within 20 s ÷ (7 − 1)
        abandon = metric_values("callcenter.abandon_rate", grain="site", period=period, start=DAY, end=DAY)
        assert abandon[key].value == Decimal("0.1667")
    aht = metric_values("callcenter.aht", grain="staff", period="day", start=DAY, end=DAY)
    assert aht[(cc.agent2.pk, DAY)].value == Decimal("110")  # (100 + 120) ÷ 2 legs
    answered = metric_values("callcenter.answered", grain="department", period="month", start=DAY, end=DAY)
    assert answered[(cc.department.pk, DAY.replace(day=1))].numerator == 6


def test_qa_average_is_a_registered_metric(cc):
    from opscenter.callcenter import qa
    from opscenter.core.testing import make_person

    record(cc, _hand_built(cc))
    reviewer = make_person("qa1", "call_center", cc.site, "call_center")
    card = qa.scorecard_ensure(site_id=cc.site.pk)
    from opscenter.callcenter.models import Call

    call = Call.objects.get(telephony_id="a1")
    points = {i.pk: i.weight for i in card.items.all()}
    points[card.items.get(name="同理心").pk] = 0  # 15 points lost
    qa.score_record(
        actor=reviewer, call_id=call.pk, points=points, now=dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)
    )
    avg = metric_values(
        "callcenter.qa_average", grain="staff", period="month", start=DAY, end=DAY.replace(day=31)
    )
    assert avg[(cc.agent1.pk, DAY.replace(day=1))].value == Decimal("85")


def test_sl_below_80_percent_for_two_consecutive_half_hours_opens_one_work_order(cc):
    from opscenter.commitments.models import Anomaly, WorkOrder
    from opscenter.commitments.services import anomaly_rule_create, evaluate_rules

    def late(tid, hh, mm, wait):
        arrived = cc.at(DAY, hh, mm)
        return {
            "telephony_id": tid,
            "queue": "96180",
            "arrived_at": arrived,
            "answered_at": arrived + dt.timedelta(seconds=wait),
            "ended_at": arrived + dt.timedelta(seconds=wait + 60),
            "agent": cc.agent1.employee_no,
        }

    # 09:00–09:30: 1 of 2 within 20 s (50 %); 09:30–10:00: 1 of 2 (50 %); 10:00–10:30: 2 of 2
    record(cc, [late("p1", 9, 1, 5), late("p2", 9, 2, 60), late("p3", 9, 31, 5), late("p4", 9, 32, 90),
                late("p5", 10, 1, 5), late("p6", 10, 2, 6)])  # fmt: skip
    anomaly_rule_create(
        actor=None, site_id=cc.site.pk, name="服务水平连续两个时段低于80%", metric="callcenter.service_level",
        grain="site", period="interval", comparison="below", bound="0.8", consecutive=2, department_id=cc.department.pk,
    )  # fmt: skip
    assert evaluate_rules(now=cc.at(DAY, 9, 45)) == {
        "opened": 0,
        "closed": 0,
    }  # only one complete half hour low
    assert evaluate_rules(now=cc.at(DAY, 10, 5)) == {"opened": 1, "closed": 0}
    assert evaluate_rules(now=cc.at(DAY, 10, 20)) == {"opened": 0, "closed": 0}  # once per episode
    order = WorkOrder.objects.get()
    assert order.source == "anomaly" and "50.0%" in order.description
    assert evaluate_rules(now=cc.at(DAY, 10, 35)) == {"opened": 0, "closed": 1}  # 10:00 recovered
    assert Anomaly.objects.get().first_period == DAY
