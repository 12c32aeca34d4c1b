"""The rule sets shipped as editable examples (seed 004, 会员分级 and 消费折扣等级)."""

# i18n: data module — rule sets copied into the database as editable rows, in the source language.

from __future__ import annotations

from typing import Any

ALL_TIME = {"kind": "all"}

# Seed 004 (客户管理部—会员管理): criteria A/B/C, tiers AAA…B, C for an open dispute, and the two
# settlement rules (修复后满意度一般以上 → B; 退费或赔偿 → 特殊存档 J, no member service).
SEED_004_NAME = "医美会员分级（消费天数·消费金额·满意度）"
# Before issue 12 the shipped set was named after its source document; migration 0006 renames it.
SEED_004_OLD_NAME = "会员分级（seed 004）"
# 会员礼品: 按照季度送礼品（医院备有两种品牌礼品，两种不定期礼品）.
SEED_004_GIFT = "医院备有两种品牌礼品、两种不定期礼品"
# What the structured fields do not say. B's 任选一项 stands in the seed's gift column with no
# period given, so it stays a note rather than becoming a quarterly gift.
SEED_004_NOTES = {
    "AAA": "生日当月折扣为折上折；每季度邀请参加一次会员沙龙",
    "AA": "生日当月折扣为折上折",
    "A": "生日当月折扣为折上折",
    "B": "任选一项：580元皮肤护理 / 洁牙券 / 赠送积分",
    "C": "纠纷处理中，由客户管理部跟进",
    "J": "不作为会员服务对象",
}
SEED_004: dict[str, Any] = {
    "tiers": [
        {
            "code": "AAA",
            "label": "AAA级",
            "benefits": {
                "followup_days": 30,
                "birthday": ["birthday_call", "birthday_coupon", "birthday_discount"],
                "coupon_fen": 26_000,
                "coupon_name": "元祖消费券",
                "discount": "8.8",
                "quarterly_gift": True,
                "gift": SEED_004_GIFT,
                "salon": True,
                "note": SEED_004_NOTES["AAA"],
            },
        },
        {
            "code": "AA",
            "label": "AA级",
            "benefits": {
                "followup_days": 60,
                "birthday": ["birthday_call", "birthday_discount"],
                "discount": "8.8",
                "quarterly_gift": True,
                "gift": SEED_004_GIFT,
                "salon": False,
                "note": SEED_004_NOTES["AA"],
            },
        },
        {
            "code": "A",
            "label": "A级",
            "benefits": {
                "followup_days": 90,
                "birthday": ["birthday_sms", "birthday_discount"],
                "discount": "8.8",
                "quarterly_gift": True,
                "gift": SEED_004_GIFT,
                "salon": False,
                "note": SEED_004_NOTES["A"],
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
                "note": SEED_004_NOTES["B"],
            },
        },
        {"code": "C", "label": "C级（纠纷）", "benefits": {"note": SEED_004_NOTES["C"]}},
        {"code": "J", "label": "特殊存档（退费/赔偿）", "benefits": {"note": SEED_004_NOTES["J"]}},
    ],
    "criteria": [
        {
            "code": "A",
            "label": "重点项目",
            "combine": "any",
            "conditions": [
                {"metric": "purchase_days", "op": ">=", "threshold": 2, "window": ALL_TIME},
                {  # 皮肤疗程 6 次以上: sessions consumed (clinic 疗程消耗), not sessions bought
                    "metric": "course_sessions",
                    "categories": ["skin", "skin_package"],
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


def _ladder_tier(
    code: str, label: str, member_discount: str, followup_days: int, **extra: Any
) -> dict[str, Any]:
    return {
        "code": code,
        "label": label,
        "benefits": {
            "followup_days": followup_days,
            "member_discount": member_discount,
            "note": LADDER_NOTE,
            **extra,
        },
    }


# Seed 004 (从会员消费的角度，与会员消费折扣挂钩): 时尚级、水晶级、翡翠级、铂金级、黄钻级. The seed
# leaves the thresholds and the 折扣率 row blank; these are example values to edit (the top tier's
# birthday coupon has no amount until one is set).
LADDER_NAME = "消费折扣等级"
LADDER_NOTE = "示例折扣，请按实际修改"
LADDER: dict[str, Any] = {
    "tiers": [
        _ladder_tier(
            "diamond",
            "黄钻级",
            "8.5",
            30,
            birthday=["birthday_call", "birthday_coupon"],
            quarterly_gift=True,
            salon=True,
        ),
        _ladder_tier(
            "platinum",
            "铂金级",
            "8.8",
            60,
            birthday=["birthday_call"],
            quarterly_gift=True,
        ),
        _ladder_tier("jade", "翡翠级", "9", 90, birthday=["birthday_sms"]),
        _ladder_tier("crystal", "水晶级", "9.5", 120, birthday=["birthday_sms"]),
        _ladder_tier("fashion", "时尚级", "9.8", 180),
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

# Nightly job (`members.nightly`): a run still "running" this long after it was claimed crashed
# (a killed worker, a lost connection) and is marked failed so that it can be claimed again.
# Override with the OPSCENTER_TIERS_NIGHTLY_STALE_MINUTES setting; keep it above the longest run.
NIGHTLY_STALE_MINUTES = 120

# Undoing a disputes import re-evaluates the members it touched one by one (`member_refresh`) up
# to this many; beyond it one set-based evaluation of the site is cheaper.
MEMBER_REFRESH_LIMIT = 100
