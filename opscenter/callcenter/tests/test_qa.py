"""QA: reproducible stratified samples, fatal items, acknowledgement, dispute with a second
reviewer, calibration and habitual errors."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from opscenter.callcenter import qa
from opscenter.callcenter.models import Call, QaScore
from opscenter.callcenter.tests.conftest import record
from opscenter.core.exceptions import ValidationError
from opscenter.core.testing import make_person

DAY = dt.date(2026, 3, 2)


@given(
    counts=st.dictionaries(st.integers(0, 6), st.integers(1, 30), min_size=1, max_size=6),
    n=st.integers(0, 60),
)
def test_allocation_is_proportional_sums_to_n_and_never_exceeds_a_stratum(counts, n):
    out = qa.allocate(counts, n)
    assert sum(out.values()) == min(n, sum(counts.values()))
    total = sum(counts.values())
    for k, c in counts.items():
        assert out[k] <= c
        if n < total:
            assert abs(out[k] - n * c / total) < 1


def test_a_draw_is_reproducible_from_its_seed_and_stratified():
    candidates = [(i, 1 + i % 2, 10 if (i // 2) % 4 < 3 else 20) for i in range(40)]
    first = qa.draw(candidates, 4, seed=42)
    assert first == qa.draw(list(reversed(candidates)), 4, seed=42)
    assert first != qa.draw(candidates, 4, seed=43)
    for agent in (1, 2):
        mine = [c for c in candidates if c[0] in first and c[1] == agent]
        assert len(mine) == 4
        assert sum(1 for c in mine if c[2] == 10) == 3  # 3 of 4 strata share (15 of 20 calls)


@pytest.fixture
def scored(cc):
    items = []
    for i in range(6):
        arrived = dt.datetime(2026, 3, 2, 9, i, tzinfo=dt.UTC)
        items.append(
            {
                "telephony_id": f"q{i}",
                "queue": "96180",
                "arrived_at": arrived,
                "answered_at": arrived + dt.timedelta(seconds=5),
                "ended_at": arrived + dt.timedelta(seconds=5 + (10 if i == 5 else 120)),
                "agent": (cc.agent1 if i % 2 == 0 else cc.agent2).employee_no,
                "disposition": "咨询" if i < 3 else "投诉",
            }
        )
    record(cc, items)
    return cc


def test_sample_excludes_short_calls(scored):
    sample = qa.sample_draw(
        actor=scored.manager, site_id=scored.site.pk, start=DAY, end=DAY, per_agent=10, min_seconds=30, seed=1
    )
    ids = set(sample.calls.values_list("call__telephony_id", flat=True))
    assert ids == {"q0", "q1", "q2", "q3", "q4"}  # q5 talked 10 s


def test_fatal_item_zeroes_the_score_and_a_dispute_is_settled_by_a_second_reviewer(scored):
    first = make_person("qa_a", "call_center", scored.site, "call_center", name="质检甲")
    second = make_person("qa_b", "call_center", scored.site, "call_center", name="质检乙")
    agent_user = make_person("agent_u", "call_center", scored.site, "call_center", name="坐席丙")
    call = Call.objects.get(telephony_id="q0")
    Call.objects.filter(pk=call.pk).update(agent=agent_user.staff)
    card = qa.scorecard_ensure(site_id=scored.site.pk)
    full = {i.pk: i.weight for i in card.items.all()}
    identity = card.items.get(name="身份核实")
    score = qa.score_record(actor=first, call_id=call.pk, points={**full, identity.pk: 10})
    assert score.fatal and score.total == 0
    with pytest.raises(ValidationError):  # someone else's score cannot be disputed
        qa.score_transition(actor=second, score_id=score.pk, to="disputed", version=score.version, reason="x")
    disputed = qa.score_transition(
        actor=agent_user, score_id=score.pk, to="disputed", version=1, reason="已核实身份"
    )
    with pytest.raises(ValidationError):  # the first reviewer cannot settle their own score
        qa.score_record(actor=first, call_id=call.pk, points=full, review_of=disputed)
    review = qa.score_record(actor=second, call_id=call.pk, points=full, review_of=disputed)
    assert review.total == 100 and review.counts
    original = QaScore.objects.get(pk=score.pk)
    assert original.status == "reviewed" and not original.counts
    averages = qa.agent_averages(site_ids=[scored.site.pk], start=DAY, end=dt.date.today())
    assert averages[agent_user.staff.pk] == (100, 1)


def test_calibration_shows_two_reviewers_differences_and_habits_count_repeated_misses(scored):
    first = make_person("qa_a", "call_center", scored.site, "call_center", name="质检甲")
    second = make_person("qa_b", "call_center", scored.site, "call_center", name="质检乙")
    card = qa.scorecard_ensure(site_id=scored.site.pk)
    full = {i.pk: i.weight for i in card.items.all()}
    greeting = card.items.get(name="问候语").pk
    closing = card.items.get(name="结束语").pk
    for tid in ("q0", "q2", "q1"):
        call = Call.objects.get(telephony_id=tid)
        qa.score_record(actor=first, call_id=call.pk, points={**full, greeting: 0})
    q0 = Call.objects.get(telephony_id="q0")
    calib = qa.score_record(actor=second, call_id=q0.pk, points={**full, closing: 10})
    assert not calib.counts  # a calibration score does not count twice
    today = dt.date.today()
    rows = qa.calibration(site_ids=[scored.site.pk], start=DAY, end=today)
    assert len(rows) == 1 and rows[0]["spread"] == 5  # 85 vs 90
    habits = qa.habitual_errors(site_ids=[scored.site.pk], start=DAY, end=today)
    assert [(h["score__agent__name"], h["item__name"], h["n"]) for h in habits["per_agent"]] == [
        ("坐席甲", "问候语", 2)
    ]
    assert [(h["item__name"], h["agents"]) for h in habits["per_item"]] == [("问候语", 2)]


def test_a_new_scorecard_version_keeps_old_scores_on_theirs(scored):
    reviewer = make_person("qa_a", "call_center", scored.site, "call_center")
    card = qa.scorecard_ensure(site_id=scored.site.pk)
    call = Call.objects.get(telephony_id="q0")
    score = qa.score_record(
        actor=reviewer, call_id=call.pk, points={i.pk: i.weight for i in card.items.all()}
    )
    new = qa.scorecard_save(
        actor=scored.manager,
        site_id=scored.site.pk,
        family=card.family,
        name=card.name,
        items=[("问候语", 50, False), ("答复准确", 50, True)],
    )
    assert new.version == 2 and qa.scorecard_ensure(site_id=scored.site.pk) == new
    score.refresh_from_db()
    assert score.scorecard_id == card.pk and score.scorecard.items.count() == 5
