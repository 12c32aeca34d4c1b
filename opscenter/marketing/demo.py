"""Demo step: a year of marketing for the demo sites, consistent with the pipeline's demo events.

For each site with pipeline data and no campaigns yet: monthly and quarterly campaigns of the
kinds the seeds name (WeChat articles, community events and seminars, open days, print, paid
search and online ads, insurer team tours), their cost lines (seed 000's items: 名片, 宣传单页,
海报, 易拉宝, 展板, 社区宣传活动 …) and monthly budgets per channel; touches on the customers'
first consultations in the campaign's channel and month (so ROI is populated), a second touch
before some deals (first ≠ last touch), invitations (集中邀约) with attendance, partners for the
offline channels with commission rules, group tours and monthly statements; WeChat articles
with reads and follower growth; a grade scheme and six months of channel grades.

Set-based: bulk inserts per table; deterministic for a seed and the load date (`today`). The
call-center site has no customers and is skipped, like the pipeline step skips it.
"""

# i18n: data module — demo content (names, items, suppliers) and operator output of `opscenter demo`.
from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from opscenter.appraisal.models import Partner
from opscenter.core import audit
from opscenter.core.models import User
from opscenter.marketing.choices import InvitationStatus, StatementStatus, TouchMethod
from opscenter.marketing.models import (
    Budget,
    Campaign,
    CommissionLine,
    CommissionRule,
    CommissionStatement,
    ContentPost,
    CostLine,
    GroupTour,
    Invitation,
    Touch,
)
from opscenter.marketing.services import channels_grade, grade_scheme_create, statement_lines
from opscenter.org.models import Site, Staff
from opscenter.pipeline.models import Channel, Consultation, Customer, Deal
from opscenter.pipeline.periods import month_add, month_key, month_start

BATCH = 2000
SITES = {"sunshine": "demo-ops", "meilai": "demo-ops-meilai"}

# (kind, channel name at the site (else the shared channel of `fallback_kind`), every n months,
#  name, cost items (item, quantity, unit price fen), touch method)
PLANS = {  # i18n: data (demo content)
    "sunshine": (
        (
            "wechat_article",
            "微信公众号",
            1,
            "公众号推文",
            (("图文排版与配图", 4, 30_000),),
            TouchMethod.SOURCE_CODE,
        ),
        (
            "community_event",
            "社区活动",
            1,
            "社区宣传活动",
            (("社区宣传活动", 1, 50_000), ("宣传单页", 500, 35)),
            TouchMethod.ATTENDANCE,
        ),
        (
            "seminar",
            "社区活动",
            2,
            "健康养老讲座",
            (("讲座场地与茶歇", 1, 80_000), ("海报", 20, 500)),
            TouchMethod.ATTENDANCE,
        ),
        (
            "open_day",
            "老住户介绍",
            3,
            "社区开放日",
            (("展厅展板", 6, 20_000), ("易拉宝", 6, 12_000)),
            TouchMethod.ATTENDANCE,
        ),
        (
            "print",
            "社区活动",
            3,
            "印刷宣传",
            (("员工名片", 3, 20_000), ("宣传单页", 3000, 35), ("海报", 100, 500)),
            TouchMethod.SOURCE_CODE,
        ),
        (
            "partner_tour",
            "泰康保险渠道",
            1,
            "泰康团队参观",
            (("参观接待茶歇", 1, 30_000),),
            TouchMethod.GROUP_TOUR,
        ),
        (
            "partner_tour",
            "平安保险渠道",
            1,
            "平安团队参观",
            (("参观接待茶歇", 1, 30_000),),
            TouchMethod.GROUP_TOUR,
        ),
        ("online_ad", "online", 2, "网络推广", (("信息流广告", 1, 200_000),), TouchMethod.SOURCE_CODE),
    ),
    "meilai": (
        (
            "paid_search",
            "百度竞价",
            1,
            "百度竞价",
            (("百度竞价充值", 1, 3_000_000),),
            TouchMethod.SOURCE_CODE,
        ),
        ("online_ad", "小红书", 1, "小红书投放", (("达人笔记投放", 5, 160_000),), TouchMethod.SOURCE_CODE),
        (
            "online_ad",
            "美团/大众点评",
            1,
            "大众点评推广",
            (("推广通充值", 1, 600_000),),
            TouchMethod.SOURCE_CODE,
        ),
        (
            "wechat_article",
            "online",
            1,
            "公众号推文",
            (("图文排版与配图", 6, 30_000),),
            TouchMethod.SOURCE_CODE,
        ),
        (
            "seminar",
            "异业合作·美容院",
            2,
            "美容院沙龙",
            (("沙龙场地与礼品", 1, 300_000),),
            TouchMethod.ATTENDANCE,
        ),
        (
            "open_day",
            "企业团购",
            3,
            "企业开放日",
            (("活动物料", 1, 500_000), ("易拉宝", 4, 12_000)),
            TouchMethod.ATTENDANCE,
        ),
    ),
}
EVENT_KINDS = {"community_event", "seminar", "open_day"}
ARTICLES = {"sunshine": (43, 25, 950), "meilai": (60, 400, 2600)}  # posts, followers at start, at end


def _channels(site: Site) -> dict[str, Channel]:
    own = {c.name: c for c in Channel.objects.filter(site=site)}
    shared = {c.kind: c for c in Channel.objects.filter(site__isnull=True)}
    return {**shared, **own}


def _partner_for(site: Site, channel: Channel) -> Partner:
    partner = (
        Partner.objects.filter(site=site, channel=channel).first()
        or Partner.objects.filter(site=site, name=channel.partner or channel.name).first()
    )
    if partner is None:
        name = channel.partner or channel.name
        kind = (
            "insurer_team" if "保险" in name else "target_hospital" if "医院" in name else "other"
        )  # i18n: data
        partner = Partner.objects.create(site=site, name=name, kind=kind, channel=channel)
    elif partner.channel_id is None:
        partner.channel = channel
        partner.save(update_fields=["channel"])
    return partner


def _build(site: Site, rng: random.Random, today: dt.date, actor) -> dict[str, int]:
    first_month = month_add(month_key(today), -11)
    months = [month_add(first_month, i) for i in range(12)]
    channels = _channels(site)
    staff = list(Staff.objects.filter(department__site=site, is_active=True).order_by("employee_no")[:20])
    counts: dict[str, int] = defaultdict(int)

    # Campaigns and their cost lines; budgets per channel and month.
    campaigns: list[Campaign] = []
    plan_of: dict[str, tuple] = {}
    for index, plan in enumerate(PLANS[site.code]):
        kind, channel_name, every, title, _items, _method = plan
        channel = channels.get(channel_name)
        for n, month in enumerate(months):
            if n % every:
                continue
            start = month_start(month) + dt.timedelta(days=rng.randrange(0, 20))
            if start >= today:
                continue
            days = 0 if kind in EVENT_KINDS or kind == "partner_tour" else 25
            end = min(start + dt.timedelta(days=days), today)
            code = f"{kind.replace('_', '-')}-{month}-{index}"
            campaigns.append(
                Campaign(
                    site=site,
                    name=f"{title} {month // 100}年{month % 100}月",
                    code=code,
                    kind=kind,  # i18n: data
                    channel=channel,
                    starts_on=start,
                    ends_on=end,
                    budget_fen=sum(q * p for _i, q, p in _items) * rng.choice((100, 110, 120)) // 100,
                    owner=rng.choice(staff) if staff else None,
                    audience="",
                )
            )
            plan_of[code] = plan
    campaigns = Campaign.objects.bulk_create(campaigns, batch_size=BATCH)
    counts["campaigns"] = len(campaigns)
    lines, budgets = [], defaultdict(int)
    for campaign in campaigns:
        for item, quantity, price in plan_of[campaign.code][4]:
            quantity = max(1, round(quantity * rng.uniform(0.8, 1.2))) if quantity > 10 else quantity
            spent = campaign.starts_on - dt.timedelta(days=rng.randrange(0, 5))
            lines.append(
                CostLine(
                    site=site,
                    campaign=campaign,
                    channel=campaign.channel,
                    item=item,
                    quantity=quantity,
                    unit_price_fen=price,
                    amount_fen=quantity * price,
                    supplier=rng.choice(("宁波印务", "甬城广告", "本地供应商")),  # i18n: data
                    invoice_no=f"FP{campaign.pk:05d}{len(lines) % 100:02d}",
                    spent_on=spent,
                    month=month_key(spent),
                    created_by=actor,
                )
            )
            if campaign.channel_id:
                budgets[(campaign.channel_id, month_key(campaign.starts_on))] += campaign.budget_fen
    CostLine.objects.bulk_create(lines, batch_size=BATCH)
    counts["cost_lines"] = len(lines)
    Budget.objects.bulk_create(
        [
            Budget(site=site, channel_id=ch, month=m, amount_fen=amount // 10_000 * 10_000)
            for (ch, m), amount in budgets.items()
        ],
        batch_size=BATCH,
    )

    # Touches on first consultations of customers from a campaign's channel in that month.
    by_channel_month: dict[tuple[int, int], list[Campaign]] = defaultdict(list)
    for campaign in campaigns:
        if campaign.channel_id:
            by_channel_month[(campaign.channel_id, month_key(campaign.starts_on))].append(campaign)
    touches: list[Touch] = []
    firsts = Consultation.objects.filter(site=site, is_first=True, month__gte=first_month).values_list(
        "pk", "customer_id", "channel_id", "month", "occurred_at"
    )
    touched: dict[int, dt.date] = {}
    for pk, customer_id, channel_id, month, occurred_at in firsts.order_by("pk"):
        options = by_channel_month.get((channel_id, month))
        if not options or rng.random() > 0.7:
            continue
        campaign = rng.choice(options)
        day = timezone.localtime(occurred_at).date()
        touches.append(
            Touch(
                site=site,
                campaign=campaign,
                customer_id=customer_id,
                touched_on=day,
                method=plan_of[campaign.code][5],
                consultation_id=pk,
                created_by=actor,
            )
        )
        touched[customer_id] = day
    # A second campaign before some deals: first and last touch then differ.
    later = [c for c in campaigns if c.kind in EVENT_KINDS]
    for customer_id, signed_on in Deal.objects.filter(
        site=site, customer_id__in=list(touched), status="signed"
    ).values_list("customer_id", "signed_on"):
        candidates = [c for c in later if touched[customer_id] < c.starts_on <= signed_on]
        if candidates and rng.random() < 0.35:
            campaign = rng.choice(candidates)
            touches.append(
                Touch(
                    site=site,
                    campaign=campaign,
                    customer_id=customer_id,
                    touched_on=campaign.starts_on,
                    method=TouchMethod.ATTENDANCE,
                    created_by=actor,
                )
            )

    # 集中邀约: prospects known by the event day, with confirmation and attendance.
    pool = list(Customer.objects.filter(site=site, is_deleted=False).values_list("pk", "first_contact_on"))
    invitations = []
    for campaign in campaigns:
        if campaign.kind not in EVENT_KINDS:
            continue
        known = [pk for pk, first in pool if first is not None and first < campaign.starts_on]
        for customer_id in rng.sample(known, min(len(known), rng.randrange(15, 31))):
            status = rng.choices(
                (InvitationStatus.ATTENDED, InvitationStatus.NO_SHOW, InvitationStatus.DECLINED),
                weights=(45, 25, 30),
            )[0]
            moment = dt.datetime.combine(
                campaign.starts_on, dt.time(18), tzinfo=timezone.get_default_timezone()
            )
            invitations.append(
                Invitation(
                    campaign=campaign,
                    customer_id=customer_id,
                    invited_by=campaign.owner,
                    status=status,
                    invited_at=moment - dt.timedelta(days=7),
                    status_changed_at=moment,
                )
            )
            if status == InvitationStatus.ATTENDED:
                touches.append(
                    Touch(
                        site=site,
                        campaign=campaign,
                        customer_id=customer_id,
                        touched_on=campaign.starts_on,
                        method=TouchMethod.ATTENDANCE,
                        created_by=actor,
                    )
                )
    Invitation.objects.bulk_create(invitations, batch_size=BATCH)
    Touch.objects.bulk_create(touches, batch_size=BATCH)
    counts["invitations"], counts["touches"] = len(invitations), len(touches)

    # Partners of the offline channels: rules, group tours, statements.
    tours, rules = [], []
    partners = {}
    for campaign in campaigns:
        if campaign.channel is not None and campaign.channel.kind == "offline" and campaign.channel.partner:
            partners.setdefault(campaign.channel_id, _partner_for(site, campaign.channel))
    year_start = month_start(first_month)
    for partner in partners.values():
        if partner.kind == "insurer_team":
            rules += [
                CommissionRule(
                    partner=partner, kind="fixed_per_admission", fixed_fen=100_000, valid_from=year_start
                ),
                CommissionRule(partner=partner, kind="tour_fee", fixed_fen=20_000, valid_from=year_start),
            ]
        elif site.code == "meilai":
            rules.append(
                CommissionRule(
                    partner=partner,
                    kind="tiered",
                    valid_from=year_start,
                    tiers=[{"from": 1, "to": 3, "fen": 30_000}, {"from": 4, "to": None, "fen": 50_000}],
                )
            )
        else:
            rules.append(
                CommissionRule(partner=partner, kind="percent_first_year", rate_pct=3, valid_from=year_start)
            )
    CommissionRule.objects.bulk_create(rules)
    for campaign in campaigns:
        if campaign.kind == "partner_tour" and campaign.channel_id in partners:
            tours.append(
                GroupTour(
                    site=site,
                    partner=partners[campaign.channel_id],
                    team_name=campaign.channel.partner,
                    toured_on=campaign.starts_on,
                    headcount=rng.randrange(10, 31),
                    guide=campaign.owner,
                    campaign=campaign,
                )
            )
    GroupTour.objects.bulk_create(tours)
    counts["group_tours"] = len(tours)
    statements, statement_rows = [], []
    for partner in partners.values():
        for month in months[:-1]:
            lines_ = statement_lines(partner, month)
            statement = CommissionStatement(
                partner=partner, month=month, total_fen=sum(line.amount_fen for line in lines_),
                status=StatementStatus.CONFIRMED if month < months[-2] else StatementStatus.DRAFT,
                generated_at=timezone.now(), generated_by=actor,
            )  # fmt: skip
            statements.append(statement)
            statement_rows.append(lines_)
    CommissionStatement.objects.bulk_create(statements)
    all_lines = []
    for statement, lines_ in zip(statements, statement_rows, strict=True):
        for line in lines_:
            line.statement = statement
            all_lines.append(line)
    CommissionLine.objects.bulk_create(all_lines, batch_size=BATCH)
    counts["statements"] = len(statements)

    # WeChat articles: follower growth from the start count to the end count over the year.
    posts_n, start_followers, end_followers = ARTICLES[site.code]
    articles = {month_key(c.starts_on): c for c in campaigns if c.kind == "wechat_article"}
    growth = end_followers - start_followers
    shares = [rng.random() for _ in range(posts_n)]
    scale = sum(shares)
    posts, given = [], 0
    for i in range(posts_n):
        day = today - dt.timedelta(days=365 - (i * 365) // posts_n)
        followers = round(growth * shares[i] / scale) if i < posts_n - 1 else growth - given
        given += followers
        posts.append(
            ContentPost(
                site=site,
                title=f"{site.name} 第{i + 1}期推文",
                published_on=day,  # i18n: data
                reads=rng.randrange(150, 1500),
                shares=rng.randrange(3, 120),
                new_followers=followers,
                campaign=articles.get(month_key(day)),
            )
        )
    ContentPost.objects.bulk_create(posts)
    counts["posts"] = len(posts)

    # Channel grading: a scheme and the last six months.
    if actor is not None:
        thresholds = (
            {"A": {"min_consultations": 20, "min_conversion_pct": 15}, "B": {"min_consultations": 8}}
            if site.code == "sunshine"
            else {"A": {"min_consultations": 60, "min_conversion_pct": 30}, "B": {"min_consultations": 20}}
        )
        grade_scheme_create(
            actor=actor, site_id=site.pk, thresholds=thresholds, window_months=3,
            protection_days={"A": 120, "B": 90, "C": 60}, commission_factor_pct={"A": "110", "C": "90"},
        )  # fmt: skip
        for month in months[-7:-1]:
            counts["channel_grades"] += len(channels_grade(actor=actor, site_id=site.pk, month=month))
    return counts


# What the summary line calls each count (the demo's output and audit line are written in Chinese).
COUNT_LABELS = {
    "campaigns": "市场活动",  # i18n: data
    "cost_lines": "费用明细",  # i18n: data
    "invitations": "邀约",  # i18n: data
    "touches": "触达",  # i18n: data
    "group_tours": "团队参观",  # i18n: data
    "statements": "佣金结算单",  # i18n: data
    "posts": "微信图文",  # i18n: data
    "channel_grades": "渠道评级",  # i18n: data
}


def _summary(counts: dict[str, int]) -> str:
    return "，".join(f"{COUNT_LABELS.get(k, k)} {v}" for k, v in counts.items())  # i18n: data


def generate(*, seed: int, stdout, today: dt.date | None = None) -> None:
    today = today or timezone.localdate()
    for code, login in SITES.items():
        site = Site.objects.filter(code=code).first()
        if site is None or not Customer.objects.filter(site=site).exists():
            stdout.write(f"院区 {code} 没有客户数据，跳过市场营销演示数据 (skipped)")
            continue
        if Campaign.objects.filter(site=site).exists():
            stdout.write(f"{site.name} 已有市场活动，跳过 (marketing data already loaded)")
            continue
        actor = User.objects.filter(username=login).first()
        with transaction.atomic():
            counts = _build(site, random.Random(f"opscenter-marketing-{seed}-{code}"), today, actor)
            audit.record_event(site, "演示数据：市场营销 " + _summary(counts))
        stdout.write(f"{site.name}：" + _summary(counts))
