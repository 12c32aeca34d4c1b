"""Demo step: a year of calls for the 96180 hotline ending now, with a realistic shape (morning
and afternoon peaks, a lunch dip, Monday busiest, weekends quieter), transfers, abandons, QA
scores with each agent's weak item, surveys (low scores open work orders), monthly third-party
test calls, knowledge articles and the "SL below 80 % for two half hours" anomaly rule.

Bulk writes; deterministic for a seed and the load date. Idempotent: a site with a queue is left
alone.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from opscenter.callcenter import knowledge, qa, services
from opscenter.callcenter.choices import Outcome, TestCallResult
from opscenter.callcenter.models import Call, Disposition, QaItemScore, QaScore, Queue, Survey, TestCall
from opscenter.core.audit import audit_context
from opscenter.org.models import Department, Site, Staff

SITE_CODE = "hotline"
DAYS = 365
CALLS_PER_WEEKDAY = 240
# Arrivals per hour of the day (relative): a morning peak, a lunch dip, an afternoon peak.
HOURLY = (0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.5, 5.0, 9.0, 9.5, 8.0, 4.5, 5.5, 8.0, 8.5, 7.0, 5.5,
          3.5, 2.5, 2.0, 1.5, 0.8, 0.4)  # fmt: skip
WEEKDAY = (1.25, 1.05, 1.0, 1.0, 0.95, 0.55, 0.45)
DISPOSITIONS = (
    ("咨询", 40),
    ("报案", 18),
    ("调度", 14),
    ("客户信息查询", 14),
    ("投诉", 6),
    ("回访", 8),
)  # i18n: data
ARTICLES = (  # i18n: data
    ("咨询", "服务项目与收费标准", "业务", "居家养老服务项目、收费标准与减免政策的答复口径。"),
    ("报案", "报案受理流程", "流程", "核实来电人身份，记录地址、事件经过与联系方式，十分钟内派单。"),
    ("调度", "上门服务调度规则", "流程", "按网格就近派单；紧急求助优先；超过两小时未响应的派单升级到班长。"),
    ("投诉", "投诉受理规范", "规范", "先致歉并倾听，记录诉求，登记投诉并告知办结时限，不得推诿。"),
    ("回访", "回访话术", "话术", "自我介绍、核实服务是否完成、满意度评分、记录意见。"),
    ("客户信息查询", "客户信息查询与隐私保护", "规范", "查询前须核实身份：姓名、身份证后四位与登记电话。"),
    ("咨询", "退款办理", "业务", "客户申请退款时，先核实身份，再登记退款原因，三个工作日内办结。"),
    ("咨询", "旧版服务时间说明", "业务", "服务时间为每日八点至二十点（待更新）。"),
)


def generate(*, seed: int, stdout, today: dt.date | None = None) -> None:
    site = Site.objects.filter(code=SITE_CODE).first()
    if site is None:
        stdout.write(f"院区 {SITE_CODE} 不存在，跳过客服中心")
        return
    if Queue.objects.filter(site=site).exists():
        stdout.write(f"{site.name}：客服中心演示数据已存在，跳过")
        return
    started = time.perf_counter()
    rng = random.Random(f"opscenter-callcenter-{seed}")
    now = timezone.now()
    today = today or timezone.localdate(now)
    department = Department.objects.filter(site=site, kind="call_center").order_by("pk").first()
    agents = list(
        Staff.objects.filter(department=department, team__name__in=("一班", "二班")).order_by(
            "team__name", "pk"
        )
    )
    reviewers = list(Staff.objects.filter(department=department, team__name="质检组").order_by("pk"))
    if not agents or department is None:
        stdout.write(f"{site.name}：没有客服坐席，跳过客服中心")
        return
    with audit_context(None, "cli", "演示数据"), transaction.atomic():
        queue = services.queue_create(
            actor=None,
            site_id=site.pk,
            code="96180",
            name="96180 服务热线",
            hotline="96180",
            department_id=department.pk,
        )
        calls = _calls(site, queue, agents, rng, today, now)
        scores = _qa(site, agents, reviewers, rng, today)
        surveys, orders = _surveys(site, rng, today)
        tests = _test_calls(site, queue, rng, today)
        states = _agent_states(site, agents, rng, today, now)
        _lead_login(site, agents)
        _articles(site, department, today)
        from opscenter.commitments.services import anomaly_rule_create

        anomaly_rule_create(
            actor=None,
            site_id=site.pk,
            name="服务水平连续两个半小时低于80%",  # i18n: data
            metric="callcenter.service_level",
            grain="site",
            period="interval",
            comparison="below",
            bound="0.8",
            consecutive=2,
            department_id=department.pk,
        )
    stdout.write(
        f"{site.name}：来电 {calls} 条，质检评分 {scores} 个，满意度 {surveys} 份（低分工单 {orders}），"
        f"拨测 {tests} 次，坐席状态 {states} 条，用时 {time.perf_counter() - started:.1f} 秒"
    )


COLUMNS = ("site_id", "queue_id", "source", "telephony_id", "direction", "caller_number", "arrived_at", "answered_at",
           "ended_at", "outcome", "wait_seconds", "talk_seconds", "hold_seconds", "wrap_seconds", "handle_seconds",
           "agent_id", "disposition_id", "recording_ref", "parent_id", "fcr", "local_date", "slot", "created_at")  # fmt: skip


def _calls(site, queue, agents, rng: random.Random, today: dt.date, now: dt.datetime) -> int:
    """Rows straight through `insert_rows` (executemany / COPY): no model instances."""
    from itertools import accumulate

    from opscenter.imports.bulk import bulk_session, insert_adapter, insert_rows

    tz = timezone.get_default_timezone()
    shifts = {0: [a.pk for a in agents[: len(agents) // 2]], 1: [a.pk for a in agents[len(agents) // 2 :]]}
    dispositions = dict(Disposition.objects.filter(site=site).values_list("name", "pk"))
    disposition_ids = [dispositions[n] for n, _w in DISPOSITIONS]
    disposition_cum = list(accumulate(w for _n, w in DISPOSITIONS))
    hour_cum = list(accumulate(HOURLY))
    mean_load = sum(HOURLY) / 24
    adapt = {
        c: insert_adapter(Call, c)
        for c in ("arrived_at", "answered_at", "ended_at", "local_date", "created_at")
    }
    created = adapt["created_at"](now)
    firsts: list[tuple] = []
    transfers: list[tuple] = []  # (parent telephony id, row without parent)
    for offset in range(DAYS, -1, -1):
        day = today - dt.timedelta(days=offset)
        midnight = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
        local_day = adapt["local_date"](day)
        season = 1 + 0.1 * math.sin(day.timetuple().tm_yday / 365 * 2 * math.pi)
        weekday = WEEKDAY[day.weekday()]
        n = max(0, int(rng.gauss(CALLS_PER_WEEKDAY * weekday * season, 12)))
        for i in range(n):
            hour = rng.choices(range(24), cum_weights=hour_cum)[0]
            second = hour * 3600 + rng.randrange(3600)
            arrived = midnight + dt.timedelta(seconds=second)
            if arrived > now:
                continue
            wait = int(rng.expovariate(1 / (4 + 5 * HOURLY[hour] / mean_load * weekday)))
            slot = second // 900
            tid = f"{day:%Y%m%d}-{i:05d}"
            number = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
            if rng.random() < min(0.02 + wait / 400, 0.5):
                ended = arrived + dt.timedelta(seconds=wait)
                firsts.append((site.pk, queue.pk, "", tid, "in", number, adapt["arrived_at"](arrived), None,
                               adapt["ended_at"](ended), Outcome.ABANDONED, wait, 0, 0, 0, 0, None, None, "", None, None,
                               local_day, slot, created))  # fmt: skip
                continue
            shift = shifts[0 if hour < 15 else 1]
            agent = rng.choice(shift)
            talk = int(rng.lognormvariate(5.2, 0.5))
            hold = rng.choice((0, 0, 0, 0, 15, 30, 60))
            wrap = int(rng.uniform(10, 60))
            answered = arrived + dt.timedelta(seconds=wait)
            ended = answered + dt.timedelta(seconds=talk + hold)
            disposition = rng.choices(disposition_ids, cum_weights=disposition_cum)[0]
            fcr = (rng.random() < 0.82) if rng.random() < 0.9 else None
            firsts.append((site.pk, queue.pk, "", tid, "in", number, adapt["arrived_at"](arrived),
                           adapt["answered_at"](answered), adapt["ended_at"](ended), Outcome.ANSWERED, wait, talk, hold,
                           wrap, talk + hold + wrap, agent, disposition, f"rec/{day:%Y/%m/%d}/{tid}.wav", None, fcr,
                           local_day, slot, created))  # fmt: skip
            if rng.random() < 0.03:  # transferred: a second leg to a colleague, offered once
                other = rng.choice([a for a in shift if a != agent] or shift)
                talk2 = int(rng.lognormvariate(5.0, 0.4))
                start = ended + dt.timedelta(seconds=3)
                transfers.append((tid, (site.pk, queue.pk, "", f"{tid}-T", "in", number, adapt["arrived_at"](ended),
                                  adapt["answered_at"](start), adapt["ended_at"](start + dt.timedelta(seconds=talk2)),
                                  Outcome.ANSWERED, 3, talk2, 0, 20, talk2 + 20, other, disposition, "", None, None,
                                  local_day, slot, created)))  # fmt: skip
    with bulk_session():
        for k in range(0, len(firsts), 20_000):
            insert_rows(Call, COLUMNS, firsts[k : k + 20_000], adapted=True)
        parents = dict(
            Call.objects.filter(site=site, telephony_id__in=[t for t, _row in transfers]).values_list(
                "telephony_id", "pk"
            )
        )
        legs = [(*row[:18], parents[tid], *row[19:]) for tid, row in transfers]
        insert_rows(Call, COLUMNS, legs, adapted=True)
    return len(firsts) + len(legs)


def _qa(site, agents, reviewers, rng: random.Random, today: dt.date) -> int:
    """Eight scored calls per agent per month; each agent has a weak item missed often."""
    if not reviewers:
        return 0
    card = qa.scorecard_ensure(site_id=site.pk)
    items = list(card.items.all())
    weak = {a.pk: rng.choice(items[:1] + items[2:]) for a in agents}  # never the fatal item
    tz = timezone.get_default_timezone()
    scores: list[QaScore] = []
    item_rows: list[list[QaItemScore]] = []
    first = today.replace(day=1)
    months = [(first - dt.timedelta(days=31 * k)).replace(day=1) for k in range(12)]
    for month in months:
        end = min((month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1), today)
        candidates = list(
            Call.objects.filter(
                site=site,
                local_date__gte=month,
                local_date__lte=end,
                outcome=Outcome.ANSWERED,
                talk_seconds__gte=30,
            ).values_list("pk", "agent_id", "disposition_id")
        )
        picked = set(qa.draw([(c, a, d or 0) for c, a, d in candidates], 8, seed=month.toordinal()))
        for call_id, agent_id, _d in candidates:
            if call_id not in picked:
                continue
            rows = []
            got = 0
            fatal = False
            for item in items:
                missed = rng.random() < (
                    0.45 if item.pk == weak[agent_id].pk else 0.06 if not item.is_fatal else 0.01
                )
                points = rng.randrange(0, item.weight) if missed else item.weight
                fatal = fatal or (item.is_fatal and missed)
                got += points
                rows.append(QaItemScore(item=item, points=points, missed=missed))
            total = (
                Decimal(0)
                if fatal
                else (Decimal(got) * 100 / sum(i.weight for i in items)).quantize(Decimal("0.01"))
            )
            scored_day = min(end + dt.timedelta(days=3), today)
            scores.append(
                QaScore(call_id=call_id, scorecard=card, agent_id=agent_id, reviewer=rng.choice(reviewers), total=total,
                        fatal=fatal, local_date=scored_day, scored_at=dt.datetime.combine(scored_day, dt.time(16), tzinfo=tz))
            )  # fmt: skip
            item_rows.append(rows)
    QaScore.objects.bulk_create(scores, batch_size=1000)
    flat = []
    for score, rows in zip(scores, item_rows, strict=True):
        for row in rows:
            row.score = score
            flat.append(row)
    QaItemScore.objects.bulk_create(flat, batch_size=2000)
    return len(scores)


def _surveys(site, rng: random.Random, today: dt.date) -> tuple[int, int]:
    """Post-call surveys on 3 % of answered first legs; scores of 1–2 open work orders (the last
    90 days' through the service, so each has its work order; older ones are history)."""
    tz = timezone.get_default_timezone()
    rows = list(
        Call.objects.filter(site=site, outcome=Outcome.ANSWERED, parent__isnull=True)
        .values_list("pk", "queue_id", "agent_id", "ended_at", "wait_seconds")
        .order_by("pk")
    )
    recent = today - dt.timedelta(days=90)
    bulk: list[Survey] = []
    low_recent: list[tuple[int, int, dt.datetime]] = []
    for pk, queue_id, agent_id, ended, wait in rows:
        if rng.random() >= 0.03:
            continue
        score = rng.choices((5, 4, 3, 2, 1), (55, 25, 12, 5, 3) if wait < 40 else (30, 25, 20, 15, 10))[0]
        received = ended + dt.timedelta(minutes=2)
        day = timezone.localtime(received, tz).date()
        if score <= services.LOW_SURVEY_SCORE and day >= recent:
            low_recent.append((pk, score, received))
            continue
        bulk.append(
            Survey(
                site=site,
                call_id=pk,
                queue_id=queue_id,
                agent_id=agent_id,
                score=score,
                received_at=received,
                local_date=day,
            )
        )
    Survey.objects.bulk_create(bulk, batch_size=2000)
    for pk, score, received in low_recent:
        services.survey_record(
            actor=None, site_id=site.pk, call_id=pk, score=score, comment="等待时间长", received_at=received
        )  # i18n: data
    return len(bulk) + len(low_recent), len(low_recent)


def _test_calls(site, queue, rng: random.Random, today: dt.date) -> int:
    tz = timezone.get_default_timezone()
    rows = []
    for k in range(12):
        month = (today.replace(day=1) - dt.timedelta(days=31 * k)).replace(day=1)
        for i in range(4):
            day = month + dt.timedelta(days=3 + 7 * i)
            if day > today:
                continue
            result = rng.choices(TestCallResult.values, (88, 9, 3))[0]
            rows.append(TestCall(site=site, queue=queue, called_at=dt.datetime.combine(day, dt.time(10, 30), tzinfo=tz),
                                 tester="第三方测评机构", result=result,  # i18n: data
                                 wait_seconds=None if result == TestCallResult.UNANSWERED else rng.randrange(3, 40)))  # fmt: skip
    TestCall.objects.bulk_create(rows)
    return len(rows)


def _articles(site, department, today: dt.date) -> None:
    dispositions = dict(Disposition.objects.filter(site=site).values_list("name", "pk"))
    for i, (name, title, category, body) in enumerate(ARTICLES):
        knowledge.article_save(
            actor=None,
            site_id=site.pk,
            title=title,
            body=body,
            category=category,
            owner_department_id=department.pk,
            disposition_id=dispositions.get(name),
            review_on=today - dt.timedelta(days=30)
            if i == len(ARTICLES) - 1
            else today + dt.timedelta(days=180),
        )


STATE_DAYS = 14  # days of agent-state log (occupancy) ending today


def _state_adder(items: list[dict], now: dt.datetime):
    def add(agent_no: str, at: dt.datetime, end: dt.datetime, state: str, seconds: int, reason: str = ""):
        stop = min(at + dt.timedelta(seconds=max(seconds, 1)), end, now)
        if stop > at:
            items.append(
                {"agent": agent_no, "state": state, "started_at": at, "ended_at": stop, "reason": reason}
            )
        return stop

    return add


def _agent_states(site, agents, rng: random.Random, today: dt.date, now: dt.datetime) -> int:
    """Two weeks of ACD agent states for every agent on its shift (07:30–15:00 or 15:00–22:30):
    ready gaps shorter at the busy hours, talk / hold / after-call work per call, a lunch or
    dinner break and short breaks — occupancy of roughly 60–90 %."""
    from opscenter.callcenter.agents import agent_state_record_batch

    tz = timezone.get_default_timezone()
    mean_load = sum(HOURLY) / 24
    items: list[dict] = []
    add = _state_adder(items, now)
    half = len(agents) // 2
    for offset in range(STATE_DAYS - 1, -1, -1):
        day = today - dt.timedelta(days=offset)
        weekday = WEEKDAY[day.weekday()]
        for index, agent in enumerate(agents):
            start_h, end_h = (7.5, 15.0) if index < half else (15.0, 22.5)
            at = dt.datetime.combine(day, dt.time(0), tzinfo=tz) + dt.timedelta(hours=start_h)
            end = dt.datetime.combine(day, dt.time(0), tzinfo=tz) + dt.timedelta(hours=end_h)
            meal = at + dt.timedelta(hours=3.5)
            had_meal = False

            while at < end and at < now:
                if not had_meal and at >= meal:
                    at = add(agent.employee_no, at, end, "break", 1800, "用餐")  # i18n: data
                    had_meal = True
                    continue
                load = HOURLY[timezone.localtime(at, tz).hour] / mean_load * weekday
                at = add(
                    agent.employee_no,
                    at,
                    end,
                    "ready",
                    int(rng.expovariate(1 / max(20, 160 / max(load, 0.2)))),
                )
                at = add(agent.employee_no, at, end, "talk", int(rng.lognormvariate(5.2, 0.5)))
                if rng.random() < 0.15:
                    at = add(agent.employee_no, at, end, "hold", rng.choice((15, 30, 60)))
                at = add(agent.employee_no, at, end, "acw", int(rng.uniform(10, 60)))
                if rng.random() < 0.03:
                    at = add(
                        agent.employee_no, at, end, "break", rng.choice((300, 600)), "小休"
                    )  # i18n: data
    agent_state_record_batch(actor=None, site_id=site.pk, items=items, source="demo-acd")
    return len(items)


def _lead_login(site, agents) -> None:
    """`demo-callcenter-lead`: the 二班 leader with the 客服中心主管 role (may edit the rules)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from opscenter.demo.org import DEMO_PASSWORD
    from opscenter.org.roles import ROLE_BY_CODE

    User = get_user_model()
    lead = next((a for a in agents[len(agents) // 2 :] if a.user_id is None), None)
    if lead is None or User.objects.filter(username="demo-callcenter-lead").exists():
        return
    user = User.objects.create_user("demo-callcenter-lead", password=DEMO_PASSWORD)
    user.groups.add(Group.objects.get(name=ROLE_BY_CODE["call_center_manager"].name))
    Staff.objects.filter(pk=lead.pk).update(user=user)
