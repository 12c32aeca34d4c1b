"""Writes of scorecards: create, edit a draft (items, bands, rules), publish, new version."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.appraisal.choices import (
    SCORECARD_TRANSITIONS,
    SUBJECT_GRAIN,
    CurveKind,
    ItemKind,
    ItemMethod,
    RuleKind,
    ScorecardStatus,
)
from opscenter.appraisal.models import GradeBand, Rule, Scorecard, ScoreItem
from opscenter.core.exceptions import ValidationError
from opscenter.metrics import get_metric
from opscenter.org.selectors import scope_for

DEFAULT_BANDS = (  # i18n: data (grade names stored on the scorecard, edited by users)
    ("优秀", Decimal(90), Decimal("1.20")),
    ("良好", Decimal(80), Decimal("1.00")),
    ("合格", Decimal(70), Decimal("0.90")),
    ("基本合格", Decimal(60), Decimal("0.80")),
    ("不合格", Decimal(0), Decimal("0.00")),
)


def _require_edit(actor, site_id: int) -> None:
    if actor is None:
        return
    scope = scope_for(actor)
    scope.require("appraisal.change_scorecard")
    scope.require_site(site_id, write=True)


def _require_draft(card: Scorecard) -> None:
    # Read the status from the row (locked): the caller's instance may be stale.
    card.status = Scorecard.objects.select_for_update().values_list("status", flat=True).get(pk=card.pk)
    if card.status != ScorecardStatus.DRAFT:
        raise ValidationError(
            _("方案“%(name)s”v%(v)s 已发布，不能修改；请先生成新版本")
            % {"name": card.name, "v": card.version},
            log_message=f"scorecard {card.pk} is {card.status}",
        )


def _dec(value, field: str, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise ValidationError(
            _("“%(label)s”不是数字：%(v)s") % {"label": label, "v": value}, field=field
        ) from exc


@transaction.atomic
def scorecard_create(
    *,
    actor,
    site_id: int,
    name: str,
    subject_kind: str,
    department_id: int | None = None,
    position_id: int | None = None,
    description: str = "",
) -> Scorecard:
    """A new draft (v1) with the default grade bands (优秀 ≥ 90 … 不合格 < 60)."""
    _require_edit(actor, site_id)
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("请填写方案名称"), field="name")
    if Scorecard.objects.filter(site_id=site_id, name=name).exists():
        raise ValidationError(_("本院区已有同名方案“%(name)s”") % {"name": name}, field="name")
    card = Scorecard.objects.create(
        site_id=site_id,
        name=name,
        subject_kind=subject_kind,
        department_id=department_id,
        position_id=position_id,
        description=description,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    GradeBand.objects.bulk_create(
        [GradeBand(scorecard=card, name=n, min_score=m, coefficient=c) for n, m, c in DEFAULT_BANDS]
    )
    return card


def _validate_item(card: Scorecard, item: ScoreItem) -> None:
    if not item.name.strip():
        raise ValidationError(_("请填写项目名称"), field="name")
    if item.kind == ItemKind.OBSERVED:
        item.weight = Decimal(0)
    elif not (Decimal(0) <= item.weight <= Decimal(100)):
        raise ValidationError(_("权重须在 0–100 之间"), field="weight")
    if item.method == ItemMethod.METRIC:
        grain = SUBJECT_GRAIN.get(card.subject_kind)
        if grain is None:
            raise ValidationError(_("合作机构考核不能按指标自动计分，请用打分或检查清单"), field="method")
        for code, field in ((item.metric_code, "metric_code"), (item.denominator_code, "denominator_code")):
            if not code and field == "denominator_code":
                continue
            metric = get_metric(code)
            if not metric.supports(grain, "month"):
                raise ValidationError(
                    _("指标“%(label)s”不支持按%(grain)s按月统计")
                    % {"label": metric.label, "grain": card.get_subject_kind_display()},
                    field=field,
                )
        if item.curve not in CurveKind.values:
            raise ValidationError(_("请选择计分曲线"), field="curve")
        if item.curve == CurveKind.LINEAR and (item.zero_at is None or item.full_at is None):
            raise ValidationError(_("区间线性需要零分值和满分值"), field="zero_at")
        if item.curve == CurveKind.TARGET and item.target is None:
            raise ValidationError(_("达标满分需要目标值"), field="target")
        if item.curve == CurveKind.STEP:
            try:
                item.steps = [[str(Decimal(str(t))), str(Decimal(str(s)))] for t, s in item.steps]
            except (InvalidOperation, TypeError, ValueError) as exc:
                raise ValidationError(_("阶梯表格式应为 门槛:得分，每行一档"), field="steps") from exc
            if not item.steps:
                raise ValidationError(_("阶梯表至少需要一档"), field="steps")
    elif item.method == ItemMethod.MANUAL:
        if item.appraiser_id is None:
            raise ValidationError(_("考核人打分的项目须指定考核人"), field="appraiser")
    elif item.method == ItemMethod.CHECKLIST:
        try:
            total = sum(Decimal(str(c["points"])) for c in item.checklist)
        except (InvalidOperation, KeyError, TypeError) as exc:
            raise ValidationError(_("检查项格式应为 检查内容:分值，每行一项"), field="checklist") from exc
        if item.kind == ItemKind.SCORED and total != Decimal(100):
            raise ValidationError(_("检查项分值合计应为 100，现为 %(t)s") % {"t": total}, field="checklist")
    else:
        raise ValidationError(_("请选择计分方式"), field="method")


@transaction.atomic
def scorecard_item_save(*, actor, scorecard: Scorecard, item_id: int | None = None, **fields) -> ScoreItem:
    """Add or change an item of a draft scorecard (fields as on ScoreItem)."""
    _require_edit(actor, scorecard.site_id)
    _require_draft(scorecard)
    item = ScoreItem(scorecard=scorecard) if item_id is None else scorecard.items.get(pk=item_id)
    for key in ("zero_at", "full_at", "target", "weight"):
        if key in fields:
            fields[key] = _dec(fields[key], key, ScoreItem._meta.get_field(key).verbose_name)
    if fields.get("weight") is None:
        fields["weight"] = Decimal(0)
    for key, value in fields.items():
        setattr(item, key, value)
    _validate_item(scorecard, item)
    item.save()
    return item


@transaction.atomic
def scorecard_item_delete(*, actor, scorecard: Scorecard, item_id: int) -> None:
    _require_edit(actor, scorecard.site_id)
    _require_draft(scorecard)
    scorecard.items.filter(pk=item_id).delete()


@transaction.atomic
def scorecard_rule_save(*, actor, scorecard: Scorecard, rule_id: int | None = None, **fields) -> Rule:
    _require_edit(actor, scorecard.site_id)
    _require_draft(scorecard)
    rule = Rule(scorecard=scorecard) if rule_id is None else scorecard.rules.get(pk=rule_id)
    for key in ("points_min", "points_max"):
        if key in fields:
            fields[key] = _dec(fields[key], key, Rule._meta.get_field(key).verbose_name) or Decimal(0)
    for key, value in fields.items():
        setattr(rule, key, value)
    if not rule.name.strip():
        raise ValidationError(_("请填写规则内容"), field="name")
    if rule.kind == RuleKind.DEDUCTION and not (
        Decimal(0) < rule.points_max and rule.points_min <= rule.points_max
    ):
        raise ValidationError(_("扣分规则须填写扣分范围（最少 ≤ 最多，且最多 > 0）"), field="points_max")
    if rule.kind == RuleKind.DOWNGRADE and not rule.grades:
        raise ValidationError(_("降级规则须填写降级数"), field="grades")
    rule.save()
    return rule


@transaction.atomic
def scorecard_rule_delete(*, actor, scorecard: Scorecard, rule_id: int) -> None:
    _require_edit(actor, scorecard.site_id)
    _require_draft(scorecard)
    scorecard.rules.filter(pk=rule_id).delete()


@transaction.atomic
def scorecard_bands_set(*, actor, scorecard: Scorecard, bands: list[tuple[str, Decimal, Decimal]]) -> None:
    """Replace the grade bands: distinct names, distinct lower bounds, the lowest at 0."""
    _require_edit(actor, scorecard.site_id)
    _require_draft(scorecard)
    names = [b[0].strip() for b in bands]
    mins = [Decimal(b[1]) for b in bands]
    if len(bands) < 2 or len(set(names)) != len(names) or len(set(mins)) != len(mins) or "" in names:
        raise ValidationError(_("等级名称与最低分须各不相同，至少两个等级"), field="bands")
    if min(mins) != 0 or max(mins) > 100:
        raise ValidationError(_("最低一档的最低分须为 0，各档在 0–100 之间"), field="bands")
    scorecard.bands.all().delete()
    GradeBand.objects.bulk_create(
        [GradeBand(scorecard=scorecard, name=n, min_score=m, coefficient=Decimal(c)) for n, m, c in bands]
    )


def _num(value: Decimal) -> str:
    """90.00 → "90", 12.50 → "12.5" (never 9E+1)."""
    return format(value.normalize(), "f")


def weight_gap(scorecard: Scorecard) -> tuple[Decimal, Decimal]:
    """(Σ weights of scored items, 100 − Σ)."""
    total = sum((i.weight for i in scorecard.items.all() if i.kind == ItemKind.SCORED), Decimal(0))
    return total, Decimal(100) - total


@transaction.atomic
def scorecard_publish(*, actor, scorecard: Scorecard) -> Scorecard:
    """Publish a draft: scored weights must total exactly 100 % (the message says by how much they
    miss); the previously published version of the same name is retired."""
    _require_edit(actor, scorecard.site_id)
    card = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
    if ScorecardStatus.PUBLISHED not in SCORECARD_TRANSITIONS[card.status]:
        raise ValidationError(_("只有草稿可以发布"), log_message=f"publish from {card.status}")
    total, gap = weight_gap(card)
    if not card.items.filter(kind=ItemKind.SCORED).exists():
        raise ValidationError(_("方案至少需要一个考核项目"), field="items")
    if gap > 0:
        raise ValidationError(
            _("考核项目权重合计 %(t)s%%，还差 %(g)s%% 才到 100%%，不能发布")
            % {"t": _num(total), "g": _num(gap)},
            field="weight",
            log_message=f"weights total {total}",
        )
    if gap < 0:
        raise ValidationError(
            _("考核项目权重合计 %(t)s%%，超出 100%% 共 %(g)s%%，不能发布")
            % {"t": _num(total), "g": _num(-gap)},
            field="weight",
            log_message=f"weights total {total}",
        )
    Scorecard.objects.filter(site_id=card.site_id, name=card.name, status=ScorecardStatus.PUBLISHED).update(
        status=ScorecardStatus.RETIRED
    )
    card.status = ScorecardStatus.PUBLISHED
    card.published_at = timezone.now()
    card.save(update_fields=["status", "published_at"])
    return card


@transaction.atomic
def scorecard_new_version(*, actor, scorecard: Scorecard) -> Scorecard:
    """A draft copy (version + 1) of a scorecard with its items, bands and rules; an existing draft
    of the same name is returned instead (one draft at a time)."""
    _require_edit(actor, scorecard.site_id)
    draft = Scorecard.objects.filter(
        site_id=scorecard.site_id, name=scorecard.name, status=ScorecardStatus.DRAFT
    ).first()
    if draft is not None:
        return draft
    last = (
        Scorecard.objects.filter(site_id=scorecard.site_id, name=scorecard.name).order_by("-version").first()
    )
    items = list(scorecard.items.all())
    bands = list(scorecard.bands.all())
    rules = list(scorecard.rules.all())
    copy = Scorecard.objects.create(
        site_id=scorecard.site_id,
        name=scorecard.name,
        version=last.version + 1,
        subject_kind=scorecard.subject_kind,
        department_id=scorecard.department_id,
        position_id=scorecard.position_id,
        description=scorecard.description,
        based_on=scorecard,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    for rows in (items, bands, rules):
        for row in rows:
            row.pk = None
            row.scorecard = copy
    ScoreItem.objects.bulk_create(items)
    GradeBand.objects.bulk_create(bands)
    Rule.objects.bulk_create(rules)
    return copy
