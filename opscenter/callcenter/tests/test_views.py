import datetime as dt

import pytest
from django.urls import reverse

from opscenter.callcenter import qa
from opscenter.callcenter.models import QaScore
from opscenter.callcenter.tests.conftest import record
from opscenter.callcenter.tests.test_stats import DAY, _hand_built


@pytest.fixture
def loaded(cc, client, password):
    record(cc, _hand_built(cc))
    client.force_login(cc.manager)
    return cc


def test_dashboard_shows_figures_linking_to_their_calls(loaded, client, django_assert_max_num_queries):
    with django_assert_max_num_queries(25):
        response = client.get(reverse("callcenter:dashboard"), {"from": DAY, "to": DAY})
    assert response.status_code == 200
    kpis = {k["label"]: k for k in response.context["kpis"]}
    assert kpis["呼入量"]["value"] == 7
    assert kpis["服务水平"]["value"] == "50.0%"  # (a1, a3, t1) ÷ (7 − 1)
    # the number's link lists exactly the calls behind it
    calls = client.get(kpis["服务水平"]["url"])
    assert calls.context["count"] == 3
    short = client.get(kpis["短放弃"]["url"])
    assert [c.telephony_id for c in short.context["page"]] == ["s1"]


def test_profile_chart_drills_into_the_interval(loaded, client):
    data = client.get(
        reverse("callcenter:dashboard_data"), {"from": DAY, "to": DAY, "chart": "profile"}
    ).json()
    offered = data["series"][0]["data"]
    assert offered[18]["value"] == 6 and offered[19]["value"] == 1
    assert data["series"][2]["data"][18] > 0  # agents needed at 09:00
    assert client.get(offered[18]["url"]).context["count"] == 6


def test_wallboard_partial_counts_waiting_calls(loaded, client):
    from django.utils import timezone

    now = timezone.now()
    record(loaded, [{"telephony_id": "w1", "queue": "96180", "arrived_at": now - dt.timedelta(seconds=30)}])
    page = client.get(reverse("callcenter:wallboard"))
    assert page.status_code == 200
    partial = client.get(reverse("callcenter:wallboard"), headers={"HX-Request": "true"})
    assert partial.context["w"]["waiting"] == 1
    assert b"hx-trigger" not in partial.content  # the partial only, no page shell


def test_staffing_what_if_and_day_plan(loaded, client):
    response = client.get(
        reverse("callcenter:staffing"),
        {
            "calls": 100,
            "interval_minutes": 30,
            "aht_seconds": 180,
            "target_sl": "0.8",
            "target_seconds": 20,
            "shrinkage": "0.3",
            "to": DAY,
        },
    )
    assert response.context["result"].agents == 14 and response.context["result"].scheduled == 20
    rows = response.context["rows"]
    assert len(rows) == 48 and rows[18]["calls"] == 6


def test_qa_sample_score_and_habitual_errors_screens(loaded, client):
    from opscenter.core.testing import make_person

    reviewer = make_person("qa_reviewer", "call_center", loaded.site, "call_center", name="质检员")
    client.force_login(reviewer)
    response = client.post(
        reverse("callcenter:qa_list") + f"?site={loaded.site.pk}",
        {"start": DAY, "end": DAY, "per_agent": 2, "min_seconds": 30, "seed": 7},
    )
    assert response.status_code == 302
    sample = client.get(response["Location"])
    assert len(sample.context["rows"]) == 4  # two per agent
    call = sample.context["rows"][0].call
    card = qa.scorecard_ensure(site_id=loaded.site.pk)
    points = {f"item_{i.pk}": i.weight for i in card.items.all()}
    first = card.items.get(name="问候语")
    points[f"item_{first.pk}"] = 5
    client.post(reverse("callcenter:call_detail", args=[call.pk]), {**points, "comment": "问候不完整"})
    score = QaScore.objects.get(call=call)
    assert score.total == 90
    page = client.get(
        reverse("callcenter:qa_list"), {"site": loaded.site.pk, "from": DAY, "to": dt.date.today()}
    )
    assert page.context["averages"][0][1] == 90


def test_knowledge_and_test_call_screens(loaded, client):
    response = client.post(
        reverse("callcenter:knowledge_list"),
        {
            "title": "退款流程",
            "body": "先核实身份再登记退款",
            "category": "业务",
            "review_on": "2030-01-01",
            "department": loaded.department.pk,
        },
    )
    assert response.status_code == 302
    found = client.get(reverse("callcenter:knowledge_list"), {"q": "如何退款"})
    assert [a.title for a in found.context["results"]] == ["退款流程"]
    posted = client.post(
        reverse("callcenter:test_call_list"),
        {
            "queue": loaded.queue.pk,
            "called_at": "2026-03-02T10:00",
            "tester": "测评公司",
            "result": "passed",
            "wait_seconds": "8",
        },
    )
    assert posted.status_code == 302
    page = client.get(reverse("callcenter:test_call_list"), {"year": 2026})
    assert page.context["months"][0]["n"] == 1


def test_the_scorecard_is_edited_on_the_qa_page_as_a_new_version(loaded, client):
    from opscenter.callcenter.models import QaScorecard

    url = reverse("callcenter:qa_list") + f"?site={loaded.site.pk}"
    response = client.post(
        url, {"action": "scorecard", "site": loaded.site.pk, "items": "问候语,20\n核实身份,30,1\n答复准确,50"}
    )
    assert response.status_code == 302
    active = QaScorecard.objects.get(site=loaded.site, is_active=True)
    assert active.version == 2
    assert [(i.name, i.weight, i.is_fatal) for i in active.items.all()] == [
        ("问候语", 20, False),
        ("核实身份", 30, True),
        ("答复准确", 50, False),
    ]
    bad = client.post(url, {"action": "scorecard", "site": loaded.site.pk, "items": "问候语"}, follow=True)
    assert "第 1 行格式不正确" in bad.content.decode()
    assert QaScorecard.objects.filter(site=loaded.site).count() == 2
