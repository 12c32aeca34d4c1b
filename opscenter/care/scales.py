"""Standard scales as plain data and pure scoring functions (no database).

Each scale is a tuple of items; an item has a code, a Chinese label and the allowed answers
(score → label). `score(scale, answers)` checks that every item is answered with an allowed value
and returns the total; anything else raises a `ValidationError` naming the item.

* Barthel index (ADL, 10 items, 0–100, steps of 5): ≤ 40 severe, 41–60 moderate, 61–99 mild,
  100 independent.
* Mini-Cog: three-word recall 0–3 + clock drawing 0 or 2 = 0–5; below the cut-off (3) the screen
  is positive (possible cognitive impairment).
* MMSE: 11 items, 0–30; below the cut-off (default 24, editable per site) is impairment.
* Morse Fall Scale: 6 items, 0–125; 0–24 low, 25–44 moderate, ≥ 45 high.
* Braden: 6 items (friction 1–3, the rest 1–4), 6–23; ≤ 12 high, 13–14 moderate, 15–18 mild, ≥ 19
  none (a lower score is a higher risk).
* Wandering (走失风险) and chronic illness / deterioration (疾病与病情恶化): yes/no checklists
  scored 0/1 per item; the count gives the level.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from opscenter.core.exceptions import ValidationError

LOW, MEDIUM, HIGH = "low", "medium", "high"


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    options: tuple[tuple[int, str], ...]

    @property
    def values(self) -> frozenset[int]:
        return frozenset(v for v, _label in self.options)

    @property
    def maximum(self) -> int:
        return max(self.values)

    @property
    def minimum(self) -> int:
        return min(self.values)


@dataclass(frozen=True)
class Scale:
    code: str
    label: str
    items: tuple[Item, ...]

    @property
    def maximum(self) -> int:
        return sum(i.maximum for i in self.items)

    @property
    def minimum(self) -> int:
        return sum(i.minimum for i in self.items)

    def item(self, code: str) -> Item:
        for item in self.items:
            if item.code == code:
                return item
        raise KeyError(code)


def _opts(*pairs) -> tuple[tuple[int, str], ...]:
    return tuple(pairs)


def _yes_no() -> tuple[tuple[int, str], ...]:
    return ((0, _("否")), (1, _("是")))


BARTHEL = Scale(
    "barthel",
    _("日常生活能力(Barthel 指数)"),
    (
        Item("feeding", _("进食"), _opts((0, _("依赖")), (5, _("需部分帮助")), (10, _("自理")))),
        Item("bathing", _("洗澡"), _opts((0, _("依赖")), (5, _("自理")))),
        Item("grooming", _("修饰"), _opts((0, _("需帮助")), (5, _("自理")))),
        Item("dressing", _("穿衣"), _opts((0, _("依赖")), (5, _("需部分帮助")), (10, _("自理")))),
        Item("bowels", _("控制大便"), _opts((0, _("失禁")), (5, _("偶尔失禁")), (10, _("可控制")))),
        Item("bladder", _("控制小便"), _opts((0, _("失禁")), (5, _("偶尔失禁")), (10, _("可控制")))),
        Item("toilet", _("如厕"), _opts((0, _("依赖")), (5, _("需部分帮助")), (10, _("自理")))),
        Item(
            "transfer",
            _("床椅转移"),
            _opts((0, _("完全依赖")), (5, _("需大量帮助")), (10, _("需少量帮助")), (15, _("自理"))),
        ),
        Item(
            "mobility",
            _("平地行走"),
            _opts((0, _("不能行走")), (5, _("轮椅独立")), (10, _("需一人帮助")), (15, _("独立行走45米"))),
        ),
        Item("stairs", _("上下楼梯"), _opts((0, _("不能")), (5, _("需帮助")), (10, _("自理")))),
    ),
)

MINICOG = Scale(
    "minicog",
    _("简易认知筛查(Mini-Cog)"),
    (
        Item("recall", _("三词回忆"), _opts((0, "0"), (1, "1"), (2, "2"), (3, "3"))),
        Item("clock", _("画钟试验"), _opts((0, _("异常")), (2, _("正常")))),
    ),
)


def _range(lo: int, hi: int) -> tuple[tuple[int, str], ...]:
    return tuple((v, str(v)) for v in range(lo, hi + 1))


MMSE = Scale(
    "mmse",
    _("简易精神状态检查(MMSE)"),
    (
        Item("orientation_time", _("时间定向"), _range(0, 5)),
        Item("orientation_place", _("地点定向"), _range(0, 5)),
        Item("registration", _("即刻记忆"), _range(0, 3)),
        Item("attention", _("注意力和计算力"), _range(0, 5)),
        Item("recall", _("延迟回忆"), _range(0, 3)),
        Item("naming", _("命名"), _range(0, 2)),
        Item("repetition", _("复述"), _range(0, 1)),
        Item("command", _("三步指令"), _range(0, 3)),
        Item("reading", _("阅读"), _range(0, 1)),
        Item("writing", _("书写"), _range(0, 1)),
        Item("copying", _("临摹"), _range(0, 1)),
    ),
)

MORSE = Scale(
    "morse",
    _("跌倒风险(Morse 量表)"),
    (
        Item("history", _("跌倒史"), _opts((0, _("无")), (25, _("有")))),
        Item("secondary_diagnosis", _("超过一个医学诊断"), _opts((0, _("无")), (15, _("有")))),
        Item(
            "ambulatory_aid",
            _("行走辅助"),
            _opts((0, _("不需要/卧床/护士扶持")), (15, _("拐杖/助行器")), (30, _("扶家具行走"))),
        ),
        Item("iv", _("静脉输液/肝素锁"), _opts((0, _("无")), (20, _("有")))),
        Item("gait", _("步态"), _opts((0, _("正常/卧床/轮椅")), (10, _("虚弱")), (20, _("受损")))),
        Item("mental_status", _("认知状态"), _opts((0, _("了解自己能力")), (15, _("高估/忘记限制")))),
    ),
)

BRADEN = Scale(
    "braden",
    _("压疮风险(Braden 量表)"),
    (
        Item("sensory", _("感觉"), _range(1, 4)),
        Item("moisture", _("潮湿"), _range(1, 4)),
        Item("activity", _("活动"), _range(1, 4)),
        Item("mobility", _("移动"), _range(1, 4)),
        Item("nutrition", _("营养"), _range(1, 4)),
        Item("friction", _("摩擦力和剪切力"), _range(1, 3)),
    ),
)

WANDERING = Scale(
    "wandering",
    _("走失风险"),
    (
        Item("history", _("既往走失史"), _yes_no()),
        Item("cognitive", _("认知障碍"), _yes_no()),
        Item("exit_seeking", _("有离院意图或言语"), _yes_no()),
        Item("night_walking", _("夜间游走"), _yes_no()),
    ),
)

ILLNESS = Scale(
    "illness",
    _("疾病与病情恶化风险"),
    (
        Item("chronic", _("两种及以上慢病"), _yes_no()),
        Item("recent_change", _("近30天病情变化"), _yes_no()),
        Item("recent_hospital", _("近期住院或送医"), _yes_no()),
        Item("weight_loss", _("体重明显下降"), _yes_no()),
        Item("polypharmacy", _("用药五种及以上"), _yes_no()),
    ),
)

SCALES: dict[str, Scale] = {s.code: s for s in (BARTHEL, MINICOG, MMSE, MORSE, BRADEN, WANDERING, ILLNESS)}


def score(scale: Scale, answers: Mapping[str, object]) -> int:
    """The total of `answers` (item code → allowed value); every item must be answered, no extras."""
    if not isinstance(answers, Mapping):
        raise ValidationError(gettext("%(scale)s：答案格式不正确") % {"scale": scale.label}, field=scale.code)
    unknown = set(answers) - {i.code for i in scale.items}
    if unknown:
        raise ValidationError(
            gettext("%(scale)s：没有这个评分项目：%(item)s")
            % {"scale": scale.label, "item": sorted(unknown)[0]},
            field=scale.code,
            log_message=f"{scale.code}: unknown item {sorted(unknown)[0]}",
        )
    total = 0
    for item in scale.items:
        raw = answers.get(item.code)
        if raw is None or raw == "":
            raise ValidationError(
                gettext("%(scale)s：请填写“%(item)s”") % {"scale": scale.label, "item": item.label},
                field=f"{scale.code}.{item.code}",
                log_message=f"{scale.code}.{item.code} missing",
            )
        try:
            value = int(raw)
            if isinstance(raw, bool) or str(value) != str(raw).strip():
                raise ValueError
        except (TypeError, ValueError):
            value = None
        if value is None or value not in item.values:
            allowed = ", ".join(str(v) for v in sorted(item.values))
            raise ValidationError(
                gettext("%(scale)s：“%(item)s”的分值 %(value)s 超出范围，只能是 %(allowed)s")
                % {"scale": scale.label, "item": item.label, "value": raw, "allowed": allowed},
                field=f"{scale.code}.{item.code}",
                log_message=f"{scale.code}.{item.code} out of range: {raw!r}",
            )
        total += value
    return total


def barthel_band(total: int) -> str:
    """Dependence band of a Barthel total."""
    if total == 100:
        return "independent"
    if total >= 61:
        return "mild"
    if total >= 41:
        return "moderate"
    return "severe"


def morse_level(total: int) -> str:
    return HIGH if total >= 45 else MEDIUM if total >= 25 else LOW


def braden_level(total: int) -> str:
    """Braden: ≤ 12 high, 13–18 medium (moderate and mild risk), ≥ 19 low (no risk)."""
    return HIGH if total <= 12 else MEDIUM if total <= 18 else LOW


def checklist_level(total: int, *, high_from: int) -> str:
    return HIGH if total >= high_from else MEDIUM if total >= 1 else LOW


def risk_level(kind: str, total: int) -> str:
    """The risk level a risk scale's total gives."""
    if kind == "fall":
        return morse_level(total)
    if kind == "pressure":
        return braden_level(total)
    if kind == "wandering":
        return checklist_level(total, high_from=2)
    if kind == "illness":
        return checklist_level(total, high_from=3)
    raise ValueError(kind)


RISK_SCALE = {"fall": MORSE, "pressure": BRADEN, "wandering": WANDERING, "illness": ILLNESS}


@dataclass(frozen=True)
class ZoneRule:
    """Thresholds of the suggested zone (editable per site in the care settings)."""

    cognitive_screen: str = "minicog"
    minicog_cutoff: int = 3  # Mini-Cog total below this: positive screen
    mmse_cutoff: int = 24  # MMSE total below this: impairment
    barthel_rehab_max: int = 60  # Barthel at or below this: rehab nursing


def cognitive_impaired(total: int, rule: ZoneRule) -> bool:
    cutoff = rule.minicog_cutoff if rule.cognitive_screen == "minicog" else rule.mmse_cutoff
    return total < cutoff


def suggested_zone(*, barthel: int, cognitive: int, rule: ZoneRule) -> str:
    """失智区 when the cognitive screen is positive, else 康复护理区 when the Barthel total is at or
    below the rehab threshold, else 协助照料区. Values are the pipeline's CareZone codes."""
    if cognitive_impaired(cognitive, rule):
        return "dementia"
    if barthel <= rule.barthel_rehab_max:
        return "rehab"
    return "assisted"
