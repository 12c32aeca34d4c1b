"""Limits of the import engine and the alias tables that turn what people type into choice codes.

Alias keys are compared after `values.normalize_key` (NFKC, lower case, spaces removed), so
`"长期"`, `" 长期 "` and full-width variants are the same key.
"""

# i18n: data module — alias tables matched against what people type.

from __future__ import annotations

from opscenter.pipeline.choices import (
    CareZone,
    ChannelKind,
    ConsultationMode,
    FollowUpChannel,
    FollowUpOutcome,
    Gender,
    IntentLevel,
    ItemCategory,
    Satisfaction,
    StayType,
    TransactionKind,
    VisitKind,
    VisitOutcome,
    VisitSource,
)

# --- limits (overridable in settings: OPSCENTER_IMPORT_MAX_FILE_BYTES etc., see reading.Limits) ---
MAX_FILE_BYTES = 200 * 1024 * 1024
MAX_CELL_CHARS = 10_000
# Zip-bomb guard for .xlsx: total uncompressed size of all members and the worst member's ratio.
MAX_UNZIPPED_BYTES = 2 * 1024 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
MAX_ZIP_MEMBERS = 10_000
# How many leading rows are searched for the header row.
HEADER_SEARCH_ROWS = 30
BATCH_SIZE = 5_000

# Rows whose first non-empty cell is one of these are total rows, not data.
TOTAL_WORDS = ("合计", "总计", "小计", "共计", "累计", "total", "subtotal", "sum")

# Cell texts that mean "no value" in hand-kept sheets.
BLANK_WORDS = frozenset(
    {"无", "暂无", "没有", "未知", "不详", "-", "--", "—", "/", "n/a", "na", "null", "none"}
)

STAY_TYPE_ALIASES: dict[str, str] = {
    "试住": StayType.TRIAL,
    "试入住": StayType.TRIAL,
    "体验": StayType.TRIAL,
    "trial": StayType.TRIAL,
    "短住": StayType.SHORT,
    "短期": StayType.SHORT,
    "短期入住": StayType.SHORT,
    "short": StayType.SHORT,
    "长住": StayType.LONG,
    "长期": StayType.LONG,
    "长期入住": StayType.LONG,
    "long": StayType.LONG,
}

CARE_ZONE_ALIASES: dict[str, str] = {
    "协助照料": CareZone.ASSISTED,
    "协助照料区": CareZone.ASSISTED,
    "自理": CareZone.ASSISTED,
    "assisted": CareZone.ASSISTED,
    "康复护理": CareZone.REHAB,
    "康复护理区": CareZone.REHAB,
    "护理区": CareZone.REHAB,
    "rehab": CareZone.REHAB,
    "失智": CareZone.DEMENTIA,
    "失智区": CareZone.DEMENTIA,
    "认知症": CareZone.DEMENTIA,
    "dementia": CareZone.DEMENTIA,
}

CONSULTATION_MODE_ALIASES: dict[str, str] = {
    "电话": ConsultationMode.PHONE,
    "电话咨询": ConsultationMode.PHONE,
    "400电话": ConsultationMode.PHONE,
    "400": ConsultationMode.PHONE,
    "来电": ConsultationMode.PHONE,
    "phone": ConsultationMode.PHONE,
    "网络": ConsultationMode.ONLINE,
    "网咨": ConsultationMode.ONLINE,
    "网络咨询": ConsultationMode.ONLINE,
    "在线": ConsultationMode.ONLINE,
    "线上": ConsultationMode.ONLINE,
    "微信": ConsultationMode.ONLINE,
    "online": ConsultationMode.ONLINE,
    "现场": ConsultationMode.ONSITE,
    "现场咨询": ConsultationMode.ONSITE,
    "到院": ConsultationMode.ONSITE,
    "onsite": ConsultationMode.ONSITE,
}

INTENT_ALIASES: dict[str, str] = {
    "高": IntentLevel.HIGH,
    "a": IntentLevel.HIGH,
    "强": IntentLevel.HIGH,
    "high": IntentLevel.HIGH,
    "中": IntentLevel.MEDIUM,
    "b": IntentLevel.MEDIUM,
    "一般": IntentLevel.MEDIUM,
    "medium": IntentLevel.MEDIUM,
    "低": IntentLevel.LOW,
    "c": IntentLevel.LOW,
    "弱": IntentLevel.LOW,
    "low": IntentLevel.LOW,
    "无": IntentLevel.NONE,
    "无意向": IntentLevel.NONE,
    "d": IntentLevel.NONE,
    "none": IntentLevel.NONE,
}

GENDER_ALIASES: dict[str, str] = {
    "男": Gender.MALE,
    "男性": Gender.MALE,
    "m": Gender.MALE,
    "male": Gender.MALE,
    "先生": Gender.MALE,
    "女": Gender.FEMALE,
    "女性": Gender.FEMALE,
    "f": Gender.FEMALE,
    "female": Gender.FEMALE,
    "女士": Gender.FEMALE,
    "未知": Gender.UNKNOWN,
    "unknown": Gender.UNKNOWN,
}

# Channel words → channel kind: used to find the default channel of that kind and to give a
# created channel ("create missing channels") a sensible kind.
CHANNEL_KIND_ALIASES: dict[str, str] = {
    "转介绍": ChannelKind.REFERRAL,
    "口碑": ChannelKind.REFERRAL,
    "老带新": ChannelKind.REFERRAL,
    "转介绍/口碑": ChannelKind.REFERRAL,
    "介绍": ChannelKind.REFERRAL,
    "线下": ChannelKind.OFFLINE,
    "线下渠道": ChannelKind.OFFLINE,
    "网络": ChannelKind.ONLINE,
    "网咨": ChannelKind.ONLINE,
    "线上": ChannelKind.ONLINE,
    "微信": ChannelKind.ONLINE,
    "online": ChannelKind.ONLINE,
    "电话": ChannelKind.PHONE,
    "电话咨询": ChannelKind.PHONE,
    "400电话": ChannelKind.PHONE,
    "phone": ChannelKind.PHONE,
    "自然上门": ChannelKind.WALK_IN,
    "现场": ChannelKind.WALK_IN,
    "上门": ChannelKind.WALK_IN,
    "walk_in": ChannelKind.WALK_IN,
    "其他": ChannelKind.OTHER,
}

ITEM_CATEGORY_ALIASES: dict[str, str] = {
    **{str(label): str(value) for value, label in ItemCategory.choices},
    **{str(value): str(value) for value in ItemCategory.values},
    "皮肤": ItemCategory.SKIN,
    "美肤": ItemCategory.SKIN,
    "套餐": ItemCategory.SKIN_PACKAGE,
    "无创": ItemCategory.NON_INVASIVE,
    "微整": ItemCategory.NON_INVASIVE,
    "微整形": ItemCategory.NON_INVASIVE,
    "整形": ItemCategory.PLASTIC,
    "手术": ItemCategory.PLASTIC,
    "口腔": ItemCategory.DENTAL,
    "牙科": ItemCategory.DENTAL,
    "入住": ItemCategory.ACCOMMODATION,
    "床位": ItemCategory.ACCOMMODATION,
    "床位费": ItemCategory.ACCOMMODATION,
    "护理": ItemCategory.CARE,
    "护理费": ItemCategory.CARE,
}

TRANSACTION_KIND_ALIASES: dict[str, str] = {
    "消费": TransactionKind.PURCHASE,
    "购买": TransactionKind.PURCHASE,
    "收费": TransactionKind.PURCHASE,
    "purchase": TransactionKind.PURCHASE,
    "退款": TransactionKind.REFUND,
    "退费": TransactionKind.REFUND,
    "refund": TransactionKind.REFUND,
}

VISIT_SOURCE_ALIASES: dict[str, str] = {
    "电话": VisitSource.PHONE,
    "电话上门": VisitSource.PHONE,
    "电话预约": VisitSource.PHONE,
    "phone": VisitSource.PHONE,
    "网络": VisitSource.ONLINE,
    "网络上门": VisitSource.ONLINE,
    "网络预约": VisitSource.ONLINE,
    "网咨": VisitSource.ONLINE,
    "微信": VisitSource.ONLINE,
    "online": VisitSource.ONLINE,
    "自然上门": VisitSource.WALK_IN,
    "自然": VisitSource.WALK_IN,
    "直接上门": VisitSource.WALK_IN,
    "walk_in": VisitSource.WALK_IN,
}

VISIT_KIND_ALIASES: dict[str, str] = {
    "参观": VisitKind.TOUR,
    "tour": VisitKind.TOUR,
    "现场咨询": VisitKind.CONSULTATION,
    "咨询": VisitKind.CONSULTATION,
    "consultation": VisitKind.CONSULTATION,
}

FOLLOWUP_CHANNEL_ALIASES: dict[str, str] = {
    "电话": FollowUpChannel.PHONE,
    "phone": FollowUpChannel.PHONE,
    "微信": FollowUpChannel.WECHAT,
    "wechat": FollowUpChannel.WECHAT,
    "短信": FollowUpChannel.SMS,
    "sms": FollowUpChannel.SMS,
    "上门": FollowUpChannel.VISIT,
    "面谈": FollowUpChannel.VISIT,
    "上门/面谈": FollowUpChannel.VISIT,
    "visit": FollowUpChannel.VISIT,
}

FOLLOWUP_OUTCOME_ALIASES: dict[str, str] = {
    "待回访": FollowUpOutcome.PENDING,
    "未回访": FollowUpOutcome.PENDING,
    "已回访": FollowUpOutcome.REACHED,
    "已联系": FollowUpOutcome.REACHED,
    "完成": FollowUpOutcome.REACHED,
    "未接通": FollowUpOutcome.UNREACHABLE,
    "无人接听": FollowUpOutcome.UNREACHABLE,
    "投诉": FollowUpOutcome.COMPLAINT,
    "再次预约": FollowUpOutcome.REBOOKED,
    "已预约": FollowUpOutcome.REBOOKED,
}

SATISFACTION_ALIASES: dict[str, int] = {
    **{str(label): int(value) for value, label in Satisfaction.choices},
    **{str(value): int(value) for value in Satisfaction.values},
    "很满意": Satisfaction.VERY_SATISFIED,
    "较满意": Satisfaction.SATISFIED,
    "基本满意": Satisfaction.AVERAGE,
    "很不满意": Satisfaction.VERY_DISSATISFIED,
}

BOOL_ALIASES: dict[str, bool] = {
    "是": True,
    "有": True,
    "已到": True,
    "到院": True,
    "y": True,
    "yes": True,
    "true": True,
    "1": True,
    "√": True,
    "否": False,
    "未到": False,
    "没有": False,
    "n": False,
    "no": False,
    "false": False,
    "0": False,
    "×": False,
}

# Headers naming the customer an event row belongs to (events, deals, transactions, follow-ups).
CUSTOMER_PHONE_ALIASES = ("手机", "手机号", "客户电话", "联系电话", "phone", "mobile")
CUSTOMER_NAME_ALIASES = ("姓名", "客户", "客户姓名", "客户称呼", "customer", "name")

VISIT_OUTCOME_ALIASES: dict[str, str] = {
    "待跟进": VisitOutcome.PENDING,
    "跟进中": VisitOutcome.PENDING,
    "考虑中": VisitOutcome.CONSIDERING,
    "考虑": VisitOutcome.CONSIDERING,
    "成交": VisitOutcome.DEAL,
    "已成交": VisitOutcome.DEAL,
    "签约": VisitOutcome.DEAL,
    "未成交": VisitOutcome.LOST,
    "流失": VisitOutcome.LOST,
}
