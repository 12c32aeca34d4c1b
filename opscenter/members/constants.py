"""The rule sets shipped as editable examples (seed 004, 会员分级 and 消费折扣等级)."""

from __future__ import annotations

from typing import Any

ALL_TIME = {"kind": "all"}

# Seed 004 (客户管理部—会员管理): criteria A/B/C, tiers AAA…B, C for an open dispute, and the two
# settlement rules (修复后满意度一般以上 → B; 退费或赔偿 → 特殊存档 J, no member service).
SEED_004_NAME = "会员分级（seed 004）"
SEED_004: dict[str, Any] = {
    "tiers": [
        {
            "code": "AAA",
            "label": "AAA级",
            "benefits": {
                "followup_days": 30,
                "birthday": ["birthday_call", "birthday_coupon", "birthday_discount"],
                "quarterly_gift": True,
                "salon": True,
                "note": "生日赠送260元元祖消费券；生日当月医院消费8.8折（折上折）；每季度会员沙龙",
            },
        },
        {
            "code": "AA",
            "label": "AA级",
            "benefits": {
                "followup_days": 60,
                "birthday": ["birthday_call", "birthday_discount"],
                "quarterly_gift": True,
                "salon": False,
                "note": "生日当月医院消费8.8折（折上折）",
            },
        },
        {
            "code": "A",
            "label": "A级",
            "benefits": {
                "followup_days": 90,
                "birthday": ["birthday_sms", "birthday_discount"],
                "quarterly_gift": True,
                "salon": False,
                "note": "生日当月医院消费8.8折（折上折）",
            },
        },
        {
            "code": "B",
            "label": "B级",
            "benefits": {
                "followup_days": 180,
                "birthday": ["birthday_sms"],
                "quarterly_gift": False,
                "salon": False,
                "note": "任选一项：580元皮肤护理 / 洁牙券 / 赠送积分",
            },
        },
        {"code": "C", "label": "C级（纠纷）", "benefits": {"note": "纠纷处理中，由客户管理部跟进"}},
        {"code": "J", "label": "特殊存档（退费/赔偿）", "benefits": {"note": "不作为会员服务对象"}},
    ],
    "criteria": [
        {
            "code": "A",
            "label": "重点项目",
            "combine": "any",
            "conditions": [
                {"metric": "purchase_days", "op": ">=", "threshold": 2, "window": ALL_TIME},
                {
                    "metric": "category_sessions",
                    "categories": ["skin"],
                    "op": ">=",
                    "threshold": 6,
                    "window": ALL_TIME,
                },
                {
                    "metric": "category_sessions",
                    "categories": ["non_invasive", "skin_package"],
                    "op": ">=",
                    "threshold": 1,
                    "window": ALL_TIME,
                },
            ],
        },
        {
            "code": "B",
            "label": "消费金额",
            "combine": "all",
            "conditions": [{"metric": "spend", "op": ">=", "threshold": 2_800_000, "window": ALL_TIME}],
        },
        {
            "code": "C",
            "label": "满意度",
            "combine": "all",
            "conditions": [{"metric": "satisfaction_latest", "op": ">=", "threshold": 3, "window": ALL_TIME}],
        },
        {
            "code": "D",
            "label": "未解决纠纷",
            "combine": "all",
            "conditions": [{"metric": "open_dispute", "op": ">=", "threshold": 1}],
        },
        {
            "code": "R",
            "label": "退费或赔偿",
            "combine": "all",
            "conditions": [
                {
                    "metric": "settled_dispute",
                    "outcomes": ["compensated", "refunded"],
                    "op": ">=",
                    "threshold": 1,
                    "window": ALL_TIME,
                }
            ],
        },
        {
            "code": "S",
            "label": "纠纷修复（近12个月）",
            "combine": "all",
            "conditions": [
                {
                    "metric": "settled_dispute",
                    "outcomes": ["repaired"],
                    "op": ">=",
                    "threshold": 1,
                    "window": {"kind": "months", "months": 12},
                }
            ],
        },
    ],
    "levels": [
        {"tier": "C", "match": "all", "criteria": ["D"], "priority": 1},
        {"tier": "J", "match": "all", "criteria": ["R"], "priority": 2},
        {"tier": "B", "match": "all", "criteria": ["S", "C"], "priority": 3},
        {"tier": "C", "match": "all", "criteria": ["S"], "priority": 4},
        {"tier": "AAA", "match": "all", "criteria": ["A", "B", "C"], "priority": 10},
        {"tier": "AA", "match": "at_least", "k": 2, "criteria": ["A", "B", "C"], "priority": 20},
        {"tier": "A", "match": "at_least", "k": 1, "criteria": ["A", "B", "C"], "priority": 30},
        {"tier": "B", "match": "none", "criteria": ["A", "B", "C"], "priority": 40},
    ],
}


def _spend(code: str, yuan: int) -> dict[str, Any]:
    return {
        "code": code,
        "label": f"累计消费 ≥ ¥{yuan:,}",
        "combine": "all",
        "conditions": [{"metric": "spend", "op": ">=", "threshold": yuan * 100, "window": ALL_TIME}],
    }


def _ladder_tier(code: str, label: str, discount: str, followup_days: int, **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "label": label,
        "benefits": {"followup_days": followup_days, "note": f"消费折扣 {discount}", **extra},
    }


# Seed 004 (从会员消费的角度，与会员消费折扣挂钩): 时尚级、水晶级、翡翠级、铂金级、黄钻级. The seed
# leaves the thresholds and discounts blank; these are example values to edit.
LADDER_NAME = "消费折扣等级"
LADDER: dict[str, Any] = {
    "tiers": [
        _ladder_tier(
            "diamond",
            "黄钻级",
            "8.5折",
            30,
            birthday=["birthday_call", "birthday_coupon"],
            quarterly_gift=True,
            salon=True,
        ),
        _ladder_tier("platinum", "铂金级", "8.8折", 60, birthday=["birthday_call"], quarterly_gift=True),
        _ladder_tier("jade", "翡翠级", "9折", 90, birthday=["birthday_sms"]),
        _ladder_tier("crystal", "水晶级", "9.5折", 120, birthday=["birthday_sms"]),
        _ladder_tier("fashion", "时尚级", "9.8折", 180),
    ],
    "criteria": [
        _spend("S1", 5_000),
        _spend("S2", 20_000),
        _spend("S3", 50_000),
        _spend("S4", 100_000),
    ],
    "levels": [
        {"tier": "diamond", "match": "all", "criteria": ["S4"], "priority": 1},
        {"tier": "platinum", "match": "all", "criteria": ["S3"], "priority": 2},
        {"tier": "jade", "match": "all", "criteria": ["S2"], "priority": 3},
        {"tier": "crystal", "match": "all", "criteria": ["S1"], "priority": 4},
        {"tier": "fashion", "match": "none", "criteria": ["S1"], "priority": 5},
    ],
}

EXAMPLES: dict[str, dict[str, Any]] = {SEED_004_NAME: SEED_004, LADDER_NAME: LADDER}
