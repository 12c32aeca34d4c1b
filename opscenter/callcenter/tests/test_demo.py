"""The call-center demo step on the demo organization alone (a short history keeps it fast)."""

import datetime as dt
import io

from opscenter.callcenter import demo
from opscenter.callcenter.models import Call, QaScore, Queue, Survey, TestCall
from opscenter.demo.org import build_org


def test_demo_step_loads_a_shaped_history_once(db, monkeypatch):
    build_org(seed=1, stdout=io.StringIO())
    monkeypatch.setattr(demo, "DAYS", 20)
    out = io.StringIO()
    demo.generate(seed=1, stdout=out)
    calls = Call.objects.count()
    assert calls > 2000 and Queue.objects.count() == 1
    assert QaScore.objects.exists() and TestCall.objects.exists() and Survey.objects.exists()
    assert Call.objects.filter(parent__isnull=False).exists()  # transfers
    # Mondays are the busiest weekday, the lunch hour quieter than the morning peak
    by_weekday = {}
    for day in Call.objects.values_list("local_date", flat=True).distinct():
        by_weekday.setdefault(day.weekday(), []).append(
            Call.objects.filter(local_date=day, parent__isnull=True).count()
        )
    assert max(by_weekday[0]) > max(by_weekday[6])
    ten = Call.objects.filter(slot__gte=40, slot__lt=44).count()
    noon = Call.objects.filter(slot__gte=48, slot__lt=52).count()
    assert ten > noon
    demo.generate(seed=1, stdout=out)
    assert Call.objects.count() == calls  # loading again creates nothing
    assert "已存在" in out.getvalue()
    assert Call.objects.filter(local_date__gt=dt.date.today() + dt.timedelta(days=1)).count() == 0


def test_demo_step_logs_plausible_agent_states_and_a_rules_manager(db, monkeypatch):
    from django.contrib.auth import get_user_model

    from opscenter.callcenter import agents
    from opscenter.callcenter.models import AgentState

    build_org(seed=1, stdout=io.StringIO())
    monkeypatch.setattr(demo, "DAYS", 3)
    monkeypatch.setattr(demo, "STATE_DAYS", 2)
    demo.generate(seed=1, stdout=io.StringIO())
    assert set(AgentState.objects.values_list("state", flat=True)) >= {"ready", "talk", "acw", "break"}
    site_id = Queue.objects.get().site_id
    total = agents.occupancy_rows(
        agents.slot_queryset(site_ids=[site_id], start=dt.date(2000, 1, 1), end=dt.date(2100, 1, 1))
    )[()]
    assert 0.5 < total.occupancy < 0.95
    lead = get_user_model().objects.get(username="demo-callcenter-lead")
    assert lead.has_perm("callcenter.change_queue") and lead.staff.department.site_id == site_id
