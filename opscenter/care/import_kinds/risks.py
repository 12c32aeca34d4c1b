"""The `care_risks` import kind (风险评估): residents' risk assessments from a register.

Columns: 姓名 / 电话 (a resident of the site), 风险类别 (跌倒, 压疮, 走失, 疾病 and synonyms such as
Morse, Braden, 褥疮), 得分 (within the kind's scale: Morse 0–125, Braden 6–23 …), 风险等级
(optional: when given it must agree with the level the score gives), 评估日期 (within the
resident's stay, not in the future), 评估人 (staff of the site), 说明.

The level and the next review date come from the score and the site's review intervals, as when a
nurse scores the scale on screen. After the write, each resident's assessments of a kind are
re-chained (the later one supersedes the earlier one) in one pass. Natural key: resident + kind +
date. Undo removes the job's assessments (refused when measures or incidents refer to them) and
re-chains the rest.
"""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from opscenter.care import scales
from opscenter.care.choices import RiskLevel
from opscenter.care.import_kinds._common import RISK_KIND_ALIASES, RISK_LEVEL_ALIASES, resolve_stays
from opscenter.care.models import Incident, RiskAssessment, RiskMeasure
from opscenter.care.services.places import care_settings_for
from opscenter.imports.engine import CREATE, UNCHANGED, Field, ImportContext, ImportKind, ParsedRow
from opscenter.imports.kinds import register
from opscenter.pipeline.import_kinds.events import customer_fields
from opscenter.pipeline.import_kinds.refs import resolve_customers, resolve_staff


def rechain(pairs: set[tuple[int, str]]) -> None:
    """Set `superseded_on` of every assessment of these (residency, kind) pairs to the date of the
    next one (None for the latest): one read, one bulk update."""
    if not pairs:
        return
    residencies = {r for r, _k in pairs}
    rows = RiskAssessment.objects.filter(residency_id__in=residencies).order_by(
        "residency_id", "kind", "assessed_on", "pk"
    )
    changed, last = [], {}
    for risk in rows:
        key = (risk.residency_id, risk.kind)
        if key not in pairs:
            continue
        previous = last.get(key)
        if previous is not None and previous.superseded_on != risk.assessed_on:
            previous.superseded_on = risk.assessed_on
            changed.append(previous)
        last[key] = risk
    for risk in last.values():
        if risk.superseded_on is not None:
            risk.superseded_on = None
            changed.append(risk)
    RiskAssessment.objects.bulk_update(changed, ["superseded_on"], batch_size=500)


@register
class RiskImport(ImportKind):
    name = "care_risks"
    label_zh = gettext_noop("风险评估")  # stays Chinese (data); screens translate it
    permission = "care.add_riskassessment"
    natural_key = ("residency_id", "kind", "assessed_on")
    fields = (  # i18n: data (column headers and aliases matched against imported files)
        *customer_fields(),
        Field("kind", "风险类别", ("风险类型", "类别", "量表", "kind"), type="choice", choices=RISK_KIND_ALIASES, required=True),
        Field("score", "得分", ("评分", "总分", "分数", "score"), type="int", required=True, example=45),
        Field("level", "风险等级", ("等级", "level"), type="choice", choices=RISK_LEVEL_ALIASES),
        Field("assessed_on", "评估日期", ("日期", "评估时间", "assessed_on"), type="date", required=True),
        Field("assessor", "评估人", ("评估护士", "评估员", "assessor"), reference="staff", required=True, max_length=50),
        Field("note", "说明", ("备注", "note"), max_length=300),
    )  # fmt: skip

    def resolve_references(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        resolve_customers(batch, ctx)
        resolve_staff(batch, ctx, field="assessor", target="assessor_id", label=_("评估人"))
        resolve_stays(batch, ctx, day_field="assessed_on")

    def validate_row(self, row: ParsedRow, ctx: ImportContext) -> None:
        v = row.values
        if v["assessed_on"] > ctx.today:
            row.error("assessed_on", _("评估日期不能晚于今天"))
        scale = scales.RISK_SCALE[v["kind"]]
        if not scale.minimum <= v["score"] <= scale.maximum:
            row.error(
                "score",
                _("%(scale)s得分应在 %(low)s–%(high)s 之间")
                % {"scale": scale.label, "low": scale.minimum, "high": scale.maximum},
            )
            return
        level = scales.risk_level(v["kind"], v["score"])
        given = v.pop("level", None)
        if given and given != level:
            row.error(
                "level",
                _("按%(scale)s得分 %(score)s 应为“%(level)s”风险，表格写的是“%(given)s”")
                % {"scale": scale.label, "score": v["score"], "level": RiskLevel(level).label, "given": RiskLevel(given).label},
            )  # fmt: skip
        v["level"] = level

    def find_existing(self, batch: list[ParsedRow], ctx: ImportContext) -> None:
        existing = set(
            RiskAssessment.objects.filter(
                residency_id__in={r.values["residency_id"] for r in batch}
            ).values_list("residency_id", "kind", "assessed_on")
        )
        for row in batch:
            row.action = UNCHANGED if self.row_key(row) in existing else CREATE

    def write(self, batch: list[ParsedRow], ctx: ImportContext) -> tuple[int, int]:
        settings = care_settings_for(ctx.site_id)
        rows = [
            RiskAssessment(
                site_id=ctx.site_id, residency_id=v["residency_id"], kind=v["kind"], answers={}, score=v["score"],
                level=v["level"], assessed_on=v["assessed_on"], assessor_id=v["assessor_id"],
                next_review_on=v["assessed_on"] + dt.timedelta(days=settings.review_days(v["level"])),
                note=v.get("note") or "", import_job_id=ctx.job_id,
            )
            for v in (r.values for r in batch)
        ]  # fmt: skip
        RiskAssessment.objects.bulk_create(rows, batch_size=500)
        ctx.cache.setdefault("risk_pairs", set()).update((r.residency_id, r.kind) for r in rows)
        return len(rows), 0

    def finish(self, ctx: ImportContext) -> None:
        rechain(ctx.cache.get("risk_pairs", set()))

    def undo_blockers(self, job_id: int) -> list[str]:
        risks = RiskAssessment.objects.filter(import_job_id=job_id).values("pk")
        if (
            RiskMeasure.objects.filter(risk_id__in=risks).exists()
            or Incident.objects.filter(risk_assessment_id__in=risks).exists()
        ):
            return [_("本次导入的风险评估已有防范措施或被护理事件引用，请先处理这些记录")]
        return []

    def undo(self, job_id: int) -> int:
        qs = RiskAssessment.objects.filter(import_job_id=job_id)
        pairs = set(qs.values_list("residency_id", "kind"))
        removed, _counts = qs.delete()
        rechain(pairs)
        return removed
