"""Synonyms of the care import kinds' choice columns, matched against imported cells (Chinese
ledgers as people write them)."""

# i18n: data module — synonyms matched against imported text.

from __future__ import annotations

from opscenter.care.choices import IncidentKind, RiskKind, RiskLevel, Severity
from opscenter.pipeline.choices import StayType

STAY_TYPE_ALIASES: dict[str, str] = {
    **{str(label): str(value) for value, label in StayType.choices},
    **{str(value): str(value) for value in StayType.values},
    **dict.fromkeys(("试入住", "体验", "体验入住", "试住期"), StayType.TRIAL.value),
    **dict.fromkeys(("短期", "短期入住", "短期托养", "喘息"), StayType.SHORT.value),
    **dict.fromkeys(("长期", "长期入住", "长住型", "正式入住"), StayType.LONG.value),
}
RISK_KIND_ALIASES: dict[str, str] = {
    **{str(label): str(value) for value, label in RiskKind.choices},
    **{str(value): str(value) for value in RiskKind.values},
    **dict.fromkeys(("跌倒风险", "坠床", "跌倒/坠床", "Morse", "morse"), RiskKind.FALL.value),
    **dict.fromkeys(("褥疮", "压力性损伤", "压疮风险", "Braden", "braden"), RiskKind.PRESSURE.value),
    **dict.fromkeys(("走失风险", "走丢", "外走"), RiskKind.WANDERING.value),
    **dict.fromkeys(
        ("疾病", "病情恶化", "慢病", "慢性病", "身体状况恶化", "疾病隐患"), RiskKind.ILLNESS.value
    ),
}
RISK_LEVEL_ALIASES: dict[str, str] = {
    **{str(label): str(value) for value, label in RiskLevel.choices},
    **{str(value): str(value) for value in RiskLevel.values},
    **dict.fromkeys(("低风险", "低危", "轻"), RiskLevel.LOW.value),
    **dict.fromkeys(("中风险", "中危", "中等"), RiskLevel.MEDIUM.value),
    **dict.fromkeys(("高风险", "高危", "重"), RiskLevel.HIGH.value),
}
INCIDENT_KIND_ALIASES: dict[str, str] = {
    **{str(label): str(value) for value, label in IncidentKind.choices},
    **{str(value): str(value) for value in IncidentKind.values},
    **dict.fromkeys(("摔倒", "跌伤", "坠床"), IncidentKind.FALL.value),
    **dict.fromkeys(("褥疮", "压力性损伤"), IncidentKind.PRESSURE.value),
    **dict.fromkeys(("生病", "发病", "疾病"), IncidentKind.ILLNESS.value),
    **dict.fromkeys(("送医", "急救", "120", "住院", "转院"), IncidentKind.HOSPITAL.value),
    **dict.fromkeys(("去世", "离世", "过世"), IncidentKind.DEATH.value),
    **dict.fromkeys(("走丢", "外走", "走失事件"), IncidentKind.WANDERING.value),
    **dict.fromkeys(("纠纷", "争吵", "打架", "冲突事件"), IncidentKind.CONFLICT.value),
    **dict.fromkeys(("投诉", "家属投诉事件"), IncidentKind.COMPLAINT.value),
}
SEVERITY_ALIASES: dict[str, str] = {
    **{str(label): str(value) for value, label in Severity.choices},
    **{str(value): str(value) for value in Severity.values},
    **dict.fromkeys(("轻", "轻度", "无伤害"), Severity.MINOR.value),
    **dict.fromkeys(("中", "中度", "一般伤害"), Severity.MODERATE.value),
    **dict.fromkeys(("重", "重度", "严重伤害"), Severity.SEVERE.value),
    **dict.fromkeys(("危重", "死亡", "特重"), Severity.CRITICAL.value),
}
