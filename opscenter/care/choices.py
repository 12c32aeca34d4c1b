from django.db import models
from django.utils.translation import gettext_lazy as _


class Shift(models.TextChoices):
    DAY = "day", _("白班")
    NIGHT = "night", _("夜班")


class ResidencyStatus(models.TextChoices):
    ACTIVE = "active", _("在住")
    ENDED = "ended", _("已离院")


class AdmissionStatus(models.TextChoices):
    REQUESTED = "requested", _("待评估")
    DISPUTED = "disputed", _("有分歧待裁定")
    DECIDED = "decided", _("已定区")
    ADMITTED = "admitted", _("已入住")
    LOST = "lost", _("客户流失")


ADMISSION_TRANSITIONS: dict[str, set[str]] = {
    AdmissionStatus.REQUESTED: {AdmissionStatus.DISPUTED, AdmissionStatus.DECIDED, AdmissionStatus.LOST},
    AdmissionStatus.DISPUTED: {AdmissionStatus.DECIDED, AdmissionStatus.LOST},
    AdmissionStatus.DECIDED: {AdmissionStatus.ADMITTED, AdmissionStatus.LOST},
    AdmissionStatus.ADMITTED: set(),
    AdmissionStatus.LOST: set(),
}


class ViewRole(models.TextChoices):
    MARKETING = "marketing", _("市场部意见")
    NURSING = "nursing", _("护理部意见")


class RiskKind(models.TextChoices):
    FALL = "fall", _("跌倒")
    PRESSURE = "pressure", _("压疮")
    WANDERING = "wandering", _("走失")
    ILLNESS = "illness", _("疾病与病情恶化")


class RiskLevel(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")


class IncidentKind(models.TextChoices):
    FALL = "fall", _("跌倒")
    PRESSURE = "pressure", _("压疮")
    ILLNESS = "illness", _("患病")
    HOSPITAL = "hospital", _("急救送医")
    DEATH = "death", _("死亡")
    WANDERING = "wandering", _("走失")
    CONFLICT = "conflict", _("冲突")
    COMPLAINT = "complaint", _("家属投诉")


# The risk kind whose assessment an incident is checked against ("was the fall risk known?").
INCIDENT_RISK = {
    IncidentKind.FALL: RiskKind.FALL,
    IncidentKind.PRESSURE: RiskKind.PRESSURE,
    IncidentKind.WANDERING: RiskKind.WANDERING,
    IncidentKind.ILLNESS: RiskKind.ILLNESS,
    IncidentKind.HOSPITAL: RiskKind.ILLNESS,
    IncidentKind.DEATH: RiskKind.ILLNESS,
}


class Severity(models.TextChoices):
    MINOR = "minor", _("轻微")
    MODERATE = "moderate", _("一般")
    SEVERE = "severe", _("严重")
    CRITICAL = "critical", _("危重/死亡")


class CognitiveScreen(models.TextChoices):
    MINICOG = "minicog", _("Mini-Cog")
    MMSE = "mmse", _("MMSE")
