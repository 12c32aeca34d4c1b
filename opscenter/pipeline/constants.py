"""Default editable lists shipped with the pipeline (seed 000's tables 1–3) and fixed limits."""

# i18n: data module — default rows copied into the database, edited there by users.

from opscenter.pipeline.choices import ChannelKind

# Shared channels every site starts with (site-specific partner channels are added by users).
DEFAULT_CHANNELS: tuple[tuple[str, str], ...] = (
    ("转介绍/口碑", ChannelKind.REFERRAL),
    ("线下渠道", ChannelKind.OFFLINE),
    ("线上", ChannelKind.ONLINE),
    ("电话", ChannelKind.PHONE),
    ("自然上门", ChannelKind.WALK_IN),
    ("其他", ChannelKind.OTHER),
)

# Seed 000 表3 客户退出原因: (code, name, sort order).
DEFAULT_EXIT_REASONS: tuple[tuple[str, str, int], ...] = (
    ("death", "去世", 10),
    ("hospital", "转入医院", 20),
    ("other_institution", "转入其他机构", 30),
    ("price", "价格原因", 40),
    ("service", "服务不满意", 50),
    ("family", "家属决定", 60),
    ("other", "其他", 90),
)

# Seed 000 表2 客户职业: suggestions for the profession field (free text is allowed).
PROFESSION_SUGGESTIONS: tuple[str, ...] = (
    "干部/公务员",
    "教师",
    "医务人员",
    "企业职工",
    "企业管理者",
    "军人",
    "科研/工程技术",
    "个体经营",
    "农民",
    "其他",
)

# Rates are shown to four decimals (0.3142 → 31.42%).
RATE_PLACES = 4

# Rows per page of the drill-down lists behind a number (funnel cells, follow-up completion).
DRILL_PAGE_SIZE = 100
