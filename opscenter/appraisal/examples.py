"""Shipped example schemes (data, edited in the UI afterwards):

- seed 001's 95518 call-center appraisal: 服务质量 40 / 主要业务 40 / 重点工作 20, the six observed
  items, the veto, downgrade-by-2, downgrade-by-1 and deduction lists, seed 001's grade bands;
- seed 004's customer-department scheme: 预约率, 上门率, 成交率, 单体销售额 from the registry;
- seed 003's target-hospital grading (目标医院等级评价指标体系) as a partner scorecard (A/B/C);
- seed 003's incentive plans: monthly pay formula, year-end contract bonus, cost saving, profit share,
  profit brackets (both modes available; the seed's gaps shipped as explicit 不提成 rows);
  seed 002's points × unit price; seed 001's 全员营销 reward/penalty.
"""

# i18n: data module — shipped example schemes stored in the database as data, edited there by users.

from __future__ import annotations

from decimal import Decimal

from opscenter.appraisal import pay, services
from opscenter.appraisal.choices import CurveKind, ItemKind, ItemMethod, PlanKind, RuleKind, ScorecardStatus
from opscenter.appraisal.models import IncentivePlan, Scorecard
from opscenter.metrics import all_metrics

WAN = 1_000_000

SCHEME_95518 = "95518 客服中心考评"
SCHEME_CUSTOMER = "咨询师月度考核"
SCHEME_PARTNER = "目标医院等级评价"


def _existing(site, name):
    return Scorecard.objects.filter(site=site, name=name).order_by("-version").first()


def scheme_95518(site, *, department, appraiser) -> Scorecard:
    """Seed 001 第四–第六条, for the call-center department (subject: the department)."""
    card = _existing(site, SCHEME_95518)
    if card is not None:
        return card
    card = services.scorecard_create(
        actor=None,
        site_id=site.pk,
        name=SCHEME_95518,
        subject_kind="department",
        department_id=department.pk,
        description="考核项目 40/40/20，考察项目不赋分；否决、降级与扣分在加权后执行（seed 001）。",
    )
    item = services.scorecard_item_save
    item(
        actor=None,
        scorecard=card,
        order=1,
        name="服务质量",
        weight="40",
        method=ItemMethod.METRIC,
        metric_code="commitments.on_time_rate",
        curve=CurveKind.LINEAR,
        zero_at="60",
        full_at="95",
        description="服务水平、有效话务工作率、第三方拨测、客户满意度达标和电话质检（以承诺按时率计）",
    )
    item(
        actor=None,
        scorecard=card,
        order=2,
        name="主要业务",
        weight="40",
        method=ItemMethod.MANUAL,
        appraiser=appraiser,
        description="报案、调度、咨询、投诉、回访、客户信息查询六项业务流程标准化程度",
    )
    item(
        actor=None,
        scorecard=card,
        order=3,
        name="重点工作",
        weight="20",
        method=ItemMethod.CHECKLIST,
        checklist=[
            {"label": label, "points": "25"}
            for label in ("上报相关报告", "组织竞赛活动", "队伍培训", "员工稳定")
        ],
    )
    for n, name in enumerate(
        ("制度执行", "组织建设", "质量控制和文化建设", "信息技术", "职场建设"), start=10
    ):
        item(
            actor=None,
            scorecard=card,
            order=n,
            name=name,
            kind=ItemKind.OBSERVED,
            method=ItemMethod.MANUAL,
            appraiser=appraiser,
        )
    item(
        actor=None,
        scorecard=card,
        order=20,
        name="辅助指标管理（投诉数）",
        kind=ItemKind.OBSERVED,
        method=ItemMethod.METRIC,
        metric_code="commitments.complaints",
        curve=CurveKind.TARGET,
        target="1",
    )
    rule = services.scorecard_rule_save
    for n, name in enumerate(
        (
            "通过人为干预，制造虚假报案",
            "人为不报案、违规批量注销调节未决赔款准备金",
            "其他违法违规情况，给公司造成不利影响",
        ),
        1,
    ):
        rule(actor=None, scorecard=card, order=n, kind=RuleKind.VETO, name=name)
    for n, name in enumerate(
        (
            "未将接报案业务全面上收至95518客服中心",
            "重大安全生产事故：瘫痪超过24小时或应急状态超过72小时",
            "服务态度恶劣引发媒体负面报道或监管部门处罚",
        ),
        10,
    ):
        rule(actor=None, scorecard=card, order=n, kind=RuleKind.DOWNGRADE, name=name, grades=2)
    for n, name in enumerate(
        ("引发媒体负面报道或监管部门批评", "影响正常理赔工作，导致客户向总公司投诉"), 20
    ):
        rule(actor=None, scorecard=card, order=n, kind=RuleKind.DOWNGRADE, name=name, grades=1)
    rule(
        actor=None,
        scorecard=card,
        order=30,
        kind=RuleKind.DEDUCTION,
        name="未能及时解决问题导致客户向总公司投诉",
        points_min="1",
        points_max="3",
        links_complaint=True,
    )
    rule(
        actor=None,
        scorecard=card,
        order=31,
        kind=RuleKind.DEDUCTION,
        name="未按规定受理转办导致投诉升级",
        points_min="1",
        points_max="2",
        links_complaint=True,
    )
    return services.scorecard_publish(actor=None, scorecard=card)


def scheme_customer_department(site, *, department) -> Scorecard | None:
    """Seed 004 客户管理部: 预约率, 上门率, 成交率, 单体销售额 per consultant, from the funnel metrics."""
    needed = {
        "targets.appointments",
        "targets.consultations",
        "targets.visits",
        "targets.deals",
        "targets.revenue_fen",
    }
    if not needed <= set(all_metrics()):
        return None
    card = _existing(site, SCHEME_CUSTOMER)
    if card is not None:
        return card
    card = services.scorecard_create(
        actor=None,
        site_id=site.pk,
        name=SCHEME_CUSTOMER,
        subject_kind="staff",
        department_id=department.pk,
        description="预约率、上门率、成交率、单体销售额各 25%（seed 004 客户管理部指标）。",
    )
    item = services.scorecard_item_save
    item(
        actor=None,
        scorecard=card,
        order=1,
        name="预约率",
        weight="25",
        method=ItemMethod.METRIC,
        metric_code="targets.appointments",
        denominator_code="targets.consultations",
        curve=CurveKind.LINEAR,
        zero_at="20",
        full_at="60",
    )
    item(
        actor=None,
        scorecard=card,
        order=2,
        name="上门率",
        weight="25",
        method=ItemMethod.METRIC,
        metric_code="targets.visits",
        denominator_code="targets.consultations",
        curve=CurveKind.LINEAR,
        zero_at="10",
        full_at="40",
    )
    item(
        actor=None,
        scorecard=card,
        order=3,
        name="成交率",
        weight="25",
        method=ItemMethod.METRIC,
        metric_code="targets.deals",
        denominator_code="targets.visits",
        curve=CurveKind.STEP,
        steps=[["10", "40"], ["20", "60"], ["30", "80"], ["40", "100"]],
    )
    item(
        actor=None,
        scorecard=card,
        order=4,
        name="单体销售额",
        weight="25",
        method=ItemMethod.METRIC,
        metric_code="targets.revenue_fen",
        denominator_code="targets.deals",
        curve=CurveKind.TARGET,
        target="2000000",
        rate_in_percent=False,
        description="每单平均金额（分），目标 2 万元",
    )
    return services.scorecard_publish(actor=None, scorecard=card)


def scheme_partner(site) -> Scorecard:
    """Seed 003 目标医院等级评价指标体系: quantifiable hard indicators, graded A/B/C."""
    card = _existing(site, SCHEME_PARTNER)
    if card is not None:
        return card
    card = services.scorecard_create(
        actor=None,
        site_id=site.pk,
        name=SCHEME_PARTNER,
        subject_kind="partner",
        description="重视医院的硬性指标，按可量化指标评价目标医院品质（seed 003）。",
    )
    services.scorecard_item_save(
        actor=None,
        scorecard=card,
        order=1,
        name="医院硬性指标",
        weight="100",
        method=ItemMethod.CHECKLIST,
        checklist=[
            {"label": "二级甲等及以上", "points": "30"},
            {"label": "床位 200 张以上", "points": "20"},
            {"label": "年门诊量 10 万人次以上", "points": "20"},
            {"label": "有重点专科", "points": "15"},
            {"label": "地处目标城市核心区", "points": "15"},
        ],
    )
    services.scorecard_bands_set(
        actor=None,
        scorecard=card,
        bands=[("A", Decimal(85), Decimal(1)), ("B", Decimal(70), Decimal(1)), ("C", Decimal(0), Decimal(1))],
    )
    return services.scorecard_publish(actor=None, scorecard=card)


SEED_BRACKETS = [
    pay.Bracket(0, 50 * WAN, Decimal(0), no_commission=True),
    pay.Bracket(50 * WAN, 100 * WAN, Decimal(10)),
    pay.Bracket(100 * WAN, 101 * WAN, Decimal(0), no_commission=True),
    pay.Bracket(101 * WAN, 200 * WAN, Decimal(15)),
    pay.Bracket(200 * WAN, 300 * WAN, Decimal(20)),
    pay.Bracket(300 * WAN, 400 * WAN, Decimal(25)),
    pay.Bracket(400 * WAN, 500 * WAN, Decimal(30)),
    pay.Bracket(500 * WAN, None, Decimal(35)),
]


def incentive_plans(site, *, gm=None, marketing=None, scorecard_name: str = "") -> list[IncentivePlan]:
    """Seeds 001/002/003's plans for a site (skipped when the site already has plans)."""
    if IncentivePlan.objects.filter(site=site).exists():
        return list(IncentivePlan.objects.filter(site=site))
    create = services.plan_create
    plans = [
        create(
            actor=None,
            site_id=site.pk,
            name="月度绩效工资",
            kind=PlanKind.MONTHLY_PAY,
            scorecard_name=scorecard_name,
        ),
        create(
            actor=None,
            site_id=site.pk,
            name="网格积分",
            kind=PlanKind.POINTS,
            params={
                "unit_price_fen": 500,
                "points": [
                    {"metric": "targets.deals", "points": "10"},
                    {"metric": "targets.visits", "points": "2"},
                    {"metric": "targets.followups_done", "points": "1"},
                ],
            },
        ),
        create(actor=None, site_id=site.pk, name="全员营销奖罚", kind=PlanKind.REFERRAL),
        create(
            actor=None,
            site_id=site.pk,
            name="年终签约奖金",
            kind=PlanKind.CONTRACT_BONUS,
            params={
                "gm_staff_id": getattr(gm, "pk", None),
                "marketing_department_id": getattr(marketing, "pk", None),
            },
        ),
        create(actor=None, site_id=site.pk, name="成本节约奖励", kind=PlanKind.COST_SAVING),
        create(actor=None, site_id=site.pk, name="利润分成", kind=PlanKind.PROFIT_SHARE),
    ]
    brackets = create(actor=None, site_id=site.pk, name="利润分档提成", kind=PlanKind.PROFIT_BRACKETS)
    services.plan_brackets_set(actor=None, plan=brackets, brackets=SEED_BRACKETS, mode=pay.WHOLE)
    return [*plans, brackets]


def published(card: Scorecard | None) -> bool:
    return card is not None and card.status == ScorecardStatus.PUBLISHED
